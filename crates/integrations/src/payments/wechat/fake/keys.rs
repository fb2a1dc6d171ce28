//! Keys made at run time for tests: the merchant's (which signs requests) and WeChat Pay's
//! (which signs answers and callbacks), either as a platform certificate or as a "WeChat Pay
//! public key" with its `PUB_KEY_ID_…`. No key is ever written to disk or committed.
//!
//! Signing and checking here are written out again on purpose, not taken from the client: a
//! fake that reused the client's signer would agree with any mistake it makes.

use std::fmt;
use std::sync::{Arc, OnceLock};

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use x509_cert::der::pem::{LineEnding, encode_string};

use crate::payments::wechat::WechatPayPublicKey;

/// An RSA-2048 key pair. Cloning shares the key.
#[derive(Clone)]
pub struct TestKey {
    key: Arc<RsaKeyPair>,
    private_key_pem: String,
    public_key_pem: String,
}

impl fmt::Debug for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TestKey(<rsa-2048>)")
    }
}

impl TestKey {
    /// A fresh key (a few tens of milliseconds).
    pub fn generate() -> TestKey {
        let key = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let pkcs8 = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key).expect("PKCS#8");
        let spki: PublicKeyX509Der = key.public_key().as_der().expect("SubjectPublicKeyInfo");
        TestKey {
            private_key_pem: encode_string("PRIVATE KEY", LineEnding::LF, pkcs8.as_ref())
                .expect("PEM"),
            public_key_pem: encode_string("PUBLIC KEY", LineEnding::LF, spki.as_ref())
                .expect("PEM"),
            key: Arc::new(key),
        }
    }

    /// A key the test already has: PKCS#8 PEM (`BEGIN PRIVATE KEY`).
    pub fn from_private_key_pem(pem: &str) -> Result<TestKey, String> {
        let (label, der) = x509_cert::der::pem::decode_vec(pem.trim().as_bytes())
            .map_err(|e| format!("not PEM: {e}"))?;
        if label != "PRIVATE KEY" {
            return Err(format!("a {label} PEM block, not PRIVATE KEY"));
        }
        let key = RsaKeyPair::from_pkcs8(&der).map_err(|e| format!("not an RSA key: {e}"))?;
        let spki: PublicKeyX509Der = key.public_key().as_der().map_err(|e| e.to_string())?;
        Ok(TestKey {
            private_key_pem: pem.trim().to_owned() + "\n",
            public_key_pem: encode_string("PUBLIC KEY", LineEnding::LF, spki.as_ref())
                .map_err(|e| e.to_string())?,
            key: Arc::new(key),
        })
    }

    /// One of a few keys made once per test process, for tests that need a key but not a
    /// new one (`n` picks which).
    pub fn shared(n: usize) -> TestKey {
        static KEYS: [OnceLock<TestKey>; 8] = [const { OnceLock::new() }; 8];
        KEYS[n % KEYS.len()].get_or_init(TestKey::generate).clone()
    }

    /// PKCS#8 PEM, as `apiclient_key.pem`.
    pub fn private_key_pem(&self) -> &str {
        &self.private_key_pem
    }

    /// SubjectPublicKeyInfo PEM, as `pub_key.pem`.
    pub fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    /// base64 of the SHA256-RSA2048 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .expect("RSA signing");
        STANDARD.encode(signature)
    }

    /// Whether `signature_b64` is this key's signature of `message`.
    pub fn verifies(&self, message: &[u8], signature_b64: &str) -> bool {
        let Ok(signature) = STANDARD.decode(signature_b64) else {
            return false;
        };
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, self.key.public_key().as_ref())
            .verify(message, &signature)
            .is_ok()
    }
}

/// How WeChat Pay names the key that signs: a platform certificate, or a WeChat Pay public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifierMode {
    /// `Wechatpay-Serial` is the certificate's serial; the merchant configures the certificate.
    Certificate,
    /// `Wechatpay-Serial` is `PUB_KEY_ID_…`; the merchant configures the public key.
    PublicKey,
}

/// WeChat Pay's signing key and the serial it signs under.
#[derive(Debug, Clone)]
pub struct PlatformKey {
    pub key: TestKey,
    /// A certificate serial (40 uppercase hex characters) or a `PUB_KEY_ID_…`.
    pub serial: String,
    /// The platform certificate, PEM (certificate mode only).
    pub certificate_pem: Option<String>,
}

