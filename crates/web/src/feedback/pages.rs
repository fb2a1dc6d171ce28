//! The 意见反馈 page: the form, and the candidate's earlier feedback with staff answers.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use domain::feedback::{FeedbackCategory, MAX_TEXT_CHARS, screenshot_limit_text};
use serde::Deserialize;
use store::accounts::Account;
use store::feedback::Feedback;

use super::actions::{self, Posted, parse_id, screenshot_href};
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, Layout, Section, render};
use crate::session::Session;
use crate::state::AppState;

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct FeedbackItem {
    pub id: i64,
    pub category: &'static str,
    pub text: String,
    pub created_at: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub application: Option<String>,
    pub screenshot_href: Option<String>,
    pub answer: Option<String>,
    pub answered_by: String,
    pub answered_at: String,
}

impl FeedbackItem {
    fn new(f: &Feedback) -> FeedbackItem {
        FeedbackItem {
            id: f.id,
            category: f.category.label(),
            text: f.text.clone(),
            created_at: domain::time::format_instant(f.created_at),
            status: f.status().code(),
            status_label: f.status().label(),
            application: f.application_id.map(|id| format!("报名编号 {id}")),
            screenshot_href: screenshot_href(f),
            answer: f.answer.as_ref().map(|a| a.text.clone()),
            answered_by: f
                .answer
                .as_ref()
                .map(|a| a.by_name.clone())
                .unwrap_or_default(),
            answered_at: f
                .answer
                .as_ref()
                .map(|a| domain::time::format_instant(a.at))
                .unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "feedback/page.html")]
struct FeedbackPage {
    layout: Layout,
    csrf: String,
    categories: Vec<Choice>,
    applications: Vec<Choice>,
    text: String,
    max_chars: usize,
    screenshot_limit: String,
    errors: FormErrors,
    notice: Option<String>,
    items: Vec<FeedbackItem>,
}

async fn feedback_page(
    state: &AppState,
    session: &Session,
    account: &Account,
    posted: Posted,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<FeedbackPage, AppError> {
    let plans: std::collections::HashMap<i64, String> = store::review::plan_choices(&state.db)
        .await?
        .into_iter()
        .collect();
    let applications = store::applications::list_for_account(&state.db, account.id)
        .await?
        .into_iter()
        .map(|a| Choice {
            selected: posted.application_id.trim() == a.id.to_string(),
            label: format!(
                "报名编号 {} · {}（{}）",
                a.id,
                plans.get(&a.plan_id).cloned().unwrap_or_default(),
                a.status.label()
            ),
            value: a.id.to_string(),
        })
        .collect();
    let items = store::feedback::list_for_account(&state.db, account.id)
        .await?
        .iter()
        .map(FeedbackItem::new)
        .collect();
    Ok(FeedbackPage {
        layout: Layout::new(session, Section::Feedback),
        csrf: session.csrf_token().await?,
        categories: FeedbackCategory::ALL
            .iter()
            .map(|c| Choice {
                value: c.code().to_owned(),
                label: c.label().to_owned(),
                selected: posted.category == c.code(),
            })
            .collect(),
        applications,
        text: posted.text,
        max_chars: MAX_TEXT_CHARS,
        screenshot_limit: screenshot_limit_text(),
        errors,
        notice,
        items,
    })
}

#[derive(Deserialize, Default)]
pub struct SentNotice {
    #[serde(default)]
    sent: Option<i64>,
}

/// GET /feedback: the form and the candidate's earlier feedback.
pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Query(notice): Query<SentNotice>,
) -> PageResult {
    let account = session.require_account()?;
    let notice = notice
        .sent
        .map(|_| "反馈已提交。工作人员回复后，您可以在下方看到回复。".to_owned());
    let page = feedback_page(
        &state,
        &session,
        &account,
        Posted::default(),
        FormErrors::none(),
        notice,
    )
    .await?;
    Ok(render(&page)?.into_response())
}

/// POST /feedback (multipart: `csrf`, `category`, `text`, `application_id`, `screenshot`).
/// Accepted: back to the page; refused: the form again with the messages beside the fields.
pub async fn send(
    State(state): State<AppState>,
    session: Session,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let account = session.require_account()?;
    let multipart = multipart.map_err(|_| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "提交内容无法读取，请重试",
        )
    })?;
    let (mut posted, failure) = actions::read(multipart).await;
    // The token is checked before anything else is looked at, even when the body failed.
    session.check_csrf(posted.csrf.as_deref().unwrap_or_default())?;
    let outcome = match failure {
        Some(e) => Err(e),
        None => {
            let kept = Posted {
                csrf: None,
                category: posted.category.clone(),
                text: posted.text.clone(),
                application_id: posted.application_id.clone(),
                screenshot: None,
            };
            let sent = actions::send(&state, &account, std::mem::take(&mut posted)).await;
            posted = kept;
            sent
        }
    };
    match outcome {
        Ok(f) => {
            Ok(Redirect::to(&format!("/feedback?sent={}#feedback-{}", f.id, f.id)).into_response())
        }
        Err(e) if e.is_input() => {
            let status = e.status;
            let retry_after = e.retry_after;
            let page = feedback_page(&state, &session, &account, posted, e.into(), None).await?;
            let mut response = (status, render(&page)?).into_response();
            if let Some(secs) = retry_after
                && let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string())
            {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /feedback/{id}/screenshot: to the feedback's sender only (anyone else: 404).
pub async fn screenshot(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let account = session.require_account()?;
    let feedback = store::feedback::get_owned(&state.db, parse_id(&id)?, account.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(actions::screenshot_response(&state, &feedback).await?)
}
