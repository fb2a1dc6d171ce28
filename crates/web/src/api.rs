//! `/api/v1`: every action a person can take on the pages, as JSON, and its OpenAPI document at
//! `/api/openapi.json`.

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::state::AppState;
use crate::{accounts, applications, code_tables, feedback, notifications, payments, plans, staff};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "skillcert API",
        description = "职业技能等级认定平台 API. Errors are `{code, message, fields}`; state-changing calls made with a session cookie must send `X-CSRF-Token`."
    ),
    paths(
        accounts::api::send_code,
        accounts::api::signup_verify,
        accounts::api::signup,
        accounts::api::log_in,
        accounts::api::current,
        accounts::api::log_out,
        accounts::api::reset_password,
        accounts::api::me,
        plans::api::list,
        plans::api::detail,
        code_tables::list,
        code_tables::divisions,
        applications::api::open,
        applications::api::list,
        applications::api::get,
        applications::api::save_draft,
        applications::api::checks,
        applications::api::check_page,
        applications::api::submit,
        applications::api::withdraw,
        applications::uploads::api_upload,
        applications::uploads::api_documents,
        payments::api::status,
        payments::api::open,
        payments::api::check,
        notifications::api::list,
        notifications::api::read,
        notifications::api::read_all,
        staff::notification_templates::api_list,
        staff::notification_templates::api_preview,
        staff::notification_templates::api_save,
        staff::notification_templates::api_reset,
        applications::reasons::api_rounds,
        feedback::api::list,
        feedback::api::get,
        feedback::api::send,
        staff::feedback::api::list,
        staff::feedback::api::one,
        staff::feedback::api::answer,
        staff::dashboard::api::figures,
        staff::review::api::queue,
        staff::review::api::application,
        staff::review::api::claim,
        staff::review::api::release,
        staff::review::api::approve,
        staff::review::api::reject,
        staff::review::api::batch_approve,
        staff::organization::api_applications,
        staff::organization::api_assign,
        staff::plans::api::list,
        staff::plans::api::get,
        staff::plans::api::create,
        staff::plans::api::update,
        staff::plans::api::open,
        staff::plans::api::close,
        staff::accounts::api::list,
        staff::accounts::api::create,
        staff::accounts::api::roles,
        staff::accounts::api::disable,
        staff::accounts::api::enable,
        staff::accounts::api::password,
        staff::catalogue::api::occupations,
        staff::catalogue::api::rules,
        staff::catalogue::api::preview,
        staff::catalogue::api::create,
        staff::catalogue::api::update,
        staff::catalogue::api::retire,
        staff::employers::api::list,
        staff::employers::api::upload,
        staff::employers::api::confirm,
        staff::payments::api::list,
        staff::payments::api::order,
        staff::payments::api::refund,
        staff::payments::api::application,
        staff::payments::api::offline,
        staff::payments::api::deadline,
        staff::payments::api::reconciliations,
        staff::payments::api::reconcile,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::FieldError))
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sms-codes", post(accounts::api::send_code))
        .route("/signup/verify", post(accounts::api::signup_verify))
        .route("/signup", post(accounts::api::signup))
        .route(
            "/session",
            get(accounts::api::current)
                .post(accounts::api::log_in)
                .delete(accounts::api::log_out),
        )
        .route("/password-reset", post(accounts::api::reset_password))
        .route("/me", get(accounts::api::me))
        .route("/plans", get(plans::api::list))
        .route("/plans/{id}", get(plans::api::detail))
        .route("/code-tables/{kind}", get(code_tables::list))
        .route("/divisions", get(code_tables::divisions))
        .route("/plans/{id}/application", post(applications::api::open))
        .route("/applications", get(applications::api::list))
        .route("/applications/{id}", get(applications::api::get))
        .route(
            "/applications/{id}/draft",
            axum::routing::put(applications::api::save_draft),
        )
        .route("/applications/{id}/checks", get(applications::api::checks))
        .route(
            "/applications/{id}/check/{section}",
            post(applications::api::check_page),
        )
        .route("/applications/{id}/submit", post(applications::api::submit))
        .route(
            "/applications/{id}/withdraw",
            post(applications::api::withdraw),
        )
        .route(
            "/applications/{id}/documents",
            get(applications::uploads::api_documents),
        )
        .route(
            "/applications/{id}/documents/{kind}",
            post(applications::uploads::api_upload).layer(axum::extract::DefaultBodyLimit::max(
                applications::uploads::UPLOAD_BODY_LIMIT,
            )),
        )
        .route(
            "/applications/{id}/rounds",
            get(applications::reasons::api_rounds),
        )
        .route("/notifications", get(notifications::api::list))
        .route(
            "/notifications/read-all",
            post(notifications::api::read_all),
        )
        .route("/notifications/{id}/read", post(notifications::api::read))
        .merge(feedback::api_router())
        .merge(payments::api_router())
        .merge(staff::api_router())
        .layer(axum::middleware::from_fn(crate::session::api_csrf_guard))
}

pub async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(ApiDoc::openapi())
}
