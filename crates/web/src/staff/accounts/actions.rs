//! What the staff-account pages and API both do: read the new account or the new roles or
//! password (every problem beside its field), write the change with its audit line.

use chrono::Utc;
use domain::accounts::{StaffRole, parse_login_name};
use domain::identity::NewPassword;
use domain::identity::real_name::RealName;
use store::accounts::staff::{self, ManageError, StaffMember};

use crate::error::{AppError, FieldError};
use crate::staff::Staff;
use crate::staff::plans::actions::editor;
use crate::state::AppState;

/// A new staff account as submitted.
#[derive(Debug, Clone, Default)]
pub struct NewStaff {
    pub login_name: String,
    pub real_name: String,
    pub password: String,
    /// Role codes (`admin`, `reviewer`, `exam_admin`, `org_contact`).
    pub roles: Vec<String>,
}

/// One problem with the input, beside its field.
pub struct Problem {
    field: &'static str,
    code: &'static str,
    message: String,
}

fn field(field: &'static str, code: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        field,
        code,
        message: message.into(),
    }
}

/// Every problem at once (422); the error's code is the first problem's.
fn fields_error(problems: Vec<Problem>) -> AppError {
    let code = problems.first().map_or("invalid_input", |p| p.code);
    let mut e = AppError::fields(
        problems
            .into_iter()
            .map(|p| FieldError {
                field: p.field.to_owned(),
                code: p.code.to_owned(),
                message: p.message,
            })
            .collect(),
    );
    e.code = code;
    e
}

/// At least one role, each one we know.
fn parse_roles(raw: &[String]) -> Result<Vec<StaffRole>, Problem> {
    let mut roles = Vec::new();
    for r in raw {
        match StaffRole::parse(r.trim()) {
            Some(role) => roles.push(role),
            None => {
                return Err(field(
                    "roles",
                    "staff_role_unknown",
                    format!("没有“{r}”这个角色"),
                ));
            }
        }
    }
    roles.sort_unstable();
    roles.dedup();
    if roles.is_empty() {
        return Err(field("roles", "staff_roles_empty", "请至少选择一个角色"));
    }
    Ok(roles)
}

fn parse_password(raw: &str) -> Result<NewPassword, Problem> {
    NewPassword::parse(raw, &[]).map_err(|e| field("password", e.code(), e.to_string()))
}

fn manage_error(e: ManageError) -> AppError {
    match e {
        ManageError::NotFound => AppError::not_found(),
        ManageError::LoginNameTaken => fields_error(vec![field(
            "login_name",
            "staff_login_taken",
            "该用户名已被使用",
        )]),
        ManageError::LastAdministrator => AppError::conflict(
            "roles",
            "staff_last_admin",
            "至少要保留一位可以登录的系统管理员",
        ),
    }
}

pub async fn list(state: &AppState) -> Result<Vec<StaffMember>, AppError> {
    Ok(staff::list(&state.db).await?)
}

pub async fn member(state: &AppState, id: i64) -> Result<StaffMember, AppError> {
    staff::get(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)
}

pub async fn create(
    state: &AppState,
    by: &Staff,
    address: &str,
    new: &NewStaff,
) -> Result<i64, AppError> {
    let mut problems = Vec::new();
    let login = parse_login_name(&new.login_name)
        .map_err(|e| problems.push(field("login_name", e.code(), e.to_string())))
        .ok();
    let name = RealName::parse(&new.real_name)
        .map_err(|e| problems.push(field("real_name", e.code(), e.to_string())))
        .ok();
    let password = parse_password(&new.password)
        .map_err(|e| problems.push(e))
        .ok();
    let roles = parse_roles(&new.roles).map_err(|e| problems.push(e)).ok();
    let (Some(login), Some(name), Some(password), Some(roles)) = (login, name, password, roles)
    else {
        return Err(fields_error(problems));
    };
    let hash = store::passwords::hash(password.into_inner()).await?;
    staff::create(
        &state.db,
        &login,
        name.as_str(),
        &roles,
        hash,
        editor(by, address),
        Utc::now(),
    )
    .await?
    .map_err(manage_error)
}

pub async fn set_roles(
    state: &AppState,
    by: &Staff,
    address: &str,
    id: i64,
    roles: &[String],
) -> Result<(), AppError> {
    let roles = parse_roles(roles).map_err(|e| fields_error(vec![e]))?;
    staff::set_roles(&state.db, id, &roles, editor(by, address), Utc::now())
        .await?
        .map_err(manage_error)
}

pub async fn set_disabled(
    state: &AppState,
    by: &Staff,
    address: &str,
    id: i64,
    disabled: bool,
) -> Result<(), AppError> {
    staff::set_disabled(&state.db, id, disabled, editor(by, address), Utc::now())
        .await?
        .map_err(manage_error)
}

pub async fn reset_password(
    state: &AppState,
    by: &Staff,
    address: &str,
    id: i64,
    password: &str,
) -> Result<(), AppError> {
    let password = parse_password(password).map_err(|e| fields_error(vec![e]))?;
    let hash = store::passwords::hash(password.into_inner()).await?;
    staff::reset_password(&state.db, id, hash, editor(by, address), Utc::now())
        .await?
        .map_err(manage_error)
}
