//! Refunds: recorded here first (已申请) in the transaction that decides them, then asked of the
//! provider by the `payments` crate and followed to a final state. A refund number is asked
//! once and repeated as often as needed, so the money goes back once.

use chrono::{DateTime, Utc};
use domain::applications::state::{Actor, ApplicationEvent};
use domain::money::Fen;
use domain::payments::{
    OrderState, RefundCause, RefundError, RefundState, check_refund, refund_number,
    state_after_refunds,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;

use super::note;
use super::orders::{Order, lock_order, to_order};
use crate::applications::{ChangeError, StatusChange, change_status};
use crate::entities::{application as app_row, payment_order as order_row, payment_refund as row};
use crate::{Db, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    pub id: i64,
    pub order_id: i64,
    pub out_refund_no: String,
    pub amount: Fen,
    pub cause: RefundCause,
    pub reason: String,
    pub state: RefundState,
    pub refund_id: Option<String>,
    pub requested_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub succeeded_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

fn to_refund(r: row::Model) -> Result<Refund, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("refund {} {what}", r.id));
    Ok(Refund {
        cause: RefundCause::parse(&r.cause).ok_or_else(|| corrupt("cause"))?,
        state: RefundState::parse(&r.state).ok_or_else(|| corrupt("state"))?,
        id: r.id,
        order_id: r.order_id,
        out_refund_no: r.out_refund_no,
        amount: Fen(r.amount_fen),
        reason: r.reason,
        refund_id: r.refund_id,
        requested_by: r.requested_by,
        created_at: r.created_at,
        succeeded_at: r.succeeded_at,
        last_error: r.last_error,
    })
}

/// A refund to record.
#[derive(Debug, Clone)]
pub struct RefundAsk {
    pub amount: Fen,
    pub cause: RefundCause,
    pub reason: String,
    pub requested_by: Option<i64>,
}

/// Why a refund was not recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundOutcome {
    NotFound,
    /// The amount, the reason or the order's state does not allow it.
    Rule(RefundError),
    /// The application could not be withdrawn with it (its status moved).
    Application(ChangeError),
}

