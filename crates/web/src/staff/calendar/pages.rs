//! The calendar page: the exceptions as text to edit, this month and the next drawn from them,
//! and saving (the whole text, or nothing with every bad line named).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use domain::calendar::WorkCalendar;
use domain::permissions::Permission;
use serde::Deserialize;

use super::month::{Month, month, next_month};
use crate::client::ClientAddress;
use crate::error::PageResult;
use crate::pages::render;
use crate::session::CsrfForm;
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

/// The longest holiday name the calendar keeps (its column holds 64 characters).
const NAME_MAX_CHARS: usize = 64;

/// One refused line, for the list above the text.
pub struct LineError {
    pub code: &'static str,
    pub message: String,
}

#[derive(Template)]
#[template(path = "staff/calendar.html")]
struct CalendarPage {
    layout: ConsoleLayout,
    csrf: String,
    text: String,
    errors: Vec<LineError>,
    months: Vec<Month>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Deserialize)]
pub struct CalendarForm {
    #[serde(default)]
    text: String,
}

async fn calendar_page(
    state: &AppState,
    staff: &Staff,
    text: Option<String>,
    errors: Vec<LineError>,
) -> Result<CalendarPage, crate::error::AppError> {
    let calendar = store::calendar::load(&state.db).await?;
    let today = domain::time::shanghai_date(Utc::now());
    Ok(CalendarPage {
        layout: staff.layout(ConsoleSection::Calendar),
        csrf: staff.session.csrf_token().await?,
        text: text.unwrap_or_else(|| calendar.to_text()),
        months: vec![
            month(&calendar, today, today),
            month(&calendar, next_month(today), today),
        ],
        errors,
        notice: None,
    })
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    staff.require(Permission::ManageCalendar)?;
    let mut page = calendar_page(&state, &staff, None, Vec::new()).await?;
    page.notice = q.saved.map(|_| "工作日历已保存".to_owned());
    Ok(render(&page)?.into_response())
}

pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    CsrfForm(form): CsrfForm<CalendarForm>,
) -> PageResult {
    staff.require(Permission::ManageCalendar)?;
    match parse(&form.text) {
        Ok(calendar) => {
            let editor = crate::staff::plans::actions::editor(&staff, &address);
            store::calendar::replace(&state.db, &calendar, editor, Utc::now()).await?;
            Ok(Redirect::to("/staff/calendar?saved=1").into_response())
        }
        Err(errors) => {
            let page = calendar_page(&state, &staff, Some(form.text), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

/// The text as a calendar, or every bad line: the domain's format errors, and names longer than
/// the calendar keeps.
fn parse(text: &str) -> Result<WorkCalendar, Vec<LineError>> {
    let mut errors: Vec<LineError> = match WorkCalendar::parse(text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .iter()
            .map(|e| LineError {
                code: e.code(),
                message: e.to_string(),
            })
            .collect(),
    };
    for (i, line) in text.lines().enumerate() {
        let name = line
            .trim()
            .splitn(3, [',', '，'])
            .nth(2)
            .unwrap_or("")
            .trim();
        if !line.trim().starts_with('#') && name.chars().count() > NAME_MAX_CHARS {
            errors.push(LineError {
                code: "calendar_name_too_long",
                message: format!("第 {} 行：名称不能超过 {NAME_MAX_CHARS} 个字", i + 1),
            });
        }
    }
    if errors.is_empty() {
        WorkCalendar::parse(text).map_err(|_| errors)
    } else {
        Err(errors)
    }
}
