//! Sending SMS through a provider, behind [`SmsSender`]:
//!
//! - [`LogSender`] (`log`, the default) sends nothing: it writes each message to the log (phone
//!   masked) and appends it as one JSON line to `outbox/sms.jsonl`, which is where a developer or
//!   a test reads the codes;
//! - [`aliyun::AliyunSms`]: Alibaba Cloud Dysmsapi `SendSms`, signed ACS3-HMAC-SHA256;
//! - [`tencent::TencentSms`]: Tencent Cloud SMS `SendSms`, signed TC3-HMAC-SHA256.
//!
//! Messages name their template by our own name (`verification_code`, …); each provider's
//! configuration maps it to the provider's approved template. The error says whether trying
//! again later can help ([`SmsError::retryable`]).

pub mod aliyun;
mod outbox;
mod provider;
pub mod tencent;

pub use outbox::{LogSender, OutboxLine};
pub use provider::SmsConfigError;

use async_trait::async_trait;
use domain::identity::phone::Phone;

#[derive(Debug, Clone)]
pub struct SmsMessage {
    pub phone: Phone,
    /// Our template name, e.g. `verification_code`; each provider maps it to its own template.
    pub template: String,
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The text as the candidate reads it.
    pub text: String,
    /// The idempotency key of the event that caused the message (a job's `dedupe_key`), passed
    /// to providers that take a caller's id (Aliyun `OutId`, Tencent `SessionContext`) so that
    /// a message sent twice can be traced to one event. `None` for messages sent directly.
    pub dedupe_key: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// Permanent: the same message will be refused again (bad template, number, signature,
    /// credentials). Retrying only repeats the refusal.
    #[error("the SMS provider refused the message: {0}")]
    Refused(String),
    /// The provider's rate or quota limit was hit: the message may go through later.
    #[error("the SMS provider is limiting the sending rate: {0}")]
    Throttled(String),
    /// The provider could not be reached or failed on its side: try again.
    #[error("the SMS provider could not be reached: {0}")]
    Unavailable(String),
}

impl SmsError {
    /// Whether sending the same message again later may succeed.
    pub fn retryable(&self) -> bool {
        match self {
            SmsError::Refused(_) => false,
            SmsError::Throttled(_) | SmsError::Unavailable(_) => true,
        }
    }
}

#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    async fn send(&self, message: &SmsMessage) -> Result<(), SmsError>;
}
