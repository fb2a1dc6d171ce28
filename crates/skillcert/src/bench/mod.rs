//! `skillcert bench`: the opening minute (issue 4). When registration for a plan opens, the
//! candidates who prepared their drafts all press 提交 within the same minute. This measures, on
//! fresh throwaway databases and the real application started in-process:
//!
//! - the **transaction ceiling**: submissions per second of the store's transaction alone
//!   ([`ceiling`]);
//! - the **hot-row ceiling**: the same transaction with the seat taken on the plan's own row, as
//!   before the seats were striped ([`hot_row`]);
//! - the **request ceiling**: all the database work of a candidate's two requests, issued
//!   directly without HTTP ([`request`]);
//! - the **peak over HTTP**: plan page + submit per candidate, from C workers ([`load::peak`]);
//! - the **half rate**: latency when arrivals come at half that peak ([`load::open_loop`]);
//! - **overbooking** after every phase that counts seats ([`seats`]);
//! - the **read side**: plan list and plan page against a bare handler ([`reads`]).
//!
//! Figures are compared as ratios measured in the same run, because this machine is noisy.
//! Preparation (accounts, sessions, drafts, documents: [`prepare`]) is not measured.

mod app;
pub mod ceiling;
mod concurrent;
pub mod hot_row;
pub mod load;
pub mod payments;
mod photos;
pub mod prepare;
pub mod reads;
pub mod report;
pub mod request;
pub mod seats;
pub mod stats;
pub mod tasks;

use std::fmt;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use serde::Serialize;

use app::BenchApp;
use prepare::ReadyCandidate;

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Which databases to measure, each on fresh throwaway databases.
    #[arg(long, value_enum, default_value = "both")]
    pub database: DatabaseChoice,
    /// The PostgreSQL server to create throwaway databases `skillcert_bench_*` on (dropped after).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub postgres_url: String,
    /// one-plan: every candidate on one plan; spread: spread over 100 plans.
    #[arg(long, value_enum, default_value = "both")]
    pub shape: ShapeChoice,
    /// Candidates per batch (each phase has its own batch).
    #[arg(long, default_value_t = 2000)]
    pub candidates: usize,
    /// Concurrent workers (tasks for the ceilings, HTTP clients for the rest).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Runs per database, each on a fresh database; figures are medians over runs.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Seconds each read-side target is hammered.
    #[arg(long, default_value_t = 3.0)]
    pub read_seconds: f64,
    /// Measure payments instead of the opening minute: `--candidates` applications pay at once
    /// and every callback arrives three times (see `bench::payments`).
    #[arg(long)]
    pub payments: bool,
    /// Also write every figure as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DatabaseChoice {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShapeChoice {
    OnePlan,
    Spread,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Database {
    Sqlite,
    Postgres,
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Database::Sqlite => "sqlite",
            Database::Postgres => "postgres",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    OnePlan,
    Spread,
}

impl Shape {
    /// Plans a batch is spread over.
    fn plans(self) -> usize {
        match self {
            Shape::OnePlan => 1,
            Shape::Spread => 100,
        }
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Shape::OnePlan => "one-plan",
            Shape::Spread => "spread",
        })
    }
}

