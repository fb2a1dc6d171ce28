//! 本单位报名: an organization contact (报名单位联系人) reads, without changing anything, the
//! applications that name their organization as 报名单位 — who registered, for which plan, and
//! where each stands. An administrator says which organization a contact speaks for.

use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::{get, put};
use chrono::{DateTime, Utc};
use domain::accounts::StaffRole;
use domain::permissions::Permission;
use serde::{Deserialize, Serialize};

use super::{ConsoleLayout, ConsoleSection, Staff};
use crate::client::ClientAddress;
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody, PageResult};
use crate::pages::render;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/staff/organization", get(page))
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/staff/organization/applications", get(api_applications))
        .route("/staff/organization-contacts/{account_id}", put(api_assign))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganizationApplication {
    pub id: i64,
    pub plan: String,
    pub name: String,
    pub status: String,
    pub status_label: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub round: i32,
}

/// The contact's organization and its applications; an unassigned contact gets 409.
async fn load(
    state: &AppState,
    staff: &Staff,
) -> Result<(String, Vec<OrganizationApplication>), AppError> {
    staff.require(Permission::ViewOrganizationApplications)?;
    let organization = store::organizations::organization_of(&state.db, staff.account.id)
        .await?
        .ok_or_else(|| {
            AppError::new(
                axum::http::StatusCode::CONFLICT,
                "organization_unassigned",
                "您的账号尚未关联报名单位，请联系系统管理员设置",
            )
        })?;
    let plans: std::collections::HashMap<i64, String> = store::review::plan_choices(&state.db)
        .await?
        .into_iter()
        .collect();
    let applications = store::organizations::applications_of(&state.db, &organization)
        .await?
        .into_iter()
        .map(|a| OrganizationApplication {
            id: a.id,
            plan: plans.get(&a.plan_id).cloned().unwrap_or_default(),
            name: a.draft.basic.name.clone(),
            status: a.status.code().to_owned(),
            status_label: a.status.label().to_owned(),
            submitted_at: a.submitted_at,
            round: a.round,
        })
        .collect();
    Ok((organization, applications))
}

#[derive(Template)]
#[template(path = "staff/organization.html")]
struct OrganizationPage {
    layout: ConsoleLayout,
    organization: Option<String>,
    message: Option<String>,
    lines: Vec<(OrganizationApplication, String)>,
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Permission::ViewOrganizationApplications)?;
    let layout = staff.layout(ConsoleSection::Organization);
    let page = match load(&state, &staff).await {
        Ok((organization, applications)) => OrganizationPage {
            layout,
            organization: Some(organization),
            message: None,
            lines: applications
                .into_iter()
                .map(|a| {
                    let at = a
                        .submitted_at
                        .map(domain::time::format_instant)
                        .unwrap_or_default();
                    (a, at)
                })
                .collect(),
        },
        Err(e) if e.code == "organization_unassigned" => OrganizationPage {
            layout,
            organization: None,
            message: Some(e.message),
            lines: Vec::new(),
        },
        Err(e) => return Err(e.into()),
    };
    Ok(render(&page)?.into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganizationView {
    pub organization: String,
    pub applications: Vec<OrganizationApplication>,
}

/// The applications naming the contact's organization as 报名单位 (read-only).
#[utoipa::path(get, path = "/api/v1/staff/organization/applications", tag = "organization",
    responses((status = 200, body = OrganizationView), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "organization_unassigned")))]
pub async fn api_applications(
    State(state): State<AppState>,
    staff: Staff,
) -> ApiResult<Json<OrganizationView>> {
    let (organization, applications) = load(&state, &staff).await?;
    Ok(Json(OrganizationView {
        organization,
        applications,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AssignRequest {
    /// The 报名单位 as candidates write it; empty or absent removes the link.
    #[serde(default)]
    pub organization: Option<String>,
}

/// Says which organization an organization contact speaks for (administrators).
#[utoipa::path(put, path = "/api/v1/staff/organization-contacts/{account_id}", tag = "organization",
    params(("account_id" = i64, Path)), request_body = AssignRequest,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn api_assign(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(account_id): Path<String>,
    ApiJson(body): ApiJson<AssignRequest>,
) -> ApiResult<axum::http::StatusCode> {
    staff.require(Permission::ManageStaff)?;
    let account_id: i64 = account_id.parse().map_err(|_| AppError::not_found())?;
    let target = store::accounts::get(&state.db, &state.pii, account_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !target.has_role(StaffRole::OrganizationContact) {
        let mut e = AppError::field(
            "account_id",
            "not_organization_contact",
            "只能为“报名单位联系人”设置报名单位",
        );
        e.code = "not_organization_contact";
        return Err(e);
    }
    let organization = body
        .organization
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    if organization
        .is_some_and(|o| o.chars().count() > store::organizations::ORGANIZATION_MAX_CHARS)
    {
        let mut e = AppError::field(
            "organization",
            "organization_too_long",
            "报名单位名称不能超过 100 个字",
        );
        e.code = "organization_too_long";
        return Err(e);
    }
    let actor = staff
        .account
        .login_name
        .clone()
        .unwrap_or_else(|| staff.account.real_name.clone());
    store::organizations::set_organization(
        &state.db,
        account_id,
        organization,
        store::audit::NewEntry {
            actor_account_id: Some(staff.account.id),
            actor: &actor,
            action: "staff.set_organization",
            subject_type: "account",
            subject_id: account_id.to_string(),
            before: None,
            after: None,
            client_address: Some(address),
        },
        Utc::now(),
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
