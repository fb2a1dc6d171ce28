//! What the payment pages and the payment API both do: load an order or an application's
//! payment, refund, record an offline payment, extend a deadline, reconcile a day. Input is
//! checked here (every problem beside its field, in Chinese); the flows' own refusals are
//! mapped to the same shape.

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::money::Fen;
use domain::payments::{OfflineMethod, refundable};
use payments::{ReconcileError, RefundRequestError};
use store::payments::{Context, DeadlineError, Order, PaymentEvent, Reconciliation, Refund};

use crate::error::{AppError, FieldError};
use crate::staff::Staff;
use crate::state::AppState;

/// Orders per page of the list (the store's page).
pub use store::payments::PAGE_SIZE;

/// The longest refund reason and offline note kept.
pub const REASON_MAX_CHARS: usize = 200;
pub const NOTE_MAX_CHARS: usize = 500;
/// The column's size.
pub const REFERENCE_MAX_CHARS: usize = 64;

/// The staff member as the flows record them: account id and login name.
pub fn who(staff: &Staff) -> (i64, String) {
    let account = &staff.account;
    (
        account.id,
        account
            .login_name
            .clone()
            .unwrap_or_else(|| account.real_name.clone()),
    )
}

fn field(name: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: name.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

/// `e` with its message shown beside `name` too (the code stays the flow's own).
fn beside(mut e: AppError, name: &str) -> AppError {
    e.fields.push(field(name, e.code, e.message.clone()));
    e
}

// --- loading -----------------------------------------------------------------------------------

/// An application's payment with the candidate's name and every refund of its orders.
pub struct ApplicationDetail {
    pub ctx: Context,
    pub candidate_name: String,
    pub refunds: Vec<Refund>,
}

pub async fn application(state: &AppState, id: i64) -> Result<ApplicationDetail, AppError> {
    let ctx = store::payments::context(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let candidate_name = store::accounts::get(&state.db, &state.pii, ctx.account_id)
        .await?
        .map(|a| a.real_name)
        .unwrap_or_default();
    let ids: Vec<i64> = ctx.orders.iter().map(|o| o.id).collect();
    let refunds = store::payments::refunds_of(&state.db, &ids).await?;
    Ok(ApplicationDetail {
        ctx,
        candidate_name,
        refunds,
    })
}

/// One order with its application, trail and refunds.
pub struct OrderDetail {
    pub order: Order,
    pub application: ApplicationDetail,
    pub events: Vec<PaymentEvent>,
    /// This order's refunds, oldest first.
    pub refunds: Vec<Refund>,
    pub refundable: Fen,
}

pub async fn order(state: &AppState, id: i64) -> Result<OrderDetail, AppError> {
    let order = store::payments::get(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let application = application(state, order.application_id).await?;
    let refunds: Vec<Refund> = application
        .refunds
        .iter()
        .filter(|r| r.order_id == id)
        .cloned()
        .collect();
    let committed = Fen(refunds
        .iter()
        .filter(|r| r.state.commits_money())
        .map(|r| r.amount.0)
        .sum());
    let refundable = if order.state.money_taken() {
        refundable(order.amount, committed)
    } else {
        Fen::ZERO
    };
    Ok(OrderDetail {
        events: store::payments::events(&state.db, id).await?,
        order,
        application,
        refunds,
        refundable,
    })
}

// --- refunds -----------------------------------------------------------------------------------

pub struct RefundInput {
    /// `None`: what was typed is not an amount.
    pub amount: Option<Fen>,
    pub reason: String,
    /// 同时撤销报名（释放名额）.
    pub withdraw: bool,
}

/// A refund's refusal, beside the field it concerns.
pub fn refund_failure(e: RefundRequestError) -> AppError {
    use domain::payments::RefundError as R;
    let name = match &e {
        RefundRequestError::Rule(R::NotPositive | R::TooMuch { .. }) => Some("amount"),
        RefundRequestError::Rule(R::NoReason) => Some("reason"),
        RefundRequestError::NotWithdrawable(_)
        | RefundRequestError::PastCutoff(_)
        | RefundRequestError::Changed => Some("withdraw"),
        _ => None,
    };
    let e = crate::payments::refund_error(e);
    match name {
        Some(name) => beside(e, name),
        None => e,
    }
}

pub async fn refund(
    state: &AppState,
    staff: &Staff,
    order_id: i64,
    input: &RefundInput,
) -> Result<Refund, AppError> {
    let mut problems = Vec::new();
    if input.amount.is_none() {
        problems.push(field(
            "amount",
            "refund_amount_invalid",
            "请填写退款金额（元，最多两位小数，如 50 或 50.50）",
        ));
    }
    if input.reason.trim().chars().count() > REASON_MAX_CHARS {
        problems.push(field(
            "reason",
            "refund_reason_too_long",
            format!("退款原因不能超过 {REASON_MAX_CHARS} 个字"),
        ));
    }
    let Some(amount) = input.amount.filter(|_| problems.is_empty()) else {
        return Err(AppError::fields(problems));
    };
    let (id, login) = who(staff);
    state
        .payments
        .staff_refund(
            order_id,
            amount,
            &input.reason,
            input.withdraw,
            (id, &login),
            Utc::now(),
        )
        .await
        .map_err(refund_failure)
}

// --- offline payments --------------------------------------------------------------------------

pub struct OfflineInput {
    /// bank_transfer | cash
    pub method: String,
    pub reference: String,
    pub note: String,
}

pub async fn record_offline(
    state: &AppState,
    staff: &Staff,
    application_id: i64,
    input: &OfflineInput,
) -> Result<Order, AppError> {
    let mut problems = Vec::new();
    let method = OfflineMethod::parse(input.method.trim());
    if method.is_none() {
        problems.push(field(
            "method",
            "offline_method_required",
            "请选择缴费方式（银行转账或现金）",
        ));
    }
    let reference = input.reference.trim();
    if reference.is_empty() {
        problems.push(field(
            "reference",
            "offline_reference_required",
            "请填写凭证号（银行流水号或收据编号）",
        ));
    } else if reference.chars().count() > REFERENCE_MAX_CHARS {
        problems.push(field(
            "reference",
            "offline_reference_too_long",
            format!("凭证号不能超过 {REFERENCE_MAX_CHARS} 个字"),
        ));
    }
    if input.note.trim().chars().count() > NOTE_MAX_CHARS {
        problems.push(field(
            "note",
            "offline_note_too_long",
            format!("备注不能超过 {NOTE_MAX_CHARS} 个字"),
        ));
    }
    let Some(method) = method.filter(|_| problems.is_empty()) else {
        return Err(AppError::fields(problems));
    };
    let (id, login) = who(staff);
    state
        .payments
        .record_offline(
            application_id,
            method,
            reference,
            &input.note,
            (id, &login),
            Utc::now(),
        )
        .await
        .map_err(crate::payments::pay_error)
}

// --- deadlines ---------------------------------------------------------------------------------

/// A deadline's refusal, in Chinese; `exam_starts_at` for the message about the exam.
pub fn deadline_error(e: DeadlineError, exam_starts_at: Option<DateTime<Utc>>) -> AppError {
    match e {
        DeadlineError::NotFound => AppError::not_found(),
        DeadlineError::NotPayable(status) => AppError::new(
            StatusCode::CONFLICT,
            "deadline_not_payable",
            format!(
                "当前状态为“{}”，只有待缴费的报名可以延长缴费期限",
                status.label()
            ),
        ),
        DeadlineError::NotLater => {
            let mut e = AppError::field(
                "until",
                "deadline_not_later",
                "新的截止时间须晚于现在和当前的缴费截止时间",
            );
            e.code = "deadline_not_later";
            e
        }
        DeadlineError::AfterExam => {
            let mut e = AppError::field(
                "until",
                "deadline_after_exam",
                match exam_starts_at {
                    Some(t) => format!(
                        "新的截止时间不能晚于考试开始时间（{}）",
                        domain::time::format_instant(t)
                    ),
                    None => "新的截止时间不能晚于考试开始时间".to_owned(),
                },
            );
            e.code = "deadline_after_exam";
            e
        }
    }
}

/// Reads a new deadline: a Beijing wall-clock time ("2026-12-01 18:00"), or an RFC 3339 instant.
pub fn parse_until(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| domain::time::parse_shanghai_datetime(raw))
}

pub async fn extend_deadline(
    state: &AppState,
    staff: &Staff,
    application_id: i64,
    until: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, AppError> {
    let Some(until) = until else {
        return Err(AppError::field(
            "until",
            "deadline_invalid",
            "请按“YYYY-MM-DD HH:MM”填写新的截止时间（北京时间）",
        ));
    };
    let (id, login) = who(staff);
    let done = store::payments::extend_deadline(
        &state.db,
        application_id,
        until,
        (id, &login),
        Utc::now(),
    )
    .await?;
    match done {
        Ok(until) => Ok(until),
        Err(e) => {
            let exam = store::payments::context(&state.db, application_id)
                .await?
                .map(|c| c.exam_starts_at);
            Err(deadline_error(e, exam))
        }
    }
}

// --- reconciliation ----------------------------------------------------------------------------

/// The Beijing day before `now`'s: the last day whose bill can be ready.
pub fn yesterday(now: DateTime<Utc>) -> NaiveDate {
    domain::time::shanghai_date(now) - Duration::days(1)
}

pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

pub fn reconcile_error(e: ReconcileError) -> AppError {
    match &e {
        ReconcileError::NoBill(_) => {
            let mut err = AppError::field("date", e.code(), e.to_string());
            err.status = StatusCode::CONFLICT;
            err.code = e.code();
            err
        }
        ReconcileError::Provider(inner) => {
            tracing::warn!(error = %inner, "reconciliation: the bill could not be had");
            AppError::new(StatusCode::SERVICE_UNAVAILABLE, e.code(), e.to_string())
        }
        ReconcileError::Store(inner) => AppError::internal(inner),
    }
}

/// Runs the reconciliation of `date` and returns the saved report.
pub async fn reconcile(
    state: &AppState,
    staff: &Staff,
    date: Option<NaiveDate>,
) -> Result<Reconciliation, AppError> {
    let Some(date) = date else {
        return Err(AppError::field(
            "date",
            "reconcile_date_invalid",
            "请按“YYYY-MM-DD”填写对账日期",
        ));
    };
    let (account_id, login) = who(staff);
    let id = state
        .payments
        .reconcile(date, Some((account_id, &login)), Utc::now())
        .await
        .map_err(reconcile_error)?;
    store::payments::reconciliations(&state.db, Some(date), 100)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::internal(format!("reconciliation {id} vanished after saving")))
}
