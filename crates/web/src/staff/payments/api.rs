//! `/api/v1/staff/payments`: orders (list, one, refund), an application's payment (offline
//! payment, deadline) and the daily reconciliations, with the same rules and codes as the pages.
//! Amounts are in fen, instants RFC 3339.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::payments::OrderState;
use domain::permissions::Permission;
use serde::Deserialize;
use store::payments::ListFilter;

use super::actions::{self, OfflineInput, PAGE_SIZE, RefundInput};
use super::view::{
    ReconciliationView, StaffApplicationPayment, StaffOrderDetail, StaffOrderList, StaffRefundView,
    application_view, order_detail_view, order_view, reconciliation_view, refund_view,
};
use crate::error::{ApiJson, ApiResult, AppError, ErrorBody};
use crate::staff::Staff;
use crate::state::AppState;
use domain::money::Fen;

fn parse_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::not_found())
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    /// pending | paid | closed | refunding | refunded
    #[serde(default)]
    state: String,
    /// An order number, an application id or a transaction id.
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<u64>,
}

/// Orders, newest first, 50 a page; `state` narrows to one state, `q` finds an order number,
/// an application id or the provider's transaction id.
#[utoipa::path(get, path = "/api/v1/staff/payments/orders", tag = "staff-payments",
    params(("state" = Option<String>, Query), ("q" = Option<String>, Query), ("page" = Option<u64>, Query)),
    responses((status = 200, body = StaffOrderList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<StaffOrderList>> {
    staff.require(Permission::ManagePayments)?;
    let page = q.page.unwrap_or(1).max(1);
    let found = store::payments::list(
        &state.db,
        &ListFilter {
            state: OrderState::parse(q.state.trim()),
            search: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
            page: page - 1,
        },
    )
    .await?;
    Ok(Json(StaffOrderList {
        orders: found.orders.iter().map(order_view).collect(),
        total: found.total,
        page,
        pages: found.total.div_ceil(PAGE_SIZE).max(1),
    }))
}

/// One order: its application, its trail, its refunds and what may still be refunded.
#[utoipa::path(get, path = "/api/v1/staff/payments/orders/{id}", tag = "staff-payments",
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffOrderDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn order(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffOrderDetail>> {
    staff.require(Permission::ManagePayments)?;
    let detail = actions::order(&state, parse_id(&id)?).await?;
    Ok(Json(order_detail_view(&detail)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RefundBody {
    /// In fen, more than 0 and not more than what is left to refund.
    #[serde(default)]
    pub amount_fen: Option<i64>,
    #[serde(default)]
    pub reason: String,
    /// Withdraw the application too (it must be 缴费成功), giving its seat back.
    #[serde(default)]
    pub withdraw: bool,
}

/// Refunds part or all of a paid order (audited as `payment.refund`). An offline payment's
/// refund is paid back by hand and recorded as done at once.
#[utoipa::path(post, path = "/api/v1/staff/payments/orders/{id}/refunds", tag = "staff-payments",
    request_body = RefundBody, params(("id" = i64, Path)),
    responses((status = 201, body = StaffRefundView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "application_transition_not_allowed, application_changed (with `withdraw`)"),
        (status = 422, body = ErrorBody, description = "refund_too_much, refund_not_positive, refund_no_reason, refund_not_paid, invalid_input")))]
pub async fn refund(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RefundBody>,
) -> ApiResult<(StatusCode, Json<StaffRefundView>)> {
    staff.require(Permission::ManagePayments)?;
    let id = parse_id(&id)?;
    let refund = actions::refund(
        &state,
        &staff,
        id,
        &RefundInput {
            amount: body.amount_fen.map(Fen),
            reason: body.reason,
            withdraw: body.withdraw,
        },
    )
    .await?;
    // As it stands after the provider was asked (an offline payment's is already done).
    let refund = store::payments::refunds_of(&state.db, &[id])
        .await?
        .into_iter()
        .find(|r| r.id == refund.id)
        .unwrap_or(refund);
    Ok((StatusCode::CREATED, Json(refund_view(&refund))))
}

/// An application's payment: status, fee, deadline, every order and refund.
#[utoipa::path(get, path = "/api/v1/staff/payments/applications/{id}", tag = "staff-payments",
    params(("id" = i64, Path)),
    responses((status = 200, body = StaffApplicationPayment), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn application(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffApplicationPayment>> {
    staff.require(Permission::ManagePayments)?;
    let detail = actions::application(&state, parse_id(&id)?).await?;
    Ok(Json(application_view(&detail)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OfflineBody {
    /// bank_transfer (银行转账) | cash (现金)
    #[serde(default)]
    pub method: String,
    /// The bank's transaction number or the receipt's, at most 64 characters.
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub note: String,
}

/// Records the fee as paid offline: the application becomes 缴费成功 (audited as
/// `payment.offline`). An open online order is closed at the provider first.
#[utoipa::path(post, path = "/api/v1/staff/payments/applications/{id}/offline", tag = "staff-payments",
    request_body = OfflineBody, params(("id" = i64, Path)),
    responses((status = 200, body = StaffApplicationPayment), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "payment_not_needed, payment_order_open"),
        (status = 422, body = ErrorBody, description = "invalid_input: offline_method_required, offline_reference_required, offline_reference_too_long, offline_note_too_long"),
        (status = 503, body = ErrorBody, description = "payment_provider_unavailable")))]
pub async fn offline(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<OfflineBody>,
) -> ApiResult<Json<StaffApplicationPayment>> {
    staff.require(Permission::ManagePayments)?;
    let id = parse_id(&id)?;
    actions::application(&state, id).await?;
    actions::record_offline(
        &state,
        &staff,
        id,
        &OfflineInput {
            method: body.method,
            reference: body.reference,
            note: body.note,
        },
    )
    .await?;
    let detail = actions::application(&state, id).await?;
    Ok(Json(application_view(&detail)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DeadlineBody {
    /// The new deadline: an RFC 3339 instant, or Beijing time "YYYY-MM-DD HH:MM".
    #[serde(default)]
    pub until: String,
}

/// Moves a 待缴费 application's payment deadline later, never past the exam's start (audited
/// as `payment.extend_deadline`).
#[utoipa::path(post, path = "/api/v1/staff/payments/applications/{id}/deadline", tag = "staff-payments",
    request_body = DeadlineBody, params(("id" = i64, Path)),
    responses((status = 200, body = StaffApplicationPayment), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "deadline_not_payable"),
        (status = 422, body = ErrorBody, description = "deadline_not_later, deadline_after_exam, invalid_input")))]
pub async fn deadline(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DeadlineBody>,
) -> ApiResult<Json<StaffApplicationPayment>> {
    staff.require(Permission::ManagePayments)?;
    let id = parse_id(&id)?;
    actions::application(&state, id).await?;
    actions::extend_deadline(&state, &staff, id, actions::parse_until(&body.until)).await?;
    let detail = actions::application(&state, id).await?;
    Ok(Json(application_view(&detail)))
}

#[derive(Debug, Deserialize, Default)]
pub struct ReconciliationQuery {
    /// YYYY-MM-DD: only that day's reports.
    #[serde(default)]
    date: String,
}

/// Saved reconciliation reports, newest first (the last 100, or one day's).
#[utoipa::path(get, path = "/api/v1/staff/payments/reconciliations", tag = "staff-payments",
    params(("date" = Option<String>, Query)),
    responses((status = 200, body = Vec<ReconciliationView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reconciliations(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ReconciliationQuery>,
) -> ApiResult<Json<Vec<ReconciliationView>>> {
    staff.require(Permission::ManagePayments)?;
    let date = match q.date.trim() {
        "" => None,
        raw => Some(actions::parse_date(raw).ok_or_else(|| {
            AppError::field(
                "date",
                "reconcile_date_invalid",
                "请按“YYYY-MM-DD”填写对账日期",
            )
        })?),
    };
    let found = store::payments::reconciliations(&state.db, date, 100).await?;
    Ok(Json(found.iter().map(reconciliation_view).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReconcileBody {
    /// The Beijing day to compare, YYYY-MM-DD; yesterday when left out.
    #[serde(default)]
    pub date: Option<String>,
}

/// Compares a day's books with the provider's bill and saves the report (differences are a
/// report, not an error).
#[utoipa::path(post, path = "/api/v1/staff/payments/reconciliations", tag = "staff-payments",
    request_body = ReconcileBody,
    responses((status = 201, body = ReconciliationView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "bill_not_ready"),
        (status = 422, body = ErrorBody, description = "reconcile_date_invalid"),
        (status = 503, body = ErrorBody, description = "payment_provider_unavailable (the failure is saved as a report too)")))]
pub async fn reconcile(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(body): ApiJson<ReconcileBody>,
) -> ApiResult<(StatusCode, Json<ReconciliationView>)> {
    staff.require(Permission::ManagePayments)?;
    let date = match body.date.as_deref().map(str::trim) {
        None | Some("") => Some(actions::yesterday(chrono::Utc::now())),
        Some(raw) => actions::parse_date(raw),
    };
    let report = actions::reconcile(&state, &staff, date).await?;
    Ok((StatusCode::CREATED, Json(reconciliation_view(&report))))
}
