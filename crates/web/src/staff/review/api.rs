//! `/api/v1/staff/review`: the review queue and decisions for API clients, with the same checks,
//! claims and codes as the pages.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::{DateTime, Utc};
use domain::permissions::Permission;
use serde::{Deserialize, Serialize};

use super::actions::{self, format_seen, parse_seen};
use super::pages::QueueQuery;
use crate::applications::api::{ApplicationView, ChecksView, issue_view};
use crate::client::ClientAddress;
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody};
use crate::staff::Staff;
use crate::state::AppState;

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub id: i64,
    pub plan_id: i64,
    pub plan_code: String,
    pub plan_name: String,
    /// 1 (一级) … 5 (五级).
    pub level: u8,
    pub name: String,
    pub employer: String,
    pub status: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub round: i32,
    /// The 2-working-day promise: due date (Asia/Shanghai), and whether it has passed.
    pub due_on: Option<chrono::NaiveDate>,
    pub overdue: bool,
    pub eligibility_met: bool,
    pub eligibility_acknowledged: bool,
    /// The reviewer holding a live claim, if any.
    pub claimed_by: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QueueView {
    pub items: Vec<QueueItem>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

/// The review queue, oldest first. Filters: `plan`, `level`, `status` (default under_review),
/// `age` (not_due, due, overdue), `checks` (clean, flagged), `org` (part of the employer's name).
#[utoipa::path(get, path = "/api/v1/staff/review", tag = "review",
    params(("plan" = Option<i64>, Query), ("level" = Option<u8>, Query), ("status" = Option<String>, Query),
           ("age" = Option<String>, Query), ("checks" = Option<String>, Query), ("org" = Option<String>, Query),
           ("page" = Option<usize>, Query)),
    responses((status = 200, body = QueueView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<QueueQuery>,
) -> ApiResult<Json<QueueView>> {
    staff.require(Permission::ReviewApplications)?;
    let now = Utc::now();
    let calendar = store::calendar::load(&state.db).await?;
    let found = store::review::queue(
        &state.db,
        &q.filter(),
        &calendar,
        domain::time::shanghai_date(now),
        q.page.unwrap_or(1),
    )
    .await?;
    Ok(Json(QueueView {
        items: found
            .rows
            .into_iter()
            .map(|r| {
                let a = r.application;
                QueueItem {
                    id: a.id,
                    plan_id: a.plan_id,
                    plan_code: r.plan_code,
                    plan_name: r.plan_name,
                    level: r.level.get(),
                    name: a.draft.basic.name.clone(),
                    employer: a.draft.registration.employer.clone(),
                    status: a.status.code().to_owned(),
                    submitted_at: a.submitted_at,
                    round: a.round,
                    due_on: r.deadline.map(|d| d.due()),
                    overdue: r.deadline.is_some_and(|d| d.is_overdue()),
                    eligibility_met: a.eligibility_met,
                    eligibility_acknowledged: a.eligibility_acknowledged,
                    claimed_by: r
                        .holder
                        .filter(|h| h.expires_at > now)
                        .map(|h| h.reviewer_name),
                }
            })
            .collect(),
        total: found.total,
        page: found.page,
        pages: found.pages,
    }))
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MarkView {
    /// A field's input name (`name`, `work_history`) or `document:<kind>`.
    pub part: String,
    pub label: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RoundView {
    pub round: i32,
    pub decided_at: DateTime<Utc>,
    pub reviewer: String,
    /// approved | rejected
    pub decision: String,
    pub reasons: Vec<String>,
    pub marks: Vec<MarkView>,
}

pub fn rounds_view(decisions: &[store::review::DecisionRecord]) -> Vec<RoundView> {
    decisions
        .iter()
        .map(|d| RoundView {
            round: d.round,
            decided_at: d.decided_at,
            reviewer: d.reviewer_name.clone(),
            decision: if d.rejection.is_some() {
                "rejected"
            } else {
                "approved"
            }
            .to_owned(),
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
                        .map(|m| MarkView {
                            label: domain::review::part_label(&m.part).unwrap_or_default(),
                            part: m.part.clone(),
                            note: m.note.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub kind: String,
    pub file_type: String,
    pub url: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub application: ApplicationView,
    /// The version reviewed: send it back with the decision.
    pub seen: String,
    pub round: i32,
    pub checks: ChecksView,
    /// Every automatic check passed and an alternative is met: eligible for batch approval.
    pub clean: bool,
    pub documents: Vec<DocumentView>,
    pub rounds: Vec<RoundView>,
}

/// One application with its checks, documents and past rounds (reading does not claim it).
#[utoipa::path(get, path = "/api/v1/staff/review/{id}", tag = "review",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReviewView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn application(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<ReviewView>> {
    staff.require(Permission::ReviewApplications)?;
    let id = parse_id(&id)?;
    let loaded = actions::load(&state, id).await?;
    let clean = loaded.is_clean();
    Ok(Json(ReviewView {
        seen: format_seen(loaded.application.updated_at),
        round: loaded.application.round,
        checks: ChecksView {
            issues: loaded
                .review
                .issues
                .iter()
                .map(|(_, i)| issue_view(i))
                .collect(),
            eligibility: loaded.review.verdicts.clone(),
            work_total: loaded.review.work_total.clone(),
        },
        clean,
        documents: loaded
            .files
            .iter()
            .map(|f| DocumentView {
                id: f.id,
                kind: f.kind.code().to_owned(),
                file_type: f.file_type.extension().to_owned(),
                url: format!("/staff/review/{id}/files/{}", f.id),
            })
            .collect(),
        rounds: rounds_view(&loaded.decisions),
        application: ApplicationView::from(&loaded.application),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClaimView {
    pub until: DateTime<Utc>,
}

/// Claims the application for 30 minutes (or renews one's claim); 409 `review_claimed` if
/// another reviewer holds it.
#[utoipa::path(post, path = "/api/v1/staff/review/{id}/claim", tag = "review",
    params(("id" = i64, Path)),
    responses((status = 200, body = ClaimView), (status = 409, body = ErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
) -> ApiResult<Json<ClaimView>> {
    staff.require(Permission::ReviewApplications)?;
    let until = actions::claim(&state, &staff, &address, parse_id(&id)?).await?;
    Ok(Json(ClaimView { until }))
}

/// Gives one's claim back.
#[utoipa::path(delete, path = "/api/v1/staff/review/{id}/claim", tag = "review",
    params(("id" = i64, Path)), responses((status = 204)))]
pub async fn release(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<axum::http::StatusCode> {
    staff.require(Permission::ReviewApplications)?;
    store::review::release(&state.db, parse_id(&id)?, staff.account.id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ApproveRequest {
    /// `seen` from the review view: refused (409) if the application changed since.
    pub seen: String,
}

#[utoipa::path(post, path = "/api/v1/staff/review/{id}/approve", tag = "review",
    params(("id" = i64, Path)), request_body = ApproveRequest,
    responses((status = 200, body = ApplicationView), (status = 409, body = ErrorBody)))]
pub async fn approve(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ApproveRequest>,
) -> ApiResult<Json<ApplicationView>> {
    staff.require(Permission::ReviewApplications)?;
    let seen = parse_seen(&body.seen)?;
    let done = actions::approve(&state, &staff, &address, parse_id(&id)?, seen).await?;
    Ok(Json(ApplicationView::from(&done)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MarkRequest {
    pub part: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RejectRequest {
    pub seen: String,
    /// Reason template codes (photo_unsuitable, work_years_short, …).
    #[serde(default)]
    pub templates: Vec<String>,
    #[serde(default)]
    pub reason_text: String,
    /// The parts the candidate must change.
    #[serde(default)]
    pub marks: Vec<MarkRequest>,
}

#[utoipa::path(post, path = "/api/v1/staff/review/{id}/reject", tag = "review",
    params(("id" = i64, Path)), request_body = RejectRequest,
    responses((status = 200, body = ApplicationView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RejectRequest>,
) -> ApiResult<Json<ApplicationView>> {
    staff.require(Permission::ReviewApplications)?;
    let seen = parse_seen(&body.seen)?;
    let marks: Vec<(String, String)> = body.marks.into_iter().map(|m| (m.part, m.note)).collect();
    let rejection = actions::rejection(&body.templates, &body.reason_text, &marks)?;
    let done = actions::reject(&state, &staff, &address, parse_id(&id)?, seen, rejection).await?;
    Ok(Json(ApplicationView::from(&done)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BatchRequest {
    pub ids: Vec<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub id: i64,
    pub reason: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchView {
    pub approved: Vec<i64>,
    pub skipped: Vec<Skipped>,
}

/// Approves those of `ids` whose checks are all clean; the rest are skipped with the reason.
#[utoipa::path(post, path = "/api/v1/staff/review/batch-approve", tag = "review",
    request_body = BatchRequest, responses((status = 200, body = BatchView)))]
pub async fn batch_approve(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<BatchRequest>,
) -> ApiResult<Json<BatchView>> {
    staff.require(Permission::ReviewApplications)?;
    if body.ids.is_empty() || body.ids.len() > 200 {
        let mut e = AppError::field("ids", "batch_size", "每次批量通过 1 至 200 份报名");
        e.code = "batch_size";
        return Err(e);
    }
    let outcome = actions::batch_approve(&state, &staff, &address, &body.ids).await?;
    Ok(Json(BatchView {
        approved: outcome.approved,
        skipped: outcome
            .skipped
            .into_iter()
            .map(|(id, reason)| Skipped { id, reason })
            .collect(),
    }))
}
