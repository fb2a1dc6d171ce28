//! Notifications (通知): the in-app notification and the SMS that follow each status change of
//! an application, and the templates staff edit.
//!
//! A status change enqueues one job (`QUEUE`, keyed by its timeline event) in the change's own
//! transaction ([`enqueue_for_event`], called by `applications::record`). A worker runs
//! [`deliver`] for the job, as often as it takes:
//!
//! 1. the notification is rendered and inserted once: the event is its unique key, so a run
//!    after a crash finds the row of the first run and never renders or inserts again;
//! 2. the SMS is sent only while the row says `pending`; the provider's answer is recorded on
//!    the row at once (`sent`, or `refused` with the reason for staff), so a later run does not
//!    send again. A failure that may pass (provider down, throttled) leaves it `pending` and the
//!    job is retried with backoff.
//!
//! Sending is passed in as a function, so that this crate holds no provider and tests can
//! count what is sent. The one window in which an SMS can still go out twice is between the
//! provider accepting it and the `sent` update committing: the process dying there, the
//! database being unreachable for that update, or the provider's answer being lost (a timeout
//! counts as a failure that may pass). The next run sends again, with the same dedupe key
//! (Aliyun `OutId`, Tencent `SessionContext`), so that the repeat carries the event's key in the
//! provider's records and delivery receipts. Neither provider documents refusing a repeated key,
//! so the key makes a double send traceable rather than impossible.

use std::future::Future;

use chrono::{DateTime, Utc};
use domain::applications::state::ApplicationStatus;
use domain::identity::phone::Phone;
use domain::notifications::{Rendered, Template, TemplateKey, Values};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;

use crate::entities::{
    application as application_row, application_event as event_row, notification as row,
    notification_template as template_row,
};
use crate::{Db, Pii, StoreError};

/// The job queue of status-change notifications.
pub const QUEUE: &str = "notify.application_status";
/// Attempts before a job is `dead`: with `domain::jobs::retry_delay` about three hours of a
/// provider being down.
pub const MAX_ATTEMPTS: u32 = 10;
/// How many notifications the centre shows.
pub const LIST_LIMIT: u64 = 100;

/// The job's dedupe key: one job, and one SMS, per timeline event.
pub fn dedupe_key(event_id: i64) -> String {
    format!("notify:event:{event_id}")
}

/// Enqueues the notification job of a status change, in the change's transaction.
pub(crate) async fn enqueue_for_event<C: ConnectionTrait>(
    conn: &C,
    event_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::jobs::enqueue(
        conn,
        QUEUE,
        &dedupe_key(event_id),
        &json!({ "event_id": event_id }).to_string(),
        MAX_ATTEMPTS,
        now,
    )
    .await?;
    Ok(())
}

/// The event a job names, from its payload.
pub fn event_of_payload(payload: &str) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()?
        .get("event_id")?
        .as_i64()
}

/// Where a notification's SMS stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsStatus {
    /// Not sent yet (or the last try failed in a way that may pass).
    Pending,
    Sent,
    /// The provider will never take it (bad number, template refused): kept for staff.
    Refused,
    /// The account has no phone number.
    NoPhone,
    /// Told in the app only (an answer to feedback): there is no SMS.
    None,
}

impl SmsStatus {
    pub fn code(&self) -> &'static str {
        match self {
            SmsStatus::Pending => "pending",
            SmsStatus::Sent => "sent",
            SmsStatus::Refused => "refused",
            SmsStatus::NoPhone => "no_phone",
            SmsStatus::None => "none",
        }
    }

    pub fn parse(raw: &str) -> Option<SmsStatus> {
        [
            SmsStatus::Pending,
            SmsStatus::Sent,
            SmsStatus::Refused,
            SmsStatus::NoPhone,
            SmsStatus::None,
        ]
        .into_iter()
        .find(|s| s.code() == raw)
    }
}

/// An SMS to send, as [`deliver`] hands it to the sending function.
#[derive(Debug, Clone)]
pub struct OutgoingSms {
    pub phone: Phone,
    /// Our template name (`application_rejected`); real providers map it to their approved
    /// template and fill it from `params`.
    pub template: String,
    pub params: serde_json::Map<String, serde_json::Value>,
    pub text: String,
    /// The job's dedupe key, for providers that take a caller's id.
    pub dedupe_key: String,
}

/// What the provider answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Sent,
    /// Permanent: sending again would be refused again.
    Refused(String),
    /// May pass: try again later.
    Failed(String),
}

