//! The payment API for candidates: the payment's state (polled by the 待缴费 page), opening the
//! order to pay, and asking the provider now (我已支付，刷新状态).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use chrono::Utc;

use super::view::{PaymentView, load, payment_view};
use super::{parse_id, pay_error, request_origin};
use crate::error::{ApiResult, ErrorBody};
use crate::session::Session;
use crate::state::AppState;

/// The application's payment: status, fee, deadline, the order and any refunds.
#[utoipa::path(get, path = "/api/v1/applications/{id}/payment", tag = "payments",
    params(("id" = i64, Path)),
    responses((status = 200, body = PaymentView), (status = 404, body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<PaymentView>> {
    let account = session.require_account()?;
    let (ctx, refunds) = load(&state, parse_id(&id)?, account.id).await?;
    Ok(Json(payment_view(&ctx, &refunds, Utc::now())))
}

/// Opens (or returns) the order to pay now, with its QR code's text (`order.code_url`).
#[utoipa::path(post, path = "/api/v1/applications/{id}/payment/order", tag = "payments",
    params(("id" = i64, Path)),
    responses((status = 200, body = PaymentView),
        (status = 409, body = ErrorBody, description = "payment_not_needed"),
        (status = 410, body = ErrorBody, description = "payment_deadline_passed"),
        (status = 503, body = ErrorBody, description = "payment_provider_unavailable")))]
pub async fn open(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<PaymentView>> {
    let account = session.require_account()?;
    let id = parse_id(&id)?;
    load(&state, id, account.id).await?;
    let origin = request_origin(&headers, state.settings.secure_cookies);
    let now = Utc::now();
    state
        .payments
        .open_order(id, &origin, now)
        .await
        .map_err(pay_error)?;
    let (ctx, refunds) = load(&state, id, account.id).await?;
    Ok(Json(payment_view(&ctx, &refunds, now)))
}

/// 我已支付，刷新状态: asks the provider about the open order now and records what it says.
#[utoipa::path(post, path = "/api/v1/applications/{id}/payment/check", tag = "payments",
    params(("id" = i64, Path)),
    responses((status = 200, body = PaymentView), (status = 503, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<PaymentView>> {
    let account = session.require_account()?;
    let id = parse_id(&id)?;
    load(&state, id, account.id).await?;
    let now = Utc::now();
    state
        .payments
        .candidate_check(id, now)
        .await
        .map_err(pay_error)?;
    let (ctx, refunds) = load(&state, id, account.id).await?;
    Ok(Json(payment_view(&ctx, &refunds, now)))
}
