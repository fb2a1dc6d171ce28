//! The console's changes to plans: create, edit, open and close registration. Each is one
//! transaction with its audit line (the plan before and after, as [`PlanRecord`]), so that the
//! log holds a line exactly when the change happened. The terms arrive checked
//! (`domain::plans::terms::check_plan`); what only the database can know is checked here, in the
//! same transaction: the code's uniqueness, and the seats taken when the capacity changes
//! (`crate::seats::set_capacity_in` holds the stripes while it resizes them).

use chrono::{DateTime, Utc};
use domain::plans::RegistrationWindow;
use domain::plans::terms::PlanTerms;
use domain::seats::BelowTaken;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
};
use serde::Serialize;

use super::{NewPlan, Site, documents_of};
use crate::audit::{self, NewEntry};
use crate::calendar::Editor;
use crate::entities::{exam_site, plan as row, plan_document, plan_site};
use crate::error::is_unique_violation;
use crate::{Db, StoreError};

/// Why a change was not made (the input was fine; the database said no).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanWriteError {
    NotFound,
    CodeTaken,
    /// More seats are taken than the new capacity (someone submitted since the form was read).
    BelowTaken(BelowTaken),
}

/// A plan as the audit log keeps it, before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanRecord {
    pub code: String,
    pub name: String,
    pub occupation_id: i64,
    pub level: u8,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub exam_starts_at: DateTime<Utc>,
    pub exam_ends_at: DateTime<Utc>,
    pub fee_fen: i64,
    pub capacity: i32,
    pub site_ids: Vec<i64>,
    pub documents: Vec<String>,
    /// 缴费截止; `null` for the default rule.
    pub payment_closes_at: Option<DateTime<Utc>>,
}

/// Every exam site, for the plan form's choices.
pub async fn sites(db: &Db) -> Result<Vec<Site>, StoreError> {
    Ok(exam_site::Entity::find()
        .order_by_asc(exam_site::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|s| Site {
            id: s.id,
            name: s.name,
            address: s.address,
        })
        .collect())
}

/// Creates a plan from checked terms, with its stripes, sites, documents and audit line.
pub async fn create(
    db: &Db,
    terms: &PlanTerms,
    editor: Editor<'_>,
    now: DateTime<Utc>,
) -> Result<Result<i64, PlanWriteError>, StoreError> {
    let txn = db.writer().begin().await?;
    if code_taken(&txn, terms.code.as_str(), None).await? {
        return Ok(Err(PlanWriteError::CodeTaken));
    }
    let inserted = super::insert(
        &txn,
        NewPlan {
            code: terms.code.as_str().to_owned(),
            name: terms.name.clone(),
            occupation_id: terms.occupation_id,
            level: terms.level,
            registration: terms.registration,
            exam: terms.exam,
            fee: terms.fee,
            capacity: terms.capacity,
            site_ids: terms.site_ids.clone(),
            payment_closes_at: terms.payment_closes_at,
        },
        now,
    )
    .await;
    let id = match inserted {
        Ok(id) => id,
        // Another plan took the code between the check and the insert (PostgreSQL; SQLite
        // serialises writes): the unique constraint says so.
        Err(StoreError::Db(e)) if is_unique_violation(&e) => {
            return Ok(Err(PlanWriteError::CodeTaken));
        }
        Err(e) => return Err(e),
    };
    replace_documents(&txn, id, terms).await?;
    let after = record(&txn, id).await?;
    log(&txn, &editor, "plan.create", id, None, after, now).await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// Changes every term of a plan: the row, its capacity (never below the seats taken), its sites
/// and documents.
pub async fn update(
    db: &Db,
    id: i64,
    terms: &PlanTerms,
    editor: Editor<'_>,
    now: DateTime<Utc>,
) -> Result<Result<(), PlanWriteError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(before) = record(&txn, id).await? else {
        return Ok(Err(PlanWriteError::NotFound));
    };
    if code_taken(&txn, terms.code.as_str(), Some(id)).await? {
        return Ok(Err(PlanWriteError::CodeTaken));
    }
    if let Err(e) = crate::seats::set_capacity_in(&txn, id, terms.capacity, now).await? {
        return Ok(Err(PlanWriteError::BelowTaken(e)));
    }
    let updated = row::Entity::update_many()
        .col_expr(row::Column::Code, Expr::value(terms.code.as_str()))
        .col_expr(row::Column::Name, Expr::value(terms.name.as_str()))
        .col_expr(row::Column::OccupationId, Expr::value(terms.occupation_id))
        .col_expr(
            row::Column::Level,
            Expr::value(i16::from(terms.level.get())),
        )
        .col_expr(
            row::Column::RegistrationOpensAt,
            Expr::value(terms.registration.opens_at),
        )
        .col_expr(
            row::Column::RegistrationClosesAt,
            Expr::value(terms.registration.closes_at),
        )
        .col_expr(row::Column::ExamStartsAt, Expr::value(terms.exam.starts_at))
        .col_expr(row::Column::ExamEndsAt, Expr::value(terms.exam.ends_at))
        .col_expr(row::Column::FeeFen, Expr::value(terms.fee.0))
        .col_expr(
            row::Column::PaymentClosesAt,
            Expr::value(terms.payment_closes_at),
        )
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .exec(&txn)
        .await;
    match updated {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Ok(Err(PlanWriteError::CodeTaken)),
        Err(e) => return Err(e.into()),
    }
    plan_site::Entity::delete_many()
        .filter(plan_site::Column::PlanId.eq(id))
        .exec(&txn)
        .await?;
    for site_id in &terms.site_ids {
        plan_site::Entity::insert(plan_site::ActiveModel {
            plan_id: Set(id),
            site_id: Set(*site_id),
        })
        .exec_without_returning(&txn)
        .await?;
    }
    replace_documents(&txn, id, terms).await?;
    // A later 缴费截止 is a plan-wide extension: applications waiting for payment with an
    // earlier deadline get the new one (never an earlier one: a deadline a candidate was told
    // is only ever moved later).
    if let Some(closes_at) = terms.payment_closes_at {
        let until = closes_at.min(terms.exam.starts_at);
        crate::entities::application::Entity::update_many()
            .col_expr(
                crate::entities::application::Column::PaymentDueAt,
                Expr::value(until),
            )
            .col_expr(
                crate::entities::application::Column::UpdatedAt,
                Expr::value(now),
            )
            .filter(crate::entities::application::Column::PlanId.eq(id))
            .filter(
                crate::entities::application::Column::Status
                    .eq(domain::applications::state::ApplicationStatus::Approved.code()),
            )
            .filter(crate::entities::application::Column::PaymentDueAt.lt(until))
            .exec(&txn)
            .await?;
    }
    let after = record(&txn, id).await?;
    log(&txn, &editor, "plan.update", id, Some(before), after, now).await?;
    txn.commit().await?;
    Ok(Ok(()))
}