/// What a run of [`deliver`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The event is not a status change, or is gone with its application: nothing to tell.
    Nothing,
    /// The notification exists and its SMS is settled (sent, refused, or no phone).
    Done {
        notification_id: i64,
        sms: SmsStatus,
    },
    /// The provider failed in a way that may pass: the job should be retried.
    Retry { notification_id: i64, error: String },
}

/// Runs the notification of timeline event `event_id` to its end, as far as it can: see the
/// module's documentation. Idempotent: any number of runs insert one notification and send
/// the SMS until one send is recorded.
pub async fn deliver<F, Fut>(
    db: &Db,
    pii: &Pii,
    event_id: i64,
    now: DateTime<Utc>,
    send: F,
) -> Result<Delivery, StoreError>
where
    F: FnOnce(OutgoingSms) -> Fut,
    Fut: Future<Output = SendOutcome>,
{
    let existing = row::Entity::find()
        .filter(row::Column::EventId.eq(event_id))
        .one(db.writer())
        .await?;
    if let Some(found) = &existing
        && SmsStatus::parse(&found.sms_status) != Some(SmsStatus::Pending)
    {
        return settled(found);
    }
    let Some(context) = context(db, pii, event_id).await? else {
        return Ok(Delivery::Nothing);
    };
    let found = match existing {
        // A run before inserted it: send what it rendered, even if the template changed since.
        Some(found) => found,
        None => {
            let rendered = render(db, context.key, &context.values).await?;
            insert_once(db, &context, &rendered).await?
        }
    };
    let Some(phone) = context.phone.clone() else {
        set_sms_status(db, found.id, SmsStatus::NoPhone, None, None).await?;
        return Ok(Delivery::Done {
            notification_id: found.id,
            sms: SmsStatus::NoPhone,
        });
    };
    let outcome = send(OutgoingSms {
        phone,
        template: format!("application_{}", context.key.code()),
        params: sms_params(&context),
        text: found.sms_text.clone(),
        dedupe_key: dedupe_key(event_id),
    })
    .await;
    Ok(match outcome {
        SendOutcome::Sent => {
            set_sms_status(db, found.id, SmsStatus::Sent, None, Some(now)).await?;
            Delivery::Done {
                notification_id: found.id,
                sms: SmsStatus::Sent,
            }
        }
        SendOutcome::Refused(reason) => {
            set_sms_status(db, found.id, SmsStatus::Refused, Some(&reason), None).await?;
            Delivery::Done {
                notification_id: found.id,
                sms: SmsStatus::Refused,
            }
        }
        SendOutcome::Failed(error) => {
            set_sms_status(db, found.id, SmsStatus::Pending, Some(&error), None).await?;
            Delivery::Retry {
                notification_id: found.id,
                error,
            }
        }
    })
}

fn settled(found: &row::Model) -> Result<Delivery, StoreError> {
    let sms = SmsStatus::parse(&found.sms_status)
        .ok_or_else(|| StoreError::Corrupt(format!("notification {}: sms", found.id)))?;
    Ok(Delivery::Done {
        notification_id: found.id,
        sms,
    })
}

/// Everything a notification of one event needs.
struct Context {
    event_id: i64,
    /// When the change happened: the notification's time, whenever the worker gets to it.
    at: DateTime<Utc>,
    application_id: i64,
    account_id: i64,
    key: TemplateKey,
    values: Values,
    phone: Option<Phone>,
}

/// The event's context, or `None` when the event is not a status change (or is gone).
async fn context(db: &Db, pii: &Pii, event_id: i64) -> Result<Option<Context>, StoreError> {
    let Some(event) = event_row::Entity::find_by_id(event_id)
        .one(db.writer())
        .await?
    else {
        return Ok(None);
    };
    let status = crate::applications::status_of;
    let Some(from) = event.from_status.as_deref().map(status).transpose()? else {
        return Ok(None);
    };
    let Some(key) = TemplateKey::for_change(from, status(&event.to_status)?) else {
        return Ok(None);
    };
    let Some(application) = application_row::Entity::find_by_id(event.application_id)
        .one(db.writer())
        .await?
    else {
        return Ok(None);
    };
    let account = crate::accounts::get(db, pii, application.account_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("application {}: account", application.id)))?;
    let (plan, _) = crate::plans::get(db, application.plan_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("application {}: plan", application.id)))?;
    let detail: serde_json::Value = serde_json::from_str(&event.detail).unwrap_or_default();
    let approved = key == TemplateKey::Approved;
    Ok(Some(Context {
        event_id,
        at: event.at,
        application_id: application.id,
        account_id: account.id,
        key,
        values: Values {
            name: account.real_name,
            plan: format!("{} {}", plan.code, plan.name),
            occupation: plan.occupation_name,
            link: format!("/applications/{}", application.id),
            reason: (key == TemplateKey::Rejected)
                .then(|| reason_of(&detail))
                .flatten(),
            fee: approved.then(|| plan.fee.yuan_text()),
            deadline: approved.then(|| deadline_of(&detail)).flatten(),
        },
        phone: account.phone,
    }))
}