/// One phase's figures and its seat check.
#[derive(Debug, Clone, Serialize)]
pub struct Phase<T> {
    pub figures: T,
    pub seats: seats::SeatCheck,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShapeRun {
    pub shape: Shape,
    /// `store::applications::submit` alone.
    pub transaction_ceiling: Phase<tasks::CeilingFigures>,
    /// The same transaction with the seat on the plan's row; it counts no seats, so it has no
    /// seat check.
    pub hot_row_ceiling: tasks::CeilingFigures,
    /// The database work of the plan page and the submit, without HTTP.
    pub request_ceiling: Phase<tasks::CeilingFigures>,
    pub peak: Phase<load::LoadFigures>,
    pub half_rate: Phase<load::LoadFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub database: Database,
    pub run: usize,
    pub shapes: Vec<ShapeRun>,
    pub reads: reads::ReadFigures,
}

/// `--payments`: each database `--runs` times on fresh databases; medians.
async fn run_payments(args: &BenchArgs, databases: &[Database]) -> anyhow::Result<()> {
    println!(
        "| db | applications | orders/s | callbacks/s | payments/s | ceiling/s | payments÷ceiling | recorded / paid orders | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut all = Vec::new();
    for database in databases {
        let mut runs = Vec::new();
        for n in 1..=args.runs {
            eprintln!("bench: payments, {database}, run {n}/{}", args.runs);
            let app = BenchApp::start(*database, &args.postgres_url).await?;
            let figures = payments::measure(&app, args.candidates, args.concurrency).await;
            app.finish().await;
            let figures = figures.with_context(|| format!("{database}, run {n}"))?;
            if figures.recorded != args.candidates as i64
                || figures.paid_orders != args.candidates as i64
            {
                bail!(
                    "{database}, run {n}: {} payments recorded on {} paid orders for {} applications",
                    figures.recorded,
                    figures.paid_orders,
                    args.candidates
                );
            }
            runs.push(figures);
        }
        let med = |f: fn(&payments::PaymentFigures) -> f64| {
            stats::median(&runs.iter().map(f).collect::<Vec<_>>())
        };
        println!(
            "| {database} | {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.2} | {} / {} | {} |",
            args.candidates,
            med(|f| f.orders_per_sec),
            med(|f| f.callbacks_per_sec),
            med(|f| f.payments_per_sec),
            med(|f| f.ceiling_per_sec),
            med(|f| f.ratio),
            runs[0].recorded,
            runs[0].paid_orders,
            runs.iter().map(|f| f.errors).sum::<usize>(),
        );
        all.push(serde_json::json!({ "database": database.to_string(), "runs": runs }));
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&all)?)?;
    }
    Ok(())
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.candidates == 0 || args.concurrency == 0 || args.runs == 0 {
        bail!("--candidates, --concurrency and --runs must be at least 1");
    }
    let databases: &[Database] = match args.database {
        DatabaseChoice::Sqlite => &[Database::Sqlite],
        DatabaseChoice::Postgres => &[Database::Postgres],
        DatabaseChoice::Both => &[Database::Sqlite, Database::Postgres],
    };
    let shapes: &[Shape] = match args.shape {
        ShapeChoice::OnePlan => &[Shape::OnePlan],
        ShapeChoice::Spread => &[Shape::Spread],
        ShapeChoice::Both => &[Shape::OnePlan, Shape::Spread],
    };
    if args.payments {
        return run_payments(&args, databases).await;
    }
    let client = load::client()?;
    let mut runs = Vec::new();
    for database in databases {
        for n in 1..=args.runs {
            eprintln!("bench: {database}, run {n}/{}: a fresh database", args.runs);
            let app = BenchApp::start(*database, &args.postgres_url).await?;
            let result = one_run(&app, &client, &args, *database, n, shapes).await;
            app.finish().await;
            runs.push(result.with_context(|| format!("{database}, run {n}"))?);
        }
    }
    let summary = report::Summary::of(&runs);
    print!("{}", report::render(&args, &summary, &runs));
    if let Some(path) = &args.json {
        let json = serde_json::json!({
            "options": {
                "candidates": args.candidates, "concurrency": args.concurrency,
                "runs": args.runs, "read_seconds": args.read_seconds,
            },
            "summary": summary,
            "runs": runs,
        });
        std::fs::write(path, serde_json::to_string_pretty(&json)?)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("bench: figures written to {}", path.display());
    }
    Ok(())
}

/// Serials of the candidates made so far in this database: each batch takes the next ones.
struct Serials(u32);

impl Serials {
    fn take(&mut self, count: usize) -> u32 {
        let first = self.0;
        self.0 += u32::try_from(count).expect("a batch fits in u32");
        first
    }
}

