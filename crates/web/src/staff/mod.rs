//! The certification body's console (工作台) under `/staff`, and its API under
//! `/api/v1/staff`. Every handler takes a [`Staff`] and asks it for the
//! `domain::permissions::Permission` the page or call needs before doing anything else, so the
//! server checks every request, whatever the navigation shows.
//!
//! Each area of the console is one module here (`review`, and the others as they are built),
//! with its pages, its API handlers and its router; this module only joins them.

pub mod accounts;
pub mod audit;
pub mod calendar;
pub mod catalogue;
mod code_tables;
mod console;
pub mod dashboard;
pub mod employers;
pub mod export;
pub mod feedback;
mod home;
mod login;
pub mod notification_templates;
pub mod organization;
pub mod payments;
pub mod plans;
pub mod review;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use domain::permissions::{Permission, allows};
use store::accounts::Account;

pub use console::{ConsoleLayout, ConsoleSection};

use crate::error::{AppError, PageError};
use crate::session::Session;
use crate::state::AppState;

/// Pages of the console.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff", get(home::page))
        .route("/staff/login", get(login::page).post(login::submit))
        .merge(review::router())
        .merge(organization::router())
        .merge(catalogue::router())
        .merge(employers::router())
        .merge(feedback::router())
        .merge(dashboard::router())
        .merge(export::router())
        .merge(notification_templates::router())
        .merge(plans::router())
        .merge(calendar::router())
        .merge(accounts::router())
        .merge(audit::router())
        .merge(payments::router())
}

/// Calls of the console's API, nested under `/api/v1`.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .merge(review::api_router())
        .merge(organization::api_router())
        .merge(catalogue::api_router())
        .merge(employers::api_router())
        .merge(feedback::api_router())
        .merge(dashboard::api_router())
        .merge(notification_templates::api_router())
        .merge(plans::api_router())
        .merge(accounts::api_router())
        .merge(payments::api_router())
}

/// A signed-in member of staff (any staff role). Without a session a page request is sent to
/// the staff entrance and an API call gets 401; a candidate gets 403.
#[derive(Clone)]
pub struct Staff {
    pub account: Account,
    pub session: Session,
}

impl Staff {
    /// Refuses (403, `staff_forbidden`) unless one of the person's roles grants `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "staff_forbidden",
                format!("您没有“{}”的权限", permission.label()),
            ))
        }
    }

    pub fn may(&self, permission: Permission) -> bool {
        allows(&self.account.roles, permission)
    }

    /// The console's frame for a page of `section`.
    pub fn layout(&self, section: ConsoleSection) -> ConsoleLayout {
        ConsoleLayout::new(self, section)
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // Inside `/api/v1` the router sees the path without its prefix: ask for the original.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.clone(), |o| o.0.clone());
        let is_api = path.path().starts_with("/api/");
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let refuse = |e: AppError| {
            if is_api {
                e.into_response()
            } else {
                PageError(e).into_response()
            }
        };
        match session.account() {
            None if is_api => Err(AppError::unauthenticated().into_response()),
            None => {
                let next = path
                    .path_and_query()
                    .map_or("/staff", |p| p.as_str())
                    .to_owned();
                let target = format!("/staff/login?next={}", crate::percent::encode_path(&next));
                Err(Redirect::to(&target).into_response())
            }
            Some(account) if !account.is_staff() => Err(refuse(AppError::forbidden(
                "staff_only",
                "此页面仅供工作人员使用",
            ))),
            Some(account) => Ok(Staff { account, session }),
        }
    }
}