/// The reviewer's reason as the review records it on the timeline: a `reason` or `summary`
/// text, a list of `reasons`, or a whole rejection (`domain::review::Rejection`), plain or
/// under `rejection`.
fn reason_of(detail: &serde_json::Value) -> Option<String> {
    for key in ["reason", "summary"] {
        if let Some(text) = detail.get(key).and_then(|v| v.as_str())
            && !text.trim().is_empty()
        {
            return Some(text.trim().to_owned());
        }
    }
    if let Some(list) = detail.get("reasons").and_then(|v| v.as_array()) {
        let texts: Vec<&str> = list.iter().filter_map(|v| v.as_str()).collect();
        if !texts.is_empty() {
            return Some(texts.join("；"));
        }
    }
    [detail.get("rejection"), Some(detail)]
        .into_iter()
        .flatten()
        .find_map(|v| serde_json::from_value::<domain::review::Rejection>(v.clone()).ok())
        .map(|r| r.summary())
        .filter(|s| !s.is_empty())
}

/// The payment deadline an approval may record (`payment_deadline`, RFC 3339), in Beijing time.
fn deadline_of(detail: &serde_json::Value) -> Option<String> {
    let raw = detail.get("payment_deadline")?.as_str()?;
    let at = DateTime::parse_from_rfc3339(raw).ok()?.with_timezone(&Utc);
    Some(
        at.with_timezone(&domain::time::shanghai())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    )
}

/// The event's values as the provider's template parameters (ASCII names, as providers want).
fn sms_params(context: &Context) -> serde_json::Map<String, serde_json::Value> {
    let v = &context.values;
    let mut params = serde_json::Map::new();
    params.insert("name".into(), v.name.clone().into());
    params.insert("plan".into(), v.plan.clone().into());
    params.insert("occupation".into(), v.occupation.clone().into());
    params.insert("status".into(), context.key.status().label().into());
    let reason = v.reason.as_deref().map(domain::notifications::sms_reason);
    for (name, value) in [
        ("reason", &reason),
        ("fee", &v.fee),
        ("deadline", &v.deadline),
    ] {
        if let Some(value) = value {
            params.insert(name.into(), value.clone().into());
        }
    }
    params
}

/// Renders the template in force for `key`. A stored template that no longer renders (a
/// placeholder retired since it was saved) must not cost the candidate their notification: the
/// default is used and the problem logged for staff.
async fn render(db: &Db, key: TemplateKey, values: &Values) -> Result<Rendered, StoreError> {
    let stored = template(db, key).await?;
    match stored.template.render(key, values) {
        Ok(rendered) => Ok(rendered),
        Err(e) => {
            tracing::warn!(template = key.code(), code = e.code(), error = %e, "stored notification template does not render; using the default");
            key.default_template()
                .render(key, values)
                .map_err(|e| StoreError::Corrupt(format!("default template {}: {e}", key.code())))
        }
    }
}

/// Inserts the event's notification unless a run before did, and returns the row either way.
async fn insert_once(
    db: &Db,
    context: &Context,
    rendered: &Rendered,
) -> Result<row::Model, StoreError> {
    let sms_status = if context.phone.is_some() {
        SmsStatus::Pending
    } else {
        SmsStatus::NoPhone
    };
    row::Entity::insert(row::ActiveModel {
        account_id: Set(context.account_id),
        application_id: Set(Some(context.application_id)),
        event_id: Set(Some(context.event_id)),
        template_key: Set(context.key.code().to_owned()),
        title: Set(rendered.title.clone()),
        body: Set(rendered.body.clone()),
        link: Set(format!("/applications/{}", context.application_id)),
        created_at: Set(context.at),
        read_at: Set(None),
        sms_status: Set(sms_status.code().to_owned()),
        sms_text: Set(rendered.sms_text.clone()),
        sms_attempts: Set(0),
        sms_error: Set(None),
        sms_sent_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(row::Column::EventId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db.writer())
    .await?;
    row::Entity::find()
        .filter(row::Column::EventId.eq(context.event_id))
        .one(db.writer())
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("notification of event {}", context.event_id)))
}

