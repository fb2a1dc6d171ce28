//! Orders: opening one per payment attempt, recording the money the provider confirms (once),
//! closing, and offline payments recorded by staff.

use chrono::{DateTime, Duration, Utc};
use domain::applications::state::{Actor, ApplicationEvent, ApplicationStatus};
use domain::money::Fen;
use domain::payments::{
    Disposition, OfflineMethod, OrderState, QUERY_AFTER_MINUTES, RefundCause, disposition,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;

use super::note;
use crate::applications::{ChangeError, StatusChange, change_status, status_of};
use crate::entities::{application as app_row, payment_order as row, plan as plan_row};
use crate::error::is_unique_violation;
use crate::{Db, StoreError};

/// One payment attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub application_id: i64,
    pub account_id: i64,
    pub plan_id: i64,
    pub out_trade_no: String,
    /// simulated | wechat | offline | free
    pub provider: String,
    pub amount: Fen,
    pub state: OrderState,
    /// The QR code's text, once the provider gave it.
    pub code_url: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub transaction_id: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// What refunds that succeeded gave back.
    pub refunded: Fen,
    pub check_requested_at: Option<DateTime<Utc>>,
    pub last_checked_at: Option<DateTime<Utc>>,
    pub offline_method: Option<OfflineMethod>,
    pub offline_reference: Option<String>,
    pub offline_note: Option<String>,
}

pub(super) fn to_order(r: row::Model) -> Result<Order, StoreError> {
    Ok(Order {
        state: OrderState::parse(&r.state)
            .ok_or_else(|| StoreError::Corrupt(format!("order {} state {}", r.id, r.state)))?,
        offline_method: r.offline_method.as_deref().and_then(OfflineMethod::parse),
        id: r.id,
        application_id: r.application_id,
        account_id: r.account_id,
        plan_id: r.plan_id,
        out_trade_no: r.out_trade_no,
        provider: r.provider,
        amount: Fen(r.amount_fen),
        code_url: r.code_url,
        expires_at: r.expires_at,
        created_at: r.created_at,
        paid_at: r.paid_at,
        transaction_id: r.transaction_id,
        closed_at: r.closed_at,
        refunded: Fen(r.refunded_fen),
        check_requested_at: r.check_requested_at,
        last_checked_at: r.last_checked_at,
        offline_reference: r.offline_reference,
        offline_note: r.offline_note,
    })
}

/// What paying an application involves: its status, the fee, the deadline, the exam's start,
/// and every order so far (newest first).
#[derive(Debug, Clone)]
pub struct Context {
    pub application_id: i64,
    pub account_id: i64,
    pub plan_id: i64,
    pub plan_name: String,
    pub status: ApplicationStatus,
    pub fee: Fen,
    pub due_at: Option<DateTime<Utc>>,
    pub exam_starts_at: DateTime<Utc>,
    pub orders: Vec<Order>,
}

impl Context {
    /// The order waiting for payment, if any.
    pub fn open_order(&self) -> Option<&Order> {
        self.orders.iter().find(|o| o.state == OrderState::Pending)
    }

    /// The order holding the application's payment (paid, or being refunded).
    pub fn paid_order(&self) -> Option<&Order> {
        self.orders.iter().find(|o| o.state.money_taken())
    }
}

pub async fn context(db: &Db, application_id: i64) -> Result<Option<Context>, StoreError> {
    context_in(db.writer(), application_id).await
}

async fn context_in<C: ConnectionTrait>(
    conn: &C,
    application_id: i64,
) -> Result<Option<Context>, StoreError> {
    let Some(app) = app_row::Entity::find_by_id(application_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let plan = plan_row::Entity::find_by_id(app.plan_id)
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("plan {} vanished", app.plan_id)))?;
    let orders = row::Entity::find()
        .filter(row::Column::ApplicationId.eq(application_id))
        .order_by_desc(row::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(to_order)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Context {
        application_id,
        account_id: app.account_id,
        plan_id: app.plan_id,
        plan_name: plan.name,
        status: status_of(&app.status)?,
        fee: Fen(plan.fee_fen),
        due_at: app.payment_due_at,
        exam_starts_at: plan.exam_starts_at,
        orders,
    }))
}

