//! The notification centre's pages.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use serde::Deserialize;

use super::{NotificationView, parse_id};
use crate::error::{AppError, PageResult};
use crate::pages::{Layout, Section, render};
use crate::session::{CsrfForm, Session};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "notifications/list.html")]
pub struct ListPage {
    layout: Layout,
    csrf: String,
    items: Vec<NotificationView>,
    unread: usize,
}

pub async fn list(State(state): State<AppState>, session: Session) -> PageResult {
    let account = session.require_account()?;
    let items: Vec<NotificationView> = store::notifications::list_for_account(
        &state.db,
        account.id,
        store::notifications::LIST_LIMIT,
    )
    .await?
    .into_iter()
    .map(NotificationView::from)
    .collect();
    Ok(render(&ListPage {
        layout: Layout::new(&session, Section::None),
        csrf: session.csrf_token().await?,
        unread: items.iter().filter(|n| !n.read).count(),
        items,
    })?
    .into_response())
}

/// Opening a notification marks it read and leads to its application. Another account's
/// notification is "not found", like one that does not exist.
pub async fn open(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let account = session.require_account()?;
    let opened = store::notifications::open(&state.db, parse_id(&id)?, account.id, Utc::now())
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Redirect::to(&opened.link).into_response())
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[allow(dead_code)]
    csrf: String,
}

/// Marks one notification read without leaving the centre.
pub async fn read(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> PageResult {
    let account = session.require_account()?;
    store::notifications::open(&state.db, parse_id(&id)?, account.id, Utc::now())
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Redirect::to("/notifications").into_response())
}

pub async fn read_all(
    State(state): State<AppState>,
    session: Session,
    CsrfForm(_): CsrfForm<CsrfOnly>,
) -> PageResult {
    let account = session.require_account()?;
    store::notifications::mark_all_read(&state.db, account.id, Utc::now()).await?;
    Ok(Redirect::to("/notifications").into_response())
}