async fn one_run(
    app: &BenchApp,
    client: &reqwest::Client,
    args: &BenchArgs,
    database: Database,
    n: usize,
    shapes: &[Shape],
) -> anyhow::Result<Run> {
    let mut serials = Serials(0);
    check_submittable(app, client, &mut serials).await?;
    let mut shape_runs = Vec::new();
    for shape in shapes {
        let label = format!("{database} run {n} {shape}");
        let (plans, batch) = prepare_batch(
            app,
            args,
            *shape,
            &mut serials,
            &label,
            "transaction ceiling",
        )
        .await?;
        eprintln!("bench: {label}: transaction ceiling (the store's submission alone)");
        let figures = ceiling::measure(&app.state.db, &batch, args.concurrency).await?;
        let transaction_ceiling = Phase {
            seats: seats::check(&app.state.db, &plans, &batch).await?,
            figures,
        };

        let (_, batch) =
            prepare_batch(app, args, *shape, &mut serials, &label, "hot-row ceiling").await?;
        eprintln!("bench: {label}: hot-row transaction ceiling (the seat on the plan's row)");
        let hot_row_ceiling = hot_row::measure(&app.state.db, &batch, args.concurrency).await?;

        let (plans, batch) =
            prepare_batch(app, args, *shape, &mut serials, &label, "request ceiling").await?;
        eprintln!("bench: {label}: request ceiling (both requests' database work, no HTTP)");
        let figures = request::measure(&app.state, batch.clone(), args.concurrency).await;
        let request_ceiling = Phase {
            seats: seats::check(&app.state.db, &plans, &batch).await?,
            figures,
        };

        let (plans, batch) = prepare_batch(app, args, *shape, &mut serials, &label, "peak").await?;
        eprintln!("bench: {label}: peak over HTTP");
        let figures = load::peak(client, &app.base, batch.clone(), args.concurrency).await;
        let peak_rate = figures.submissions_per_sec;
        let peak = Phase {
            seats: seats::check(&app.state.db, &plans, &batch).await?,
            figures,
        };

        let (plans, batch) =
            prepare_batch(app, args, *shape, &mut serials, &label, "half rate").await?;
        let half = if peak_rate.is_finite() && peak_rate > 0.0 {
            peak_rate / 2.0
        } else {
            1.0
        };
        eprintln!("bench: {label}: half rate over HTTP ({half:.0} arrivals/s)");
        let figures = load::open_loop(client, &app.base, batch.clone(), half).await;
        let half_rate = Phase {
            seats: seats::check(&app.state.db, &plans, &batch).await?,
            figures,
        };
        shape_runs.push(ShapeRun {
            shape: *shape,
            transaction_ceiling,
            hot_row_ceiling,
            request_ceiling,
            peak,
            half_rate,
        });
    }
    eprintln!("bench: {database} run {n}: read side");
    let plan_id = prepare::create_plans(&app.state.db, 1, 100).await?[0];
    let reads = reads::measure(
        client,
        &app.base,
        plan_id,
        args.concurrency,
        args.read_seconds,
    )
    .await?;
    Ok(Run {
        database,
        run: n,
        shapes: shape_runs,
        reads,
    })
}

/// Fresh plans of the shape, with exactly as many seats as candidates on them (so every
/// submission can succeed and the last takes the last seat), and a batch of ready candidates.
async fn prepare_batch(
    app: &BenchApp,
    args: &BenchArgs,
    shape: Shape,
    serials: &mut Serials,
    label: &str,
    phase: &str,
) -> anyhow::Result<(Vec<i64>, Vec<ReadyCandidate>)> {
    let plan_count = shape.plans().min(args.candidates);
    let capacity = u32::try_from(args.candidates.div_ceil(plan_count))?;
    eprintln!(
        "bench: {label}: preparing {} candidates for the {phase} on {plan_count} plan(s)",
        args.candidates
    );
    let plans = prepare::create_plans(&app.state.db, plan_count, capacity).await?;
    let candidates = prepare::ready_candidates(
        &app.state.db,
        &app.state.pii,
        &*app.state.files,
        &plans,
        serials.take(args.candidates),
        args.candidates,
    )
    .await?;
    Ok((plans, candidates))
}

