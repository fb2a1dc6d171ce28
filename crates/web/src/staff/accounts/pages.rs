//! The staff-account pages: the list with the form to add someone, and one person's page with
//! their roles, disable / enable and a password reset. Refused forms come back with the
//! problems beside their fields (422).

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::accounts::StaffRole;
use domain::identity::PASSWORD_RULE_TEXT;
use domain::permissions::Permission;
use serde::Deserialize;
use store::accounts::staff::StaffMember;

use super::actions::{self, NewStaff};
use crate::client::ClientAddress;
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, render};
use crate::staff::plans::form::Pairs;
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

pub struct RoleChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

fn role_choices(checked: &[String]) -> Vec<RoleChoice> {
    StaffRole::ALL
        .iter()
        .map(|r| RoleChoice {
            code: r.code(),
            label: r.label(),
            checked: checked.iter().any(|c| c == r.code()),
        })
        .collect()
}

pub struct MemberLine {
    pub id: i64,
    pub login_name: String,
    pub real_name: String,
    pub roles: String,
    pub disabled: bool,
    pub created_at: String,
}

fn line(m: &StaffMember) -> MemberLine {
    MemberLine {
        id: m.id,
        login_name: m.login_name.clone(),
        real_name: m.real_name.clone(),
        roles: m
            .roles
            .iter()
            .map(|r| r.label())
            .collect::<Vec<_>>()
            .join("、"),
        disabled: m.disabled_at.is_some(),
        created_at: domain::time::format_instant(m.created_at),
    }
}

#[derive(Template)]
#[template(path = "staff/accounts.html")]
struct ListPage {
    layout: ConsoleLayout,
    csrf: String,
    lines: Vec<MemberLine>,
    new: NewStaff,
    roles: Vec<RoleChoice>,
    rule: &'static str,
    errors: FormErrors,
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    new: NewStaff,
    errors: FormErrors,
) -> Result<ListPage, AppError> {
    let members = actions::list(state).await?;
    Ok(ListPage {
        layout: staff.layout(ConsoleSection::StaffAccounts),
        csrf: staff.session.csrf_token().await?,
        lines: members.iter().map(line).collect(),
        roles: role_choices(&new.roles),
        new,
        rule: PASSWORD_RULE_TEXT,
        errors,
    })
}

pub async fn list(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Permission::ManageStaff)?;
    let page = list_page(&state, &staff, NewStaff::default(), FormErrors::none()).await?;
    Ok(render(&page)?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageStaff)?;
    let pairs = Pairs::read(&staff, &body)?;
    let new = NewStaff {
        login_name: pairs.get("login_name"),
        real_name: pairs.get("real_name"),
        password: pairs.get("password"),
        roles: pairs.all("roles"),
    };
    match actions::create(&state, &staff, &address, &new).await {
        Ok(id) => Ok(Redirect::to(&format!("/staff/accounts/{id}?done=created")).into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            // The password is never shown again, even to the administrator who typed it.
            let new = NewStaff {
                password: String::new(),
                ..new
            };
            let page = list_page(&state, &staff, new, e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "staff/accounts_detail.html")]
struct DetailPage {
    layout: ConsoleLayout,
    csrf: String,
    member: MemberLine,
    roles: Vec<RoleChoice>,
    rule: &'static str,
    errors: FormErrors,
    notice: Option<&'static str>,
    is_self: bool,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

async fn detail_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    roles: Option<Vec<String>>,
    errors: FormErrors,
) -> Result<DetailPage, AppError> {
    let member = actions::member(state, id).await?;
    let roles = roles.unwrap_or_else(|| member.roles.iter().map(|r| r.code().to_owned()).collect());
    Ok(DetailPage {
        layout: staff.layout(ConsoleSection::StaffAccounts),
        csrf: staff.session.csrf_token().await?,
        is_self: member.id == staff.account.id,
        member: line(&member),
        roles: role_choices(&roles),
        rule: PASSWORD_RULE_TEXT,
        errors,
        notice: None,
    })
}

pub async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    staff.require(Permission::ManageStaff)?;
    let mut page = detail_page(&state, &staff, parse_id(&id)?, None, FormErrors::none()).await?;
    page.notice = match q.done.as_deref() {
        Some("created") => Some("账号已创建，请将用户名和初始密码告知本人"),
        Some("roles") => Some("角色已更新"),
        Some("disabled") => Some("账号已停用，其登录状态已全部退出"),
        Some("enabled") => Some("账号已启用"),
        Some("password") => Some("密码已重置，其登录状态已全部退出"),
        _ => None,
    };
    Ok(render(&page)?.into_response())
}

/// Runs one change of person `id` and goes back to their page, or shows it again with the
/// problem (422 / 409).
async fn change(
    state: &AppState,
    staff: &Staff,
    id: i64,
    done: &str,
    roles: Option<Vec<String>>,
    outcome: Result<(), AppError>,
) -> PageResult<Response> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/staff/accounts/{id}?done={done}")).into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = detail_page(state, staff, id, roles, e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn roles(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageStaff)?;
    let id = parse_id(&id)?;
    let roles = Pairs::read(&staff, &body)?.all("roles");
    let outcome = actions::set_roles(&state, &staff, &address, id, &roles).await;
    change(&state, &staff, id, "roles", Some(roles), outcome).await
}

pub async fn disable(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageStaff)?;
    let id = parse_id(&id)?;
    Pairs::read(&staff, &body)?;
    let outcome = actions::set_disabled(&state, &staff, &address, id, true).await;
    change(&state, &staff, id, "disabled", None, outcome).await
}

pub async fn enable(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageStaff)?;
    let id = parse_id(&id)?;
    Pairs::read(&staff, &body)?;
    let outcome = actions::set_disabled(&state, &staff, &address, id, false).await;
    change(&state, &staff, id, "enabled", None, outcome).await
}

pub async fn password(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManageStaff)?;
    let id = parse_id(&id)?;
    let password = Pairs::read(&staff, &body)?.get("password");
    let outcome = actions::reset_password(&state, &staff, &address, id, &password).await;
    change(&state, &staff, id, "password", None, outcome).await
}
