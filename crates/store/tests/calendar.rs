//! The working-day calendar kept in the database, on both backends: replaced whole, read back
//! the same, and every replacement audited with the calendar before and after.

use chrono::{NaiveDate, Utc};
use domain::calendar::WorkCalendar;
use store::Db;
use store::audit::Search;
use store::calendar::Editor;

mod common;

fn editor() -> Editor<'static> {
    Editor {
        account_id: 1,
        name: "admin",
        client_address: None,
    }
}

async fn the_calendar_is_replaced_whole_and_audited(db: Db) {
    store::migrations::run(&db).await.unwrap();
    assert_eq!(
        store::calendar::load(&db).await.unwrap(),
        WorkCalendar::default()
    );
    let first = WorkCalendar::parse(
        "2025-09-27,上班,国庆节调休\n2025-10-01,放假,国庆节\n2025-10-02,放假,国庆节\n",
    )
    .unwrap();
    store::calendar::replace(&db, &first, editor(), Utc::now())
        .await
        .unwrap();
    let loaded = store::calendar::load(&db).await.unwrap();
    assert_eq!(loaded, first);
    let saturday = NaiveDate::from_ymd_opt(2025, 9, 27).unwrap();
    assert!(loaded.is_working_day(saturday));

    let second = WorkCalendar::parse("2026-01-01,放假,元旦\n").unwrap();
    store::calendar::replace(&db, &second, editor(), Utc::now())
        .await
        .unwrap();
    let loaded = store::calendar::load(&db).await.unwrap();
    assert_eq!(loaded, second, "nothing of the first calendar is left");
    assert!(!loaded.is_working_day(saturday));

    let audited = store::audit::search(
        &db,
        &Search {
            action: Some("calendar.replace".into()),
            ..Search::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(audited.total, 2);
    let last = &audited.entries[0];
    assert_eq!(
        last.before,
        Some(serde_json::Value::String(first.to_text()))
    );
    assert_eq!(
        last.after,
        Some(serde_json::Value::String(second.to_text()))
    );
}

on_both!(the_calendar_is_replaced_whole_and_audited);
