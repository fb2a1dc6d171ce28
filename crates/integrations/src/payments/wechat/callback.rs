//! A callback (支付通知 / 退款通知) once its signature is checked: the envelope
//! `{id, create_time, event_type, resource_type, resource, summary}` whose `resource` is
//! encrypted with the APIv3 key (AEAD_AES_256_GCM: `nonce`, `associated_data`, and
//! `ciphertext` = base64 of the encrypted JSON followed by the 16-byte tag).

use std::fmt;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::answers::{Refund, Transaction};
use super::config::WechatPayConfigError;
use crate::payments::{Notification, NotificationError};

/// The only algorithm WeChat Pay encrypts resources with.
pub(super) const ALGORITHM: &str = "AEAD_AES_256_GCM";

/// The APIv3 key, ready to decrypt. `Debug` shows nothing of it.
pub(super) struct ApiV3Key(Aes256Gcm);

impl fmt::Debug for ApiV3Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiV3Key(<redacted>)")
    }
}

impl ApiV3Key {
    pub(super) fn new(raw: &str) -> Result<ApiV3Key, WechatPayConfigError> {
        if raw.len() != 32 {
            return Err(WechatPayConfigError::new(format!(
                "apiv3_key must be exactly 32 bytes, not {}",
                raw.len()
            )));
        }
        Ok(ApiV3Key(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(
            raw.as_bytes(),
        ))))
    }

    /// The plaintext of an encrypted resource.
    pub(super) fn decrypt(&self, resource: &Resource) -> Result<Vec<u8>, NotificationError> {
        if resource.algorithm != ALGORITHM {
            return Err(NotificationError::Malformed(format!(
                "resource.algorithm {:?} is not {ALGORITHM}",
                resource.algorithm
            )));
        }
        if resource.nonce.len() != 12 {
            return Err(NotificationError::Malformed(
                "resource.nonce is not 12 bytes".into(),
            ));
        }
        let ciphertext = STANDARD.decode(&resource.ciphertext).map_err(|_| {
            NotificationError::Malformed("resource.ciphertext is not base64".into())
        })?;
        self.0
            .decrypt(
                Nonce::from_slice(resource.nonce.as_bytes()),
                Payload {
                    msg: &ciphertext,
                    aad: resource.associated_data.as_bytes(),
                },
            )
            .map_err(|_| NotificationError::Decrypt)
    }
}

#[derive(Debug, Deserialize)]
struct Envelope {
    id: Option<String>,
    event_type: String,
    resource: Resource,
}

/// `resource` of a callback.
#[derive(Debug, Deserialize)]
pub(super) struct Resource {
    pub algorithm: String,
    pub ciphertext: String,
    #[serde(default)]
    pub associated_data: String,
    pub nonce: String,
}

/// Reads a verified callback body: decrypts its resource and says what happened. `mchid` is
/// ours: a resource for another merchant is refused.
pub(super) fn read(
    body: &[u8],
    key: &ApiV3Key,
    mchid: &str,
) -> Result<Notification, NotificationError> {
    let malformed = |why: String| NotificationError::Malformed(why);
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|e| malformed(format!("the body is not a WeChat Pay callback: {e}")))?;
    let plaintext = key.decrypt(&envelope.resource)?;
    let id = envelope.id.as_deref().unwrap_or("-");
    let not_ours = |other: &str| {
        malformed(format!(
            "callback {id} is for merchant {other:?}, not for us"
        ))
    };
    match envelope.event_type.as_str() {
        "TRANSACTION.SUCCESS" => {
            let transaction: Transaction = serde_json::from_slice(&plaintext)
                .map_err(|e| malformed(format!("callback {id}: the transaction: {e}")))?;
            if let Some(other) = transaction.mchid.as_deref().filter(|m| *m != mchid) {
                return Err(not_ours(other));
            }
            let order = transaction
                .into_order()
                .map_err(|e| malformed(format!("callback {id}: {e}")))?;
            Ok(Notification::Transaction(order))
        }
        "REFUND.SUCCESS" | "REFUND.ABNORMAL" | "REFUND.CLOSED" => {
            let refund: Refund = serde_json::from_slice(&plaintext)
                .map_err(|e| malformed(format!("callback {id}: the refund: {e}")))?;
            if let Some(other) = refund.mchid.as_deref().filter(|m| *m != mchid) {
                return Err(not_ours(other));
            }
            let refund = refund
                .into_refund()
                .map_err(|e| malformed(format!("callback {id}: {e}")))?;
            Ok(Notification::Refund(refund))
        }
        other => Err(malformed(format!(
            "callback {id} has the unknown event_type {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789ABCDEF";

    fn encrypt(plaintext: &str, aad: &str, nonce: &str) -> String {
        let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(KEY.as_bytes()));
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(nonce.as_bytes()),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .unwrap();
        STANDARD.encode(sealed)
    }

    fn callback(event_type: &str, plaintext: &str) -> Vec<u8> {
        serde_json::json!({
            "id": "EV-2018022511223320873",
            "create_time": "2015-05-20T13:29:35+08:00",
            "resource_type": "encrypt-resource",
            "event_type": event_type,
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": ALGORITHM,
                "ciphertext": encrypt(plaintext, "transaction", "fdasflkja484"),
                "associated_data": "transaction",
                "nonce": "fdasflkja484",
            }
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn the_key_must_be_32_bytes_and_is_not_shown() {
        assert!(ApiV3Key::new("short").is_err());
        let key = ApiV3Key::new(KEY).unwrap();
        assert!(!format!("{key:?}").contains("0123"));
    }

    #[test]
    fn a_payment_callback_decrypts_to_the_order() {
        let plain = r#"{"mchid":"1900000100","out_trade_no":"T20261128001","transaction_id":"4200001",
            "trade_state":"SUCCESS","success_time":"2026-11-28T10:00:00+08:00","amount":{"total":12000}}"#;
        let key = ApiV3Key::new(KEY).unwrap();
        let Notification::Transaction(order) =
            read(&callback("TRANSACTION.SUCCESS", plain), &key, "1900000100").unwrap()
        else {
            panic!("not a transaction");
        };
        assert_eq!(order.out_trade_no, "T20261128001");
        assert_eq!(
            read(&callback("TRANSACTION.SUCCESS", plain), &key, "1900000999"),
            Err(NotificationError::Malformed(
                "callback EV-2018022511223320873 is for merchant \"1900000100\", not for us".into()
            ))
        );
    }

    #[test]
    fn another_key_cannot_decrypt_and_unknown_events_are_malformed() {
        let plain = r#"{"out_trade_no":"T1","trade_state":"SUCCESS"}"#;
        let other = ApiV3Key::new("ffffffffffffffffffffffffffffffff").unwrap();
        assert_eq!(
            read(&callback("TRANSACTION.SUCCESS", plain), &other, "1"),
            Err(NotificationError::Decrypt)
        );
        let key = ApiV3Key::new(KEY).unwrap();
        assert!(matches!(
            read(&callback("MCH.SOMETHING", plain), &key, "1"),
            Err(NotificationError::Malformed(_))
        ));
    }
}
