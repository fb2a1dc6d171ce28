//! 查看原因: why the application was rejected, what exactly to change (each marked part with a
//! link to the wizard page that holds it), and the history of every round.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use domain::applications::documents::DocumentKind;
use domain::applications::state::ApplicationStatus;

use super::actions;
use super::pages::{PlanHeading, heading, owned_with_context, parse_id};
use super::sections::Section;
use crate::error::{ApiResult, ErrorBody, PageResult};
use crate::pages::{Layout, Section as NavSection, render};
use crate::session::Session;
use crate::staff::review::api::{RoundView, rounds_view};
use crate::state::AppState;

pub struct MarkLine {
    pub label: String,
    pub note: String,
    /// The wizard page where the part is changed.
    pub href: String,
    pub step: &'static str,
}

pub struct RoundLine {
    pub round: i32,
    pub at: String,
    pub approved: bool,
    pub reasons: Vec<String>,
    pub marks: Vec<MarkLine>,
}

#[derive(Template)]
#[template(path = "applications/reasons.html")]
struct ReasonsPage {
    layout: Layout,
    app_id: i64,
    plan: PlanHeading,
    rejected: bool,
    /// The rounds, newest first.
    rounds: Vec<RoundLine>,
}

/// What the last rejection marked on one page of the wizard, as (label, note), for the page to
/// say what to change there. Nothing unless the application is rejected.
pub async fn marks_on(
    state: &AppState,
    application: &store::applications::Application,
    section: Section,
) -> Result<Vec<(String, String)>, crate::error::AppError> {
    if application.status != ApplicationStatus::Rejected {
        return Ok(Vec::new());
    }
    let decisions = store::review::decisions(&state.db, application.id).await?;
    let Some(last) = decisions.iter().rev().find_map(|d| d.rejection.as_ref()) else {
        return Ok(Vec::new());
    };
    Ok(last
        .marks
        .iter()
        .filter(|m| section_of(&m.part) == section)
        .map(|m| {
            (
                domain::review::part_label(&m.part).unwrap_or_default(),
                m.note.clone(),
            )
        })
        .collect())
}

/// Where the candidate changes a marked part.
fn section_of(part: &str) -> Section {
    if part
        .strip_prefix("document:")
        .is_some_and(|k| DocumentKind::parse(k).is_some())
    {
        Section::Documents
    } else {
        Section::of_field(part)
    }
}

pub async fn page(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let account = session.require_account()?;
    let (application, ctx) = owned_with_context(&state, &account, &id).await?;
    let decisions = store::review::decisions(&state.db, application.id).await?;
    let rounds = decisions
        .iter()
        .rev()
        .map(|d| RoundLine {
            round: d.round,
            at: domain::time::format_instant(d.decided_at),
            approved: d.rejection.is_none(),
            reasons: d
                .rejection
                .as_ref()
                .map(|r| r.reasons())
                .unwrap_or_default(),
            marks: d
                .rejection
                .as_ref()
                .map(|r| {
                    r.marks
                        .iter()
                        .map(|m| {
                            let section = section_of(&m.part);
                            MarkLine {
                                label: domain::review::part_label(&m.part).unwrap_or_default(),
                                note: m.note.clone(),
                                href: format!(
                                    "/applications/{}/{}",
                                    application.id,
                                    section.slug()
                                ),
                                step: section.title(),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    Ok(render(&ReasonsPage {
        layout: Layout::new(&session, NavSection::Applications),
        app_id: application.id,
        plan: heading(&ctx),
        rejected: application.status == ApplicationStatus::Rejected,
        rounds,
    })?
    .into_response())
}

/// Every review round of the candidate's application: decisions, reasons and marked parts.
#[utoipa::path(get, path = "/api/v1/applications/{id}/rounds", tag = "applications",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RoundView>), (status = 404, body = ErrorBody)))]
pub async fn api_rounds(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RoundView>>> {
    let account = session.require_account()?;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    let decisions = store::review::decisions(&state.db, application.id).await?;
    Ok(Json(rounds_view(&decisions)))
}
