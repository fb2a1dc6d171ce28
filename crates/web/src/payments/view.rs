//! What the candidate sees of a payment, shared by the pages and the API.

use chrono::{DateTime, Utc};
use domain::applications::state::ApplicationStatus;
use domain::payments::{OrderState, withdrawal_refund_cutoff};
use serde::Serialize;
use store::payments::{Context, Order, Refund};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub application_id: i64,
    /// The application's status code (`approved` = 待缴费, `paid` = 缴费成功, …).
    pub status: &'static str,
    pub status_label: &'static str,
    /// Whether the fee is confirmed (缴费成功 or later).
    pub paid: bool,
    pub fee_fen: i64,
    /// "¥120.00".
    pub fee_text: String,
    /// The payment deadline, Beijing time (while 待缴费).
    pub due_at: Option<String>,
    /// The order to pay now, or the paid one.
    pub order: Option<OrderView>,
    pub refunds: Vec<RefundView>,
    /// While 缴费成功: until when withdrawing refunds the fee (Beijing time).
    pub withdraw_refund_until: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    pub out_trade_no: String,
    /// pending | paid | closed | refunding | refunded
    pub state: &'static str,
    pub state_label: &'static str,
    pub amount_fen: i64,
    pub amount_text: String,
    /// The QR code's text (open orders).
    pub code_url: Option<String>,
    pub expires_at: String,
    /// Seconds until the QR code stops working (0 once expired).
    pub expires_in_seconds: i64,
    pub paid_at: Option<String>,
    pub transaction_id: Option<String>,
    /// 微信支付, 线下缴费 (银行转账/现金), 模拟支付 or 无需缴费.
    pub method: String,
    pub refunded_text: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RefundView {
    pub out_refund_no: String,
    pub amount_fen: i64,
    pub amount_text: String,
    /// requested | processing | succeeded | closed | abnormal
    pub state: &'static str,
    pub state_label: &'static str,
    pub cause: &'static str,
    pub reason: String,
    pub requested_at: String,
    pub succeeded_at: Option<String>,
}

fn beijing(t: DateTime<Utc>) -> String {
    domain::time::format_instant(t)
}

pub fn method_label(order: &Order) -> String {
    match order.provider.as_str() {
        "wechat" => "微信支付".into(),
        "simulated" => "模拟支付（演示）".into(),
        "free" => "无需缴费".into(),
        _ => match order.offline_method {
            Some(m) => format!("线下缴费（{}）", m.label()),
            None => "线下缴费".into(),
        },
    }
}

pub fn order_view(order: &Order, now: DateTime<Utc>) -> OrderView {
    OrderView {
        out_trade_no: order.out_trade_no.clone(),
        state: order.state.code(),
        state_label: order.state.label(),
        amount_fen: order.amount.0,
        amount_text: order.amount.to_string(),
        code_url: order
            .code_url
            .clone()
            .filter(|_| order.state == OrderState::Pending),
        expires_at: beijing(order.expires_at),
        expires_in_seconds: (order.expires_at - now).num_seconds().max(0),
        paid_at: order.paid_at.map(beijing),
        transaction_id: order.transaction_id.clone(),
        method: method_label(order),
        refunded_text: order.refunded.to_string(),
    }
}

pub fn refund_view(refund: &Refund) -> RefundView {
    RefundView {
        out_refund_no: refund.out_refund_no.clone(),
        amount_fen: refund.amount.0,
        amount_text: refund.amount.to_string(),
        state: refund.state.code(),
        state_label: refund.state.label(),
        cause: refund.cause.label(),
        reason: refund.reason.clone(),
        requested_at: beijing(refund.created_at),
        succeeded_at: refund.succeeded_at.map(beijing),
    }
}

pub fn payment_view(ctx: &Context, refunds: &[Refund], now: DateTime<Utc>) -> PaymentView {
    let paid = ctx.status.fee_confirmed() && ctx.paid_order().is_some();
    let order = ctx
        .paid_order()
        .or_else(|| ctx.open_order())
        .map(|o| order_view(o, now));
    PaymentView {
        application_id: ctx.application_id,
        status: ctx.status.code(),
        status_label: ctx.status.label(),
        paid,
        fee_fen: ctx.fee.0,
        fee_text: ctx.fee.to_string(),
        due_at: ctx
            .due_at
            .filter(|_| ctx.status == ApplicationStatus::Approved)
            .map(beijing),
        order,
        refunds: refunds.iter().map(refund_view).collect(),
        withdraw_refund_until: (ctx.status == ApplicationStatus::Paid)
            .then(|| beijing(withdrawal_refund_cutoff(ctx.exam_starts_at))),
    }
}

/// The context and refunds of the candidate's own application, or not found.
pub async fn load(
    state: &crate::state::AppState,
    application_id: i64,
    account_id: i64,
) -> Result<(Context, Vec<Refund>), crate::error::AppError> {
    let ctx = store::payments::context(&state.db, application_id)
        .await?
        .filter(|c| c.account_id == account_id)
        .ok_or_else(crate::error::AppError::not_found)?;
    let ids: Vec<i64> = ctx.orders.iter().map(|o| o.id).collect();
    let refunds = store::payments::refunds_of(&state.db, &ids).await?;
    Ok((ctx, refunds))
}
