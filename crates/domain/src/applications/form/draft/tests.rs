use super::*;
use crate::applications::form::test_support::*;
use crate::applications::form::{ApplicationDraft, Declaration, EducationInfo};
use crate::catalogue::standard_rules_for_e_commerce;

fn rules() -> Vec<(i64, EligibilityRule)> {
    standard_rules_for_e_commerce()
        .into_iter()
        .enumerate()
        .map(|(i, (l, f))| (i as i64 + 1, EligibilityRule::parse(l, f).unwrap()))
        .filter(|(_, r)| r.level().get() == 1)
        .collect()
}

fn level_rules(n: u8) -> Vec<(i64, EligibilityRule)> {
    standard_rules_for_e_commerce()
        .into_iter()
        .enumerate()
        .map(|(i, (l, f))| (i as i64 + 1, EligibilityRule::parse(l, f).unwrap()))
        .filter(|(_, r)| r.level().get() == n)
        .collect()
}

fn no_registry(_: &str, _: Option<&str>) -> Option<EmployerRecord> {
    None
}

fn check_at(draft: &ApplicationDraft, n: u8, account: Option<&IdNumber>) -> Vec<FieldIssue> {
    let rules = level_rules(n);
    let ctx = DraftContext {
        account_id_number: account,
        level: Level::new(n).unwrap(),
        has_tracks: false,
        rules: &rules,
        today: today(),
    };
    check_draft(draft, &ctx, &codes(), &no_registry)
}

fn check(draft: &ApplicationDraft) -> Vec<FieldIssue> {
    let id = id();
    check_at(draft, 1, Some(&id))
}

#[test]
fn the_fixture_rules_have_the_ids_the_fixture_draft_claims() {
    assert_eq!(rules().len(), 1);
    assert_eq!(rules()[0].0, 12);
}

#[test]
fn a_complete_draft_passes() {
    let issues = check(&draft());
    assert!(issues.is_empty(), "{issues:?}");
}

#[test]
fn the_id_number_must_be_the_accounts() {
    let other = IdNumber::parse("11010519491231002X").unwrap();
    let issues = check_at(&draft(), 1, Some(&other));
    assert_eq!(fields(&issues)[0], ("id_number", "id_number_not_account"));
    assert_eq!(
        issues[0].message,
        "证件号与账号实名登记的身份证号不一致，请填写本人身份证号"
    );
    // The account's number also decides the birth date and gender of step 1.
    assert!(fields(&issues).contains(&("birth_date", "birth_date_mismatch")));
}

#[test]
fn without_an_account_id_the_registered_id_decides_birth_date_and_gender() {
    let mut d = draft();
    d.basic.gender = "female".into();
    let issues = check_at(&d, 1, None);
    assert_eq!(fields(&issues), [("gender", "gender_mismatch")]);
}

#[test]
fn every_section_is_checked() {
    let mut d = draft();
    d.basic.email = String::new();
    d.identity.identity = String::new();
    d.registration.organization = String::new();
    d.education.degree = "xx".into();
    d.work_history[0].post = String::new();
    d.declaration.previous_occupation = String::new();
    let issues = check(&d);
    assert_eq!(
        fields(&issues),
        [
            ("email", "email_empty"),
            ("identity", "required"),
            ("organization", "required"),
            ("degree", "code_unknown"),
            ("work_history[0].post", "required"),
            ("previous_occupation", "required"),
        ]
    );
}

#[test]
fn a_rule_needing_a_certificate_needs_a_promotion() {
    let mut d = draft();
    d.declaration.kind = "first_time".into();
    let issues = check(&d);
    assert_eq!(fields(&issues), [("kind", "claimed_rule_needs_promotion")]);
    assert_eq!(
        issues[0].message,
        "所选申报条件需要上一级别证书，请选择晋级鉴定并填写证书信息"
    );
}

#[test]
fn a_rule_needing_years_needs_the_work_history() {
    let mut d = draft();
    d.work_history = vec![Default::default()];
    d.registration.years_of_work = String::new();
    let issues = check(&d);
    assert_eq!(
        fields(&issues),
        [("work_history", "claimed_rule_needs_work_history")]
    );
    assert_eq!(
        issues[0].message,
        "所选申报条件需要工作年限，请填写工作经历"
    );
}

