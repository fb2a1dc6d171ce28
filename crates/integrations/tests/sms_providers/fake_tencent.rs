//! A local stand-in for Tencent Cloud SMS `SendSms` (2021-01-11). It checks each request as the
//! API gateway does — `Authorization` parsed, the canonical request rebuilt from what arrived
//! (the signed headers' values, the body's hash), the key chain derived from the shared
//! SecretKey and the credential date, the signature recomputed — then behaves like the SMS
//! service: one application, approved templates with a fixed parameter count, one message per
//! number per 30 seconds. Answers are `{"Response": …}` with the API's field names, HTTP 200.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use serde_json::{Value, json};

use super::common::{bind, hmac, serve, sha256_hex, unknown_host};

pub const SECRET_ID: &str = "AKIDfakeSecretId0123456789";
pub const SECRET_KEY: &str = "fake-tencent-key-Gu5t9xGARN";
pub const SDK_APP_ID: &str = "1400006666";
pub const REGION: &str = "ap-guangzhou";
pub const SIGN_NAME: &str = "技能认证中心";
/// The approved template: `您的验证码是{1}，{2}分钟内有效。`, two parameters.
pub const APPROVED_TEMPLATE: &str = "1110";

#[derive(Default)]
struct Account {
    /// `127.0.0.1:port`: a request for another host is not for this server.
    authority: String,
    hits: usize,
    /// The JSON bodies of accepted requests.
    accepted: Vec<Value>,
    recent_numbers: HashSet<String>,
    /// Hold each answer this long (to exercise the client's timeout).
    delay: Option<std::time::Duration>,
}

#[derive(Clone)]
pub struct FakeTencent {
    pub url: String,
    account: Arc<Mutex<Account>>,
}

impl FakeTencent {
    pub async fn start() -> FakeTencent {
        let (listener, authority) = bind().await;
        let account = Arc::new(Mutex::new(Account {
            authority: authority.clone(),
            ..Account::default()
        }));
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&account));
        serve(listener, router);
        FakeTencent {
            url: format!("http://{authority}"),
            account,
        }
    }

    pub fn hits(&self) -> usize {
        self.account.lock().unwrap().hits
    }

    pub fn accepted(&self) -> Vec<Value> {
        self.account.lock().unwrap().accepted.clone()
    }

    pub fn set_delay(&self, delay: std::time::Duration) {
        self.account.lock().unwrap().delay = Some(delay);
    }
}

const REQUEST_ID: &str = "ed93f3cb-f35e-473f-b9f3-0d451b8b79c6";

fn respond(response: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "Response": response }).to_string(),
    )
        .into_response()
}

fn error(code: &str, message: &str) -> Response {
    respond(json!({
        "Error": { "Code": code, "Message": message },
        "RequestId": REQUEST_ID,
    }))
}

fn send_status(phone: &str, session: &str, code: &str, message: &str) -> Response {
    let ok = code == "Ok";
    respond(json!({
        "SendStatusSet": [{
            "SerialNo": if ok { "5000:1045710669157053657849499619" } else { "" },
            "PhoneNumber": phone,
            "Fee": u32::from(ok),
            "SessionContext": session,
            "Code": code,
            "Message": message,
            "IsoCode": "CN",
        }],
        "RequestId": REQUEST_ID,
    }))
}

async fn handle(
    State(account): State<Arc<Mutex<Account>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (delay, authority) = {
        let mut account = account.lock().unwrap();
        account.hits += 1;
        (account.delay, account.authority.clone())
    };
    if headers.get(header::HOST).and_then(|h| h.to_str().ok()) != Some(&authority) {
        return unknown_host();
    }
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if let Err(refusal) = verify(&method, &uri, &headers, &body) {
        return refusal;
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return error(
            "FailedOperation.FailResolvePacket",
            "Request package parsing failed.",
        );
    };
    let text = |field: &str| request.get(field).and_then(Value::as_str);
    if text("SmsSdkAppId") != Some(SDK_APP_ID) {
        return error(
            "InvalidParameterValue.SdkAppIdNotExist",
            "The SdkAppId does not exist.",
        );
    }
    if text("SignName") != Some(SIGN_NAME) {
        return error(
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "The signature is not approved or has an incorrect format.",
        );
    }
    if text("TemplateId") != Some(APPROVED_TEMPLATE) {
        return error(
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "The template is not approved or its content does not match.",
        );
    }
    let params = request.get("TemplateParamSet").and_then(Value::as_array);
    let all_text = params.is_some_and(|p| p.len() == 2 && p.iter().all(Value::is_string));
    if !all_text {
        return error(
            "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
            "The template parameters do not match the approved template.",
        );
    }
    let phones = request.get("PhoneNumberSet").and_then(Value::as_array);
    let Some([phone]) = phones.map(Vec::as_slice) else {
        return error(
            "InvalidParameterValue.IncorrectPhoneNumber",
            "Invalid numbers.",
        );
    };
    let phone = phone.as_str().unwrap_or("").to_owned();
    let session = text("SessionContext").unwrap_or("").to_owned();
    let mut account = account.lock().unwrap();
    if !account.recent_numbers.insert(phone.clone()) {
        return send_status(
            &phone,
            &session,
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "The number of SMS messages sent to the same number within 30 seconds exceeds the limit.",
        );
    }
    account.accepted.push(request);
    send_status(&phone, &session, "Ok", "send success")
}

