//! What staff change in the catalogue from the console: occupations and their levels, tracks,
//! related occupations and eligibility alternatives. Each change is one transaction with its
//! audit line (before and after as JSON).
//!
//! An eligibility alternative is never deleted or changed in place: applications name the one
//! they claim by id, so "changing" one adds its replacement at the same place and retires the
//! old one, and "removing" one retires it. Retired rules stay readable for the applications that
//! claim them (`catalogue::retired_rule`) and are no longer offered.

use chrono::{DateTime, Utc};
use domain::catalogue::{EligibilityRule, Level};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::{Value, json};

use crate::audit::{self, NewEntry};
use crate::catalogue::{insert_rule, level_of, rule_record};
use crate::entities::{
    eligibility_rule as rule_row, occupation, occupation_level, plan, related_occupation, track,
    track_level,
};
use crate::{Db, StoreError};

/// Who makes a change, for the audit line.
#[derive(Debug, Clone)]
pub struct Editor<'a> {
    pub account_id: i64,
    /// The login name.
    pub login: &'a str,
    pub client_address: Option<String>,
}

/// Why a change was refused (the request was fine, the catalogue's state is not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    NotFound,
    /// Another occupation has this code.
    CodeTaken,
    /// The occupation does not have this level (a rule or track for it makes no sense).
    LevelMissing(Level),
    /// Plans exist for a level being removed.
    LevelInUse(Level),
    /// The rule was retired meanwhile (or before): it can no longer be changed.
    Retired,
    /// A replacement must be for the same level as the rule it replaces.
    LevelChanged,
}

pub type Edited<T> = Result<Result<T, EditError>, StoreError>;

async fn audit_line(
    txn: &DatabaseTransaction,
    editor: &Editor<'_>,
    action: &str,
    subject: (&str, i64),
    before: Option<Value>,
    after: Option<Value>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    audit::record(
        txn,
        NewEntry {
            actor_account_id: Some(editor.account_id),
            actor: editor.login,
            action,
            subject_type: subject.0,
            subject_id: subject.1.to_string(),
            before,
            after,
            client_address: editor.client_address.clone(),
        },
        now,
    )
    .await
}

// --- occupations ------------------------------------------------------------------------------

fn levels_json(levels: &[Level]) -> Value {
    json!(levels.iter().map(|l| l.get()).collect::<Vec<_>>())
}

async fn occupation_levels<C: ConnectionTrait>(
    conn: &C,
    occupation_id: i64,
) -> Result<Vec<Level>, StoreError> {
    occupation_level::Entity::find()
        .filter(occupation_level::Column::OccupationId.eq(occupation_id))
        .order_by_asc(occupation_level::Column::Level)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| level_of(l.level))
        .collect()
}

async fn code_taken<C: ConnectionTrait>(
    conn: &C,
    code: &str,
    except: Option<i64>,
) -> Result<bool, StoreError> {
    let mut q = occupation::Entity::find().filter(occupation::Column::Code.eq(code));
    if let Some(id) = except {
        q = q.filter(occupation::Column::Id.ne(id));
    }
    Ok(q.count(conn).await? > 0)
}

