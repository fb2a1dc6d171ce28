//! The payment pages: the order list, one order (trail, refunds, the refund form), one
//! application's payment (offline payment, deadline) and the reconciliation reports. A refused
//! form comes back with what was typed and every problem beside its field; a done one redirects
//! with a notice.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use domain::money::Fen;
use domain::payments::{OfflineMethod, OrderState};
use domain::permissions::Permission;
use serde::Deserialize;
use store::payments::ListFilter;

use super::actions::{self, OfflineInput, PAGE_SIZE, RefundInput};
use super::view::{
    ReconciliationView, StaffApplicationPayment, StaffOrderDetail, StaffOrderView,
    application_view, order_detail_view, order_view, reconciliation_view,
};
use crate::error::{AppError, PageResult};
use crate::pages::{FormErrors, render};
use crate::session::CsrfForm;
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

/// Whether a refusal is shown on the form it came from (bad input, a conflict, the provider
/// out of reach) rather than as a page of its own.
fn shown_on_form(e: &AppError) -> bool {
    e.is_input() || e.status == StatusCode::SERVICE_UNAVAILABLE
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "refund" => "退款已提交",
            "offline" => "已登记线下缴费，报名状态为“缴费成功”",
            "deadline" => "缴费截止时间已延长",
            "reconcile" => "对账已完成，结果见下表",
            _ => return None,
        }
        .to_owned(),
    )
}

// --- the list ----------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<u64>,
}

#[derive(Template)]
#[template(path = "staff/payments/list.html")]
struct ListPage {
    layout: ConsoleLayout,
    orders: Vec<StaffOrderView>,
    states: Vec<Choice>,
    q: String,
    /// The filters as a query string, for the pager.
    query: String,
    /// The search is a number: it may be an application without orders yet.
    application_id: Option<i64>,
    total: u64,
    page: u64,
    pages: u64,
}

pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> PageResult {
    staff.require(Permission::ManagePayments)?;
    let page = q.page.unwrap_or(1).max(1);
    let chosen = OrderState::parse(q.state.trim());
    let search = q.q.trim().to_owned();
    let found = store::payments::list(
        &state.db,
        &ListFilter {
            state: chosen,
            search: Some(search.clone()).filter(|s| !s.is_empty()),
            page: page - 1,
        },
    )
    .await?;
    let query = [("state", chosen.map_or("", |s| s.code())), ("q", &search)]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::percent::encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Ok(render(&ListPage {
        layout: staff.layout(ConsoleSection::Payments),
        orders: found.orders.iter().map(order_view).collect(),
        states: OrderState::ALL
            .iter()
            .map(|s| Choice {
                value: s.code().to_owned(),
                label: s.label().to_owned(),
                selected: chosen == Some(*s),
            })
            .collect(),
        application_id: search.parse().ok(),
        q: search,
        query,
        total: found.total,
        page,
        pages: found.total.div_ceil(PAGE_SIZE).max(1),
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct FindQuery {
    #[serde(default)]
    id: String,
}

/// The list's 按报名编号查看 box (a GET form cannot put the number into the path).
pub async fn find_application(staff: Staff, Query(q): Query<FindQuery>) -> PageResult {
    staff.require(Permission::ManagePayments)?;
    Ok(match q.id.trim().parse::<i64>() {
        Ok(id) => Redirect::to(&format!("/staff/payments/applications/{id}")),
        Err(_) => Redirect::to("/staff/payments"),
    }
    .into_response())
}

// --- one order ---------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct RefundForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    withdraw: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/payments/order.html")]
struct OrderPage {
    layout: ConsoleLayout,
    csrf: String,
    d: StaffOrderDetail,
    amount: String,
    reason: String,
    withdraw: bool,
    errors: FormErrors,
    notice: Option<String>,
}

async fn order_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    form: Option<RefundForm>,
    errors: FormErrors,
) -> Result<OrderPage, AppError> {
    let detail = actions::order(state, id).await?;
    let (amount, reason, withdraw) = match form {
        Some(f) => (f.amount, f.reason, f.withdraw.is_some()),
        None => (detail.refundable.yuan_text(), String::new(), false),
    };
    Ok(OrderPage {
        layout: staff.layout(ConsoleSection::Payments),
        csrf: staff.session.csrf_token().await?,
        d: order_detail_view(&detail),
        amount,
        reason,
        withdraw,
        errors,
        notice: None,
    })
}

pub async fn order(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    staff.require(Permission::ManagePayments)?;
    let mut page = order_page(&state, &staff, parse_id(&id)?, None, FormErrors::none()).await?;
    page.notice = notice(q.done.as_deref());
    Ok(render(&page)?.into_response())
}

pub async fn refund(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RefundForm>,
) -> PageResult {
    staff.require(Permission::ManagePayments)?;
    let id = parse_id(&id)?;
    let input = RefundInput {
        amount: Fen::from_yuan_str(&form.amount),
        reason: form.reason.clone(),
        withdraw: form.withdraw.is_some(),
    };
    match actions::refund(&state, &staff, id, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/staff/payments/orders/{id}?done=refund")).into_response())
        }
        Err(e) if shown_on_form(&e) => {
            let status = e.status;
            let page = order_page(&state, &staff, id, Some(form), e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// --- one application's payment -----------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct OfflineForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize, Default)]
pub struct DeadlineForm {
    #[serde(default)]
    until: String,
}

#[derive(Template)]
#[template(path = "staff/payments/application.html")]
struct ApplicationPage {
    layout: ConsoleLayout,
    csrf: String,
    a: StaffApplicationPayment,
    /// 待缴费: the forms are offered.
    payable: bool,
    methods: Vec<Choice>,
    reference: String,
    note: String,
    until: String,
    offline_errors: FormErrors,
    deadline_errors: FormErrors,
    notice: Option<String>,
}

/// Which form was refused, with what was typed.
enum Refused {
    None,
    Offline(OfflineForm, FormErrors),
    Deadline(DeadlineForm, FormErrors),
}

async fn application_page(
    state: &AppState,
    staff: &Staff,
    id: i64,
    refused: Refused,
) -> Result<ApplicationPage, AppError> {
    let detail = actions::application(state, id).await?;
    let due_input = detail
        .ctx
        .due_at
        .map(|t| {
            t.with_timezone(&domain::time::shanghai())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    let (offline, offline_errors, until, deadline_errors) = match refused {
        Refused::None => (
            OfflineForm::default(),
            FormErrors::none(),
            due_input,
            FormErrors::none(),
        ),
        Refused::Offline(form, errors) => (form, errors, due_input, FormErrors::none()),
        Refused::Deadline(form, errors) => (
            OfflineForm::default(),
            FormErrors::none(),
            form.until,
            errors,
        ),
    };
    Ok(ApplicationPage {
        layout: staff.layout(ConsoleSection::Payments),
        csrf: staff.session.csrf_token().await?,
        payable: detail.ctx.status == domain::applications::state::ApplicationStatus::Approved,
        a: application_view(&detail),
        methods: OfflineMethod::ALL
            .iter()
            .map(|m| Choice {
                value: m.code().to_owned(),
                label: m.label().to_owned(),
                selected: offline.method == m.code(),
            })
            .collect(),
        reference: offline.reference,
        note: offline.note,
        until,
        offline_errors,
        deadline_errors,
        notice: None,
    })
}

pub async fn application(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    staff.require(Permission::ManagePayments)?;
    let mut page = application_page(&state, &staff, parse_id(&id)?, Refused::None).await?;
    page.notice = notice(q.done.as_deref());
    Ok(render(&page)?.into_response())
}

pub async fn offline(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<OfflineForm>,
) -> PageResult {
    staff.require(Permission::ManagePayments)?;
    let id = parse_id(&id)?;
    actions::application(&state, id).await?;
    let input = OfflineInput {
        method: form.method.clone(),
        reference: form.reference.clone(),
        note: form.note.clone(),
    };
    match actions::record_offline(&state, &staff, id, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/staff/payments/applications/{id}?done=offline"))
                .into_response(),
        ),
        Err(e) if shown_on_form(&e) => {
            let status = e.status;
            let page =
                application_page(&state, &staff, id, Refused::Offline(form, e.into())).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn deadline(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DeadlineForm>,
) -> PageResult {
    staff.require(Permission::ManagePayments)?;
    let id = parse_id(&id)?;
    actions::application(&state, id).await?;
    let until = domain::time::parse_shanghai_datetime(&form.until);
    match actions::extend_deadline(&state, &staff, id, until).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/staff/payments/applications/{id}?done=deadline"))
                .into_response(),
        ),
        Err(e) if shown_on_form(&e) => {
            let status = e.status;
            let page =
                application_page(&state, &staff, id, Refused::Deadline(form, e.into())).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// --- reconciliation ----------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct ReconcileForm {
    #[serde(default)]
    date: String,
}

#[derive(Template)]
#[template(path = "staff/payments/reconciliation.html")]
struct ReconciliationPage {
    layout: ConsoleLayout,
    csrf: String,
    reports: Vec<ReconciliationView>,
    provider: &'static str,
    date: String,
    errors: FormErrors,
    notice: Option<String>,
}

async fn reconciliation_page(
    state: &AppState,
    staff: &Staff,
    date: Option<String>,
    errors: FormErrors,
) -> Result<ReconciliationPage, AppError> {
    let reports = store::payments::reconciliations(&state.db, None, 60).await?;
    Ok(ReconciliationPage {
        layout: staff.layout(ConsoleSection::Payments),
        csrf: staff.session.csrf_token().await?,
        reports: reports.iter().map(reconciliation_view).collect(),
        provider: state.payments.provider_name(),
        date: date.unwrap_or_else(|| {
            actions::yesterday(Utc::now())
                .format("%Y-%m-%d")
                .to_string()
        }),
        errors,
        notice: None,
    })
}

pub async fn reconciliation(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    staff.require(Permission::ManagePayments)?;
    let mut page = reconciliation_page(&state, &staff, None, FormErrors::none()).await?;
    page.notice = notice(q.done.as_deref());
    Ok(render(&page)?.into_response())
}

pub async fn reconcile(
    State(state): State<AppState>,
    staff: Staff,
    CsrfForm(form): CsrfForm<ReconcileForm>,
) -> PageResult {
    staff.require(Permission::ManagePayments)?;
    let date = actions::parse_date(&form.date);
    match actions::reconcile(&state, &staff, date).await {
        Ok(_) => Ok(Redirect::to("/staff/payments/reconciliation?done=reconcile").into_response()),
        Err(e) if shown_on_form(&e) => {
            let status = e.status;
            let page = reconciliation_page(&state, &staff, Some(form.date), e.into()).await?;
            Ok((status, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
