//! The naive hot-row ceiling, for comparison with the striped seat counters. Seats used to be
//! counted on the plan's own row (`UPDATE plans SET seats_taken = seats_taken + 1 WHERE id = ?
//! AND seats_taken < capacity …`), so on PostgreSQL every submission to a plan waited for the
//! previous one's commit. Since `plans.seats_taken` is gone, the seat here is a conditional
//! update of the plan's row that takes the same row lock (`SET updated_at = now WHERE id = ? AND
//! capacity > 0`, registration window included as the old counter had it) and counts nothing.
//!
//! The rest is the transaction `store::applications::submit` issues: the application's
//! conditional update, the timeline's row, the seat, the commit; on applications loaded
//! beforehand, from C tasks at once. Raw SQL through sqlx on the application's own writer pool
//! (on SQLite its single writer connection), since the store has no such statement.
//!
//! Its plans' seat stripes are never touched, so a hot-row batch has no seat check.

use chrono::{DateTime, Utc};
use domain::applications::state::{Actor, ApplicationEvent, transition};
use store::applications::Application;

use super::prepare::ReadyCandidate;
use super::tasks::{self, Attempt, CeilingFigures};

/// The statements, with PostgreSQL's numbered placeholders; SQLite takes the same numbers as
/// `?N`, so both bind in the same order.
const APPLICATION: &str = "UPDATE applications SET status = $1, updated_at = $2, \
     eligibility_met = $3, eligibility_acknowledged = $4, submitted_at = $2, round = round + 1 \
     WHERE id = $5 AND account_id = $6 AND status = $7 AND updated_at = $8";
const EVENT: &str = "INSERT INTO application_events \
     (application_id, at, actor_account_id, actor, kind, from_status, to_status, detail) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const HOT_SEAT: &str = "UPDATE plans SET updated_at = $1 WHERE id = $2 AND capacity > 0 \
     AND registration_opens_at <= $1 AND registration_closes_at > $1";

/// The statements as the backend spells its placeholders.
#[derive(Debug, Clone)]
struct Sql {
    application: String,
    event: String,
    seat: String,
}

impl Sql {
    fn for_backend(backend: store::Backend) -> Sql {
        let spell = |sql: &str| match backend {
            store::Backend::Postgres => sql.to_owned(),
            store::Backend::Sqlite => sql.replace('$', "?"),
        };
        Sql {
            application: spell(APPLICATION),
            event: spell(EVENT),
            seat: spell(HOT_SEAT),
        }
    }
}

/// One submission's transaction on a sqlx pool of either backend (the same code, two types).
macro_rules! submit {
    ($pool:expr, $sql:expr, $a:expr, $now:expr) => {
        async {
            let a: &Application = &$a;
            let now: DateTime<Utc> = $now;
            let to = match transition(a.status, &ApplicationEvent::Submit, Actor::Candidate) {
                Ok(to) => to,
                Err(e) => return Ok(Attempt::Error(format!("{e}"))),
            };
            let mut tx = $pool.begin().await?;
            let updated = sqlx::query(sqlx::AssertSqlSafe($sql.application.as_str()))
                .bind(to.code())
                .bind(now)
                .bind(true)
                .bind(false)
                .bind(a.id)
                .bind(a.account_id)
                .bind(a.status.code())
                .bind(a.updated_at)
                .execute(&mut *tx)
                .await?;
            if updated.rows_affected() != 1 {
                return Ok(Attempt::Error(format!("application {} changed", a.id)));
            }
            let detail =
                serde_json::json!({ "eligibility_met": true, "eligibility_acknowledged": false });
            sqlx::query(sqlx::AssertSqlSafe($sql.event.as_str()))
                .bind(a.id)
                .bind(now)
                .bind(a.account_id)
                .bind(Actor::Candidate.code())
                .bind("submitted")
                .bind(a.status.code())
                .bind(to.code())
                .bind(detail.to_string())
                .execute(&mut *tx)
                .await?;
            let seat = sqlx::query(sqlx::AssertSqlSafe($sql.seat.as_str()))
                .bind(now)
                .bind(a.plan_id)
                .execute(&mut *tx)
                .await?;
            if seat.rows_affected() != 1 {
                return Ok(Attempt::Full);
            }
            tx.commit().await?;
            Ok(Attempt::Submitted)
        }
        .await
    };
}

pub async fn measure(
    db: &store::Db,
    candidates: &[ReadyCandidate],
    concurrency: usize,
) -> anyhow::Result<CeilingFigures> {
    let applications = super::ceiling::load(db, candidates).await?;
    let sql = std::sync::Arc::new(Sql::for_backend(db.backend()));
    let db = db.clone();
    Ok(tasks::drive(
        "hot-row ceiling",
        applications,
        concurrency,
        move |application| {
            let (db, sql) = (db.clone(), sql.clone());
            async move {
                let now = Utc::now();
                let result = match db.backend() {
                    store::Backend::Postgres => {
                        let pool = db.writer().get_postgres_connection_pool();
                        submit!(pool, sql, application, now)
                    }
                    store::Backend::Sqlite => {
                        let pool = db.writer().get_sqlite_connection_pool();
                        submit!(pool, sql, application, now)
                    }
                };
                result.unwrap_or_else(|e: sqlx::Error| Attempt::Error(e.to_string()))
            }
        },
    )
    .await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_binds_the_same_numbers_as_postgres() {
        let sql = Sql::for_backend(store::Backend::Sqlite);
        assert!(sql.seat.contains("updated_at = ?1 WHERE id = ?2"));
        assert!(!sql.application.contains('$'));
        let pg = Sql::for_backend(store::Backend::Postgres);
        assert!(pg.event.contains("VALUES ($1, $2"));
    }
}
