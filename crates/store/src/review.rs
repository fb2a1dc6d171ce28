//! Review (审核): claims, decisions and the queue.
//!
//! - A reviewer claims an application before working on it; the claim is one upsert that only
//!   takes a free or expired claim (or renews one's own), so two reviewers never hold the same
//!   application at once.
//! - A decision (approve, or reject with its reasons and marked parts) is one transaction: the
//!   status change (only if the application is unchanged since the reviewer loaded it), its
//!   timeline entry, the decision row for the round, the audit line, and the claim's release.
//! - The queue lists submitted applications oldest first, filtered by plan, level, status,
//!   automatic-check result, organization and age in working days.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::applications::state::{Actor, ApplicationEvent, ApplicationStatus};
use domain::calendar::{Deadline, WorkCalendar};
use domain::catalogue::Level;
use domain::review::{Mark, ReasonTemplate, Rejection, claim_ttl, review_deadline};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use serde_json::json;

use crate::applications::{Application, ChangeError, StatusChange, change_status, to_application};
use crate::entities::{
    application as app_row, plan as plan_row, review_claim as claim_row,
    review_decision as decision_row,
};
use crate::sql::Sql;
use crate::{Db, StoreError};

/// The member of staff acting, as the audit log and the candidate see them.
#[derive(Debug, Clone)]
pub struct Reviewer {
    pub account_id: i64,
    /// The name shown to other reviewers on a claim.
    pub name: String,
    /// The login name, for the audit log.
    pub login: String,
    pub client_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Holder {
    pub reviewer_account_id: i64,
    pub reviewer_name: String,
    pub expires_at: DateTime<Utc>,
}

/// Why a claim or a decision did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewError {
    NotFound,
    /// Another reviewer holds the application.
    Held(Holder),
    /// The candidate changed the application (or another decision was made) since it was loaded.
    Changed,
    Transition(domain::applications::state::TransitionError),
}

impl From<ChangeError> for ReviewError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::NotFound => ReviewError::NotFound,
            ChangeError::Transition(t) => ReviewError::Transition(t),
            // Seats do not move on approval or rejection; anything else is a lost race.
            ChangeError::Conflict | ChangeError::Full | ChangeError::RegistrationClosed => {
                ReviewError::Changed
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Approve,
    Reject(Rejection),
}

/// A decision as recorded, for the history of rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionRecord {
    pub round: i32,
    pub reviewer_name: String,
    pub decided_at: DateTime<Utc>,
    /// `None` for an approval.
    pub rejection: Option<Rejection>,
}

/// Claims `application_id` for `reviewer` until `now + claim_ttl()`, or renews their own claim.
pub async fn claim(
    db: &Db,
    application_id: i64,
    reviewer: &Reviewer,
    now: DateTime<Utc>,
) -> Result<Result<DateTime<Utc>, ReviewError>, StoreError> {
    if app_row::Entity::find_by_id(application_id)
        .select_only()
        .column(app_row::Column::Id)
        .into_tuple::<i64>()
        .one(db.writer())
        .await?
        .is_none()
    {
        return Ok(Err(ReviewError::NotFound));
    }
    let until = now + claim_ttl();
    let conn = db.writer();
    let mut sql = Sql::new(conn.get_database_backend());
    let (a, r, n, c, e) = (
        sql.bind(application_id),
        sql.bind(reviewer.account_id),
        sql.bind(reviewer.name.clone()),
        sql.bind(now),
        sql.bind(until),
    );
    // Portable upsert (SQLite ≥ 3.24 and PostgreSQL): the row is taken over only when its claim
    // has run out or is the same reviewer's; otherwise nothing changes and no row is affected.
    let statement = format!(
        "INSERT INTO review_claims \
           (application_id, reviewer_account_id, reviewer_name, claimed_at, expires_at) \
         VALUES ({a}, {r}, {n}, {c}, {e}) \
         ON CONFLICT (application_id) DO UPDATE SET \
           reviewer_account_id = excluded.reviewer_account_id, \
           reviewer_name = excluded.reviewer_name, \
           claimed_at = excluded.claimed_at, \
           expires_at = excluded.expires_at \
         WHERE review_claims.expires_at <= excluded.claimed_at \
            OR review_claims.reviewer_account_id = excluded.reviewer_account_id"
    );
    let done = conn.execute_raw(sql.statement(statement)).await?;
    if done.rows_affected() == 1 {
        return Ok(Ok(until));
    }
    Ok(Err(match holder(conn, application_id).await? {
        Some(h) => ReviewError::Held(h),
        // Released between the upsert and this read: the reviewer may simply try again.
        None => ReviewError::Changed,
    }))
}

