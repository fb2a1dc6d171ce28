//! Alibaba Cloud SMS: Dysmsapi `SendSms` (version 2017-05-25, RPC style: the parameters travel
//! in the query string of a `POST /` with an empty body), signed ACS3-HMAC-SHA256 by
//! [`crate::sms_signing::aliyun`].
//!
//! The answer is JSON: `{"Code":"OK","Message":"OK","BizId":"…","RequestId":"…"}` on success;
//! a business refusal has the same shape with another `Code` (e.g. `isv.BUSINESS_LIMIT_CONTROL`,
//! HTTP 200); the gateway's own refusals (`SignatureDoesNotMatch`, `Throttling.User`, …) come
//! with a 4xx/5xx status and `Code`, `Message`, `RequestId`, `HostId`, `Recommend`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use domain::identity::phone::Phone;
use rand::RngCore;
use serde::Deserialize;

use super::provider::{
    Endpoint, http_client, param_text, scrub, transport_error, unknown_template,
};
use super::{SmsConfigError, SmsError, SmsMessage, SmsSender};
use crate::sms_signing::Secret;
use crate::sms_signing::aliyun::{AliyunCredentials, AliyunRequest, SendSmsParams, sign};

/// The public Dysmsapi endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com";

/// What [`AliyunSms`] needs. `Debug` never shows the AccessKey secret.
#[derive(Clone)]
pub struct AliyunSmsConfig {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    /// The approved signature name (签名名称), e.g. `技能认证中心`.
    pub sign_name: String,
    /// Base URL; [`DEFAULT_ENDPOINT`] in production, a local server in tests.
    pub endpoint: String,
    /// For the whole request, connection included.
    pub timeout: Duration,
    /// Our template name (`verification_code`) → Aliyun template code (`SMS_154950909`).
    pub templates: BTreeMap<String, String>,
}

impl fmt::Debug for AliyunSmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AliyunSmsConfig")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("sign_name", &self.sign_name)
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .field("templates", &self.templates)
            .finish()
    }
}

/// Sends through Aliyun. Build once and share: it holds a connection pool.
pub struct AliyunSms {
    credentials: AliyunCredentials,
    sign_name: String,
    templates: BTreeMap<String, String>,
    endpoint: Endpoint,
    client: reqwest::Client,
}

impl fmt::Debug for AliyunSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AliyunSms")
            .field("access_key_id", &self.credentials.access_key_id)
            .field("sign_name", &self.sign_name)
            .field("endpoint", &self.endpoint.authority())
            .field("templates", &self.templates)
            .finish_non_exhaustive()
    }
}

impl AliyunSms {
    pub fn new(config: AliyunSmsConfig) -> Result<AliyunSms, SmsConfigError> {
        let missing = |what: &str| SmsConfigError(format!("aliyun: {what} is empty"));
        if config.access_key_id.trim().is_empty() {
            return Err(missing("the AccessKey id"));
        }
        if config.access_key_secret.is_empty() {
            return Err(missing("the AccessKey secret"));
        }
        if config.sign_name.trim().is_empty() {
            return Err(missing("the sign name"));
        }
        if let Some((ours, _)) = config.templates.iter().find(|(_, c)| c.trim().is_empty()) {
            return Err(missing(&format!("the template code for `{ours}`")));
        }
        Ok(AliyunSms {
            credentials: AliyunCredentials::new(config.access_key_id, config.access_key_secret),
            sign_name: config.sign_name,
            templates: config.templates,
            endpoint: Endpoint::parse(&config.endpoint)?,
            client: http_client(config.timeout)?,
        })
    }

    /// The `SendSms` parameters for `message`, or a refusal if it cannot be expressed.
    fn send_params(&self, message: &SmsMessage) -> Result<SendSmsParams, SmsError> {
        let template_code = self
            .templates
            .get(&message.template)
            .ok_or_else(|| unknown_template("aliyun", &message.template))?;
        let mut params = serde_json::Map::new();
        for (name, value) in &message.params {
            let text = param_text(&message.template, name, value)?;
            params.insert(name.clone(), text.into());
        }
        Ok(SendSmsParams {
            phone_numbers: message.phone.as_str().to_owned(),
            sign_name: self.sign_name.clone(),
            template_code: template_code.clone(),
            template_param: (!params.is_empty())
                .then(|| serde_json::Value::Object(params).to_string()),
            out_id: message.dedupe_key.clone(),
        })
    }
}

#[async_trait]
impl SmsSender for AliyunSms {
    async fn send(&self, message: &SmsMessage) -> Result<(), SmsError> {
        let params = self.send_params(message)?;
        let mut request = AliyunRequest::send_sms(&params, Utc::now(), nonce());
        request.host = self.endpoint.authority().to_owned();
        let signed = sign(&self.credentials, &request)
            .map_err(|e| SmsError::Refused(format!("aliyun: the request cannot be signed: {e}")))?;
        let mut http = self
            .client
            .post(self.endpoint.url_with_query(&signed.canonical_query));
        for (name, value) in &signed.headers {
            http = http.header(name, value);
        }
        let response = http
            .send()
            .await
            .map_err(|e| transport_error("aliyun", e))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport_error("aliyun", e))?;
        let biz_id = interpret(status, &body, &message.phone)?;
        tracing::info!(
            provider = "aliyun",
            phone = %message.phone,
            template = %message.template,
            biz_id = biz_id.as_deref().unwrap_or(""),
            "SMS accepted by the provider"
        );
        Ok(())
    }
}

