use super::*;
use crate::applications::form::EducationInfo;
use crate::applications::form::test_support::*;

fn level(n: u8) -> Level {
    Level::new(n).unwrap()
}

fn check(d: &Declaration) -> Vec<FieldIssue> {
    check_declaration(d, level(1), false, &[12], today())
}

#[test]
fn a_complete_promotion_passes() {
    assert!(
        check(&declaration()).is_empty(),
        "{:?}",
        check(&declaration())
    );
}

#[test]
fn levels_are_read_by_number_or_name() {
    for raw in ["2", "二", "二级", "二级/技师", "技师", " 2 "] {
        assert_eq!(parse_level(raw), Some(level(2)), "{raw}");
    }
    assert_eq!(parse_level("高级技师"), Some(level(1)));
    assert_eq!(parse_level("6"), None);
    assert_eq!(parse_level(""), None);
}

#[test]
fn the_kind_is_required() {
    let issues = check(&Declaration {
        kind: String::new(),
        ..declaration()
    });
    assert_eq!(fields(&issues), [("kind", "required")]);
    assert_eq!(issues[0].message, "请选择鉴定情况：初次鉴定或晋级鉴定");
    let issues = check(&Declaration {
        kind: "again".into(),
        ..declaration()
    });
    assert_eq!(fields(&issues), [("kind", "declaration_kind_invalid")]);
    assert_eq!(issues[0].message, "鉴定情况只能是初次鉴定或晋级鉴定");
    assert_eq!(
        DeclarationKind::parse("晋级鉴定"),
        Some(DeclarationKind::Promotion)
    );
    assert_eq!(DeclarationKind::FirstTime.label(), "初次鉴定");
}

#[test]
fn a_first_time_declaration_needs_no_certificate() {
    let d = Declaration {
        kind: "first_time".into(),
        previous_certificate_number: String::new(),
        previous_occupation: String::new(),
        previous_level: String::new(),
        previous_issued_on: String::new(),
        ..declaration()
    };
    assert!(check(&d).is_empty());
}

#[test]
fn a_promotion_names_the_previous_certificate() {
    let d = Declaration {
        previous_certificate_number: String::new(),
        previous_occupation: String::new(),
        previous_level: String::new(),
        previous_issued_on: String::new(),
        ..declaration()
    };
    let issues = check(&d);
    assert_eq!(
        fields(&issues),
        [
            ("previous_level", "required"),
            ("previous_issued_on", "required"),
            ("previous_certificate_number", "required"),
            ("previous_occupation", "required"),
        ]
    );
    assert_eq!(
        messages(&issues),
        [
            "请选择上一级别证书的等级",
            "请填写上一级别证书的发证日期",
            "请填写上一级别证书编号",
            "请填写上一级别证书的职业（工种）",
        ]
    );
}

#[test]
fn the_previous_level_must_be_lower_than_the_level_applied_for() {
    let d = Declaration {
        previous_level: "1".into(),
        ..declaration()
    };
    let issues = check(&d);
    assert_eq!(
        fields(&issues),
        [("previous_level", "previous_level_not_lower")]
    );
    assert_eq!(
        issues[0].message,
        "上一级别证书的等级应低于申报等级（本次申报一级/高级技师）"
    );
    let issues = check(&Declaration {
        previous_level: "七".into(),
        ..declaration()
    });
    assert_eq!(
        fields(&issues),
        [("previous_level", "previous_level_invalid")]
    );
    assert_eq!(issues[0].message, "上一级别证书的等级应为一级到五级");
}

#[test]
fn skipping_a_level_is_only_a_warning() {
    let d = Declaration {
        previous_level: "三级".into(),
        previous_certificate_number: "S000045000001193000001".into(),
        ..declaration()
    };
    let issues = check(&d);
    assert_eq!(fields(&issues), [("previous_level", "previous_level_gap")]);
    assert!(!issues[0].is_error());
    assert_eq!(
        issues[0].message,
        "晋级鉴定通常需持有二级/技师证书，所填为三级/高级工证书；请确认所选申报条件允许"
    );
}

