//! The fake's HTTP side: the `Authorization` check, the API's endpoints over the ledger, and
//! signing what it answers (or getting that wrong, as told).

use std::sync::Arc;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

use super::callbacks::beijing;
use super::keys::{PlatformKey, random_nonce};
use super::{
    APPID, AnswerFault, FakeOrder, FakeRefund, Ledger, MCHID, MERCHANT_SERIAL_NO, RefusedRequest,
    Shared, now_seconds,
};

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// What an endpoint answers, before signing.
enum Answer {
    /// JSON (or an empty body for 204), signed.
    Api(StatusCode, Vec<u8>),
    /// The bill file: not signed.
    File(Vec<u8>),
}

fn ok(body: Value) -> Answer {
    Answer::Api(StatusCode::OK, body.to_string().into_bytes())
}

fn error(status: u16, code: &str, message: &str) -> Answer {
    Answer::Api(
        StatusCode::from_u16(status).expect("a status"),
        json!({ "code": code, "message": message })
            .to_string()
            .into_bytes(),
    )
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path_and_query = uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| uri.path().to_owned());
    let fault = {
        let mut ledger = shared.ledger();
        ledger.seen.push(format!("{method} {path_and_query}"));
        ledger.fault
    };
    if let Err(reason) = check_request(&shared, &method, &path_and_query, &headers, &body) {
        shared.ledger().refused.push(RefusedRequest {
            method: method.to_string(),
            path_and_query,
            code: "SIGN_ERROR".into(),
            reason,
        });
        // WeChat Pay does not sign the answer to a request it could not authenticate.
        return respond(
            StatusCode::UNAUTHORIZED,
            json!({"code": "SIGN_ERROR", "message": "签名错误，请检查后再试"})
                .to_string()
                .into_bytes(),
            None,
        );
    }
    if let Some(AnswerFault::Delay(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    let answer = match fault {
        Some(AnswerFault::ServerError) => error(500, "SYSTEM_ERROR", "系统错误"),
        Some(AnswerFault::Throttled) => error(429, "FREQUENCY_LIMITED", "频率超限"),
        _ => {
            let mut ledger = shared.ledger();
            route(&shared, &mut ledger, &method, &uri, &body, fault)
        }
    };
    match answer {
        Answer::File(file) => {
            let mut response = Response::new(Body::from(file));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain;charset=utf-8"),
            );
            response
        }
        Answer::Api(status, body) => {
            let signature = sign(&shared.platform, &body, fault);
            respond(status, body, signature)
        }
    }
}

