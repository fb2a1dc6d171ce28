//! Request signing for the two Chinese SMS providers skillcert can send through, as pure
//! functions: no I/O, no HTTP client, no clock and no randomness. The caller passes the request
//! time and (for Aliyun) the nonce, and gets back the headers to send, `Authorization` included.
//!
//! - [`aliyun`]: Alibaba Cloud OpenAPI signature V3, `ACS3-HMAC-SHA256` (Dysmsapi `SendSms`).
//! - [`tencent`]: Tencent Cloud API 3.0 signature v3, `TC3-HMAC-SHA256` (SMS `SendSms`).
//!
//! Both are verified in their unit tests against the worked examples the providers publish in
//! their signature documentation (fixed keys, time and nonce, expected hex values).

pub mod aliyun;
pub mod tencent;

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// A secret (Aliyun AccessKey secret or STS token, Tencent SecretKey or token). Its `Debug` never prints the
/// value, so a credentials struct can be logged or put in an error without leaking it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw secret, for the HMAC key only.
    fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty: a configuration check, which needs no access to the value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Why a request could not be signed. Signing refuses rather than produce a request the
/// provider would reject, or one whose headers could be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    /// Two headers have the same name once lowercased (e.g. `Host` and `host`).
    #[error("header {0:?} is given more than once")]
    DuplicateHeader(String),
    /// A header name or value holds CR, LF or another control character.
    #[error("header {0:?} has a control character in its name or value")]
    HeaderControlCharacter(String),
    /// A header name is empty or not an HTTP token.
    #[error("header name {0:?} is not a valid HTTP token")]
    InvalidHeaderName(String),
    /// A caller-supplied header would replace one the signer computes itself.
    #[error("header {0:?} is set by the signer and cannot be supplied")]
    ReservedHeader(String),
    /// The Unix timestamp is not representable as a UTC date.
    #[error("timestamp {0} is out of range")]
    TimestampOutOfRange(i64),
}

/// Lowercase hex of SHA-256.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Raw HMAC-SHA256 of `msg` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Checks a caller-supplied header and returns its lowercased name.
pub(crate) fn check_header(name: &str, value: &str) -> Result<String, SigningError> {
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        return Err(SigningError::InvalidHeaderName(name.to_owned()));
    }
    if value.chars().any(|c| c.is_control() && c != '\t') {
        return Err(SigningError::HeaderControlCharacter(name.to_owned()));
    }
    Ok(name.to_ascii_lowercase())
}

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_does_not_print_the_value() {
        let secret = Secret::new("YourAccessKeySecret");
        let shown = format!("{secret:?} {:#?}", secret);
        assert!(!shown.contains("YourAccessKeySecret"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn sha256_of_empty_input_is_the_published_constant() {
        // Both providers' docs give this value as the hash of an empty body.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn header_checks_refuse_injection_and_bad_names() {
        assert_eq!(check_header("X-Acs-Foo", "v").unwrap(), "x-acs-foo");
        assert!(matches!(
            check_header("x-acs-foo", "a\r\nx-evil: 1"),
            Err(SigningError::HeaderControlCharacter(_))
        ));
        assert!(matches!(
            check_header("bad name", "v"),
            Err(SigningError::InvalidHeaderName(_))
        ));
        assert!(matches!(
            check_header("", "v"),
            Err(SigningError::InvalidHeaderName(_))
        ));
    }
}