#[test]
fn there_is_no_promotion_to_level_five() {
    let issues = check_declaration(&declaration(), level(5), false, &[1], today());
    assert_eq!(
        fields(&issues),
        [
            ("kind", "promotion_to_entry_level"),
            ("claimed_rule", "claimed_rule_unknown")
        ]
    );
    assert_eq!(
        issues[0].message,
        "五级/初级工没有上一级别证书，请选择初次鉴定"
    );
}

#[test]
fn the_issue_date_is_a_real_date_not_after_today() {
    let issues = check(&Declaration {
        previous_issued_on: "2019-02-30".into(),
        ..declaration()
    });
    assert_eq!(fields(&issues), [("previous_issued_on", "date_invalid")]);
    assert_eq!(
        issues[0].message,
        "发证日期格式不正确：日期不存在，请检查年、月、日"
    );
    let issues = check(&Declaration {
        previous_issued_on: "2025-06-16".into(),
        ..declaration()
    });
    assert_eq!(fields(&issues), [("previous_issued_on", "date_future")]);
    assert_eq!(issues[0].message, "发证日期不能晚于今天");
}

#[test]
fn the_certificate_number_is_letters_and_digits() {
    for bad in ["12345", "S-0000-45", "证书123456"] {
        let issues = check(&Declaration {
            previous_certificate_number: bad.into(),
            ..declaration()
        });
        assert_eq!(
            fields(&issues),
            [("previous_certificate_number", "certificate_number_format")],
            "{bad}"
        );
        assert_eq!(
            issues[0].message,
            "证书编号应为 6–30 位字母或数字，请按证书填写"
        );
    }
    // Older formats are accepted as they are.
    let old = Declaration {
        previous_certificate_number: "1345000000300123".into(),
        ..declaration()
    };
    assert!(check(&old).is_empty());
    // Spaces and lowercase are normalised.
    let typed = Declaration {
        previous_certificate_number: "s0000 4500 0001 1920 00001".into(),
        ..declaration()
    };
    assert!(check(&typed).is_empty());
}

#[test]
fn a_new_format_number_must_agree_with_the_level_and_year() {
    let d = Declaration {
        previous_certificate_number: "S000045000001213000001".into(),
        ..declaration()
    };
    let issues = check(&d);
    assert_eq!(
        fields(&issues),
        [
            ("previous_certificate_number", "certificate_number_level"),
            ("previous_certificate_number", "certificate_number_year"),
        ]
    );
    assert!(issues.iter().all(|i| !i.is_error()));
    assert_eq!(
        messages(&issues),
        [
            "证书编号第 16 位（等级）为 3，与所填等级“二级”不一致，请核对",
            "证书编号第 14–15 位（发证年份）与所填发证日期不一致，请核对",
        ]
    );
}

#[test]
fn the_claimed_rule_must_be_one_of_the_level() {
    let issues = check(&Declaration {
        claimed_rule: None,
        ..declaration()
    });
    assert_eq!(fields(&issues), [("claimed_rule", "required")]);
    assert_eq!(issues[0].message, "请选择您符合的申报条件");
    let issues = check(&Declaration {
        claimed_rule: Some(3),
        ..declaration()
    });
    assert_eq!(fields(&issues), [("claimed_rule", "claimed_rule_unknown")]);
    assert_eq!(
        issues[0].message,
        "所选申报条件不属于本计划的等级，请重新选择"
    );
    // A level without rules asks for none.
    let none = check_declaration(
        &Declaration {
            claimed_rule: None,
            ..declaration()
        },
        level(1),
        false,
        &[],
        today(),
    );
    assert!(none.is_empty());
}

#[test]
fn a_track_is_required_where_the_level_has_tracks() {
    let issues = check_declaration(&declaration(), level(1), true, &[12], today());
    assert_eq!(fields(&issues), [("track", "required")]);
    assert_eq!(issues[0].message, "请选择工种（方向）");
    let with_track = Declaration {
        track: "跨境电子商务师".into(),
        ..declaration()
    };
    assert!(check_declaration(&with_track, level(1), true, &[12], today()).is_empty());
    let issues = check(&with_track);
    assert_eq!(fields(&issues), [("track", "track_not_offered")]);
    assert_eq!(issues[0].message, "本等级不分工种（方向），无需选择");
}

