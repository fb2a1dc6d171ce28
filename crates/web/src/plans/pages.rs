use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use chrono::Utc;
use domain::catalogue::Level;
use serde::Deserialize;

use super::view::{self, PlanCard, PlanDetailView};
use crate::error::{AppError, PageResult};
use crate::pages::{Layout, Section, render};
use crate::session::Session;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    layout: Layout,
    open_plans: Vec<PlanCard>,
}

pub async fn home(State(state): State<AppState>, session: Session) -> PageResult {
    let now = Utc::now();
    let page = state.plans.list(&state.db, None, 1).await?;
    let open_plans = page
        .plans
        .iter()
        .map(|p| PlanCard::new(p, now))
        .filter(PlanCard::is_open)
        .collect();
    Ok(render(&HomePage {
        layout: Layout::new(&session, Section::Home),
        open_plans,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// A level filter from the query string: an unknown value shows all levels rather than an error.
pub fn parse_level(raw: Option<&str>) -> Option<Level> {
    raw.and_then(|l| l.trim().parse::<u8>().ok())
        .and_then(Level::new)
}

pub fn parse_page(raw: Option<&str>) -> u64 {
    raw.and_then(|p| p.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1)
}

pub struct LevelChip {
    pub href: String,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "plans/list.html")]
pub struct ListPage {
    layout: Layout,
    chips: Vec<LevelChip>,
    plans: Vec<PlanCard>,
    page: u64,
    pages: u64,
    level_query: String,
}

pub async fn list(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let level = parse_level(q.level.as_deref());
    let found = state
        .plans
        .list(&state.db, level, parse_page(q.page.as_deref()))
        .await?;
    let now = Utc::now();
    let mut chips = vec![LevelChip {
        href: "/plans".into(),
        label: "全部",
        selected: level.is_none(),
    }];
    // The seed's filter reads 一级 … 五级, highest level first.
    chips.extend(Level::ALL.iter().map(|l| LevelChip {
        href: format!("/plans?level={}", l.get()),
        label: l.short_name(),
        selected: level == Some(*l),
    }));
    Ok(render(&ListPage {
        layout: Layout::new(&session, Section::Plans),
        chips,
        plans: found.plans.iter().map(|p| PlanCard::new(p, now)).collect(),
        page: found.page,
        pages: found.pages,
        level_query: level
            .map(|l| format!("level={}&", l.get()))
            .unwrap_or_default(),
    })?
    .into_response())
}

#[derive(Template)]
#[template(path = "plans/detail.html")]
pub struct DetailPage {
    layout: Layout,
    plan: PlanDetailView,
}

pub async fn detail(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> PageResult {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let (plan, facts) = state
        .plans
        .plan(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let plan = view::detail(&plan, &facts, Utc::now());
    Ok(render(&DetailPage {
        layout: Layout::new(&session, Section::Plans),
        plan,
    })?
    .into_response())
}
