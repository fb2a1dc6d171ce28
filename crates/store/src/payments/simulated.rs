//! The simulated provider's own books: what a real provider would hold about our orders and
//! refunds. Kept in the database so that a demo's QR code still works after a restart. Only
//! the simulated provider (in the `payments` crate) reads and writes these tables.

use chrono::{DateTime, Utc};
use domain::money::Fen;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::entities::{simulated_pay_order as row, simulated_pay_refund as refund_row};
use crate::{Db, StoreError};

/// An order at the simulated provider. `trade_state` is WeChat Pay's word for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOrder {
    pub out_trade_no: String,
    pub description: String,
    pub amount: Fen,
    pub expires_at: DateTime<Utc>,
    /// NOTPAY | SUCCESS | REFUND | CLOSED
    pub trade_state: String,
    pub transaction_id: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub notify_url: String,
}

fn to_order(r: row::Model) -> SimOrder {
    SimOrder {
        out_trade_no: r.out_trade_no,
        description: r.description,
        amount: Fen(r.amount_fen),
        expires_at: r.expires_at,
        trade_state: r.trade_state,
        transaction_id: r.transaction_id,
        paid_at: r.paid_at,
        notify_url: r.notify_url,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRefund {
    pub out_refund_no: String,
    pub out_trade_no: String,
    pub refund_id: String,
    pub amount: Fen,
    /// PROCESSING | SUCCESS
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub succeeded_at: Option<DateTime<Utc>>,
}

fn to_refund(r: refund_row::Model) -> SimRefund {
    SimRefund {
        out_refund_no: r.out_refund_no,
        out_trade_no: r.out_trade_no,
        refund_id: r.refund_id,
        amount: Fen(r.amount_fen),
        status: r.status,
        created_at: r.created_at,
        succeeded_at: r.succeeded_at,
    }
}

/// Creates the order, or returns it unchanged if this number exists (as WeChat Pay answers a
/// repeated create).
pub async fn create(db: &Db, order: SimOrder, now: DateTime<Utc>) -> Result<SimOrder, StoreError> {
    if let Some(found) = get(db, &order.out_trade_no).await? {
        return Ok(found);
    }
    let inserted = row::Entity::insert(row::ActiveModel {
        out_trade_no: Set(order.out_trade_no.clone()),
        description: Set(order.description.clone()),
        amount_fen: Set(order.amount.0),
        expires_at: Set(order.expires_at),
        trade_state: Set("NOTPAY".into()),
        transaction_id: Set(None),
        paid_at: Set(None),
        notify_url: Set(order.notify_url.clone()),
        created_at: Set(now),
    })
    .exec_without_returning(db.writer())
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if crate::error::is_unique_violation(&e) => {}
        Err(e) => return Err(e.into()),
    }
    get(db, &order.out_trade_no)
        .await?
        .ok_or_else(|| StoreError::Corrupt("simulated order vanished".into()))
}

pub async fn get(db: &Db, out_trade_no: &str) -> Result<Option<SimOrder>, StoreError> {
    Ok(row::Entity::find_by_id(out_trade_no.to_owned())
        .one(db.writer())
        .await?
        .map(to_order))
}

/// Pays the order (the candidate confirmed on the simulated page). Only an unpaid order before
/// its expiry can be paid; paying a paid order changes nothing. Returns the order as it is now.
pub async fn pay(
    db: &Db,
    out_trade_no: &str,
    transaction_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<SimOrder>, StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::TradeState, Expr::value("SUCCESS"))
        .col_expr(row::Column::TransactionId, Expr::value(transaction_id))
        .col_expr(row::Column::PaidAt, Expr::value(now))
        .filter(row::Column::OutTradeNo.eq(out_trade_no))
        .filter(row::Column::TradeState.eq("NOTPAY"))
        .filter(row::Column::ExpiresAt.gt(now))
        .exec(db.writer())
        .await?;
    get(db, out_trade_no).await
}

/// What closing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    Closed,
    AlreadyPaid,
    NotFound,
}

