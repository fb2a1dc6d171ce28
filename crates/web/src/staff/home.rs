//! The console's first page: the areas the person's roles open, and for reviewers the queue's
//! state against the 2-working-day promise.

use askama::Template;
use axum::extract::State;
use axum::response::IntoResponse;

use super::{ConsoleLayout, ConsoleSection, Staff};
use crate::error::PageResult;
use crate::pages::render;
use crate::state::AppState;

pub struct Tile {
    pub href: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "staff/home.html")]
struct HomePage {
    layout: ConsoleLayout,
    tiles: Vec<Tile>,
    queue: Option<super::review::QueueSummary>,
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> PageResult {
    let layout = staff.layout(ConsoleSection::Home);
    let tiles = layout
        .links
        .iter()
        .filter(|l| l.href != ConsoleSection::Home.href())
        .map(|l| Tile {
            href: l.href,
            label: l.label,
        })
        .collect();
    let queue = if staff.may(domain::permissions::Permission::ReviewApplications) {
        Some(super::review::summary(&state).await?)
    } else {
        None
    };
    Ok(render(&HomePage {
        layout,
        tiles,
        queue,
    })?
    .into_response())
}
