//! The job queue on both backends: a job is enqueued once per event, claimed by one worker at a
//! time, taken over when its worker stops mid-job (and the stopped worker can no longer finish
//! it), retried with backoff, and given up after its last attempt.

use std::collections::HashSet;

use chrono::{Duration, Utc};
use sea_orm::TransactionTrait;
use store::Db;
use store::jobs::{self, JobState};

mod common;

const LEASE: Duration = Duration::seconds(60);

async fn migrated(db: &Db) {
    store::migrations::run(db).await.unwrap();
}

async fn an_event_is_enqueued_once_and_only_with_its_transaction(db: Db) {
    migrated(&db).await;
    let now = Utc::now();
    let txn = db.writer().begin().await.unwrap();
    assert!(
        jobs::enqueue(&txn, "sms", "sms:application:1:approved", "{}", 5, now)
            .await
            .unwrap()
    );
    assert!(
        !jobs::enqueue(&txn, "sms", "sms:application:1:approved", "{}", 5, now)
            .await
            .unwrap(),
        "the same event again is not a second job"
    );
    txn.commit().await.unwrap();

    // A job enqueued in a transaction that rolls back never existed.
    let txn = db.writer().begin().await.unwrap();
    jobs::enqueue(&txn, "sms", "sms:application:2:approved", "{}", 5, now)
        .await
        .unwrap();
    txn.rollback().await.unwrap();

    let first = jobs::claim(&db, "sms", LEASE, now).await.unwrap().unwrap();
    assert_eq!(first.dedupe_key, "sms:application:1:approved");
    assert_eq!(first.attempt, 1);
    assert_eq!(jobs::claim(&db, "sms", LEASE, now).await.unwrap(), None);
    assert_eq!(jobs::claim(&db, "mail", LEASE, now).await.unwrap(), None);
    assert!(jobs::complete(&db, &first, now).await.unwrap());
    let status = jobs::status(&db, first.id).await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts), (JobState::Done, 1));
}

async fn racing_workers_claim_each_job_once(db: Db) {
    migrated(&db).await;
    let now = Utc::now();
    for n in 0..30 {
        jobs::enqueue(db.writer(), "sms", &format!("event:{n}"), "{}", 5, now)
            .await
            .unwrap();
    }
    let mut workers = Vec::new();
    for _ in 0..8 {
        let db = db.clone();
        workers.push(tokio::spawn(async move {
            let mut done = Vec::new();
            while let Some(job) = jobs::claim(&db, "sms", LEASE, now).await.unwrap() {
                assert!(jobs::complete(&db, &job, now).await.unwrap());
                done.push(job.dedupe_key);
            }
            done
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(
        (all.len(), distinct.len()),
        (30, 30),
        "each job once, none twice"
    );
}

async fn a_job_whose_worker_stopped_is_taken_over_after_the_lease(db: Db) {
    migrated(&db).await;
    let now = Utc::now();
    jobs::enqueue(db.writer(), "sms", "event:stopped", "{}", 5, now)
        .await
        .unwrap();
    // The first worker claims the job and stops (killed mid-send): it never finishes.
    let stopped = jobs::claim(&db, "sms", LEASE, now).await.unwrap().unwrap();
    // While its lease lasts, nobody else takes the job.
    let during = now + LEASE - Duration::seconds(1);
    assert_eq!(jobs::claim(&db, "sms", LEASE, during).await.unwrap(), None);
    // After it, another worker does, as attempt 2.
    let after = now + LEASE + Duration::seconds(1);
    let second = jobs::claim(&db, "sms", LEASE, after)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((second.id, second.attempt), (stopped.id, 2));
    // The stopped worker, come back to life, can neither finish nor fail the newer attempt.
    assert!(!jobs::complete(&db, &stopped, after).await.unwrap());
    assert!(!jobs::fail(&db, &stopped, "late", after).await.unwrap());
    assert!(jobs::complete(&db, &second, after).await.unwrap());
    let status = jobs::status(&db, stopped.id).await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts), (JobState::Done, 2));
    assert_eq!(
        jobs::claim(&db, "sms", LEASE, after + LEASE * 2)
            .await
            .unwrap(),
        None
    );
}

async fn a_failing_job_backs_off_then_dies_with_its_last_error(db: Db) {
    migrated(&db).await;
    let mut now = Utc::now();
    jobs::enqueue(db.writer(), "sms", "event:failing", "{}", 3, now)
        .await
        .unwrap();
    for attempt in 1..=3 {
        let job = jobs::claim(&db, "sms", LEASE, now).await.unwrap().unwrap();
        assert_eq!(job.attempt, attempt);
        assert!(
            jobs::fail(&db, &job, &format!("throttled {attempt}"), now)
                .await
                .unwrap()
        );
        let status = jobs::status(&db, job.id).await.unwrap().unwrap();
        if attempt < 3 {
            let delay = domain::jobs::retry_delay(u32::try_from(attempt).unwrap());
            assert_eq!(status.state, JobState::Pending);
            assert!(status.run_at > now + delay - Duration::seconds(1));
            // Not before its time.
            assert_eq!(
                jobs::claim(&db, "sms", LEASE, now + delay - Duration::seconds(1))
                    .await
                    .unwrap(),
                None
            );
            now += delay;
        } else {
            assert_eq!(status.state, JobState::Dead);
            assert_eq!(status.last_error.as_deref(), Some("throttled 3"));
            assert!(status.finished_at.is_some());
        }
    }
    assert_eq!(
        jobs::claim(&db, "sms", LEASE, now + Duration::days(1))
            .await
            .unwrap(),
        None,
        "a dead job is never tried again"
    );
}

/// Workers that keep stopping mid-job: every job still ends done exactly once.
async fn nothing_is_lost_when_workers_keep_stopping(db: Db) {
    migrated(&db).await;
    let start = Utc::now();
    for n in 0..20 {
        jobs::enqueue(db.writer(), "sms", &format!("event:{n}"), "{}", 10, start)
            .await
            .unwrap();
    }
    let mut finished = Vec::new();
    // Round r happens at start + r leases: every unfinished claim of the round before has
    // lapsed. In each round every other claimed job's worker "stops" before finishing.
    for round in 0..6 {
        let now = start + LEASE * round + Duration::seconds(i64::from(round));
        let mut n = 0;
        while let Some(job) = jobs::claim(&db, "sms", LEASE, now).await.unwrap() {
            n += 1;
            if n % 2 == 0 && round < 5 {
                continue;
            }
            assert!(jobs::complete(&db, &job, now).await.unwrap());
            finished.push(job.dedupe_key);
        }
    }
    let distinct: HashSet<_> = finished.iter().collect();
    assert_eq!((finished.len(), distinct.len()), (20, 20));
}

on_both!(
    an_event_is_enqueued_once_and_only_with_its_transaction,
    racing_workers_claim_each_job_once,
    a_job_whose_worker_stopped_is_taken_over_after_the_lease,
    a_failing_job_backs_off_then_dies_with_its_last_error,
    nothing_is_lost_when_workers_keep_stopping
);
