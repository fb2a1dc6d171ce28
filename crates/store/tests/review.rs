//! `store::review` on both backends: one reviewer at a time holds an application, a claim runs
//! out, a decision happens once and only on the version the reviewer saw, and each round's
//! decision is kept.

use chrono::{Duration, Utc};
use domain::accounts::Identity;
use domain::applications::form::ApplicationDraft;
use domain::applications::state::ApplicationStatus;
use domain::identity::{IdNumber, Phone, RealName};
use domain::review::{ReasonTemplate, check_rejection};
use store::review::{Decision, ReviewError, Reviewer};
use store::{Db, Pii};

mod common;
use common::with_plan;

fn reviewer(id: i64, name: &str) -> Reviewer {
    Reviewer {
        account_id: id,
        name: name.to_owned(),
        login: format!("reviewer{id}"),
        client_address: None,
    }
}

/// Staff accounts to act as reviewers (the claim names them; the ids must exist).
async fn staff(db: &Db, n: usize) -> Vec<Reviewer> {
    let mut out = Vec::new();
    for i in 0..n {
        let id = store::accounts::create_staff(
            db,
            &format!("rev{i}"),
            &format!("审核员{i}"),
            &[domain::accounts::StaffRole::Reviewer],
            "not used".into(),
            Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
        out.push(reviewer(id, &format!("审核员{i}")));
    }
    out
}

/// A submitted application on `plan`.
async fn submitted(db: &Db, plan: i64, n: u16) -> store::applications::Application {
    let pii = Pii::new(&[7; 32]);
    let first17 = format!("45010319900101{n:03}");
    let check = domain::identity::id_number::check_digit(&first17).unwrap();
    let account = store::accounts::register(
        db,
        &pii,
        store::accounts::NewAccount {
            phone: Phone::parse(&format!("1380000{n:04}")).unwrap(),
            password_hash: "not used".into(),
            email: None,
            real_name: RealName::parse("张三").unwrap(),
            id_number: IdNumber::parse(&format!("{first17}{check}")).unwrap(),
            identity: Identity::Worker,
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    let draft =
        store::applications::draft_for(db, account, plan, &ApplicationDraft::default(), Utc::now())
            .await
            .unwrap();
    store::applications::submit(db, &draft, true, false, Utc::now())
        .await
        .unwrap()
        .expect("submitted")
}

async fn one_reviewer_holds_an_application_until_the_claim_runs_out(db: Db) {
    let plan = with_plan(&db).await;
    let a = submitted(&db, plan, 1).await;
    let [first, second] = <[Reviewer; 2]>::try_from(staff(&db, 2).await).ok().unwrap();
    let now = Utc::now();
    let until = store::review::claim(&db, a.id, &first, now)
        .await
        .unwrap()
        .expect("free");
    assert!(until > now);
    // The holder renews; the other is told who holds it and until when.
    store::review::claim(&db, a.id, &first, now + Duration::minutes(1))
        .await
        .unwrap()
        .expect("renewed");
    match store::review::claim(&db, a.id, &second, now + Duration::minutes(2))
        .await
        .unwrap()
    {
        Err(ReviewError::Held(h)) => {
            assert_eq!(h.reviewer_name, "审核员0");
            assert!(h.expires_at > now + Duration::minutes(30));
        }
        other => panic!("expected held, got {other:?}"),
    }
    // Once it has run out, the other reviewer takes it over.
    store::review::claim(&db, a.id, &second, now + Duration::minutes(32))
        .await
        .unwrap()
        .expect("expired claim taken over");
    // A released claim is free at once.
    store::review::release(&db, a.id, second.account_id)
        .await
        .unwrap();
    store::review::claim(&db, a.id, &first, now + Duration::minutes(33))
        .await
        .unwrap()
        .expect("released claim");
    assert!(matches!(
        store::review::claim(&db, 999_999, &first, now)
            .await
            .unwrap(),
        Err(ReviewError::NotFound)
    ));
}

async fn racing_reviewers_never_hold_the_same_application(db: Db) {
    let plan = with_plan(&db).await;
    let a = submitted(&db, plan, 2).await;
    let reviewers = staff(&db, 12).await;
    let now = Utc::now();
    let mut tasks = Vec::new();
    for r in reviewers {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            store::review::claim(&db, a.id, &r, now)
                .await
                .unwrap()
                .is_ok()
        }));
    }
    let mut winners = 0;
    for t in tasks {
        winners += usize::from(t.await.unwrap());
    }
    assert_eq!(winners, 1, "exactly one reviewer holds it");
}

