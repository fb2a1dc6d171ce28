//! Uploaded files (证件信息上传): which file of which kind an application has, who owns it, and
//! where its bytes are (a random storage key; the bytes themselves are the file storage's).
//!
//! An application has at most one current file per kind: recording a new one marks the previous
//! one replaced in the same transaction. The replaced file's bytes stay in the storage until a
//! cleanup removes them (a reviewer may want to see what was there).

use chrono::{DateTime, Utc};
use domain::applications::documents::{DocumentKind, FileType};
use domain::applications::state::{
    Actor, ApplicationEvent, ApplicationStatus, TransitionError, transition,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use crate::entities::{
    application as app_row, application_event as event_row, uploaded_file as row,
};
use crate::{Db, StoreError};

/// One uploaded file as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: i64,
    pub application_id: i64,
    /// The owner.
    pub account_id: i64,
    pub kind: DocumentKind,
    pub storage_key: String,
    pub file_type: FileType,
    pub byte_size: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// As the candidate's device named it: for display only.
    pub original_name: String,
    pub created_at: DateTime<Utc>,
    pub replaced_at: Option<DateTime<Utc>>,
}

/// What to record of a file whose bytes are already stored under `storage_key`.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub application_id: i64,
    pub account_id: i64,
    pub kind: DocumentKind,
    pub storage_key: String,
    pub file_type: FileType,
    pub byte_size: i64,
    pub sha256: String,
    pub original_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordError {
    /// No such application, or not this account's.
    NotFound,
    /// The application's status does not let the candidate change it any more.
    Transition(TransitionError),
    /// Someone changed the application's status at the same moment.
    Conflict,
}

fn file_type_code(t: FileType) -> &'static str {
    match t {
        FileType::Jpeg => "jpeg",
        FileType::Png => "png",
        FileType::Pdf => "pdf",
    }
}

fn file_type_of(code: &str) -> Result<FileType, StoreError> {
    match code {
        "jpeg" => Ok(FileType::Jpeg),
        "png" => Ok(FileType::Png),
        "pdf" => Ok(FileType::Pdf),
        other => Err(StoreError::Corrupt(format!("file type {other}"))),
    }
}

fn to_file(r: row::Model) -> Result<StoredFile, StoreError> {
    Ok(StoredFile {
        kind: DocumentKind::parse(&r.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("document kind {}", r.kind)))?,
        file_type: file_type_of(&r.file_type)?,
        id: r.id,
        application_id: r.application_id,
        account_id: r.account_id,
        storage_key: r.storage_key,
        byte_size: r.byte_size,
        sha256: r.sha256,
        original_name: r.original_name,
        created_at: r.created_at,
        replaced_at: r.replaced_at,
    })
}

/// Records an upload as the application's current file of its kind, marking the previous one
/// replaced, in one transaction. Allowed while the candidate may edit the application; an upload
/// made under review is recorded on the timeline like any other edit.
pub async fn record(
    db: &Db,
    new: &NewFile,
    now: DateTime<Utc>,
) -> Result<Result<StoredFile, RecordError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(application) = app_row::Entity::find_by_id(new.application_id)
        .filter(app_row::Column::AccountId.eq(new.account_id))
        .one(&txn)
        .await?
    else {
        return Ok(Err(RecordError::NotFound));
    };
    let status = ApplicationStatus::parse(&application.status)
        .ok_or_else(|| StoreError::Corrupt(format!("status {}", application.status)))?;
    if let Err(e) = transition(status, &ApplicationEvent::Edit, Actor::Candidate) {
        return Ok(Err(RecordError::Transition(e)));
    }
    // Touching the application first, only if its status is unchanged, also serialises two
    // uploads to the same application (the row lock on PostgreSQL, the one writer on SQLite), so
    // that each kind has one current file.
    let touched = app_row::Entity::update_many()
        .col_expr(app_row::Column::UpdatedAt, Expr::value(now))
        .filter(app_row::Column::Id.eq(application.id))
        .filter(app_row::Column::Status.eq(application.status.clone()))
        .exec(&txn)
        .await?;
    if touched.rows_affected != 1 {
        return Ok(Err(RecordError::Conflict));
    }
    row::Entity::update_many()
        .col_expr(row::Column::ReplacedAt, Expr::value(Some(now)))
        .filter(row::Column::ApplicationId.eq(new.application_id))
        .filter(row::Column::Kind.eq(new.kind.code()))
        .filter(row::Column::ReplacedAt.is_null())
        .exec(&txn)
        .await?;
    let inserted = row::Entity::insert(row::ActiveModel {
        application_id: Set(new.application_id),
        account_id: Set(new.account_id),
        kind: Set(new.kind.code().to_owned()),
        storage_key: Set(new.storage_key.clone()),
        file_type: Set(file_type_code(new.file_type).to_owned()),
        byte_size: Set(new.byte_size),
        sha256: Set(new.sha256.clone()),
        original_name: Set(new.original_name.clone()),
        created_at: Set(now),
        replaced_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    if status != ApplicationStatus::Draft {
        event_row::Entity::insert(event_row::ActiveModel {
            application_id: Set(new.application_id),
            at: Set(now),
            actor_account_id: Set(Some(new.account_id)),
            actor: Set(Actor::Candidate.code().to_owned()),
            kind: Set("edited".to_owned()),
            from_status: Set(Some(status.code().to_owned())),
            to_status: Set(status.code().to_owned()),
            detail: Set(
                serde_json::json!({ "fields": [format!("documents.{}", new.kind.code())] })
                    .to_string(),
            ),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
    }
    let stored = row::Entity::find_by_id(inserted.last_insert_id)
        .one(&txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("uploaded file vanished after insert".into()))?;
    txn.commit().await?;
    Ok(Ok(to_file(stored)?))
}

/// The current (not replaced) files of an application, one per kind, in the order of
/// [`DocumentKind::ALL`].
pub async fn current(db: &Db, application_id: i64) -> Result<Vec<StoredFile>, StoreError> {
    let rows = row::Entity::find()
        .filter(row::Column::ApplicationId.eq(application_id))
        .filter(row::Column::ReplacedAt.is_null())
        .order_by_desc(row::Column::Id)
        .all(db.reader())
        .await?;
    let mut files: Vec<StoredFile> = Vec::new();
    for r in rows {
        let file = to_file(r)?;
        // Newest first: should two ever be current, the newer wins.
        if !files.iter().any(|f| f.kind == file.kind) {
            files.push(file);
        }
    }
    files.sort_by_key(|f| f.kind);
    Ok(files)
}

/// One file of an application, only if `account_id` owns it (current or replaced): a candidate
/// can never reach another's file.
pub async fn get_owned(
    db: &Db,
    application_id: i64,
    file_id: i64,
    account_id: i64,
) -> Result<Option<StoredFile>, StoreError> {
    row::Entity::find_by_id(file_id)
        .filter(row::Column::ApplicationId.eq(application_id))
        .filter(row::Column::AccountId.eq(account_id))
        .one(db.reader())
        .await?
        .map(to_file)
        .transpose()
}

/// One file of an application whoever owns it: for staff roles (the review issue), whose
/// handlers check the role before calling this.
pub async fn get_for_staff(
    db: &Db,
    application_id: i64,
    file_id: i64,
) -> Result<Option<StoredFile>, StoreError> {
    row::Entity::find_by_id(file_id)
        .filter(row::Column::ApplicationId.eq(application_id))
        .one(db.reader())
        .await?
        .map(to_file)
        .transpose()
}