/// Why no order could be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    NotFound,
    /// The application is not waiting for payment.
    NotPayable(ApplicationStatus),
    /// The payment deadline has passed.
    PastDeadline,
    /// Another order is open (another request opened it at the same moment, or an offline
    /// payment was asked while the candidate's QR code can still be paid).
    AlreadyOpen(Box<Order>),
}

pub struct NewOrder<'a> {
    pub application_id: i64,
    pub out_trade_no: String,
    pub provider: &'a str,
    pub amount: Fen,
    pub expires_at: DateTime<Utc>,
}

/// Opens a pending order, if the application is waiting for payment and has no open order (the
/// partial unique index makes two racing requests open one).
pub async fn insert_open_order(
    db: &Db,
    new: NewOrder<'_>,
    now: DateTime<Utc>,
) -> Result<Result<Order, OpenError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(ctx) = context_in(&txn, new.application_id).await? else {
        return Ok(Err(OpenError::NotFound));
    };
    if ctx.status != ApplicationStatus::Approved {
        return Ok(Err(OpenError::NotPayable(ctx.status)));
    }
    if ctx.due_at.is_some_and(|due| due <= now) {
        return Ok(Err(OpenError::PastDeadline));
    }
    if let Some(open) = ctx.open_order() {
        return Ok(Err(OpenError::AlreadyOpen(Box::new(open.clone()))));
    }
    let inserted = row::Entity::insert(row::ActiveModel {
        application_id: Set(ctx.application_id),
        account_id: Set(ctx.account_id),
        plan_id: Set(ctx.plan_id),
        out_trade_no: Set(new.out_trade_no.clone()),
        provider: Set(new.provider.to_owned()),
        amount_fen: Set(new.amount.0),
        state: Set(OrderState::Pending.code().to_owned()),
        expires_at: Set(new.expires_at),
        created_at: Set(now),
        updated_at: Set(now),
        refunded_fen: Set(0),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    let id = match inserted {
        Ok(done) => done.last_insert_id,
        Err(e) if is_unique_violation(&e) => {
            drop(txn);
            return Ok(match open_order_of(db, new.application_id).await? {
                Some(open) => Err(OpenError::AlreadyOpen(Box::new(open))),
                // The number itself collided (a random tail repeated): the caller tries again.
                None => Err(OpenError::NotPayable(ApplicationStatus::Approved)),
            });
        }
        Err(e) => return Err(e.into()),
    };
    note(
        &txn,
        id,
        "candidate",
        "created",
        json!({ "amount_fen": new.amount.0, "expires_at": new.expires_at }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(get(db, id).await?.ok_or_else(|| {
        StoreError::Corrupt(format!("order {id} vanished after insert"))
    })?))
}

pub async fn set_code_url(db: &Db, id: i64, code_url: &str) -> Result<(), StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::CodeUrl, Expr::value(code_url))
        .filter(row::Column::Id.eq(id))
        .exec(db.writer())
        .await?;
    Ok(())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Order>, StoreError> {
    row::Entity::find_by_id(id)
        .one(db.writer())
        .await?
        .map(to_order)
        .transpose()
}

pub async fn by_number(db: &Db, out_trade_no: &str) -> Result<Option<Order>, StoreError> {
    row::Entity::find()
        .filter(row::Column::OutTradeNo.eq(out_trade_no))
        .one(db.writer())
        .await?
        .map(to_order)
        .transpose()
}

pub async fn open_order_of(db: &Db, application_id: i64) -> Result<Option<Order>, StoreError> {
    row::Entity::find()
        .filter(row::Column::ApplicationId.eq(application_id))
        .filter(row::Column::State.eq(OrderState::Pending.code()))
        .one(db.writer())
        .await?
        .map(to_order)
        .transpose()
}

pub async fn application_orders(db: &Db, application_id: i64) -> Result<Vec<Order>, StoreError> {
    row::Entity::find()
        .filter(row::Column::ApplicationId.eq(application_id))
        .order_by_desc(row::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_order)
        .collect()
}

/// Closes an open order here, after the provider closed it (or never knew it). `false` when
/// it was no longer open (paid meanwhile, or closed by another worker).
pub async fn mark_closed(
    db: &Db,
    id: i64,
    source: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let txn = db.writer().begin().await?;
    let updated = row::Entity::update_many()
        .col_expr(row::Column::State, Expr::value(OrderState::Closed.code()))
        .col_expr(row::Column::ClosedAt, Expr::value(now))
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::State.eq(OrderState::Pending.code()))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 1 {
        note(&txn, id, source, "closed", json!({}), now).await?;
    }
    txn.commit().await?;
    Ok(updated.rows_affected == 1)
}

