//! `/api/v1/feedback`: the candidate's feedback for API clients, with the same checks, limit and
//! codes as the page.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use store::feedback::Feedback;

use super::actions::{self, parse_id, screenshot_href};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::session::Session;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnswerView {
    pub text: String,
    /// The staff member who answered.
    pub answered_by: String,
    pub answered_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedbackView {
    pub id: i64,
    /// registration, payment, exam, certificate, system, other
    pub category: String,
    pub category_label: String,
    pub text: String,
    /// One of the sender's applications, if the feedback is about one.
    pub application_id: Option<i64>,
    /// open (待回复) or answered (已回复)
    pub status: String,
    pub status_label: String,
    /// Where the sender reads the screenshot (`GET`, with the session).
    pub screenshot_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub answer: Option<AnswerView>,
}

impl FeedbackView {
    pub fn new(f: &Feedback, screenshot_url: Option<String>) -> FeedbackView {
        FeedbackView {
            id: f.id,
            category: f.category.code().to_owned(),
            category_label: f.category.label().to_owned(),
            text: f.text.clone(),
            application_id: f.application_id,
            status: f.status().code().to_owned(),
            status_label: f.status().label().to_owned(),
            screenshot_url,
            created_at: f.created_at,
            answer: f.answer.as_ref().map(|a| AnswerView {
                text: a.text.clone(),
                answered_by: a.by_name.clone(),
                answered_at: a.at,
            }),
        }
    }
}

impl From<&Feedback> for FeedbackView {
    fn from(f: &Feedback) -> Self {
        FeedbackView::new(f, screenshot_href(f))
    }
}

/// The signed-in candidate's feedback, newest first, with staff answers.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback",
    responses((status = 200, body = Vec<FeedbackView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<FeedbackView>>> {
    let account = session.require_account()?;
    let found = store::feedback::list_for_account(&state.db, account.id).await?;
    Ok(Json(found.iter().map(FeedbackView::from).collect()))
}

/// One of the candidate's feedback (another's is 404).
#[utoipa::path(get, path = "/api/v1/feedback/{id}", tag = "feedback",
    params(("id" = i64, Path)),
    responses((status = 200, body = FeedbackView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<FeedbackView>> {
    let account = session.require_account()?;
    let found = store::feedback::get_owned(&state.db, parse_id(&id)?, account.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(FeedbackView::from(&found)))
}

/// Sends feedback (multipart): `category` (registration, payment, exam, certificate, system,
/// other), `text` (1–1000 characters), optional `application_id` (one of one's own), optional
/// `screenshot` (JPEG or PNG, at most 5 MB, judged by content). At most 5 an hour per account.
#[utoipa::path(post, path = "/api/v1/feedback", tag = "feedback",
    request_body(content_type = "multipart/form-data", content = String, description = "fields category, text, application_id, screenshot"),
    responses((status = 201, body = FeedbackView),
              (status = 401, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "category_required, text_required, text_too_long, application_not_found, screenshot_empty, screenshot_too_large, screenshot_not_image, screenshot_truncated"),
              (status = 429, body = ErrorBody, description = "feedback_throttled")))]
pub async fn send(
    State(state): State<AppState>,
    session: Session,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FeedbackView>)> {
    let account = session.require_account()?;
    let multipart = multipart.map_err(|_| {
        AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求内容须为 multipart/form-data",
        )
    })?;
    let (posted, failure) = actions::read(multipart).await;
    if let Some(e) = failure {
        return Err(e);
    }
    let sent = actions::send(&state, &account, posted).await?;
    Ok((StatusCode::CREATED, Json(FeedbackView::from(&sent))))
}
