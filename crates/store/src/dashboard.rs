//! 统计: the figures of the staff dashboard (first submissions per Beijing day, applications per
//! plan and status, the review backlog by age in working days) and the audit line of an export.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::applications::state::ApplicationStatus;
use domain::calendar::{Deadline, WorkCalendar};
use domain::review::review_deadline;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entities::{application as app_row, application_event as event_row, plan as plan_row};
use crate::{Db, StoreError};

/// First submissions (timeline events `submitted`, one per application; resubmissions after a
/// rejection are not new applications) on each Beijing day from `first` to `last` inclusive,
/// every day present (zero when none).
pub async fn submissions_per_day(
    db: &Db,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<(NaiveDate, u32)>, StoreError> {
    let mut days: BTreeMap<NaiveDate, u32> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| (d, 0))
        .collect();
    let Some(after_last) = last.checked_add_days(Days::new(1)) else {
        return Ok(days.into_iter().collect());
    };
    let instants: Vec<DateTime<Utc>> = event_row::Entity::find()
        .select_only()
        .column(event_row::Column::At)
        .filter(event_row::Column::Kind.eq("submitted"))
        .filter(event_row::Column::At.gte(domain::time::shanghai_start_of(first)))
        .filter(event_row::Column::At.lt(domain::time::shanghai_start_of(after_last)))
        .into_tuple()
        .all(db.reader())
        .await?;
    for at in instants {
        if let Some(n) = days.get_mut(&domain::time::shanghai_date(at)) {
            *n += 1;
        }
    }
    Ok(days.into_iter().collect())
}

/// A plan's applications by status (drafts left out: they are not applications yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFunnel {
    pub plan_id: i64,
    pub plan_code: String,
    pub plan_name: String,
    /// Every status but draft, in the order of `ApplicationStatus::ALL`, with its count.
    pub counts: Vec<(ApplicationStatus, u32)>,
}

impl PlanFunnel {
    /// Every application that was ever submitted.
    pub fn submitted(&self) -> u32 {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

/// Each plan that has a submitted application, newest plan first.
pub async fn funnels(db: &Db) -> Result<Vec<PlanFunnel>, StoreError> {
    let grouped: Vec<(i64, String, i64)> = app_row::Entity::find()
        .select_only()
        .column(app_row::Column::PlanId)
        .column(app_row::Column::Status)
        .column_as(Expr::col(app_row::Column::Id).count(), "n")
        .filter(app_row::Column::Status.ne(ApplicationStatus::Draft.code()))
        .group_by(app_row::Column::PlanId)
        .group_by(app_row::Column::Status)
        .into_tuple()
        .all(db.reader())
        .await?;
    let mut by_plan: HashMap<i64, HashMap<ApplicationStatus, u32>> = HashMap::new();
    for (plan_id, status, n) in grouped {
        let status = ApplicationStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("application status {status}")))?;
        *by_plan
            .entry(plan_id)
            .or_default()
            .entry(status)
            .or_default() += u32::try_from(n).unwrap_or(u32::MAX);
    }
    if by_plan.is_empty() {
        return Ok(Vec::new());
    }
    let plans = plan_row::Entity::find()
        .filter(plan_row::Column::Id.is_in(by_plan.keys().copied().collect::<Vec<_>>()))
        .order_by_desc(plan_row::Column::Id)
        .all(db.reader())
        .await?;
    Ok(plans
        .into_iter()
        .map(|p| {
            let counts = by_plan.remove(&p.id).unwrap_or_default();
            PlanFunnel {
                plan_id: p.id,
                plan_code: p.code,
                plan_name: p.name,
                counts: ApplicationStatus::ALL
                    .into_iter()
                    .filter(|s| *s != ApplicationStatus::Draft)
                    .map(|s| (s, counts.get(&s).copied().unwrap_or(0)))
                    .collect(),
            }
        })
        .collect())
}

/// The applications under review by working days waited since submission: `by_age[n]` for
/// 0, 1 and 2 working days, `by_age[3]` for 3 or more; `overdue` of them past the
/// 2-working-day promise.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BacklogAges {
    pub by_age: [u32; 4],
    pub overdue: u32,
}

/// The bucket of an application that has waited `working_days`.
pub fn age_bucket(working_days: u32) -> usize {
    usize::try_from(working_days).map_or(3, |d| d.min(3))
}

pub async fn backlog_ages(
    db: &Db,
    calendar: &WorkCalendar,
    today: NaiveDate,
) -> Result<BacklogAges, StoreError> {
    let submitted: Vec<Option<DateTime<Utc>>> = app_row::Entity::find()
        .select_only()
        .column(app_row::Column::SubmittedAt)
        .filter(app_row::Column::Status.eq(ApplicationStatus::UnderReview.code()))
        .into_tuple()
        .all(db.reader())
        .await?;
    let mut ages = BacklogAges::default();
    for at in submitted.into_iter().flatten() {
        let day = domain::time::shanghai_date(at);
        ages.by_age[age_bucket(calendar.working_days_between(day, today))] += 1;
        if matches!(
            review_deadline(calendar, day, today),
            Deadline::Overdue { .. }
        ) {
            ages.overdue += 1;
        }
    }
    Ok(ages)
}

/// What was exported, by whom, with which filter: one audit line (an export takes personal
/// data out of the system, so it is recorded like a change).
#[derive(Debug, Clone)]
pub struct Export<'a> {
    pub actor_account_id: i64,
    pub actor: &'a str,
    /// `review_queue`, `feedback`.
    pub what: &'a str,
    pub filter: serde_json::Value,
    pub rows: usize,
    pub client_address: Option<String>,
}

pub async fn record_export(
    db: &Db,
    export: Export<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::audit::record(
        db.writer(),
        crate::audit::NewEntry {
            actor_account_id: Some(export.actor_account_id),
            actor: export.actor,
            action: "export.download",
            subject_type: "export",
            subject_id: export.what.to_owned(),
            before: None,
            after: Some(serde_json::json!({
                "filter": export.filter,
                "rows": export.rows,
            })),
            client_address: export.client_address,
        },
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_working_days_and_more_share_the_last_bucket() {
        assert_eq!(age_bucket(0), 0);
        assert_eq!(age_bucket(2), 2);
        assert_eq!(age_bucket(3), 3);
        assert_eq!(age_bucket(40), 3);
    }
}
