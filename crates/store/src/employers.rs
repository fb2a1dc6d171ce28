//! The employer registry (name, unified social credit code, founding and deregistration dates),
//! against which work history periods are checked. Staff import it (a later issue).

use domain::applications::employers::EmployerRecord;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::entities::employer as row;
use crate::{Db, StoreError};

/// The registry rows matching any of these names or codes.
pub async fn records_for(
    db: &Db,
    names: &[String],
    usccs: &[String],
) -> Result<Vec<EmployerRecord>, StoreError> {
    if names.is_empty() && usccs.is_empty() {
        return Ok(Vec::new());
    }
    let condition = Condition::any()
        .add(row::Column::Name.is_in(names.iter().cloned()))
        .add(row::Column::Uscc.is_in(usccs.iter().cloned()));
    Ok(row::Entity::find()
        .filter(condition)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|r| EmployerRecord {
            name: r.name,
            uscc: r.uscc,
            founded_on: r.founded_on,
            deregistered_on: r.deregistered_on,
        })
        .collect())
}

/// Adds an employer to the registry (the console's import in a later issue; tests and the seed).
pub async fn insert(db: &Db, record: &EmployerRecord) -> Result<i64, StoreError> {
    use sea_orm::ActiveValue::Set;
    Ok(row::Entity::insert(row::ActiveModel {
        name: Set(record.name.clone()),
        uscc: Set(record.uscc.clone()),
        founded_on: Set(record.founded_on),
        deregistered_on: Set(record.deregistered_on),
        ..Default::default()
    })
    .exec(db.writer())
    .await?
    .last_insert_id)
}

// --- the console: search and import -----------------------------------------------------------

/// A registry row as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployerRow {
    pub id: i64,
    pub record: EmployerRecord,
}

#[derive(Debug, Clone)]
pub struct EmployerPage {
    pub rows: Vec<EmployerRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

pub const PAGE_SIZE: u64 = 50;

fn record_of(r: row::Model) -> EmployerRow {
    EmployerRow {
        id: r.id,
        record: EmployerRecord {
            name: r.name,
            uscc: r.uscc,
            founded_on: r.founded_on,
            deregistered_on: r.deregistered_on,
        },
    }
}

/// The registry by name, `query` matching part of the name or the whole credit code.
pub async fn search(db: &Db, query: Option<&str>, page: u64) -> Result<EmployerPage, StoreError> {
    use sea_orm::{PaginatorTrait, QueryOrder};
    let mut find = row::Entity::find();
    if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
        find = find.filter(
            Condition::any()
                .add(row::Column::Name.contains(q))
                .add(row::Column::Uscc.eq(q.to_uppercase())),
        );
    }
    let paginator = find
        .order_by_asc(row::Column::Name)
        .order_by_asc(row::Column::Id)
        .paginate(db.reader(), PAGE_SIZE);
    let counts = paginator.num_items_and_pages().await?;
    let page = page.clamp(1, std::cmp::max(counts.number_of_pages, 1));
    Ok(EmployerPage {
        rows: paginator
            .fetch_page(page - 1)
            .await?
            .into_iter()
            .map(record_of)
            .collect(),
        total: counts.number_of_items,
        page,
        pages: counts.number_of_pages,
    })
}

/// What an import did to the registry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportCounts {
    pub inserted: usize,
    pub updated: usize,
    /// Rows already in the registry exactly as in the file.
    pub unchanged: usize,
}

/// Writes `records` into the registry in the caller's transaction, keyed by unified social
/// credit code: a row with a code updates the registry row with that code (or adopts a row of
/// the same name that has none yet); a row without a code updates the registry row of that name.
/// Anything else is inserted. Importing the same file twice changes nothing the second time.
pub(crate) async fn upsert_all<C: sea_orm::ConnectionTrait>(
    conn: &C,
    records: &[EmployerRecord],
) -> Result<ImportCounts, StoreError> {
    use sea_orm::ActiveValue::Set;
    use std::collections::HashMap;

    // The registry rows the file can touch, looked up in bounded batches (SQLite's limit on
    // bound parameters) rather than once per row.
    let mut by_code: HashMap<String, row::Model> = HashMap::new();
    let mut by_name: HashMap<String, row::Model> = HashMap::new();
    let codes: Vec<String> = records.iter().filter_map(|r| r.uscc.clone()).collect();
    let names: Vec<String> = records.iter().map(|r| r.name.clone()).collect();
    for chunk in codes.chunks(500) {
        for r in row::Entity::find()
            .filter(row::Column::Uscc.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?
        {
            by_code.insert(r.uscc.clone().unwrap_or_default(), r);
        }
    }
    for chunk in names.chunks(500) {
        for r in row::Entity::find()
            .filter(row::Column::Name.is_in(chunk.iter().cloned()))
            .all(conn)
            .await?
        {
            // A row without a code is the better match for a name (a row with one is found by
            // its code); of several, the oldest.
            let better = match by_name.get(&r.name) {
                None => true,
                Some(kept) => kept.uscc.is_some() && r.uscc.is_none(),
            };
            if better {
                by_name.insert(r.name.clone(), r);
            }
        }
    }

    let mut counts = ImportCounts::default();
    let mut inserts = Vec::new();
    for record in records {
        let existing = match &record.uscc {
            Some(code) => by_code
                .get(code)
                .or_else(|| by_name.get(&record.name).filter(|r| r.uscc.is_none())),
            None => by_name.get(&record.name),
        }
        .cloned();
        match existing {
            None => inserts.push(row::ActiveModel {
                name: Set(record.name.clone()),
                uscc: Set(record.uscc.clone()),
                founded_on: Set(record.founded_on),
                deregistered_on: Set(record.deregistered_on),
                ..Default::default()
            }),
            Some(found) => {
                // A file without a code never removes the registry's code.
                let uscc = record.uscc.clone().or(found.uscc.clone());
                let same = found.name == record.name
                    && found.uscc == uscc
                    && found.founded_on == record.founded_on
                    && found.deregistered_on == record.deregistered_on;
                if same {
                    counts.unchanged += 1;
                    continue;
                }
                row::Entity::update(row::ActiveModel {
                    id: Set(found.id),
                    name: Set(record.name.clone()),
                    uscc: Set(uscc),
                    founded_on: Set(record.founded_on),
                    deregistered_on: Set(record.deregistered_on),
                })
                .exec(conn)
                .await?;
                counts.updated += 1;
            }
        }
    }
    counts.inserted = inserts.len();
    for chunk in inserts.chunks(500) {
        row::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(counts)
}
