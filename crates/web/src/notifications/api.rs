//! `/api/v1/notifications`: the notification centre for API clients.

use axum::Json;
use axum::extract::{Path, State};
use chrono::Utc;
use serde::Serialize;

use super::{NotificationView, parse_id};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::session::Session;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationList {
    /// Unread notifications in all (the bell's count).
    pub unread: u64,
    /// The newest notifications, newest first.
    pub items: Vec<NotificationView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReadAll {
    /// How many were unread.
    pub marked: u64,
}

/// The logged-in person's notifications, newest first, and the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<NotificationList>> {
    let account = session.require_account()?;
    let items = store::notifications::list_for_account(
        &state.db,
        account.id,
        store::notifications::LIST_LIMIT,
    )
    .await?;
    let unread = store::notifications::unread_count(&state.db, account.id).await?;
    Ok(Json(NotificationList {
        unread,
        items: items.into_iter().map(NotificationView::from).collect(),
    }))
}

/// Marks one notification read. Another person's notification is 404, like a missing one.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "notification id")),
    responses((status = 200, body = NotificationView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<NotificationView>> {
    let account = session.require_account()?;
    let opened = store::notifications::open(&state.db, parse_id(&id)?, account.id, Utc::now())
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(opened.into()))
}

/// Marks every notification of the logged-in person read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 200, body = ReadAll), (status = 401, body = ErrorBody)))]
pub async fn read_all(State(state): State<AppState>, session: Session) -> ApiResult<Json<ReadAll>> {
    let account = session.require_account()?;
    let marked = store::notifications::mark_all_read(&state.db, account.id, Utc::now()).await?;
    Ok(Json(ReadAll { marked }))
}
