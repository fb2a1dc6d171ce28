//! `/api/v1/staff/plans`: the plan list, one plan, create, edit, open and close registration,
//! with the same rules and codes as the pages. Times are RFC 3339 instants; the fee is in fen.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::money::Fen;
use domain::permissions::Permission;
use domain::plans::terms::PlanInput;
use serde::{Deserialize, Serialize};
use store::plans::{Plan, Site};

use super::actions;
use crate::client::ClientAddress;
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody};
use crate::staff::Staff;
use crate::state::AppState;

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffSiteView {
    pub id: i64,
    pub name: String,
    pub address: String,
}

/// A plan as staff see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffPlanView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub occupation_id: i64,
    pub occupation_name: String,
    /// 1 (一级) … 5 (五级).
    pub level: u8,
    /// not_open | open | closed | full
    pub state: String,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub exam_starts_at: DateTime<Utc>,
    pub exam_ends_at: DateTime<Utc>,
    pub fee_fen: i64,
    pub capacity: u32,
    pub seats_taken: u32,
    /// Document kind codes the plan asks for on top of the eligibility alternative's.
    pub documents: Vec<String>,
    /// 缴费截止 as set on the plan; `null`: 3 days before the exam starts.
    pub payment_closes_at: Option<DateTime<Utc>>,
    /// Present on a single plan; the list leaves it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sites: Option<Vec<StaffSiteView>>,
}

fn view(plan: &Plan, sites: Option<&[Site]>) -> StaffPlanView {
    StaffPlanView {
        id: plan.id,
        code: plan.code.clone(),
        name: plan.name.clone(),
        occupation_id: plan.occupation_id,
        occupation_name: plan.occupation_name.clone(),
        level: plan.level.get(),
        state: plan.state(Utc::now()).code().to_owned(),
        registration_opens_at: plan.registration.opens_at,
        registration_closes_at: plan.registration.closes_at,
        exam_starts_at: plan.exam.starts_at,
        exam_ends_at: plan.exam.ends_at,
        fee_fen: plan.fee.0,
        capacity: plan.capacity,
        seats_taken: plan.seats_taken,
        documents: plan.documents.iter().map(|d| d.code().to_owned()).collect(),
        payment_closes_at: plan.payment_closes_at,
        sites: sites.map(|sites| {
            sites
                .iter()
                .map(|s| StaffSiteView {
                    id: s.id,
                    name: s.name.clone(),
                    address: s.address.clone(),
                })
                .collect()
        }),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffPlanList {
    pub plans: Vec<StaffPlanView>,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
}

#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<u64>,
}

/// Every plan, newest registration first, 10 a page.
#[utoipa::path(get, path = "/api/v1/staff/plans", tag = "staff-plans",
    params(("page" = Option<u64>, Query)),
    responses((status = 200, body = StaffPlanList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<StaffPlanList>> {
    staff.require(Permission::ManagePlans)?;
    let found = store::plans::list(&state.db, None, q.page.unwrap_or(1)).await?;
    Ok(Json(StaffPlanList {
        plans: found.plans.iter().map(|p| view(p, None)).collect(),
        page: found.page,
        pages: found.pages,
        total: found.total,
    }))
}

#[utoipa::path(get, path = "/api/v1/staff/plans/{id}", tag = "staff-plans",
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffPlanView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffPlanView>> {
    staff.require(Permission::ManagePlans)?;
    let (plan, sites) = actions::load(&state, parse_id(&id)?).await?;
    Ok(Json(view(&plan, Some(&sites))))
}

/// A plan's terms. A missing value is reported beside its field, like every other problem.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PlanBody {
    /// 计划编号: YYYYMM + level digit (2022121), optionally `-2` … `-99`.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    pub occupation_id: Option<i64>,
    pub level: Option<u8>,
    pub registration_opens_at: Option<DateTime<Utc>>,
    pub registration_closes_at: Option<DateTime<Utc>>,
    pub exam_starts_at: Option<DateTime<Utc>>,
    pub exam_ends_at: Option<DateTime<Utc>>,
    /// In fen (1/100 yuan), not negative.
    pub fee_fen: Option<i64>,
    pub capacity: Option<i64>,
    #[serde(default)]
    pub site_ids: Vec<i64>,
    /// previous_certificate, diploma, apprenticeship_proof, preparatory_technician_certificate, other
    #[serde(default)]
    pub documents: Vec<String>,
    /// 缴费截止: after registration opens, no later than the exam starts
    /// (`plan_payment_deadline`); absent or `null` for the default, 3 days before the exam.
    #[serde(default)]
    pub payment_closes_at: Option<DateTime<Utc>>,
}

impl PlanBody {
    fn input(self) -> PlanInput {
        PlanInput {
            code: self.code,
            name: self.name,
            occupation_id: self.occupation_id,
            level: self.level,
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.registration_closes_at,
            exam_starts_at: self.exam_starts_at,
            exam_ends_at: self.exam_ends_at,
            fee: self.fee_fen.map(Fen),
            capacity: self.capacity,
            site_ids: self.site_ids,
            documents: self.documents,
            payment_closes_at: self.payment_closes_at.into(),
        }
    }
}

#[utoipa::path(post, path = "/api/v1/staff/plans", tag = "staff-plans", request_body = PlanBody,
    responses((status = 201, body = StaffPlanView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, description = "A rule is broken: `fields` names each problem (plan_code_format, plan_exam_before_registration_closes, …)", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<PlanBody>,
) -> ApiResult<(StatusCode, Json<StaffPlanView>)> {
    staff.require(Permission::ManagePlans)?;
    let id = actions::create(&state, &staff, &address, &body.input()).await?;
    let (plan, sites) = actions::load(&state, id).await?;
    Ok((StatusCode::CREATED, Json(view(&plan, Some(&sites)))))
}

#[utoipa::path(put, path = "/api/v1/staff/plans/{id}", tag = "staff-plans", request_body = PlanBody,
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffPlanView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, description = "A rule is broken, e.g. `capacity_below_taken`", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PlanBody>,
) -> ApiResult<Json<StaffPlanView>> {
    staff.require(Permission::ManagePlans)?;
    let id = parse_id(&id)?;
    actions::update(&state, &staff, &address, id, &body.input()).await?;
    let (plan, sites) = actions::load(&state, id).await?;
    Ok(Json(view(&plan, Some(&sites))))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OpenBody {
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
}

/// 开放报名: sets a new registration window, which must end after now and no later than the
/// exam starts.
#[utoipa::path(post, path = "/api/v1/staff/plans/{id}/open", tag = "staff-plans", request_body = OpenBody,
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffPlanView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn open(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OpenBody>,
) -> ApiResult<Json<StaffPlanView>> {
    staff.require(Permission::ManagePlans)?;
    let id = parse_id(&id)?;
    actions::open(&state, &staff, &address, id, body.opens_at, body.closes_at).await?;
    let (plan, sites) = actions::load(&state, id).await?;
    Ok(Json(view(&plan, Some(&sites))))
}

/// 截止报名: registration closes now (`plan_already_closed`, `plan_not_open_yet` otherwise).
#[utoipa::path(post, path = "/api/v1/staff/plans/{id}/close", tag = "staff-plans",
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffPlanView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffPlanView>> {
    staff.require(Permission::ManagePlans)?;
    let id = parse_id(&id)?;
    actions::close(&state, &staff, &address, id).await?;
    let (plan, sites) = actions::load(&state, id).await?;
    Ok(Json(view(&plan, Some(&sites))))
}
