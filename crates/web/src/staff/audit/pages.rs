//! The audit log's search page.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::{Days, NaiveDate};
use domain::accounts::LoginIdentifier;
use domain::permissions::Permission;
use serde::Deserialize;
use store::audit::Search;

use super::view::{EntryView, entry_view};
use crate::error::{AppError, PageResult};
use crate::pages::render;
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

/// The search as the query string carries it (all optional).
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    /// A login name.
    #[serde(default)]
    pub actor: String,
    /// An action (`plan.update`) or the start of one (`plan`, `staff.`).
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub subject_type: String,
    #[serde(default)]
    pub subject_id: String,
    /// Beijing dates, YYYY-MM-DD, both included.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub page: Option<u64>,
}

impl AuditQuery {
    fn query_string(&self) -> String {
        let pairs = [
            ("actor", &self.actor),
            ("action", &self.action),
            ("subject_type", &self.subject_type),
            ("subject_id", &self.subject_id),
            ("from", &self.from),
            ("until", &self.until),
        ];
        serde_urlencoded::to_string(
            pairs
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default()
    }
}

/// A date typed into the search, or a note saying it was not read.
fn date(raw: &str, label: &str, notes: &mut Vec<String>) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
    if parsed.is_none() {
        notes.push(format!("{label}应为 YYYY-MM-DD，已忽略"));
    }
    parsed
}

/// What to look for. An actor who is no staff account finds nothing (rather than everything).
async fn search(
    state: &AppState,
    q: &AuditQuery,
    notes: &mut Vec<String>,
) -> Result<Search, AppError> {
    let mut search = Search::default();
    let actor = q.actor.trim();
    if !actor.is_empty() {
        let id = match LoginIdentifier::parse(actor) {
            Ok(identifier @ LoginIdentifier::LoginName(_)) => {
                store::accounts::find_for_login(&state.db, &state.pii, &identifier)
                    .await?
                    .map(|(a, _)| a.id)
            }
            _ => None,
        };
        search.actor_account_id = Some(id.unwrap_or(-1));
    }
    let action = q.action.trim();
    if !action.is_empty() {
        // A word without a dot is the subject part of actions: `plan` means `plan.*`.
        search.action = Some(if action.contains('.') {
            action.to_owned()
        } else {
            format!("{action}.")
        });
    }
    if !q.subject_type.trim().is_empty() && !q.subject_id.trim().is_empty() {
        search.subject = Some((
            q.subject_type.trim().to_owned(),
            q.subject_id.trim().to_owned(),
        ));
    }
    search.from = date(&q.from, "开始日期", notes).map(domain::time::shanghai_start_of);
    search.until = date(&q.until, "结束日期", notes)
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .map(domain::time::shanghai_start_of);
    Ok(search)
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    layout: ConsoleLayout,
    q: AuditQuery,
    subject_types: Vec<(&'static str, &'static str)>,
    notes: Vec<String>,
    entries: Vec<EntryView>,
    total: u64,
    page: u64,
    pages: u64,
    query: String,
}

pub async fn page(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    staff.require(Permission::ViewAuditLog)?;
    let mut notes = Vec::new();
    let search = search(&state, &q, &mut notes).await?;
    let found = store::audit::search(&state.db, &search, q.page.unwrap_or(1)).await?;
    let page = AuditPage {
        layout: staff.layout(ConsoleSection::AuditLog),
        subject_types: vec![
            ("plan", "认定计划"),
            ("account", "账号"),
            ("application", "报名"),
            ("calendar", "工作日历"),
        ],
        notes,
        entries: found.entries.iter().map(entry_view).collect(),
        total: found.total,
        page: found.page,
        pages: found.pages,
        query: q.query_string(),
        q,
    };
    Ok(render(&page)?.into_response())
}
