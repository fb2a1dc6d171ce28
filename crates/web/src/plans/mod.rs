//! Plans: the home page, the plan list with the seed's level filter, and a plan's page with its
//! eligibility alternatives in plain Chinese.

pub mod api;
pub mod cache;
mod pages;
mod view;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub use view::{PlanCard, PlanDetailView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/plans", get(pages::list))
        .route("/plans/{id}", get(pages::detail))
}
