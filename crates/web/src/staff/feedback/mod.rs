//! 意见反馈, the staff side: the list (unanswered first, filtered by status and category), one
//! feedback with its screenshot, and the answer; pages and the API. Everything here needs
//! `Permission::AnswerFeedback`.

pub mod api;
pub mod pages;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use chrono::Utc;
use domain::feedback::{FeedbackCategory, FeedbackStatus, FeedbackText};
use serde::Deserialize;
use store::feedback::{AnswerError, Answerer, Feedback, StaffFilter};

use crate::error::AppError;
use crate::staff::Staff;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/feedback", get(pages::list))
        .route("/staff/feedback/{id}", get(pages::one))
        .route("/staff/feedback/{id}/answer", post(pages::answer))
        .route("/staff/feedback/{id}/screenshot", get(pages::screenshot))
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/staff/feedback", get(api::list))
        .route("/staff/feedback/{id}", get(api::one))
        .route("/staff/feedback/{id}/answer", post(api::answer))
}

/// The list's filters as the query string carries them; a value the filter form does not offer
/// is ignored (all feedback), not refused.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub category: String,
}

impl ListQuery {
    pub fn filter(&self) -> StaffFilter {
        StaffFilter {
            status: FeedbackStatus::parse(&self.status),
            category: FeedbackCategory::parse(&self.category),
        }
    }

    /// The filters in force, for the export link and its audit line.
    pub fn query_string(&self) -> String {
        let f = self.filter();
        [
            ("status", f.status.map(|s| s.code())),
            ("category", f.category.map(|c| c.code())),
        ]
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join("&")
    }
}

pub fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// Answers feedback `id` as `staff` (with the audit line in the same transaction).
pub async fn answer(
    state: &AppState,
    staff: &Staff,
    address: &str,
    id: i64,
    raw_text: &str,
) -> Result<Feedback, AppError> {
    let text = FeedbackText::parse(raw_text).map_err(|e| {
        let mut err = AppError::field("answer", e.code(), e.to_string());
        err.code = e.code();
        err
    })?;
    let account = &staff.account;
    let answerer = Answerer {
        account_id: account.id,
        name: account.real_name.clone(),
        login: account
            .login_name
            .clone()
            .unwrap_or_else(|| account.real_name.clone()),
        client_address: Some(address.to_owned()),
    };
    match store::feedback::answer(&state.db, id, &answerer, &text, Utc::now()).await? {
        Ok(f) => Ok(f),
        Err(AnswerError::NotFound) => Err(AppError::not_found()),
        Err(AnswerError::AlreadyAnswered) => Err(AppError::new(
            StatusCode::CONFLICT,
            "feedback_already_answered",
            "这条反馈已有工作人员回复，请刷新后查看",
        )),
    }
}
