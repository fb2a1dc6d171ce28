//! 缴费管理 in the console (administrators: `Permission::ManagePayments`): the list of orders,
//! one order with its trail and refunds (and a refund form), one application's payment
//! (recording an offline payment, extending the deadline), and the daily reconciliation
//! reports (and running one); pages and the API. The money flows are the `payments` crate's,
//! the books and their audit lines `store::payments`'; this module reads forms, maps refusals to
//! Chinese messages beside the fields, and renders.

pub mod actions;
pub mod api;
pub mod pages;
pub mod view;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/payments", get(pages::list))
        .route("/staff/payments/orders/{id}", get(pages::order))
        .route("/staff/payments/orders/{id}/refund", post(pages::refund))
        .route("/staff/payments/applications", get(pages::find_application))
        .route("/staff/payments/applications/{id}", get(pages::application))
        .route(
            "/staff/payments/applications/{id}/offline",
            post(pages::offline),
        )
        .route(
            "/staff/payments/applications/{id}/deadline",
            post(pages::deadline),
        )
        .route(
            "/staff/payments/reconciliation",
            get(pages::reconciliation).post(pages::reconcile),
        )
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/staff/payments/orders", get(api::list))
        .route("/staff/payments/orders/{id}", get(api::order))
        .route("/staff/payments/orders/{id}/refunds", post(api::refund))
        .route("/staff/payments/applications/{id}", get(api::application))
        .route(
            "/staff/payments/applications/{id}/offline",
            post(api::offline),
        )
        .route(
            "/staff/payments/applications/{id}/deadline",
            post(api::deadline),
        )
        .route(
            "/staff/payments/reconciliations",
            get(api::reconciliations).post(api::reconcile),
        )
}
