//! 统计与导出: the staff dashboard — first submissions per Beijing day over the last 30 days,
//! each plan's applications by status, and the review backlog by working days waited — as
//! server-rendered SVG charts, each with a data table for those who cannot see the chart.
//! Needs `Permission::ViewDashboard`.

pub mod api;
pub mod charts;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{Days, NaiveDate, Utc};
use domain::permissions::Permission;
use store::dashboard::{BacklogAges, PlanFunnel};

use charts::{Bar, Caption};

use crate::error::{AppError, PageResult};
use crate::pages::render;
use crate::staff::{ConsoleLayout, ConsoleSection, Staff};
use crate::state::AppState;

/// How many days the submissions chart covers, today included.
pub const DAYS_SHOWN: u64 = 30;

pub fn router() -> Router<AppState> {
    Router::new().route("/staff/dashboard", get(page))
}

/// Nested under `/api/v1`.
pub fn api_router() -> Router<AppState> {
    Router::new().route("/staff/dashboard", get(api::figures))
}

/// A chart and the same figures as a table.
pub struct ChartView {
    pub svg: String,
    pub rows: Vec<Bar>,
}

impl ChartView {
    fn columns(caption: &Caption<'_>, rows: Vec<Bar>, label_every: usize) -> ChartView {
        ChartView {
            svg: charts::column_chart(caption, &rows, label_every),
            rows,
        }
    }

    fn bars(caption: &Caption<'_>, rows: Vec<Bar>) -> ChartView {
        ChartView {
            svg: charts::row_chart(caption, &rows),
            rows,
        }
    }
}

pub struct FunnelView {
    pub plan_id: i64,
    pub title: String,
    pub chart: ChartView,
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    layout: ConsoleLayout,
    first_day: String,
    last_day: String,
    submitted_in_range: u32,
    per_day: ChartView,
    funnels: Vec<FunnelView>,
    backlog: ChartView,
    waiting: u32,
    overdue: u32,
    can_export_review: bool,
    can_export_feedback: bool,
}

/// The age buckets' labels, in `store::dashboard::BacklogAges::by_age` order.
const AGE_LABELS: [&str; 4] = ["0 个工作日", "1 个工作日", "2 个工作日", "3 个及以上工作日"];

/// Everything the dashboard shows, as the store counts it.
pub struct Figures {
    pub first: NaiveDate,
    pub today: NaiveDate,
    pub days: Vec<(NaiveDate, u32)>,
    pub funnels: Vec<PlanFunnel>,
    pub ages: BacklogAges,
}

pub async fn figures(state: &AppState) -> Result<Figures, AppError> {
    let today = domain::time::shanghai_date(Utc::now());
    let first = today
        .checked_sub_days(Days::new(DAYS_SHOWN - 1))
        .unwrap_or(today);
    let calendar = store::calendar::load(&state.db).await?;
    Ok(Figures {
        days: store::dashboard::submissions_per_day(&state.db, first, today).await?,
        funnels: store::dashboard::funnels(&state.db).await?,
        ages: store::dashboard::backlog_ages(&state.db, &calendar, today).await?,
        first,
        today,
    })
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> PageResult {
    staff.require(Permission::ViewDashboard)?;
    let Figures {
        first,
        today,
        days,
        funnels,
        ages,
    } = figures(&state).await?;
    let submitted_in_range = days.iter().map(|(_, n)| n).sum();
    let per_day = ChartView::columns(
        &Caption {
            id: "chart-per-day",
            title: "每日新提交报名",
            desc: &format!(
                "{} 至 {} 每天首次提交的报名数（北京时间），共 {submitted_in_range} 份",
                first.format("%Y-%m-%d"),
                today.format("%Y-%m-%d")
            ),
        },
        days.iter()
            .map(|(d, n)| Bar::new(d.format("%m-%d").to_string(), *n))
            .collect(),
        5,
    );
    let funnels = funnels
        .into_iter()
        .map(|f| {
            let title = format!("{} {}", f.plan_code, f.plan_name);
            let mut rows = vec![Bar::new("已提交（合计）", f.submitted())];
            rows.extend(f.counts.iter().map(|(s, n)| Bar::new(s.label(), *n)));
            let id = format!("chart-plan-{}", f.plan_id);
            FunnelView {
                plan_id: f.plan_id,
                chart: ChartView::bars(
                    &Caption {
                        id: &id,
                        title: &format!("{title}：各状态报名数"),
                        desc: &format!("已提交 {} 份，按当前状态分列", f.submitted()),
                    },
                    rows,
                ),
                title,
            }
        })
        .collect();
    let waiting = ages.by_age.iter().sum();
    let backlog = ChartView::bars(
        &Caption {
            id: "chart-backlog",
            title: "待审核报名的等待时间",
            desc: &format!(
                "审核中的报名 {waiting} 份，按提交后经过的工作日数分列；其中 {} 份已超过 2 个工作日的审核时限",
                ages.overdue
            ),
        },
        AGE_LABELS
            .iter()
            .zip(ages.by_age)
            .map(|(l, n)| Bar::new(*l, n))
            .collect(),
    );
    let page = DashboardPage {
        layout: staff.layout(ConsoleSection::Dashboard),
        first_day: first.format("%Y-%m-%d").to_string(),
        last_day: today.format("%Y-%m-%d").to_string(),
        submitted_in_range,
        per_day,
        funnels,
        backlog,
        waiting,
        overdue: ages.overdue,
        can_export_review: staff.may(Permission::ReviewApplications),
        can_export_feedback: staff.may(Permission::AnswerFeedback),
    };
    Ok(render(&page)?.into_response())
}
