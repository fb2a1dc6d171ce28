//! What every handler can reach: the database, the PII keys, the SMS sender, the file storage,
//! the payment flows and the settings.

use std::sync::Arc;

use domain::identity::{CodePolicy, LoginThrottle, SendLimits};
use integrations::sms::SmsSender;
use integrations::storage::FileStorage;
use store::code_tables::CodeSnapshot;
use store::{Db, Pii};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub pii: Pii,
    pub sms: Arc<dyn SmsSender>,
    /// Uploaded files' bytes, under random keys (the rows are in `store::files`).
    pub files: Arc<dyn FileStorage>,
    /// The code tables in memory, for the form checks.
    pub codes: Arc<CodeSnapshot>,
    pub settings: Arc<WebSettings>,
    /// What plan pages show, kept for a second (the opening minute's hottest page).
    pub plans: Arc<crate::plans::cache::PlanCache>,
    /// Renders PDFs (fonts loaded once): call it inside `spawn_blocking`.
    pub documents: Arc<documents::Renderer>,
    /// Orders, callbacks, refunds through the configured provider (`payments`).
    pub payments: payments::Payments,
}

#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    pub session_ttl: chrono::Duration,
    pub send_limits: SendLimits,
    pub code_policy: CodePolicy,
    pub login_throttle: LoginThrottle,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            secure_cookies: false,
            trust_forwarded_for: false,
            session_ttl: chrono::Duration::days(7),
            send_limits: SendLimits::standard(),
            code_policy: CodePolicy::standard(),
            login_throttle: LoginThrottle::standard(),
        }
    }
}
