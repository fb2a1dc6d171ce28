//! A local stand-in for Dysmsapi `SendSms`. It checks each request as the gateway does —
//! `Authorization` parsed, the canonical request rebuilt from what arrived (method, path, raw
//! query re-encoded and sorted, the signed headers' values, the body's hash), the signature
//! recomputed with the shared AccessKey secret — then behaves like the SMS service: approved
//! templates only, one code per number per minute. Answers use the API's field names.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::common::{bind, hmac, percent_decode, rfc3986, serve, sha256_hex, unknown_host};

pub const ACCESS_KEY_ID: &str = "LTAI5tFakeKeyId";
pub const ACCESS_KEY_SECRET: &str = "fake-aliyun-secret-Xq9";
pub const SIGN_NAME: &str = "技能认证中心";
/// The only template code the fake account has approved.
pub const APPROVED_TEMPLATE: &str = "SMS_154950909";

/// The `SendSms` parameters of one accepted request, decoded.
pub type Params = BTreeMap<String, String>;

#[derive(Default)]
struct Account {
    /// `127.0.0.1:port`: a request for another host is not for this server.
    authority: String,
    /// Every request that reached the server, accepted or not.
    hits: usize,
    accepted: Vec<Params>,
    nonces: HashSet<String>,
    /// Numbers sent a code, for the one-per-minute flow control.
    recent_numbers: HashSet<String>,
    /// Answer every request with a bare 503 from "the load balancer".
    outage: bool,
}

#[derive(Clone)]
pub struct FakeAliyun {
    pub url: String,
    account: Arc<Mutex<Account>>,
}

impl FakeAliyun {
    pub async fn start() -> FakeAliyun {
        let (listener, authority) = bind().await;
        let account = Arc::new(Mutex::new(Account {
            authority: authority.clone(),
            ..Account::default()
        }));
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&account));
        serve(listener, router);
        FakeAliyun {
            url: format!("http://{authority}"),
            account,
        }
    }

    pub fn hits(&self) -> usize {
        self.account.lock().unwrap().hits
    }

    pub fn accepted(&self) -> Vec<Params> {
        self.account.lock().unwrap().accepted.clone()
    }

    pub fn set_outage(&self, outage: bool) {
        self.account.lock().unwrap().outage = outage;
    }
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// The gateway's refusal shape.
fn gateway_error(status: StatusCode, code: &str, message: &str) -> Response {
    answer(
        status,
        json!({
            "RequestId": "6C7E3A2B-0D0B-5F3E-9E43-FAKEGATEWAY0",
            "HostId": "dysmsapi.aliyuncs.com",
            "Code": code,
            "Message": message,
            "Recommend": "https://api.aliyun.com/troubleshoot?q=".to_owned() + code,
        }),
    )
}

/// The SMS service's answer shape (HTTP 200 whatever the outcome).
fn service_answer(code: &str, message: &str, biz_id: Option<&str>) -> Response {
    let mut body = json!({
        "Code": code,
        "Message": message,
        "RequestId": "F655A8D5-B967-440B-8683-DAD6FF8DE990",
    });
    if let Some(biz_id) = biz_id {
        body["BizId"] = biz_id.into();
    }
    answer(StatusCode::OK, body)
}

async fn handle(
    State(account): State<Arc<Mutex<Account>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut account = account.lock().unwrap();
    account.hits += 1;
    if headers.get(header::HOST).and_then(|h| h.to_str().ok()) != Some(&account.authority) {
        return unknown_host();
    }
    if account.outage {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>503 Service Temporarily Unavailable</body></html>",
        )
            .into_response();
    }
    let params = match verify(&mut account, &method, &uri, &headers, &body) {
        Ok(params) => params,
        Err(refusal) => return refusal,
    };
    let Some(phone) = params.get("PhoneNumbers") else {
        return service_answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号", None);
    };
    if params.get("SignName").map(String::as_str) != Some(SIGN_NAME) {
        return service_answer("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名", None);
    }
    if params.get("TemplateCode").map(String::as_str) != Some(APPROVED_TEMPLATE) {
        return service_answer("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板", None);
    }
    let template_param: Option<Value> = params
        .get("TemplateParam")
        .and_then(|p| serde_json::from_str(p).ok());
    if template_param
        .as_ref()
        .and_then(|p| p.get("code"))
        .is_none()
    {
        return service_answer(
            "isv.INVALID_PARAMETERS",
            "JSON参数不合法，只接受字符串值",
            None,
        );
    }
    if !account.recent_numbers.insert(phone.clone()) {
        return service_answer(
            "isv.BUSINESS_LIMIT_CONTROL",
            "触发分钟级流控Permits:1",
            None,
        );
    }
    account.accepted.push(params);
    service_answer("OK", "OK", Some("9006197469364984400"))
}

