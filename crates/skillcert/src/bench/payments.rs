//! The payment bench (`skillcert bench --payments`): N approved applications pay at once
//! through the simulated provider, and the provider's callbacks arrive three times each, in a
//! shuffled order, from C tasks at once (as WeChat Pay repeats an unanswered callback).
//!
//! Measured: orders opened per second; callbacks taken per second and payments recorded per
//! second while they race; and, as the ceiling in the same run, the one conditional update each
//! recorded payment is built around (`UPDATE payment_orders … WHERE id = ? AND state = …`),
//! alone, from the same C tasks. Checked: exactly N payments recorded, none twice.

use chrono::Utc;
use rand::seq::SliceRandom;
use sea_orm::{ConnectionTrait, Statement};
use serde::Serialize;

use super::app::BenchApp;
use super::prepare::{create_plans, ready_candidates};
use super::tasks::{Attempt, drive};

#[derive(Debug, Clone, Serialize)]
pub struct PaymentFigures {
    pub applications: usize,
    pub orders_per_sec: f64,
    pub callbacks_per_sec: f64,
    pub payments_per_sec: f64,
    /// The bare conditional update, per second.
    pub ceiling_per_sec: f64,
    /// payments per second ÷ ceiling.
    pub ratio: f64,
    /// Payments on the applications' timelines (must be N).
    pub recorded: i64,
    /// Orders recorded as paid (must be N: none twice).
    pub paid_orders: i64,
    pub errors: usize,
}

async fn scalar(db: &store::Db, sql: &str) -> anyhow::Result<i64> {
    let conn = db.writer();
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            sql.to_owned(),
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row"))?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

pub async fn measure(
    app: &BenchApp,
    applications: usize,
    concurrency: usize,
) -> anyhow::Result<PaymentFigures> {
    let state = &app.state;
    let db = &state.db;
    let plans = create_plans(db, 1, u32::try_from(applications)?).await?;
    let candidates = ready_candidates(
        db,
        &state.pii,
        state.files.as_ref(),
        &plans,
        1,
        applications,
    )
    .await?;
    let reviewer_id = store::accounts::create_staff(
        db,
        "benchreviewer",
        "审核员",
        &[domain::accounts::StaffRole::Reviewer],
        "not used".into(),
        Utc::now(),
    )
    .await?
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let reviewer = store::review::Reviewer {
        account_id: reviewer_id,
        name: "审核员".into(),
        login: "benchreviewer".into(),
        client_address: None,
    };
    let mut ids = Vec::with_capacity(candidates.len());
    for c in &candidates {
        let draft = store::applications::get_owned(db, c.application_id, c.account_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("application vanished"))?;
        let submitted = store::applications::submit(db, &draft, true, false, Utc::now())
            .await?
            .map_err(|e| anyhow::anyhow!("submit: {e:?}"))?;
        store::review::decide(
            db,
            submitted.id,
            &reviewer,
            submitted.updated_at,
            &store::review::Decision::Approve,
            Utc::now(),
        )
        .await?
        .map_err(|e| anyhow::anyhow!("approve: {e:?}"))?;
        ids.push(submitted.id);
    }

    // 1. Every candidate opens the pay page at once.
    let payments = state.payments.clone();
    let origin = app.base.clone();
    let opened = {
        let payments = payments.clone();
        drive("open orders", ids.clone(), concurrency, move |id| {
            let (payments, origin) = (payments.clone(), origin.clone());
            async move {
                match payments.open_order(id, &origin, Utc::now()).await {
                    Ok(_) => Attempt::Submitted,
                    Err(e) => Attempt::Error(e.to_string()),
                }
            }
        })
        .await
    };

    // 2. Everyone pays; the provider's callbacks are made (not yet delivered).
    let simulated = payments
        .simulated_provider()
        .ok_or_else(|| anyhow::anyhow!("the bench runs on the simulated provider"))?;
    let mut callbacks = Vec::with_capacity(ids.len() * 3);
    for id in &ids {
        let order = store::payments::open_order_of(db, *id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("application {id} has no open order"))?;
        let callback = simulated
            .confirm(&order.out_trade_no, Utc::now())
            .await?
            .ok_or_else(|| anyhow::anyhow!("order {} not payable", order.out_trade_no))?;
        for _ in 0..3 {
            callbacks.push(callback.clone());
        }
    }
    callbacks.shuffle(&mut rand::rng());

    // 3. The callbacks arrive, three of each, racing.
    let storm = {
        let payments = payments.clone();
        drive("callbacks", callbacks, concurrency, move |callback| {
            let payments = payments.clone();
            async move {
                match payments.receive(&callback, Utc::now()).await {
                    Ok(()) => Attempt::Submitted,
                    Err(e) => Attempt::Error(e.to_string()),
                }
            }
        })
        .await
    };
    let recorded = scalar(
        db,
        "SELECT COUNT(*) FROM application_events WHERE kind = 'paid'",
    )
    .await?;
    let paid_orders = scalar(
        db,
        "SELECT COUNT(*) FROM payment_orders WHERE state = 'paid'",
    )
    .await?;

    // 4. The ceiling: the conditional update alone, once per order.
    let order_ids: Vec<i64> = {
        let mut out = Vec::new();
        for id in &ids {
            for o in store::payments::application_orders(db, *id).await? {
                out.push(o.id);
            }
        }
        out
    };
    let ceiling = {
        let db = db.clone();
        drive("ceiling", order_ids, concurrency, move |order_id| {
            let db = db.clone();
            async move {
                let conn = db.writer();
                let backend = conn.get_database_backend();
                let sql = if backend == sea_orm::DatabaseBackend::Sqlite {
                    "UPDATE payment_orders SET updated_at = ? WHERE id = ? AND state = 'paid'"
                } else {
                    "UPDATE payment_orders SET updated_at = $1 WHERE id = $2 AND state = 'paid'"
                };
                let statement = Statement::from_sql_and_values(
                    backend,
                    sql,
                    [Utc::now().into(), order_id.into()],
                );
                match conn.execute_raw(statement).await {
                    Ok(_) => Attempt::Submitted,
                    Err(e) => Attempt::Error(e.to_string()),
                }
            }
        })
        .await
    };
    let payments_per_sec = applications as f64 / storm.seconds.max(f64::EPSILON);
    Ok(PaymentFigures {
        applications,
        orders_per_sec: opened.submissions_per_sec,
        callbacks_per_sec: storm.submissions_per_sec,
        payments_per_sec,
        ceiling_per_sec: ceiling.submissions_per_sec,
        ratio: payments_per_sec / ceiling.submissions_per_sec.max(f64::EPSILON),
        recorded,
        paid_orders,
        errors: opened.errors + storm.errors + ceiling.errors,
    })
}
