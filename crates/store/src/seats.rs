//! A plan's seats, counted in stripes (`domain::seats` explains why). Every function here runs
//! inside the caller's transaction, beside the status change it accounts for, so that a seat is
//! taken exactly when an application comes to hold one.
//!
//! Taking a seat is one conditional update of one stripe (`taken < capacity`). On PostgreSQL the
//! stripe is chosen with `FOR UPDATE SKIP LOCKED`, so that a submission picks a stripe no other
//! open transaction holds and does not queue behind it; only when every stripe with seats left is
//! held does it wait, stripe by stripe, and it answers "full" only after seeing every stripe
//! full. On SQLite writes are serialised anyway, so the first stripe with a seat left is taken.
//! A `CHECK (taken <= capacity)` on the table refuses an overbooked stripe whatever the code does.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::seats::{BelowTaken, STRIPES, Stripe, resize, split_capacity};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};

use crate::entities::{plan, plan_seat_stripe as row};
use crate::sql::Sql;
use crate::{Db, StoreError};

/// Creates the stripes of a new plan; the caller owns the transaction.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    plan_id: i64,
    capacity: u32,
) -> Result<(), StoreError> {
    let rows = split_capacity(capacity, STRIPES)
        .into_iter()
        .zip(0i16..)
        .map(|(capacity, stripe)| row::ActiveModel {
            plan_id: Set(plan_id),
            stripe: Set(stripe),
            capacity: Set(i32::try_from(capacity).unwrap_or(i32::MAX)),
            taken: Set(0),
        });
    row::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Whether a seat was taken, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Yes,
    /// Every stripe is full.
    Full,
    /// Outside the plan's registration window.
    RegistrationClosed,
}

/// Takes one seat of the plan, only while its registration window contains `now`. The window is
/// a condition of the same update (the plan's row is read, never locked or written), so that
/// taking a seat costs one statement.
pub async fn take<C: ConnectionTrait>(
    conn: &C,
    plan_id: i64,
    now: DateTime<Utc>,
) -> Result<Taken, StoreError> {
    if change_one(conn, plan_id, Direction::Take, Some(now)).await? {
        return Ok(Taken::Yes);
    }
    let open = plan::Entity::find_by_id(plan_id)
        .one(conn)
        .await?
        .is_some_and(|p| p.registration_opens_at <= now && now < p.registration_closes_at);
    Ok(if open {
        Taken::Full
    } else {
        Taken::RegistrationClosed
    })
}

/// Gives one seat of the plan back (to any stripe that has one taken).
pub async fn give_back<C: ConnectionTrait>(conn: &C, plan_id: i64) -> Result<(), StoreError> {
    if change_one(conn, plan_id, Direction::GiveBack, None).await? {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!(
            "plan {plan_id}: a seat given back that no stripe counts"
        )))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Take,
    GiveBack,
}

impl Direction {
    /// The condition a stripe must meet, and the change made to it.
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            Direction::Take => ("taken < capacity", "taken + 1"),
            Direction::GiveBack => ("taken > 0", "taken - 1"),
        }
    }
}