/// Proof that prepared drafts are what a candidate can submit: one candidate's photo uploaded
/// again over HTTP passes the photo checks (201), and its submit over HTTP is accepted (200,
/// under review). A bench of drafts the server refuses would measure 422s.
async fn check_submittable(
    app: &BenchApp,
    client: &reqwest::Client,
    serials: &mut Serials,
) -> anyhow::Result<()> {
    let plans = prepare::create_plans(&app.state.db, 1, 1).await?;
    let c = prepare::ready_candidates(
        &app.state.db,
        &app.state.pii,
        &*app.state.files,
        &plans,
        serials.take(1),
        1,
    )
    .await?
    .remove(0);
    let part =
        reqwest::multipart::Part::bytes(photos::good_photo().to_vec()).file_name("photo.jpg");
    let uploaded = client
        .post(format!(
            "{}/api/v1/applications/{}/documents/photo",
            app.base, c.application_id
        ))
        .header(reqwest::header::COOKIE, &c.cookie)
        .header(web::session::CSRF_HEADER, &c.csrf)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await?;
    let status = uploaded.status();
    if status != 201 {
        bail!(
            "the bench photo is refused by the server ({status}): {}",
            uploaded.text().await.unwrap_or_default()
        );
    }
    let submitted = client
        .post(format!(
            "{}/api/v1/applications/{}/submit",
            app.base, c.application_id
        ))
        .header(reqwest::header::COOKIE, &c.cookie)
        .header(web::session::CSRF_HEADER, &c.csrf)
        .json(&serde_json::json!({ "accept_commitment": true, "acknowledge_ineligible": false }))
        .send()
        .await?;
    let status = submitted.status();
    let body: serde_json::Value = submitted.json().await.unwrap_or_default();
    if status != 200 || body["status"] != "under_review" {
        bail!("a prepared draft is not submittable ({status}): {body}");
    }
    eprintln!("bench: a prepared candidate submits over HTTP: 200, under_review");
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn bench_args(argv: &[&str]) -> BenchArgs {
        let cli = Cli::try_parse_from(argv).expect("the arguments parse");
        match cli.command {
            Some(Command::Bench(args)) => args,
            other => panic!("not the bench: {other:?}"),
        }
    }

    #[test]
    fn the_defaults_are_the_issues_opening_minute() {
        let args = bench_args(&["skillcert", "bench"]);
        assert_eq!(args.database, DatabaseChoice::Both);
        assert_eq!(args.shape, ShapeChoice::Both);
        assert_eq!(
            (args.candidates, args.concurrency, args.runs),
            (2000, 64, 3)
        );
        assert_eq!(args.read_seconds, 3.0);
        assert!(args.postgres_url.starts_with("postgres://"));
        assert!(args.json.is_none());
    }

    #[test]
    fn options_choose_databases_and_shapes() {
        let args = bench_args(&[
            "skillcert",
            "bench",
            "--database",
            "sqlite",
            "--shape",
            "one-plan",
            "--candidates",
            "300",
            "--json",
            "out.json",
        ]);
        assert_eq!(args.database, DatabaseChoice::Sqlite);
        assert_eq!(args.shape, ShapeChoice::OnePlan);
        assert_eq!(args.candidates, 300);
        assert_eq!(args.json.as_deref(), Some(std::path::Path::new("out.json")));
    }

    #[test]
    fn serials_run_on_from_batch_to_batch() {
        let mut serials = Serials(0);
        assert_eq!(serials.take(300), 0);
        assert_eq!(serials.take(1), 300);
        assert_eq!(serials.take(5), 301);
    }
}