#[test]
fn a_rule_needing_a_diploma_needs_the_education_section() {
    // 四级: 技工学校 etc. graduates of a related major (rule 5).
    let mut d = draft();
    d.declaration = Declaration {
        kind: "first_time".into(),
        claimed_rule: Some(5),
        ..Declaration::default()
    };
    d.education = EducationInfo::default();
    d.basic.education = String::new();
    let issues = check_at(&d, 4, None);
    assert_eq!(
        fields(&issues),
        [
            ("education", "required"),
            ("degree", "claimed_rule_needs_education"),
            ("school", "claimed_rule_needs_education"),
        ]
    );
    assert_eq!(
        messages(&issues)[1..],
        [
            "所选申报条件需要学历，请选择学历",
            "所选申报条件需要学历，请填写毕业（在读）学校"
        ]
    );
}

#[test]
fn a_preparatory_technician_rule_needs_the_date() {
    let mut d = draft();
    d.declaration = Declaration {
        kind: "first_time".into(),
        claimed_rule: Some(11),
        ..Declaration::default()
    };
    let issues = check_at(&d, 2, None);
    assert_eq!(
        fields(&issues),
        [(
            "preparatory_technician_since",
            "claimed_rule_needs_preparatory_technician"
        )]
    );
    assert_eq!(
        issues[0].message,
        "所选申报条件需要预备技师证书，请填写取得时间"
    );
}

#[test]
fn a_rule_counting_from_graduation_needs_the_graduation_date() {
    let rule = EligibilityRule::parse(
        Level::new(4).unwrap(),
        crate::catalogue::RuleFields {
            years_of_work: Some(2),
            years_counted_from: YearsCountedFrom::Graduation,
            education: Some(crate::catalogue::EducationRequirement {
                codes: vec!["31".into()],
                or_above: true,
                related_major: false,
            }),
            ..crate::catalogue::RuleFields::new(ConditionKind::Education)
        },
    )
    .unwrap();
    let rules = [(99, rule)];
    let ctx = DraftContext {
        account_id_number: None,
        level: Level::new(4).unwrap(),
        has_tracks: false,
        rules: &rules,
        today: today(),
    };
    let mut d = draft();
    d.declaration = Declaration {
        kind: "first_time".into(),
        claimed_rule: Some(99),
        ..Declaration::default()
    };
    d.education.graduation_date = String::new();
    let issues = check_draft(&d, &ctx, &codes(), &no_registry);
    assert_eq!(
        fields(&issues),
        [("graduation_date", "claimed_rule_needs_graduation_date")]
    );
    assert_eq!(
        issues[0].message,
        "所选申报条件按毕业后的工作年限计算，请填写毕业时间"
    );
}

#[test]
fn declared_years_far_from_the_work_history_are_a_warning() {
    let mut d = draft();
    // The history runs 2015-07 to 2025-06: 9 years 12 months, i.e. 10 years.
    d.registration.years_of_work = "8".into();
    let issues = check(&d);
    assert_eq!(
        fields(&issues),
        [("years_of_work", "years_of_work_differs")]
    );
    assert!(!issues[0].is_error());
    assert_eq!(
        issues[0].message,
        "填写的工作年限（8 年）与工作经历合计（10 年）相差一年以上，请核对"
    );
    d.registration.years_of_work = "9".into();
    assert!(check(&d).is_empty());
}

#[test]
fn the_employer_registry_is_consulted() {
    let registry = |name: &str, _: Option<&str>| {
        (name == "南宁市某某电子商务有限公司").then(|| EmployerRecord {
            name: name.into(),
            uscc: None,
            founded_on: Some(today().with_year(2016).unwrap()),
            deregistered_on: None,
        })
    };
    let rules = rules();
    let id = id();
    let ctx = DraftContext {
        account_id_number: Some(&id),
        level: Level::new(1).unwrap(),
        has_tracks: false,
        rules: &rules,
        today: today(),
    };
    let issues = check_draft(&draft(), &ctx, &codes(), &registry);
    assert_eq!(
        fields(&issues),
        [("work_history[0].start", "work_period_employer_dates")]
    );
}

use chrono::Datelike;
