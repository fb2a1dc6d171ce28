//! The account pages. Each POST re-renders its form with the messages beside the fields when the
//! input is wrong, and redirects when it is right.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::accounts::Identity;
use domain::identity::{CodePurpose, PASSWORD_RULE_TEXT};
use serde::Deserialize;

use super::actions::{self, SignupDetails};
use crate::client::ClientAddress;
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, Layout, Section, render};
use crate::session::{CsrfForm, Session};
use crate::state::AppState;

/// A form that failed shows again with what was typed, its messages and a 422 (or 409/429).
fn rejected<T: Template>(status: StatusCode, page: &T) -> PageResult {
    Ok((status, render(page)?).into_response())
}

// --- sign-up, step 1 ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "accounts/signup_phone.html")]
pub struct SignupPhonePage {
    layout: Layout,
    csrf: String,
    phone: String,
    notice: Option<String>,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct PhoneForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
}

async fn signup_phone_view(
    session: &Session,
    phone: String,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<SignupPhonePage, AppError> {
    Ok(SignupPhonePage {
        csrf: session.csrf_token().await?,
        layout: Layout::new(session, Section::Account),
        phone,
        notice,
        errors,
    })
}

pub async fn signup_phone_page(session: Session) -> PageResult {
    if session.account().is_some() {
        return Ok(Redirect::to("/me").into_response());
    }
    let page = signup_phone_view(&session, String::new(), None, FormErrors::none()).await?;
    Ok(render(&page)?.into_response())
}

pub async fn signup_send_code(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    CsrfForm(form): CsrfForm<PhoneForm>,
) -> PageResult {
    match actions::send_code(&state, &form.phone, CodePurpose::SignUp, &address).await {
        Ok(()) => {
            let notice = Some(sent_notice(&form.phone, &state));
            let page = signup_phone_view(&session, form.phone, notice, FormErrors::none()).await?;
            Ok(render(&page)?.into_response())
        }
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = signup_phone_view(&session, form.phone, None, e.into()).await?;
            rejected(status, &page)
        }
        Err(e) => Err(e.into()),
    }
}

fn sent_notice(phone_raw: &str, state: &AppState) -> String {
    let masked = actions::parse_phone(phone_raw)
        .map(|p| p.masked())
        .unwrap_or_default();
    format!(
        "验证码已发送至 {masked}，{} 分钟内有效",
        state.settings.code_policy.ttl.num_minutes()
    )
}

pub async fn signup_verify(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<PhoneForm>,
) -> PageResult {
    match actions::verify_signup_phone(&state, &session, &form.phone, &form.code).await {
        Ok(()) => Ok(Redirect::to("/signup/details").into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = signup_phone_view(&session, form.phone, None, e.into()).await?;
            rejected(status, &page)
        }
        Err(e) => Err(e.into()),
    }
}

// --- sign-up, step 2 ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "accounts/signup_details.html")]
pub struct SignupDetailsPage {
    layout: Layout,
    csrf: String,
    masked_phone: String,
    form: SignupDetails,
    identities: [Identity; 3],
    password_rule: &'static str,
    errors: FormErrors,
}

async fn signup_details_view(
    state: &AppState,
    session: &Session,
    form: SignupDetails,
    errors: FormErrors,
) -> Result<Option<SignupDetailsPage>, AppError> {
    let Some(phone) = actions::signup_phone(state, session).await? else {
        return Ok(None);
    };
    Ok(Some(SignupDetailsPage {
        csrf: session.csrf_token().await?,
        layout: Layout::new(session, Section::Account),
        masked_phone: phone.masked(),
        form,
        identities: Identity::ALL,
        password_rule: PASSWORD_RULE_TEXT,
        errors,
    }))
}

pub async fn signup_details_page(State(state): State<AppState>, session: Session) -> PageResult {
    match signup_details_view(
        &state,
        &session,
        SignupDetails::default(),
        FormErrors::none(),
    )
    .await?
    {
        Some(page) => Ok(render(&page)?.into_response()),
        None => Ok(Redirect::to("/signup").into_response()),
    }
}

