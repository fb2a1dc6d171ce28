//! Daily reconciliation: our payments and refunds of a day, and the saved reports comparing
//! them with the provider's bill.

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::Fen;
use domain::payments::{Entry, RefundState};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use crate::entities::{
    payment_order as order_row, payment_reconciliation as row, payment_refund as refund_row,
};
use crate::{Db, StoreError};

/// Our payments (money taken, by payment time) and succeeded refunds (by success time) through
/// `provider` in `[from, to)`.
pub async fn entries_for_day(
    db: &Db,
    provider: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Entry>, StoreError> {
    let orders = order_row::Entity::find()
        .filter(order_row::Column::Provider.eq(provider))
        .filter(order_row::Column::PaidAt.gte(from))
        .filter(order_row::Column::PaidAt.lt(to))
        .all(db.reader())
        .await?;
    let mut entries: Vec<Entry> = orders
        .iter()
        .map(|o| Entry::Payment {
            out_trade_no: o.out_trade_no.clone(),
            amount: Fen(o.amount_fen),
        })
        .collect();
    let refunds = refund_row::Entity::find()
        .filter(refund_row::Column::State.eq(RefundState::Succeeded.code()))
        .filter(refund_row::Column::SucceededAt.gte(from))
        .filter(refund_row::Column::SucceededAt.lt(to))
        .all(db.reader())
        .await?;
    for r in refunds {
        let provider_of = order_row::Entity::find_by_id(r.order_id)
            .one(db.reader())
            .await?
            .map(|o| o.provider);
        if provider_of.as_deref() == Some(provider) {
            entries.push(Entry::Refund {
                out_refund_no: r.out_refund_no,
                amount: Fen(r.amount_fen),
            });
        }
    }
    Ok(entries)
}

#[derive(Debug, Clone)]
pub struct Reconciliation {
    pub id: i64,
    pub provider: String,
    pub bill_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// balanced | differences | failed
    pub outcome: String,
    pub report: serde_json::Value,
}

pub async fn save_reconciliation(
    db: &Db,
    provider: &str,
    bill_date: NaiveDate,
    outcome: &str,
    report: &serde_json::Value,
    requested_by: Option<(i64, &str)>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let txn = db.writer().begin().await?;
    let inserted = row::Entity::insert(row::ActiveModel {
        provider: Set(provider.to_owned()),
        bill_date: Set(bill_date),
        created_at: Set(now),
        outcome: Set(outcome.to_owned()),
        report: Set(report.to_string()),
        requested_by: Set(requested_by.map(|(id, _)| id)),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    // A reconciliation staff ask for is audited with its outcome; the daily one is the system's.
    if let Some((account_id, login)) = requested_by {
        crate::audit::record(
            &txn,
            crate::audit::NewEntry {
                actor_account_id: Some(account_id),
                actor: login,
                action: "payment.reconcile",
                subject_type: "payment_reconciliation",
                subject_id: inserted.last_insert_id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "provider": provider,
                    "bill_date": bill_date,
                    "outcome": outcome,
                })),
                client_address: None,
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(inserted.last_insert_id)
}

/// Saved reports, newest first; `bill_date` narrows to one day.
pub async fn reconciliations(
    db: &Db,
    bill_date: Option<NaiveDate>,
    limit: u64,
) -> Result<Vec<Reconciliation>, StoreError> {
    let mut query = row::Entity::find();
    if let Some(day) = bill_date {
        query = query.filter(row::Column::BillDate.eq(day));
    }
    Ok(query
        .order_by_desc(row::Column::Id)
        .limit(limit)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|r| Reconciliation {
            id: r.id,
            provider: r.provider,
            bill_date: r.bill_date,
            created_at: r.created_at,
            outcome: r.outcome,
            report: serde_json::from_str(&r.report).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}