/// `x-acs-signature-nonce`: 128 random bits, so that no two requests share one.
fn nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The fields of the answer we read (business and gateway answers share them).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    biz_id: Option<String>,
}

/// What an answer's `Code` means for the sender.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Sent,
    Throttled,
    Unavailable,
    Refused,
}

fn verdict(code: &str) -> Verdict {
    match code {
        "OK" => Verdict::Sent,
        // Per-number flow control (1/minute, 5/hour, 10/day for codes) and the account's
        // daily and monthly caps: the same message can go through once the window passes.
        "isv.BUSINESS_LIMIT_CONTROL" | "isv.DAY_LIMIT_CONTROL" | "isv.MONTH_LIMIT_CONTROL" => {
            Verdict::Throttled
        }
        // The gateway's API rate limits: `Throttling`, `Throttling.User`, `Throttling.Api`.
        c if c.starts_with("Throttling") => Verdict::Throttled,
        "isp.SYSTEM_ERROR" => Verdict::Unavailable,
        c if c.starts_with("InternalError") || c.starts_with("ServiceUnavailable") => {
            Verdict::Unavailable
        }
        // Bad template, number, parameters, sign name, credentials or signature
        // (`isv.SMS_TEMPLATE_ILLEGAL`, `isv.MOBILE_NUMBER_ILLEGAL`, `isv.INVALID_PARAMETERS`,
        // `SignatureDoesNotMatch`, `IncompleteSignature`, `InvalidAccessKeyId.NotFound`, …)
        // and anything unknown: sending again would be refused again.
        _ => Verdict::Refused,
    }
}

/// Reads the answer: `Ok(BizId)` when the message was accepted.
fn interpret(status: u16, body: &[u8], phone: &Phone) -> Result<Option<String>, SmsError> {
    let answer = serde_json::from_slice::<Answer>(body).ok();
    let Some((answer, code)) = answer.and_then(|a| a.code.clone().map(|c| (a, c))) else {
        // No result code: a proxy or load balancer answered, not the API.
        let text = format!("aliyun answered HTTP {status} without a result code");
        return Err(if status == 429 {
            SmsError::Throttled(text)
        } else {
            SmsError::Unavailable(text)
        });
    };
    let describe = || {
        scrub(
            &format!(
                "aliyun {code}: {} (HTTP {status}, request {})",
                answer.message.as_deref().unwrap_or(""),
                answer.request_id.as_deref().unwrap_or("-")
            ),
            phone,
        )
    };
    match verdict(&code) {
        Verdict::Sent if (200..300).contains(&status) => Ok(answer.biz_id),
        Verdict::Sent => Err(SmsError::Unavailable(describe())),
        Verdict::Throttled => Err(SmsError::Throttled(describe())),
        Verdict::Unavailable => Err(SmsError::Unavailable(describe())),
        Verdict::Refused => Err(SmsError::Refused(describe())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone() -> Phone {
        Phone::parse("13800138000").unwrap()
    }

    #[test]
    fn result_codes_map_to_retry_or_not() {
        assert_eq!(verdict("OK"), Verdict::Sent);
        for throttled in [
            "isv.BUSINESS_LIMIT_CONTROL",
            "isv.DAY_LIMIT_CONTROL",
            "Throttling.User",
            "Throttling",
        ] {
            assert_eq!(verdict(throttled), Verdict::Throttled, "{throttled}");
        }
        assert_eq!(verdict("isp.SYSTEM_ERROR"), Verdict::Unavailable);
        assert_eq!(verdict("ServiceUnavailable"), Verdict::Unavailable);
        for refused in [
            "isv.SMS_TEMPLATE_ILLEGAL",
            "isv.INVALID_PARAMETERS",
            "isv.MOBILE_NUMBER_ILLEGAL",
            "SignatureDoesNotMatch",
            "IncompleteSignature",
            "ok",
        ] {
            assert_eq!(verdict(refused), Verdict::Refused, "{refused}");
        }
    }

    #[test]
    fn a_success_answer_gives_the_biz_id() {
        let body =
            br#"{"Code":"OK","Message":"OK","BizId":"9006197469364984400","RequestId":"F655A8D5"}"#;
        assert_eq!(
            interpret(200, body, &phone()).unwrap().as_deref(),
            Some("9006197469364984400")
        );
    }

    #[test]
    fn an_answer_without_a_code_is_retryable_and_the_number_is_masked_in_errors() {
        let err = interpret(502, b"<html>Bad Gateway</html>", &phone()).unwrap_err();
        assert!(matches!(err, SmsError::Unavailable(_)), "{err:?}");
        let err = interpret(429, b"", &phone()).unwrap_err();
        assert!(matches!(err, SmsError::Throttled(_)), "{err:?}");
        let body = br#"{"Code":"isv.MOBILE_NUMBER_ILLEGAL","Message":"13800138000 is illegal","RequestId":"R1"}"#;
        let err = interpret(200, body, &phone()).unwrap_err();
        assert!(!err.retryable());
        let shown = err.to_string();
        assert!(
            shown.contains("138****8000") && !shown.contains("13800138000"),
            "{shown}"
        );
        assert!(shown.contains("isv.MOBILE_NUMBER_ILLEGAL") && shown.contains("R1"));
    }
}
