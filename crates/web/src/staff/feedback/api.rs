//! `/api/v1/staff/feedback`: the feedback list, one feedback and the answer for API clients,
//! with the same checks and codes as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use domain::permissions::Permission;
use serde::{Deserialize, Serialize};

use super::{ListQuery, parse_id};
use crate::client::ClientAddress;
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody};
use crate::feedback::api::FeedbackView;
use crate::staff::Staff;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffFeedbackView {
    pub sender_name: String,
    #[serde(flatten)]
    pub feedback: FeedbackView,
}

fn view(l: &store::feedback::Listed) -> StaffFeedbackView {
    let f = &l.feedback;
    StaffFeedbackView {
        sender_name: l.sender_name.clone(),
        feedback: FeedbackView::new(
            f,
            f.screenshot
                .as_ref()
                .map(|_| format!("/staff/feedback/{}/screenshot", f.id)),
        ),
    }
}

/// Candidates' feedback, unanswered first (oldest first), then answered. Filters: `status`
/// (open, answered), `category`.
#[utoipa::path(get, path = "/api/v1/staff/feedback", tag = "feedback",
    params(("status" = Option<String>, Query), ("category" = Option<String>, Query)),
    responses((status = 200, body = Vec<StaffFeedbackView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Vec<StaffFeedbackView>>> {
    staff.require(Permission::AnswerFeedback)?;
    let found = store::feedback::list(&state.db, q.filter()).await?;
    Ok(Json(found.iter().map(view).collect()))
}

#[utoipa::path(get, path = "/api/v1/staff/feedback/{id}", tag = "feedback",
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffFeedbackView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffFeedbackView>> {
    staff.require(Permission::AnswerFeedback)?;
    let found = store::feedback::get(&state.db, parse_id(&id)?)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(view(&found)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AnswerBody {
    /// 1–1000 characters.
    pub answer: String,
}

/// Answers a feedback (once; a second answer is 409 `feedback_already_answered`).
#[utoipa::path(post, path = "/api/v1/staff/feedback/{id}/answer", tag = "feedback",
    params(("id" = i64, Path)), request_body = AnswerBody,
    responses((status = 200, body = StaffFeedbackView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "text_required, text_too_long")))]
pub async fn answer(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> ApiResult<Json<StaffFeedbackView>> {
    staff.require(Permission::AnswerFeedback)?;
    let id = parse_id(&id)?;
    super::answer(&state, &staff, &address, id, &body.answer).await?;
    let found = store::feedback::get(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(view(&found)))
}
