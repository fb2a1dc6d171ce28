//! SMS verification codes: issued under per-phone and per-address send limits, stored as keyed
//! hashes (a copy of the table does not reveal live codes), valid for a few minutes, single use,
//! and dead after too many wrong tries.

use chrono::{DateTime, Duration, Utc};
use domain::identity::phone::Phone;
use domain::identity::{CodePolicy, CodePurpose, SendLimits, SmsCode};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use subtle::ConstantTimeEq;

use crate::entities::sms_code as row;
use crate::rate_limits::{self, RetryAfter};
use crate::{Db, Pii, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRefused {
    /// Too many codes for this phone number.
    Phone(RetryAfter),
    /// Too many codes from this client address.
    Address(RetryAfter),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    /// No live code for this phone: never sent, expired, or already used.
    NoLiveCode,
    /// The latest code has taken its last wrong try.
    TooManyAttempts,
    Wrong {
        tries_left: u32,
    },
}

/// Records a new code for `phone` if the send limits allow, superseding the earlier live ones.
/// The caller sends the SMS after this commits.
pub async fn issue(
    db: &Db,
    pii: &Pii,
    phone: &Phone,
    purpose: CodePurpose,
    code: &SmsCode,
    client_address: &str,
    limits: &SendLimits,
    policy: &CodePolicy,
    now: DateTime<Utc>,
) -> Result<Result<i64, SendRefused>, StoreError> {
    let phone_hash = pii.fingerprint("phone", phone.as_str());
    let txn = db.writer().begin().await?;
    // A refusal returns early and drops `txn`, which rolls back whatever was counted.
    let phone_bucket = format!("sms:phone:{phone_hash}");
    if let Err(wait) = rate_limits::try_acquire(&txn, &phone_bucket, &limits.per_phone, now).await?
    {
        return Ok(Err(SendRefused::Phone(wait)));
    }
    let address_bucket = format!("sms:address:{client_address}");
    if let Err(wait) =
        rate_limits::try_acquire(&txn, &address_bucket, &limits.per_address, now).await?
    {
        return Ok(Err(SendRefused::Address(wait)));
    }
    // Only the newest code works: an older SMS is useless once a new one is sent. Expiring it
    // (not marking it used) keeps `consumed_at` meaning "verified".
    row::Entity::update_many()
        .col_expr(row::Column::ExpiresAt, Expr::value(now))
        .filter(row::Column::PhoneHash.eq(&phone_hash))
        .filter(row::Column::Purpose.eq(purpose.code()))
        .filter(row::Column::ConsumedAt.is_null())
        .filter(row::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?;
    let inserted = row::Entity::insert(row::ActiveModel {
        phone_hash: Set(phone_hash.clone()),
        phone_enc: Set(pii.encrypt(phone.as_str())),
        purpose: Set(purpose.code().to_owned()),
        code_hash: Set(code_hash(pii, &phone_hash, code.as_str())),
        wrong_attempts: Set(0),
        created_at: Set(now),
        expires_at: Set(now + policy.ttl),
        consumed_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(Ok(inserted.last_insert_id))
}

/// Checks `code` against the newest live code for `phone`, and uses it up when it matches.
/// Returns the code's id, which later steps use as proof that the phone was verified.
pub async fn verify(
    db: &Db,
    pii: &Pii,
    phone: &Phone,
    purpose: CodePurpose,
    code: &SmsCode,
    policy: &CodePolicy,
    now: DateTime<Utc>,
) -> Result<Result<i64, VerifyError>, StoreError> {
    let phone_hash = pii.fingerprint("phone", phone.as_str());
    let txn = db.writer().begin().await?;
    let Some(live) = row::Entity::find()
        .filter(row::Column::PhoneHash.eq(&phone_hash))
        .filter(row::Column::Purpose.eq(purpose.code()))
        .filter(row::Column::ConsumedAt.is_null())
        .filter(row::Column::ExpiresAt.gt(now))
        .order_by_desc(row::Column::Id)
        .one(&txn)
        .await?
    else {
        return Ok(Err(VerifyError::NoLiveCode));
    };
    let max = i32::try_from(policy.max_wrong_attempts).unwrap_or(i32::MAX);
    if live.wrong_attempts >= max {
        return Ok(Err(VerifyError::TooManyAttempts));
    }
    let expected = code_hash(pii, &phone_hash, code.as_str());
    if bool::from(expected.as_bytes().ct_eq(live.code_hash.as_bytes())) {
        // Conditional, so that two requests racing with the right code use it once.
        let used = row::Entity::update_many()
            .col_expr(row::Column::ConsumedAt, Expr::value(now))
            .filter(row::Column::Id.eq(live.id))
            .filter(row::Column::ConsumedAt.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        return Ok(if used.rows_affected == 1 {
            Ok(live.id)
        } else {
            Err(VerifyError::NoLiveCode)
        });
    }
    row::Entity::update_many()
        .col_expr(
            row::Column::WrongAttempts,
            Expr::col(row::Column::WrongAttempts).add(1),
        )
        .filter(row::Column::Id.eq(live.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let used = u32::try_from(live.wrong_attempts + 1).unwrap_or(u32::MAX);
    Ok(Err(match policy.max_wrong_attempts.saturating_sub(used) {
        0 => VerifyError::TooManyAttempts,
        left => VerifyError::Wrong { tries_left: left },
    }))
}

/// The phone a code was verified for, if that code was used for `purpose` within `max_age`.
pub async fn verified_phone(
    db: &Db,
    pii: &Pii,
    code_id: i64,
    purpose: CodePurpose,
    max_age: Duration,
    now: DateTime<Utc>,
) -> Result<Option<Phone>, StoreError> {
    let found = row::Entity::find_by_id(code_id)
        .filter(row::Column::Purpose.eq(purpose.code()))
        .filter(row::Column::ConsumedAt.gt(now - max_age))
        .one(db.reader())
        .await?;
    let Some(found) = found else { return Ok(None) };
    let plain = pii
        .decrypt(&found.phone_enc)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Phone::parse(&plain)
        .map(Some)
        .map_err(|_| StoreError::Corrupt("stored phone number does not parse".into()))
}

fn code_hash(pii: &Pii, phone_hash: &str, code: &str) -> String {
    pii.fingerprint("sms_code", &format!("{phone_hash}:{code}"))
}
