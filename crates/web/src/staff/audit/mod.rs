//! 操作日志 in the console (administrators): the append-only audit log searched by actor,
//! action (or a prefix: `plan` finds every plan action), subject and dates, newest first, each
//! line with what changed and the record before and after.

pub mod pages;
mod view;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/staff/audit", get(pages::page))
}
