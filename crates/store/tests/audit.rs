//! The audit log on both backends: a line exists exactly when its transaction commits, searches
//! narrow by actor, action (or action prefix), subject and time, and the database itself refuses
//! to change or delete a line.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;
use store::Db;
use store::audit::{self, NewEntry, Search};

mod common;

fn entry(actor: i64, action: &'static str, subject_id: &str) -> NewEntry<'static> {
    NewEntry {
        actor_account_id: Some(actor),
        actor: if actor == 1 { "admin" } else { "reviewer1" },
        action,
        subject_type: action.split('.').next().unwrap(),
        subject_id: subject_id.to_owned(),
        before: Some(json!({ "capacity": 40 })),
        after: Some(json!({ "capacity": 60 })),
        client_address: Some("127.0.0.1".into()),
    }
}

async fn lines_are_written_with_their_change_and_found_by_every_filter(db: Db) {
    store::migrations::run(&db).await.unwrap();
    let t0 = Utc::now();
    let txn = db.writer().begin().await.unwrap();
    audit::record(&txn, entry(1, "plan.update", "7"), t0)
        .await
        .unwrap();
    audit::record(&txn, entry(1, "staff.reset_password", "3"), t0)
        .await
        .unwrap();
    txn.commit().await.unwrap();
    let txn = db.writer().begin().await.unwrap();
    audit::record(&txn, entry(2, "application.reject", "42"), t0)
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    let later = t0 + Duration::minutes(5);
    audit::record(db.writer(), entry(2, "application.approve", "42"), later)
        .await
        .unwrap();

    let all = audit::search(&db, &Search::default(), 1).await.unwrap();
    assert_eq!(all.total, 3, "the rolled-back action left no line");
    assert_eq!(all.entries[0].action, "application.approve", "newest first");
    let plan = all
        .entries
        .iter()
        .find(|e| e.action == "plan.update")
        .unwrap();
    assert_eq!(plan.before, Some(json!({ "capacity": 40 })));
    assert_eq!(plan.after, Some(json!({ "capacity": 60 })));
    assert_eq!(plan.actor, "admin");

    let count = |search: Search| {
        let db = db.clone();
        async move { audit::search(&db, &search, 1).await.unwrap().total }
    };
    assert_eq!(
        count(Search {
            actor_account_id: Some(2),
            ..Search::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(Search {
            action: Some("plan.".into()),
            ..Search::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(Search {
            action: Some("application.approve".into()),
            ..Search::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(Search {
            subject: Some(("application".into(), "42".into())),
            ..Search::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(Search {
            from: Some(t0 + Duration::minutes(1)),
            ..Search::default()
        })
        .await,
        1
    );
    assert_eq!(
        count(Search {
            until: Some(t0 + Duration::minutes(1)),
            ..Search::default()
        })
        .await,
        2
    );
}

async fn the_database_refuses_to_change_or_delete_a_line(db: Db) {
    store::migrations::run(&db).await.unwrap();
    audit::record(db.writer(), entry(1, "plan.update", "7"), Utc::now())
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        let refused = db.writer().execute_unprepared(sql).await.unwrap_err();
        assert!(
            refused.to_string().contains("append-only"),
            "{sql}: {refused}"
        );
    }
    let all = audit::search(&db, &Search::default(), 1).await.unwrap();
    assert_eq!((all.total, all.entries[0].actor.as_str()), (1, "admin"));
}

async fn an_underscore_in_a_prefix_is_a_character_not_a_wildcard(db: Db) {
    store::migrations::run(&db).await.unwrap();
    audit::record(db.writer(), entry(1, "planx.update", "7"), Utc::now())
        .await
        .unwrap();
    let found = |action: &str| {
        let (db, action) = (db.clone(), action.to_owned());
        async move {
            let search = Search {
                action: Some(action),
                ..Search::default()
            };
            audit::search(&db, &search, 1).await.unwrap().total
        }
    };
    assert_eq!(found("planx.").await, 1);
    assert_eq!(found("plan_.").await, 0);
    assert_eq!(found("plan%.").await, 0);
}

on_both!(
    lines_are_written_with_their_change_and_found_by_every_filter,
    the_database_refuses_to_change_or_delete_a_line,
    an_underscore_in_a_prefix_is_a_character_not_a_wildcard
);