/// The signature headers of an answer, got wrong as `fault` says (`None`: unsigned).
fn sign(
    platform: &PlatformKey,
    body: &[u8],
    fault: Option<AnswerFault>,
) -> Option<[(&'static str, String); 4]> {
    let now = Utc::now().timestamp();
    let headers = match fault {
        Some(AnswerFault::Unsigned) => return None,
        Some(AnswerFault::UnknownSerial) => PlatformKey::stranger().sign_headers(body, now),
        Some(AnswerFault::SkewedTimestamp(seconds)) => platform.sign_headers(body, now + seconds),
        Some(AnswerFault::BadSignature) => {
            let mut headers = platform.sign_headers(body, now);
            let mut tampered = body.to_vec();
            tampered.extend_from_slice(b" ");
            headers.signature = platform.sign_headers(&tampered, now).signature;
            headers
        }
        _ => platform.sign_headers(body, now),
    };
    Some(headers.pairs())
}

fn respond(
    status: StatusCode,
    body: Vec<u8>,
    signature: Option<[(&'static str, String); 4]>,
) -> Response {
    let has_body = !body.is_empty();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if has_body {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    headers.insert(
        "Request-ID",
        HeaderValue::from_str(&format!("08F1{}", random_nonce())).expect("ASCII"),
    );
    for (name, value) in signature.into_iter().flatten() {
        headers.insert(name, HeaderValue::from_str(&value).expect("ASCII"));
    }
    response
}

/// The gateway's checks: `Authorization` well formed, for our merchant and its certificate,
/// recent, and signed by the merchant key over what arrived.
fn check_request(
    shared: &Shared,
    method: &Method,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), String> {
    let text = |name: header::HeaderName| headers.get(&name).and_then(|v| v.to_str().ok());
    if text(header::USER_AGENT).is_none_or(str::is_empty) {
        return Err("no User-Agent".into());
    }
    if !text(header::ACCEPT).is_some_and(|a| a.contains("application/json")) {
        return Err("Accept is not application/json".into());
    }
    let authorization = text(header::AUTHORIZATION).ok_or("no Authorization")?;
    let parameters = authorization
        .strip_prefix("WECHATPAY2-SHA256-RSA2048 ")
        .ok_or("Authorization is not WECHATPAY2-SHA256-RSA2048")?;
    let mut fields = std::collections::BTreeMap::new();
    for part in parameters.split(',') {
        let (name, value) = part.split_once('=').ok_or("Authorization part without =")?;
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or("Authorization value not quoted")?;
        if fields.insert(name.trim(), value).is_some() {
            return Err(format!("Authorization repeats {name}"));
        }
    }
    let field = |name: &str| {
        fields
            .get(name)
            .copied()
            .ok_or_else(|| format!("Authorization lacks {name}"))
    };
    if field("mchid")? != MCHID {
        return Err("another merchant's mchid".into());
    }
    if field("serial_no")? != MERCHANT_SERIAL_NO {
        return Err("unknown merchant certificate serial_no".into());
    }
    let nonce = field("nonce_str")?;
    if nonce.is_empty() {
        return Err("empty nonce_str".into());
    }
    let timestamp = field("timestamp")?;
    let seconds: i64 = timestamp.parse().map_err(|_| "timestamp is not a number")?;
    if (Utc::now().timestamp() - seconds).abs() > 300 {
        return Err("timestamp more than 5 minutes off".into());
    }
    let mut message = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    if !shared.merchant.verifies(&message, field("signature")?) {
        return Err("the signature does not verify with the merchant public key".into());
    }
    Ok(())
}

fn route(
    shared: &Shared,
    ledger: &mut Ledger,
    method: &Method,
    uri: &Uri,
    body: &[u8],
    fault: Option<AnswerFault>,
) -> Answer {
    let path = uri.path();
    let query = |name: &str| {
        uri.query().unwrap_or("").split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", ["v3", "pay", "transactions", "native"]) => create(ledger, body),
        ("GET", ["v3", "pay", "transactions", "out-trade-no", out_trade_no]) => {
            if query("mchid").as_deref() != Some(MCHID) {
                return error(400, "PARAM_ERROR", "mchid 参数错误");
            }
            match ledger.orders.get(*out_trade_no) {
                Some(order) => ok(transaction_json(order)),
                None => error(404, "ORDER_NOT_EXIST", "订单不存在"),
            }
        }
        (
            "POST",
            [
                "v3",
                "pay",
                "transactions",
                "out-trade-no",
                out_trade_no,
                "close",
            ],
        ) => close(ledger, out_trade_no, body),
        ("POST", ["v3", "refund", "domestic", "refunds"]) => refund(ledger, body),
        ("GET", ["v3", "refund", "domestic", "refunds", out_refund_no]) => {
            match ledger.refunds.get(*out_refund_no) {
                Some(refund) => ok(refund_json(refund)),
                None => error(404, "RESOURCE_NOT_EXISTS", "退款单不存在"),
            }
        }
        ("GET", ["v3", "bill", "tradebill"]) => bill(
            shared,
            ledger,
            query("bill_date"),
            query("bill_type"),
            fault == Some(AnswerFault::TamperedBill),
        ),
        ("GET", ["v3", "billdownload", "file"]) => {
            match query("token").and_then(|token| ledger.bill_files.get(&token)) {
                Some(file) => Answer::File(file.clone()),
                None => error(400, "INVALID_REQUEST", "下载链接已失效"),
            }
        }
        _ => error(404, "INVALID_REQUEST", "no such API in the fake"),
    }
}

fn create(ledger: &mut Ledger, body: &[u8]) -> Answer {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error(400, "PARAM_ERROR", "请求体不是 JSON");
    };
    let text = |name: &str| request[name].as_str().unwrap_or("").to_owned();
    let (out_trade_no, time_expire) = (text("out_trade_no"), text("time_expire"));
    let total = request["amount"]["total"].as_i64().unwrap_or(0);
    let problems = [
        (text("appid") != APPID, "appid 与商户号不匹配"),
        (text("mchid") != MCHID, "mchid 错误"),
        (text("description").is_empty(), "description 为空"),
        (
            !(6..=32).contains(&out_trade_no.len()),
            "out_trade_no 长度错误",
        ),
        (
            DateTime::parse_from_rfc3339(&time_expire).is_err() || !time_expire.ends_with("+08:00"),
            "time_expire 格式错误",
        ),
        (
            !text("notify_url").starts_with("http"),
            "notify_url 格式错误",
        ),
        (total <= 0, "amount.total 错误"),
        (
            request["amount"]["currency"] != "CNY",
            "amount.currency 错误",
        ),
    ];
    if let Some((_, problem)) = problems.iter().find(|(bad, _)| *bad) {
        return error(400, "PARAM_ERROR", problem);
    }
    if let Some(order) = ledger.orders.get(&out_trade_no) {
        return match order.trade_state.as_str() {
            "SUCCESS" | "REFUND" => error(400, "ORDERPAID", "该订单已支付"),
            "CLOSED" => error(400, "ORDER_CLOSED", "订单已关闭"),
            _ if order.total != total => error(400, "OUT_TRADE_NO_USED", "商户订单号重复"),
            _ => ok(json!({ "code_url": order.code_url })),
        };
    }
    let code_url = format!("weixin://wxpay/bizpayurl?pr={}", &random_nonce()[..7]);
    ledger.orders.insert(
        out_trade_no.clone(),
        FakeOrder {
            out_trade_no,
            description: text("description"),
            total,
            notify_url: text("notify_url"),
            time_expire,
            code_url: code_url.clone(),
            trade_state: "NOTPAY".into(),
            transaction_id: None,
            success_time: None,
        },
    );
    ok(json!({ "code_url": code_url }))
}

fn close(ledger: &mut Ledger, out_trade_no: &str, body: &[u8]) -> Answer {
    let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if request["mchid"] != MCHID {
        return error(400, "PARAM_ERROR", "mchid 错误");
    }
    let Some(order) = ledger.orders.get_mut(out_trade_no) else {
        return error(404, "ORDER_NOT_EXIST", "订单不存在");
    };
    match order.trade_state.as_str() {
        "NOTPAY" => {
            order.trade_state = "CLOSED".into();
            Answer::Api(StatusCode::NO_CONTENT, Vec::new())
        }
        "CLOSED" => error(400, "ORDER_CLOSED", "订单已关闭"),
        _ => error(400, "ORDERPAID", "订单已支付"),
    }
}

fn refund(ledger: &mut Ledger, body: &[u8]) -> Answer {
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error(400, "PARAM_ERROR", "请求体不是 JSON");
    };
    let out_trade_no = request["out_trade_no"].as_str().unwrap_or("").to_owned();
    let out_refund_no = request["out_refund_no"].as_str().unwrap_or("").to_owned();
    let amount = &request["amount"];
    let (refund, total) = (
        amount["refund"].as_i64().unwrap_or(0),
        amount["total"].as_i64().unwrap_or(0),
    );
    if out_refund_no.is_empty() || amount["currency"] != "CNY" || refund <= 0 {
        return error(400, "PARAM_ERROR", "参数错误");
    }
    if let Some(existing) = ledger.refunds.get(&out_refund_no) {
        // The same refund asked again: the same answer, never a second refund.
        return if existing.out_trade_no == out_trade_no && existing.refund == refund {
            ok(refund_json(existing))
        } else {
            error(400, "INVALID_REQUEST", "退款单号已用于另一笔退款")
        };
    }
    let Some(order) = ledger.orders.get(&out_trade_no) else {
        return error(404, "RESOURCE_NOT_EXISTS", "订单不存在");
    };
    let Some(transaction_id) = order.transaction_id.clone() else {
        return error(400, "INVALID_REQUEST", "订单未支付，不能退款");
    };
    if order.total != total {
        return error(400, "PARAM_ERROR", "订单金额与原订单不一致");
    }
    let refunded: i64 = ledger
        .refunds
        .values()
        .filter(|r| r.out_trade_no == out_trade_no && r.status != "CLOSED")
        .map(|r| r.refund)
        .sum();
    if refunded + refund > total {
        return error(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额");
    }
    ledger.next_number += 1;
    let created = now_seconds();
    let record = FakeRefund {
        out_trade_no: out_trade_no.clone(),
        transaction_id,
        out_refund_no: out_refund_no.clone(),
        refund_id: format!("50000{:024}", ledger.next_number),
        refund,
        total,
        reason: request["reason"].as_str().unwrap_or("").to_owned(),
        status: "PROCESSING".into(),
        created,
        success_time: None,
    };
    let answer = ok(refund_json(&record));
    ledger.refunds.insert(out_refund_no, record);
    if let Some(order) = ledger.orders.get_mut(&out_trade_no) {
        order.trade_state = "REFUND".into();
    }
    answer
}

fn bill(
    shared: &Shared,
    ledger: &mut Ledger,
    bill_date: Option<String>,
    bill_type: Option<String>,
    tampered: bool,
) -> Answer {
    let Some(date) = bill_date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()) else {
        return error(400, "PARAM_ERROR", "bill_date 格式错误");
    };
    if bill_type.as_deref() != Some("ALL") {
        return error(400, "PARAM_ERROR", "the fake has only bill_type=ALL");
    }
    let file = super::bill_file::bill_file(ledger, date);
    let Some(file) = file else {
        return error(400, "NO_STATEMENT_EXIST", "账单文件不存在");
    };
    let hash_value = hex::encode(digest(&SHA1_FOR_LEGACY_USE_ONLY, &file));
    let served = if tampered {
        String::from_utf8(file)
            .expect("UTF-8")
            .replacen("`SUCCESS", "`SUCCESS ", 1)
            .into_bytes()
    } else {
        file
    };
    let token = random_nonce();
    ledger.bill_files.insert(token.clone(), served);
    ok(json!({
        "hash_type": "SHA1",
        "hash_value": hash_value,
        "download_url": format!("{}/v3/billdownload/file?token={token}", shared.base_url),
    }))
}

/// An order as the query answers it (and as a payment callback's resource carries it).
fn transaction_json(order: &FakeOrder) -> Value {
    let mut answer = json!({
        "appid": APPID,
        "mchid": MCHID,
        "out_trade_no": order.out_trade_no,
        "trade_type": "NATIVE",
        "trade_state": order.trade_state,
        "trade_state_desc": match order.trade_state.as_str() {
            "NOTPAY" => "未支付",
            "SUCCESS" => "支付成功",
            "REFUND" => "转入退款",
            _ => "订单已关闭",
        },
        "attach": "",
        "amount": { "total": order.total, "currency": "CNY" },
    });
    if let (Some(transaction_id), Some(at)) = (&order.transaction_id, &order.success_time) {
        answer["transaction_id"] = json!(transaction_id);
        answer["success_time"] = json!(beijing(*at));
        answer["bank_type"] = json!("OTHERS");
        answer["payer"] = json!({ "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" });
        answer["amount"] = json!({
            "total": order.total, "payer_total": order.total,
            "currency": "CNY", "payer_currency": "CNY",
        });
    }
    answer
}

/// A refund as the refund API answers it.
fn refund_json(refund: &FakeRefund) -> Value {
    let mut answer = json!({
        "refund_id": refund.refund_id,
        "out_refund_no": refund.out_refund_no,
        "transaction_id": refund.transaction_id,
        "out_trade_no": refund.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "create_time": beijing(refund.created),
        "status": refund.status,
        "funds_account": "AVAILABLE",
        "amount": {
            "total": refund.total, "refund": refund.refund,
            "payer_total": refund.total, "payer_refund": refund.refund,
            "settlement_refund": refund.refund, "settlement_total": refund.total,
            "discount_refund": 0, "currency": "CNY",
        },
    });
    if let Some(at) = refund.success_time {
        answer["success_time"] = json!(beijing(at));
    }
    answer
}
