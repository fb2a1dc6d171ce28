//! 报名审核: the queue, one application's review, claims, approve / reject with reasons and
//! marks, batch approval of clean applications; pages and the API.

pub mod actions;
pub mod api;
pub mod pages;
mod view;

use axum::Router;
use axum::routing::{get, post};
use chrono::Utc;

use crate::error::AppError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/review", get(pages::queue))
        .route("/staff/review/batch-approve", post(pages::batch_approve))
        .route("/staff/review/{id}", get(pages::application))
        .route("/staff/review/{id}/approve", post(pages::approve))
        .route("/staff/review/{id}/reject", post(pages::reject))
        .route("/staff/review/{id}/release", post(pages::release))
        .route("/staff/review/{id}/files/{file_id}", get(pages::file))
        .route(
            "/staff/review/{id}/registration-form.pdf",
            get(pages::registration_form),
        )
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/staff/review", get(api::queue))
        .route("/staff/review/batch-approve", post(api::batch_approve))
        .route("/staff/review/{id}", get(api::application))
        .route(
            "/staff/review/{id}/claim",
            post(api::claim).delete(api::release),
        )
        .route("/staff/review/{id}/approve", post(api::approve))
        .route("/staff/review/{id}/reject", post(api::reject))
}

/// The review backlog against the 2-working-day promise, for the console's first page.
pub struct QueueSummary {
    pub waiting: usize,
    pub due_today: usize,
    pub overdue: usize,
}

pub async fn summary(state: &AppState) -> Result<QueueSummary, AppError> {
    let calendar = store::calendar::load(&state.db).await?;
    let b = store::review::backlog(
        &state.db,
        &calendar,
        domain::time::shanghai_date(Utc::now()),
    )
    .await?;
    Ok(QueueSummary {
        waiting: b.waiting,
        due_today: b.due_today,
        overdue: b.overdue,
    })
}
