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

/// One code to record: for whom, why, from where.
#[derive(Debug)]
pub struct CodeRequest<'a> {
    pub phone: &'a Phone,
    pub purpose: CodePurpose,
    pub code: &'a SmsCode,
    pub client_address: &'a str,
}

/// Records a new code if the send limits allow, superseding the phone's earlier live codes.
/// The caller sends the SMS after this commits.
pub async fn issue(
    db: &Db,
    pii: &Pii,
    request: CodeRequest<'_>,
    limits: &SendLimits,
    policy: &CodePolicy,
    now: DateTime<Utc>,
) -> Result<Result<i64, SendRefused>, StoreError> {
    let CodeRequest {
        phone,
        purpose,
        code,
        client_address,
    } = request;
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
    // Take one of the code's tries before comparing, in one conditional statement: on
    // PostgreSQL the row lock makes guesses sent at once take turns, so that however they
    // arrive no more than `max` are ever compared.
    let taken = row::Entity::update_many()
        .col_expr(
            row::Column::WrongAttempts,
            Expr::col(row::Column::WrongAttempts).add(1),
        )
        .filter(row::Column::Id.eq(live.id))
        .filter(row::Column::ConsumedAt.is_null())
        .filter(row::Column::WrongAttempts.lt(max))
        .exec(&txn)
        .await?;
    if taken.rows_affected == 0 {
        // Another request used the code or took its last try meanwhile.
        let now_used = row::Entity::find_by_id(live.id)
            .one(&txn)
            .await?
            .is_some_and(|r| r.consumed_at.is_some());
        return Ok(Err(if now_used {
            VerifyError::NoLiveCode
        } else {
            VerifyError::TooManyAttempts
        }));
    }
    let expected = code_hash(pii, &phone_hash, code.as_str());
    if bool::from(expected.as_bytes().ct_eq(live.code_hash.as_bytes())) {
        // The right code: used up, and the try it took was not a wrong one.
        row::Entity::update_many()
            .col_expr(row::Column::ConsumedAt, Expr::value(now))
            .col_expr(
                row::Column::WrongAttempts,
                Expr::col(row::Column::WrongAttempts).sub(1),
            )
            .filter(row::Column::Id.eq(live.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        return Ok(Ok(live.id));
    }
    let used = row::Entity::find_by_id(live.id)
        .one(&txn)
        .await?
        .map_or(max, |r| r.wrong_attempts);
    txn.commit().await?;
    let used = u32::try_from(used).unwrap_or(u32::MAX);
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
