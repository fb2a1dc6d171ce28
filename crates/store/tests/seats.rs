//! Seat stripes under contention, on both backends: many transactions taking seats of one plan
//! at once (some rolling back) take exactly its capacity, never more; giving back and resizing
//! keep the count true.

use std::sync::Arc;

use chrono::Utc;
use sea_orm::{ConnectionTrait, TransactionTrait};
use store::Db;
use store::seats::Taken;

mod common;
use common::with_plan;

async fn taken(db: &Db, plan: i64) -> u32 {
    store::seats::taken(db.reader(), &[plan]).await.unwrap()[&plan]
}

async fn take<C: ConnectionTrait>(conn: &C, plan: i64) -> bool {
    store::seats::take(conn, plan, Utc::now()).await.unwrap() == Taken::Yes
}

/// `racers` transactions at once each try to take a seat; every third one that gets a seat rolls
/// back. Returns how many committed a seat and how many were told the plan is full.
async fn race(db: &Db, plan: i64, racers: usize) -> (usize, usize) {
    let start = Arc::new(tokio::sync::Barrier::new(racers));
    let mut tasks = Vec::new();
    for n in 0..racers {
        let (db, start) = (db.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let txn = db.writer().begin().await.unwrap();
            let got = take(&txn, plan).await;
            // Hold the stripe a moment, as a submission's other statements would.
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            if got && n % 3 == 0 {
                txn.rollback().await.unwrap();
                return (false, false);
            }
            txn.commit().await.unwrap();
            (got, !got)
        }));
    }
    let mut committed = 0;
    let mut full = 0;
    for t in tasks {
        let (got, refused) = t.await.unwrap();
        committed += usize::from(got);
        full += usize::from(refused);
    }
    (committed, full)
}

async fn stripes_over_capacity(db: &Db, plan: i64) -> i64 {
    db.reader()
        .query_one_raw(sea_orm::Statement::from_string(
            db.reader().get_database_backend(),
            format!(
                "SELECT COUNT(*) AS n FROM plan_seat_stripes \
                 WHERE plan_id = {plan} AND taken > capacity"
            ),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

async fn racing_transactions_take_exactly_the_capacity(db: Db) {
    let plan = with_plan(&db).await;
    store::seats::set_capacity(&db, plan, 40, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let (committed, full) = race(&db, plan, 120).await;
    assert_eq!(committed, 40, "every seat taken, none twice");
    assert!(full > 0, "the losers were told the plan is full");
    assert_eq!(taken(&db, plan).await, 40);
    assert_eq!(stripes_over_capacity(&db, plan).await, 0);

    // A seat given back can be taken again, once.
    let txn = db.writer().begin().await.unwrap();
    store::seats::give_back(&txn, plan).await.unwrap();
    txn.commit().await.unwrap();
    assert_eq!(taken(&db, plan).await, 39);
    // (Racers 0, 3, 6 and 9 roll back what they get, so the seat may pass through several.)
    let (committed, _) = race(&db, plan, 10).await;
    assert_eq!(committed, 1);
    assert_eq!(taken(&db, plan).await, 40);
}

async fn capacity_changes_keep_the_seats_taken(db: Db) {
    let plan = with_plan(&db).await;
    store::seats::set_capacity(&db, plan, 5, Utc::now())
        .await
        .unwrap()
        .unwrap();
    for _ in 0..3 {
        let txn = db.writer().begin().await.unwrap();
        assert!(take(&txn, plan).await);
        txn.commit().await.unwrap();
    }
    let refused = store::seats::set_capacity(&db, plan, 2, Utc::now())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.taken, 3);
    store::seats::set_capacity(&db, plan, 4, Utc::now())
        .await
        .unwrap()
        .unwrap();
    let (now, _) = store::plans::get(&db, plan).await.unwrap().unwrap();
    assert_eq!((now.capacity, now.seats_taken), (4, 3));
    let txn = db.writer().begin().await.unwrap();
    assert!(take(&txn, plan).await, "the last seat");
    assert_eq!(
        store::seats::take(&txn, plan, Utc::now()).await.unwrap(),
        Taken::Full
    );
    txn.commit().await.unwrap();
    assert_eq!(taken(&db, plan).await, 4);
    assert_eq!(stripes_over_capacity(&db, plan).await, 0);
}

async fn no_seat_is_taken_outside_the_registration_window(db: Db) {
    let plan = with_plan(&db).await;
    let (found, _) = store::plans::get(&db, plan).await.unwrap().unwrap();
    let before = found.registration.opens_at - chrono::Duration::seconds(1);
    let at_close = found.registration.closes_at;
    for now in [before, at_close] {
        let txn = db.writer().begin().await.unwrap();
        assert_eq!(
            store::seats::take(&txn, plan, now).await.unwrap(),
            Taken::RegistrationClosed
        );
        txn.commit().await.unwrap();
    }
    assert_eq!(taken(&db, plan).await, 0);
    let txn = db.writer().begin().await.unwrap();
    assert_eq!(
        store::seats::take(&txn, plan, found.registration.opens_at)
            .await
            .unwrap(),
        Taken::Yes,
        "the window includes its first second"
    );
    txn.commit().await.unwrap();
    assert_eq!(taken(&db, plan).await, 1);
}

on_both!(
    racing_transactions_take_exactly_the_capacity,
    capacity_changes_keep_the_seats_taken,
    no_seat_is_taken_outside_the_registration_window
);
