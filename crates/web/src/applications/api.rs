//! `/api/v1/applications`: the wizard for API clients. The draft travels whole as JSON; every
//! response about a draft carries every check, with the same codes and Chinese messages as the
//! pages.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::applications::form::ApplicationDraft;
use serde::{Deserialize, Serialize};
use store::applications::Application;

use super::actions::{self, Review, VerdictView};
use super::form_input::{self, Posted};
use super::sections::Section;
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody, FieldError};
use crate::session::Session;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    pub id: i64,
    pub plan_id: i64,
    /// draft, under_review, rejected, approved, paid, … (see the state machine).
    pub status: String,
    pub status_label: String,
    /// What the candidate should do now.
    pub next_step: String,
    #[schema(value_type = Object)]
    pub draft: ApplicationDraft,
    pub submitted_at: Option<DateTime<Utc>>,
    pub eligibility_met: bool,
    pub eligibility_acknowledged: bool,
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        ApplicationView {
            id: a.id,
            plan_id: a.plan_id,
            status: a.status.code().to_owned(),
            status_label: a.status.label().to_owned(),
            next_step: a.status.next_step_text().to_owned(),
            draft: a.draft.clone(),
            submitted_at: a.submitted_at,
            eligibility_met: a.eligibility_met,
            eligibility_acknowledged: a.eligibility_acknowledged,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ChecksView {
    /// Every error and warning of the form; warnings (`severity` = warning) do not block.
    pub issues: Vec<IssueView>,
    /// Each eligibility alternative of the plan's level, met or with what is missing.
    pub eligibility: Vec<VerdictView>,
    /// Total years of work, overlapping periods counted once (合计).
    pub work_total: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssueView {
    #[serde(flatten)]
    pub field: FieldError,
    pub severity: String,
}

pub(crate) fn issue_view(issue: &domain::applications::issues::FieldIssue) -> IssueView {
    IssueView {
        field: actions::field_error(issue),
        severity: if issue.is_error() { "error" } else { "warning" }.to_owned(),
    }
}

impl From<Review> for ChecksView {
    fn from(r: Review) -> Self {
        ChecksView {
            issues: r.issues.iter().map(|(_, i)| issue_view(i)).collect(),
            eligibility: r.verdicts,
            work_total: r.work_total,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SavedView {
    pub application: ApplicationView,
    pub checks: ChecksView,
}

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// Starts (or resumes) the logged-in candidate's application for a plan.
#[utoipa::path(post, path = "/api/v1/plans/{id}/application", tag = "applications",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, body = ApplicationView), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    session: Session,
    Path(plan_id): Path<String>,
) -> ApiResult<Json<ApplicationView>> {
    let account = session.require_account()?;
    let application = actions::open(&state, &account, parse_id(&plan_id)?).await?;
    Ok(Json(ApplicationView::from(&application)))
}

/// The logged-in candidate's applications.
#[utoipa::path(get, path = "/api/v1/applications", tag = "applications",
    responses((status = 200, body = Vec<ApplicationView>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<ApplicationView>>> {
    let account = session.require_account()?;
    let found = store::applications::list_for_account(&state.db, account.id).await?;
    Ok(Json(found.iter().map(ApplicationView::from).collect()))
}

/// One of the candidate's applications (another candidate's is 404).
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "applications",
    params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<ApplicationView>> {
    let account = session.require_account()?;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    Ok(Json(ApplicationView::from(&application)))
}

/// Saves the whole draft and returns every check. A draft is saved even with mistakes; once
/// submitted, an edit with mistakes is refused (422) and nothing is saved.
#[utoipa::path(put, path = "/api/v1/applications/{id}/draft", tag = "applications",
    params(("id" = i64, Path)), request_body(content = Object),
    responses((status = 200, body = SavedView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "edit_incomplete: once submitted, an edit is saved only when it passes every check")))]
pub async fn save_draft(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(draft): ApiJson<ApplicationDraft>,
) -> ApiResult<Json<SavedView>> {
    let account = session.require_account()?;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    let ctx = actions::context(&state, &application, &account).await?;
    let (saved, review) = actions::save_whole(&state, &account, &application, &ctx, &draft).await?;
    Ok(Json(SavedView {
        application: ApplicationView::from(&saved),
        checks: review.into(),
    }))
}

/// Every check of the saved draft.
#[utoipa::path(get, path = "/api/v1/applications/{id}/checks", tag = "applications",
    params(("id" = i64, Path)),
    responses((status = 200, body = ChecksView), (status = 404, body = ErrorBody)))]
pub async fn checks(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<Json<ChecksView>> {
    let account = session.require_account()?;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    let ctx = actions::context(&state, &application, &account).await?;
    Ok(Json(
        actions::review(&state, &ctx, &application.draft)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SubmitRequest {
    /// The applicant's commitment (申请人承诺) accepted.
    pub accept_commitment: bool,
    /// Submitting although no eligibility alternative is met (the reviewer sees it).
    #[serde(default)]
    pub acknowledge_ineligible: bool,
}

/// Submits (or resubmits after a rejection), taking a seat of the plan.
#[utoipa::path(post, path = "/api/v1/applications/{id}/submit", tag = "applications",
    params(("id" = i64, Path)), request_body = SubmitRequest,
    responses((status = 200, body = ApplicationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SubmitRequest>,
) -> ApiResult<Json<ApplicationView>> {
    let account = session.require_account()?;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    let ctx = actions::context(&state, &application, &account).await?;
    let done = actions::submit(
        &state,
        &account,
        &application,
        &ctx,
        body.accept_commitment,
        body.acknowledge_ineligible,
    )
    .await?;
    Ok(Json(ApplicationView::from(&done)))
}

/// Withdraws the application and gives its seat back.
#[utoipa::path(post, path = "/api/v1/applications/{id}/withdraw", tag = "applications",
    params(("id" = i64, Path)),
    responses((status = 200, body = ApplicationView), (status = 409, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<ApplicationView>)> {
    let account = session.require_account()?;
    let done = actions::withdraw(&state, &account, parse_id(&id)?).await?;
    Ok((StatusCode::OK, Json(ApplicationView::from(&done))))
}

/// Checks one wizard page as typed, without saving anything: the page's live checks while the
/// candidate types, with the same codes and messages as the server gives on saving.
#[utoipa::path(post, path = "/api/v1/applications/{id}/check/{section}", tag = "applications",
    params(("id" = i64, Path), ("section" = String, Path, description = "basic, identity, registration, history or declaration")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "the page's form fields, as the page would post them"),
    responses((status = 200, body = ChecksView), (status = 404, body = ErrorBody)))]
pub async fn check_page(
    State(state): State<AppState>,
    session: Session,
    Path((id, section)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ChecksView>> {
    let account = session.require_account()?;
    let section = Section::parse(&section)
        .filter(|s| !matches!(s, Section::Documents | Section::Review))
        .ok_or_else(AppError::not_found)?;
    let application = actions::load_owned(&state, &account, parse_id(&id)?).await?;
    let posted: Posted = serde_urlencoded::from_bytes(&body)
        .map_err(|_| AppError::new(StatusCode::BAD_REQUEST, "bad_request", "请求内容无法识别"))?;
    let ctx = actions::context(&state, &application, &account).await?;
    let draft = form_input::apply(&application.draft, section, &posted);
    let issues = actions::section_issues(&state, &ctx, section, &draft).await?;
    let (eligibility, work_total) = actions::eligibility(&state, &ctx, &draft);
    Ok(Json(ChecksView {
        issues: issues.iter().map(issue_view).collect(),
        eligibility,
        work_total,
    }))
}