/// The candidate pressed 我已支付，刷新状态: the sweep asks the provider about this order first.
pub async fn note_check_requested(db: &Db, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::CheckRequestedAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .exec(db.writer())
        .await?;
    Ok(())
}

/// The provider was asked about the order at `now` (and any candidate's request is answered).
pub async fn mark_checked(db: &Db, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::LastCheckedAt, Expr::value(now))
        .col_expr(
            row::Column::CheckRequestedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(row::Column::Id.eq(id))
        .exec(db.writer())
        .await?;
    Ok(())
}

/// Open orders to ask the provider about: any the candidate says they paid, any past its
/// expiry (to close it), and any older than [`QUERY_AFTER_MINUTES`] not asked about in the
/// last minute (a lost callback).
pub async fn orders_to_check(
    db: &Db,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Order>, StoreError> {
    let stale = now - Duration::minutes(QUERY_AFTER_MINUTES);
    let recently = now - Duration::minutes(1);
    row::Entity::find()
        .filter(row::Column::State.eq(OrderState::Pending.code()))
        .filter(row::Column::Provider.is_in(["simulated", "wechat"]))
        .filter(
            Condition::any()
                .add(row::Column::CheckRequestedAt.is_not_null())
                .add(row::Column::ExpiresAt.lte(now))
                .add(
                    Condition::all().add(row::Column::CreatedAt.lte(stale)).add(
                        Condition::any()
                            .add(row::Column::LastCheckedAt.is_null())
                            .add(row::Column::LastCheckedAt.lte(recently)),
                    ),
                ),
        )
        .order_by_asc(row::Column::Id)
        .limit(limit)
        .all(db.writer())
        .await?
        .into_iter()
        .map(to_order)
        .collect()
}

/// Orders closed here in the last day that the provider has not been asked about since: one
/// more query each, because a payment completing at the instant of closing can be confirmed by
/// the provider just after it answered the close (WeChat Pay advises the same).
pub async fn closed_to_recheck(
    db: &Db,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Order>, StoreError> {
    row::Entity::find()
        .filter(row::Column::State.eq(OrderState::Closed.code()))
        .filter(row::Column::Provider.is_in(["simulated", "wechat"]))
        .filter(row::Column::ClosedAt.gte(now - Duration::days(1)))
        .filter(
            Condition::any()
                .add(row::Column::LastCheckedAt.is_null())
                .add(Expr::col(row::Column::LastCheckedAt).lte(Expr::col(row::Column::ClosedAt))),
        )
        .order_by_asc(row::Column::Id)
        .limit(limit)
        .all(db.writer())
        .await?
        .into_iter()
        .map(to_order)
        .collect()
}

/// Money the provider confirmed for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFacts {
    pub transaction_id: String,
    pub amount: Fen,
    pub paid_at: DateTime<Utc>,
}

/// What recording confirmed money did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// No order of ours has this number.
    UnknownOrder,
    /// The provider's amount is not the order's: nothing changed; the trail has it and staff
    /// must look (the daily report lists it too).
    AmountMismatch { ours: Fen, theirs: Fen },
    /// The application is now 缴费成功.
    Confirmed(Order),
    /// Already recorded before: nothing changed.
    AlreadyRecorded(Order),
    /// Recorded, and a full refund started: the application could not take it.
    RecordedAndRefunding(Order),
}