/// Gives up `reviewer`'s claim on the application, if they hold it.
pub async fn release(
    db: &Db,
    application_id: i64,
    reviewer_account_id: i64,
) -> Result<(), StoreError> {
    claim_row::Entity::delete_many()
        .filter(claim_row::Column::ApplicationId.eq(application_id))
        .filter(claim_row::Column::ReviewerAccountId.eq(reviewer_account_id))
        .exec(db.writer())
        .await?;
    Ok(())
}

async fn holder<C: ConnectionTrait>(
    conn: &C,
    application_id: i64,
) -> Result<Option<Holder>, StoreError> {
    Ok(claim_row::Entity::find_by_id(application_id)
        .one(conn)
        .await?
        .map(to_holder))
}

fn to_holder(c: claim_row::Model) -> Holder {
    Holder {
        reviewer_account_id: c.reviewer_account_id,
        reviewer_name: c.reviewer_name,
        expires_at: c.expires_at,
    }
}

/// The claims (live or expired) on the given applications.
pub async fn holders(db: &Db, ids: &[i64]) -> Result<HashMap<i64, Holder>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(claim_row::Entity::find()
        .filter(claim_row::Column::ApplicationId.is_in(ids.to_vec()))
        .all(db.reader())
        .await?
        .into_iter()
        .map(|c| (c.application_id, to_holder(c)))
        .collect())
}