async fn a_decision_happens_once_on_the_version_seen(db: Db) {
    let plan = with_plan(&db).await;
    let a = submitted(&db, plan, 3).await;
    let [first, second] = <[Reviewer; 2]>::try_from(staff(&db, 2).await).ok().unwrap();
    let now = Utc::now();
    store::review::claim(&db, a.id, &first, now)
        .await
        .unwrap()
        .unwrap();
    let rejection = check_rejection(
        &["photo_unsuitable".to_owned()],
        "请补充社保证明",
        &[("document:photo".to_owned(), "背景不是白色".to_owned())],
    )
    .unwrap();
    // Someone else cannot decide while it is held.
    let held = store::review::decide(&db, a.id, &second, a.updated_at, &Decision::Approve, now)
        .await
        .unwrap();
    assert!(matches!(held, Err(ReviewError::Held(_))), "{held:?}");
    // A stale version is refused.
    let stale = store::review::decide(
        &db,
        a.id,
        &first,
        a.updated_at - Duration::seconds(1),
        &Decision::Reject(rejection.clone()),
        now,
    )
    .await
    .unwrap();
    assert_eq!(stale.unwrap_err(), ReviewError::Changed);
    // The decision, once.
    let rejected = store::review::decide(
        &db,
        a.id,
        &first,
        a.updated_at,
        &Decision::Reject(rejection.clone()),
        now,
    )
    .await
    .unwrap()
    .expect("rejected");
    assert_eq!(rejected.status, ApplicationStatus::Rejected);
    let again = store::review::decide(&db, a.id, &first, a.updated_at, &Decision::Approve, now)
        .await
        .unwrap();
    assert!(again.is_err(), "{again:?}");
    // The claim went with the decision.
    assert!(
        store::review::holders(&db, &[a.id])
            .await
            .unwrap()
            .is_empty()
    );
    // The round's decision, with the reason and the mark, and the audit line.
    let decisions = store::review::decisions(&db, a.id).await.unwrap();
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].round, 1);
    let kept = decisions[0].rejection.as_ref().expect("a rejection");
    assert_eq!(kept.templates, vec![ReasonTemplate::PhotoUnsuitable]);
    assert_eq!(kept.marks[0].note, "背景不是白色");
    let audit = store::audit::search(
        &db,
        &store::audit::Search {
            action: Some("application.".into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(audit.total, 1);
    assert_eq!(audit.entries[0].action, "application.reject");
    assert_eq!(audit.entries[0].subject_id, a.id.to_string());
    let events = store::applications::events(&db, a.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind, "rejected");
    assert!(
        last.detail["reason"]
            .as_str()
            .unwrap()
            .contains("请补充社保证明")
    );

    // Resubmitted, it is round 2, and a second decision is kept beside the first.
    let current = store::applications::get_owned(&db, a.id, a.account_id)
        .await
        .unwrap()
        .unwrap();
    let resubmitted = store::applications::submit(&db, &current, true, false, Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resubmitted.round, 2);
    store::review::decide(
        &db,
        a.id,
        &second,
        resubmitted.updated_at,
        &Decision::Approve,
        Utc::now(),
    )
    .await
    .unwrap()
    .expect("approved");
    let decisions = store::review::decisions(&db, a.id).await.unwrap();
    assert_eq!(
        decisions
            .iter()
            .map(|d| (d.round, d.rejection.is_some()))
            .collect::<Vec<_>>(),
        vec![(1, true), (2, false)]
    );
}

async fn the_queue_filters_and_counts_the_backlog(db: Db) {
    let plan = with_plan(&db).await;
    let a = submitted(&db, plan, 4).await;
    let b = submitted(&db, plan, 5).await;
    let calendar = domain::calendar::WorkCalendar::default();
    let today = domain::time::shanghai_date(Utc::now());
    let all = store::review::queue(
        &db,
        &store::review::QueueFilter::default(),
        &calendar,
        today,
        1,
    )
    .await
    .unwrap();
    assert_eq!(
        all.rows
            .iter()
            .map(|r| r.application.id)
            .collect::<Vec<_>>(),
        vec![a.id, b.id],
        "oldest first"
    );
    assert!(all.rows.iter().all(|r| r.deadline.is_some()));
    let none = store::review::queue(
        &db,
        &store::review::QueueFilter {
            organization: Some("没有这个单位".into()),
            ..Default::default()
        },
        &calendar,
        today,
        1,
    )
    .await
    .unwrap();
    assert_eq!(none.total, 0);
    let overdue = store::review::queue(
        &db,
        &store::review::QueueFilter {
            age: Some(store::review::AgeFilter::Overdue),
            ..Default::default()
        },
        &calendar,
        today + Duration::days(10),
        1,
    )
    .await
    .unwrap();
    assert_eq!(overdue.total, 2, "ten days on, both are overdue");
    let backlog = store::review::backlog(&db, &calendar, today + Duration::days(10))
        .await
        .unwrap();
    assert_eq!((backlog.waiting, backlog.overdue), (2, 2));
}

on_both!(
    one_reviewer_holds_an_application_until_the_claim_runs_out,
    racing_reviewers_never_hold_the_same_application,
    a_decision_happens_once_on_the_version_seen,
    the_queue_filters_and_counts_the_backlog
);
