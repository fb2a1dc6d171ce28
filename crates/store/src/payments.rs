//! Payments as stored: orders (one per payment attempt), refunds, the trail of what the provider
//! said (`payment_events`), payment deadlines, daily reconciliation reports, and the simulated
//! provider's own books.
//!
//! Every change of money state is one transaction that also moves the application (缴费成功,
//! 已撤回 with its seat given back) and writes the trail, so our books and the application's
//! status never disagree. Changes are conditional on the state they start from, so the same
//! fact arriving twice (a callback repeated, a query racing the callback) changes state once.
//! The provider is called by the `payments` crate, never inside a transaction here.

mod deadlines;
mod orders;
mod reconciliation;
mod refunds;
pub mod simulated;

pub use deadlines::{DeadlineError, expire_application, extend_deadline, overdue_applications};
pub use orders::{
    Applied, Context, ListFilter, NewOrder, OfflinePayment, OpenError, Order, OrderList, PAGE_SIZE,
    PaymentFacts, application_orders, apply_payment, by_number, closed_to_recheck, context, get,
    insert_open_order, list, mark_checked, mark_closed, note_check_requested, open_order_of,
    orders_to_check, record_offline, set_code_url,
};
pub use reconciliation::{Reconciliation, entries_for_day, reconciliations, save_reconciliation};
pub use refunds::{
    Refund, RefundAsk, RefundFacts, RefundOutcome, WithdrawWith, in_flight_count,
    refund_attempt_failed, refunds_in_flight, refunds_of, request_refund, update_refund,
};

use chrono::{DateTime, Utc};
use sea_orm::ColumnTrait;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value;

use crate::StoreError;
use crate::entities::payment_event as event_row;

/// One line of an order's trail.
#[derive(Debug, Clone)]
pub struct PaymentEvent {
    pub at: DateTime<Utc>,
    /// callback | query | candidate | staff | sweep
    pub source: String,
    pub kind: String,
    pub detail: Value,
}

pub(crate) async fn note<C: ConnectionTrait>(
    conn: &C,
    order_id: i64,
    source: &str,
    kind: &str,
    detail: Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    event_row::Entity::insert(event_row::ActiveModel {
        order_id: Set(order_id),
        at: Set(now),
        source: Set(source.to_owned()),
        kind: Set(kind.to_owned()),
        detail: Set(detail.to_string()),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// An order's trail, oldest first.
pub async fn events(db: &crate::Db, order_id: i64) -> Result<Vec<PaymentEvent>, StoreError> {
    let rows = event_row::Entity::find()
        .filter(event_row::Column::OrderId.eq(order_id))
        .order_by_asc(event_row::Column::Id)
        .all(db.reader())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| PaymentEvent {
            at: r.at,
            source: r.source,
            kind: r.kind,
            detail: serde_json::from_str(&r.detail).unwrap_or(Value::Null),
        })
        .collect())
}
