//! Sliding-window rate limits counted in the database, so that they hold across restarts and
//! across several instances. A bucket names what is counted ("sms:phone:<fingerprint>",
//! "login:address:<ip>"…).
//!
//! Each call first touches the bucket's key row. On PostgreSQL that takes the row's lock for the
//! rest of the transaction, so two instances counting the same bucket at once take turns instead
//! of both seeing "one left"; on SQLite the single write connection already serialises writers.

use chrono::{DateTime, Duration, Utc};
use domain::identity::Limit;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::entities::{rate_limit_event as event, rate_limit_key as key};

/// A limit was reached; the action may be retried after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub i64);

/// Counts one action in `bucket` if every limit still has room; otherwise counts nothing.
/// Call inside the transaction that performs the action.
pub async fn try_acquire<C: ConnectionTrait>(
    conn: &C,
    bucket: &str,
    limits: &[Limit],
    now: DateTime<Utc>,
) -> Result<Result<(), RetryAfter>, sea_orm::DbErr> {
    lock_bucket(conn, bucket, now).await?;
    if let Some(wait) = first_exceeded(conn, bucket, limits, now).await? {
        return Ok(Err(wait));
    }
    record_unlocked(conn, bucket, now).await?;
    Ok(Ok(()))
}

/// Whether the bucket is already at any of its limits, without counting anything.
pub async fn check<C: ConnectionTrait>(
    conn: &C,
    bucket: &str,
    limits: &[Limit],
    now: DateTime<Utc>,
) -> Result<Result<(), RetryAfter>, sea_orm::DbErr> {
    Ok(match first_exceeded(conn, bucket, limits, now).await? {
        Some(wait) => Err(wait),
        None => Ok(()),
    })
}

/// Counts one event (a failed login, say) regardless of limits.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    bucket: &str,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    lock_bucket(conn, bucket, now).await?;
    record_unlocked(conn, bucket, now).await
}

/// Forgets a bucket's events (a successful login clears its failures).
pub async fn clear<C: ConnectionTrait>(conn: &C, bucket: &str) -> Result<(), sea_orm::DbErr> {
    event::Entity::delete_many()
        .filter(event::Column::Bucket.eq(bucket))
        .exec(conn)
        .await?;
    Ok(())
}

/// Deletes events older than the longest window we use (a day), across all buckets.
pub async fn purge<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<u64, sea_orm::DbErr> {
    let cutoff = now - Duration::days(2);
    let events = event::Entity::delete_many()
        .filter(event::Column::At.lt(cutoff))
        .exec(conn)
        .await?;
    key::Entity::delete_many()
        .filter(key::Column::TouchedAt.lt(cutoff))
        .exec(conn)
        .await?;
    Ok(events.rows_affected)
}

async fn lock_bucket<C: ConnectionTrait>(
    conn: &C,
    bucket: &str,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    key::Entity::insert(key::ActiveModel {
        bucket: Set(bucket.to_owned()),
        touched_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(key::Column::Bucket)
            .update_column(key::Column::TouchedAt)
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

async fn record_unlocked<C: ConnectionTrait>(
    conn: &C,
    bucket: &str,
    now: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    event::Entity::insert(event::ActiveModel {
        bucket: Set(bucket.to_owned()),
        at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The longest wait among the limits that are full, if any.
async fn first_exceeded<C: ConnectionTrait>(
    conn: &C,
    bucket: &str,
    limits: &[Limit],
    now: DateTime<Utc>,
) -> Result<Option<RetryAfter>, sea_orm::DbErr> {
    let mut wait: Option<i64> = None;
    for limit in limits {
        let since = now - limit.per;
        let in_window = event::Entity::find()
            .filter(event::Column::Bucket.eq(bucket))
            .filter(event::Column::At.gt(since));
        let count = in_window.clone().count(conn).await?;
        if count < u64::from(limit.max) {
            continue;
        }
        // The window frees up when the event `max` places before the newest leaves it.
        let oldest_that_counts = in_window
            .order_by_desc(event::Column::At)
            .offset(u64::from(limit.max.saturating_sub(1)))
            .limit(1)
            .one(conn)
            .await?;
        let seconds = oldest_that_counts
            .map(|e| (e.at + limit.per - now).num_seconds().max(1))
            .unwrap_or(1);
        wait = Some(wait.map_or(seconds, |w| w.max(seconds)));
    }
    Ok(wait.map(RetryAfter))
}

/// [`try_acquire`] in a transaction of its own.
pub async fn try_acquire_in_own_transaction(
    db: &crate::Db,
    bucket: &str,
    limits: &[Limit],
    now: DateTime<Utc>,
) -> Result<Result<(), RetryAfter>, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let txn = db.writer().begin().await?;
    let result = try_acquire(&txn, bucket, limits, now).await?;
    if result.is_ok() {
        txn.commit().await?;
    }
    Ok(result)
}