/// The gateway's checks; on success the decoded query parameters.
// The refusal is the response itself, built once and returned at once: boxing buys nothing.
#[allow(clippy::result_large_err)]
fn verify(
    account: &mut Account,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Params, Response> {
    let incomplete = |why: &str| {
        gateway_error(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            &format!("The request signature does not conform to Aliyun standards. {why}"),
        )
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());

    // Authorization: `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`.
    let authorization = header("authorization").ok_or_else(|| incomplete("no Authorization"))?;
    let fields = authorization
        .strip_prefix("ACS3-HMAC-SHA256 ")
        .ok_or_else(|| incomplete("unknown algorithm"))?;
    let mut parts = BTreeMap::new();
    for field in fields.split(',') {
        let (name, value) = field
            .split_once('=')
            .ok_or_else(|| incomplete("malformed Authorization"))?;
        parts.insert(name.trim(), value.trim());
    }
    let (Some(credential), Some(signed_headers), Some(signature)) = (
        parts.get("Credential"),
        parts.get("SignedHeaders"),
        parts.get("Signature"),
    ) else {
        return Err(incomplete("Credential, SignedHeaders or Signature missing"));
    };
    if *credential != ACCESS_KEY_ID {
        return Err(gateway_error(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        ));
    }

    // Every header V3 covers must be signed, and the signed list must be sorted.
    let signed: Vec<&str> = signed_headers.split(';').collect();
    let mut sorted = signed.clone();
    sorted.sort_unstable();
    if signed != sorted {
        return Err(incomplete("SignedHeaders not sorted"));
    }
    for (name, _) in headers {
        let name = name.as_str();
        let must_sign = name == "host" || name == "content-type" || name.starts_with("x-acs-");
        if must_sign && !signed.contains(&name) {
            return Err(incomplete(&format!("header {name} is not signed")));
        }
    }
    for required in [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-acs-content-sha256",
    ] {
        if !signed.contains(&required) {
            return Err(incomplete(&format!("{required} is not signed")));
        }
    }

    if header("x-acs-action") != Some("SendSms") {
        return Err(gateway_error(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        ));
    }
    if header("x-acs-version") != Some("2017-05-25") {
        return Err(gateway_error(
            StatusCode::BAD_REQUEST,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        ));
    }
    let hashed_payload = sha256_hex(body);
    if header("x-acs-content-sha256") != Some(hashed_payload.as_str()) {
        return Err(gateway_error(
            StatusCode::BAD_REQUEST,
            "ContentSHA256NotMatched",
            "The content sha256 of your request does not match our calculation.",
        ));
    }
    let date = header("x-acs-date")
        .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
        .ok_or_else(|| incomplete("bad x-acs-date"))?;
    if (Utc::now() - date.with_timezone(&Utc)).num_minutes().abs() > 15 {
        return Err(gateway_error(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ));
    }

    // The canonical request, rebuilt from what arrived.
    let mut query: Vec<(String, String)> = Vec::new();
    for pair in uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(name), Some(value)) = (percent_decode(name), percent_decode(value)) else {
            return Err(incomplete("bad query encoding"));
        };
        query.push((name, value));
    }
    let mut encoded: Vec<(String, String)> = query
        .iter()
        .map(|(n, v)| (rfc3986(n), rfc3986(v)))
        .collect();
    encoded.sort();
    let canonical_query = encoded
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let canonical_headers: String = signed
        .iter()
        .map(|name| format!("{name}:{}\n", header(name).unwrap_or("").trim()))
        .collect();
    let canonical_request = format!(
        "{method}\n{}\n{canonical_query}\n{canonical_headers}\n{signed_headers}\n{hashed_payload}",
        uri.path()
    );
    let string_to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        sha256_hex(canonical_request.as_bytes())
    );
    let expected = hex::encode(hmac(
        ACCESS_KEY_SECRET.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    if *signature != expected {
        return Err(gateway_error(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            &format!(
                "Specified signature does not match our calculation. server string to sign is:{string_to_sign}"
            ),
        ));
    }

    // Only a request with a valid signature uses up its nonce.
    let nonce = header("x-acs-signature-nonce").unwrap_or("").to_owned();
    if nonce.is_empty() || !account.nonces.insert(nonce) {
        return Err(gateway_error(
            StatusCode::BAD_REQUEST,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        ));
    }
    Ok(query.into_iter().collect())
}
