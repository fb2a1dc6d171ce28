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