/// Records a refund (已申请) inside the caller's transaction and marks the order 退款中.
pub(super) async fn insert_in(
    txn: &DatabaseTransaction,
    order: &Order,
    ask: RefundAsk,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Result<Refund, RefundError>, StoreError> {
    let existing = row::Entity::find()
        .filter(row::Column::OrderId.eq(order.id))
        .all(txn)
        .await?
        .into_iter()
        .map(to_refund)
        .collect::<Result<Vec<_>, _>>()?;
    let committed = Fen(existing
        .iter()
        .filter(|r| r.state.commits_money())
        .map(|r| r.amount.0)
        .sum());
    let amount = match check_refund(
        order.state,
        order.amount,
        committed,
        ask.amount,
        &ask.reason,
    ) {
        Ok(amount) => amount,
        Err(e) => return Ok(Err(e)),
    };
    let number = u32::try_from(existing.len() + 1).unwrap_or(u32::MAX);
    let out_refund_no = refund_number(&order.out_trade_no, number);
    let inserted = row::Entity::insert(row::ActiveModel {
        order_id: Set(order.id),
        out_refund_no: Set(out_refund_no.clone()),
        amount_fen: Set(amount.0),
        cause: Set(ask.cause.code().to_owned()),
        reason: Set(ask.reason.trim().to_owned()),
        state: Set(RefundState::Requested.code().to_owned()),
        requested_by: Set(ask.requested_by),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    order_row::Entity::update_many()
        .col_expr(
            order_row::Column::State,
            Expr::value(OrderState::Refunding.code()),
        )
        .col_expr(order_row::Column::UpdatedAt, Expr::value(now))
        .filter(order_row::Column::Id.eq(order.id))
        .exec(txn)
        .await?;
    note(
        txn,
        order.id,
        source,
        "refund_requested",
        json!({
            "out_refund_no": out_refund_no,
            "amount_fen": amount.0,
            "cause": ask.cause.code(),
            "reason": ask.reason.trim(),
        }),
        now,
    )
    .await?;
    let found = row::Entity::find_by_id(inserted.last_insert_id)
        .one(txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("refund vanished after insert".into()))?;
    Ok(Ok(to_refund(found)?))
}

/// Who withdraws the application together with the refund (all of its fee going back).
#[derive(Debug, Clone, Copy)]
pub struct WithdrawWith {
    pub actor: Actor,
    pub account_id: i64,
}

/// Records a refund of an order; with `withdraw`, also withdraws its application (giving the
/// seat back), all in one transaction. `audit_login` writes the audit line for staff.
pub async fn request_refund(
    db: &Db,
    order_id: i64,
    ask: RefundAsk,
    withdraw: Option<WithdrawWith>,
    audit_login: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<Refund, RefundOutcome>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(found) = lock_order(&txn, order_id).await? else {
        return Ok(Err(RefundOutcome::NotFound));
    };
    let order = to_order(found)?;
    let source = if audit_login.is_some() {
        "staff"
    } else {
        "candidate"
    };
    let refund = match insert_in(&txn, &order, ask.clone(), source, now).await? {
        Ok(refund) => refund,
        Err(e) => return Ok(Err(RefundOutcome::Rule(e))),
    };
    if let Some(by) = withdraw {
        let app = app_row::Entity::find_by_id(order.application_id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Corrupt("application vanished".into()))?;
        let changed = change_status(
            &txn,
            &app,
            StatusChange {
                event: ApplicationEvent::Withdraw,
                actor: by.actor,
                actor_account_id: Some(by.account_id),
                kind: "withdrawn",
                detail: json!({
                    "refund": refund.out_refund_no,
                    "amount_fen": refund.amount.0,
                    "reason": refund.reason,
                }),
                also: Vec::new(),
                unchanged_since: None,
            },
            now,
        )
        .await?;
        if let Err(e) = changed {
            return Ok(Err(RefundOutcome::Application(e)));
        }
    }
    if let Some(login) = audit_login {
        crate::audit::record(
            &txn,
            crate::audit::NewEntry {
                actor_account_id: ask.requested_by,
                actor: login,
                action: "payment.refund",
                subject_type: "payment_order",
                subject_id: order.out_trade_no.clone(),
                before: Some(
                    json!({ "state": order.state.code(), "refunded_fen": order.refunded.0 }),
                ),
                after: Some(json!({
                    "out_refund_no": refund.out_refund_no,
                    "amount_fen": refund.amount.0,
                    "reason": refund.reason,
                    "withdraw_application": withdraw.is_some(),
                })),
                client_address: None,
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Ok(refund))
}

/// What the provider said about a refund.
#[derive(Debug, Clone)]
pub struct RefundFacts {
    pub state: RefundState,
    pub refund_id: Option<String>,
    pub succeeded_at: Option<DateTime<Utc>>,
}

/// Moves a refund to what the provider reports (never backwards: `RefundState::may_become`),
/// and the order with it: 已退款 when all of it went back, 已支付 again when part did.
/// `Ok(None)` for an unknown refund number; `Ok(Some(false))` when nothing changed.
pub async fn update_refund(
    db: &Db,
    out_refund_no: &str,
    facts: &RefundFacts,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Option<bool>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(found) = row::Entity::find()
        .filter(row::Column::OutRefundNo.eq(out_refund_no))
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let refund = to_refund(found)?;
    if !refund.state.may_become(facts.state) {
        return Ok(Some(false));
    }
    let Some(order_found) = lock_order(&txn, refund.order_id).await? else {
        return Err(StoreError::Corrupt(format!(
            "refund {out_refund_no}: no order"
        )));
    };
    let updated = row::Entity::update_many()
        .col_expr(row::Column::State, Expr::value(facts.state.code()))
        .col_expr(
            row::Column::RefundId,
            Expr::value(facts.refund_id.clone().or(refund.refund_id.clone())),
        )
        .col_expr(
            row::Column::SucceededAt,
            Expr::value(if facts.state == RefundState::Succeeded {
                facts.succeeded_at.or(Some(now))
            } else {
                None
            }),
        )
        .col_expr(row::Column::LastError, Expr::value(Option::<String>::None))
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(refund.id))
        .filter(row::Column::State.eq(refund.state.code()))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(Some(false));
    }
    let all = row::Entity::find()
        .filter(row::Column::OrderId.eq(refund.order_id))
        .all(&txn)
        .await?
        .into_iter()
        .map(to_refund)
        .collect::<Result<Vec<_>, _>>()?;
    let refunded = Fen(all
        .iter()
        .filter(|r| r.state == RefundState::Succeeded)
        .map(|r| r.amount.0)
        .sum());
    let in_flight = all.iter().any(|r| r.state.in_flight());
    let order = to_order(order_found)?;
    let state = state_after_refunds(order.amount, refunded, in_flight);
    order_row::Entity::update_many()
        .col_expr(order_row::Column::State, Expr::value(state.code()))
        .col_expr(order_row::Column::RefundedFen, Expr::value(refunded.0))
        .col_expr(order_row::Column::UpdatedAt, Expr::value(now))
        .filter(order_row::Column::Id.eq(order.id))
        .exec(&txn)
        .await?;
    if facts.state == RefundState::Succeeded {
        let body = format!(
            "您的{}（{}）{} 已原路退回，请留意到账（微信零钱通常即时到账，银行卡 1–3 个工作日）。",
            refund.cause.label(),
            order.out_trade_no,
            refund.amount
        );
        crate::notifications::notify_refund_succeeded(
            &txn,
            order.account_id,
            order.application_id,
            &body,
            now,
        )
        .await?;
    }
    note(
        &txn,
        order.id,
        source,
        "refund_updated",
        json!({
            "out_refund_no": out_refund_no,
            "state": facts.state.code(),
            "refund_id": facts.refund_id,
        }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Some(true))
}

/// Refunds still moving, oldest first, with their orders: the sweep asks or re-asks the
/// provider about each.
pub async fn refunds_in_flight(db: &Db, limit: u64) -> Result<Vec<(Refund, Order)>, StoreError> {
    let rows = row::Entity::find()
        .filter(row::Column::State.is_in([
            RefundState::Requested.code(),
            RefundState::Processing.code(),
        ]))
        .order_by_asc(row::Column::Id)
        .limit(limit)
        .all(db.writer())
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let order = order_row::Entity::find_by_id(r.order_id)
            .one(db.writer())
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("refund {}: no order", r.id)))?;
        out.push((to_refund(r)?, to_order(order)?));
    }
    Ok(out)
}

/// Keeps the provider's last refusal on the refund, for staff (the sweep tries again).
pub async fn refund_attempt_failed(
    db: &Db,
    id: i64,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::LastError, Expr::value(error))
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .exec(db.writer())
        .await?;
    Ok(())
}

/// The refunds of these orders, oldest first.
pub async fn refunds_of(db: &Db, order_ids: &[i64]) -> Result<Vec<Refund>, StoreError> {
    if order_ids.is_empty() {
        return Ok(Vec::new());
    }
    row::Entity::find()
        .filter(row::Column::OrderId.is_in(order_ids.iter().copied()))
        .order_by_asc(row::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_refund)
        .collect()
}

/// How many refunds are under way in all (for the console).
pub async fn in_flight_count(db: &Db) -> Result<u64, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::State.is_in([
            RefundState::Requested.code(),
            RefundState::Processing.code(),
        ]))
        .count(db.reader())
        .await?)
}
