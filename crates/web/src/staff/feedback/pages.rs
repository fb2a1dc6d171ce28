//! The staff's feedback pages: the list with its filters, one feedback with its screenshot and
//! the answer form.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use domain::feedback::{FeedbackCategory, FeedbackStatus, MAX_TEXT_CHARS};
use domain::permissions::Permission;
use serde::Deserialize;
use store::feedback::Listed;

use super::{ListQuery, parse_id};
use crate::client::ClientAddress;
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, render};
use crate::session::CsrfForm;
use crate::staff::review::pages::Choice;
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

pub struct Line {
    pub id: i64,
    pub sender: String,
    pub category: &'static str,
    /// The first characters of the text.
    pub excerpt: String,
    pub created_at: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub has_screenshot: bool,
}

fn excerpt(text: &str) -> String {
    const SHOWN: usize = 60;
    let mut out: String = text.chars().take(SHOWN).collect();
    if text.chars().count() > SHOWN {
        out.push('…');
    }
    out
}

#[derive(Template)]
#[template(path = "staff/feedback_list.html")]
struct ListPage {
    layout: ConsoleLayout,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    lines: Vec<Line>,
    waiting: usize,
    query: String,
    can_export: bool,
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> PageResult {
    staff.require(Permission::AnswerFeedback)?;
    let found = store::feedback::list(&state.db, q.filter()).await?;
    let filter = q.filter();
    let page = ListPage {
        layout: staff.layout(ConsoleSection::Feedback),
        statuses: FeedbackStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.code().to_owned(),
                label: s.label().to_owned(),
                selected: filter.status == Some(*s),
            })
            .collect(),
        categories: FeedbackCategory::ALL
            .iter()
            .map(|c| Choice {
                value: c.code().to_owned(),
                label: c.label().to_owned(),
                selected: filter.category == Some(*c),
            })
            .collect(),
        waiting: found.iter().filter(|l| l.feedback.answer.is_none()).count(),
        lines: found
            .iter()
            .map(|l| Line {
                id: l.feedback.id,
                sender: l.sender_name.clone(),
                category: l.feedback.category.label(),
                excerpt: excerpt(&l.feedback.text),
                created_at: domain::time::format_instant(l.feedback.created_at),
                status: l.feedback.status().code(),
                status_label: l.feedback.status().label(),
                has_screenshot: l.feedback.screenshot.is_some(),
            })
            .collect(),
        query: q.query_string(),
        can_export: staff.may(Permission::ViewDashboard),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "staff/feedback.html")]
struct OnePage {
    layout: ConsoleLayout,
    csrf: String,
    id: i64,
    sender: String,
    category: &'static str,
    text: String,
    created_at: String,
    status: &'static str,
    status_label: &'static str,
    application_id: Option<i64>,
    /// The reviewer may open the linked application.
    can_review: bool,
    screenshot_href: Option<String>,
    answer: Option<String>,
    answered_by: String,
    answered_at: String,
    draft: String,
    max_chars: usize,
    errors: FormErrors,
}

async fn one_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    draft: String,
    errors: FormErrors,
) -> Result<OnePage, AppError> {
    let Listed {
        feedback: f,
        sender_name,
    } = store::feedback::get(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(OnePage {
        layout: staff.layout(ConsoleSection::Feedback),
        csrf: staff.session.csrf_token().await?,
        id: f.id,
        sender: sender_name,
        category: f.category.label(),
        created_at: domain::time::format_instant(f.created_at),
        status: f.status().code(),
        status_label: f.status().label(),
        application_id: f.application_id,
        can_review: staff.may(Permission::ReviewApplications),
        screenshot_href: f
            .screenshot
            .as_ref()
            .map(|_| format!("/staff/feedback/{}/screenshot", f.id)),
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
        text: f.text,
        draft,
        max_chars: MAX_TEXT_CHARS,
        errors,
    })
}

pub async fn one(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(Permission::AnswerFeedback)?;
    let page = one_page(
        &state,
        &staff,
        parse_id(&id)?,
        String::new(),
        FormErrors::none(),
    )
    .await?;
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> PageResult {
    staff.require(Permission::AnswerFeedback)?;
    let id = parse_id(&id)?;
    match super::answer(&state, &staff, &address, id, &form.answer).await {
        Ok(_) => Ok(Redirect::to(&format!("/staff/feedback/{id}")).into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = one_page(&state, &staff, id, form.answer, e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The screenshot, for staff who answer feedback (the sender reads it at /feedback/…).
pub async fn screenshot(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> PageResult {
    staff.require(Permission::AnswerFeedback)?;
    let found = store::feedback::get(&state.db, parse_id(&id)?)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(crate::feedback::actions::screenshot_response(&state, &found.feedback).await?)
}
