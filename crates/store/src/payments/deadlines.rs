//! Payment deadlines: an unpaid application expires and gives its seat back; staff may extend
//! one application's deadline.

use chrono::{DateTime, Utc};
use domain::applications::state::{Actor, ApplicationEvent, ApplicationStatus};
use domain::payments::OrderState;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde_json::json;

use crate::applications::{ChangeError, StatusChange, change_status, status_of};
use crate::entities::{application as app_row, payment_order as order_row};
use crate::{Db, StoreError};

/// Approved applications whose payment deadline has passed, oldest deadline first.
pub async fn overdue_applications(
    db: &Db,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<i64>, StoreError> {
    Ok(app_row::Entity::find()
        .select_only()
        .column(app_row::Column::Id)
        .filter(app_row::Column::Status.eq(ApplicationStatus::Approved.code()))
        .filter(app_row::Column::PaymentDueAt.lte(now))
        .order_by_asc(app_row::Column::PaymentDueAt)
        .limit(limit)
        .into_tuple::<i64>()
        .all(db.writer())
        .await?)
}

/// Expires an application whose deadline passed, giving its seat back — only once no order of
/// it is open (the caller closes them at the provider first, so a payment landing in between
/// is recorded, not lost). `false` when it was not expired (paid meanwhile, deadline moved,
/// an order still open).
pub async fn expire_application(
    db: &Db,
    application_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(app) = app_row::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
    else {
        return Ok(false);
    };
    if status_of(&app.status)? != ApplicationStatus::Approved
        || app.payment_due_at.is_none_or(|due| due > now)
    {
        return Ok(false);
    }
    let open = order_row::Entity::find()
        .filter(order_row::Column::ApplicationId.eq(application_id))
        .filter(order_row::Column::State.eq(OrderState::Pending.code()))
        .count(&txn)
        .await?;
    if open > 0 {
        return Ok(false);
    }
    let changed = change_status(
        &txn,
        &app,
        StatusChange {
            event: ApplicationEvent::Expire,
            actor: Actor::System,
            actor_account_id: None,
            kind: "expired",
            detail: json!({ "payment_due_at": app.payment_due_at }),
            also: Vec::new(),
            // Only the deadline we read: staff extending it at this instant wins.
            unchanged_since: Some(app.updated_at),
        },
        now,
    )
    .await?;
    match changed {
        Ok(_) => {
            txn.commit().await?;
            Ok(true)
        }
        Err(ChangeError::Conflict) => Ok(false),
        Err(e) => Err(StoreError::Corrupt(format!(
            "application {application_id}: expiry: {e:?}"
        ))),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineError {
    NotFound,
    /// Only an application waiting for payment has a deadline to move.
    NotPayable(ApplicationStatus),
    /// A new deadline must be later than the current one and in the future.
    NotLater,
    /// Not after the exam starts.
    AfterExam,
}

/// Moves an application's payment deadline later (staff, audited).
pub async fn extend_deadline(
    db: &Db,
    application_id: i64,
    until: DateTime<Utc>,
    staff: (i64, &str),
    now: DateTime<Utc>,
) -> Result<Result<DateTime<Utc>, DeadlineError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(app) = app_row::Entity::find_by_id(application_id)
        .one(&txn)
        .await?
    else {
        return Ok(Err(DeadlineError::NotFound));
    };
    let status = status_of(&app.status)?;
    if status != ApplicationStatus::Approved {
        return Ok(Err(DeadlineError::NotPayable(status)));
    }
    if until <= now || app.payment_due_at.is_some_and(|due| until <= due) {
        return Ok(Err(DeadlineError::NotLater));
    }
    let plan = crate::entities::plan::Entity::find_by_id(app.plan_id)
        .one(&txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("plan vanished".into()))?;
    if until > plan.exam_starts_at {
        return Ok(Err(DeadlineError::AfterExam));
    }
    let updated = app_row::Entity::update_many()
        .col_expr(app_row::Column::PaymentDueAt, Expr::value(until))
        .col_expr(app_row::Column::UpdatedAt, Expr::value(now))
        .filter(app_row::Column::Id.eq(application_id))
        .filter(app_row::Column::Status.eq(ApplicationStatus::Approved.code()))
        .exec(&txn)
        .await?;
    if updated.rows_affected != 1 {
        return Ok(Err(DeadlineError::NotPayable(status)));
    }
    crate::audit::record(
        &txn,
        crate::audit::NewEntry {
            actor_account_id: Some(staff.0),
            actor: staff.1,
            action: "payment.extend_deadline",
            subject_type: "application",
            subject_id: application_id.to_string(),
            before: Some(json!({ "payment_due_at": app.payment_due_at })),
            after: Some(json!({ "payment_due_at": until })),
            client_address: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(until))
}
