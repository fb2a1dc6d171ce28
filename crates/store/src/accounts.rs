//! Accounts: candidates who signed up with a phone number, and staff created by an administrator.
//! Phone and ID numbers are stored encrypted with a keyed fingerprint beside them (see [`Pii`]);
//! the fingerprints carry the unique constraints.

use chrono::{DateTime, Utc};
use domain::accounts::{Identity, LoginIdentifier, StaffRole};
use domain::identity::email::Email;
use domain::identity::id_number::IdNumber;
use domain::identity::phone::Phone;
use domain::identity::real_name::RealName;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

use crate::entities::{account as row, account_role};
use crate::error::is_unique_violation;
use crate::{Db, Pii, StoreError};

pub mod staff;

/// A candidate's sign-up, every field already parsed.
#[derive(Debug)]
pub struct NewAccount {
    pub phone: Phone,
    pub password_hash: String,
    pub email: Option<Email>,
    pub real_name: RealName,
    pub id_number: IdNumber,
    pub identity: Identity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterError {
    PhoneTaken,
    IdNumberTaken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffError {
    LoginNameTaken,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub phone: Option<Phone>,
    pub id_number: Option<IdNumber>,
    pub login_name: Option<String>,
    pub real_name: String,
    pub email: Option<String>,
    pub identity: Option<Identity>,
    pub roles: Vec<StaffRole>,
    pub created_at: DateTime<Utc>,
    /// Disabled by an administrator: the account cannot log in (see [`staff`]).
    pub disabled: bool,
}

impl Account {
    pub fn has_role(&self, role: StaffRole) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_staff(&self) -> bool {
        !self.roles.is_empty()
    }
}

pub async fn register(
    db: &Db,
    pii: &Pii,
    new: NewAccount,
    now: DateTime<Utc>,
) -> Result<Result<i64, RegisterError>, StoreError> {
    let phone_hash = pii.fingerprint("phone", new.phone.as_str());
    let id_hash = pii.fingerprint("id_number", new.id_number.as_str());
    let txn = db.writer().begin().await?;
    if let Some(taken) = taken_identifier(&txn, &phone_hash, &id_hash).await? {
        return Ok(Err(taken));
    }
    let inserted = row::Entity::insert(row::ActiveModel {
        phone_hash: Set(Some(phone_hash.clone())),
        phone_enc: Set(Some(pii.encrypt(new.phone.as_str()))),
        id_number_hash: Set(Some(id_hash.clone())),
        id_number_enc: Set(Some(pii.encrypt(new.id_number.as_str()))),
        login_name: Set(None),
        real_name: Set(new.real_name.as_str().to_owned()),
        email: Set(new.email.map(|e| e.as_str().to_owned())),
        identity: Set(Some(new.identity.code().to_owned())),
        password_hash: Set(new.password_hash),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    match inserted {
        Ok(done) => {
            txn.commit().await?;
            Ok(Ok(done.last_insert_id))
        }
        // Another sign-up with the same phone or ID number committed between our check and
        // our insert; the constraint caught it. Say which, from a fresh look.
        Err(e) if is_unique_violation(&e) => {
            drop(txn);
            let taken = taken_identifier(db.writer(), &phone_hash, &id_hash).await?;
            Ok(Err(taken.unwrap_or(RegisterError::PhoneTaken)))
        }
        Err(e) => Err(e.into()),
    }
}

async fn taken_identifier<C: ConnectionTrait>(
    conn: &C,
    phone_hash: &str,
    id_hash: &str,
) -> Result<Option<RegisterError>, StoreError> {
    if exists(conn, row::Column::PhoneHash.eq(phone_hash)).await? {
        return Ok(Some(RegisterError::PhoneTaken));
    }
    if exists(conn, row::Column::IdNumberHash.eq(id_hash)).await? {
        return Ok(Some(RegisterError::IdNumberTaken));
    }
    Ok(None)
}

async fn exists<C: ConnectionTrait>(
    conn: &C,
    condition: sea_orm::sea_query::SimpleExpr,
) -> Result<bool, StoreError> {
    Ok(row::Entity::find().filter(condition).count(conn).await? > 0)
}

pub async fn phone_registered(db: &Db, pii: &Pii, phone: &Phone) -> Result<bool, StoreError> {
    exists(
        db.reader(),
        row::Column::PhoneHash.eq(pii.fingerprint("phone", phone.as_str())),
    )
    .await
}

pub async fn get(db: &Db, pii: &Pii, id: i64) -> Result<Option<Account>, StoreError> {
    match row::Entity::find_by_id(id).one(db.reader()).await? {
        Some(found) => Ok(Some(to_account(db, pii, found).await?)),
        None => Ok(None),
    }
}

/// The account a login identifier names, with its password hash.
pub async fn find_for_login(
    db: &Db,
    pii: &Pii,
    identifier: &LoginIdentifier,
) -> Result<Option<(Account, String)>, StoreError> {
    let condition = match identifier {
        LoginIdentifier::Phone(p) => {
            row::Column::PhoneHash.eq(pii.fingerprint("phone", p.as_str()))
        }
        LoginIdentifier::IdNumber(n) => {
            row::Column::IdNumberHash.eq(pii.fingerprint("id_number", n.as_str()))
        }
        LoginIdentifier::LoginName(name) => row::Column::LoginName.eq(name.as_str()),
    };
    match row::Entity::find()
        .filter(condition)
        .one(db.reader())
        .await?
    {
        Some(found) => {
            let hash = found.password_hash.clone();
            Ok(Some((to_account(db, pii, found).await?, hash)))
        }
        None => Ok(None),
    }
}

pub async fn find_id_by_phone(
    db: &Db,
    pii: &Pii,
    phone: &Phone,
) -> Result<Option<i64>, StoreError> {
    Ok(row::Entity::find()
        .filter(row::Column::PhoneHash.eq(pii.fingerprint("phone", phone.as_str())))
        .one(db.reader())
        .await?
        .map(|a| a.id))
}

/// A staff account that logs in with a login name; `roles` must not be empty.
pub async fn create_staff(
    db: &Db,
    login_name: &str,
    real_name: &str,
    roles: &[StaffRole],
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<Result<i64, StaffError>, StoreError> {
    let txn = db.writer().begin().await?;
    let created = insert_staff(&txn, login_name, real_name, roles, password_hash, now).await?;
    if created.is_ok() {
        txn.commit().await?;
    }
    Ok(created)
}

/// [`create_staff`] in the caller's transaction (the console's, with its audit line).
pub(crate) async fn insert_staff<C: ConnectionTrait>(
    txn: &C,
    login_name: &str,
    real_name: &str,
    roles: &[StaffRole],
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<Result<i64, StaffError>, StoreError> {
    if exists(txn, row::Column::LoginName.eq(login_name)).await? {
        return Ok(Err(StaffError::LoginNameTaken));
    }
    let inserted = row::Entity::insert(row::ActiveModel {
        login_name: Set(Some(login_name.to_owned())),
        real_name: Set(real_name.to_owned()),
        password_hash: Set(password_hash),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await;
    let id = match inserted {
        Ok(done) => done.last_insert_id,
        Err(e) if is_unique_violation(&e) => return Ok(Err(StaffError::LoginNameTaken)),
        Err(e) => return Err(e.into()),
    };
    for role in roles {
        account_role::Entity::insert(account_role::ActiveModel {
            account_id: Set(id),
            role: Set(role.code().to_owned()),
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(Ok(id))
}

pub async fn any_with_role(db: &Db, role: StaffRole) -> Result<bool, StoreError> {
    Ok(account_role::Entity::find()
        .filter(account_role::Column::Role.eq(role.code()))
        .count(db.reader())
        .await?
        > 0)
}

pub(crate) async fn to_account(
    db: &Db,
    pii: &Pii,
    found: row::Model,
) -> Result<Account, StoreError> {
    let decrypt = |sealed: &Option<Vec<u8>>| -> Result<Option<String>, StoreError> {
        sealed
            .as_deref()
            .map(|s| {
                pii.decrypt(s)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .transpose()
    };
    let phone = decrypt(&found.phone_enc)?
        .map(|p| Phone::parse(&p))
        .transpose()
        .map_err(|_| StoreError::Corrupt(format!("account {}: phone", found.id)))?;
    let id_number = decrypt(&found.id_number_enc)?
        .map(|n| IdNumber::parse(&n))
        .transpose()
        .map_err(|_| StoreError::Corrupt(format!("account {}: ID number", found.id)))?;
    let roles = account_role::Entity::find()
        .filter(account_role::Column::AccountId.eq(found.id))
        .all(db.reader())
        .await?
        .into_iter()
        .filter_map(|r| StaffRole::parse(&r.role))
        .collect();
    Ok(Account {
        id: found.id,
        phone,
        id_number,
        login_name: found.login_name,
        real_name: found.real_name,
        email: found.email,
        identity: found.identity.as_deref().and_then(Identity::parse),
        roles,
        created_at: found.created_at,
        disabled: found.disabled_at.is_some(),
    })
}

/// The login-failure bucket of an account (see `rate_limits`).
pub fn login_bucket(account_id: i64) -> String {
    format!("login:account:{account_id}")
}

/// Sets a new password after a reset: ends every session of the account and forgets its failed
/// logins, in one transaction.
pub async fn reset_password(
    db: &Db,
    account_id: i64,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    use crate::entities::session;
    let txn = db.writer().begin().await?;
    row::Entity::update_many()
        .col_expr(row::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(account_id))
        .exec(&txn)
        .await?;
    session::Entity::delete_many()
        .filter(session::Column::AccountId.eq(account_id))
        .exec(&txn)
        .await?;
    crate::rate_limits::clear(&txn, &login_bucket(account_id)).await?;
    txn.commit().await?;
    Ok(())
}
