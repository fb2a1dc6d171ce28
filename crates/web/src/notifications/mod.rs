//! The notification centre (通知): the candidate's notifications, newest first, unread ones
//! highlighted, each leading to its application; opening one marks it read, and all can be
//! marked read at once. The bell in the page header shows the unread count, which the session
//! query reads (`store::sessions::load_with_account`). The notifications themselves are made by
//! the worker (`store::notifications::deliver`).

pub mod api;
mod pages;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use store::notifications::Notification;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(pages::list))
        .route("/notifications/read-all", post(pages::read_all))
        .route("/notifications/{id}", get(pages::open))
        .route("/notifications/{id}/read", post(pages::read))
}

/// One notification as the centre and the API show it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// The application a status change concerns; absent for an answer to feedback.
    pub application_id: Option<i64>,
    pub title: String,
    pub body: String,
    /// Where to read more: the application's page, or the feedback.
    pub link: String,
    pub created_at: DateTime<Utc>,
    /// Beijing time, as the page shows it.
    pub created_at_text: String,
    pub read: bool,
}

impl From<Notification> for NotificationView {
    fn from(n: Notification) -> Self {
        NotificationView {
            id: n.id,
            application_id: n.application_id,
            created_at_text: domain::time::format_instant(n.created_at),
            title: n.title,
            body: n.body,
            link: n.link,
            created_at: n.created_at,
            read: n.read_at.is_some(),
        }
    }
}

fn parse_id(raw: &str) -> Result<i64, crate::error::AppError> {
    raw.parse().map_err(|_| crate::error::AppError::not_found())
}