/// Records a send attempt's result; only a `pending` SMS changes, so a slow run can never undo
/// what a faster one recorded.
async fn set_sms_status(
    db: &Db,
    id: i64,
    status: SmsStatus,
    error: Option<&str>,
    sent_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let mut update = row::Entity::update_many()
        .col_expr(row::Column::SmsStatus, Expr::value(status.code()))
        .col_expr(
            row::Column::SmsAttempts,
            Expr::col(row::Column::SmsAttempts).add(i32::from(status != SmsStatus::NoPhone)),
        );
    if let Some(error) = error {
        update = update.col_expr(row::Column::SmsError, Expr::value(error));
    }
    if let Some(at) = sent_at {
        update = update.col_expr(row::Column::SmsSentAt, Expr::value(at));
    }
    update
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::SmsStatus.eq(SmsStatus::Pending.code()))
        .exec(db.writer())
        .await?;
    Ok(())
}

// --- the notification centre -----------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    /// The application a status change concerns; `None` for an answer to feedback.
    pub application_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub sms_status: SmsStatus,
    /// The provider's refusal or last failure.
    pub sms_error: Option<String>,
}

fn to_notification(r: row::Model) -> Result<Notification, StoreError> {
    Ok(Notification {
        sms_status: SmsStatus::parse(&r.sms_status)
            .ok_or_else(|| StoreError::Corrupt(format!("notification {}: sms", r.id)))?,
        id: r.id,
        application_id: r.application_id,
        title: r.title,
        body: r.body,
        link: r.link,
        created_at: r.created_at,
        read_at: r.read_at,
        sms_error: r.sms_error,
    })
}

/// The account's newest notifications, newest change first (by when the change happened, which
/// is the notification's `created_at`, not by when the worker made it: jobs run concurrently
/// and may finish out of order).
pub async fn list_for_account(
    db: &Db,
    account_id: i64,
    limit: u64,
) -> Result<Vec<Notification>, StoreError> {
    row::Entity::find()
        .filter(row::Column::AccountId.eq(account_id))
        .order_by_desc(row::Column::CreatedAt)
        .order_by_desc(row::Column::Id)
        .limit(limit)
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_notification)
        .collect()
}

/// Tells `account_id`, in the app, that staff answered their feedback `feedback_id`: in the
/// caller's transaction (the answer's), once per feedback whatever is retried.
pub async fn notify_feedback_answered<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    feedback_id: i64,
    title: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    row::Entity::insert(row::ActiveModel {
        account_id: Set(account_id),
        application_id: Set(None),
        event_id: Set(None),
        feedback_id: Set(Some(feedback_id)),
        template_key: Set("feedback_answered".to_owned()),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        link: Set(format!("/feedback#feedback-{feedback_id}")),
        created_at: Set(now),
        read_at: Set(None),
        sms_status: Set(SmsStatus::None.code().to_owned()),
        sms_text: Set(String::new()),
        sms_attempts: Set(0),
        sms_error: Set(None),
        sms_sent_at: Set(None),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(row::Column::FeedbackId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Tells the candidate in the app that a refund reached them. Called once per refund, in the
/// transaction that records its success (the conditional change there happens once).
pub async fn notify_refund_succeeded<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    application_id: i64,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    row::Entity::insert(row::ActiveModel {
        account_id: Set(account_id),
        application_id: Set(Some(application_id)),
        event_id: Set(None),
        feedback_id: Set(None),
        template_key: Set("refund_succeeded".to_owned()),
        title: Set("退款成功".to_owned()),
        body: Set(body.to_owned()),
        link: Set(format!("/applications/{application_id}/pay")),
        created_at: Set(now),
        read_at: Set(None),
        sms_status: Set(SmsStatus::None.code().to_owned()),
        sms_text: Set(String::new()),
        sms_attempts: Set(0),
        sms_error: Set(None),
        sms_sent_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Every notification of one event (for tests and staff: there is at most one).
pub async fn for_event(db: &Db, event_id: i64) -> Result<Vec<Notification>, StoreError> {
    row::Entity::find()
        .filter(row::Column::EventId.eq(event_id))
        .all(db.reader())
        .await?
        .into_iter()
        .map(to_notification)
        .collect()
}

pub async fn unread_count(db: &Db, account_id: i64) -> Result<u64, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::AccountId.eq(account_id))
        .filter(row::Column::ReadAt.is_null())
        .count(db.reader())
        .await?)
}

/// The unread count as a sub-select of a query on `sessions`, so that the bell costs the page
/// no extra round trip (`sessions::load_with_account`).
pub(crate) fn unread_count_sql() -> &'static str {
    "(SELECT COUNT(*) FROM notifications n \
      WHERE n.account_id = sessions.account_id AND n.read_at IS NULL)"
}

/// Marks one of the account's notifications read (opening it); `None` when the account has no
/// such notification, so another's is indistinguishable from none.
pub async fn open(
    db: &Db,
    id: i64,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<Notification>, StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::ReadAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::AccountId.eq(account_id))
        .filter(row::Column::ReadAt.is_null())
        .exec(db.writer())
        .await?;
    row::Entity::find_by_id(id)
        .filter(row::Column::AccountId.eq(account_id))
        .one(db.writer())
        .await?
        .map(to_notification)
        .transpose()
}

