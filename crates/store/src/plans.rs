//! Plans (认定计划): one certification round of one occupation and level, with its registration
//! and exam windows, fee, capacity, exam sites and the documents it asks for. The console's
//! changes (create, edit, open, close) are in [`manage`].

use chrono::{DateTime, Utc};
use domain::applications::documents::DocumentKind;
use domain::catalogue::Level;
use domain::money::Fen;
use domain::plans::{ExamWindow, PlanState, RegistrationWindow, plan_state, seats_left};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::catalogue::level_of;
use crate::entities::{exam_site, occupation, plan as row, plan_document, plan_site};
use crate::{Db, StoreError};

pub mod manage;

pub const PAGE_SIZE: u64 = 10;

#[derive(Debug, Clone)]
pub struct Plan {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub occupation_id: i64,
    pub occupation_name: String,
    pub level: Level,
    pub registration: RegistrationWindow,
    pub exam: ExamWindow,
    pub fee: Fen,
    pub capacity: u32,
    /// The sum of the plan's seat stripes (`crate::seats`).
    pub seats_taken: u32,
    /// What the plan asks for on top of the alternative's documents
    /// (`domain::plans::terms::PLAN_DOCUMENTS`), in the order of `DocumentKind::ALL`.
    pub documents: Vec<DocumentKind>,
    /// 缴费截止 as staff set it; `None`: the default rule (`domain::payments::payment_due_at`).
    pub payment_closes_at: Option<DateTime<Utc>>,
}

impl Plan {
    pub fn state(&self, now: DateTime<Utc>) -> PlanState {
        plan_state(now, &self.registration, self.capacity, self.seats_taken)
    }

    pub fn seats_left(&self) -> u32 {
        seats_left(self.capacity, self.seats_taken)
    }
}

#[derive(Debug, Clone)]
pub struct Site {
    pub id: i64,
    pub name: String,
    pub address: String,
}

#[derive(Debug, Clone)]
pub struct PlanPage {
    pub plans: Vec<Plan>,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
}

/// One page (from 1) of plans, newest registration first, optionally of one level.
pub async fn list(db: &Db, level: Option<Level>, page: u64) -> Result<PlanPage, StoreError> {
    let mut query = row::Entity::find()
        .order_by_desc(row::Column::RegistrationOpensAt)
        .order_by_asc(row::Column::Level)
        .order_by_asc(row::Column::Id);
    if let Some(level) = level {
        query = query.filter(row::Column::Level.eq(i16::from(level.get())));
    }
    let paginator = query.paginate(db.reader(), PAGE_SIZE);
    let counts = paginator.num_items_and_pages().await?;
    let page = page.clamp(1, counts.number_of_pages.max(1));
    let rows = paginator.fetch_page(page - 1).await?;
    let names = occupation_names(db).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let taken = crate::seats::taken(db.reader(), &ids).await?;
    let mut documents = documents_of(db.reader(), &ids).await?;
    let plans = rows
        .into_iter()
        .map(|r| {
            let seats_taken = taken.get(&r.id).copied().unwrap_or(0);
            let docs = documents.remove(&r.id).unwrap_or_default();
            to_plan(r, seats_taken, docs, &names)
        })
        .collect::<Result<_, _>>()?;
    Ok(PlanPage {
        plans,
        page,
        pages: counts.number_of_pages.max(1),
        total: counts.number_of_items,
    })
}

