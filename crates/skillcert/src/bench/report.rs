//! The figures at the end: medians over runs for each database and shape, the read side, every
//! run's own values, and each target with PASS or MISS.

use std::fmt::Write;

use serde::Serialize;

use super::seats::SeatCheck;
use super::stats::median;
use super::{BenchArgs, Database, Run, Shape, ShapeRun};

/// The targets of issue 4. HTTP is judged against the request ceiling (the same database work
/// without HTTP); the transaction ceiling is shown beside it.
pub const MIN_HTTP_TO_CEILING: f64 = 0.7;
/// Striped seats against the naive hot row, for one plan on PostgreSQL.
pub const MIN_STRIPED_TO_HOT_ROW: f64 = 2.0;
pub const MAX_HALF_RATE_P99_MS: f64 = 100.0;
pub const MIN_PLAN_PAGE_TO_BARE: f64 = 0.5;

#[derive(Debug, Clone, Serialize)]
pub struct ShapeSummary {
    pub database: Database,
    pub shape: Shape,
    pub transaction_ceiling_per_sec: f64,
    pub hot_row_ceiling_per_sec: f64,
    pub request_ceiling_per_sec: f64,
    pub http_per_sec: f64,
    /// The headline: HTTP ÷ the request's database work issued directly.
    pub http_to_request_ceiling: f64,
    pub http_to_transaction_ceiling: f64,
    /// Striped transaction ceiling ÷ hot-row transaction ceiling.
    pub striped_to_hot_row: f64,
    pub peak_p50_ms: f64,
    pub peak_p95_ms: f64,
    pub peak_p99_ms: f64,
    pub half_p50_ms: f64,
    pub half_p95_ms: f64,
    pub half_p99_ms: f64,
    /// Over all runs and phases. Every plan has a seat for each of its candidates, so a refusal
    /// for want of seats (`full`) is as wrong as any other error.
    pub errors: usize,
    pub full: usize,
    pub overbooked: u64,
    pub seat_mismatches: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadSummary {
    pub database: Database,
    pub plan_list_per_sec: f64,
    pub plan_page_per_sec: f64,
    pub bare_per_sec: f64,
    pub plan_list_to_bare: f64,
    pub plan_page_to_bare: f64,
    pub errors: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub shapes: Vec<ShapeSummary>,
    pub reads: Vec<ReadSummary>,
}

impl Summary {
    pub fn of(runs: &[Run]) -> Summary {
        let mut databases: Vec<Database> = Vec::new();
        let mut pairs: Vec<(Database, Shape)> = Vec::new();
        for run in runs {
            if !databases.contains(&run.database) {
                databases.push(run.database);
            }
            for s in &run.shapes {
                if !pairs.contains(&(run.database, s.shape)) {
                    pairs.push((run.database, s.shape));
                }
            }
        }
        let shapes = pairs
            .into_iter()
            .map(|(database, shape)| {
                let of: Vec<_> = runs
                    .iter()
                    .filter(|r| r.database == database)
                    .flat_map(|r| r.shapes.iter().filter(|s| s.shape == shape))
                    .collect();
                let m = |f: &dyn Fn(&ShapeRun) -> f64| {
                    median(&of.iter().map(|s| f(s)).collect::<Vec<_>>())
                };
                ShapeSummary {
                    database,
                    shape,
                    transaction_ceiling_per_sec: m(&|s| {
                        s.transaction_ceiling.figures.submissions_per_sec
                    }),
                    hot_row_ceiling_per_sec: m(&|s| s.hot_row_ceiling.submissions_per_sec),
                    request_ceiling_per_sec: m(&|s| s.request_ceiling.figures.submissions_per_sec),
                    http_per_sec: m(&|s| s.peak.figures.submissions_per_sec),
                    // The ratio of each run, then the median: both figures of a ratio come
                    // from the same run, on the same machine at the same moment.
                    http_to_request_ceiling: m(&http_to_request_ceiling),
                    http_to_transaction_ceiling: m(&http_to_transaction_ceiling),
                    striped_to_hot_row: m(&striped_to_hot_row),
                    peak_p50_ms: m(&|s| s.peak.figures.submit_latency.p50_ms),
                    peak_p95_ms: m(&|s| s.peak.figures.submit_latency.p95_ms),
                    peak_p99_ms: m(&|s| s.peak.figures.submit_latency.p99_ms),
                    half_p50_ms: m(&|s| s.half_rate.figures.submit_latency.p50_ms),
                    half_p95_ms: m(&|s| s.half_rate.figures.submit_latency.p95_ms),
                    half_p99_ms: m(&|s| s.half_rate.figures.submit_latency.p99_ms),
                    errors: of
                        .iter()
                        .map(|s| errors_of(s)[..].iter().sum::<usize>())
                        .sum(),
                    full: of
                        .iter()
                        .map(|s| full_of(s)[..].iter().sum::<usize>())
                        .sum(),
                    overbooked: of
                        .iter()
                        .flat_map(|s| seat_checks(s))
                        .map(|c| c.overbooked)
                        .sum(),
                    seat_mismatches: of
                        .iter()
                        .flat_map(|s| seat_checks(s))
                        .map(|c| c.mismatched_plans)
                        .sum(),
                }
            })
            .collect();
        let reads = databases
            .into_iter()
            .map(|database| {
                let of: Vec<_> = runs
                    .iter()
                    .filter(|r| r.database == database)
                    .map(|r| &r.reads)
                    .collect();
                let m = |f: &dyn Fn(&super::reads::ReadFigures) -> f64| {
                    median(&of.iter().map(|r| f(r)).collect::<Vec<_>>())
                };
                ReadSummary {
                    database,
                    plan_list_per_sec: m(&|r| r.plan_list_per_sec),
                    plan_page_per_sec: m(&|r| r.plan_page_per_sec),
                    bare_per_sec: m(&|r| r.bare_per_sec),
                    plan_list_to_bare: m(&|r| r.plan_list_to_bare),
                    plan_page_to_bare: m(&|r| r.plan_page_to_bare),
                    errors: of.iter().map(|r| r.errors).sum(),
                }
            })
            .collect();
        Summary { shapes, reads }
    }
}

fn http_to_request_ceiling(s: &ShapeRun) -> f64 {
    s.peak.figures.submissions_per_sec / s.request_ceiling.figures.submissions_per_sec
}

fn http_to_transaction_ceiling(s: &ShapeRun) -> f64 {
    s.peak.figures.submissions_per_sec / s.transaction_ceiling.figures.submissions_per_sec
}

fn striped_to_hot_row(s: &ShapeRun) -> f64 {
    s.transaction_ceiling.figures.submissions_per_sec / s.hot_row_ceiling.submissions_per_sec
}

/// Errors of the phases in their order: transaction, hot row, request, peak, half rate.
fn errors_of(s: &ShapeRun) -> [usize; 5] {
    [
        s.transaction_ceiling.figures.errors,
        s.hot_row_ceiling.errors,
        s.request_ceiling.figures.errors,
        s.peak.figures.errors,
        s.half_rate.figures.errors,
    ]
}

/// Refusals as full, in the same order.
fn full_of(s: &ShapeRun) -> [usize; 5] {
    [
        s.transaction_ceiling.figures.full,
        s.hot_row_ceiling.full,
        s.request_ceiling.figures.full,
        s.peak.figures.full,
        s.half_rate.figures.full,
    ]
}

/// The seat checks of the phases that count seats (the hot row counts none).
fn seat_checks(s: &ShapeRun) -> [SeatCheck; 4] {
    [
        s.transaction_ceiling.seats,
        s.request_ceiling.seats,
        s.peak.seats,
        s.half_rate.seats,
    ]
}

fn slash(values: &[impl std::fmt::Display]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("/")
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "MISS" }
}