/// Approves or rejects the application as the reviewer saw it (`seen_updated_at`).
pub async fn decide(
    db: &Db,
    application_id: i64,
    reviewer: &Reviewer,
    seen_updated_at: DateTime<Utc>,
    decision: &Decision,
    now: DateTime<Utc>,
) -> Result<Result<Application, ReviewError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(current) = app_row::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
    else {
        return Ok(Err(ReviewError::NotFound));
    };
    if let Some(h) = holder(&txn, application_id).await?
        && h.expires_at > now
        && h.reviewer_account_id != reviewer.account_id
    {
        return Ok(Err(ReviewError::Held(h)));
    }
    // PostgreSQL keeps microseconds, SQLite what it was given: compare at the coarser one, then
    // make the update conditional on the row's own value.
    if micros(current.updated_at) != micros(seen_updated_at) {
        return Ok(Err(ReviewError::Changed));
    }
    let unchanged_since = current.updated_at;
    let (event, kind, verdict, rejection) = match decision {
        Decision::Approve => (ApplicationEvent::Approve, "approved", "approved", None),
        Decision::Reject(r) => (ApplicationEvent::Reject, "rejected", "rejected", Some(r)),
    };
    // An approval starts the payment period: its deadline is fixed now (the plan's, or later
    // if the approval came late) and quoted in the approval's message.
    let mut also = Vec::new();
    let mut payment_deadline = None;
    if rejection.is_none() {
        let plan = plan_row::Entity::find_by_id(current.plan_id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("plan {} vanished", current.plan_id)))?;
        let due =
            domain::payments::payment_due_at(plan.payment_closes_at, plan.exam_starts_at, now);
        also.push((app_row::Column::PaymentDueAt, Expr::value(due)));
        payment_deadline = Some(due.to_rfc3339());
    }
    let detail = match rejection {
        None => json!({
            "reviewer": reviewer.name,
            "round": current.round,
            "payment_deadline": payment_deadline,
        }),
        Some(r) => json!({
            "reviewer": reviewer.name,
            "round": current.round,
            "reason": r.summary(),
            "marks": r.marks,
        }),
    };
    let changed = change_status(
        &txn,
        &current,
        StatusChange {
            event,
            actor: Actor::Staff,
            actor_account_id: Some(reviewer.account_id),
            kind,
            detail,
            also,
            unchanged_since: Some(unchanged_since),
        },
        now,
    )
    .await?;
    let to = match changed {
        Ok(to) => to,
        Err(e) => return Ok(Err(e.into())),
    };
    let templates: Vec<&str> = rejection
        .map(|r| r.templates.iter().map(ReasonTemplate::code).collect())
        .unwrap_or_default();
    let marks = rejection.map(|r| r.marks.clone()).unwrap_or_default();
    let reason_text = rejection.map(|r| r.text.clone()).unwrap_or_default();
    decision_row::Entity::insert(decision_row::ActiveModel {
        application_id: Set(application_id),
        round: Set(current.round),
        reviewer_account_id: Set(reviewer.account_id),
        reviewer_name: Set(reviewer.name.clone()),
        decision: Set(verdict.to_owned()),
        templates: Set(json!(templates).to_string()),
        reason_text: Set(reason_text.clone()),
        marks: Set(json!(marks).to_string()),
        decided_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await?;
    crate::audit::record(
        &txn,
        crate::audit::NewEntry {
            actor_account_id: Some(reviewer.account_id),
            actor: &reviewer.login,
            action: if rejection.is_some() {
                "application.reject"
            } else {
                "application.approve"
            },
            subject_type: "application",
            subject_id: application_id.to_string(),
            before: Some(json!({ "status": current.status, "round": current.round })),
            after: Some(json!({
                "status": to.code(),
                "round": current.round,
                "templates": templates,
                "reason_text": reason_text,
                "marks": marks,
            })),
            client_address: reviewer.client_address.clone(),
        },
        now,
    )
    .await?;
    claim_row::Entity::delete_many()
        .filter(claim_row::Column::ApplicationId.eq(application_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let mut decided = to_application(current)?;
    decided.status = to;
    decided.updated_at = now;
    Ok(Ok(decided))
}

fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// Every decision on the application, oldest first.
pub async fn decisions(db: &Db, application_id: i64) -> Result<Vec<DecisionRecord>, StoreError> {
    decision_row::Entity::find()
        .filter(decision_row::Column::ApplicationId.eq(application_id))
        .order_by_asc(decision_row::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_record)
        .collect()
}

fn to_record(d: decision_row::Model) -> Result<DecisionRecord, StoreError> {
    let corrupt = |what: &str, e: serde_json::Error| {
        StoreError::Corrupt(format!("review decision {} {what}: {e}", d.id))
    };
    let rejection = if d.decision == "rejected" {
        let codes: Vec<String> =
            serde_json::from_str(&d.templates).map_err(|e| corrupt("templates", e))?;
        let marks: Vec<Mark> = serde_json::from_str(&d.marks).map_err(|e| corrupt("marks", e))?;
        Some(Rejection {
            // A template removed from the code since is dropped; its decision keeps the rest.
            templates: codes
                .iter()
                .filter_map(|c| ReasonTemplate::parse(c))
                .collect(),
            text: d.reason_text.clone(),
            marks,
        })
    } else {
        None
    };
    Ok(DecisionRecord {
        round: d.round,
        reviewer_name: d.reviewer_name,
        decided_at: d.decided_at,
        rejection,
    })
}

/// How the automatic checks came out at submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksFilter {
    /// An eligibility alternative was met.
    Clean,
    /// None was met; the candidate acknowledged it.
    Flagged,
}

/// Where an application stands against the 2-working-day promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeFilter {
    NotDue,
    DueToday,
    Overdue,
}

#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// Empty: under review only.
    pub statuses: Vec<ApplicationStatus>,
    pub plan_id: Option<i64>,
    pub level: Option<Level>,
    pub checks: Option<ChecksFilter>,
    /// Part of the employer's name (the organization the candidate registered with).
    pub organization: Option<String>,
    pub age: Option<AgeFilter>,
}

#[derive(Debug, Clone)]
pub struct QueueRow {
    pub application: Application,
    pub plan_code: String,
    pub plan_name: String,
    pub level: Level,
    pub deadline: Option<Deadline>,
    pub holder: Option<Holder>,
}

#[derive(Debug, Clone)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

pub const QUEUE_PAGE_SIZE: usize = 20;

/// The applications matching `filter`, oldest submission first, `page` from 1. Status, plan,
/// level and check result are filtered in SQL; organization and age (which need the form's
/// employer and the working-day calendar) in memory over what is left, which is the review
/// backlog of a certification body (hundreds to a few thousand), not the whole table.
pub async fn queue(
    db: &Db,
    filter: &QueueFilter,
    calendar: &WorkCalendar,
    today: NaiveDate,
    page: usize,
) -> Result<QueuePage, StoreError> {
    let rows = matching(db, filter, calendar, today).await?;
    let total = rows.len();
    let pages = total.div_ceil(QUEUE_PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let mut rows: Vec<QueueRow> = rows
        .into_iter()
        .skip((page - 1) * QUEUE_PAGE_SIZE)
        .take(QUEUE_PAGE_SIZE)
        .collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.application.id).collect();
    let mut claims = holders(db, &ids).await?;
    for row in &mut rows {
        row.holder = claims.remove(&row.application.id);
    }
    Ok(QueuePage {
        rows,
        total,
        page,
        pages,
    })
}

