//! What the Aliyun and Tencent clients share: the endpoint, the HTTP client, turning a
//! message's parameters into the strings both providers take, and keeping the phone number out
//! of errors (errors end up in logs and in the job table).

use std::time::Duration;

use domain::identity::phone::Phone;
use reqwest::Url;

use super::SmsError;

/// A provider configuration that cannot work; reported at start-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid SMS provider configuration: {0}")]
pub struct SmsConfigError(pub String);

/// A provider's base URL, `http(s)://host[:port]`. Both signatures sign the path `/` (Tencent's
/// canonical URI is always `/`), so an endpoint with a path, query or user info is refused
/// rather than signed wrongly.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    url: Url,
    authority: String,
}

impl Endpoint {
    pub(crate) fn parse(raw: &str) -> Result<Endpoint, SmsConfigError> {
        let url = Url::parse(raw)
            .map_err(|e| SmsConfigError(format!("endpoint {raw:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(SmsConfigError(format!(
                "endpoint {raw:?} must start with https:// (or http:// for a local test server)"
            )));
        }
        if url.path() != "/"
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(SmsConfigError(format!(
                "endpoint {raw:?} must be only scheme, host and port (no path, query or user)"
            )));
        }
        let host = url
            .host_str()
            .ok_or_else(|| SmsConfigError(format!("endpoint {raw:?} has no host")))?;
        // `Url::port` is `None` for the scheme's default port, exactly when the HTTP client
        // leaves the port out of `Host`; the signed host must be that same string.
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        Ok(Endpoint { url, authority })
    }

    /// `host[:port]`, as sent in (and signed as) the `Host` header.
    pub(crate) fn authority(&self) -> &str {
        &self.authority
    }

    /// `scheme://authority/`, followed by `?query` when the query is not empty. The query must
    /// already be percent-encoded (it is sent exactly as it was signed).
    pub(crate) fn url_with_query(&self, query: &str) -> String {
        if query.is_empty() {
            self.url.as_str().to_owned()
        } else {
            format!("{}?{query}", self.url.as_str())
        }
    }
}

/// An HTTP client for one provider: the whole request (connect, send, read) within `timeout`,
/// no redirects (a redirected request would no longer match its signature).
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, SmsConfigError> {
    if timeout.is_zero() {
        return Err(SmsConfigError(
            "the timeout must be at least one second".into(),
        ));
    }
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("skillcert/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SmsConfigError(format!("cannot build the HTTP client: {e}")))
}

/// A failure to reach the provider or read its answer: worth retrying.
pub(crate) fn transport_error(provider: &str, e: reqwest::Error) -> SmsError {
    // The URL carries the query string, which for Aliyun holds the phone number.
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    SmsError::Unavailable(format!("{provider}: {text}"))
}

/// A template parameter as the text providers take (both want strings): a string as is, a
/// number or boolean written out. Anything else is a bug in the caller: refused.
pub(crate) fn param_text(
    template: &str,
    name: &str,
    value: &serde_json::Value,
) -> Result<String, SmsError> {
    match value {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        _ => Err(SmsError::Refused(format!(
            "parameter `{name}` of template `{template}` must be text, a number or a boolean"
        ))),
    }
}

/// The refusal for a message whose template this provider has no mapping for.
pub(crate) fn unknown_template(provider: &str, template: &str) -> SmsError {
    SmsError::Refused(format!(
        "no {provider} template is configured for our template `{template}`: \
         add it to the provider's template map"
    ))
}

/// Provider messages may echo the number back; errors are logged, so mask it.
pub(crate) fn scrub(text: &str, phone: &Phone) -> String {
    text.replace(phone.as_str(), &phone.masked())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keeps_a_non_default_port_in_the_signed_host() {
        let local = Endpoint::parse("http://127.0.0.1:4567").unwrap();
        assert_eq!(local.authority(), "127.0.0.1:4567");
        assert_eq!(
            local.url_with_query("A=1&B=%20"),
            "http://127.0.0.1:4567/?A=1&B=%20"
        );
        let real = Endpoint::parse("https://dysmsapi.aliyuncs.com:443/").unwrap();
        assert_eq!(real.authority(), "dysmsapi.aliyuncs.com");
        assert_eq!(real.url_with_query(""), "https://dysmsapi.aliyuncs.com/");
    }

    #[test]
    fn endpoint_refuses_paths_queries_users_and_other_schemes() {
        for bad in [
            "dysmsapi.aliyuncs.com",
            "ftp://dysmsapi.aliyuncs.com",
            "https://dysmsapi.aliyuncs.com/v1",
            "https://dysmsapi.aliyuncs.com/?a=1",
            "https://user:pw@dysmsapi.aliyuncs.com",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn parameters_become_text_and_structures_are_refused() {
        let text = |v: serde_json::Value| param_text("t", "p", &v);
        assert_eq!(text("123456".into()).unwrap(), "123456");
        assert_eq!(text(5.into()).unwrap(), "5");
        assert_eq!(text(true.into()).unwrap(), "true");
        assert!(matches!(
            text(serde_json::json!({"a": 1})),
            Err(SmsError::Refused(_))
        ));
        assert!(matches!(
            text(serde_json::Value::Null),
            Err(SmsError::Refused(_))
        ));
    }

    #[test]
    fn scrub_masks_the_number_however_it_is_prefixed() {
        let phone = Phone::parse("13800138000").unwrap();
        assert_eq!(
            scrub("+8613800138000 is invalid", &phone),
            "+86138****8000 is invalid"
        );
    }

    #[test]
    fn zero_timeout_is_refused() {
        assert!(http_client(Duration::ZERO).is_err());
        assert!(http_client(Duration::from_secs(5)).is_ok());
    }
}
