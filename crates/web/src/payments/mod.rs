//! Paying the exam fee, the candidate's side: 待缴费 (the QR code, time left, live status),
//! 缴费成功 (the receipt, what happens next, refunds), the provider's callback endpoint, and the
//! simulated provider's confirm page. The flows themselves are in the `payments` crate.

pub mod api;
mod notify;
mod pages;
mod qr;
mod simulated;
mod view;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};

use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/pay", get(pages::pay))
        .route("/applications/{id}/pay/check", post(pages::check))
        .route(
            "/pay/simulated/{out_trade_no}",
            get(simulated::page).post(simulated::confirm),
        )
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/applications/{id}/payment", get(api::status))
        .route("/applications/{id}/payment/order", post(api::open))
        .route("/applications/{id}/payment/check", post(api::check))
        .route("/payments/notify/{provider}", post(notify::receive))
}

/// An application id from the path; anything else is not found.
fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// A payment flow's refusal, as the API and pages show it.
pub fn pay_error(e: payments::PayError) -> AppError {
    use payments::PayError as E;
    let status = match &e {
        E::NotFound => return AppError::not_found(),
        E::NotPayable(_) | E::OrderOpen => StatusCode::CONFLICT,
        E::PastDeadline => StatusCode::GONE,
        E::Provider(inner) => {
            tracing::warn!(error = %inner, "payment provider call failed");
            StatusCode::SERVICE_UNAVAILABLE
        }
        E::Store(inner) => return AppError::internal(inner),
    };
    AppError::new(status, e.code(), e.to_string())
}

/// A refund's refusal.
pub fn refund_error(e: payments::RefundRequestError) -> AppError {
    use payments::RefundRequestError as E;
    let status = match &e {
        E::NotFound => return AppError::not_found(),
        E::Rule(_) => StatusCode::UNPROCESSABLE_ENTITY,
        E::PastCutoff(_) | E::NotWithdrawable(_) | E::Changed => StatusCode::CONFLICT,
        E::Store(inner) => return AppError::internal(inner),
    };
    AppError::new(status, e.code(), e.to_string())
}

/// The origin the candidate's browser used (`http://host:port`), for the simulated QR code and
/// callbacks when no `payments.site_url` is configured.
pub(crate) fn request_origin(headers: &axum::http::HeaderMap, secure: bool) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("127.0.0.1");
    let scheme = if secure { "https" } else { "http" };
    format!("{scheme}://{host}")
}
