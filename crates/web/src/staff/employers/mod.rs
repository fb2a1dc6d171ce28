//! 单位名录: the employer registry against which work histories are checked; search it, and
//! import it from CSV or XLSX with a report of every problem by row and column, applied only
//! when the administrator confirms. Pages and the API.

pub mod actions;
pub mod api;
pub mod pages;
mod read;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/employers", get(pages::list))
        .route(
            "/staff/employers/import",
            post(pages::upload).layer(DefaultBodyLimit::max(actions::IMPORT_BODY_LIMIT)),
        )
        .route(
            "/staff/employers/imports/{id}/confirm",
            post(pages::confirm),
        )
        .route("/staff/code-tables", get(super::code_tables::page))
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/staff/employers", get(api::list))
        .route(
            "/staff/employers/imports",
            post(api::upload).layer(DefaultBodyLimit::max(actions::IMPORT_BODY_LIMIT)),
        )
        .route("/staff/employers/imports/{id}/confirm", post(api::confirm))
}
