//! Tencent Cloud SMS: `SendSms` (version 2021-01-11, `POST /` with a JSON body to
//! `sms.tencentcloudapi.com`), signed TC3-HMAC-SHA256 by [`crate::sms_signing::tencent`].
//!
//! The answer is always `{"Response": {…, "RequestId": "…"}}`, HTTP 200 even for errors. A
//! refused call carries `Response.Error` (`Code`, `Message`), e.g. `AuthFailure.SignatureFailure`
//! or `FailedOperation.TemplateIncorrectOrUnapproved`; an accepted call carries
//! `Response.SendStatusSet`, one status per number (`SerialNo`, `PhoneNumber`, `Fee`,
//! `SessionContext`, `Code`, `Message`, `IsoCode`), whose `Code` is `Ok` or the reason that
//! number was not sent to (e.g. `LimitExceeded.PhoneNumberDailyLimit`).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use domain::identity::phone::Phone;
use serde::{Deserialize, Serialize};

use super::provider::{
    Endpoint, http_client, param_text, scrub, transport_error, unknown_template,
};
use super::{SmsConfigError, SmsError, SmsMessage, SmsSender};
use crate::sms_signing::Secret;
use crate::sms_signing::tencent::{TencentCredentials, TencentRequest, sign};

/// The public endpoint (the nearest region's servers answer it).
pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com";
/// SMS is offered in `ap-beijing`, `ap-guangzhou` and `ap-nanjing`; any of them sends anywhere.
pub const DEFAULT_REGION: &str = "ap-guangzhou";

/// One of our templates on Tencent's side: its approved template id and, since Tencent takes
/// the parameters as a list (`{1}`, `{2}`, …), our parameter names in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TencentTemplate {
    pub id: String,
    pub params: Vec<String>,
}

/// What [`TencentSms`] needs. `Debug` never shows the SecretKey.
#[derive(Clone)]
pub struct TencentSmsConfig {
    pub secret_id: String,
    pub secret_key: Secret,
    /// The SMS application's SdkAppId, e.g. `1400006666`.
    pub sdk_app_id: String,
    /// `X-TC-Region`, e.g. [`DEFAULT_REGION`].
    pub region: String,
    /// The approved signature content (签名内容), e.g. `技能认证中心`.
    pub sign_name: String,
    /// Base URL; [`DEFAULT_ENDPOINT`] in production, a local server in tests.
    pub endpoint: String,
    /// For the whole request, connection included.
    pub timeout: Duration,
    /// Our template name (`verification_code`) → Tencent template id and parameter order.
    pub templates: BTreeMap<String, TencentTemplate>,
}

impl fmt::Debug for TencentSmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentSmsConfig")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("sdk_app_id", &self.sdk_app_id)
            .field("region", &self.region)
            .field("sign_name", &self.sign_name)
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .field("templates", &self.templates)
            .finish()
    }
}

/// Sends through Tencent Cloud. Build once and share: it holds a connection pool.
pub struct TencentSms {
    credentials: TencentCredentials,
    sdk_app_id: String,
    region: String,
    sign_name: String,
    templates: BTreeMap<String, TencentTemplate>,
    endpoint: Endpoint,
    client: reqwest::Client,
}

impl fmt::Debug for TencentSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentSms")
            .field("secret_id", &self.credentials.secret_id)
            .field("sdk_app_id", &self.sdk_app_id)
            .field("region", &self.region)
            .field("sign_name", &self.sign_name)
            .field("endpoint", &self.endpoint.authority())
            .field("templates", &self.templates)
            .finish_non_exhaustive()
    }
}

impl TencentSms {
    pub fn new(config: TencentSmsConfig) -> Result<TencentSms, SmsConfigError> {
        let missing = |what: &str| SmsConfigError(format!("tencent: {what} is empty"));
        if config.secret_id.trim().is_empty() {
            return Err(missing("the SecretId"));
        }
        if config.secret_key.is_empty() {
            return Err(missing("the SecretKey"));
        }
        if config.sdk_app_id.trim().is_empty() {
            return Err(missing("the SdkAppId"));
        }
        if config.region.trim().is_empty() {
            return Err(missing("the region"));
        }
        if config.sign_name.trim().is_empty() {
            return Err(missing("the sign name"));
        }
        for (ours, template) in &config.templates {
            if template.id.trim().is_empty() {
                return Err(missing(&format!("the template id for `{ours}`")));
            }
            if template.params.iter().any(|p| p.trim().is_empty()) {
                return Err(missing(&format!("a parameter name of `{ours}`")));
            }
            let mut seen = std::collections::BTreeSet::new();
            if let Some(twice) = template.params.iter().find(|p| !seen.insert(p.as_str())) {
                return Err(SmsConfigError(format!(
                    "tencent: parameter `{twice}` is listed twice for `{ours}`"
                )));
            }
        }
        Ok(TencentSms {
            credentials: TencentCredentials::new(config.secret_id, config.secret_key),
            sdk_app_id: config.sdk_app_id,
            region: config.region,
            sign_name: config.sign_name,
            templates: config.templates,
            endpoint: Endpoint::parse(&config.endpoint)?,
            client: http_client(config.timeout)?,
        })
    }