/// A new occupation with its levels (each named by its national name).
pub async fn create_occupation(
    db: &Db,
    code: &str,
    name: &str,
    levels: &[Level],
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<i64> {
    let txn = db.writer().begin().await?;
    if code_taken(&txn, code, None).await? {
        return Ok(Err(EditError::CodeTaken));
    }
    let id = occupation::Entity::insert(occupation::ActiveModel {
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    set_levels(&txn, id, levels).await?;
    let after = json!({ "code": code, "name": name, "levels": levels_json(levels) });
    audit_line(
        &txn,
        editor,
        "occupation.create",
        ("occupation", id),
        None,
        Some(after),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

async fn set_levels(
    txn: &DatabaseTransaction,
    occupation_id: i64,
    levels: &[Level],
) -> Result<(), StoreError> {
    occupation_level::Entity::delete_many()
        .filter(occupation_level::Column::OccupationId.eq(occupation_id))
        .exec(txn)
        .await?;
    for level in levels {
        occupation_level::Entity::insert(occupation_level::ActiveModel {
            occupation_id: Set(occupation_id),
            level: Set(i16::from(level.get())),
            name: Set(level.full_name().to_owned()),
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// Renames an occupation, changes its code and the levels it has. A level that plans use cannot
/// be removed.
pub async fn update_occupation(
    db: &Db,
    id: i64,
    code: &str,
    name: &str,
    levels: &[Level],
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<()> {
    let txn = db.writer().begin().await?;
    let Some(found) = occupation::Entity::find_by_id(id).one(&txn).await? else {
        return Ok(Err(EditError::NotFound));
    };
    if code_taken(&txn, code, Some(id)).await? {
        return Ok(Err(EditError::CodeTaken));
    }
    let before_levels = occupation_levels(&txn, id).await?;
    for removed in before_levels.iter().filter(|l| !levels.contains(l)) {
        let plans = plan::Entity::find()
            .filter(plan::Column::OccupationId.eq(id))
            .filter(plan::Column::Level.eq(i16::from(removed.get())))
            .count(&txn)
            .await?;
        if plans > 0 {
            return Ok(Err(EditError::LevelInUse(*removed)));
        }
    }
    occupation::Entity::update_many()
        .col_expr(occupation::Column::Code, Expr::value(code))
        .col_expr(occupation::Column::Name, Expr::value(name))
        .filter(occupation::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    set_levels(&txn, id, levels).await?;
    let before =
        json!({ "code": found.code, "name": found.name, "levels": levels_json(&before_levels) });
    let after = json!({ "code": code, "name": name, "levels": levels_json(levels) });
    audit_line(
        &txn,
        editor,
        "occupation.update",
        ("occupation", id),
        Some(before),
        Some(after),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(()))
}

// --- tracks -----------------------------------------------------------------------------------

async fn track_json<C: ConnectionTrait>(conn: &C, t: &track::Model) -> Result<Value, StoreError> {
    let levels: Vec<i16> = track_level::Entity::find()
        .filter(track_level::Column::TrackId.eq(t.id))
        .order_by_asc(track_level::Column::Level)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.level)
        .collect();
    Ok(json!({ "occupation_id": t.occupation_id, "name": t.name, "levels": levels }))
}

async fn check_levels_exist<C: ConnectionTrait>(
    conn: &C,
    occupation_id: i64,
    levels: &[Level],
) -> Result<Result<(), EditError>, StoreError> {
    let existing = occupation_levels(conn, occupation_id).await?;
    Ok(match levels.iter().find(|l| !existing.contains(l)) {
        Some(missing) => Err(EditError::LevelMissing(*missing)),
        None => Ok(()),
    })
}

async fn set_track_levels(
    txn: &DatabaseTransaction,
    track_id: i64,
    levels: &[Level],
) -> Result<(), StoreError> {
    track_level::Entity::delete_many()
        .filter(track_level::Column::TrackId.eq(track_id))
        .exec(txn)
        .await?;
    for level in levels {
        track_level::Entity::insert(track_level::ActiveModel {
            track_id: Set(track_id),
            level: Set(i16::from(level.get())),
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// A new track (方向) of an occupation, offered at `levels`, after the existing ones.
pub async fn add_track(
    db: &Db,
    occupation_id: i64,
    name: &str,
    levels: &[Level],
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<i64> {
    let txn = db.writer().begin().await?;
    if occupation::Entity::find_by_id(occupation_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Ok(Err(EditError::NotFound));
    }
    if let Err(e) = check_levels_exist(&txn, occupation_id, levels).await? {
        return Ok(Err(e));
    }
    let position = next_position(
        &txn,
        track::Entity::find()
            .filter(track::Column::OccupationId.eq(occupation_id))
            .select_only()
            .column_as(track::Column::Position.max(), "max")
            .into_tuple::<Option<i32>>(),
    )
    .await?;
    let id = track::Entity::insert(track::ActiveModel {
        occupation_id: Set(occupation_id),
        name: Set(name.to_owned()),
        position: Set(position),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    set_track_levels(&txn, id, levels).await?;
    let after =
        json!({ "occupation_id": occupation_id, "name": name, "levels": levels_json(levels) });
    audit_line(
        &txn,
        editor,
        "track.create",
        ("track", id),
        None,
        Some(after),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

async fn next_position<C: ConnectionTrait>(
    conn: &C,
    query: sea_orm::Selector<sea_orm::SelectGetableTuple<Option<i32>>>,
) -> Result<i32, StoreError> {
    let max = query.one(conn).await?.flatten();
    Ok(max.map_or(0, |m| m.saturating_add(1)))
}

/// Renames a track and sets its levels.
pub async fn update_track(
    db: &Db,
    track_id: i64,
    name: &str,
    levels: &[Level],
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<()> {
    let txn = db.writer().begin().await?;
    let Some(found) = track::Entity::find_by_id(track_id).one(&txn).await? else {
        return Ok(Err(EditError::NotFound));
    };
    if let Err(e) = check_levels_exist(&txn, found.occupation_id, levels).await? {
        return Ok(Err(e));
    }
    let before = track_json(&txn, &found).await?;
    track::Entity::update_many()
        .col_expr(track::Column::Name, Expr::value(name))
        .filter(track::Column::Id.eq(track_id))
        .exec(&txn)
        .await?;
    set_track_levels(&txn, track_id, levels).await?;
    let after = json!({ "occupation_id": found.occupation_id, "name": name, "levels": levels_json(levels) });
    audit_line(
        &txn,
        editor,
        "track.update",
        ("track", track_id),
        Some(before),
        Some(after),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(()))
}

/// Removes a track. Applications keep the track name they chose (it is text in the form).
pub async fn remove_track(
    db: &Db,
    track_id: i64,
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<i64> {
    let txn = db.writer().begin().await?;
    let Some(found) = track::Entity::find_by_id(track_id).one(&txn).await? else {
        return Ok(Err(EditError::NotFound));
    };
    let before = track_json(&txn, &found).await?;
    track_level::Entity::delete_many()
        .filter(track_level::Column::TrackId.eq(track_id))
        .exec(&txn)
        .await?;
    track::Entity::delete_by_id(track_id).exec(&txn).await?;
    audit_line(
        &txn,
        editor,
        "track.remove",
        ("track", track_id),
        Some(before),
        None,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(found.occupation_id))
}

// --- related occupations ----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
}

pub async fn related(db: &Db, occupation_id: i64) -> Result<Vec<Related>, StoreError> {
    Ok(related_occupation::Entity::find()
        .filter(related_occupation::Column::OccupationId.eq(occupation_id))
        .order_by_asc(related_occupation::Column::Position)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|r| Related {
            id: r.id,
            name: r.name,
            code: r.code,
        })
        .collect())
}

pub async fn add_related(
    db: &Db,
    occupation_id: i64,
    name: &str,
    code: Option<&str>,
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<i64> {
    let txn = db.writer().begin().await?;
    if occupation::Entity::find_by_id(occupation_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Ok(Err(EditError::NotFound));
    }
    let position = next_position(
        &txn,
        related_occupation::Entity::find()
            .filter(related_occupation::Column::OccupationId.eq(occupation_id))
            .select_only()
            .column_as(related_occupation::Column::Position.max(), "max")
            .into_tuple::<Option<i32>>(),
    )
    .await?;
    let id = related_occupation::Entity::insert(related_occupation::ActiveModel {
        occupation_id: Set(occupation_id),
        name: Set(name.to_owned()),
        code: Set(code.map(str::to_owned)),
        position: Set(position),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    let after = json!({ "occupation_id": occupation_id, "name": name, "code": code });
    audit_line(
        &txn,
        editor,
        "related_occupation.create",
        ("related_occupation", id),
        None,
        Some(after),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// Removes a related occupation; returns its occupation's id.
pub async fn remove_related(
    db: &Db,
    id: i64,
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<i64> {
    let txn = db.writer().begin().await?;
    let Some(found) = related_occupation::Entity::find_by_id(id).one(&txn).await? else {
        return Ok(Err(EditError::NotFound));
    };
    related_occupation::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    let before =
        json!({ "occupation_id": found.occupation_id, "name": found.name, "code": found.code });
    audit_line(
        &txn,
        editor,
        "related_occupation.remove",
        ("related_occupation", id),
        Some(before),
        None,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(found.occupation_id))
}

// --- eligibility alternatives -----------------------------------------------------------------

/// A rule as the audit log keeps it: its parts, and the sentence staff saw.
fn rule_json(id: i64, occupation_id: i64, rule: &EligibilityRule, sentence: &str) -> Value {
    json!({
        "id": id,
        "occupation_id": occupation_id,
        "level": rule.level().get(),
        "fields": rule.fields(),
        "sentence": sentence,
    })
}

/// Adds an alternative after the level's others; `sentence` is its wording, for the audit line.
pub async fn create_rule(
    db: &Db,
    occupation_id: i64,
    rule: &EligibilityRule,
    sentence: &str,
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<i64> {
    let txn = db.writer().begin().await?;
    if occupation::Entity::find_by_id(occupation_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Ok(Err(EditError::NotFound));
    }
    if let Err(e) = check_levels_exist(&txn, occupation_id, &[rule.level()]).await? {
        return Ok(Err(e));
    }
    let position = next_position(
        &txn,
        rule_row::Entity::find()
            .filter(rule_row::Column::OccupationId.eq(occupation_id))
            .filter(rule_row::Column::Level.eq(i16::from(rule.level().get())))
            .select_only()
            .column_as(rule_row::Column::Position.max(), "max")
            .into_tuple::<Option<i32>>(),
    )
    .await?;
    let id = insert_rule(&txn, occupation_id, position, rule).await?;
    audit_line(
        &txn,
        editor,
        "eligibility_rule.create",
        ("eligibility_rule", id),
        None,
        Some(rule_json(id, occupation_id, rule, sentence)),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(id))
}

/// Retires rule `id` if it is live; in the caller's transaction.
async fn retire_live(txn: &DatabaseTransaction, id: i64) -> Edited<crate::catalogue::RuleRecord> {
    let Some(found) = rule_record(txn, id).await? else {
        return Ok(Err(EditError::NotFound));
    };
    // Conditional: of two editors retiring or replacing the same rule, one wins.
    let changed = rule_row::Entity::update_many()
        .col_expr(rule_row::Column::Retired, Expr::value(true))
        .filter(rule_row::Column::Id.eq(id))
        .filter(rule_row::Column::Retired.eq(false))
        .exec(txn)
        .await?
        .rows_affected;
    if changed != 1 {
        return Ok(Err(EditError::Retired));
    }
    Ok(Ok(found))
}

/// Changes an alternative: its replacement takes its place (a new id) and the old one is
/// retired, so applications that claim the old one keep it. Returns the replacement's id.
pub async fn replace_rule(
    db: &Db,
    id: i64,
    rule: &EligibilityRule,
    sentence_of: &(dyn Fn(&EligibilityRule) -> String + Sync),
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<i64> {
    let txn = db.writer().begin().await?;
    let old = match retire_live(&txn, id).await? {
        Ok(old) => old,
        Err(e) => return Ok(Err(e)),
    };
    if old.rule.level() != rule.level() {
        return Ok(Err(EditError::LevelChanged));
    }
    let new_id = insert_rule(&txn, old.occupation_id, old.position, rule).await?;
    audit_line(
        &txn,
        editor,
        "eligibility_rule.replace",
        ("eligibility_rule", id),
        Some(rule_json(
            id,
            old.occupation_id,
            &old.rule,
            &sentence_of(&old.rule),
        )),
        Some(rule_json(
            new_id,
            old.occupation_id,
            rule,
            &sentence_of(rule),
        )),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(new_id))
}

/// Retires an alternative (staff "remove" it). Returns its occupation's id.
pub async fn retire_rule(
    db: &Db,
    id: i64,
    sentence_of: &(dyn Fn(&EligibilityRule) -> String + Sync),
    editor: &Editor<'_>,
    now: DateTime<Utc>,
) -> Edited<i64> {
    let txn = db.writer().begin().await?;
    let old = match retire_live(&txn, id).await? {
        Ok(old) => old,
        Err(e) => return Ok(Err(e)),
    };
    let snapshot = rule_json(id, old.occupation_id, &old.rule, &sentence_of(&old.rule));
    let mut after = snapshot.clone();
    after["retired"] = Value::Bool(true);
    audit_line(
        &txn,
        editor,
        "eligibility_rule.retire",
        ("eligibility_rule", id),
        Some(snapshot),
        Some(after),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(old.occupation_id))
}
