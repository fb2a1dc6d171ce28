//! The staff entrance (`/staff/login`): the same password check and throttling as the
//! candidates' login (`accounts::actions::log_in`), but only a staff account may come in here,
//! and each sign-in is written to the audit log.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use serde::Deserialize;

use crate::accounts::actions;
use crate::accounts::pages::local_path;
use crate::client::ClientAddress;
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, Layout, Section, render};
use crate::session::{CsrfForm, Session};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage {
    layout: Layout,
    csrf: String,
    identifier: String,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
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

/// Where to go after signing in: a console page, never elsewhere.
fn console_path(next: Option<&str>) -> String {
    let path = local_path(next);
    if path.starts_with("/staff") {
        path
    } else {
        "/staff".to_owned()
    }
}

pub async fn page(session: Session, Query(q): Query<LoginQuery>) -> PageResult {
    if session.account().is_some_and(|a| a.is_staff()) {
        return Ok(Redirect::to(&console_path(q.next.as_deref())).into_response());
    }
    let page = LoginPage {
        csrf: session.csrf_token().await?,
        layout: Layout::new(&session, Section::Account),
        identifier: String::new(),
        next: console_path(q.next.as_deref()),
        errors: FormErrors::none(),
    };
    Ok(render(&page)?.into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> PageResult {
    let next = console_path(Some(&form.next));
    let outcome =
        match actions::log_in(&state, &session, &form.identifier, &form.password, &address).await {
            Ok(account) if account.is_staff() => {
                store::audit::record(
                    state.db.writer(),
                    store::audit::NewEntry {
                        actor_account_id: Some(account.id),
                        actor: account.login_name.as_deref().unwrap_or(&account.real_name),
                        action: "staff.login",
                        subject_type: "account",
                        subject_id: account.id.to_string(),
                        before: None,
                        after: None,
                        client_address: Some(address.clone()),
                    },
                    Utc::now(),
                )
                .await?;
                return Ok(Redirect::to(&next).into_response());
            }
            Ok(_) => {
                // A candidate's right password opens nothing here: sign them out again.
                session.log_out().await?;
                AppError::forbidden("staff_only", "此入口仅供工作人员使用，考生请从考生登录进入")
            }
            Err(e) if e.is_input() => e,
            Err(e) => return Err(e.into()),
        };
    let status = outcome.status;
    let page = LoginPage {
        csrf: session.csrf_token().await?,
        layout: Layout::new(&session, Section::Account),
        identifier: form.identifier,
        next,
        errors: FormErrors {
            message: Some(outcome.message.clone()),
            fields: outcome.fields,
        },
    };
    Ok((status, render(&page)?).into_response())
}
