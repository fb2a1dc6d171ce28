//! 职业目录: occupations with their levels, tracks (方向), related occupations (相关职业) and
//! eligibility alternatives (申报条件), edited as structured rules with their plain-Chinese
//! sentence previewed; pages and the API. Plan pages show a change within the plan cache's
//! second.

pub mod actions;
pub mod api;
mod form;
pub mod pages;
mod view;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/catalogue",
            get(pages::list).post(pages::create_occupation),
        )
        .route(
            "/staff/catalogue/{id}",
            get(pages::occupation).post(pages::update_occupation),
        )
        .route("/staff/catalogue/{id}/tracks", post(pages::add_track))
        .route("/staff/catalogue/{id}/related", post(pages::add_related))
        .route("/staff/catalogue/{id}/rules", post(pages::create_rule))
        .route("/staff/catalogue/{id}/rules/new", get(pages::new_rule))
        .route(
            "/staff/catalogue/tracks/{track_id}",
            post(pages::update_track),
        )
        .route(
            "/staff/catalogue/related/{related_id}/remove",
            post(pages::remove_related),
        )
        .route(
            "/staff/catalogue/rules/{rule_id}",
            get(pages::edit_rule).post(pages::update_rule),
        )
        .route(
            "/staff/catalogue/rules/{rule_id}/retire",
            post(pages::retire_rule),
        )
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/staff/catalogue/occupations", get(api::occupations))
        .route(
            "/staff/catalogue/occupations/{id}/rules",
            get(api::rules).post(api::create),
        )
        .route("/staff/catalogue/rules/preview", post(api::preview))
        .route(
            "/staff/catalogue/rules/{id}",
            axum::routing::put(api::update),
        )
        .route("/staff/catalogue/rules/{id}/retire", post(api::retire))
}