pub async fn signup_details_submit(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<SignupDetails>,
) -> PageResult {
    match actions::complete_signup(&state, &session, &form).await {
        Ok(_) => Ok(Redirect::to("/signup/done").into_response()),
        Err(e) if e.code == "signup_phone_unverified" => {
            Ok(Redirect::to("/signup").into_response())
        }
        Err(e) if e.is_input() => {
            let status = e.status;
            // Never send a password back to the browser.
            let form = SignupDetails {
                password: String::new(),
                password_confirm: None,
                ..form
            };
            match signup_details_view(&state, &session, form, e.into()).await? {
                Some(page) => rejected(status, &page),
                None => Ok(Redirect::to("/signup").into_response()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

// --- sign-up, step 3 ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "accounts/signup_done.html")]
pub struct SignupDonePage {
    layout: Layout,
    name: String,
}

pub async fn signup_done_page(session: Session) -> PageResult {
    let account = session.require_account()?;
    let page = SignupDonePage {
        layout: Layout::new(&session, Section::Account),
        name: account.real_name,
    };
    Ok(render(&page)?.into_response())
}

// --- log in and out ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "accounts/login.html")]
pub struct LoginPage {
    layout: Layout,
    csrf: String,
    identifier: String,
    next: String,
    notice: Option<String>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    reset: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Only a path on this site, never `//elsewhere` or `https://elsewhere`. Browsers drop tabs and
/// line breaks inside a URL (so `/<tab>/elsewhere` is `//elsewhere`), and a line break cannot go
/// into a header: no control characters at all.
pub(crate) fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(char::is_control) =>
        {
            p.to_owned()
        }
        _ => "/".to_owned(),
    }
}

pub async fn login_page(session: Session, Query(q): Query<LoginQuery>) -> PageResult {
    let page = LoginPage {
        csrf: session.csrf_token().await?,
        layout: Layout::new(&session, Section::Account),
        identifier: String::new(),
        next: local_path(q.next.as_deref()),
        notice: q.reset.map(|_| "密码已重置，请使用新密码登录".to_owned()),
        errors: FormErrors::none(),
    };
    Ok(render(&page)?.into_response())
}

pub async fn login_submit(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> PageResult {
    let next = local_path(Some(&form.next));
    match actions::log_in(&state, &session, &form.identifier, &form.password, &address).await {
        Ok(_) => Ok(Redirect::to(&next).into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = LoginPage {
                csrf: session.csrf_token().await?,
                layout: Layout::new(&session, Section::Account),
                identifier: form.identifier,
                next,
                notice: None,
                errors: e.into(),
            };
            rejected(status, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn logout(session: Session, CsrfForm(_): CsrfForm<EmptyForm>) -> PageResult {
    session.log_out().await?;
    Ok(Redirect::to("/").into_response())
}

// --- password reset ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "accounts/reset.html")]
pub struct ResetPage {
    layout: Layout,
    csrf: String,
    phone: String,
    notice: Option<String>,
    password_rule: &'static str,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

async fn reset_view(
    session: &Session,
    phone: String,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<ResetPage, AppError> {
    Ok(ResetPage {
        csrf: session.csrf_token().await?,
        layout: Layout::new(session, Section::Account),
        phone,
        notice,
        password_rule: PASSWORD_RULE_TEXT,
        errors,
    })
}

pub async fn reset_page(session: Session) -> PageResult {
    let page = reset_view(&session, String::new(), None, FormErrors::none()).await?;
    Ok(render(&page)?.into_response())
}

pub async fn reset_send_code(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> PageResult {
    match actions::send_code(&state, &form.phone, CodePurpose::ResetPassword, &address).await {
        Ok(()) => {
            let notice = Some(sent_notice(&form.phone, &state));
            let page = reset_view(&session, form.phone, notice, FormErrors::none()).await?;
            Ok(render(&page)?.into_response())
        }
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = reset_view(&session, form.phone, None, e.into()).await?;
            rejected(status, &page)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn reset_submit(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> PageResult {
    let result = actions::reset_password(
        &state,
        &form.phone,
        &form.code,
        &form.password,
        Some(&form.password_confirm),
    )
    .await;
    match result {
        Ok(()) => {
            // The reset ended every session of the account, possibly this one.
            session.log_out().await?;
            Ok(Redirect::to("/login?reset=1").into_response())
        }
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = reset_view(&session, form.phone, None, e.into()).await?;
            rejected(status, &page)
        }
        Err(e) => Err(e.into()),
    }
}

// --- the account page --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "accounts/me.html")]
pub struct MePage {
    layout: Layout,
    name: String,
    phone: String,
    id_number: String,
    email: String,
    identity: String,
    roles: Vec<&'static str>,
    since: String,
}

pub async fn me_page(session: Session) -> PageResult {
    let a = session.require_account()?;
    // The owner sees their own identifiers in full; everyone else only ever sees them masked.
    let page = MePage {
        layout: Layout::new(&session, Section::Account),
        phone: a
            .phone
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        id_number: a
            .id_number
            .as_ref()
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default(),
        email: a.email.clone().unwrap_or_default(),
        identity: a.identity.map(|i| i.label().to_owned()).unwrap_or_default(),
        roles: a.roles.iter().map(|r| r.label()).collect(),
        since: domain::time::format_instant(a.created_at),
        name: a.real_name,
    };
    Ok(render(&page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn the_page_after_login_is_always_on_this_site() {
        assert_eq!(local_path(Some("/plans/3/apply")), "/plans/3/apply");
        for outside in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/%0d%0a",
            "plans",
            "",
        ] {
            let kept = local_path(Some(outside));
            assert!(
                kept == "/" || kept == outside && !outside.contains("evil"),
                "{outside:?} → {kept}"
            );
        }
        assert_eq!(local_path(None), "/");
    }
}
