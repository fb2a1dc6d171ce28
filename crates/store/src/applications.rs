//! Applications (报名): one per candidate per plan, a JSON draft saved step by step, a status
//! moved only through `domain::applications::state::transition`, and a timeline of events (every
//! status change and every edit made while under review, with who and when).
//!
//! A seat of the plan is taken when a status change makes the application hold one and given
//! back when it stops holding one, in the same transaction, with one conditional update each, so
//! that racing submissions never take more seats than the plan has.

use chrono::{DateTime, Utc};
use domain::applications::form::ApplicationDraft;
use domain::applications::state::{
    Actor, ApplicationEvent, ApplicationStatus, TransitionError, seat_delta, transition,
};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde_json::json;

use crate::entities::{application as row, application_event as event_row};
use crate::error::is_unique_violation;
use crate::seats::Taken;
use crate::{Db, StoreError};

#[derive(Debug, Clone)]
pub struct Application {
    pub id: i64,
    pub account_id: i64,
    pub plan_id: i64,
    pub status: ApplicationStatus,
    pub draft: ApplicationDraft,
    /// The furthest wizard step saved (0: none yet).
    pub step_reached: u8,
    pub eligibility_met: bool,
    pub eligibility_acknowledged: bool,
    /// How many times it has been submitted (first submission and resubmissions).
    pub round: i32,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Set on approval: unpaid after this, the application expires (`store::payments`).
    pub payment_due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub from_status: Option<ApplicationStatus>,
    pub to_status: ApplicationStatus,
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeError {
    NotFound,
    /// The status does not allow this (already submitted, withdrawn, …).
    Transition(TransitionError),
    /// Someone changed the application at the same moment; reload and retry.
    Conflict,
    /// No seat left.
    Full,
    /// Outside the plan's registration window.
    RegistrationClosed,
}

/// The candidate's application for `plan_id`, created as an empty draft if there is none.
pub async fn draft_for(
    db: &Db,
    account_id: i64,
    plan_id: i64,
    initial: &ApplicationDraft,
    now: DateTime<Utc>,
) -> Result<Application, StoreError> {
    if let Some(found) = find(db.writer(), account_id, plan_id).await? {
        return to_application(found);
    }
    let txn = db.writer().begin().await?;
    let inserted = row::Entity::insert(row::ActiveModel {
        account_id: Set(account_id),
        plan_id: Set(plan_id),
        status: Set(ApplicationStatus::Draft.code().to_owned()),
        draft: Set(draft_json(initial)?),
        step_reached: Set(0),
        eligibility_acknowledged: Set(false),
        eligibility_met: Set(false),
        round: Set(0),
        submitted_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    match inserted {
        Ok(done) => {
            record(
                &txn,
                done.last_insert_id,
                Some(account_id),
                Actor::Candidate,
                "created",
                None,
                ApplicationStatus::Draft,
                json!({}),
                now,
            )
            .await?;
            txn.commit().await?;
        }
        // The same candidate opened the plan twice at once; the other request made it.
        Err(e) if is_unique_violation(&e) => drop(txn),
        Err(e) => return Err(e.into()),
    }
    let found = find(db.writer(), account_id, plan_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("application vanished after insert".into()))?;
    to_application(found)
}

async fn find<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    plan_id: i64,
) -> Result<Option<row::Model>, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::AccountId.eq(account_id))
        .filter(row::Column::PlanId.eq(plan_id))
        .one(conn)
        .await?)
}

/// The candidate's application for a plan, if there is one.
pub async fn for_plan(
    db: &Db,
    account_id: i64,
    plan_id: i64,
) -> Result<Option<Application>, StoreError> {
    find(db.reader(), account_id, plan_id)
        .await?
        .map(to_application)
        .transpose()
}

/// The application, only if it belongs to `account_id`: a candidate can never reach another's.
pub async fn get_owned(
    db: &Db,
    id: i64,
    account_id: i64,
) -> Result<Option<Application>, StoreError> {
    row::Entity::find_by_id(id)
        .filter(row::Column::AccountId.eq(account_id))
        .one(db.reader())
        .await?
        .map(to_application)
        .transpose()
}