/// Sets the registration window alone (开放报名 / 截止报名): `action` is `plan.open` or
/// `plan.close`. The caller has checked the window against the plan's exam
/// (`domain::plans::terms::{open_registration, close_registration}`).
pub async fn set_registration(
    db: &Db,
    id: i64,
    window: RegistrationWindow,
    action: &str,
    editor: Editor<'_>,
    now: DateTime<Utc>,
) -> Result<Result<(), PlanWriteError>, StoreError> {
    let txn = db.writer().begin().await?;
    let Some(before) = record(&txn, id).await? else {
        return Ok(Err(PlanWriteError::NotFound));
    };
    row::Entity::update_many()
        .col_expr(
            row::Column::RegistrationOpensAt,
            Expr::value(window.opens_at),
        )
        .col_expr(
            row::Column::RegistrationClosesAt,
            Expr::value(window.closes_at),
        )
        .col_expr(row::Column::UpdatedAt, Expr::value(now))
        .filter(row::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let after = record(&txn, id).await?;
    log(&txn, &editor, action, id, Some(before), after, now).await?;
    txn.commit().await?;
    Ok(Ok(()))
}

async fn code_taken<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    except: Option<i64>,
) -> Result<bool, StoreError> {
    let mut query = row::Entity::find().filter(row::Column::Code.eq(code));
    if let Some(id) = except {
        query = query.filter(row::Column::Id.ne(id));
    }
    Ok(query.count(conn).await? > 0)
}

async fn replace_documents<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    terms: &PlanTerms,
) -> Result<(), StoreError> {
    plan_document::Entity::delete_many()
        .filter(plan_document::Column::PlanId.eq(id))
        .exec(conn)
        .await?;
    let rows: Vec<plan_document::ActiveModel> = terms
        .documents
        .iter()
        .map(|kind| plan_document::ActiveModel {
            plan_id: Set(id),
            kind: Set(kind.code().to_owned()),
        })
        .collect();
    if !rows.is_empty() {
        plan_document::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// The plan as the audit log keeps it, read in the transaction.
async fn record<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<PlanRecord>, StoreError> {
    let Some(r) = row::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let mut site_ids: Vec<i64> = plan_site::Entity::find()
        .filter(plan_site::Column::PlanId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.site_id)
        .collect();
    site_ids.sort_unstable();
    let documents = documents_of(conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|k| k.code().to_owned())
        .collect();
    Ok(Some(PlanRecord {
        level: u8::try_from(r.level).unwrap_or(0),
        code: r.code,
        name: r.name,
        occupation_id: r.occupation_id,
        registration_opens_at: r.registration_opens_at,
        registration_closes_at: r.registration_closes_at,
        exam_starts_at: r.exam_starts_at,
        exam_ends_at: r.exam_ends_at,
        fee_fen: r.fee_fen,
        capacity: r.capacity,
        site_ids,
        documents,
        payment_closes_at: r.payment_closes_at,
    }))
}

async fn log<C: ConnectionTrait>(
    conn: &C,
    editor: &Editor<'_>,
    action: &str,
    id: i64,
    before: Option<PlanRecord>,
    after: Option<PlanRecord>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let json = |r: Option<PlanRecord>| r.and_then(|r| serde_json::to_value(r).ok());
    audit::record(
        conn,
        NewEntry {
            actor_account_id: Some(editor.account_id),
            actor: editor.name,
            action,
            subject_type: "plan",
            subject_id: id.to_string(),
            before: json(before),
            after: json(after),
            client_address: editor.client_address.clone(),
        },
        now,
    )
    .await
}
