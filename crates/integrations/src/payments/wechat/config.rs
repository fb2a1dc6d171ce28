//! What [`WechatPay`](super::WechatPay) is built from, and the checks made at start-up so that
//! a configuration that cannot work is refused before the first payment.

use std::fmt;
use std::time::Duration;

use reqwest::Url;

/// The production API. (`api2.mch.weixin.qq.com` is WeChat's backup domain.)
pub const DEFAULT_ENDPOINT: &str = "https://api.mch.weixin.qq.com";

/// What [`WechatPay`](super::WechatPay) needs. `Debug` never shows the private key or the
/// APIv3 key.
#[derive(Clone)]
pub struct WechatPayConfig {
    /// Base URL: [`DEFAULT_ENDPOINT`] in production, `http://127.0.0.1:port` in tests.
    pub endpoint: String,
    /// 商户号.
    pub mchid: String,
    /// The AppID the orders are made for.
    pub appid: String,
    /// The merchant API certificate's serial (商户API证书序列号).
    pub merchant_serial_no: String,
    /// The merchant API private key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as in
    /// `apiclient_key.pem`.
    pub merchant_private_key_pem: String,
    /// The APIv3 key (APIv3密钥): exactly 32 bytes.
    pub apiv3_key: String,
    /// WeChat Pay platform certificates (平台证书), X.509 PEM; each is known by its serial.
    pub platform_certificates_pem: Vec<String>,
    /// The WeChat Pay public key (微信支付公钥), which newer merchants have instead of (or
    /// while moving away from) platform certificates.
    pub wechatpay_public_key: Option<WechatPayPublicKey>,
    /// For each whole request, connection included.
    pub timeout: Duration,
}

impl fmt::Debug for WechatPayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WechatPayConfig")
            .field("endpoint", &self.endpoint)
            .field("mchid", &self.mchid)
            .field("appid", &self.appid)
            .field("merchant_serial_no", &self.merchant_serial_no)
            .field("merchant_private_key_pem", &"<redacted>")
            .field("apiv3_key", &"<redacted>")
            .field(
                "platform_certificates_pem",
                &format_args!("[{} certificates]", self.platform_certificates_pem.len()),
            )
            .field("wechatpay_public_key", &self.wechatpay_public_key)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// The WeChat Pay public key and its id, which WeChat sends as `Wechatpay-Serial`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatPayPublicKey {
    /// `PUB_KEY_ID_…`.
    pub key_id: String,
    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), as `pub_key.pem`.
    pub public_key_pem: String,
}

/// A WeChat Pay configuration that cannot work; the message names the setting (never a key).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid WeChat Pay configuration: {0}")]
pub struct WechatPayConfigError(pub String);

impl WechatPayConfigError {
    pub(super) fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }
}

/// The API's base URL, `http(s)://host[:port]`. Paths are signed as WeChat receives them, so
/// an endpoint with a path prefix, query or user info is refused rather than signed wrongly.
#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    /// `scheme://host[:port]`, no trailing slash.
    origin: String,
}

impl Endpoint {
    pub(super) fn parse(raw: &str) -> Result<Endpoint, WechatPayConfigError> {
        let url = Url::parse(raw).map_err(|e| {
            WechatPayConfigError::new(format!("endpoint {raw:?} is not a URL: {e}"))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WechatPayConfigError::new(format!(
                "endpoint {raw:?} must start with https:// (or http:// for a local test server)"
            )));
        }
        if url.path() != "/"
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
            || url.host_str().is_none()
        {
            return Err(WechatPayConfigError::new(format!(
                "endpoint {raw:?} must be only scheme, host and port (no path, query or user)"
            )));
        }
        let origin = url.origin().ascii_serialization();
        Ok(Endpoint { origin })
    }

    /// The URL of `path_and_query` (which starts with `/`), exactly as it is signed.
    pub(super) fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.origin)
    }

    /// Whether `url` is on this endpoint (same scheme, host and port).
    pub(super) fn serves(&self, url: &Url) -> bool {
        url.origin().ascii_serialization() == self.origin
    }
}

/// The HTTP client: the whole request within `timeout`, no redirects (a redirected request no
/// longer matches its signature, and the answer would come from elsewhere).
pub(super) fn http_client(timeout: Duration) -> Result<reqwest::Client, WechatPayConfigError> {
    if timeout.is_zero() {
        return Err(WechatPayConfigError::new(
            "timeout must be more than zero (a few seconds)",
        ));
    }
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            "skillcert/",
            env!("CARGO_PKG_VERSION"),
            " (WechatPay-APIv3)"
        ))
        .build()
        .map_err(|e| WechatPayConfigError::new(format!("cannot build the HTTP client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keeps_the_port_and_refuses_paths_and_other_schemes() {
        let local = Endpoint::parse("http://127.0.0.1:4567").unwrap();
        assert_eq!(local.url("/v3/x?a=1"), "http://127.0.0.1:4567/v3/x?a=1");
        let real = Endpoint::parse("https://api.mch.weixin.qq.com/").unwrap();
        assert_eq!(real.url("/v3/x"), "https://api.mch.weixin.qq.com/v3/x");
        assert!(real.serves(
            &Url::parse("https://api.mch.weixin.qq.com/v3/billdownload/file?token=1").unwrap()
        ));
        assert!(!real.serves(&Url::parse("https://evil.example/v3/billdownload/file").unwrap()));
        for bad in [
            "api.mch.weixin.qq.com",
            "ftp://api.mch.weixin.qq.com",
            "https://api.mch.weixin.qq.com/v3",
            "https://api.mch.weixin.qq.com/?a=1",
            "https://user:pw@api.mch.weixin.qq.com",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn zero_timeout_is_refused() {
        assert!(http_client(Duration::ZERO).is_err());
    }
}
