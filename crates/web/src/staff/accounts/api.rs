//! `/api/v1/staff/accounts`: the staff list, creating an account, roles, disabling and
//! enabling, password resets, with the same rules and codes as the pages (administrators only).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::permissions::Permission;
use serde::{Deserialize, Serialize};
use store::accounts::staff::StaffMember;

use super::actions::{self, NewStaff};
use crate::client::ClientAddress;
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody};
use crate::staff::Staff;
use crate::state::AppState;

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffAccountView {
    pub id: i64,
    pub login_name: String,
    pub real_name: String,
    /// admin | reviewer | exam_admin | org_contact
    pub roles: Vec<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

fn view(m: &StaffMember) -> StaffAccountView {
    StaffAccountView {
        id: m.id,
        login_name: m.login_name.clone(),
        real_name: m.real_name.clone(),
        roles: m.roles.iter().map(|r| r.code().to_owned()).collect(),
        disabled: m.disabled_at.is_some(),
        created_at: m.created_at,
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffAccountList {
    pub accounts: Vec<StaffAccountView>,
}

#[utoipa::path(get, path = "/api/v1/staff/accounts", tag = "staff-accounts",
    responses((status = 200, body = StaffAccountList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
) -> ApiResult<Json<StaffAccountList>> {
    staff.require(Permission::ManageStaff)?;
    Ok(Json(StaffAccountList {
        accounts: actions::list(&state).await?.iter().map(view).collect(),
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewStaffBody {
    #[serde(default)]
    pub login_name: String,
    #[serde(default)]
    pub real_name: String,
    /// The initial password: 8–64 characters with letters and digits.
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub roles: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/staff/accounts", tag = "staff-accounts", request_body = NewStaffBody,
    responses((status = 201, body = StaffAccountView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, description = "login_name_format, staff_login_taken, password_*, staff_roles_empty …", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<NewStaffBody>,
) -> ApiResult<(StatusCode, Json<StaffAccountView>)> {
    staff.require(Permission::ManageStaff)?;
    let new = NewStaff {
        login_name: body.login_name,
        real_name: body.real_name,
        password: body.password,
        roles: body.roles,
    };
    let id = actions::create(&state, &staff, &address, &new).await?;
    Ok((
        StatusCode::CREATED,
        Json(view(&actions::member(&state, id).await?)),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RolesBody {
    #[serde(default)]
    pub roles: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/staff/accounts/{id}/roles", tag = "staff-accounts", request_body = RolesBody,
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffAccountView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "staff_last_admin: no enabled administrator would be left", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn roles(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RolesBody>,
) -> ApiResult<Json<StaffAccountView>> {
    staff.require(Permission::ManageStaff)?;
    let id = parse_id(&id)?;
    actions::set_roles(&state, &staff, &address, id, &body.roles).await?;
    Ok(Json(view(&actions::member(&state, id).await?)))
}

/// Disables the account and ends its sessions.
#[utoipa::path(post, path = "/api/v1/staff/accounts/{id}/disable", tag = "staff-accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffAccountView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn disable(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffAccountView>> {
    staff.require(Permission::ManageStaff)?;
    let id = parse_id(&id)?;
    actions::set_disabled(&state, &staff, &address, id, true).await?;
    Ok(Json(view(&actions::member(&state, id).await?)))
}

#[utoipa::path(post, path = "/api/v1/staff/accounts/{id}/enable", tag = "staff-accounts",
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffAccountView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn enable(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffAccountView>> {
    staff.require(Permission::ManageStaff)?;
    let id = parse_id(&id)?;
    actions::set_disabled(&state, &staff, &address, id, false).await?;
    Ok(Json(view(&actions::member(&state, id).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordBody {
    #[serde(default)]
    pub password: String,
}

/// Sets a new password (ends the account's sessions and forgets its failed logins).
#[utoipa::path(post, path = "/api/v1/staff/accounts/{id}/password", tag = "staff-accounts", request_body = PasswordBody,
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn password(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> ApiResult<StatusCode> {
    staff.require(Permission::ManageStaff)?;
    let id = parse_id(&id)?;
    actions::reset_password(&state, &staff, &address, id, &body.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
