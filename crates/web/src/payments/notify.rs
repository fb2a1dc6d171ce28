//! `POST /api/v1/payments/notify/{provider}`: the provider's callback. Verified and applied by
//! `payments::Payments::receive`; answered as WeChat Pay expects: 204 with no body when taken,
//! otherwise 4xx/5xx with `{"code": "FAIL", "message": …}` so that it is sent again later.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use integrations::payments::IncomingNotification;
use payments::CallbackError;

use crate::state::AppState;

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub async fn receive(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if provider != state.payments.provider_name() {
        return fail(StatusCode::NOT_FOUND, "unknown provider");
    }
    let incoming = IncomingNotification {
        timestamp: header(&headers, "Wechatpay-Timestamp"),
        nonce: header(&headers, "Wechatpay-Nonce"),
        signature: header(&headers, "Wechatpay-Signature"),
        serial: header(&headers, "Wechatpay-Serial"),
        body: body.to_vec(),
    };
    match state.payments.receive(&incoming, Utc::now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => {
            let status = match &e {
                CallbackError::Verification(_) => StatusCode::UNAUTHORIZED,
                CallbackError::UnknownOrder(_) | CallbackError::UnknownRefund(_) => {
                    StatusCode::NOT_FOUND
                }
                CallbackError::AmountMismatch { .. } => StatusCode::BAD_REQUEST,
                CallbackError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            };
            tracing::warn!(error = %e, "payment callback refused");
            fail(
                status,
                if status.is_server_error() {
                    "处理失败"
                } else {
                    "失败"
                },
            )
        }
    }
}

fn fail(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "code": "FAIL", "message": message })),
    )
        .into_response()
}
