//! The `Authorization` header of every request (签名生成): the merchant private key signs
//! `METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n` with SHA256-RSA2048 (RSASSA-PKCS1-v1_5), and
//! WeChat Pay finds the key to check it with by `mchid` and `serial_no`.

use std::fmt;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use x509_cert::der::pem;

use super::config::WechatPayConfigError;

/// The authorization scheme, also the name of the signature algorithm.
pub(super) const SCHEME: &str = "WECHATPAY2-SHA256-RSA2048";

/// The merchant's signing key with the numbers that name it. `Debug` shows no key.
pub(super) struct MerchantSigner {
    mchid: String,
    serial_no: String,
    key: RsaKeyPair,
}

impl fmt::Debug for MerchantSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantSigner")
            .field("mchid", &self.mchid)
            .field("serial_no", &self.serial_no)
            .finish_non_exhaustive()
    }
}

impl MerchantSigner {
    pub(super) fn new(
        mchid: &str,
        serial_no: &str,
        private_key_pem: &str,
    ) -> Result<MerchantSigner, WechatPayConfigError> {
        let bad = |why: &str| WechatPayConfigError::new(format!("merchant_private_key_pem {why}"));
        // Neither the PEM nor the parser's message goes into the error: both could quote key
        // material.
        let (label, der) = pem::decode_vec(private_key_pem.trim().as_bytes())
            .map_err(|_| bad("is not a PEM block"))?;
        let key = match label {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            // `openssl genrsa` without `-traditional` makes PKCS#8, but older tools write
            // PKCS#1; the key is the same.
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            _ => return Err(bad("must be a PKCS#8 \"PRIVATE KEY\" PEM block")),
        }
        .map_err(|_| bad("is not an RSA private key of 2048 bits or more"))?;
        Ok(MerchantSigner {
            mchid: mchid.to_owned(),
            serial_no: serial_no.to_owned(),
            key,
        })
    }

    /// The `Authorization` value for a request.
    pub(super) fn authorization(
        &self,
        method: &str,
        path_and_query: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> Result<String, String> {
        let message = request_message(method, path_and_query, timestamp, nonce, body);
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                &message,
                &mut signature,
            )
            .map_err(|_| "the merchant key cannot sign".to_owned())?;
        Ok(format!(
            "{SCHEME} mchid=\"{}\",nonce_str=\"{nonce}\",signature=\"{}\",timestamp=\"{timestamp}\",serial_no=\"{}\"",
            self.mchid,
            STANDARD.encode(signature),
            self.serial_no
        ))
    }
}

/// What the merchant signs: `METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n` (an empty body for
/// GET, so the message ends with two newlines).
pub(super) fn request_message(
    method: &str,
    path_and_query: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut message = format!("{method}\n{path_and_query}\n{timestamp}\n{nonce}\n").into_bytes();
    message.extend_from_slice(body);
    message.push(b'\n');
    message
}

/// A fresh request nonce: 32 uppercase hex characters (128 random bits).
pub(super) fn nonce() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode_upper(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_message_ends_every_part_with_a_newline() {
        assert_eq!(
            request_message(
                "GET",
                "/v3/certificates",
                1554208460,
                "593BEC0C930BF1AFEB40B4A08C8FB242",
                b""
            ),
            b"GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n".to_vec()
        );
        assert_eq!(
            request_message("POST", "/v3/x", 1, "n", br#"{"a":1}"#),
            b"POST\n/v3/x\n1\nn\n{\"a\":1}\n".to_vec()
        );
    }

    #[test]
    fn nonces_are_32_hex_characters_and_differ() {
        let (a, b) = (nonce(), nonce());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn a_key_that_is_not_pem_is_refused_without_quoting_it() {
        let err = MerchantSigner::new("1", "S", "secret-material-not-a-key").unwrap_err();
        assert!(
            err.to_string().contains("merchant_private_key_pem"),
            "{err}"
        );
        assert!(!err.to_string().contains("secret-material"), "{err}");
    }
}
