//! `/api/v1/plans`.

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::pages::{parse_level, parse_page};
use super::view::{self, PlanCard, PlanDetailView};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PlanListParams {
    /// 1 (一级) … 5 (五级); absent for all levels.
    pub level: Option<String>,
    /// From 1.
    pub page: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanList {
    pub plans: Vec<PlanCard>,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
}

/// Plans, newest registration first, ten to a page.
#[utoipa::path(get, path = "/api/v1/plans", params(PlanListParams), tag = "plans",
    responses((status = 200, body = PlanList)))]
pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<PlanListParams>,
) -> ApiResult<Json<PlanList>> {
    if q.level.is_some() && parse_level(q.level.as_deref()).is_none() {
        return Err(AppError::field("level", "level_invalid", "级别应为 1 到 5"));
    }
    let found = state
        .plans
        .list(
            &state.db,
            parse_level(q.level.as_deref()),
            parse_page(q.page.as_deref()),
        )
        .await?;
    let now = Utc::now();
    Ok(Json(PlanList {
        plans: found.plans.iter().map(|p| PlanCard::new(p, now)).collect(),
        page: found.page,
        pages: found.pages,
        total: found.total,
    }))
}

/// One plan with its eligibility alternatives, tracks and exam sites.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "plans",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, body = PlanDetailView), (status = 404, body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanDetailView>> {
    let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
    let (plan, facts) = state
        .plans
        .plan(&state.db, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Json(view::detail(&plan, &facts, Utc::now())))
}
