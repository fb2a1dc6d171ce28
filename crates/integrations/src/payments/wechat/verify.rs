//! Checking what WeChat Pay signed (签名验证): every API answer and every callback carries
//! `Wechatpay-Timestamp`, `Wechatpay-Nonce`, `Wechatpay-Signature` (base64 SHA256-RSA2048 of
//! `timestamp\nnonce\nbody\n`) and `Wechatpay-Serial`, which names the key: a platform
//! certificate's serial (uppercase hex) or a WeChat Pay public key's id (`PUB_KEY_ID_…`).
//! A timestamp more than 5 minutes from our clock is refused, so that an old answer or callback
//! cannot be replayed.

use std::collections::HashMap;

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use x509_cert::Certificate;
use x509_cert::der::{Decode, DecodePem, Encode, pem};
use x509_cert::spki::SubjectPublicKeyInfoRef;

use super::config::{WechatPayConfigError, WechatPayPublicKey};
use crate::payments::NotificationError;

/// How far a signed timestamp may be from our clock, either way.
pub(super) const MAX_SKEW_SECONDS: i64 = 300;

/// `rsaEncryption` (1.2.840.113549.1.1.1): the only key WeChat Pay signs with.
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// The headers and body of a signed message (an answer or a callback).
#[derive(Debug, Clone, Copy)]
pub(super) struct Signed<'a> {
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub signature: &'a str,
    pub serial: &'a str,
    pub body: &'a [u8],
}

/// Why a signed message is not trusted. The same reasons as a callback's, which
/// [`NotificationError`] already names.
pub(super) type VerifyError = NotificationError;

/// The keys WeChat Pay signs with, by the serial it names them with.
pub(super) struct Verifiers {
    keys: HashMap<String, ParsedPublicKey>,
}

impl std::fmt::Debug for Verifiers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut serials: Vec<_> = self.keys.keys().collect();
        serials.sort();
        f.debug_struct("Verifiers")
            .field("serials", &serials)
            .finish()
    }
}

impl Verifiers {
    pub(super) fn new(
        certificates_pem: &[String],
        public_key: Option<&WechatPayPublicKey>,
    ) -> Result<Verifiers, WechatPayConfigError> {
        let mut keys = HashMap::new();
        for (i, pem_text) in certificates_pem.iter().enumerate() {
            let bad = |why: String| {
                WechatPayConfigError::new(format!("platform_certificates_pem[{i}] {why}"))
            };
            let certificate = Certificate::from_pem(pem_text.trim().as_bytes())
                .map_err(|e| bad(format!("is not an X.509 PEM certificate: {e}")))?;
            let serial = serial_hex(certificate.tbs_certificate.serial_number.as_bytes());
            let spki = certificate
                .tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|e| bad(format!("has an unreadable public key: {e}")))?;
            let key = rsa_key(&spki).map_err(bad)?;
            if keys.insert(serial.clone(), key).is_some() {
                return Err(bad(format!("repeats the serial {serial}")));
            }
        }
        if let Some(public_key) = public_key {
            let id = public_key.key_id.trim();
            if !id.starts_with("PUB_KEY_ID_") {
                return Err(WechatPayConfigError::new(format!(
                    "wechatpay_public_key.key_id {id:?} must start with PUB_KEY_ID_"
                )));
            }
            let bad = |why: String| {
                WechatPayConfigError::new(format!("wechatpay_public_key.public_key_pem {why}"))
            };
            let (label, der) = pem::decode_vec(public_key.public_key_pem.trim().as_bytes())
                .map_err(|e| bad(format!("is not a PEM block: {e}")))?;
            if label != "PUBLIC KEY" {
                return Err(bad("must be a \"PUBLIC KEY\" PEM block".into()));
            }
            let key = rsa_key(&der).map_err(bad)?;
            if keys.insert(id.to_owned(), key).is_some() {
                return Err(bad(format!("repeats the serial {id}")));
            }
        }
        if keys.is_empty() {
            return Err(WechatPayConfigError::new(
                "neither platform_certificates_pem nor wechatpay_public_key is set: \
                 nothing WeChat Pay signs could be verified",
            ));
        }
        Ok(Verifiers { keys })
    }

    /// Checks `signed` against the key its serial names and our clock `now`.
    pub(super) fn verify(
        &self,
        signed: &Signed<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), VerifyError> {
        let key = self
            .keys
            .get(&normalise_serial(signed.serial))
            .ok_or_else(|| NotificationError::UnknownSerial(printable(signed.serial)))?;
        let timestamp: i64 = signed.timestamp.parse().map_err(|_| {
            NotificationError::Malformed("Wechatpay-Timestamp is not a number".into())
        })?;
        let signature = STANDARD
            .decode(signed.signature.trim())
            .map_err(|_| NotificationError::BadSignature)?;
        // The timestamp exactly as it arrived: that is what was signed.
        let mut message = format!("{}\n{}\n", signed.timestamp, signed.nonce).into_bytes();
        message.extend_from_slice(signed.body);
        message.push(b'\n');
        key.verify_sig(&message, &signature)
            .map_err(|_| NotificationError::BadSignature)?;
        let skew = now.timestamp() - timestamp;
        if skew.abs() > MAX_SKEW_SECONDS {
            return Err(NotificationError::ClockSkew(skew));
        }
        Ok(())
    }
}

/// A certificate serial as WeChat Pay writes it: uppercase hex without leading zero bytes.
pub(super) fn serial_hex(bytes: &[u8]) -> String {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    hex::encode_upper(&bytes[start..])
}

/// Serials compare as uppercase; a `PUB_KEY_ID_…` is kept as is apart from surrounding space.
fn normalise_serial(raw: &str) -> String {
    let raw = raw.trim();
    if raw.starts_with("PUB_KEY_ID_") {
        raw.to_owned()
    } else {
        raw.trim_start_matches('0').to_ascii_uppercase()
    }
}

/// A serial from the network, safe to put in an error (and so in a log line).
fn printable(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(80)
        .collect()
}

/// An RSA public key (SubjectPublicKeyInfo DER) ready to verify with.
fn rsa_key(spki_der: &[u8]) -> Result<ParsedPublicKey, String> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| format!("has an unreadable public key: {e}"))?;
    if spki.algorithm.oid.to_string() != RSA_ENCRYPTION {
        return Err(format!("holds a {} key, not RSA", spki.algorithm.oid));
    }
    ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki_der)
        .map_err(|e| format!("holds an RSA key that cannot verify signatures: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_uppercase_hex_without_leading_zeros() {
        assert_eq!(serial_hex(&[0x00, 0x51, 0x57, 0xf0]), "5157F0");
        assert_eq!(normalise_serial(" 5157f0 "), "5157F0");
        assert_eq!(normalise_serial("005157F0"), "5157F0");
        assert_eq!(normalise_serial("PUB_KEY_ID_0114232"), "PUB_KEY_ID_0114232");
    }

    #[test]
    fn no_verifier_at_all_is_refused() {
        let err = Verifiers::new(&[], None).unwrap_err();
        assert!(
            err.to_string().contains("platform_certificates_pem"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_certificate_is_named_by_its_position() {
        let err = Verifiers::new(&["not a certificate".into()], None).unwrap_err();
        assert!(
            err.to_string().contains("platform_certificates_pem[0]"),
            "{err}"
        );
    }
}
