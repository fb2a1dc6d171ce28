//! The catalogue as staff edit it, on both backends: an alternative is stored and read back as
//! it was; changing one adds its replacement and retires the original (still readable for the
//! applications that claim it, no longer offered); every change has its audit line; and the
//! employer registry's import applies once, without duplicates.

use chrono::{NaiveDate, Utc};
use domain::applications::employers::EmployerRecord;
use domain::catalogue::Level;
use domain::catalogue::eligibility::{
    ConditionKind, EducationRequirement, EligibilityRule, RuleFields, YearsCountedFrom,
    standard_education_names,
};
use proptest::prelude::*;
use store::Db;
use store::audit::{self, Search};
use store::catalogue_edits::{self as edits, EditError, Editor};
use store::employer_imports::{self, ApplyError, StagedRow};

mod common;

fn level(n: u8) -> Level {
    Level::new(n).unwrap()
}

fn words(rule: &EligibilityRule) -> String {
    rule.sentence(&standard_education_names)
}

async fn admin(db: &Db, login: &str) -> i64 {
    store::accounts::create_staff(
        db,
        login,
        "管理员",
        &[domain::accounts::StaffRole::Administrator],
        "x".into(),
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap()
}

fn editor(account_id: i64) -> Editor<'static> {
    Editor {
        account_id,
        login: "admin1",
        client_address: Some("127.0.0.1".into()),
    }
}

async fn e_commerce(db: &Db) -> i64 {
    common::with_plan(db).await;
    store::catalogue::occupations(db).await.unwrap()[0].0
}