pub async fn list_for_account(db: &Db, account_id: i64) -> Result<Vec<Application>, StoreError> {
    row::Entity::find()
        .filter(row::Column::AccountId.eq(account_id))
        .order_by_desc(row::Column::CreatedAt)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_application)
        .collect()
}

pub async fn events(db: &Db, application_id: i64) -> Result<Vec<Event>, StoreError> {
    event_row::Entity::find()
        .filter(event_row::Column::ApplicationId.eq(application_id))
        .order_by_asc(event_row::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|e| {
            Ok(Event {
                at: e.at,
                actor: e.actor,
                kind: e.kind,
                from_status: e.from_status.as_deref().map(status_of).transpose()?,
                to_status: status_of(&e.to_status)?,
                detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            })
        })
        .collect()
}

/// A save of the form.
#[derive(Debug)]
pub struct DraftSave<'a> {
    pub draft: &'a ApplicationDraft,
    /// The furthest page completed (kept if an earlier one was saved).
    pub step_reached: u8,
    /// What changed, for the timeline of an edit made after submission.
    pub changed_fields: &'a [String],
    /// After submission: whether the edited form still meets an eligibility alternative, so
    /// that the reviewer sees the form's present truth, not the submission's.
    pub eligibility_met: Option<bool>,
}

/// Saves the draft as the candidate left a step. Allowed while the status lets the candidate
/// edit; an edit made under review is recorded on the timeline with the fields it changed.
pub async fn save_draft(
    db: &Db,
    id: i64,
    account_id: i64,
    save: DraftSave<'_>,
    now: DateTime<Utc>,
) -> Result<Result<Application, ChangeError>, StoreError> {
    let DraftSave {
        draft,
        step_reached,
        changed_fields,
        eligibility_met,
    } = save;
    let txn = db.writer().begin().await?;
    let Some(current) = owned_in(&txn, id, account_id).await? else {
        return Ok(Err(ChangeError::NotFound));
    };
    let status = status_of(&current.status)?;
    if let Err(e) = transition(status, &ApplicationEvent::Edit, Actor::Candidate) {
        return Ok(Err(ChangeError::Transition(e)));
    }
    let step = std::cmp::max(i16::from(step_reached), current.step_reached);
    let mut update = row::Entity::update_many()
        .col_expr(row::Column::Draft, Expr::value(draft_json(draft)?))
        .col_expr(row::Column::StepReached, Expr::value(step))
        .col_expr(row::Column::UpdatedAt, Expr::value(now));
    if let Some(met) = eligibility_met {
        update = update.col_expr(row::Column::EligibilityMet, Expr::value(met));
    }
    let updated = update
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::Status.eq(current.status.clone()))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(Err(ChangeError::Conflict));
    }
    if status != ApplicationStatus::Draft && !changed_fields.is_empty() {
        record(
            &txn,
            id,
            Some(account_id),
            Actor::Candidate,
            "edited",
            Some(status),
            status,
            json!({ "fields": changed_fields }),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Ok(reload(db, id).await?))
}

