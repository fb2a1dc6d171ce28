//! What both fake servers and the tests share. The hashing and encoding here are written out
//! again on purpose, not taken from the crate's signer: a fake server that reused the signer
//! would agree with any mistake the signer makes.

use std::time::Duration;

use axum::Router;
use domain::identity::phone::Phone;
use hmac::{Hmac, Mac};
use integrations::sms::SmsMessage;
use sha2::{Digest, Sha256};

pub const PHONE: &str = "13800138000";

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// RFC 3986 percent-encoding: only `A-Z a-z 0-9 - _ . ~` stay as they are.
pub fn rfc3986(input: &str) -> String {
    input
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Decodes `%XX` escapes (and `+` as a space, as a form decoder would: the client must never
/// send `+` for a space, and if it did, the re-encoded query would not match its signature).
pub fn percent_decode(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = input.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A free local port to serve on, and its `host:port` (what `Host` must say).
pub async fn bind() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    (listener, address)
}

/// Serves `router` on `listener` until the test ends.
pub fn serve(listener: tokio::net::TcpListener, router: Router) {
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
}

/// What a front end answers for a `Host` it does not serve.
pub fn unknown_host() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        axum::http::StatusCode::NOT_FOUND,
        [(axum::http::header::CONTENT_TYPE, "text/html")],
        "<html><body>404 Not Found: no such host</body></html>",
    )
        .into_response()
}

/// A local address nothing listens on.
pub async fn unreachable_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}")
}

/// A sign-up code message, as the accounts feature sends it.
pub fn code_message(phone: &str, code: &str, dedupe_key: Option<&str>) -> SmsMessage {
    let mut params = serde_json::Map::new();
    params.insert("code".into(), code.into());
    params.insert("minutes".into(), 5.into());
    SmsMessage {
        phone: Phone::parse(phone).unwrap(),
        template: "verification_code".into(),
        params,
        text: format!("您的验证码是 {code}，5 分钟内有效。"),
        dedupe_key: dedupe_key.map(str::to_owned),
    }
}

pub const TIMEOUT: Duration = Duration::from_secs(5);
