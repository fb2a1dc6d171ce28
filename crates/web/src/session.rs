//! Sessions and CSRF. A middleware loads the session named by the cookie (no cookie, no database
//! read) and puts a [`Session`] handle into the request; handlers log in, log out or ask for a
//! CSRF token through it, and the middleware then sets or clears the cookie on the response.
//!
//! A visitor gets a session only when a page needs one (a form's CSRF token, sign-up progress),
//! so that browsing plans writes nothing. Logging in always starts a fresh session (no fixation).

use std::sync::{Arc, Mutex};

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::Utc;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use store::accounts::Account;
use subtle::ConstantTimeEq;

use crate::error::{AppError, PageError};
use crate::state::AppState;

pub const COOKIE_NAME: &str = "skillcert_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf";

/// The small JSON document kept with a session.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SessionData {
    /// The SMS code whose verification opened step 2 of sign-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signup_code_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
enum CookieChange {
    Keep,
    Set(String),
    Clear,
}

#[derive(Debug)]
struct Slot {
    token: Option<String>,
    record: Option<store::sessions::Session>,
    account: Option<Account>,
    change: CookieChange,
}

/// This request's session; cheap to clone.
#[derive(Clone)]
pub struct Session {
    state: AppState,
    slot: Arc<Mutex<Slot>>,
}

impl Session {
    pub fn account(&self) -> Option<Account> {
        self.slot.lock().expect("session lock").account.clone()
    }

    /// The bell's badge: unread notifications, read with the session (0 without an account).
    pub fn unread_notifications(&self) -> u32 {
        let slot = self.slot.lock().expect("session lock");
        match (&slot.account, &slot.record) {
            (Some(_), Some(record)) => record.unread_notifications,
            _ => 0,
        }
    }

    pub fn require_account(&self) -> Result<Account, AppError> {
        self.account().ok_or_else(AppError::unauthenticated)
    }

    pub fn data(&self) -> SessionData {
        let slot = self.slot.lock().expect("session lock");
        slot.record
            .as_ref()
            .and_then(|r| serde_json::from_str(&r.data).ok())
            .unwrap_or_default()
    }

    /// The CSRF token for a form, starting a session if the visitor has none.
    pub async fn csrf_token(&self) -> Result<String, AppError> {
        if let Some(token) = self.existing_csrf() {
            return Ok(token);
        }
        self.start(None, SessionData::default()).await?;
        Ok(self.existing_csrf().unwrap_or_default())
    }

    /// The CSRF token if there is a session already (for the logout button in the navigation).
    pub fn existing_csrf(&self) -> Option<String> {
        let slot = self.slot.lock().expect("session lock");
        slot.record.as_ref().map(|r| r.csrf_token.clone())
    }

    pub fn check_csrf(&self, presented: &str) -> Result<(), AppError> {
        match self.existing_csrf() {
            Some(expected) if bool::from(expected.as_bytes().ct_eq(presented.as_bytes())) => Ok(()),
            _ => Err(AppError::csrf()),
        }
    }

    pub async fn save_data(&self, data: &SessionData) -> Result<(), AppError> {
        let json = serde_json::to_string(data).map_err(AppError::internal)?;
        let token = self.slot.lock().expect("session lock").token.clone();
        match token {
            Some(token) => {
                store::sessions::save_data(&self.state.db, &token, &json).await?;
                let mut slot = self.slot.lock().expect("session lock");
                if let Some(record) = slot.record.as_mut() {
                    record.data = json;
                }
                Ok(())
            }
            None => self.start(None, data.clone()).await,
        }
    }

    /// Replaces whatever session there was with a fresh one for `account`.
    pub async fn log_in(&self, account: Account) -> Result<(), AppError> {
        self.end_current().await?;
        self.start(Some(account.id), SessionData::default()).await?;
        self.slot.lock().expect("session lock").account = Some(account);
        Ok(())
    }

    pub async fn log_out(&self) -> Result<(), AppError> {
        self.end_current().await?;
        self.slot.lock().expect("session lock").change = CookieChange::Clear;
        Ok(())
    }