/// Every application matching `filter`, without claims (for exports and batch approval).
pub async fn matching(
    db: &Db,
    filter: &QueueFilter,
    calendar: &WorkCalendar,
    today: NaiveDate,
) -> Result<Vec<QueueRow>, StoreError> {
    let plans: HashMap<i64, plan_row::Model> = plan_row::Entity::find()
        .all(db.reader())
        .await?
        .into_iter()
        .filter(|p| filter.level.is_none_or(|l| i16::from(l.get()) == p.level))
        .map(|p| (p.id, p))
        .collect();
    let statuses: Vec<&str> = if filter.statuses.is_empty() {
        vec![ApplicationStatus::UnderReview.code()]
    } else {
        filter
            .statuses
            .iter()
            .map(ApplicationStatus::code)
            .collect()
    };
    let mut query = app_row::Entity::find()
        .filter(app_row::Column::Status.is_in(statuses))
        .filter(app_row::Column::PlanId.is_in(plans.keys().copied().collect::<Vec<_>>()))
        .order_by_asc(app_row::Column::SubmittedAt)
        .order_by_asc(app_row::Column::Id);
    if let Some(plan_id) = filter.plan_id {
        query = query.filter(app_row::Column::PlanId.eq(plan_id));
    }
    match filter.checks {
        Some(ChecksFilter::Clean) => query = query.filter(app_row::Column::EligibilityMet.eq(true)),
        Some(ChecksFilter::Flagged) => {
            query = query.filter(app_row::Column::EligibilityMet.eq(false))
        }
        None => {}
    }
    let organization = filter
        .organization
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty());
    let mut out = Vec::new();
    for r in query.all(db.reader()).await? {
        let application = to_application(r)?;
        if let Some(o) = organization
            && !application.draft.registration.employer.contains(o)
            && !application.draft.registration.organization.contains(o)
        {
            continue;
        }
        let deadline = application.submitted_at.map(|at| {
            let day = at.with_timezone(&domain::time::shanghai()).date_naive();
            review_deadline(calendar, day, today)
        });
        if let Some(age) = filter.age {
            let matches = matches!(
                (age, &deadline),
                (AgeFilter::NotDue, Some(Deadline::NotDue { .. }))
                    | (AgeFilter::DueToday, Some(Deadline::DueToday { .. }))
                    | (AgeFilter::Overdue, Some(Deadline::Overdue { .. }))
            );
            if !matches {
                continue;
            }
        }
        let Some(plan) = plans.get(&application.plan_id) else {
            continue;
        };
        out.push(QueueRow {
            plan_code: plan.code.clone(),
            plan_name: plan.name.clone(),
            level: crate::catalogue::level_of(plan.level)?,
            deadline,
            holder: None,
            application,
        });
    }
    Ok(out)
}

/// The backlog against the promise, for the console's first page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backlog {
    pub waiting: usize,
    pub due_today: usize,
    pub overdue: usize,
}

pub async fn backlog(
    db: &Db,
    calendar: &WorkCalendar,
    today: NaiveDate,
) -> Result<Backlog, StoreError> {
    let submitted: Vec<Option<DateTime<Utc>>> = app_row::Entity::find()
        .select_only()
        .column(app_row::Column::SubmittedAt)
        .filter(app_row::Column::Status.eq(ApplicationStatus::UnderReview.code()))
        .into_tuple()
        .all(db.reader())
        .await?;
    let mut backlog = Backlog::default();
    for at in submitted.into_iter().flatten() {
        backlog.waiting += 1;
        let day = at.with_timezone(&domain::time::shanghai()).date_naive();
        match review_deadline(calendar, day, today) {
            Deadline::DueToday { .. } => backlog.due_today += 1,
            Deadline::Overdue { .. } => backlog.overdue += 1,
            Deadline::NotDue { .. } => {}
        }
    }
    Ok(backlog)
}

/// An application with its plan, for the review page (any status; staff see them all).
pub async fn get(db: &Db, application_id: i64) -> Result<Option<Application>, StoreError> {
    app_row::Entity::find_by_id(application_id)
        .one(db.reader())
        .await?
        .map(to_application)
        .transpose()
}

/// Every plan as (id, "code name"), newest first, for the queue's plan filter.
pub async fn plan_choices(db: &Db) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(plan_row::Entity::find()
        .order_by_desc(plan_row::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|p| (p.id, format!("{} {}", p.code, p.name)))
        .collect())
}
