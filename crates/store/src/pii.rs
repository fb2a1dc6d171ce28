//! Personal identifiers (ID numbers, phone numbers) at rest: encrypted with AES-256-GCM so that a
//! copy of the database reveals nothing, and fingerprinted with a keyed HMAC so that we can still
//! look an account up and keep identifiers unique without decrypting every row.
//!
//! Both keys are derived (HKDF-SHA256) from one 32-byte master secret, with distinct labels, so
//! the fingerprint key never doubles as the cipher key.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The first byte of every ciphertext, so that keys can be rotated later.
const FORMAT_V1: u8 = 1;
const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct Pii {
    cipher: Aes256Gcm,
    fingerprint_key: [u8; 32],
}

impl std::fmt::Debug for Pii {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pii(keys redacted)")
    }
}

#[derive(Debug, thiserror::Error)]
#[error("stored personal data cannot be decrypted with the configured secret key")]
pub struct DecryptError;

impl Pii {
    pub fn new(master_secret: &[u8; 32]) -> Pii {
        let hk = Hkdf::<Sha256>::new(Some(b"skillcert"), master_secret);
        let mut enc = [0u8; 32];
        let mut fp = [0u8; 32];
        hk.expand(b"pii-encryption-v1", &mut enc)
            .expect("32 bytes is a valid HKDF length");
        hk.expand(b"pii-fingerprint-v1", &mut fp)
            .expect("32 bytes is a valid HKDF length");
        Pii {
            cipher: Aes256Gcm::new(&enc.into()),
            fingerprint_key: fp,
        }
    }

    /// A stable keyed fingerprint of `value` within `kind` ("phone", "id_number", …), as hex.
    pub fn fingerprint(&self, kind: &str, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.fingerprint_key)
            .expect("HMAC takes any key length");
        mac.update(kind.as_bytes());
        mac.update(b":");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn encrypt(&self, plaintext: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .expect("AES-GCM encryption of a short string cannot fail");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn decrypt(&self, stored: &[u8]) -> Result<String, DecryptError> {
        if stored.len() < 1 + NONCE_LEN || stored[0] != FORMAT_V1 {
            return Err(DecryptError);
        }
        let (nonce, sealed) = stored[1..].split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| DecryptError)?;
        String::from_utf8(plain).map_err(|_| DecryptError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_values_round_trip_and_never_repeat() {
        let pii = Pii::new(&[7; 32]);
        let a = pii.encrypt("13800138000");
        let b = pii.encrypt("13800138000");
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.windows(11).any(|w| w == b"13800138000"));
        assert_eq!(pii.decrypt(&a).unwrap(), "13800138000");
    }

    #[test]
    fn another_key_cannot_decrypt_and_fingerprints_differ() {
        let a = Pii::new(&[1; 32]);
        let b = Pii::new(&[2; 32]);
        let sealed = a.encrypt("110101199003074578");
        assert!(b.decrypt(&sealed).is_err());
        assert_ne!(
            a.fingerprint("phone", "13800138000"),
            b.fingerprint("phone", "13800138000")
        );
        assert_ne!(
            a.fingerprint("phone", "13800138000"),
            a.fingerprint("id_number", "13800138000")
        );
    }

    #[test]
    fn tampered_ciphertext_is_refused() {
        let pii = Pii::new(&[3; 32]);
        let mut sealed = pii.encrypt("13800138000");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(pii.decrypt(&sealed).is_err());
    }
}