/// Submits (or resubmits) `current`, as the caller loaded and checked it, taking a seat if it
/// did not hold one. If the application changed since it was loaded (an edit saved from another
/// device), the submission is refused as a conflict: what is submitted is exactly what was
/// checked.
///
/// The transaction is as short as it can be, since at the opening every candidate of a plan
/// runs it at once: the application's conditional update, the timeline's row, the seat (its
/// registration window a condition of the same statement), and the commit.
pub async fn submit(
    db: &Db,
    current: &Application,
    eligibility_met: bool,
    eligibility_acknowledged: bool,
    now: DateTime<Utc>,
) -> Result<Result<Application, ChangeError>, StoreError> {
    let (event, kind) = if current.status == ApplicationStatus::Rejected {
        (ApplicationEvent::Resubmit, "resubmitted")
    } else {
        (ApplicationEvent::Submit, "submitted")
    };
    let to = match transition(current.status, &event, Actor::Candidate) {
        Ok(to) => to,
        Err(e) => return Ok(Err(ChangeError::Transition(e))),
    };
    let txn = db.writer().begin().await?;
    let updated = row::Entity::update_many()
        .col_expr(row::Column::Status, Expr::value(to.code()))
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .col_expr(row::Column::EligibilityMet, Expr::value(eligibility_met))
        .col_expr(
            row::Column::EligibilityAcknowledged,
            Expr::value(eligibility_acknowledged),
        )
        .col_expr(row::Column::SubmittedAt, Expr::value(now))
        .col_expr(row::Column::Round, Expr::col(row::Column::Round).add(1))
        .filter(row::Column::Id.eq(current.id))
        .filter(row::Column::AccountId.eq(current.account_id))
        .filter(row::Column::Status.eq(current.status.code()))
        .filter(row::Column::UpdatedAt.eq(current.updated_at))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        drop(txn);
        return Ok(Err(
            match get_owned(db, current.id, current.account_id).await? {
                None => ChangeError::NotFound,
                Some(_) => ChangeError::Conflict,
            },
        ));
    }
    record(
        &txn,
        current.id,
        Some(current.account_id),
        Actor::Candidate,
        kind,
        Some(current.status),
        to,
        json!({ "eligibility_met": eligibility_met, "eligibility_acknowledged": eligibility_acknowledged }),
        now,
    )
    .await?;
    if seat_delta(current.status, to) == 1
        && let Err(e) = take_seat(&txn, current.plan_id, now).await?
    {
        return Ok(Err(e));
    }
    txn.commit().await?;
    Ok(Ok(Application {
        status: to,
        eligibility_met,
        eligibility_acknowledged,
        round: current.round + 1,
        submitted_at: Some(now),
        updated_at: now,
        ..current.clone()
    }))
}

/// Withdraws the application and gives its seat back.
pub async fn withdraw(
    db: &Db,
    id: i64,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<Result<Application, ChangeError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(current) = owned_in(&txn, id, account_id).await? else {
        return Ok(Err(ChangeError::NotFound));
    };
    // A paid application is withdrawn only together with its refund (`store::payments`).
    if status_of(&current.status)? == ApplicationStatus::Paid {
        return Ok(Err(ChangeError::Conflict));
    }
    let changed = change_status(
        &txn,
        &current,
        StatusChange {
            event: ApplicationEvent::Withdraw,
            actor: Actor::Candidate,
            actor_account_id: Some(account_id),
            kind: "withdrawn",
            detail: json!({}),
            also: Vec::new(),
            unchanged_since: None,
        },
        now,
    )
    .await?;
    if let Err(e) = changed {
        return Ok(Err(e));
    }
    txn.commit().await?;
    Ok(Ok(reload(db, id).await?))
}

/// A status change as asked: the event, who causes it, the timeline's entry, and any other
/// columns to set in the same update.
pub(crate) struct StatusChange<'a> {
    pub(crate) event: ApplicationEvent,
    pub(crate) actor: Actor,
    pub(crate) actor_account_id: Option<i64>,
    pub(crate) kind: &'a str,
    pub(crate) detail: serde_json::Value,
    pub(crate) also: Vec<(row::Column, SimpleExpr)>,
    /// Change only if the row was last updated at this instant (what a reviewer saw).
    pub(crate) unchanged_since: Option<DateTime<Utc>>,
}

/// Moves `current` through the change's event inside the caller's transaction: the row (only if
/// nobody changed its status meanwhile), the timeline, and last the seat, so that a seat's
/// stripe is held for as short a time as possible before the commit.
pub(crate) async fn change_status(
    txn: &DatabaseTransaction,
    current: &row::Model,
    change: StatusChange<'_>,
    now: DateTime<Utc>,
) -> Result<Result<ApplicationStatus, ChangeError>, StoreError> {
    let from = status_of(&current.status)?;
    let to = match transition(from, &change.event, change.actor) {
        Ok(to) => to,
        Err(e) => return Ok(Err(ChangeError::Transition(e))),
    };
    let mut update = row::Entity::update_many()
        .col_expr(row::Column::Status, Expr::value(to.code()))
        .col_expr(row::Column::UpdatedAt, Expr::value(now));
    for (column, value) in change.also {
        update = update.col_expr(column, value);
    }
    let mut update = update
        .filter(row::Column::Id.eq(current.id))
        .filter(row::Column::Status.eq(from.code()));
    if let Some(seen) = change.unchanged_since {
        update = update.filter(row::Column::UpdatedAt.eq(seen));
    }
    let updated = update.exec(txn).await?;
    if updated.rows_affected != 1 {
        return Ok(Err(ChangeError::Conflict));
    }
    record(
        txn,
        current.id,
        change.actor_account_id,
        change.actor,
        change.kind,
        Some(from),
        to,
        change.detail,
        now,
    )
    .await?;
    match seat_delta(from, to) {
        1 => {
            if let Err(e) = take_seat(txn, current.plan_id, now).await? {
                return Ok(Err(e));
            }
        }
        -1 => crate::seats::give_back(txn, current.plan_id).await?,
        _ => {}
    }
    Ok(Ok(to))
}

