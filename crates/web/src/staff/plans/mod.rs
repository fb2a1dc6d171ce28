//! 认定计划 in the console: the list with each plan's state and seats, creating and editing a
//! plan (windows, fee, capacity, sites, the documents it asks for, its code), opening and
//! closing registration; pages and the API. The rules are `domain::plans::terms`; the writes,
//! each with its audit line, `store::plans::manage`.

pub mod actions;
pub mod api;
pub mod form;
pub mod pages;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/plans", get(pages::list).post(pages::create))
        .route("/staff/plans/new", get(pages::new))
        .route("/staff/plans/{id}", get(pages::edit).post(pages::update))
        .route("/staff/plans/{id}/open", post(pages::open))
        .route("/staff/plans/{id}/close", post(pages::close))
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/staff/plans", get(api::list).post(api::create))
        .route("/staff/plans/{id}", get(api::get).put(api::update))
        .route("/staff/plans/{id}/open", post(api::open))
        .route("/staff/plans/{id}/close", post(api::close))
}