pub async fn get(db: &Db, id: i64) -> Result<Option<(Plan, Vec<Site>)>, StoreError> {
    let Some(found) = row::Entity::find_by_id(id).one(db.reader()).await? else {
        return Ok(None);
    };
    let site_ids: Vec<i64> = plan_site::Entity::find()
        .filter(plan_site::Column::PlanId.eq(id))
        .all(db.reader())
        .await?
        .into_iter()
        .map(|s| s.site_id)
        .collect();
    let sites = exam_site::Entity::find()
        .filter(exam_site::Column::Id.is_in(site_ids))
        .order_by_asc(exam_site::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|s| Site {
            id: s.id,
            name: s.name,
            address: s.address,
        })
        .collect();
    let names = occupation_names(db).await?;
    let taken = crate::seats::taken(db.reader(), &[id]).await?;
    let seats_taken = taken.get(&id).copied().unwrap_or(0);
    let documents = documents_of(db.reader(), &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(Some((
        to_plan(found, seats_taken, documents, &names)?,
        sites,
    )))
}

/// The documents each plan asks for, for the plans asked.
pub(crate) async fn documents_of<C: ConnectionTrait>(
    conn: &C,
    plan_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<DocumentKind>>, StoreError> {
    let mut found: std::collections::HashMap<i64, Vec<DocumentKind>> =
        std::collections::HashMap::new();
    if plan_ids.is_empty() {
        return Ok(found);
    }
    for r in plan_document::Entity::find()
        .filter(plan_document::Column::PlanId.is_in(plan_ids.iter().copied()))
        .all(conn)
        .await?
    {
        let kind = DocumentKind::parse(&r.kind).ok_or_else(|| {
            StoreError::Corrupt(format!("plan {}: document {}", r.plan_id, r.kind))
        })?;
        found.entry(r.plan_id).or_default().push(kind);
    }
    for kinds in found.values_mut() {
        kinds.sort_unstable();
    }
    Ok(found)
}

#[derive(Debug, Clone)]
pub struct NewPlan {
    pub code: String,
    pub name: String,
    pub occupation_id: i64,
    pub level: Level,
    pub registration: RegistrationWindow,
    pub exam: ExamWindow,
    pub fee: Fen,
    pub capacity: u32,
    pub site_ids: Vec<i64>,
    /// 缴费截止; `None` for the default rule.
    pub payment_closes_at: Option<DateTime<Utc>>,
}

/// Inserts a plan with its sites; the caller owns the transaction.
pub async fn insert<C: ConnectionTrait>(
    conn: &C,
    new: NewPlan,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let capacity = i32::try_from(new.capacity)
        .map_err(|_| StoreError::Corrupt("capacity too large".into()))?;
    let id = row::Entity::insert(row::ActiveModel {
        code: Set(new.code),
        name: Set(new.name),
        occupation_id: Set(new.occupation_id),
        level: Set(i16::from(new.level.get())),
        registration_opens_at: Set(new.registration.opens_at),
        registration_closes_at: Set(new.registration.closes_at),
        exam_starts_at: Set(new.exam.starts_at),
        exam_ends_at: Set(new.exam.ends_at),
        fee_fen: Set(new.fee.0),
        capacity: Set(capacity),
        payment_closes_at: Set(new.payment_closes_at),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(conn)
    .await?
    .last_insert_id;
    crate::seats::create(conn, id, new.capacity).await?;
    for site_id in new.site_ids {
        plan_site::Entity::insert(plan_site::ActiveModel {
            plan_id: Set(id),
            site_id: Set(site_id),
        })
        .exec_without_returning(conn)
        .await?;
    }
    Ok(id)
}

async fn occupation_names(db: &Db) -> Result<std::collections::HashMap<i64, String>, StoreError> {
    Ok(occupation::Entity::find()
        .all(db.reader())
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect())
}

fn to_plan(
    r: row::Model,
    seats_taken: u32,
    documents: Vec<DocumentKind>,
    names: &std::collections::HashMap<i64, String>,
) -> Result<Plan, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("plan {}: {what}", r.id));
    Ok(Plan {
        id: r.id,
        occupation_name: names.get(&r.occupation_id).cloned().unwrap_or_default(),
        level: level_of(r.level)?,
        registration: RegistrationWindow::new(r.registration_opens_at, r.registration_closes_at)
            .map_err(|_| corrupt("registration window"))?,
        exam: ExamWindow::new(r.exam_starts_at, r.exam_ends_at)
            .map_err(|_| corrupt("exam window"))?,
        fee: Fen(r.fee_fen),
        capacity: u32::try_from(r.capacity).map_err(|_| corrupt("capacity"))?,
        seats_taken,
        documents,
        payment_closes_at: r.payment_closes_at,
        code: r.code,
        name: r.name,
        occupation_id: r.occupation_id,
    })
}
