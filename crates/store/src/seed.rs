//! First-start data: the code tables, the 电子商务师 catalogue (levels, tracks, eligibility
//! alternatives, related occupations), two exam sites and one demo plan per level, open for
//! registration from the moment of seeding. Runs once, in one transaction, when the catalogue is
//! empty; everything it writes is ordinary data that staff can edit later.

use chrono::{DateTime, Datelike, Duration, DurationRound, Utc};
use domain::catalogue::Level;
use domain::catalogue::eligibility::{EligibilityRule, standard_rules_for_e_commerce};
use domain::money::Fen;
use domain::plans::{ExamWindow, RegistrationWindow};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    TransactionTrait,
};

use crate::catalogue::insert_rule;
use crate::code_tables::{CODE_LISTS, DIVISIONS_CSV, RELATED_OCCUPATIONS_CSV, csv_rows};
use crate::entities::{
    code_item, division, exam_site, occupation, occupation_level, related_occupation, track,
    track_level,
};
use crate::plans::{self, NewPlan};
use crate::{Db, StoreError};

pub const E_COMMERCE_CODE: &str = "4-01-02-02";
pub const E_COMMERCE_NAME: &str = "电子商务师";

/// Seeds an empty database; returns whether it did.
pub async fn seed_if_empty(db: &Db, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let txn = db.writer().begin().await?;
    if occupation::Entity::find().count(&txn).await? > 0 {
        return Ok(false);
    }
    seed_code_tables(&txn).await?;
    let occupation_id = seed_e_commerce(&txn).await?;
    seed_demo_plans(&txn, occupation_id, now).await?;
    txn.commit().await?;
    Ok(true)
}

async fn seed_code_tables(txn: &DatabaseTransaction) -> Result<(), StoreError> {
    for (kind, csv) in CODE_LISTS {
        let rows: Vec<_> = csv_rows(csv)
            .into_iter()
            .enumerate()
            .map(|(i, r)| code_item::ActiveModel {
                kind: Set((*kind).to_owned()),
                code: Set(r["code"].to_owned()),
                name: Set(r["name"].to_owned()),
                position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                rank: Set(r.get("rank").and_then(|v| v.parse().ok())),
            })
            .collect();
        code_item::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await?;
    }
    let divisions: Vec<_> = csv_rows(DIVISIONS_CSV)
        .into_iter()
        .map(|r| division::ActiveModel {
            code: Set(r["code"].to_owned()),
            name: Set(r["name"].to_owned()),
            parent_code: Set(Some(r["parent"])
                .filter(|p| !p.is_empty())
                .map(str::to_owned)),
            kind: Set(r["kind"].to_owned()),
        })
        .collect();
    // Bounded batches: SQLite allows at most 32,766 bound parameters per statement.
    for chunk in divisions.chunks(500) {
        division::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

async fn seed_e_commerce(txn: &DatabaseTransaction) -> Result<i64, StoreError> {
    let occupation_id = occupation::Entity::insert(occupation::ActiveModel {
        code: Set(E_COMMERCE_CODE.to_owned()),
        name: Set(E_COMMERCE_NAME.to_owned()),
        ..Default::default()
    })
    .exec(txn)
    .await?
    .last_insert_id;
    for level in Level::ALL {
        occupation_level::Entity::insert(occupation_level::ActiveModel {
            occupation_id: Set(occupation_id),
            level: Set(i16::from(level.get())),
            name: Set(level.full_name().to_owned()),
        })
        .exec_without_returning(txn)
        .await?;
    }
    for (position, name) in ["网商", "跨境电子商务师"].into_iter().enumerate() {
        let track_id = track::Entity::insert(track::ActiveModel {
            occupation_id: Set(occupation_id),
            name: Set(name.to_owned()),
            position: Set(i32::try_from(position).unwrap_or_default()),
            ..Default::default()
        })
        .exec(txn)
        .await?
        .last_insert_id;
        // Tracks exist for levels 5 to 2; level 1 is one undivided level.
        for level in 2..=5 {
            track_level::Entity::insert(track_level::ActiveModel {
                track_id: Set(track_id),
                level: Set(level),
            })
            .exec_without_returning(txn)
            .await?;
        }
    }
    let mut position_in_level = std::collections::HashMap::new();
    for (level, fields) in standard_rules_for_e_commerce() {
        let rule = EligibilityRule::parse(level, fields).map_err(|e| {
            StoreError::Corrupt(format!("built-in rule for level {}: {e}", level.get()))
        })?;
        let position = position_in_level.entry(level.get()).or_insert(0);
        insert_rule(txn, occupation_id, *position, &rule).await?;
        *position += 1;
    }
    for (position, r) in csv_rows(RELATED_OCCUPATIONS_CSV).into_iter().enumerate() {
        related_occupation::Entity::insert(related_occupation::ActiveModel {
            occupation_id: Set(occupation_id),
            name: Set(r["name"].to_owned()),
            code: Set(r
                .get("code")
                .filter(|c| !c.is_empty())
                .map(|c| (*c).to_owned())),
            position: Set(i32::try_from(position).unwrap_or_default()),
            ..Default::default()
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(occupation_id)
}

/// Fee in fen and capacity of each level's demo plan.
fn demo_terms(level: Level) -> (i64, u32) {
    match level.get() {
        5 => (15_000, 200),
        4 => (20_000, 150),
        3 => (28_000, 100),
        2 => (45_000, 60),
        _ => (60_000, 40),
    }
}

async fn seed_demo_plans<C: ConnectionTrait>(
    conn: &C,
    occupation_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut site_ids = Vec::new();
    for (name, address, division) in [
        (
            "南宁职业技能鉴定中心考点",
            "广西壮族自治区南宁市青秀区民族大道 100 号",
            "450103",
        ),
        (
            "柳州职业技术学院考点",
            "广西壮族自治区柳州市鱼峰区社湾路 28 号",
            "450203",
        ),
    ] {
        let id = exam_site::Entity::insert(exam_site::ActiveModel {
            name: Set(name.to_owned()),
            address: Set(address.to_owned()),
            division_code: Set(Some(division.to_owned())),
            ..Default::default()
        })
        .exec(conn)
        .await?
        .last_insert_id;
        site_ids.push(id);
    }
    // Whole minutes, so the windows read cleanly on the page.
    let start = now.duration_trunc(Duration::minutes(1)).unwrap_or(now) - Duration::hours(1);
    let local = start.with_timezone(&domain::time::shanghai());
    for level in Level::ALL {
        let (fee, capacity) = demo_terms(level);
        let registration = RegistrationWindow::new(start, start + Duration::days(30))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let exam_start = start + Duration::days(37);
        let exam = ExamWindow::new(exam_start, exam_start + Duration::hours(3))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        plans::insert(
            conn,
            NewPlan {
                code: format!("{}{:02}{}", local.year(), local.month(), level.get()),
                // Like the seed's "电子商务师 一级 (11)", with the round spelled out.
                name: format!(
                    "{E_COMMERCE_NAME} {} ({}年{}月批次)",
                    level.short_name(),
                    local.year(),
                    local.month()
                ),
                occupation_id,
                level,
                registration,
                exam,
                fee: Fen(fee),
                capacity,
                site_ids: site_ids.clone(),
                payment_closes_at: None,
            },
            now,
        )
        .await?;
    }
    Ok(())
}
