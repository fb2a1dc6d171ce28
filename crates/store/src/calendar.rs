//! The working-day calendar as staff keep it: the whole set of exceptions is replaced at once
//! from the text the console edits (`domain::calendar::WorkCalendar::parse` has checked it), in
//! one transaction with its audit line, so that a half-saved calendar never counts a deadline.

use chrono::{DateTime, Utc};
use domain::calendar::{DayKind, SpecialDay, WorkCalendar};
use sea_orm::{ActiveValue::Set, EntityTrait, QueryOrder, TransactionTrait};

use crate::audit::{self, NewEntry};
use crate::entities::work_calendar_day as row;
use crate::{Db, StoreError};

pub async fn load(db: &Db) -> Result<WorkCalendar, StoreError> {
    let rows = row::Entity::find()
        .order_by_asc(row::Column::Day)
        .all(db.reader())
        .await?;
    let days = rows
        .into_iter()
        .map(|r| {
            let kind = DayKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("calendar {}: {}", r.day, r.kind)))?;
            Ok((r.day, SpecialDay { kind, name: r.name }))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(WorkCalendar::new(days))
}

/// Who changes the calendar, for the audit line.
#[derive(Debug, Clone)]
pub struct Editor<'a> {
    pub account_id: i64,
    pub name: &'a str,
    pub client_address: Option<String>,
}

/// Replaces every exception with `calendar`'s, and records the change (before and after, as
/// the text staff edit) in the audit log, in one transaction.
pub async fn replace(
    db: &Db,
    calendar: &WorkCalendar,
    editor: Editor<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let before = load(db).await?;
    let txn = db.writer().begin().await?;
    row::Entity::delete_many().exec(&txn).await?;
    let rows: Vec<row::ActiveModel> = calendar
        .days()
        .map(|(day, special)| row::ActiveModel {
            day: Set(day),
            kind: Set(special.kind.code().to_owned()),
            name: Set(special.name.clone()),
        })
        .collect();
    if !rows.is_empty() {
        row::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        NewEntry {
            actor_account_id: Some(editor.account_id),
            actor: editor.name,
            action: "calendar.replace",
            subject_type: "calendar",
            subject_id: "work_days".into(),
            before: Some(serde_json::Value::String(before.to_text())),
            after: Some(serde_json::Value::String(calendar.to_text())),
            client_address: editor.client_address,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
