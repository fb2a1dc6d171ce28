//! Callbacks as WeChat Pay sends them: the resource encrypted with the APIv3 key
//! (AEAD_AES_256_GCM, a fresh 12-character nonce), the envelope signed by the platform key.
//! Usable without the server, for any test that has to hand a callback to our HTTP endpoint.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use domain::money::Fen;
use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Value, json};

use super::keys::{PlatformKey, SignatureHeaders};
use crate::payments::{IncomingNotification, RefundStatus};

/// A callback ready to send: its headers and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCallback {
    pub headers: SignatureHeaders,
    pub body: Vec<u8>,
}

impl SignedCallback {
    /// As our HTTP layer hands it to `PaymentProvider::verify_notification`.
    pub fn incoming(&self) -> IncomingNotification {
        IncomingNotification {
            timestamp: Some(self.headers.timestamp.clone()),
            nonce: Some(self.headers.nonce.clone()),
            signature: Some(self.headers.signature.clone()),
            serial: Some(self.headers.serial.clone()),
            body: self.body.clone(),
        }
    }

    /// POSTs the callback to `url` as WeChat Pay does; returns the HTTP status and body.
    pub async fn post(&self, url: &str) -> Result<(u16, String), reqwest::Error> {
        let mut request = reqwest::Client::new()
            .post(url)
            .header("Content-Type", "application/json")
            .header("User-Agent", "Mozilla/4.0")
            .body(self.body.clone());
        for (name, value) in self.headers.pairs() {
            request = request.header(name, value);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }
}

/// What to get wrong in a callback, to see it refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackFault {
    /// The signature is of another body.
    BadSignature,
    /// Signed (correctly) at a time this many seconds from now.
    SkewedTimestamp(i64),
    /// Signed by a key the merchant does not know, under a serial it does not know.
    UnknownSerial,
    /// Encrypted with another APIv3 key.
    WrongApiV3Key,
    /// The resource's `amount.total` (or `amount.refund`) is one fen more than the truth.
    WrongAmount,
}

/// Encrypts `resource` with `apiv3_key`, wraps it in the callback envelope for `event_type`
/// and signs it with `platform` at `at`. `original_type` is `transaction` or `refund`.
pub fn signed_callback(
    platform: &PlatformKey,
    apiv3_key: &str,
    event_type: &str,
    resource: &Value,
    at: DateTime<Utc>,
) -> SignedCallback {
    let body = envelope(apiv3_key, event_type, resource, at);
    SignedCallback {
        headers: platform.sign_headers(&body, at.timestamp()),
        body,
    }
}

/// [`signed_callback`] with `fault` applied.
pub fn faulty_callback(
    platform: &PlatformKey,
    apiv3_key: &str,
    event_type: &str,
    resource: &Value,
    at: DateTime<Utc>,
    fault: Option<CallbackFault>,
) -> SignedCallback {
    let mut resource = resource.clone();
    if fault == Some(CallbackFault::WrongAmount) {
        for field in ["total", "refund"] {
            if let Some(n) = resource["amount"][field].as_i64() {
                resource["amount"][field] = json!(n + 1);
            }
        }
    }
    let key = match fault {
        Some(CallbackFault::WrongApiV3Key) => "WRONG-apiv3-key-0123456789abcdef",
        _ => apiv3_key,
    };
    let body = envelope(key, event_type, &resource, at);
    let stranger;
    let signer = match fault {
        Some(CallbackFault::UnknownSerial) => {
            stranger = PlatformKey::stranger();
            &stranger
        }
        _ => platform,
    };
    // The envelope keeps the true time; only the signed timestamp is off.
    let skew = match fault {
        Some(CallbackFault::SkewedTimestamp(seconds)) => seconds,
        _ => 0,
    };
    let mut headers = signer.sign_headers(&body, at.timestamp() + skew);
    if fault == Some(CallbackFault::BadSignature) {
        let mut message = format!("{}\n{}\n", headers.timestamp, headers.nonce).into_bytes();
        message.extend_from_slice(b"{\"another\":\"body\"}\n");
        headers.signature = signer.key.sign(&message);
    }
    SignedCallback { headers, body }
}

/// The resource of a `TRANSACTION.SUCCESS` callback: `out_trade_no` paid.
pub fn transaction_resource(
    out_trade_no: &str,
    transaction_id: &str,
    total: Fen,
    paid_at: DateTime<Utc>,
) -> Value {
    json!({
        "appid": super::APPID,
        "mchid": super::MCHID,
        "out_trade_no": out_trade_no,
        "transaction_id": transaction_id,
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "attach": "",
        "success_time": beijing(paid_at),
        "payer": { "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
        "amount": {
            "total": total.0, "payer_total": total.0,
            "currency": "CNY", "payer_currency": "CNY",
        },
    })
}

/// A refund's callback: its event type (`REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`)
/// and resource. A refund still `PROCESSING` has no callback: `None`.
pub struct RefundResource<'a> {
    pub out_trade_no: &'a str,
    pub transaction_id: &'a str,
    pub out_refund_no: &'a str,
    pub refund_id: &'a str,
    pub status: RefundStatus,
    pub refund: Fen,
    pub total: Fen,
    pub at: DateTime<Utc>,
}

impl RefundResource<'_> {
    pub fn event(&self) -> Option<(&'static str, Value)> {
        let event_type = match self.status {
            RefundStatus::Processing => return None,
            RefundStatus::Success => "REFUND.SUCCESS",
            RefundStatus::Closed => "REFUND.CLOSED",
            RefundStatus::Abnormal => "REFUND.ABNORMAL",
        };
        let mut resource = json!({
            "mchid": super::MCHID,
            "out_trade_no": self.out_trade_no,
            "transaction_id": self.transaction_id,
            "out_refund_no": self.out_refund_no,
            "refund_id": self.refund_id,
            "refund_status": self.status.code(),
            "user_received_account": "支付用户零钱",
            "amount": {
                "total": self.total.0, "refund": self.refund.0,
                "payer_total": self.total.0, "payer_refund": self.refund.0,
            },
        });
        if self.status == RefundStatus::Success {
            resource["success_time"] = json!(beijing(self.at));
        }
        Some((event_type, resource))
    }
}

fn envelope(apiv3_key: &str, event_type: &str, resource: &Value, at: DateTime<Utc>) -> Vec<u8> {
    let original_type = if event_type.starts_with("REFUND") {
        "refund"
    } else {
        "transaction"
    };
    let nonce: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(12)
        .map(char::from)
        .collect();
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(apiv3_key.as_bytes()));
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(nonce.as_bytes()),
            Payload {
                msg: resource.to_string().as_bytes(),
                aad: original_type.as_bytes(),
            },
        )
        .expect("AES-GCM encryption");
    let summary = if original_type == "refund" {
        "退款状态变更"
    } else {
        "支付成功"
    };
    json!({
        "id": format!("EV-{}", super::keys::random_nonce()),
        "create_time": beijing(at),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": summary,
        "resource": {
            "original_type": original_type,
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": STANDARD.encode(sealed),
            "associated_data": original_type,
            "nonce": nonce,
        }
    })
    .to_string()
    .into_bytes()
}

/// RFC 3339 in Beijing time, as WeChat Pay writes instants.
pub(super) fn beijing(at: DateTime<Utc>) -> String {
    let offset = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    at.with_timezone(&offset)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}