/// Marks every notification of the account read; returns how many were unread.
pub async fn mark_all_read(
    db: &Db,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(row::Entity::update_many()
        .col_expr(row::Column::ReadAt, Expr::value(now))
        .filter(row::Column::AccountId.eq(account_id))
        .filter(row::Column::ReadAt.is_null())
        .exec(db.writer())
        .await?
        .rows_affected)
}

// --- templates -------------------------------------------------------------------------------

/// The template in force for a kind of change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub key: TemplateKey,
    pub template: Template,
    /// `None`: the default from code, never edited (or reset).
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<i64>,
}

fn stored_or_default(key: TemplateKey, found: Option<template_row::Model>) -> StoredTemplate {
    match found {
        Some(r) => StoredTemplate {
            key,
            template: Template {
                sms_text: r.sms_text,
                title: r.title,
                body: r.body,
            },
            updated_at: Some(r.updated_at),
            updated_by: r.updated_by,
        },
        None => StoredTemplate {
            key,
            template: key.default_template(),
            updated_at: None,
            updated_by: None,
        },
    }
}

pub async fn template(db: &Db, key: TemplateKey) -> Result<StoredTemplate, StoreError> {
    let found = template_row::Entity::find_by_id(key.code().to_owned())
        .one(db.reader())
        .await?;
    Ok(stored_or_default(key, found))
}

/// Every template, in the order of `TemplateKey::ALL`.
pub async fn templates(db: &Db) -> Result<Vec<StoredTemplate>, StoreError> {
    let mut rows = template_row::Entity::find().all(db.reader()).await?;
    Ok(TemplateKey::ALL
        .into_iter()
        .map(|key| {
            let found = rows
                .iter()
                .position(|r| r.key == key.code())
                .map(|i| rows.swap_remove(i));
            stored_or_default(key, found)
        })
        .collect())
}

/// Who changes a template, for the audit log.
#[derive(Debug, Clone)]
pub struct Editor<'a> {
    pub account_id: i64,
    pub name: &'a str,
    pub client_address: Option<String>,
}

fn template_json(t: &Template) -> serde_json::Value {
    json!({ "sms_text": t.sms_text, "title": t.title, "body": t.body })
}

/// Saves staff's version of a template (already checked by `Template::parse`), with its audit
/// line, in one transaction. `None` resets it to the default.
pub async fn save_template(
    db: &Db,
    key: TemplateKey,
    new: Option<&Template>,
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let txn = db.writer().begin().await?;
    let before = template_row::Entity::find_by_id(key.code().to_owned())
        .one(&txn)
        .await?;
    let before_json = template_json(&stored_or_default(key, before).template);
    match new {
        Some(t) => {
            template_row::Entity::insert(template_row::ActiveModel {
                key: Set(key.code().to_owned()),
                sms_text: Set(t.sms_text.clone()),
                title: Set(t.title.clone()),
                body: Set(t.body.clone()),
                updated_at: Set(now),
                updated_by: Set(Some(editor.account_id)),
            })
            .on_conflict(
                OnConflict::column(template_row::Column::Key)
                    .update_columns([
                        template_row::Column::SmsText,
                        template_row::Column::Title,
                        template_row::Column::Body,
                        template_row::Column::UpdatedAt,
                        template_row::Column::UpdatedBy,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        None => {
            template_row::Entity::delete_by_id(key.code().to_owned())
                .exec(&txn)
                .await?;
        }
    }
    let after = new.cloned().unwrap_or_else(|| key.default_template());
    crate::audit::record(
        &txn,
        crate::audit::NewEntry {
            actor_account_id: Some(editor.account_id),
            actor: editor.name,
            action: if new.is_some() {
                "notification_template.update"
            } else {
                "notification_template.reset"
            },
            subject_type: "notification_template",
            subject_id: key.code().to_owned(),
            before: Some(before_json),
            after: Some(template_json(&after)),
            client_address: editor.client_address.clone(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether `to` after `from` is a change a candidate is told about (used by
/// `applications::record` to decide whether to enqueue).
pub(crate) fn notifies(from: Option<ApplicationStatus>, to: ApplicationStatus) -> bool {
    from.is_some_and(|from| TemplateKey::for_change(from, to).is_some())
}
