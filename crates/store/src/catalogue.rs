//! The catalogue: occupations, their levels and tracks, related occupations, and each level's
//! eligibility alternatives stored as structured rules (see `domain::catalogue::eligibility`).

use domain::catalogue::Level;
use domain::catalogue::eligibility::{
    ConditionKind, EducationRequirement, EligibilityRule, RuleFields, YearsCountedFrom,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use crate::entities::{
    eligibility_rule as rule_row, occupation, occupation_level, related_occupation, track,
    track_level,
};
use crate::{Db, StoreError};

#[derive(Debug, Clone)]
pub struct Occupation {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub levels: Vec<(Level, String)>,
    pub tracks: Vec<Track>,
    pub related: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Track {
    pub id: i64,
    pub name: String,
    pub levels: Vec<Level>,
}

impl Occupation {
    /// The tracks a candidate chooses from at `level` (none: the level has no tracks).
    pub fn tracks_at(&self, level: Level) -> Vec<&str> {
        self.tracks
            .iter()
            .filter(|t| t.levels.contains(&level))
            .map(|t| t.name.as_str())
            .collect()
    }
}

pub async fn occupation(db: &Db, id: i64) -> Result<Option<Occupation>, StoreError> {
    let conn = db.reader();
    let Some(found) = occupation::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let levels = occupation_level::Entity::find()
        .filter(occupation_level::Column::OccupationId.eq(id))
        .order_by_asc(occupation_level::Column::Level)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|l| Some((level_of(l.level).ok()?, l.name)))
        .collect();
    let mut tracks = Vec::new();
    for t in track::Entity::find()
        .filter(track::Column::OccupationId.eq(id))
        .order_by_asc(track::Column::Position)
        .all(conn)
        .await?
    {
        let levels = track_level::Entity::find()
            .filter(track_level::Column::TrackId.eq(t.id))
            .order_by_asc(track_level::Column::Level)
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|l| level_of(l.level).ok())
            .collect();
        tracks.push(Track {
            id: t.id,
            name: t.name,
            levels,
        });
    }
    let related = related_occupation::Entity::find()
        .filter(related_occupation::Column::OccupationId.eq(id))
        .order_by_asc(related_occupation::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect();
    Ok(Some(Occupation {
        id: found.id,
        code: found.code,
        name: found.name,
        levels,
        tracks,
        related,
    }))
}

/// The eligibility alternatives of one level, in their display order.
pub async fn rules(
    db: &Db,
    occupation_id: i64,
    level: Level,
) -> Result<Vec<EligibilityRule>, StoreError> {
    Ok(rules_with_ids(db, occupation_id, level)
        .await?
        .into_iter()
        .map(|(_, rule)| rule)
        .collect())
}

/// As [`rules`], with each rule's id (what a candidate's declaration names). Retired rules are
/// left out: they are no longer offered (see [`retired_rule`] for an application that claims one).
pub async fn rules_with_ids(
    db: &Db,
    occupation_id: i64,
    level: Level,
) -> Result<Vec<(i64, EligibilityRule)>, StoreError> {
    rule_row::Entity::find()
        .filter(rule_row::Column::OccupationId.eq(occupation_id))
        .filter(rule_row::Column::Level.eq(i16::from(level.get())))
        .filter(rule_row::Column::Retired.eq(false))
        .order_by_asc(rule_row::Column::Position)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|r| {
            let id = r.id;
            EligibilityRule::parse(level, fields_of(r)?)
                .map(|rule| (id, rule))
                .map_err(|e| StoreError::Corrupt(format!("eligibility rule {id}: {e}")))
        })
        .collect()
}

/// A rule as the console lists it: retired ones too, with where they stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRecord {
    pub id: i64,
    pub occupation_id: i64,
    pub position: i32,
    pub retired: bool,
    pub rule: EligibilityRule,
}

fn record_of(r: rule_row::Model) -> Result<RuleRecord, StoreError> {
    let (id, occupation_id, position, retired) = (r.id, r.occupation_id, r.position, r.retired);
    let level = level_of(r.level)?;
    let rule = EligibilityRule::parse(level, fields_of(r)?)
        .map_err(|e| StoreError::Corrupt(format!("eligibility rule {id}: {e}")))?;
    Ok(RuleRecord {
        id,
        occupation_id,
        position,
        retired,
        rule,
    })
}