    async fn end_current(&self) -> Result<(), AppError> {
        let token = self.slot.lock().expect("session lock").token.take();
        if let Some(token) = token {
            store::sessions::delete(&self.state.db, &token).await?;
        }
        let mut slot = self.slot.lock().expect("session lock");
        slot.record = None;
        slot.account = None;
        Ok(())
    }

    async fn start(&self, account_id: Option<i64>, data: SessionData) -> Result<(), AppError> {
        let json = serde_json::to_string(&data).map_err(AppError::internal)?;
        let (token, record) = store::sessions::create(
            &self.state.db,
            account_id,
            &json,
            self.state.settings.session_ttl,
            Utc::now(),
        )
        .await?;
        let mut slot = self.slot.lock().expect("session lock");
        slot.token = Some(token.clone());
        slot.record = Some(record);
        slot.change = CookieChange::Set(token);
        Ok(())
    }
}

impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::internal("session middleware missing"))
    }
}

/// Loads the session before the handler and writes the cookie after it.
pub async fn middleware(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = cookie_value(request.headers(), COOKIE_NAME);
    let mut slot = Slot {
        token: None,
        record: None,
        account: None,
        change: CookieChange::Keep,
    };
    if let Some(token) = token {
        match load(&state, &token).await {
            Ok(Some((record, account))) => {
                slot.token = Some(token);
                slot.record = Some(record);
                slot.account = account;
            }
            // A cookie for a session that has ended: drop it from the browser.
            Ok(None) => slot.change = CookieChange::Clear,
            Err(e) => return axum::response::IntoResponse::into_response(e),
        }
    }
    let session = Session {
        state: state.clone(),
        slot: Arc::new(Mutex::new(slot)),
    };
    request.extensions_mut().insert(session.clone());
    let mut response = next.run(request).await;
    let change = session.slot.lock().expect("session lock").change.clone();
    let cookie = match change {
        CookieChange::Keep => None,
        CookieChange::Set(token) => Some(set_cookie(&token, &state)),
        CookieChange::Clear => Some(clear_cookie(&state)),
    };
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The live session for a cookie's token, with its account: what every request of a logged-in
/// user reads first (one query, and the account's roles). Public for the load benchmark, whose
/// ceiling makes exactly the calls a request makes.
pub async fn load(
    state: &AppState,
    token: &str,
) -> Result<Option<(store::sessions::Session, Option<Account>)>, AppError> {
    Ok(store::sessions::load_with_account(
        &state.db,
        &state.pii,
        token,
        state.settings.session_ttl,
        Utc::now(),
    )
    .await?)
}

fn set_cookie(token: &str, state: &AppState) -> String {
    format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        state.settings.session_ttl.num_seconds(),
        if state.settings.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
}

fn clear_cookie(state: &AppState) -> String {
    format!(
        "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if state.settings.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
}

fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// State-changing API calls made with a session cookie must echo the session's CSRF token in
/// `X-CSRF-Token`. (A call without a cookie carries no ambient authority to abuse.)
pub async fn api_csrf_guard(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe
        && let Some(session) = request.extensions().get::<Session>()
        && session.existing_csrf().is_some()
    {
        let presented = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if let Err(e) = session.check_csrf(&presented) {
            return axum::response::IntoResponse::into_response(e);
        }
    }
    next.run(request).await
}

/// A form body whose `csrf` field has been checked against the session.
pub struct CsrfForm<T>(pub T);

/// Its refusals are pages: a browser posted the form.
impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = request
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or_else(|| PageError(AppError::internal("session middleware missing")))?;
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| {
                PageError(AppError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "bad_request",
                    "请求内容无法读取",
                ))
            })?;
        let presented = form_urlencoded_field(&bytes, CSRF_FIELD).unwrap_or_default();
        session.check_csrf(&presented).map_err(PageError)?;
        let value = serde_urlencoded::from_bytes(&bytes).map_err(|_| {
            PageError(AppError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "bad_request",
                "表单内容无法识别",
            ))
        })?;
        Ok(CsrfForm(value))
    }
}

fn form_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}
