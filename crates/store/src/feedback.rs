//! 意见反馈: what candidates send and what staff answer.
//!
//! - Sending is one transaction: the linked application must be the sender's own, the account's
//!   sending limit takes a slot (`rate_limits`, bucket [`bucket`]), and the row is inserted; a
//!   refusal counts nothing. The screenshot's bytes are already in the file storage (the caller
//!   puts them there first and removes them if this refuses).
//! - Answering is one conditional update (only while unanswered, so two staff answering at once
//!   cannot both win) with its audit line in the same transaction.

use chrono::{DateTime, Utc};
use domain::applications::documents::FileType;
use domain::feedback::{FeedbackCategory, FeedbackStatus, FeedbackText};
use domain::identity::Limit;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde_json::json;

use crate::entities::{account as account_row, application as app_row, feedback as row};
use crate::rate_limits::{self, RetryAfter};
use crate::{Db, StoreError};

/// The rate-limit bucket of an account's feedback.
pub fn bucket(account_id: i64) -> String {
    format!("feedback:account:{account_id}")
}

/// A screenshot whose bytes are stored under `storage_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screenshot {
    pub storage_key: String,
    pub file_type: FileType,
    pub byte_size: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
}

#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub account_id: i64,
    pub category: FeedbackCategory,
    pub text: FeedbackText,
    pub application_id: Option<i64>,
    pub screenshot: Option<Screenshot>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub text: String,
    pub by_account_id: Option<i64>,
    /// The staff member's name as the candidate sees it.
    pub by_name: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub id: i64,
    pub account_id: i64,
    pub application_id: Option<i64>,
    pub category: FeedbackCategory,
    pub text: String,
    pub screenshot: Option<Screenshot>,
    pub created_at: DateTime<Utc>,
    pub answer: Option<Answer>,
}

impl Feedback {
    pub fn status(&self) -> FeedbackStatus {
        if self.answer.is_some() {
            FeedbackStatus::Answered
        } else {
            FeedbackStatus::Open
        }
    }
}

/// Why feedback was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The linked application does not exist or is not the sender's.
    ApplicationNotFound,
    /// The account has sent its limit; it may send again after this wait.
    Throttled(RetryAfter),
}

fn file_type_code(t: FileType) -> &'static str {
    match t {
        FileType::Jpeg => "jpeg",
        FileType::Png => "png",
        FileType::Pdf => "pdf",
    }
}

fn to_feedback(r: row::Model) -> Result<Feedback, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("feedback {} {what}", r.id));
    let category = FeedbackCategory::parse(&r.category).ok_or_else(|| corrupt("category"))?;
    let screenshot = match (&r.screenshot_key, &r.screenshot_type) {
        (Some(key), Some(t)) => Some(Screenshot {
            storage_key: key.clone(),
            file_type: match t.as_str() {
                "jpeg" => FileType::Jpeg,
                "png" => FileType::Png,
                _ => return Err(corrupt("screenshot type")),
            },
            byte_size: r.screenshot_size.unwrap_or_default(),
            sha256: r.screenshot_sha256.clone().unwrap_or_default(),
        }),
        (None, None) => None,
        _ => return Err(corrupt("screenshot")),
    };
    let answer = match (r.answer_text, r.answered_at) {
        (Some(text), Some(at)) => Some(Answer {
            text,
            by_account_id: r.answered_by,
            by_name: r.answered_by_name.unwrap_or_default(),
            at,
        }),
        (None, None) => None,
        _ => return Err(StoreError::Corrupt(format!("feedback {} answer", r.id))),
    };
    Ok(Feedback {
        id: r.id,
        account_id: r.account_id,
        application_id: r.application_id,
        category,
        text: r.text,
        screenshot,
        created_at: r.created_at,
        answer,
    })
}