/// Records confirmed money for `out_trade_no` once, whatever order the facts arrive in
/// (`domain::payments::disposition`): in one transaction the order becomes 已支付, the
/// application 缴费成功 (or, if it cannot take it, a full refund is started), and the trail
/// gets the line. A race with another writer (a repeated callback, the expiry sweep) is
/// retried from a fresh read, so the loser sees the winner's result.
pub async fn apply_payment(
    db: &Db,
    out_trade_no: &str,
    facts: &PaymentFacts,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Applied, StoreError> {
    for _ in 0..5 {
        if let Some(applied) = try_apply(db, out_trade_no, facts, source, now).await? {
            return Ok(applied);
        }
    }
    Err(StoreError::Corrupt(format!(
        "order {out_trade_no}: the payment could not be recorded after 5 attempts"
    )))
}

async fn try_apply(
    db: &Db,
    out_trade_no: &str,
    facts: &PaymentFacts,
    source: &str,
    now: DateTime<Utc>,
) -> Result<Option<Applied>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(found) = row::Entity::find()
        .filter(row::Column::OutTradeNo.eq(out_trade_no))
        .one(&txn)
        .await?
    else {
        return Ok(Some(Applied::UnknownOrder));
    };
    let order = to_order(found.clone())?;
    if facts.amount != order.amount {
        note(
            &txn,
            order.id,
            source,
            "amount_mismatch",
            json!({
                "ours_fen": order.amount.0,
                "theirs_fen": facts.amount.0,
                "transaction_id": facts.transaction_id,
            }),
            now,
        )
        .await?;
        txn.commit().await?;
        return Ok(Some(Applied::AmountMismatch {
            ours: order.amount,
            theirs: facts.amount,
        }));
    }
    let app = app_row::Entity::find_by_id(order.application_id)
        .one(&txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("application {} vanished", order.id)))?;
    let status = status_of(&app.status)?;
    let paid_by_another = row::Entity::find()
        .filter(row::Column::ApplicationId.eq(order.application_id))
        .filter(row::Column::Id.ne(order.id))
        .filter(row::Column::State.is_in([OrderState::Paid.code(), OrderState::Refunding.code()]))
        .count(&txn)
        .await?
        > 0;
    let decided = disposition(order.state, status, paid_by_another);
    if decided == Disposition::AlreadyRecorded {
        drop(txn);
        return Ok(Some(Applied::AlreadyRecorded(order)));
    }
    // The order takes the money first, conditional on the state we read.
    let updated = row::Entity::update_many()
        .col_expr(row::Column::State, Expr::value(OrderState::Paid.code()))
        .col_expr(row::Column::PaidAt, Expr::value(facts.paid_at))
        .col_expr(
            row::Column::TransactionId,
            Expr::value(facts.transaction_id.clone()),
        )
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(order.id))
        .filter(row::Column::State.eq(order.state.code()))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(None);
    }
    let detail = json!({
        "transaction_id": facts.transaction_id,
        "amount_fen": facts.amount.0,
        "paid_at": facts.paid_at,
        "was": order.state.code(),
    });
    match decided {
        Disposition::Confirm => {
            let changed = change_status(
                &txn,
                &app,
                StatusChange {
                    event: ApplicationEvent::ConfirmPayment,
                    actor: Actor::System,
                    actor_account_id: None,
                    kind: "paid",
                    detail: json!({
                        "out_trade_no": order.out_trade_no,
                        "amount_fen": order.amount.0,
                    }),
                    also: Vec::new(),
                    unchanged_since: None,
                },
                now,
            )
            .await?;
            match changed {
                Ok(_) => {}
                // The application moved meanwhile (expired by the sweep at this instant):
                // start again, and this time the money is refunded.
                Err(ChangeError::Conflict) => return Ok(None),
                Err(e) => {
                    return Err(StoreError::Corrupt(format!(
                        "order {out_trade_no}: confirming the payment failed: {e:?}"
                    )));
                }
            }
            note(&txn, order.id, source, "paid", detail, now).await?;
            txn.commit().await?;
            Ok(Some(Applied::Confirmed(reloaded(db, order.id).await?)))
        }
        Disposition::RecordAndRefund => {
            note(&txn, order.id, source, "paid_unwanted", detail, now).await?;
            let cause = if paid_by_another {
                RefundCause::Duplicate
            } else {
                RefundCause::Late
            };
            let mut paid = order.clone();
            paid.state = OrderState::Paid;
            super::refunds::insert_in(
                &txn,
                &paid,
                super::RefundAsk {
                    amount: order.amount,
                    cause,
                    reason: cause.label().to_owned(),
                    requested_by: None,
                },
                "sweep",
                now,
            )
            .await?
            .map_err(|e| {
                StoreError::Corrupt(format!("order {out_trade_no}: automatic refund: {e}"))
            })?;
            txn.commit().await?;
            Ok(Some(Applied::RecordedAndRefunding(
                reloaded(db, order.id).await?,
            )))
        }
        Disposition::AlreadyRecorded => unreachable!("returned above"),
    }
}