/// Takes a seat while registration is open and one is left (`crate::seats`).
async fn take_seat(
    txn: &DatabaseTransaction,
    plan_id: i64,
    now: DateTime<Utc>,
) -> Result<Result<(), ChangeError>, StoreError> {
    Ok(match crate::seats::take(txn, plan_id, now).await? {
        Taken::Yes => Ok(()),
        Taken::Full => Err(ChangeError::Full),
        Taken::RegistrationClosed => Err(ChangeError::RegistrationClosed),
    })
}

/// Appends one entry to the application's timeline and returns its id (the key that makes
/// whatever follows from the event, such as its notification, happen once).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record<C: ConnectionTrait>(
    conn: &C,
    application_id: i64,
    actor_account_id: Option<i64>,
    actor: Actor,
    kind: &str,
    from: Option<ApplicationStatus>,
    to: ApplicationStatus,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let inserted = event_row::Entity::insert(event_row::ActiveModel {
        application_id: Set(application_id),
        at: Set(now),
        actor_account_id: Set(actor_account_id),
        actor: Set(actor.code().to_owned()),
        kind: Set(kind.to_owned()),
        from_status: Set(from.map(|s| s.code().to_owned())),
        to_status: Set(to.code().to_owned()),
        detail: Set(detail.to_string()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    // A status change tells the candidate (in the app and by SMS) through one job, enqueued
    // here so that every change, whoever makes it, is covered, and in the same transaction.
    if crate::notifications::notifies(from, to) {
        crate::notifications::enqueue_for_event(conn, inserted.last_insert_id, now).await?;
    }
    Ok(inserted.last_insert_id)
}

async fn owned_in(
    txn: &DatabaseTransaction,
    id: i64,
    account_id: i64,
) -> Result<Option<row::Model>, StoreError> {
    Ok(row::Entity::find_by_id(id)
        .filter(row::Column::AccountId.eq(account_id))
        .one(txn)
        .await?)
}

async fn reload(db: &Db, id: i64) -> Result<Application, StoreError> {
    let found = row::Entity::find_by_id(id)
        .one(db.writer())
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("application {id} vanished")))?;
    to_application(found)
}

fn draft_json(draft: &ApplicationDraft) -> Result<String, StoreError> {
    serde_json::to_string(draft).map_err(|e| StoreError::Corrupt(format!("draft: {e}")))
}

pub(crate) fn status_of(code: &str) -> Result<ApplicationStatus, StoreError> {
    ApplicationStatus::parse(code).ok_or_else(|| StoreError::Corrupt(format!("status {code}")))
}

pub(crate) fn to_application(r: row::Model) -> Result<Application, StoreError> {
    Ok(Application {
        status: status_of(&r.status)?,
        // A draft written by an older version may lack newer fields; serde's defaults fill them.
        draft: serde_json::from_str(&r.draft)
            .map_err(|e| StoreError::Corrupt(format!("application {} draft: {e}", r.id)))?,
        step_reached: u8::try_from(r.step_reached).unwrap_or(0),
        id: r.id,
        account_id: r.account_id,
        plan_id: r.plan_id,
        eligibility_met: r.eligibility_met,
        eligibility_acknowledged: r.eligibility_acknowledged,
        round: r.round,
        submitted_at: r.submitted_at,
        payment_due_at: r.payment_due_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}