    /// The JSON body for `message`, or a refusal if it cannot be expressed.
    fn body(&self, message: &SmsMessage) -> Result<Vec<u8>, SmsError> {
        let template = self
            .templates
            .get(&message.template)
            .ok_or_else(|| unknown_template("tencent", &message.template))?;
        // Parameters the message has but the order does not name are not sent: the approved
        // template has no place for them.
        let params = template
            .params
            .iter()
            .map(|name| {
                let value = message.params.get(name).ok_or_else(|| {
                    SmsError::Refused(format!(
                        "template `{}` needs parameter `{name}`, which the message lacks",
                        message.template
                    ))
                })?;
                param_text(&message.template, name, value)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let body = SendSmsBody {
            phone_number_set: [format!("+86{}", message.phone.as_str())],
            sms_sdk_app_id: &self.sdk_app_id,
            sign_name: &self.sign_name,
            template_id: &template.id,
            template_param_set: params,
            session_context: message.dedupe_key.as_deref(),
        };
        serde_json::to_vec(&body).map_err(|e| SmsError::Refused(format!("tencent: {e}")))
    }
}

#[async_trait]
impl SmsSender for TencentSms {
    async fn send(&self, message: &SmsMessage) -> Result<(), SmsError> {
        let body = self.body(message)?;
        let mut request = TencentRequest::send_sms(&self.region, body, Utc::now().timestamp());
        request.host = self.endpoint.authority().to_owned();
        let signed = sign(&self.credentials, &request).map_err(|e| {
            SmsError::Refused(format!("tencent: the request cannot be signed: {e}"))
        })?;
        let mut http = self.client.post(self.endpoint.url_with_query(""));
        for (name, value) in &signed.headers {
            http = http.header(name, value);
        }
        let response = http
            .body(request.payload)
            .send()
            .await
            .map_err(|e| transport_error("tencent", e))?;
        let status = response.status().as_u16();
        let answer = response
            .bytes()
            .await
            .map_err(|e| transport_error("tencent", e))?;
        let serial_no = interpret(status, &answer, &message.phone)?;
        tracing::info!(
            provider = "tencent",
            phone = %message.phone,
            template = %message.template,
            serial_no = serial_no.as_deref().unwrap_or(""),
            "SMS accepted by the provider"
        );
        Ok(())
    }
}

/// The `SendSms` request body (field names as in the API reference).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendSmsBody<'a> {
    /// E.164, `+86` and the 11 digits.
    phone_number_set: [String; 1],
    sms_sdk_app_id: &'a str,
    sign_name: &'a str,
    template_id: &'a str,
    template_param_set: Vec<String>,
    /// Echoed back in the answer and in delivery receipts.
    #[serde(skip_serializing_if = "Option::is_none")]
    session_context: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope {
    response: Answer,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    error: Option<ApiError>,
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
    request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ApiError {
    code: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    code: String,
    #[serde(default)]
    message: String,
    serial_no: Option<String>,
}

/// What an error code (of the call or of one number's status) means for the sender.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Throttled,
    Unavailable,
    Refused,
}

fn verdict(code: &str) -> Verdict {
    // `LimitExceeded.PhoneNumberThirtySecondLimit` / `…OneHourLimit` / `…DailyLimit` /
    // `LimitExceeded.DeliveryFrequencyLimit` (per-number flow control) and
    // `RequestLimitExceeded*` (API rate): the same message can go through later.
    if code.starts_with("LimitExceeded") || code.starts_with("RequestLimitExceeded") {
        Verdict::Throttled
    } else if code.starts_with("InternalError") {
        Verdict::Unavailable
    } else {
        // `AuthFailure.*`, `FailedOperation.TemplateIncorrectOrUnapproved`,
        // `FailedOperation.SignatureIncorrectOrUnapproved`, `InvalidParameterValue.*`,
        // `UnauthorizedOperation.*`, … and anything unknown.
        Verdict::Refused
    }
}

/// Reads the answer: `Ok(SerialNo)` when the message was accepted.
fn interpret(status: u16, body: &[u8], phone: &Phone) -> Result<Option<String>, SmsError> {
    let Ok(Envelope { response: answer }) = serde_json::from_slice::<Envelope>(body) else {
        // Not the API's answer: a proxy or load balancer answered.
        let text = format!("tencent answered HTTP {status} without a Response");
        return Err(if status == 429 {
            SmsError::Throttled(text)
        } else {
            SmsError::Unavailable(text)
        });
    };
    let request_id = answer.request_id.as_deref().unwrap_or("-");
    let (code, message) = match (&answer.error, answer.send_status_set.first()) {
        (Some(error), _) => (error.code.as_str(), error.message.as_str()),
        (None, Some(sent)) if sent.code == "Ok" && (200..300).contains(&status) => {
            return Ok(sent.serial_no.clone());
        }
        (None, Some(sent)) => (sent.code.as_str(), sent.message.as_str()),
        (None, None) => {
            return Err(SmsError::Unavailable(format!(
                "tencent answered HTTP {status} with neither an error nor a send status \
                 (request {request_id})"
            )));
        }
    };
    let text = scrub(
        &format!("tencent {code}: {message} (HTTP {status}, request {request_id})"),
        phone,
    );
    Err(match verdict(code) {
        // An `Ok` status under a non-2xx code: the status cannot be trusted.
        _ if code == "Ok" => SmsError::Unavailable(text),
        Verdict::Throttled => SmsError::Throttled(text),
        Verdict::Unavailable => SmsError::Unavailable(text),
        Verdict::Refused => SmsError::Refused(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone() -> Phone {
        Phone::parse("13800138000").unwrap()
    }

    #[test]
    fn error_codes_map_to_retry_or_not() {
        for throttled in [
            "LimitExceeded.PhoneNumberDailyLimit",
            "LimitExceeded.DeliveryFrequencyLimit",
            "RequestLimitExceeded",
            "RequestLimitExceeded.IPLimitExceeded",
        ] {
            assert_eq!(verdict(throttled), Verdict::Throttled, "{throttled}");
        }
        assert_eq!(verdict("InternalError.Timeout"), Verdict::Unavailable);
        for refused in [
            "AuthFailure.SignatureFailure",
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "InvalidParameterValue.IncorrectPhoneNumber",
            "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
        ] {
            assert_eq!(verdict(refused), Verdict::Refused, "{refused}");
        }
    }

    #[test]
    fn a_success_answer_gives_the_serial_number() {
        let body =
            br#"{"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619",
            "PhoneNumber":"+8613800138000","Fee":1,"SessionContext":"k","Code":"Ok",
            "Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6"}}"#;
        assert_eq!(
            interpret(200, body, &phone()).unwrap().as_deref(),
            Some("5000:1045710669157053657849499619")
        );
    }

    #[test]
    fn a_per_number_refusal_names_its_code_with_the_number_masked() {
        let body = br#"{"Response":{"SendStatusSet":[{"SerialNo":"","PhoneNumber":"+8613800138000",
            "Fee":0,"SessionContext":"","Code":"InvalidParameterValue.IncorrectPhoneNumber",
            "Message":"+8613800138000 incorrect number","IsoCode":"CN"}],"RequestId":"r2"}}"#;
        let err = interpret(200, body, &phone()).unwrap_err();
        assert!(matches!(err, SmsError::Refused(_)), "{err:?}");
        let shown = err.to_string();
        assert!(shown.contains("IncorrectPhoneNumber") && shown.contains("r2"));
        assert!(!shown.contains("13800138000"), "{shown}");
    }

    #[test]
    fn answers_that_are_not_the_api_are_retryable() {
        assert!(matches!(
            interpret(503, b"Service Unavailable", &phone()),
            Err(SmsError::Unavailable(_))
        ));
        assert!(matches!(
            interpret(200, br#"{"Response":{"RequestId":"x"}}"#, &phone()),
            Err(SmsError::Unavailable(_))
        ));
    }
}
