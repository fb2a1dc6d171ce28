//! 报名信息 (the candidate's applications) and each application's status page, with its
//! timeline, what to do next, and withdrawal.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use domain::applications::state::ApplicationStatus;
use serde::Deserialize;

use super::actions;
use super::pages::{PlanHeading, heading, owned_with_context, parse_id};
use super::view::{self, TimelineEntry};
use crate::error::PageResult;
use crate::pages::{Layout, Section as NavSection, render};
use crate::session::{CsrfForm, Session};
use crate::state::AppState;

pub struct ListItem {
    pub id: i64,
    pub plan_title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub next_step: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "applications/list.html")]
pub struct ListPage {
    layout: Layout,
    items: Vec<ListItem>,
}

pub async fn list(State(state): State<AppState>, session: Session) -> PageResult {
    let account = session.require_account()?;
    let mut items = Vec::new();
    for a in store::applications::list_for_account(&state.db, account.id).await? {
        let plan_title = store::plans::get(&state.db, a.plan_id)
            .await?
            .map(|(p, _)| format!("{} {}", p.code, p.name))
            .unwrap_or_default();
        items.push(ListItem {
            id: a.id,
            plan_title,
            status: a.status.code(),
            status_label: a.status.label(),
            next_step: a.status.next_step_text(),
            href: view::resume_path(&a),
        });
    }
    Ok(render(&ListPage {
        layout: Layout::new(&session, NavSection::Applications),
        items,
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "applications/status.html")]
pub struct StatusPage {
    layout: Layout,
    csrf: String,
    app_id: i64,
    plan: PlanHeading,
    status: &'static str,
    status_label: &'static str,
    next_step: &'static str,
    editable: bool,
    withdrawable: bool,
    eligibility_acknowledged: bool,
    /// Submitted (or edited since) meeting no eligibility alternative.
    eligibility_unmet: bool,
    timeline: Vec<TimelineEntry>,
    /// Reviewed at least once: the review record can be read.
    has_rounds: bool,
    /// An order exists: its receipt and refunds can be read.
    has_payment: bool,
}

pub async fn status(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let account = session.require_account()?;
    let (application, ctx) = owned_with_context(&state, &account, &id).await?;
    if application.status == ApplicationStatus::Draft {
        return Ok(Redirect::to(&view::resume_path(&application)).into_response());
    }
    let events = store::applications::events(&state.db, application.id).await?;
    Ok(render(&StatusPage {
        csrf: session.csrf_token().await?,
        layout: Layout::new(&session, NavSection::Applications),
        app_id: application.id,
        plan: heading(&ctx),
        status: application.status.code(),
        status_label: application.status.label(),
        next_step: application.status.next_step_text(),
        editable: application.status.candidate_may_edit(),
        withdrawable: application.status.candidate_may_withdraw(),
        eligibility_acknowledged: application.eligibility_acknowledged,
        eligibility_unmet: application.submitted_at.is_some() && !application.eligibility_met,
        has_rounds: events
            .iter()
            .any(|e| e.kind == "approved" || e.kind == "rejected"),
        timeline: view::timeline(&events),
        has_payment: !store::payments::application_orders(&state.db, application.id)
            .await?
            .is_empty(),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct EmptyForm {}

pub async fn withdraw(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let account = session.require_account()?;
    let done = actions::withdraw(&state, &account, parse_id(&id)?).await?;
    Ok(Redirect::to(&format!("/applications/{}", done.id)).into_response())
}