#[test]
fn the_preparatory_technician_date_is_a_past_date_or_month() {
    let ok = Declaration {
        preparatory_technician_since: "2020-07".into(),
        ..declaration()
    };
    assert!(check(&ok).is_empty());
    let issues = check(&Declaration {
        preparatory_technician_since: "2020-7-x".into(),
        ..declaration()
    });
    assert_eq!(
        fields(&issues),
        [("preparatory_technician_since", "date_format")]
    );
    assert_eq!(
        issues[0].message,
        "预备技师证书取得时间格式不正确：日期格式应为 1996-06-29"
    );
    let issues = check(&Declaration {
        preparatory_technician_since: "2026-01".into(),
        ..declaration()
    });
    assert_eq!(
        fields(&issues),
        [("preparatory_technician_since", "date_future")]
    );
    assert_eq!(issues[0].message, "预备技师证书取得时间不能晚于今天");
}

fn rank(code: &str) -> Option<i32> {
    crate::catalogue::STANDARD_EDUCATION_LEVELS
        .iter()
        .position(|(c, _)| *c == code)
        .map(|i| i as i32)
}

#[test]
fn facts_are_read_off_the_draft() {
    let facts = facts_of(&draft(), &rank, today());
    let certificate = facts.previous_certificate.unwrap();
    assert_eq!(certificate.level, level(2));
    assert_eq!(certificate.issued_on, date(2019, 3, 1));
    assert!(certificate.same_or_related_occupation);
    let education = facts.education.unwrap();
    assert_eq!(education.code, "21");
    assert_eq!(education.rank, Some(2));
    assert!(education.related_major);
    assert_eq!(education.graduated_on, Some(date(2018, 7, 1)));
    assert_eq!(facts.work.len(), 2);
    assert!(!facts.apprenticeship_completed);
    assert_eq!(facts.preparatory_technician_since, None);
}

#[test]
fn a_first_time_draft_has_no_previous_certificate() {
    let mut d = draft();
    d.declaration.kind = "first_time".into();
    assert_eq!(facts_of(&d, &rank, today()).previous_certificate, None);
}

#[test]
fn unusable_inputs_contribute_nothing_to_the_facts() {
    let mut d = draft();
    d.declaration.previous_issued_on = "2030-01-01".into();
    d.education.graduation_date = "2026-07".into();
    d.work_history[1].start = "soon".into();
    d.declaration.preparatory_technician_since = "2021-09".into();
    d.declaration.apprenticeship_completed = true;
    let facts = facts_of(&d, &rank, today());
    assert_eq!(facts.previous_certificate, None);
    assert_eq!(
        facts.education.unwrap().graduated_on,
        None,
        "still studying"
    );
    assert_eq!(facts.work.len(), 1);
    assert_eq!(facts.preparatory_technician_since, Some(date(2021, 9, 1)));
    assert!(facts.apprenticeship_completed);
}

#[test]
fn the_basic_education_stands_in_for_an_empty_education_section() {
    let mut d = draft();
    d.education = EducationInfo::default();
    d.basic.education = "31".into();
    let education = facts_of(&d, &rank, today()).education.unwrap();
    assert_eq!(education.code, "31");
    assert!(!education.related_major);
    d.basic.education = String::new();
    assert_eq!(facts_of(&d, &rank, today()).education, None);
}

#[test]
fn the_caller_decides_whether_the_previous_occupation_counts() {
    let unrelated = facts_of_with(
        &draft(),
        &rank,
        &|o: &str| o == "电子商务师" || o == "网商",
        today(),
    );
    assert!(
        unrelated
            .previous_certificate
            .unwrap()
            .same_or_related_occupation
    );
    let mut d = draft();
    d.declaration.previous_occupation = "焊工".into();
    let facts = facts_of_with(&d, &rank, &|o: &str| o == "电子商务师", today());
    assert!(
        !facts
            .previous_certificate
            .unwrap()
            .same_or_related_occupation
    );
}
