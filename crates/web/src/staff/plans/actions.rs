//! What the plan pages and the plan API both do: check the terms against the rules and what
//! exists, write them with their audit line, and tell the plan cache.

use chrono::{DateTime, Utc};
use domain::plans::PlanError;
use domain::plans::terms::{
    Existing, PlanContext, PlanInput, PlanIssue, check_plan, close_registration, open_registration,
};
use store::calendar::Editor;
use store::plans::manage::{self, PlanWriteError};
use store::plans::{Plan, Site};

use crate::error::{AppError, FieldError};
use crate::staff::Staff;
use crate::state::AppState;

/// Who makes the change, for the audit line.
pub fn editor<'a>(staff: &'a Staff, address: &str) -> Editor<'a> {
    let account = &staff.account;
    Editor {
        account_id: account.id,
        name: account.login_name.as_deref().unwrap_or(&account.real_name),
        client_address: Some(address.to_owned()),
    }
}

/// What a plan may be made of: the occupations (id, code, name) and the exam sites.
pub struct Choices {
    pub occupations: Vec<(i64, String, String)>,
    pub sites: Vec<Site>,
}

pub async fn choices(state: &AppState) -> Result<Choices, AppError> {
    Ok(Choices {
        occupations: store::catalogue::occupations(&state.db).await?,
        sites: manage::sites(&state.db).await?,
    })
}

/// The plan with its sites, or 404.
pub async fn load(state: &AppState, id: i64) -> Result<(Plan, Vec<Site>), AppError> {
    store::plans::get(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)
}

/// Every problem beside its field (422); the error's code is the first problem's.
pub fn issues_error(issues: &[PlanIssue]) -> AppError {
    let fields = issues
        .iter()
        .map(|i| FieldError {
            field: i.field.to_owned(),
            code: i.error.code().to_owned(),
            message: i.error.to_string(),
        })
        .collect();
    let mut e = AppError::fields(fields);
    if let Some(first) = issues.first() {
        e.code = first.error.code();
    }
    e
}

fn one_issue(field: &'static str, error: PlanError) -> AppError {
    issues_error(&[PlanIssue { field, error }])
}

fn write_error(e: PlanWriteError) -> AppError {
    match e {
        PlanWriteError::NotFound => AppError::not_found(),
        PlanWriteError::CodeTaken => one_issue("code", PlanError::CodeTaken),
        PlanWriteError::BelowTaken(b) => {
            one_issue("capacity", PlanError::CapacityBelowTaken { taken: b.taken })
        }
    }
}

fn check(
    input: &PlanInput,
    choices: &Choices,
    existing: Option<Existing>,
) -> Result<domain::plans::terms::PlanTerms, AppError> {
    let occupations: Vec<i64> = choices.occupations.iter().map(|o| o.0).collect();
    let sites: Vec<i64> = choices.sites.iter().map(|s| s.id).collect();
    check_plan(
        input,
        &PlanContext {
            occupations: &occupations,
            sites: &sites,
            existing,
        },
    )
    .map_err(|issues| issues_error(&issues))
}

pub async fn create(
    state: &AppState,
    staff: &Staff,
    address: &str,
    input: &PlanInput,
) -> Result<i64, AppError> {
    let terms = check(input, &choices(state).await?, None)?;
    let id = manage::create(&state.db, &terms, editor(staff, address), Utc::now())
        .await?
        .map_err(write_error)?;
    state.plans.plan_changed(id);
    Ok(id)
}

pub async fn update(
    state: &AppState,
    staff: &Staff,
    address: &str,
    id: i64,
    input: &PlanInput,
) -> Result<(), AppError> {
    let (plan, _) = load(state, id).await?;
    let existing = Existing {
        occupation_id: plan.occupation_id,
        level: plan.level,
        seats_taken: plan.seats_taken,
    };
    let terms = check(input, &choices(state).await?, Some(existing))?;
    manage::update(&state.db, id, &terms, editor(staff, address), Utc::now())
        .await?
        .map_err(write_error)?;
    state.plans.plan_changed(id);
    Ok(())
}

/// 开放报名 with a new window.
pub async fn open(
    state: &AppState,
    staff: &Staff,
    address: &str,
    id: i64,
    opens_at: Option<DateTime<Utc>>,
    closes_at: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    let (plan, _) = load(state, id).await?;
    let now = Utc::now();
    let window = open_registration(opens_at, closes_at, &plan.exam, now)
        .map_err(|issues| issues_error(&issues))?;
    manage::set_registration(
        &state.db,
        id,
        window,
        "plan.open",
        editor(staff, address),
        now,
    )
    .await?
    .map_err(write_error)?;
    state.plans.plan_changed(id);
    Ok(())
}

/// 截止报名: registration closes now.
pub async fn close(
    state: &AppState,
    staff: &Staff,
    address: &str,
    id: i64,
) -> Result<(), AppError> {
    let (plan, _) = load(state, id).await?;
    let now = Utc::now();
    let window = close_registration(&plan.registration, now).map_err(|e| one_issue("close", e))?;
    manage::set_registration(
        &state.db,
        id,
        window,
        "plan.close",
        editor(staff, address),
        now,
    )
    .await?
    .map_err(write_error)?;
    state.plans.plan_changed(id);
    Ok(())
}
