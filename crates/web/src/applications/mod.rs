//! Applications (报名): the seed's four-step wizard with its checks, the final review with the
//! applicant's commitment, submission against the plan's capacity, 报名信息 and each
//! application's status page with its timeline.

pub mod actions;
pub mod api;
mod form_input;
mod pages;
mod photo;
pub mod reasons;
pub mod registration_form;
mod sections;
mod status_pages;
pub mod uploads;
pub(crate) mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans/{id}/apply", get(pages::apply))
        .route("/applications", get(status_pages::list))
        .route("/applications/{id}", get(status_pages::status))
        .route("/applications/{id}/submit", post(pages::submit))
        .route("/applications/{id}/reasons", get(reasons::page))
        .route("/applications/{id}/withdraw", post(status_pages::withdraw))
        .route(
            "/applications/{id}/registration-form.pdf",
            get(registration_form::download),
        )
        .route(
            "/applications/{id}/documents/{kind}",
            post(uploads::upload_page).layer(DefaultBodyLimit::max(uploads::UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/applications/{id}/files/{file_id}",
            get(uploads::serve_file),
        )
        .route(
            "/applications/{id}/{section}",
            get(pages::step_page).post(pages::step_submit),
        )
}
