//! `/api/v1` for accounts: the same actions as the pages, as JSON. A client keeps the session
//! cookie and sends the `csrf_token` it was given as `X-CSRF-Token` on every state change.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::identity::CodePurpose;
use serde::{Deserialize, Serialize};
use store::accounts::Account;

use super::actions::{self, SignupDetails};
use crate::client::ClientAddress;
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody};
use crate::session::Session;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SendCodeRequest {
    pub phone: String,
    /// `sign_up` or `reset_password`.
    pub purpose: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SendCodeResponse {
    /// Seconds the code stays valid.
    pub expires_in: i64,
    /// Seconds before another code may be asked for.
    pub resend_after: i64,
}

/// Sends a 6-digit SMS code (sign-up or password reset), within the per-phone and per-address
/// limits.
#[utoipa::path(post, path = "/api/v1/sms-codes", tag = "accounts", request_body = SendCodeRequest,
    responses((status = 202, body = SendCodeResponse), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn send_code(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<SendCodeRequest>,
) -> ApiResult<(StatusCode, Json<SendCodeResponse>)> {
    let purpose = CodePurpose::parse(&body.purpose).ok_or_else(|| {
        AppError::field(
            "purpose",
            "purpose_invalid",
            "用途应为 sign_up 或 reset_password",
        )
    })?;
    actions::send_code(&state, &body.phone, purpose, &address).await?;
    let shortest = state
        .settings
        .send_limits
        .per_phone
        .iter()
        .map(|l| l.per.num_seconds())
        .min()
        .unwrap_or(60);
    Ok((
        StatusCode::ACCEPTED,
        Json(SendCodeResponse {
            expires_in: state.settings.code_policy.ttl.num_seconds(),
            resend_after: shortest,
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VerifyPhoneRequest {
    pub phone: String,
    pub code: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    pub account: Option<AccountView>,
    /// Send as `X-CSRF-Token` with every state-changing call.
    pub csrf_token: Option<String>,
}

/// An account as its owner sees it: identifiers in full.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub real_name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub email: Option<String>,
    /// `student`, `teacher` or `worker`; absent for staff.
    pub identity: Option<String>,
    pub roles: Vec<String>,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        AccountView {
            id: a.id,
            real_name: a.real_name.clone(),
            phone: a.phone.as_ref().map(|p| p.as_str().to_owned()),
            id_number: a.id_number.as_ref().map(|n| n.as_str().to_owned()),
            email: a.email.clone(),
            identity: a.identity.map(|i| i.code().to_owned()),
            roles: a.roles.iter().map(|r| r.code().to_owned()).collect(),
        }
    }
}

fn session_view(session: &Session) -> SessionView {
    SessionView {
        account: session.account().as_ref().map(AccountView::from),
        csrf_token: session.existing_csrf(),
    }
}

/// Sign-up step 1: checks the SMS code; the session (cookie) then carries the verified phone.
#[utoipa::path(post, path = "/api/v1/signup/verify", tag = "accounts", request_body = VerifyPhoneRequest,
    responses((status = 200, body = SessionView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn signup_verify(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<VerifyPhoneRequest>,
) -> ApiResult<Json<SessionView>> {
    actions::verify_signup_phone(&state, &session, &body.phone, &body.code).await?;
    Ok(Json(session_view(&session)))
}

/// Sign-up step 2: creates the account and logs in.
#[utoipa::path(post, path = "/api/v1/signup", tag = "accounts", request_body = SignupDetails,
    responses((status = 201, body = SessionView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn signup(
    State(state): State<AppState>,
    session: Session,
    ApiJson(body): ApiJson<SignupDetails>,
) -> ApiResult<(StatusCode, Json<SessionView>)> {
    actions::complete_signup(&state, &session, &body).await?;
    Ok((StatusCode::CREATED, Json(session_view(&session))))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    /// Phone number or ID number (staff: login name).
    pub identifier: String,
    pub password: String,
}

/// Logs in.
#[utoipa::path(post, path = "/api/v1/session", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = SessionView), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn log_in(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<SessionView>> {
    actions::log_in(&state, &session, &body.identifier, &body.password, &address).await?;
    Ok(Json(session_view(&session)))
}

/// The current session: who is logged in, and the CSRF token (starting a session if needed).
#[utoipa::path(get, path = "/api/v1/session", tag = "accounts",
    responses((status = 200, body = SessionView)))]
pub async fn current(session: Session) -> ApiResult<Json<SessionView>> {
    session.csrf_token().await?;
    Ok(Json(session_view(&session)))
}

/// Logs out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "accounts",
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn log_out(session: Session) -> ApiResult<StatusCode> {
    session.log_out().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResetPasswordRequest {
    pub phone: String,
    pub code: String,
    pub password: String,
}

/// Sets a new password with an SMS code; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/password-reset", tag = "accounts", request_body = ResetPasswordRequest,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetPasswordRequest>,
) -> ApiResult<StatusCode> {
    actions::reset_password(&state, &body.phone, &body.code, &body.password, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The logged-in account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = AccountView), (status = 401, body = ErrorBody)))]
pub async fn me(session: Session) -> ApiResult<Json<AccountView>> {
    Ok(Json(AccountView::from(&session.require_account()?)))
}