/// The whole report as text.
pub fn render(args: &BenchArgs, summary: &Summary, runs: &[Run]) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "\nskillcert bench — the opening minute: {} candidates per batch, concurrency {}, {} run(s), medians over runs\n",
        args.candidates, args.concurrency, args.runs
    );
    let _ = writeln!(
        w,
        "Submissions per second: txn = the store's submission transaction alone; req = both requests' database work without HTTP;\nHTTP = plan page + submit per candidate over HTTP (latencies of the submit, ms)"
    );
    let _ = writeln!(
        w,
        "{:<9} {:<9} {:>7} {:>7} {:>7} | {:>8} {:>8} | {:>6} {:>6} {:>6} | {:>6} {:>6} {:>6} | {:>6} {:>5} {:>10}",
        "database",
        "shape",
        "txn/s",
        "req/s",
        "HTTP/s",
        "HTTP÷req",
        "HTTP÷txn",
        "peak50",
        "peak95",
        "peak99",
        "half50",
        "half95",
        "half99",
        "errors",
        "full",
        "overbooked"
    );
    for s in &summary.shapes {
        let _ = writeln!(
            w,
            "{:<9} {:<9} {:>7.0} {:>7.0} {:>7.0} | {:>8.2} {:>8.2} | {:>6.1} {:>6.1} {:>6.1} | {:>6.1} {:>6.1} {:>6.1} | {:>6} {:>5} {:>10}",
            s.database.to_string(),
            s.shape.to_string(),
            s.transaction_ceiling_per_sec,
            s.request_ceiling_per_sec,
            s.http_per_sec,
            s.http_to_request_ceiling,
            s.http_to_transaction_ceiling,
            s.peak_p50_ms,
            s.peak_p95_ms,
            s.peak_p99_ms,
            s.half_p50_ms,
            s.half_p95_ms,
            s.half_p99_ms,
            s.errors,
            s.full,
            s.overbooked
        );
    }
    let _ = writeln!(
        w,
        "\nSeats: the submission transaction with striped seats against the seat on the plan's own row (hot row)"
    );
    let _ = writeln!(
        w,
        "{:<9} {:<9} {:>10} {:>10} {:>13}",
        "database", "shape", "striped/s", "hot-row/s", "striped÷hot"
    );
    for s in &summary.shapes {
        let _ = writeln!(
            w,
            "{:<9} {:<9} {:>10.0} {:>10.0} {:>13.2}",
            s.database.to_string(),
            s.shape.to_string(),
            s.transaction_ceiling_per_sec,
            s.hot_row_ceiling_per_sec,
            s.striped_to_hot_row
        );
    }
    let _ = writeln!(
        w,
        "\nRead side (requests/s; ratio to the bare askama handler)"
    );
    let _ = writeln!(
        w,
        "{:<9} {:>9} {:>10} {:>8} {:>11} {:>11} {:>6}",
        "database", "bare/s", "/plans/s", "list÷bare", "plan page/s", "page÷bare", "errors"
    );
    for r in &summary.reads {
        let _ = writeln!(
            w,
            "{:<9} {:>9.0} {:>10.0} {:>8.2} {:>11.0} {:>11.2} {:>6}",
            r.database.to_string(),
            r.bare_per_sec,
            r.plan_list_per_sec,
            r.plan_list_to_bare,
            r.plan_page_per_sec,
            r.plan_page_to_bare,
            r.errors
        );
    }
    let _ = writeln!(
        w,
        "\nEach run (errors and full per phase: txn/hot-row/req/peak/half; overbooked: txn/req/peak/half)"
    );
    for run in runs {
        for s in &run.shapes {
            let _ = writeln!(
                w,
                "  {} run {} {:<9} txn {:.0}/s ({:.2}s)  hot-row {:.0}/s ({:.2}s)  req {:.0}/s ({:.2}s)  HTTP {:.0}/s ({:.2}s)  HTTP÷req {:.2}  HTTP÷txn {:.2}  striped÷hot {:.2}  peak p50/p95/p99 {:.1}/{:.1}/{:.1} ms  half ({:.0}/s offered) {:.1}/{:.1}/{:.1} ms  errors {}  full {}  overbooked {}  seat mismatches {}",
                run.database,
                run.run,
                s.shape.to_string(),
                s.transaction_ceiling.figures.submissions_per_sec,
                s.transaction_ceiling.figures.seconds,
                s.hot_row_ceiling.submissions_per_sec,
                s.hot_row_ceiling.seconds,
                s.request_ceiling.figures.submissions_per_sec,
                s.request_ceiling.figures.seconds,
                s.peak.figures.submissions_per_sec,
                s.peak.figures.seconds,
                http_to_request_ceiling(s),
                http_to_transaction_ceiling(s),
                striped_to_hot_row(s),
                s.peak.figures.submit_latency.p50_ms,
                s.peak.figures.submit_latency.p95_ms,
                s.peak.figures.submit_latency.p99_ms,
                s.half_rate.figures.offered_per_sec.unwrap_or(f64::NAN),
                s.half_rate.figures.submit_latency.p50_ms,
                s.half_rate.figures.submit_latency.p95_ms,
                s.half_rate.figures.submit_latency.p99_ms,
                slash(&errors_of(s)),
                slash(&full_of(s)),
                slash(&seat_checks(s).map(|c| c.overbooked)),
                seat_checks(s)
                    .iter()
                    .map(|c| c.mismatched_plans)
                    .sum::<u64>(),
            );
        }
        let r = &run.reads;
        let _ = writeln!(
            w,
            "  {} run {} reads      bare {:.0}/s  /plans {:.0}/s ({:.2})  plan page {:.0}/s ({:.2})  errors {}",
            run.database,
            run.run,
            r.bare_per_sec,
            r.plan_list_per_sec,
            r.plan_list_to_bare,
            r.plan_page_per_sec,
            r.plan_page_to_bare,
            r.errors
        );
    }
    let _ = writeln!(w, "\nTargets");
    for s in &summary.shapes {
        let who = format!("{} {}", s.database, s.shape);
        let _ = writeln!(
            w,
            "  {} {who}: HTTP/request ceiling {:.2} ≥ {MIN_HTTP_TO_CEILING} (HTTP/transaction ceiling {:.2})",
            verdict(s.http_to_request_ceiling >= MIN_HTTP_TO_CEILING),
            s.http_to_request_ceiling,
            s.http_to_transaction_ceiling
        );
        if s.database == Database::Postgres && s.shape == Shape::OnePlan {
            let _ = writeln!(
                w,
                "  {} {who}: striped seats {:.2} × the hot row ≥ {MIN_STRIPED_TO_HOT_ROW}",
                verdict(s.striped_to_hot_row >= MIN_STRIPED_TO_HOT_ROW),
                s.striped_to_hot_row
            );
        }
        let _ = writeln!(
            w,
            "  {} {who}: 0 errors (errors {}, refused as full {})",
            verdict(s.errors == 0 && s.full == 0),
            s.errors,
            s.full
        );
        let _ = writeln!(
            w,
            "  {} {who}: 0 overbooked (overbooked {}, plans whose seat count disagrees {})",
            verdict(s.overbooked == 0 && s.seat_mismatches == 0),
            s.overbooked,
            s.seat_mismatches
        );
        let _ = writeln!(
            w,
            "  {} {who}: p99 at half rate {:.1} ms < {MAX_HALF_RATE_P99_MS} ms",
            verdict(s.half_p99_ms < MAX_HALF_RATE_P99_MS),
            s.half_p99_ms
        );
    }
    for r in &summary.reads {
        let _ = writeln!(
            w,
            "  {} {}: plan page {:.2} × bare ≥ {MIN_PLAN_PAGE_TO_BARE}",
            verdict(r.plan_page_to_bare >= MIN_PLAN_PAGE_TO_BARE),
            r.database,
            r.plan_page_to_bare
        );
    }
    out
}
