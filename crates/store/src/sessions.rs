//! Server-side sessions. The browser holds a random token; the table holds only its SHA-256, the
//! account (none for a visitor who has not logged in), the CSRF token and a small JSON document
//! owned by the web layer (sign-up progress and the like).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
};
use sha2::{Digest, Sha256};

use crate::accounts::Account;
use crate::entities::{account as account_row, session as row};
use crate::{Db, Pii, StoreError};

#[derive(Debug, Clone)]
pub struct Session {
    pub account_id: Option<i64>,
    pub csrf_token: String,
    pub data: String,
    pub expires_at: DateTime<Utc>,
    /// The account's unread notifications (the bell's badge), read in the same query.
    pub unread_notifications: u32,
}

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn id_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Starts a session and returns the token for the cookie.
pub async fn create(
    db: &Db,
    account_id: Option<i64>,
    data: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<(String, Session), StoreError> {
    let token = random_token();
    let session = Session {
        account_id,
        csrf_token: random_token(),
        data: data.to_owned(),
        expires_at: now + ttl,
        unread_notifications: 0,
    };
    row::Entity::insert(row::ActiveModel {
        id_hash: Set(id_hash(&token)),
        account_id: Set(account_id),
        csrf_token: Set(session.csrf_token.clone()),
        data: Set(session.data.clone()),
        created_at: Set(now),
        expires_at: Set(session.expires_at),
    })
    .exec_without_returning(db.writer())
    .await?;
    Ok((token, session))
}

/// The live session for `token`, with its account (none for a visitor who has not logged in),
/// in one query: every request that carries a cookie needs both. Sliding expiry: once less than
/// half of `ttl` is left, the session is extended, so an active user stays logged in while reads
/// stay write-free.
pub async fn load_with_account(
    db: &Db,
    pii: &Pii,
    token: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<Option<(Session, Option<Account>)>, StoreError> {
    let Some((found, account)) = row::Entity::find_by_id(id_hash(token))
        .filter(row::Column::ExpiresAt.gt(now))
        .find_also_related(account_row::Entity)
        // The bell's count rides along as a sub-select: no extra round trip per page.
        .column_as(
            Expr::cust(crate::notifications::unread_count_sql()),
            "A_unread_notifications",
        )
        .into_model::<SessionRow, account_row::Model>()
        .one(db.reader())
        .await?
    else {
        return Ok(None);
    };
    let account = match account {
        Some(a) => Some(crate::accounts::to_account(db, pii, a).await?),
        None => None,
    };
    let unread = u32::try_from(found.unread_notifications).unwrap_or(u32::MAX);
    let mut session = slide(db, found.into(), ttl, now).await?;
    session.unread_notifications = unread;
    Ok(Some((session, account)))
}

/// A session row with the unread count of its account.
#[derive(Debug, FromQueryResult)]
struct SessionRow {
    id_hash: String,
    account_id: Option<i64>,
    csrf_token: String,
    data: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    unread_notifications: i64,
}

impl From<SessionRow> for row::Model {
    fn from(r: SessionRow) -> row::Model {
        row::Model {
            id_hash: r.id_hash,
            account_id: r.account_id,
            csrf_token: r.csrf_token,
            data: r.data,
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

async fn slide(
    db: &Db,
    found: row::Model,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<Session, StoreError> {
    let mut expires_at = found.expires_at;
    if expires_at - now < ttl / 2 {
        expires_at = now + ttl;
        row::Entity::update_many()
            .col_expr(row::Column::ExpiresAt, Expr::value(expires_at))
            .filter(row::Column::IdHash.eq(found.id_hash))
            .exec(db.writer())
            .await?;
    }
    Ok(Session {
        account_id: found.account_id,
        csrf_token: found.csrf_token,
        data: found.data,
        expires_at,
        unread_notifications: 0,
    })
}

pub async fn save_data(db: &Db, token: &str, data: &str) -> Result<(), StoreError> {
    row::Entity::update_many()
        .col_expr(row::Column::Data, Expr::value(data))
        .filter(row::Column::IdHash.eq(id_hash(token)))
        .exec(db.writer())
        .await?;
    Ok(())
}

pub async fn delete(db: &Db, token: &str) -> Result<(), StoreError> {
    row::Entity::delete_by_id(id_hash(token))
        .exec(db.writer())
        .await?;
    Ok(())
}

pub async fn purge_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, StoreError> {
    let done = row::Entity::delete_many()
        .filter(row::Column::ExpiresAt.lte(now))
        .exec(db.writer())
        .await?;
    Ok(done.rows_affected)
}
