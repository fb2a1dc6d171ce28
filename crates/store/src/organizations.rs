//! Organization contacts (报名单位联系人): the organization each speaks for, and the applications
//! that name it as their 报名单位, read-only.

use chrono::{DateTime, Utc};
use domain::applications::state::ApplicationStatus;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::OnConflict,
};
use serde_json::json;

use crate::applications::{Application, to_application};
use crate::entities::{application as app_row, organization_contact as row};
use crate::{Db, StoreError};

pub const ORGANIZATION_MAX_CHARS: usize = 100;

/// The organization `account_id` speaks for, if any.
pub async fn organization_of(db: &Db, account_id: i64) -> Result<Option<String>, StoreError> {
    Ok(row::Entity::find_by_id(account_id)
        .one(db.reader())
        .await?
        .map(|r| r.organization))
}

/// Sets (or with `None` removes) the organization of a contact, with its audit line.
pub async fn set_organization(
    db: &Db,
    account_id: i64,
    organization: Option<&str>,
    actor: crate::audit::NewEntry<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let txn = db.writer().begin().await?;
    let before = row::Entity::find_by_id(account_id)
        .one(&txn)
        .await?
        .map(|r| r.organization);
    match organization {
        Some(name) => {
            row::Entity::insert(row::ActiveModel {
                account_id: Set(account_id),
                organization: Set(name.to_owned()),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(row::Column::AccountId)
                    .update_columns([row::Column::Organization, row::Column::UpdatedAt])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        None => {
            row::Entity::delete_by_id(account_id).exec(&txn).await?;
        }
    }
    crate::audit::record(
        &txn,
        crate::audit::NewEntry {
            before: Some(json!({ "organization": before })),
            after: Some(json!({ "organization": organization })),
            ..actor
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The submitted applications whose 报名单位 is exactly `organization`, newest first.
///
/// The organization lives in the draft's JSON; the SQL narrows by a LIKE on the serialized
/// field (serde_json writes `"organization":"…"` without spaces, the same on both backends) and
/// the exact comparison is made on the parsed draft.
pub async fn applications_of(db: &Db, organization: &str) -> Result<Vec<Application>, StoreError> {
    let needle = serde_json::to_string(organization)
        .map_err(|e| StoreError::Corrupt(format!("organization name: {e}")))?;
    let pattern = format!("%\"organization\":{}%", escape_like(&needle));
    let rows = app_row::Entity::find()
        .filter(app_row::Column::Status.ne(ApplicationStatus::Draft.code()))
        .filter(Expr::col(app_row::Column::Draft).like(LikeExpr::new(pattern).escape('\\')))
        .order_by_desc(app_row::Column::SubmittedAt)
        .all(db.reader())
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let application = to_application(r)?;
        if application.draft.registration.organization == organization {
            out.push(application);
        }
    }
    Ok(out)
}

fn escape_like(raw: &str) -> String {
    raw.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}