pub async fn close(db: &Db, out_trade_no: &str) -> Result<Closed, StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::TradeState, Expr::value("CLOSED"))
        .filter(row::Column::OutTradeNo.eq(out_trade_no))
        .filter(row::Column::TradeState.eq("NOTPAY"))
        .exec(db.writer())
        .await?;
    Ok(match get(db, out_trade_no).await? {
        None => Closed::NotFound,
        Some(o) if o.trade_state == "CLOSED" => Closed::Closed,
        Some(_) => Closed::AlreadyPaid,
    })
}

/// Why the simulated provider refused a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundRefused {
    NoSuchOrder,
    NotPaid,
    /// More than is left of the payment.
    TooMuch,
}

/// Takes a refund (PROCESSING), or returns the one with this number unchanged.
pub async fn refund(
    db: &Db,
    out_refund_no: &str,
    out_trade_no: &str,
    amount: Fen,
    now: DateTime<Utc>,
) -> Result<Result<SimRefund, RefundRefused>, StoreError> {
    let txn = db.writer().begin().await?;
    if let Some(found) = refund_row::Entity::find_by_id(out_refund_no.to_owned())
        .one(&txn)
        .await?
    {
        return Ok(Ok(to_refund(found)));
    }
    let Some(order) = row::Entity::find_by_id(out_trade_no.to_owned())
        .one(&txn)
        .await?
    else {
        return Ok(Err(RefundRefused::NoSuchOrder));
    };
    if !matches!(order.trade_state.as_str(), "SUCCESS" | "REFUND") {
        return Ok(Err(RefundRefused::NotPaid));
    }
    let before: i64 = refund_row::Entity::find()
        .filter(refund_row::Column::OutTradeNo.eq(out_trade_no))
        .all(&txn)
        .await?
        .iter()
        .map(|r| r.amount_fen)
        .sum();
    if before + amount.0 > order.amount_fen || amount.0 <= 0 {
        return Ok(Err(RefundRefused::TooMuch));
    }
    refund_row::Entity::insert(refund_row::ActiveModel {
        out_refund_no: Set(out_refund_no.to_owned()),
        out_trade_no: Set(out_trade_no.to_owned()),
        refund_id: Set(format!("SIMR{}", now.timestamp_micros())),
        amount_fen: Set(amount.0),
        status: Set("PROCESSING".into()),
        created_at: Set(now),
        succeeded_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    row::Entity::update_many()
        .col_expr(row::Column::TradeState, Expr::value("REFUND"))
        .filter(row::Column::OutTradeNo.eq(out_trade_no))
        .exec(&txn)
        .await?;
    let found = refund_row::Entity::find_by_id(out_refund_no.to_owned())
        .one(&txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("simulated refund vanished".into()))?;
    txn.commit().await?;
    Ok(Ok(to_refund(found)))
}

/// The refund as the simulated provider holds it. A refund is paid back the first time it is
/// asked about after being taken, so that the platform's follow-up (PROCESSING, then SUCCESS)
/// runs as it does with a real provider.
pub async fn query_refund(
    db: &Db,
    out_refund_no: &str,
    now: DateTime<Utc>,
) -> Result<Option<SimRefund>, StoreError> {
    refund_row::Entity::update_many()
        .col_expr(refund_row::Column::Status, Expr::value("SUCCESS"))
        .col_expr(refund_row::Column::SucceededAt, Expr::value(now))
        .filter(refund_row::Column::OutRefundNo.eq(out_refund_no))
        .filter(refund_row::Column::Status.eq("PROCESSING"))
        .exec(db.writer())
        .await?;
    Ok(refund_row::Entity::find_by_id(out_refund_no.to_owned())
        .one(db.writer())
        .await?
        .map(to_refund))
}

/// Every payment and every paid-back refund in `[from, to)`: the simulated provider's bill.
pub async fn bill(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(Vec<SimOrder>, Vec<SimRefund>), StoreError> {
    let paid = row::Entity::find()
        .filter(row::Column::PaidAt.gte(from))
        .filter(row::Column::PaidAt.lt(to))
        .order_by_asc(row::Column::PaidAt)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_order)
        .collect();
    let refunds = refund_row::Entity::find()
        .filter(refund_row::Column::Status.eq("SUCCESS"))
        .filter(refund_row::Column::SucceededAt.gte(from))
        .filter(refund_row::Column::SucceededAt.lt(to))
        .order_by_asc(refund_row::Column::SucceededAt)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_refund)
        .collect();
    Ok((paid, refunds))
}
