//! Staff accounts as administrators manage them in the console: the list, creation, roles,
//! disabling and enabling, password resets. Each change is one transaction with its audit line
//! (the account before and after as [`StaffRecord`]; never a password or its hash).
//!
//! Two guards live here because only the database knows the answer at the moment of the change:
//! a change that would leave no enabled administrator is refused (nobody could manage staff
//! any more), and disabling an account or resetting its password ends its sessions at once.

use chrono::{DateTime, Utc};
use domain::accounts::StaffRole;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::Serialize;

use super::{StaffError, insert_staff, login_bucket};
use crate::audit::{self, NewEntry};
use crate::calendar::Editor;
use crate::entities::{account as row, account_role, session};
use crate::{Db, StoreError};

/// One member of staff, as the console lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: i64,
    pub login_name: String,
    pub real_name: String,
    pub roles: Vec<StaffRole>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// Why a change was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManageError {
    NotFound,
    LoginNameTaken,
    /// The change would leave no enabled administrator.
    LastAdministrator,
}

/// A staff account as the audit log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRecord {
    pub login_name: String,
    pub real_name: String,
    pub roles: Vec<&'static str>,
    pub disabled: bool,
}

/// Every staff account (those with a login name), by login name.
pub async fn list(db: &Db) -> Result<Vec<StaffMember>, StoreError> {
    let accounts = row::Entity::find()
        .filter(row::Column::LoginName.is_not_null())
        .order_by_asc(row::Column::LoginName)
        .all(db.reader())
        .await?;
    let roles = account_role::Entity::find().all(db.reader()).await?;
    Ok(accounts
        .into_iter()
        .map(|a| {
            let mut held: Vec<StaffRole> = roles
                .iter()
                .filter(|r| r.account_id == a.id)
                .filter_map(|r| StaffRole::parse(&r.role))
                .collect();
            held.sort_unstable();
            StaffMember {
                id: a.id,
                login_name: a.login_name.unwrap_or_default(),
                real_name: a.real_name,
                roles: held,
                disabled_at: a.disabled_at,
                created_at: a.created_at,
            }
        })
        .collect())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<StaffMember>, StoreError> {
    Ok(list(db).await?.into_iter().find(|m| m.id == id))
}

/// Creates a staff account (login name already parsed, roles not empty, password hashed).
pub async fn create(
    db: &Db,
    login_name: &str,
    real_name: &str,
    roles: &[StaffRole],
    password_hash: String,
    editor: Editor<'_>,
    now: DateTime<Utc>,
) -> Result<Result<i64, ManageError>, StoreError> {
    let txn = db.writer().begin().await?;
    let id = match insert_staff(&txn, login_name, real_name, roles, password_hash, now).await? {
        Ok(id) => id,
        Err(StaffError::LoginNameTaken) => return Ok(Err(ManageError::LoginNameTaken)),
    };
    let after = record(&txn, id).await?;
    log(&txn, &editor, "staff.create", id, None, after, now).await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// Replaces the account's roles (`roles` not empty).
pub async fn set_roles(
    db: &Db,
    id: i64,
    roles: &[StaffRole],
    editor: Editor<'_>,
    now: DateTime<Utc>,
) -> Result<Result<(), ManageError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(before) = record(&txn, id).await? else {
        return Ok(Err(ManageError::NotFound));
    };
    account_role::Entity::delete_many()
        .filter(account_role::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    for role in roles {
        account_role::Entity::insert(account_role::ActiveModel {
            account_id: Set(id),
            role: Set(role.code().to_owned()),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    touch(&txn, id, now).await?;
    if !any_enabled_administrator(&txn).await? {
        return Ok(Err(ManageError::LastAdministrator));
    }
    let after = record(&txn, id).await?;
    log(&txn, &editor, "staff.roles", id, Some(before), after, now).await?;
    txn.commit().await?;
    Ok(Ok(()))
}

/// Disables (ending every session of the account) or enables an account.
pub async fn set_disabled(
    db: &Db,
    id: i64,
    disabled: bool,
    editor: Editor<'_>,
    now: DateTime<Utc>,
) -> Result<Result<(), ManageError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(before) = record(&txn, id).await? else {
        return Ok(Err(ManageError::NotFound));
    };
    row::Entity::update_many()
        .col_expr(
            row::Column::DisabledAt,
            Expr::value(if disabled { Some(now) } else { None }),
        )
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if disabled {
        session::Entity::delete_many()
            .filter(session::Column::AccountId.eq(id))
            .exec(&txn)
            .await?;
        if !any_enabled_administrator(&txn).await? {
            return Ok(Err(ManageError::LastAdministrator));
        }
    }
    let after = record(&txn, id).await?;
    let action = if disabled {
        "staff.disable"
    } else {
        "staff.enable"
    };
    log(&txn, &editor, action, id, Some(before), after, now).await?;
    txn.commit().await?;
    Ok(Ok(()))
}

/// Sets a new password chosen by an administrator: ends the account's sessions and forgets its
/// failed logins.
pub async fn reset_password(
    db: &Db,
    id: i64,
    password_hash: String,
    editor: Editor<'_>,
    now: DateTime<Utc>,
) -> Result<Result<(), ManageError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(before) = record(&txn, id).await? else {
        return Ok(Err(ManageError::NotFound));
    };
    row::Entity::update_many()
        .col_expr(row::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(id))
        .exec(&txn)
        .await?;
    crate::rate_limits::clear(&txn, &login_bucket(id)).await?;
    // The record does not change (it holds no password): before and after say whose it was.
    log(
        &txn,
        &editor,
        "staff.reset_password",
        id,
        Some(before.clone()),
        Some(before),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(()))
}

async fn touch<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

async fn any_enabled_administrator<C: ConnectionTrait>(conn: &C) -> Result<bool, StoreError> {
    let admins: Vec<i64> = account_role::Entity::find()
        .filter(account_role::Column::Role.eq(StaffRole::Administrator.code()))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.account_id)
        .collect();
    if admins.is_empty() {
        return Ok(false);
    }
    Ok(row::Entity::find()
        .filter(row::Column::Id.is_in(admins))
        .filter(row::Column::DisabledAt.is_null())
        .count(conn)
        .await?
        > 0)
}

/// A staff account as the audit log keeps it, read in the transaction; `None` for an account
/// that does not exist or is not staff (a candidate's account is not managed here).
async fn record<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<StaffRecord>, StoreError> {
    let Some(a) = row::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let Some(login_name) = a.login_name else {
        return Ok(None);
    };
    let mut roles: Vec<StaffRole> = account_role::Entity::find()
        .filter(account_role::Column::AccountId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|r| StaffRole::parse(&r.role))
        .collect();
    roles.sort_unstable();
    Ok(Some(StaffRecord {
        login_name,
        real_name: a.real_name,
        roles: roles.iter().map(|r| r.code()).collect(),
        disabled: a.disabled_at.is_some(),
    }))
}

async fn log<C: ConnectionTrait>(
    conn: &C,
    editor: &Editor<'_>,
    action: &str,
    id: i64,
    before: Option<StaffRecord>,
    after: Option<StaffRecord>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let json = |r: Option<StaffRecord>| r.and_then(|r| serde_json::to_value(r).ok());
    audit::record(
        conn,
        NewEntry {
            actor_account_id: Some(editor.account_id),
            actor: editor.name,
            action,
            subject_type: "account",
            subject_id: id.to_string(),
            before: json(before),
            after: json(after),
            client_address: editor.client_address.clone(),
        },
        now,
    )
    .await
}
