//! Employer files checked and waiting for confirmation (单位名录导入). The console reads and
//! checks a file, stages the rows that passed here and shows the report; the administrator's
//! confirmation applies exactly those rows, once, in one transaction with its audit line. The
//! file is never read twice and nothing rides in the page: a confirmation names the staged
//! import by id, and only its own author can confirm it.

use chrono::{DateTime, Duration, Utc};
use domain::applications::employers::EmployerRecord;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde::{Deserialize, Serialize};

use crate::audit::{self, NewEntry};
use crate::catalogue_edits::Editor;
use crate::employers::{ImportCounts, upsert_all};
use crate::entities::employer_import as row;
use crate::{Db, StoreError};

/// How long a checked file waits for its confirmation.
pub fn lifetime() -> Duration {
    Duration::hours(24)
}

/// One row that passed, with its spreadsheet row number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StagedRow {
    pub row: usize,
    #[serde(flatten)]
    pub record: EmployerRecord,
}

#[derive(Debug, Clone)]
pub struct Staged {
    pub id: i64,
    pub account_id: i64,
    pub file_name: String,
    pub rows: Vec<StagedRow>,
    pub refused_rows: usize,
    pub created_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    pub counts: Option<ImportCounts>,
}

pub async fn stage(
    db: &Db,
    account_id: i64,
    file_name: &str,
    rows: &[StagedRow],
    refused_rows: usize,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let records =
        serde_json::to_string(rows).map_err(|e| StoreError::Corrupt(format!("staging: {e}")))?;
    // Checked files nobody confirmed in time are of no use any more: dropped as new ones come.
    row::Entity::delete_many()
        .filter(row::Column::AppliedAt.is_null())
        .filter(row::Column::CreatedAt.lt(now - lifetime()))
        .exec(db.writer())
        .await?;
    Ok(row::Entity::insert(row::ActiveModel {
        account_id: Set(account_id),
        file_name: Set(file_name.chars().take(128).collect()),
        records: Set(records),
        refused_rows: Set(i32::try_from(refused_rows).unwrap_or(i32::MAX)),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db.writer())
    .await?
    .last_insert_id)
}

fn staged_of(r: row::Model) -> Result<Staged, StoreError> {
    let rows: Vec<StagedRow> = serde_json::from_str(&r.records)
        .map_err(|e| StoreError::Corrupt(format!("employer import {}: {e}", r.id)))?;
    let count = |n: Option<i32>| n.and_then(|n| usize::try_from(n).ok()).unwrap_or_default();
    Ok(Staged {
        id: r.id,
        account_id: r.account_id,
        file_name: r.file_name,
        rows,
        refused_rows: usize::try_from(r.refused_rows).unwrap_or_default(),
        created_at: r.created_at,
        applied_at: r.applied_at,
        counts: r.applied_at.map(|_| ImportCounts {
            inserted: count(r.inserted),
            updated: count(r.updated),
            unchanged: 0,
        }),
    })
}

/// A staged import of `account_id` (another's is not found).
pub async fn get(db: &Db, id: i64, account_id: i64) -> Result<Option<Staged>, StoreError> {
    row::Entity::find_by_id(id)
        .filter(row::Column::AccountId.eq(account_id))
        .one(db.reader())
        .await?
        .map(staged_of)
        .transpose()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyError {
    NotFound,
    AlreadyApplied,
    Expired,
}

/// Applies a staged import: all its rows or none, once.
pub async fn apply(
    db: &Db,
    id: i64,
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Result<Result<ImportCounts, ApplyError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(found) = row::Entity::find_by_id(id)
        .filter(row::Column::AccountId.eq(editor.account_id))
        .one(&txn)
        .await?
    else {
        return Ok(Err(ApplyError::NotFound));
    };
    if found.applied_at.is_some() {
        return Ok(Err(ApplyError::AlreadyApplied));
    }
    if found.created_at + lifetime() < now {
        return Ok(Err(ApplyError::Expired));
    }
    // Conditional: of two confirmations racing (two tabs, two instances), one applies.
    let claimed = row::Entity::update_many()
        .col_expr(row::Column::AppliedAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::AppliedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if claimed != 1 {
        return Ok(Err(ApplyError::AlreadyApplied));
    }
    let staged = staged_of(found)?;
    let records: Vec<EmployerRecord> = staged.rows.iter().map(|r| r.record.clone()).collect();
    let counts = upsert_all(&txn, &records).await?;
    let as_i32 = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    // The rows are in the registry now; the counts (and the audit line) say what was done.
    row::Entity::update_many()
        .col_expr(row::Column::Inserted, Expr::value(as_i32(counts.inserted)))
        .col_expr(row::Column::Updated, Expr::value(as_i32(counts.updated)))
        .col_expr(row::Column::Records, Expr::value("[]"))
        .filter(row::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        NewEntry {
            actor_account_id: Some(editor.account_id),
            actor: editor.login,
            action: "employer.import",
            subject_type: "employer_import",
            subject_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "file_name": staged.file_name,
                "accepted_rows": records.len(),
                "refused_rows": staged.refused_rows,
                "inserted": counts.inserted,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
            })),
            client_address: editor.client_address.clone(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(counts))
}
