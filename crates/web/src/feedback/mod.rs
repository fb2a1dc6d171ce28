//! 意见反馈, the candidate's side: send feedback (a category, a text, optionally one of one's
//! applications and a screenshot) and read earlier feedback with the staff's answers; pages and
//! the API. Staff answer in `staff::feedback`.

pub mod actions;
pub mod api;
pub mod pages;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;

use crate::state::AppState;

/// The request body limit of the sending routes: the largest screenshot (5 MB) plus the form
/// fields and the multipart envelope.
pub const SEND_BODY_LIMIT: usize = 6 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/feedback",
            get(pages::page)
                .post(pages::send)
                .layer(DefaultBodyLimit::max(SEND_BODY_LIMIT)),
        )
        .route("/feedback/{id}/screenshot", get(pages::screenshot))
}

/// Nested under `/api/v1`.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .route(
            "/feedback",
            get(api::list)
                .post(api::send)
                .layer(DefaultBodyLimit::max(SEND_BODY_LIMIT)),
        )
        .route("/feedback/{id}", get(api::get))
}