impl PlatformKey {
    /// A platform certificate for `key`, with a fresh random serial.
    pub fn certificate(key: TestKey) -> PlatformKey {
        let mut serial = [0u8; 20];
        rand::rng().fill(&mut serial);
        // Positive and without a leading zero byte, as the serials WeChat Pay sends.
        serial[0] = 0x10 | (serial[0] & 0x6f);
        let signer =
            rcgen::KeyPair::from_pem_and_sign_algo(key.private_key_pem(), &rcgen::PKCS_RSA_SHA256)
                .expect("rcgen reads the test key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "Tenpay.com Root CA (fake)");
        let certificate = params
            .self_signed(&signer)
            .expect("self-signed certificate");
        PlatformKey {
            key,
            serial: hex::encode_upper(serial),
            certificate_pem: Some(certificate.pem()),
        }
    }

    /// A WeChat Pay public key for `key`, with a fresh `PUB_KEY_ID_…`.
    pub fn public_key(key: TestKey) -> PlatformKey {
        let id: u64 = rand::rng().random_range(10u64.pow(15)..10u64.pow(16));
        PlatformKey {
            key,
            serial: format!("PUB_KEY_ID_01{id}"),
            certificate_pem: None,
        }
    }

    /// A key nobody configured, under a certificate serial nobody knows.
    pub fn stranger() -> PlatformKey {
        PlatformKey {
            key: TestKey::shared(7),
            serial: format!("{}{}", random_nonce(), &random_nonce()[..8]),
            certificate_pem: None,
        }
    }

    pub fn new(key: TestKey, mode: VerifierMode) -> PlatformKey {
        match mode {
            VerifierMode::Certificate => PlatformKey::certificate(key),
            VerifierMode::PublicKey => PlatformKey::public_key(key),
        }
    }

    /// What a merchant configures to trust this key: (certificates, public key).
    pub fn trusted(&self) -> (Vec<String>, Option<WechatPayPublicKey>) {
        match &self.certificate_pem {
            Some(pem) => (vec![pem.clone()], None),
            None => (
                Vec::new(),
                Some(WechatPayPublicKey {
                    key_id: self.serial.clone(),
                    public_key_pem: self.key.public_key_pem().to_owned(),
                }),
            ),
        }
    }

    /// The signature headers for `body` at `timestamp`: `(Wechatpay-Timestamp,
    /// Wechatpay-Nonce, Wechatpay-Signature, Wechatpay-Serial)`.
    pub fn sign_headers(&self, body: &[u8], timestamp: i64) -> SignatureHeaders {
        let nonce = random_nonce();
        let mut message = format!("{timestamp}\n{nonce}\n").into_bytes();
        message.extend_from_slice(body);
        message.push(b'\n');
        SignatureHeaders {
            timestamp: timestamp.to_string(),
            signature: self.key.sign(&message),
            nonce,
            serial: self.serial.clone(),
        }
    }
}

/// The four headers WeChat Pay signs answers and callbacks with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    pub timestamp: String,
    pub nonce: String,
    pub signature: String,
    pub serial: String,
}

impl SignatureHeaders {
    /// `(name, value)` pairs, for an HTTP request or answer.
    pub fn pairs(&self) -> [(&'static str, String); 4] {
        [
            ("Wechatpay-Timestamp", self.timestamp.clone()),
            ("Wechatpay-Nonce", self.nonce.clone()),
            ("Wechatpay-Signature", self.signature.clone()),
            ("Wechatpay-Serial", self.serial.clone()),
        ]
    }
}

/// 32 random uppercase hex characters.
pub(super) fn random_nonce() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode_upper(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_read_back_from_its_pem_signs_as_the_original() {
        let key = TestKey::shared(0);
        let again = TestKey::from_private_key_pem(key.private_key_pem()).unwrap();
        assert_eq!(again.public_key_pem(), key.public_key_pem());
        assert!(key.verifies(b"message", &again.sign(b"message")));
        assert!(!key.verifies(b"another", &again.sign(b"message")));
        assert!(TestKey::from_private_key_pem(key.public_key_pem()).is_err());
    }
}
