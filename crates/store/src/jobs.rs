//! A job queue in the database (notifications first). A job is enqueued in the same transaction
//! as the change it follows, so it exists exactly when the change does, and once per event: the
//! `dedupe_key` (for example `sms:application:42:approved:round1`) is unique, and enqueuing it
//! again does nothing.
//!
//! A worker claims a due job with a lease; the claim is one conditional update (on PostgreSQL
//! the job is chosen `FOR UPDATE SKIP LOCKED`, so workers never wait on each other), and it
//! counts the attempt. A worker that stops mid-job (killed, crashed) loses its lease; when the
//! lease ends, another worker takes the job again. Finishing or failing a job names the attempt
//! it claimed, so a worker whose lease was taken over cannot mark the newer attempt's job. A
//! failed attempt is retried after `domain::jobs::retry_delay`, until `max_attempts`, then the
//! job is `dead` with its last error, for staff to see.
//!
//! Delivery is at least once: a worker that sent an SMS and stopped before finishing the job
//! will have it sent again by the next. Providers that accept a caller's id for a message take
//! the job's `dedupe_key`, so that they can drop the second.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseBackend, EntityTrait};

use crate::entities::job as row;
use crate::sql::Sql;
use crate::{Db, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Running,
    Done,
    /// Every attempt failed.
    Dead,
}

impl JobState {
    pub fn code(&self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(raw: &str) -> Option<JobState> {
        [
            JobState::Pending,
            JobState::Running,
            JobState::Done,
            JobState::Dead,
        ]
        .into_iter()
        .find(|s| s.code() == raw)
    }
}

/// A job as a worker claimed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: i64,
    pub queue: String,
    pub dedupe_key: String,
    pub payload: String,
    /// This attempt's number, from 1: it fences the worker's finish against a later attempt.
    pub attempt: i32,
}

/// A job as it stands, for staff and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobStatus {
    pub id: i64,
    pub state: JobState,
    pub attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Enqueues a job, in the caller's transaction. `false` when a job with this `dedupe_key`
/// exists already (the event was enqueued before): nothing changes.
pub async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    queue: &str,
    dedupe_key: &str,
    payload: &str,
    max_attempts: u32,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let inserted = row::Entity::insert(row::ActiveModel {
        queue: Set(queue.to_owned()),
        dedupe_key: Set(dedupe_key.to_owned()),
        payload: Set(payload.to_owned()),
        state: Set(JobState::Pending.code().to_owned()),
        attempts: Set(0),
        max_attempts: Set(i32::try_from(max_attempts.max(1)).unwrap_or(i32::MAX)),
        run_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(row::Column::DedupeKey)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(inserted == 1)
}

/// Claims the oldest due job of `queue` for `lease`: a pending job whose time has come, or a
/// running one whose worker's lease has ended.
pub async fn claim(
    db: &Db,
    queue: &str,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Option<ClaimedJob>, StoreError> {
    let conn = db.writer();
    let backend = conn.get_database_backend();
    let skip_locked = if backend == DatabaseBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let mut sql = Sql::new(backend);
    let lease_end = sql.bind(now + lease);
    let queue = sql.bind(queue);
    let due = sql.bind(now);
    let lapsed = sql.bind(now);
    let text = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = {lease_end} \
         WHERE id = (SELECT id FROM jobs WHERE queue = {queue} \
           AND ((state = 'pending' AND run_at <= {due}) \
             OR (state = 'running' AND locked_until < {lapsed})) \
           ORDER BY run_at, id LIMIT 1{skip_locked}) \
         RETURNING id, queue, dedupe_key, payload, attempts"
    );
    let Some(found) = conn.query_one_raw(sql.statement(text)).await? else {
        return Ok(None);
    };
    Ok(Some(ClaimedJob {
        id: found.try_get("", "id")?,
        queue: found.try_get("", "queue")?,
        dedupe_key: found.try_get("", "dedupe_key")?,
        payload: found.try_get("", "payload")?,
        attempt: found.try_get("", "attempts")?,
    }))
}

/// The claimed attempt succeeded. `false` when the worker no longer held the job (its lease
/// ended and another attempt took it): that attempt decides.
pub async fn complete(db: &Db, job: &ClaimedJob, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let conn = db.writer();
    let mut sql = Sql::new(conn.get_database_backend());
    let (finished, id, attempt) = (sql.bind(now), sql.bind(job.id), sql.bind(job.attempt));
    let text = format!(
        "UPDATE jobs SET state = 'done', finished_at = {finished}, locked_until = NULL \
         WHERE id = {id} AND state = 'running' AND attempts = {attempt}"
    );
    Ok(conn.execute_raw(sql.statement(text)).await?.rows_affected() == 1)
}

/// The claimed attempt failed: tried again after `domain::jobs::retry_delay`, or `dead` after
/// the last attempt. `false` when the worker no longer held the job.
pub async fn fail(
    db: &Db,
    job: &ClaimedJob,
    error: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let conn = db.writer();
    let retry_at = now + domain::jobs::retry_delay(u32::try_from(job.attempt).unwrap_or(1));
    let mut sql = Sql::new(conn.get_database_backend());
    let (run_at, error, finished) = (sql.bind(retry_at), sql.bind(error), sql.bind(now));
    let (id, attempt) = (sql.bind(job.id), sql.bind(job.attempt));
    let text = format!(
        "UPDATE jobs SET \
           state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END, \
           run_at = {run_at}, locked_until = NULL, last_error = {error}, \
           finished_at = CASE WHEN attempts >= max_attempts THEN {finished} ELSE NULL END \
         WHERE id = {id} AND state = 'running' AND attempts = {attempt}"
    );
    Ok(conn.execute_raw(sql.statement(text)).await?.rows_affected() == 1)
}

pub async fn status(db: &Db, id: i64) -> Result<Option<JobStatus>, StoreError> {
    row::Entity::find_by_id(id)
        .one(db.reader())
        .await?
        .map(|r| {
            Ok(JobStatus {
                state: JobState::parse(&r.state).ok_or_else(|| {
                    StoreError::Corrupt(format!("job {} state {}", r.id, r.state))
                })?,
                id: r.id,
                attempts: r.attempts,
                run_at: r.run_at,
                last_error: r.last_error,
                finished_at: r.finished_at,
            })
        })
        .transpose()
}