/// One stripe of the plan changed in `direction`, if one meets its condition (and, with
/// `open_at`, while the plan's registration window contains that instant).
async fn change_one<C: ConnectionTrait>(
    conn: &C,
    plan_id: i64,
    direction: Direction,
    open_at: Option<DateTime<Utc>>,
) -> Result<bool, StoreError> {
    let backend = conn.get_database_backend();
    let (condition, change) = direction.sql();
    let mut sql = Sql::new(backend);
    let plan_1 = sql.bind(plan_id);
    let window = window_condition(&mut sql, plan_id, open_at);
    let plan_2 = sql.bind(plan_id);
    // First try: any stripe that meets the condition and that no other transaction holds.
    let skip_locked = if backend == DatabaseBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let first = format!(
        "UPDATE plan_seat_stripes SET taken = {change} \
         WHERE plan_id = {plan_1} AND {condition}{window} AND stripe = (\
           SELECT stripe FROM plan_seat_stripes WHERE plan_id = {plan_2} AND {condition} \
           ORDER BY random() LIMIT 1{skip_locked})"
    );
    let done = conn.execute_raw(sql.statement(first)).await?;
    if done.rows_affected() == 1 || backend != DatabaseBackend::Postgres {
        return Ok(done.rows_affected() == 1);
    }
    // Every stripe that met the condition is held by another transaction (or none meets it):
    // wait on each in turn. The conditional update is re-checked on the row as the other
    // transaction left it, so a stripe it filled is skipped, never overbooked.
    let stripes: Vec<i16> = row::Entity::find()
        .filter(row::Column::PlanId.eq(plan_id))
        .order_by_asc(row::Column::Stripe)
        .all(conn)
        .await?
        .into_iter()
        .filter(|s| match direction {
            Direction::Take => s.taken < s.capacity,
            Direction::GiveBack => s.taken > 0,
        })
        .map(|s| s.stripe)
        .collect();
    for stripe in stripes {
        let mut sql = Sql::new(backend);
        let plan_1 = sql.bind(plan_id);
        let window = window_condition(&mut sql, plan_id, open_at);
        let stripe = sql.bind(stripe);
        let text = format!(
            "UPDATE plan_seat_stripes SET taken = {change} \
             WHERE plan_id = {plan_1} AND stripe = {stripe} AND {condition}{window}"
        );
        if conn.execute_raw(sql.statement(text)).await?.rows_affected() == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}

/// With `open_at`: the condition that the plan's registration window contains it.
fn window_condition(sql: &mut Sql, plan_id: i64, open_at: Option<DateTime<Utc>>) -> String {
    let Some(now) = open_at else {
        return String::new();
    };
    let (plan, opens, closes) = (sql.bind(plan_id), sql.bind(now), sql.bind(now));
    format!(
        " AND EXISTS (SELECT 1 FROM plans WHERE id = {plan} \
         AND registration_opens_at <= {opens} AND registration_closes_at > {closes})"
    )
}

/// Seats taken per plan, for the plans asked (a plan without stripes counts none).
pub async fn taken<C: ConnectionTrait>(
    conn: &C,
    plan_ids: &[i64],
) -> Result<HashMap<i64, u32>, StoreError> {
    let mut totals: HashMap<i64, u32> = plan_ids.iter().map(|&id| (id, 0)).collect();
    if plan_ids.is_empty() {
        return Ok(totals);
    }
    let stripes = row::Entity::find()
        .filter(row::Column::PlanId.is_in(plan_ids.iter().copied()))
        .all(conn)
        .await?;
    for s in stripes {
        let taken = u32::try_from(s.taken)
            .map_err(|_| StoreError::Corrupt(format!("plan {} stripe {}", s.plan_id, s.stripe)))?;
        *totals.entry(s.plan_id).or_default() += taken;
    }
    Ok(totals)
}

/// Changes a plan's capacity, never below the seats already taken: the stripes are resized in
/// the same transaction, each kept at or above what it has taken.
pub async fn set_capacity(
    db: &Db,
    plan_id: i64,
    capacity: u32,
    now: DateTime<Utc>,
) -> Result<Result<(), BelowTaken>, StoreError> {
    let txn = db.writer().begin().await?;
    let done = set_capacity_in(&txn, plan_id, capacity, now).await?;
    if done.is_ok() {
        txn.commit().await?;
    }
    Ok(done)
}

/// [`set_capacity`] in the caller's transaction, for a change that resizes the plan beside
/// other edits and its audit line (the console's plan form).
pub async fn set_capacity_in<C: ConnectionTrait>(
    txn: &C,
    plan_id: i64,
    capacity: u32,
    now: DateTime<Utc>,
) -> Result<Result<(), BelowTaken>, StoreError> {
    // Hold every stripe while they are resized, so that no seat is taken in between.
    let mut query = row::Entity::find()
        .filter(row::Column::PlanId.eq(plan_id))
        .order_by_asc(row::Column::Stripe);
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        use sea_orm::QuerySelect;
        query = query.lock_exclusive();
    }
    let stripes = query.all(txn).await?;
    let current: Vec<Stripe> = stripes
        .iter()
        .map(|s| Stripe {
            capacity: u32::try_from(s.capacity).unwrap_or(0),
            taken: u32::try_from(s.taken).unwrap_or(0),
        })
        .collect();
    let capacities = match resize(&current, capacity) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e)),
    };
    for (stripe, new) in stripes.iter().zip(capacities) {
        row::Entity::update_many()
            .col_expr(
                row::Column::Capacity,
                Expr::value(i32::try_from(new).unwrap_or(i32::MAX)),
            )
            .filter(row::Column::PlanId.eq(plan_id))
            .filter(row::Column::Stripe.eq(stripe.stripe))
            .exec(txn)
            .await?;
    }
    plan::Entity::update_many()
        .col_expr(
            plan::Column::Capacity,
            Expr::value(i32::try_from(capacity).unwrap_or(i32::MAX)),
        )
        .col_expr(plan::Column::UpdatedAt, Expr::value(now))
        .filter(plan::Column::Id.eq(plan_id))
        .exec(txn)
        .await?;
    Ok(Ok(()))
}
