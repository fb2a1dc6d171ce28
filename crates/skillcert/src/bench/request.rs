//! The request ceiling: the database work of a candidate's two requests, issued directly. For
//! each candidate, every call the plan page and the submit make, in their order and through the
//! same functions, minus HTTP, templates and JSON:
//!
//! 1. `GET /plans/{id}`: the session middleware (`web::session::load`: the session with its
//!    account), then the plan from the application's plan cache (`PlanCache::plan`,
//!    one second per plan);
//! 2. `POST /api/v1/applications/{id}/submit`: the session middleware again, then the handler's
//!    own actions: `actions::load_owned`, `actions::context` (the plan cache), `actions::submit`
//!    (the whole review with its employer registry and uploaded files, then
//!    `store::applications::submit`).
//!
//! What HTTP reaches is judged against this: the rest is the web layer's own cost.

use store::accounts::Account;
use web::AppState;
use web::applications::actions;
use web::error::AppError;

use super::prepare::ReadyCandidate;
use super::tasks::{self, Attempt, CeilingFigures};

pub async fn measure(
    state: &AppState,
    candidates: Vec<ReadyCandidate>,
    concurrency: usize,
) -> CeilingFigures {
    let state = state.clone();
    tasks::drive("request ceiling", candidates, concurrency, move |c| {
        let state = state.clone();
        async move {
            match visit(&state, &c).await {
                Ok(()) => Attempt::Submitted,
                Err(e) if e.code == "plan_full" => Attempt::Full,
                Err(e) => Attempt::Error(format!("{} {}: {}", e.status, e.code, e.message)),
            }
        }
    })
    .await
}

/// The plan page's database work, then the submit's.
async fn visit(state: &AppState, c: &ReadyCandidate) -> Result<(), AppError> {
    let token = session_token(&c.cookie)
        .ok_or_else(|| AppError::internal(format!("no session token in {:?}", c.cookie)))?;
    // GET /plans/{id}
    session_account(state, token).await?;
    state
        .plans
        .plan(&state.db, c.plan_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    // POST /api/v1/applications/{id}/submit
    let account = session_account(state, token)
        .await?
        .ok_or_else(AppError::unauthenticated)?;
    let application = actions::load_owned(state, &account, c.application_id).await?;
    let ctx = actions::context(state, &application, &account).await?;
    actions::submit(state, &account, &application, &ctx, true, false).await?;
    Ok(())
}

/// What the session middleware reads for a cookie.
async fn session_account(state: &AppState, token: &str) -> Result<Option<Account>, AppError> {
    match web::session::load(state, token).await? {
        Some((_, account)) => Ok(account),
        None => Err(AppError::unauthenticated()),
    }
}

/// The session token in a Cookie header value.
fn session_token(cookie: &str) -> Option<&str> {
    cookie
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == web::session::COOKIE_NAME)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_session_cookies_value() {
        assert_eq!(session_token("skillcert_session=abc"), Some("abc"));
        assert_eq!(session_token("a=1; skillcert_session=xyz"), Some("xyz"));
        assert_eq!(session_token("other=1"), None);
    }
}
