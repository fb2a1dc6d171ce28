//! 待缴费 and 缴费成功, the candidate's payment pages.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use chrono::Utc;
use domain::applications::state::ApplicationStatus;
use serde::Deserialize;

use super::view::{OrderView, RefundView, load, payment_view};
use super::{parse_id, pay_error, qr, request_origin};
use crate::error::PageResult;
use crate::pages::{Layout, Section as NavSection, render};
use crate::session::{CsrfForm, Session};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "payments/pay.html")]
pub struct PayPage {
    layout: Layout,
    csrf: String,
    app_id: i64,
    plan_name: String,
    fee_text: String,
    due_at: Option<String>,
    order: Option<OrderView>,
    /// The QR code as SVG markup (drawn by us, safe to embed).
    qr_svg: Option<String>,
    simulated: bool,
    /// Why no QR code can be shown now (the provider is unreachable, the deadline passed).
    problem: Option<String>,
    /// The answer to 我已支付，刷新状态.
    checked: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "payments/paid.html")]
pub struct PaidPage {
    layout: Layout,
    csrf: String,
    app_id: i64,
    plan_name: String,
    status: &'static str,
    status_label: &'static str,
    paid: bool,
    order: Option<OrderView>,
    refunds: Vec<RefundView>,
    withdraw_refund_until: Option<String>,
}

#[derive(Deserialize)]
pub struct PayQuery {
    checked: Option<String>,
}

pub async fn pay(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<PayQuery>,
) -> PageResult {
    let account = session.require_account()?;
    let id = parse_id(&id)?;
    let (ctx, _) = load(&state, id, account.id).await?;
    let now = Utc::now();
    let mut problem = None;
    if ctx.status == ApplicationStatus::Approved {
        let origin = request_origin(&headers, state.settings.secure_cookies);
        match state.payments.open_order(id, &origin, now).await {
            Ok(_) => {}
            Err(e @ (payments::PayError::Provider(_) | payments::PayError::PastDeadline)) => {
                problem = Some(pay_error(e).message);
            }
            Err(e) => return Err(pay_error(e).into()),
        }
    }
    let (ctx, refunds) = load(&state, id, account.id).await?;
    let view = payment_view(&ctx, &refunds, now);
    if ctx.status == ApplicationStatus::Approved {
        let qr_svg = view
            .order
            .as_ref()
            .and_then(|o| o.code_url.as_deref())
            .and_then(qr::svg);
        return Ok(render(&PayPage {
            layout: Layout::new(&session, NavSection::Applications),
            csrf: session.csrf_token().await?,
            app_id: id,
            plan_name: ctx.plan_name.clone(),
            fee_text: view.fee_text,
            due_at: view.due_at,
            order: view.order,
            qr_svg,
            simulated: state.payments.provider_name() == "simulated",
            problem,
            checked: match query.checked.as_deref() {
                Some("unavailable") => {
                    Some("暂时无法向支付平台查询，请稍后再试；付款成功后系统也会自动确认")
                }
                Some(_) => Some("已向支付平台查询：尚未收到付款。如已付款，请稍候片刻再刷新"),
                None => None,
            },
        })?
        .into_response());
    }
    if ctx.orders.is_empty() {
        return Ok(Redirect::to(&format!("/applications/{id}")).into_response());
    }
    Ok(render(&PaidPage {
        layout: Layout::new(&session, NavSection::Applications),
        csrf: session.csrf_token().await?,
        app_id: id,
        plan_name: ctx.plan_name.clone(),
        status: view.status,
        status_label: view.status_label,
        paid: view.paid,
        order: view.order,
        refunds: view.refunds,
        withdraw_refund_until: view.withdraw_refund_until,
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct EmptyForm {}

/// 我已支付，刷新状态, without JavaScript: ask the provider now, then show the page again.
pub async fn check(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> PageResult {
    let account = session.require_account()?;
    let id = parse_id(&id)?;
    load(&state, id, account.id).await?;
    let checked = match state.payments.candidate_check(id, Utc::now()).await {
        Ok(_) => "1",
        Err(payments::PayError::Provider(_)) => "unavailable",
        Err(e) => return Err(pay_error(e).into()),
    };
    Ok(Redirect::to(&format!("/applications/{id}/pay?checked={checked}")).into_response())
}