async fn changing_a_rule_retires_it_and_its_replacement_takes_its_place(db: Db) {
    let occupation = e_commerce(&db).await;
    let me = admin(&db, "admin1").await;
    let before = store::catalogue::rules_with_ids(&db, occupation, level(4))
        .await
        .unwrap();
    let (old_id, old_rule) = before[0].clone();
    let replacement = EligibilityRule::parse(
        level(4),
        RuleFields {
            required_level: Some(5),
            years_of_work: Some(3),
            years_counted_from: YearsCountedFrom::Certificate,
            ..RuleFields::new(ConditionKind::Certificate)
        },
    )
    .unwrap();
    let new_id = edits::replace_rule(&db, old_id, &replacement, &words, &editor(me), Utc::now())
        .await
        .unwrap()
        .unwrap();

    let after = store::catalogue::rules_with_ids(&db, occupation, level(4))
        .await
        .unwrap();
    assert_eq!(after.len(), before.len(), "one out, one in");
    assert_eq!(
        after[0],
        (new_id, replacement.clone()),
        "in the old one's place"
    );
    assert!(
        after.iter().all(|(id, _)| *id != old_id),
        "no longer offered"
    );
    assert_eq!(
        store::catalogue::retired_rule(&db, old_id, occupation, level(4))
            .await
            .unwrap(),
        Some(old_rule.clone()),
        "still readable for the applications that claim it"
    );
    assert_eq!(
        store::catalogue::retired_rule(&db, old_id, occupation, level(3))
            .await
            .unwrap(),
        None,
        "only for its own level"
    );
    // A retired rule cannot be changed or retired again.
    assert_eq!(
        edits::replace_rule(&db, old_id, &replacement, &words, &editor(me), Utc::now())
            .await
            .unwrap(),
        Err(EditError::Retired)
    );
    assert_eq!(
        edits::retire_rule(&db, old_id, &words, &editor(me), Utc::now())
            .await
            .unwrap(),
        Err(EditError::Retired)
    );
    // Another level's rule cannot replace it.
    let other_level = EligibilityRule::parse(
        level(5),
        RuleFields {
            years_of_work: Some(1),
            ..RuleFields::new(ConditionKind::Experience)
        },
    )
    .unwrap();
    assert_eq!(
        edits::replace_rule(&db, new_id, &other_level, &words, &editor(me), Utc::now())
            .await
            .unwrap(),
        Err(EditError::LevelChanged)
    );

    let lines = audit::search(
        &db,
        &Search {
            action: Some("eligibility_rule.".into()),
            ..Search::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(lines.total, 1, "refusals leave no line");
    let line = &lines.entries[0];
    assert_eq!(line.action, "eligibility_rule.replace");
    assert_eq!(line.actor, "admin1");
    assert_eq!(line.before.as_ref().unwrap()["id"], old_id);
    assert_eq!(line.after.as_ref().unwrap()["id"], new_id);
    assert_eq!(
        line.after.as_ref().unwrap()["sentence"],
        serde_json::Value::String(words(&replacement))
    );
}

async fn a_level_the_occupation_lacks_takes_no_rules_and_a_planned_level_stays(db: Db) {
    let occupation = e_commerce(&db).await;
    let me = admin(&db, "admin1").await;
    let id = edits::create_occupation(
        &db,
        "4-01-02-03",
        "互联网营销师",
        &[level(5)],
        &editor(me),
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    let rule = EligibilityRule::parse(
        level(4),
        RuleFields {
            years_of_work: Some(6),
            ..RuleFields::new(ConditionKind::Experience)
        },
    )
    .unwrap();
    assert_eq!(
        edits::create_rule(&db, id, &rule, "…", &editor(me), Utc::now())
            .await
            .unwrap(),
        Err(EditError::LevelMissing(level(4)))
    );
    assert_eq!(
        edits::create_occupation(
            &db,
            "4-01-02-03",
            "重复",
            &[level(5)],
            &editor(me),
            Utc::now()
        )
        .await
        .unwrap(),
        Err(EditError::CodeTaken)
    );
    // The seed has a plan at every level of 电子商务师: none can be taken away.
    assert_eq!(
        edits::update_occupation(
            &db,
            occupation,
            "4-01-02-02",
            "电子商务师",
            &[level(1), level(2), level(3), level(4)],
            &editor(me),
            Utc::now()
        )
        .await
        .unwrap(),
        Err(EditError::LevelInUse(level(5)))
    );
}

fn record(name: &str, uscc: Option<&str>, founded: Option<(i32, u32, u32)>) -> EmployerRecord {
    EmployerRecord {
        name: name.into(),
        uscc: uscc.map(str::to_owned),
        founded_on: founded.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
        deregistered_on: None,
    }
}

fn staged(records: &[EmployerRecord]) -> Vec<StagedRow> {
    records
        .iter()
        .enumerate()
        .map(|(i, r)| StagedRow {
            row: i + 2,
            record: r.clone(),
        })
        .collect()
}

async fn an_import_applies_once_and_twice_the_same_file_adds_nothing(db: Db) {
    common::with_plan(&db).await;
    let me = admin(&db, "admin1").await;
    let someone = admin(&db, "admin2").await;
    store::employers::insert(&db, &record("老单位", None, None))
        .await
        .unwrap();
    let file = [
        record("甲公司", Some("91450100MA5K123450"), Some((2010, 1, 1))),
        record("老单位", None, Some((2001, 2, 3))),
        record("乙公司", None, None),
    ];
    let first = employer_imports::stage(&db, me, "名录.csv", &staged(&file), 1, Utc::now())
        .await
        .unwrap();
    // Only its author confirms it.
    assert_eq!(
        employer_imports::apply(&db, first, &editor(someone), Utc::now())
            .await
            .unwrap(),
        Err(ApplyError::NotFound)
    );
    let counts = employer_imports::apply(&db, first, &editor(me), Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (counts.inserted, counts.updated, counts.unchanged),
        (2, 1, 0)
    );
    assert_eq!(
        employer_imports::apply(&db, first, &editor(me), Utc::now())
            .await
            .unwrap(),
        Err(ApplyError::AlreadyApplied)
    );

    let again = employer_imports::stage(&db, me, "名录.csv", &staged(&file), 0, Utc::now())
        .await
        .unwrap();
    let counts = employer_imports::apply(&db, again, &editor(me), Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (counts.inserted, counts.updated, counts.unchanged),
        (0, 0, 3)
    );
    let all = store::employers::search(&db, None, 1).await.unwrap();
    assert_eq!(all.total, 3, "{:?}", all.rows);
    let found = store::employers::search(&db, Some("91450100ma5k123450"), 1)
        .await
        .unwrap();
    assert_eq!(found.rows[0].record.name, "甲公司");

    // A later file renames the company with that code rather than adding another.
    let renamed = [record(
        "甲集团公司",
        Some("91450100MA5K123450"),
        Some((2010, 1, 1)),
    )];
    let third = employer_imports::stage(&db, me, "更名.xlsx", &staged(&renamed), 0, Utc::now())
        .await
        .unwrap();
    let counts = employer_imports::apply(&db, third, &editor(me), Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((counts.inserted, counts.updated), (0, 1));
    assert_eq!(
        store::employers::search(&db, None, 1).await.unwrap().total,
        3
    );

    // A check nobody confirmed within a day cannot be applied, and goes with the next check.
    let stale = employer_imports::stage(
        &db,
        me,
        "旧.csv",
        &staged(&file),
        0,
        Utc::now() - chrono::Duration::hours(25),
    )
    .await
    .unwrap();
    assert_eq!(
        employer_imports::apply(&db, stale, &editor(me), Utc::now())
            .await
            .unwrap(),
        Err(ApplyError::Expired)
    );
    employer_imports::stage(&db, me, "新.csv", &staged(&file), 0, Utc::now())
        .await
        .unwrap();
    assert!(
        employer_imports::get(&db, stale, me)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        employer_imports::get(&db, third, me)
            .await
            .unwrap()
            .is_some(),
        "applied imports stay, with their counts"
    );

    let lines = audit::search(
        &db,
        &Search {
            action: Some("employer.import".into()),
            ..Search::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(lines.total, 3);
    let newest = lines.entries[0].after.clone().unwrap();
    assert_eq!(newest["file_name"], "更名.xlsx");
    assert_eq!(newest["updated"], 1);
}

on_both!(
    changing_a_rule_retires_it_and_its_replacement_takes_its_place,
    a_level_the_occupation_lacks_takes_no_rules_and_a_planned_level_stays,
    an_import_applies_once_and_twice_the_same_file_adds_nothing
);

// --- every accepted rule round-trips through storage ------------------------------------------

fn any_fields() -> impl Strategy<Value = RuleFields> {
    (
        prop::sample::select(ConditionKind::ALL.to_vec()),
        prop::option::of(1u8..=5),
        prop::option::of(1u8..=30),
        prop::sample::select(YearsCountedFrom::ALL.to_vec()),
        prop::option::of((
            // Codes as anyone might type them: separators and spaces included, which the rule
            // must refuse rather than store as something else.
            prop::collection::vec("[0-9A-Z ,]{0,9}", 0..20),
            any::<bool>(),
            any::<bool>(),
        )),
        any::<bool>(),
    )
        .prop_map(
            |(kind, required_level, years, counted, education, related)| RuleFields {
                kind,
                required_level,
                years_of_work: years,
                years_counted_from: counted,
                education: education.map(|(codes, or_above, related_major)| EducationRequirement {
                    codes,
                    or_above,
                    related_major,
                }),
                related_occupation: related,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    #[test]
    fn every_accepted_rule_has_a_sentence_and_is_read_back_as_stored(
        n in 1u8..=5,
        fields in any_fields(),
    ) {
        let Ok(rule) = EligibilityRule::parse(level(n), fields) else {
            return Ok(());
        };
        prop_assert!(!words(&rule).trim().is_empty());
        let read = ROUND_TRIP.with(|rt| rt.store_and_read(&rule));
        prop_assert_eq!(read, rule);
    }
}

/// One seeded SQLite database for all the cases (a database per case would be slow).
struct RoundTrip {
    runtime: tokio::runtime::Runtime,
    db: Db,
    occupation: i64,
    _dir: tempfile::TempDir,
}

impl RoundTrip {
    fn new() -> RoundTrip {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (db, dir, occupation) = runtime.block_on(async {
            let (db, dir) = common::sqlite().await;
            let occupation = e_commerce(&db).await;
            (db, dir, occupation)
        });
        RoundTrip {
            runtime,
            db,
            occupation,
            _dir: dir,
        }
    }

    fn store_and_read(&self, rule: &EligibilityRule) -> EligibilityRule {
        self.runtime.block_on(async {
            let id = store::catalogue::insert_rule(self.db.writer(), self.occupation, 99, rule)
                .await
                .unwrap();
            store::catalogue::rule_record(self.db.reader(), id)
                .await
                .unwrap()
                .unwrap()
                .rule
        })
    }
}

thread_local! {
    static ROUND_TRIP: RoundTrip = RoundTrip::new();
}