/// The gateway's signature checks.
// The refusal is the response itself, built once and returned at once: boxing buys nothing.
#[allow(clippy::result_large_err)]
fn verify(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<(), Response> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let invalid = || {
        error(
            "AuthFailure.InvalidAuthorization",
            "Authorization in the request header is invalid.",
        )
    };
    let mismatch = || {
        error(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )
    };

    // `TC3-HMAC-SHA256 Credential=<id>/<date>/sms/tc3_request, SignedHeaders=…, Signature=…`.
    let authorization = header("authorization").ok_or_else(invalid)?;
    let fields = authorization
        .strip_prefix("TC3-HMAC-SHA256 ")
        .ok_or_else(invalid)?;
    let mut parts = BTreeMap::new();
    for field in fields.split(',') {
        let (name, value) = field.trim().split_once('=').ok_or_else(invalid)?;
        parts.insert(name, value);
    }
    let (Some(credential), Some(signed_headers), Some(signature)) = (
        parts.get("Credential"),
        parts.get("SignedHeaders"),
        parts.get("Signature"),
    ) else {
        return Err(invalid());
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [secret_id, date, service, "tc3_request"] = scope.as_slice() else {
        return Err(invalid());
    };
    if *secret_id != SECRET_ID {
        return Err(error(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found.",
        ));
    }
    if *service != "sms" {
        return Err(invalid());
    }

    let timestamp: i64 = header("x-tc-timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or_else(invalid)?;
    if (chrono::Utc::now().timestamp() - timestamp).abs() > 300 {
        return Err(error(
            "AuthFailure.SignatureExpire",
            "Signature expired. Timestamp and server time cannot differ by more than five minutes.",
        ));
    }
    // The credential date is the UTC date of the timestamp.
    let utc_date = DateTime::from_timestamp(timestamp, 0)
        .ok_or_else(invalid)?
        .format("%Y-%m-%d")
        .to_string();
    if *date != utc_date {
        return Err(mismatch());
    }
    if header("x-tc-action") != Some("SendSms") {
        return Err(error("InvalidAction", "The API does not exist."));
    }
    if header("x-tc-version") != Some("2021-01-11") {
        return Err(error("NoSuchVersion", "The API version does not exist."));
    }
    if header("x-tc-region") != Some(REGION) {
        return Err(error(
            "UnsupportedRegion",
            "API does not support the requested region.",
        ));
    }

    let signed: Vec<&str> = signed_headers.split(';').collect();
    if !signed.contains(&"content-type") || !signed.contains(&"host") {
        return Err(invalid());
    }
    if method != Method::POST || uri.path() != "/" || uri.query().is_some() {
        return Err(mismatch());
    }
    let canonical_headers: String = signed
        .iter()
        .map(|name| {
            let value = header(name).unwrap_or("").trim().to_ascii_lowercase();
            format!("{name}:{value}\n")
        })
        .collect();
    let canonical_request = format!(
        "POST\n/\n\n{canonical_headers}\n{signed_headers}\n{}",
        sha256_hex(body)
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let secret_date = hmac(format!("TC3{SECRET_KEY}").as_bytes(), date.as_bytes());
    let secret_service = hmac(&secret_date, service.as_bytes());
    let secret_signing = hmac(&secret_service, b"tc3_request");
    let expected = hex::encode(hmac(&secret_signing, string_to_sign.as_bytes()));
    if *signature != expected {
        return Err(mismatch());
    }
    Ok(())
}
