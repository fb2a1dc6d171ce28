//! The plan pages: the list, the form to create or edit a plan (refused forms come back with
//! every problem beside its field, 422), and opening or closing registration from a plan's page.

use askama::Template;
use axum::extract::{Path, Query, RawForm, State};
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use domain::applications::documents::DocumentKind;
use domain::catalogue::Level;
use domain::permissions::Permission;
use domain::plans::terms::PLAN_DOCUMENTS;
use serde::Deserialize;

use super::actions::{self, Choices};
use super::form::{Pairs, PlanFormValues, local_input};
use crate::client::ClientAddress;
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, render};
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

pub struct PlanLine {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub occupation: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub registration: String,
    pub exam: String,
    pub fee: String,
    pub seats_taken: u32,
    pub capacity: u32,
}

#[derive(Template)]
#[template(path = "staff/plans.html")]
struct ListPage {
    layout: ConsoleLayout,
    lines: Vec<PlanLine>,
    page: u64,
    pages: u64,
    total: u64,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    page: Option<u64>,
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> PageResult {
    staff.require(Permission::ManagePlans)?;
    let now = Utc::now();
    let found = store::plans::list(&state.db, None, q.page.unwrap_or(1)).await?;
    let lines = found
        .plans
        .iter()
        .map(|p| {
            let s = p.state(now);
            PlanLine {
                id: p.id,
                code: p.code.clone(),
                name: p.name.clone(),
                level: p.level.short_name(),
                occupation: p.occupation_name.clone(),
                state: s.code(),
                state_label: s.label(),
                registration: domain::time::format_window(
                    p.registration.opens_at,
                    p.registration.closes_at,
                ),
                exam: domain::time::format_window(p.exam.starts_at, p.exam.ends_at),
                fee: p.fee.to_string(),
                seats_taken: p.seats_taken,
                capacity: p.capacity,
            }
        })
        .collect();
    Ok(render(&ListPage {
        layout: staff.layout(ConsoleSection::Plans),
        lines,
        page: found.page,
        pages: found.pages,
        total: found.total,
    })?
    .into_response())
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub selected: bool,
}

/// The registration panel of an existing plan's page.
pub struct Registration {
    pub id: i64,
    pub state: &'static str,
    pub state_label: &'static str,
    pub window: String,
    pub seats_taken: u32,
    pub capacity: u32,
    /// 缴费截止 as set, or the default rule in words.
    pub payment_deadline: String,
    pub is_open: bool,
    /// The open form's values (a new window from now, or what was typed).
    pub opens_at: String,
    pub closes_at: String,
}

#[derive(Template)]
#[template(path = "staff/plans_form.html")]
struct FormPage {
    layout: ConsoleLayout,
    csrf: String,
    heading: String,
    action: String,
    values: PlanFormValues,
    occupations: Vec<Choice>,
    levels: Vec<Choice>,
    sites: Vec<Choice>,
    documents: Vec<Choice>,
    errors: FormErrors,
    registration: Option<Registration>,
    notice: Option<String>,
}

fn form_page(
    staff: &Staff,
    csrf: String,
    choices: &Choices,
    values: PlanFormValues,
    errors: FormErrors,
    registration: Option<Registration>,
) -> FormPage {
    let is = |list: &[String], v: &str| list.iter().any(|x| x == v);
    FormPage {
        layout: staff.layout(ConsoleSection::Plans),
        csrf,
        heading: match &registration {
            Some(_) => format!("编辑认定计划 {}", values.code),
            None => "新建认定计划".to_owned(),
        },
        action: match &registration {
            Some(r) => format!("/staff/plans/{}", r.id),
            None => "/staff/plans".to_owned(),
        },
        occupations: choices
            .occupations
            .iter()
            .map(|(id, code, name)| Choice {
                selected: values.occupation_id == id.to_string(),
                value: id.to_string(),
                label: format!("{code} {name}"),
                hint: String::new(),
            })
            .collect(),
        levels: Level::ALL
            .iter()
            .map(|l| Choice {
                selected: values.level == l.get().to_string(),
                value: l.get().to_string(),
                label: l.full_name().to_owned(),
                hint: String::new(),
            })
            .collect(),
        sites: choices
            .sites
            .iter()
            .map(|s| Choice {
                selected: is(&values.site_ids, &s.id.to_string()),
                value: s.id.to_string(),
                label: s.name.clone(),
                hint: s.address.clone(),
            })
            .collect(),
        documents: PLAN_DOCUMENTS
            .iter()
            .map(|d: &DocumentKind| Choice {
                selected: is(&values.documents, d.code()),
                value: d.code().to_owned(),
                label: d.label().to_owned(),
                hint: String::new(),
            })
            .collect(),
        values,
        errors,
        registration,
        notice: None,
    }
}

/// 缴费截止 in words: the time set, or the default rule.
pub fn payment_deadline_text(deadline: Option<chrono::DateTime<Utc>>) -> String {
    match deadline {
        Some(t) => domain::time::format_instant(t),
        None => format!(
            "未设置（考试开始前 {} 天）",
            domain::payments::DEFAULT_DEADLINE_DAYS_BEFORE_EXAM
        ),
    }
}

fn registration_panel(
    plan: &store::plans::Plan,
    opens_at: String,
    closes_at: String,
) -> Registration {
    let s = plan.state(Utc::now());
    Registration {
        id: plan.id,
        state: s.code(),
        state_label: s.label(),
        window: domain::time::format_window(
            plan.registration.opens_at,
            plan.registration.closes_at,
        ),
        seats_taken: plan.seats_taken,
        capacity: plan.capacity,
        payment_deadline: payment_deadline_text(plan.payment_closes_at),
        is_open: plan.registration.contains(Utc::now()),
        opens_at,
        closes_at,
    }
}

pub async fn new(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Permission::ManagePlans)?;
    let choices = actions::choices(&state).await?;
    let page = form_page(
        &staff,
        staff.session.csrf_token().await?,
        &choices,
        PlanFormValues::default(),
        FormErrors::none(),
        None,
    );
    Ok(render(&page)?.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManagePlans)?;
    let values = PlanFormValues::read(&Pairs::read(&staff, &body)?);
    match actions::create(&state, &staff, &address, &values.input()).await {
        Ok(id) => Ok(Redirect::to(&format!("/staff/plans/{id}?saved=1")).into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            let choices = actions::choices(&state).await?;
            let csrf = staff.session.csrf_token().await?;
            let page = form_page(&staff, csrf, &choices, values, e.into(), None);
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    #[serde(default)]
    saved: Option<String>,
}

async fn edit_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    values: Option<PlanFormValues>,
    open_values: Option<(String, String)>,
    errors: FormErrors,
) -> Result<FormPage, AppError> {
    let (plan, sites) = actions::load(state, id).await?;
    let site_ids: Vec<i64> = sites.iter().map(|s| s.id).collect();
    let (opens_at, closes_at) = open_values.unwrap_or_else(|| {
        (
            local_input(Utc::now()),
            local_input(plan.registration.closes_at.max(Utc::now())),
        )
    });
    let registration = registration_panel(&plan, opens_at, closes_at);
    let values = values.unwrap_or_else(|| PlanFormValues::of(&plan, &site_ids));
    let choices = actions::choices(state).await?;
    let csrf = staff.session.csrf_token().await?;
    Ok(form_page(
        staff,
        csrf,
        &choices,
        values,
        errors,
        Some(registration),
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<EditQuery>,
) -> PageResult {
    staff.require(Permission::ManagePlans)?;
    let mut page = edit_page(
        &state,
        &staff,
        parse_id(&id)?,
        None,
        None,
        FormErrors::none(),
    )
    .await?;
    page.notice = q.saved.map(|_| "已保存".to_owned());
    Ok(render(&page)?.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManagePlans)?;
    let id = parse_id(&id)?;
    let values = PlanFormValues::read(&Pairs::read(&staff, &body)?);
    match actions::update(&state, &staff, &address, id, &values.input()).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/plans/{id}?saved=1")).into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = edit_page(&state, &staff, id, Some(values), None, e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn open(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManagePlans)?;
    let id = parse_id(&id)?;
    let pairs = Pairs::read(&staff, &body)?;
    let (opens, closes) = (pairs.get("opens_at"), pairs.get("closes_at"));
    let time = |raw: &str| domain::time::parse_shanghai_datetime(raw);
    match actions::open(&state, &staff, &address, id, time(&opens), time(&closes)).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/plans/{id}?saved=1")).into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = edit_page(&state, &staff, id, None, Some((opens, closes)), e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn close(
    State(state): State<AppState>,
    staff: Staff,
    ClientAddress(address): ClientAddress,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> PageResult {
    staff.require(Permission::ManagePlans)?;
    let id = parse_id(&id)?;
    Pairs::read(&staff, &body)?;
    match actions::close(&state, &staff, &address, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/staff/plans/{id}?saved=1")).into_response()),
        Err(e) if e.is_input() => {
            let status = e.status;
            let page = edit_page(&state, &staff, id, None, None, e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
