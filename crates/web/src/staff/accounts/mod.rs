//! 工作人员 in the console (administrators only): the staff list with roles, creating an account
//! (login name, name, initial password, one or more roles), changing roles, disabling and
//! enabling, resetting a password; pages and the API. Writes and their audit lines are
//! `store::accounts::staff`.

pub mod actions;
pub mod api;
pub mod pages;

use axum::Router;
use axum::routing::{get, post, put};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/accounts", get(pages::list).post(pages::create))
        .route("/staff/accounts/{id}", get(pages::detail))
        .route("/staff/accounts/{id}/roles", post(pages::roles))
        .route("/staff/accounts/{id}/disable", post(pages::disable))
        .route("/staff/accounts/{id}/enable", post(pages::enable))
        .route("/staff/accounts/{id}/password", post(pages::password))
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/staff/accounts", get(api::list).post(api::create))
        .route("/staff/accounts/{id}/roles", put(api::roles))
        .route("/staff/accounts/{id}/disable", post(api::disable))
        .route("/staff/accounts/{id}/enable", post(api::enable))
        .route("/staff/accounts/{id}/password", post(api::password))
}
