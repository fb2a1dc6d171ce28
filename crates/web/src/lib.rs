//! skillcert's HTTP face. Each feature owns a folder with its pages, its API handlers and the
//! actions both call (`accounts`, `plans`); shared pieces are the session and CSRF handling, the
//! error type, the page layout and the static assets. Handlers stay thin: business rules live in
//! `domain`, SQL in `store`.

pub mod accounts;
mod api;
pub mod applications;
mod client;
mod code_tables;
pub mod error;
pub mod feedback;
pub mod notifications;
mod pages;
pub mod payments;
mod percent;
mod placeholders;
pub mod plans;
pub mod session;
pub mod staff;
pub mod state;
mod static_files;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use api::ApiDoc;
pub use state::{AppState, WebSettings};

/// The whole application: pages, `/api/v1`, `/api/openapi.json`, `/healthz`, `/static`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(plans::router())
        .merge(accounts::router())
        .merge(applications::router())
        .merge(feedback::router())
        .merge(placeholders::router())
        .merge(notifications::router())
        .merge(payments::router())
        .merge(staff::router())
        .nest("/api/v1", api::router())
        .route("/api/openapi.json", get(api::openapi_json))
        .route("/static/{file}", get(static_files::serve))
        .route("/favicon.ico", get(static_files::favicon))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::middleware,
        ))
        // Our forms are small; uploads (a later issue) set their own limit on their routes.
        .layer(DefaultBodyLimit::max(64 * 1024))
        // Request spans are named by the matched route, never by the raw URI (which could carry
        // someone's data in a query string).
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Health answers without the session layer: load balancers carry no cookies.
        .route("/healthz", get(healthz))
        .with_state(state)
}

fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", |p| p.as_str());
    tracing::info_span!("request", method = %request.method(), route)
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    let e = error::AppError::not_found();
    if uri.path().starts_with("/api/") {
        e.into_response()
    } else {
        error::PageError(e).into_response()
    }
}