/// Whether the account is at its sending limit now, without counting anything (to refuse
/// before storing a screenshot's bytes).
pub async fn throttled(
    db: &Db,
    account_id: i64,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<Option<RetryAfter>, StoreError> {
    Ok(
        rate_limits::check(db.reader(), &bucket(account_id), &[limit], now)
            .await?
            .err(),
    )
}

/// Records feedback, within the account's sending `limit`.
pub async fn send(
    db: &Db,
    new: NewFeedback,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<Result<Feedback, SendError>, StoreError> {
    let txn = db.writer().begin().await?;
    if let Some(application_id) = new.application_id {
        let owned = app_row::Entity::find_by_id(application_id)
            .filter(app_row::Column::AccountId.eq(new.account_id))
            .select_only()
            .column(app_row::Column::Id)
            .into_tuple::<i64>()
            .one(&txn)
            .await?
            .is_some();
        if !owned {
            return Ok(Err(SendError::ApplicationNotFound));
        }
    }
    if let Err(wait) =
        rate_limits::try_acquire(&txn, &bucket(new.account_id), &[limit], now).await?
    {
        return Ok(Err(SendError::Throttled(wait)));
    }
    let shot = new.screenshot.as_ref();
    let inserted = row::Entity::insert(row::ActiveModel {
        account_id: Set(new.account_id),
        application_id: Set(new.application_id),
        category: Set(new.category.code().to_owned()),
        text: Set(new.text.as_str().to_owned()),
        screenshot_key: Set(shot.map(|s| s.storage_key.clone())),
        screenshot_type: Set(shot.map(|s| file_type_code(s.file_type).to_owned())),
        screenshot_size: Set(shot.map(|s| s.byte_size)),
        screenshot_sha256: Set(shot.map(|s| s.sha256.clone())),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(Ok(Feedback {
        id: inserted.last_insert_id,
        account_id: new.account_id,
        application_id: new.application_id,
        category: new.category,
        text: new.text.into_string(),
        screenshot: new.screenshot,
        created_at: now,
        answer: None,
    }))
}

/// The account's feedback, newest first.
pub async fn list_for_account(db: &Db, account_id: i64) -> Result<Vec<Feedback>, StoreError> {
    row::Entity::find()
        .filter(row::Column::AccountId.eq(account_id))
        .order_by_desc(row::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_feedback)
        .collect()
}

/// One feedback if `account_id` sent it: another's is indistinguishable from none.
pub async fn get_owned(db: &Db, id: i64, account_id: i64) -> Result<Option<Feedback>, StoreError> {
    row::Entity::find_by_id(id)
        .filter(row::Column::AccountId.eq(account_id))
        .one(db.reader())
        .await?
        .map(to_feedback)
        .transpose()
}

/// What the staff list narrows to; `None` is every value.
#[derive(Debug, Clone, Copy, Default)]
pub struct StaffFilter {
    pub status: Option<FeedbackStatus>,
    pub category: Option<FeedbackCategory>,
}

/// Feedback with its sender's name, for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub feedback: Feedback,
    pub sender_name: String,
}

/// The feedback matching `filter` for staff: unanswered first (oldest first: the longest
/// waiting is answered first), then answered (most recently answered first).
pub async fn list(db: &Db, filter: StaffFilter) -> Result<Vec<Listed>, StoreError> {
    let base = || {
        let mut q = row::Entity::find();
        if let Some(c) = filter.category {
            q = q.filter(row::Column::Category.eq(c.code()));
        }
        q
    };
    let mut rows = Vec::new();
    if filter.status != Some(FeedbackStatus::Answered) {
        rows.extend(
            base()
                .filter(row::Column::AnsweredAt.is_null())
                .order_by_asc(row::Column::Id)
                .all(db.reader())
                .await?,
        );
    }
    if filter.status != Some(FeedbackStatus::Open) {
        rows.extend(
            base()
                .filter(row::Column::AnsweredAt.is_not_null())
                .order_by_desc(row::Column::AnsweredAt)
                .order_by_desc(row::Column::Id)
                .all(db.reader())
                .await?,
        );
    }
    with_senders(db, rows).await
}

/// One feedback with its sender's name, for staff.
pub async fn get(db: &Db, id: i64) -> Result<Option<Listed>, StoreError> {
    let Some(found) = row::Entity::find_by_id(id).one(db.reader()).await? else {
        return Ok(None);
    };
    Ok(with_senders(db, vec![found]).await?.pop())
}

async fn with_senders(db: &Db, rows: Vec<row::Model>) -> Result<Vec<Listed>, StoreError> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.account_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: std::collections::HashMap<i64, String> = if ids.is_empty() {
        Default::default()
    } else {
        account_row::Entity::find()
            .select_only()
            .column(account_row::Column::Id)
            .column(account_row::Column::RealName)
            .filter(account_row::Column::Id.is_in(ids))
            .into_tuple::<(i64, String)>()
            .all(db.reader())
            .await?
            .into_iter()
            .collect()
    };
    rows.into_iter()
        .map(|r| {
            let sender_name = names.get(&r.account_id).cloned().unwrap_or_default();
            Ok(Listed {
                feedback: to_feedback(r)?,
                sender_name,
            })
        })
        .collect()
}

/// The member of staff answering, as the candidate and the audit log see them.
#[derive(Debug, Clone)]
pub struct Answerer {
    pub account_id: i64,
    pub name: String,
    /// The login name, for the audit log.
    pub login: String,
    pub client_address: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerError {
    NotFound,
    /// Someone answered it already (a feedback has one answer).
    AlreadyAnswered,
}

/// Answers a feedback that has no answer yet, with its audit line, in one transaction.
pub async fn answer(
    db: &Db,
    id: i64,
    answerer: &Answerer,
    text: &FeedbackText,
    now: DateTime<Utc>,
) -> Result<Result<Feedback, AnswerError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(before) = row::Entity::find_by_id(id).one(&txn).await? else {
        return Ok(Err(AnswerError::NotFound));
    };
    let done = row::Entity::update_many()
        .col_expr(row::Column::AnswerText, Expr::value(text.as_str()))
        .col_expr(row::Column::AnsweredBy, Expr::value(answerer.account_id))
        .col_expr(
            row::Column::AnsweredByName,
            Expr::value(answerer.name.clone()),
        )
        .col_expr(row::Column::AnsweredAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::AnsweredAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected != 1 {
        return Ok(Err(AnswerError::AlreadyAnswered));
    }
    crate::audit::record(
        &txn,
        crate::audit::NewEntry {
            actor_account_id: Some(answerer.account_id),
            actor: &answerer.login,
            action: "feedback.answer",
            subject_type: "feedback",
            subject_id: id.to_string(),
            before: Some(json!({ "status": FeedbackStatus::Open.code() })),
            after: Some(json!({
                "status": FeedbackStatus::Answered.code(),
                "answer_text": text.as_str(),
            })),
            client_address: answerer.client_address.clone(),
        },
        now,
    )
    .await?;
    // The candidate hears of it in the app (the bell), in this transaction: the answer and its
    // notification exist together or not at all.
    let excerpt: String = text.as_str().chars().take(60).collect();
    let more = if text.as_str().chars().count() > 60 {
        "…"
    } else {
        ""
    };
    crate::notifications::notify_feedback_answered(
        &txn,
        before.account_id,
        id,
        "您的意见反馈已有回复",
        &format!("工作人员回复：{excerpt}{more}"),
        now,
    )
    .await?;
    txn.commit().await?;
    let mut answered = to_feedback(before)?;
    answered.answer = Some(Answer {
        text: text.as_str().to_owned(),
        by_account_id: Some(answerer.account_id),
        by_name: answerer.name.clone(),
        at: now,
    });
    Ok(Ok(answered))
}
