//! The simulated provider's confirm page: what a payer sees after scanning the demo QR code.
//! Only there while the simulated provider is the one in use. It needs no session (the phone
//! that scans is not signed in); confirming pays exactly the order in the link, as scanning a
//! real code does.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use chrono::Utc;

use crate::error::{AppError, PageResult};
use crate::pages::{Layout, Section as NavSection, render};
use crate::session::Session;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "payments/simulated.html")]
pub struct SimulatedPage {
    layout: Layout,
    out_trade_no: String,
    description: String,
    amount_text: String,
    /// NOTPAY (can pay), SUCCESS/REFUND (paid), CLOSED, or expired.
    payable: bool,
    outcome: Option<&'static str>,
}

async fn show(
    state: &AppState,
    session: &Session,
    out_trade_no: &str,
    outcome: Option<&'static str>,
) -> PageResult {
    let simulated = state
        .payments
        .simulated_provider()
        .ok_or_else(AppError::not_found)?;
    let order = simulated
        .order(out_trade_no)
        .await
        .map_err(AppError::internal)?
        .ok_or_else(AppError::not_found)?;
    let payable = order.trade_state == "NOTPAY" && order.expires_at > Utc::now();
    Ok(render(&SimulatedPage {
        layout: Layout::new(session, NavSection::Applications),
        out_trade_no: order.out_trade_no,
        description: order.description,
        amount_text: order.amount.to_string(),
        payable,
        outcome: outcome.or(match order.trade_state.as_str() {
            "SUCCESS" | "REFUND" => Some("该订单已支付"),
            "CLOSED" => Some("该订单已关闭，不能支付"),
            _ if !payable => Some("该订单已过期，不能支付"),
            _ => None,
        }),
    })?
    .into_response())
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Path(out_trade_no): Path<String>,
) -> PageResult {
    show(&state, &session, &out_trade_no, None).await
}

pub async fn confirm(
    State(state): State<AppState>,
    session: Session,
    Path(out_trade_no): Path<String>,
) -> PageResult {
    if state.payments.simulated_provider().is_none() {
        return Err(AppError::not_found().into());
    }
    let paid = state
        .payments
        .confirm_simulated(&out_trade_no, Utc::now())
        .await
        .map_err(AppError::internal)?;
    let outcome = if paid {
        "支付成功，可以关闭此页面，回到报名页面查看缴费结果"
    } else {
        "未能支付：订单已关闭、已过期或已支付"
    };
    show(&state, &session, &out_trade_no, Some(outcome)).await
}
