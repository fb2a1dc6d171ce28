//! What an answer means. A signed answer must verify before anything in it is believed; an
//! unsigned one (WeChat Pay does not sign, for instance, its 401 `SIGN_ERROR`) can only ever be
//! a refusal or "try again": never "not found", "already paid" or "no bill", which would change
//! what we believe about an order.

use chrono::Utc;
use reqwest::StatusCode;

use super::answers::ApiError;
use super::verify::{Signed, Verifiers};
use crate::payments::PaymentError;

/// Verifies an answer: a signed one must verify, an unsigned one is only ever an error.
pub(super) fn verified(verifiers: &Verifiers, answer: RawAnswer) -> Result<Verified, Rejection> {
    let signed = answer.signed_parts();
    let trusted = match signed {
        Some(signed) => {
            verifiers.verify(&signed, Utc::now()).map_err(|e| {
                // Worth a look: a platform certificate WeChat Pay has rotated to, a clock
                // adrift, or someone between us and WeChat Pay.
                tracing::warn!(
                    path = %answer.path,
                    status = answer.status.as_u16(),
                    request_id = answer.request_id(),
                    error = %e,
                    "a WeChat Pay answer did not verify and is not trusted"
                );
                PaymentError::Unavailable(format!(
                    "wechat: the answer to {} (HTTP {}, request {}) is not trusted: {e}",
                    answer.path,
                    answer.status.as_u16(),
                    answer.request_id()
                ))
            })?;
            true
        }
        None => false,
    };
    if answer.status.is_success() {
        if !trusted {
            return Err(PaymentError::Unavailable(format!(
                "wechat: the answer to {} (HTTP {}, request {}) is not signed",
                answer.path,
                answer.status.as_u16(),
                answer.request_id()
            ))
            .into());
        }
        return Ok(Verified(answer));
    }
    Err(classify(&answer, trusted))
}

/// An answer as it arrived.
pub(super) struct RawAnswer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
    /// For errors (the path only: a download URL's query holds its token).
    pub path: String,
}

impl RawAnswer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The signature headers and body, when all four headers are present.
    fn signed_parts(&self) -> Option<Signed<'_>> {
        Some(Signed {
            timestamp: self.header("Wechatpay-Timestamp")?,
            nonce: self.header("Wechatpay-Nonce")?,
            signature: self.header("Wechatpay-Signature")?,
            serial: self.header("Wechatpay-Serial")?,
            body: &self.body,
        })
    }

    pub(super) fn request_id(&self) -> &str {
        self.header("Request-ID").unwrap_or("-")
    }
}

/// A 2xx answer whose signature verified.
pub(super) struct Verified(pub RawAnswer);

/// A call that did not succeed: what it means for the caller, and the API's error code with
/// whether its answer was verified (for the caller that reads a particular code as success).
pub(super) struct Rejection {
    pub error: PaymentError,
    pub code: Option<String>,
    pub trusted: bool,
}

impl From<PaymentError> for Rejection {
    fn from(error: PaymentError) -> Rejection {
        Rejection {
            error,
            code: None,
            trusted: false,
        }
    }
}

impl From<Rejection> for PaymentError {
    fn from(rejection: Rejection) -> PaymentError {
        rejection.error
    }
}

/// What an error answer means.
fn classify(answer: &RawAnswer, trusted: bool) -> Rejection {
    let api_error = serde_json::from_slice::<ApiError>(&answer.body).ok();
    Rejection {
        error: meaning(answer, api_error.as_ref(), trusted),
        code: api_error.map(|e| e.code),
        trusted,
    }
}

/// Only a `trusted` (verified) answer can say that something does not exist, is paid already
/// or has no bill.
fn meaning(answer: &RawAnswer, api_error: Option<&ApiError>, trusted: bool) -> PaymentError {
    let status = answer.status.as_u16();
    let request_id = answer.request_id();
    let Some(ApiError { code, message }) = api_error else {
        // Not the API's answer: a proxy or load balancer answered.
        return PaymentError::Unavailable(format!(
            "wechat answered {} with HTTP {status} and no error code",
            answer.path
        ));
    };
    let signed = if trusted { "signed" } else { "unsigned" };
    let text = format!(
        "wechat {code} ({signed}): {message} (HTTP {status}, {}, request {request_id})",
        answer.path
    );
    if status == 429
        || status >= 500
        || matches!(
            code.as_str(),
            "SYSTEM_ERROR" | "FREQUENCY_LIMITED" | "SYSTEMERROR" | "BANK_ERROR"
        )
    {
        return PaymentError::Unavailable(text);
    }
    let decisive = matches!(
        code.as_str(),
        "ORDER_NOT_EXIST"
            | "RESOURCE_NOT_EXISTS"
            | "ORDERPAID"
            | "NO_STATEMENT_EXIST"
            | "STATEMENT_CREATING"
            | "ORDER_CLOSED"
    );
    if decisive && !trusted {
        return PaymentError::Unavailable(text);
    }
    match code.as_str() {
        "ORDER_NOT_EXIST" | "RESOURCE_NOT_EXISTS" => PaymentError::NotFound,
        "ORDERPAID" => PaymentError::AlreadyPaid,
        "NO_STATEMENT_EXIST" | "STATEMENT_CREATING" => PaymentError::NoBill,
        _ => PaymentError::Refused(text),
    }
}

/// A failure to reach WeChat Pay or read its answer: worth retrying.
pub(super) fn transport_error(e: reqwest::Error) -> PaymentError {
    // The URL of a bill download carries its token.
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    PaymentError::Unavailable(format!("wechat: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> RawAnswer {
        RawAnswer {
            status: StatusCode::from_u16(status).unwrap(),
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
            path: "/v3/x".into(),
        }
    }

    #[test]
    fn signed_errors_say_what_they_mean_and_unsigned_ones_only_refuse_or_retry() {
        let not_found = r#"{"code":"ORDER_NOT_EXIST","message":"订单不存在"}"#;
        assert_eq!(
            classify(&answer(404, not_found), true).error,
            PaymentError::NotFound
        );
        assert!(matches!(
            classify(&answer(404, not_found), false).error,
            PaymentError::Unavailable(_)
        ));
        let paid = r#"{"code":"ORDERPAID","message":"订单已支付"}"#;
        assert_eq!(
            classify(&answer(400, paid), true).error,
            PaymentError::AlreadyPaid
        );
        let no_bill = r#"{"code":"NO_STATEMENT_EXIST","message":"账单不存在"}"#;
        assert_eq!(
            classify(&answer(400, no_bill), true).error,
            PaymentError::NoBill
        );
        let sign = r#"{"code":"SIGN_ERROR","message":"签名错误"}"#;
        assert!(matches!(
            classify(&answer(401, sign), false).error,
            PaymentError::Refused(_)
        ));
        for retry in [
            (500, r#"{"code":"SYSTEM_ERROR","message":"系统错误"}"#),
            (429, r#"{"code":"FREQUENCY_LIMITED","message":"频率超限"}"#),
            (400, r#"{"code":"SYSTEM_ERROR","message":"系统错误"}"#),
            (502, "<html>Bad Gateway</html>"),
        ] {
            assert!(
                matches!(
                    classify(&answer(retry.0, retry.1), true).error,
                    PaymentError::Unavailable(_)
                ),
                "{retry:?}"
            );
        }
    }
}