async fn reloaded(db: &Db, id: i64) -> Result<Order, StoreError> {
    get(db, id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("order {id} vanished")))
}

/// A payment staff record by hand: made offline, or nothing to pay (a plan without a fee).
#[derive(Debug, Clone)]
pub struct OfflinePayment {
    pub application_id: i64,
    /// `None` for a plan without a fee (nothing was paid).
    pub method: Option<OfflineMethod>,
    pub reference: String,
    pub note: String,
    /// The administrator recording it (`None`: the system, for a free plan).
    pub staff: Option<(i64, String)>,
    pub out_trade_no: String,
}

/// Records a payment made offline (or a free plan's nothing), confirming the application as
/// 缴费成功, with an audit line when staff recorded it. Refused while an online order is open:
/// the caller closes it at the provider first, so the candidate cannot pay twice.
pub async fn record_offline(
    db: &Db,
    payment: &OfflinePayment,
    now: DateTime<Utc>,
) -> Result<Result<Order, OpenError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(ctx) = context_in(&txn, payment.application_id).await? else {
        return Ok(Err(OpenError::NotFound));
    };
    if ctx.status != ApplicationStatus::Approved {
        return Ok(Err(OpenError::NotPayable(ctx.status)));
    }
    if let Some(open) = ctx.open_order() {
        return Ok(Err(OpenError::AlreadyOpen(Box::new(open.clone()))));
    }
    let app = app_row::Entity::find_by_id(payment.application_id)
        .one(&txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("application vanished".into()))?;
    let provider = if payment.method.is_some() {
        "offline"
    } else {
        "free"
    };
    let inserted = row::Entity::insert(row::ActiveModel {
        application_id: Set(ctx.application_id),
        account_id: Set(ctx.account_id),
        plan_id: Set(ctx.plan_id),
        out_trade_no: Set(payment.out_trade_no.clone()),
        provider: Set(provider.to_owned()),
        amount_fen: Set(ctx.fee.0),
        state: Set(OrderState::Paid.code().to_owned()),
        expires_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        paid_at: Set(Some(now)),
        refunded_fen: Set(0),
        offline_method: Set(payment.method.map(|m| m.code().to_owned())),
        offline_reference: Set(Some(payment.reference.clone()).filter(|r| !r.is_empty())),
        offline_note: Set(Some(payment.note.clone()).filter(|n| !n.is_empty())),
        recorded_by: Set(payment.staff.as_ref().map(|(id, _)| *id)),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let id = inserted.last_insert_id;
    let (actor, kind) = match payment.staff {
        Some(_) => (Actor::Staff, "paid_offline"),
        None => (Actor::System, "paid"),
    };
    let changed = change_status(
        &txn,
        &app,
        StatusChange {
            event: ApplicationEvent::ConfirmPayment,
            actor,
            actor_account_id: payment.staff.as_ref().map(|(id, _)| *id),
            kind,
            detail: json!({
                "out_trade_no": payment.out_trade_no,
                "amount_fen": ctx.fee.0,
                "method": payment.method.map(|m| m.code()),
            }),
            also: Vec::new(),
            unchanged_since: None,
        },
        now,
    )
    .await?;
    if let Err(e) = changed {
        return match e {
            ChangeError::Conflict => Ok(Err(OpenError::NotPayable(ApplicationStatus::Approved))),
            other => Err(StoreError::Corrupt(format!("offline payment: {other:?}"))),
        };
    }
    note(
        &txn,
        id,
        "staff",
        kind,
        json!({
            "method": payment.method.map(|m| m.code()),
            "reference": payment.reference,
            "note": payment.note,
        }),
        now,
    )
    .await?;
    if let Some((staff_id, login)) = &payment.staff {
        crate::audit::record(
            &txn,
            crate::audit::NewEntry {
                actor_account_id: Some(*staff_id),
                actor: login,
                action: "payment.offline",
                subject_type: "application",
                subject_id: payment.application_id.to_string(),
                before: Some(json!({ "status": ApplicationStatus::Approved.code() })),
                after: Some(json!({
                    "status": ApplicationStatus::Paid.code(),
                    "out_trade_no": payment.out_trade_no,
                    "amount_fen": ctx.fee.0,
                    "method": payment.method.map(|m| m.code()),
                    "reference": payment.reference,
                    "note": payment.note,
                })),
                client_address: None,
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Ok(reloaded(db, id).await?))
}

/// Staff's list of orders.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub state: Option<OrderState>,
    /// An order number, or an application id.
    pub search: Option<String>,
    pub page: u64,
}

pub struct OrderList {
    pub orders: Vec<Order>,
    pub total: u64,
}

pub const PAGE_SIZE: u64 = 50;

pub async fn list(db: &Db, filter: &ListFilter) -> Result<OrderList, StoreError> {
    let mut query = row::Entity::find();
    if let Some(state) = filter.state {
        query = query.filter(row::Column::State.eq(state.code()));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let mut any = Condition::any().add(row::Column::OutTradeNo.eq(search));
        if let Ok(id) = search.parse::<i64>() {
            any = any.add(row::Column::ApplicationId.eq(id));
        }
        if let Some(id) = domain::payments::application_of_order_number(search) {
            any = any.add(row::Column::ApplicationId.eq(id));
        }
        any = any.add(row::Column::TransactionId.eq(search));
        query = query.filter(any);
    }
    let total = query.clone().count(db.reader()).await?;
    let orders = query
        .order_by_desc(row::Column::Id)
        .offset(filter.page * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_order)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OrderList { orders, total })
}

pub(super) async fn lock_order(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<Option<row::Model>, StoreError> {
    // Touching the row first takes its lock on PostgreSQL (SQLite writes one at a time), so
    // two refunds of one order are checked one after the other.
    row::Entity::update_many()
        .col_expr(row::Column::UpdatedAt, Expr::col(row::Column::UpdatedAt))
        .filter(row::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(row::Entity::find_by_id(id).one(txn).await?)
}
