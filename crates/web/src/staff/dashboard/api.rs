//! `/api/v1/staff/dashboard`: the dashboard's figures as JSON, for API clients.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use domain::permissions::Permission;
use serde::Serialize;

use crate::error::{ApiResult, ErrorBody};
use crate::staff::Staff;
use crate::state::AppState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayCount {
    /// A Beijing calendar day.
    pub date: NaiveDate,
    /// Applications first submitted that day.
    pub submitted: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusCount {
    pub status: String,
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanCounts {
    pub plan_id: i64,
    pub plan_code: String,
    pub plan_name: String,
    /// Every application ever submitted to the plan.
    pub submitted: u32,
    /// By current status (every status but draft).
    pub statuses: Vec<StatusCount>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BacklogView {
    /// Under review for 0, 1, 2, and 3 or more working days since submission.
    pub by_working_days: [u32; 4],
    /// Of them, past the 2-working-day promise.
    pub overdue: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DashboardView {
    /// The last 30 Beijing days, oldest first, every day present.
    pub per_day: Vec<DayCount>,
    pub plans: Vec<PlanCounts>,
    pub backlog: BacklogView,
}

/// First submissions per day (last 30 days), each plan's applications by status, and the
/// review backlog by working days waited.
#[utoipa::path(get, path = "/api/v1/staff/dashboard", tag = "dashboard",
    responses((status = 200, body = DashboardView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn figures(
    State(state): State<AppState>,
    staff: Staff,
) -> ApiResult<Json<DashboardView>> {
    staff.require(Permission::ViewDashboard)?;
    let f = super::figures(&state).await?;
    Ok(Json(DashboardView {
        per_day: f
            .days
            .iter()
            .map(|(date, n)| DayCount {
                date: *date,
                submitted: *n,
            })
            .collect(),
        plans: f
            .funnels
            .iter()
            .map(|p| PlanCounts {
                plan_id: p.plan_id,
                plan_code: p.plan_code.clone(),
                plan_name: p.plan_name.clone(),
                submitted: p.submitted(),
                statuses: p
                    .counts
                    .iter()
                    .map(|(s, n)| StatusCount {
                        status: s.code().to_owned(),
                        label: s.label().to_owned(),
                        count: *n,
                    })
                    .collect(),
            })
            .collect(),
        backlog: BacklogView {
            by_working_days: f.ages.by_age,
            overdue: f.ages.overdue,
        },
    }))
}
