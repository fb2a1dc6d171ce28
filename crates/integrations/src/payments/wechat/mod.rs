//! WeChat Pay Native (QR code), API v3, for one direct merchant (直连商户).
//!
//! - `client`: the calls (create, query, close, refund, query refund, bill);
//! - `outcome`: what an answer means, verified or not, as a [`PaymentError`](super::PaymentError);
//! - `signing`: the `Authorization` of every request (SHA256-RSA2048 with the merchant key);
//! - `verify`: the `Wechatpay-Signature` of every answer and callback, by `Wechatpay-Serial`:
//!   a platform certificate's serial, or the id of the newer "WeChat Pay public key";
//! - `callback`: a callback's resource decrypted (AEAD_AES_256_GCM with the APIv3 key) and
//!   read;
//! - `bill`: the day's trade bill, checked against its SHA-1 and parsed;
//! - `fake` (feature `fake-wechat-pay`): a local WeChat Pay for tests, here and elsewhere.
//!
//! RSA is aws-lc-rs (`RsaKeyPair::from_pkcs8`, `ParsedPublicKey`), the TLS crypto library's
//! sibling; certificates are read with `x509-cert` for their serial and public key only (the
//! merchant configures the certificates it trusts, so no chain is built).

mod answers;
mod bill;
mod callback;
mod client;
mod config;
mod outcome;
mod signing;
mod verify;

#[cfg(any(test, feature = "fake-wechat-pay"))]
pub mod fake;

pub use client::WechatPay;
pub use config::{DEFAULT_ENDPOINT, WechatPayConfig, WechatPayConfigError, WechatPayPublicKey};