/// Every rule of an occupation, retired ones included, by level (一级 first) and position.
pub async fn all_rules(db: &Db, occupation_id: i64) -> Result<Vec<RuleRecord>, StoreError> {
    rule_row::Entity::find()
        .filter(rule_row::Column::OccupationId.eq(occupation_id))
        .order_by_asc(rule_row::Column::Level)
        .order_by_asc(rule_row::Column::Retired)
        .order_by_asc(rule_row::Column::Position)
        .order_by_asc(rule_row::Column::Id)
        .all(db.reader())
        .await?
        .into_iter()
        .map(record_of)
        .collect()
}

/// One rule by id, retired or not.
pub async fn rule_record<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<RuleRecord>, StoreError> {
    rule_row::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(record_of)
        .transpose()
}

/// A retired rule of this occupation and level: what an application that claimed it before it
/// was retired is still judged by (anything else is `None`).
pub async fn retired_rule(
    db: &Db,
    id: i64,
    occupation_id: i64,
    level: Level,
) -> Result<Option<EligibilityRule>, StoreError> {
    Ok(rule_record(db.reader(), id)
        .await?
        .filter(|r| r.retired && r.occupation_id == occupation_id && r.rule.level() == level)
        .map(|r| r.rule))
}

/// The occupations, by code, for the console's list.
pub async fn occupations(db: &Db) -> Result<Vec<(i64, String, String)>, StoreError> {
    Ok(occupation::Entity::find()
        .order_by_asc(occupation::Column::Code)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|o| (o.id, o.code, o.name))
        .collect())
}

fn fields_of(r: rule_row::Model) -> Result<RuleFields, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("eligibility rule {}: {what}", r.id));
    let kind = ConditionKind::parse(&r.kind).ok_or_else(|| corrupt("kind"))?;
    let years_counted_from = YearsCountedFrom::parse(&r.years_counted_from)
        .ok_or_else(|| corrupt("years_counted_from"))?;
    let education = r
        .education_codes
        .as_deref()
        .map(|codes| EducationRequirement {
            codes: codes
                .split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect(),
            or_above: r.education_or_above,
            related_major: r.related_major,
        });
    Ok(RuleFields {
        kind,
        required_level: r
            .required_level
            .map(|l| u8::try_from(l).map_err(|_| corrupt("required_level")))
            .transpose()?,
        years_of_work: r
            .years_of_work
            .map(|y| u8::try_from(y).map_err(|_| corrupt("years_of_work")))
            .transpose()?,
        years_counted_from,
        education,
        related_occupation: r.related_occupation,
    })
}

/// Appends one rule to a level; used by the seed and the staff console. Returns its id.
pub async fn insert_rule<C: ConnectionTrait>(
    conn: &C,
    occupation_id: i64,
    position: i32,
    rule: &EligibilityRule,
) -> Result<i64, StoreError> {
    let f = rule.fields();
    Ok(rule_row::Entity::insert(rule_row::ActiveModel {
        occupation_id: Set(occupation_id),
        level: Set(i16::from(rule.level().get())),
        position: Set(position),
        kind: Set(f.kind.code().to_owned()),
        required_level: Set(f.required_level.map(i16::from)),
        years_of_work: Set(f.years_of_work.map(i16::from)),
        years_counted_from: Set(f.years_counted_from.code().to_owned()),
        education_codes: Set(f.education.as_ref().map(|e| e.codes.join(","))),
        education_or_above: Set(f.education.as_ref().is_some_and(|e| e.or_above)),
        related_major: Set(f.education.as_ref().is_some_and(|e| e.related_major)),
        related_occupation: Set(f.related_occupation),
        retired: Set(false),
        ..Default::default()
    })
    .exec(conn)
    .await?
    .last_insert_id)
}

pub(crate) fn level_of(n: i16) -> Result<Level, StoreError> {
    u8::try_from(n)
        .ok()
        .and_then(Level::new)
        .ok_or_else(|| StoreError::Corrupt(format!("level {n}")))
}
