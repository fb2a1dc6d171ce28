use super::*;
use crate::applications::facts::EducationFact;
use crate::applications::month::YearMonth;
use crate::applications::work_history::WorkPeriod;
use crate::catalogue::{Level, RuleFields, standard_rules_for_e_commerce};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn today() -> NaiveDate {
    date(2025, 6, 15)
}

fn level(n: u8) -> Level {
    Level::new(n).unwrap()
}

/// The standard table's order, higher diplomas first; the vocational colleges beside 大专.
fn rank(code: &str) -> Option<i32> {
    Some(match code {
        "11" => 1,
        "14" => 2,
        "21" => 3,
        "31" | "T1" | "T2" | "T3" => 4,
        "41" | "47" | "44" => 5,
        "61" => 6,
        "71" => 7,
        "81" => 8,
        _ => return None,
    })
}

/// The e-commerce rules of one level, in the standard's order.
fn rules(n: u8) -> Vec<EligibilityRule> {
    standard_rules_for_e_commerce()
        .into_iter()
        .filter(|(l, _)| *l == level(n))
        .map(|(l, f)| EligibilityRule::parse(l, f).unwrap())
        .collect()
}

fn worked(from: (i32, u32), to: Option<(i32, u32)>) -> WorkPeriod {
    WorkPeriod {
        start: YearMonth::new(from.0, from.1).unwrap(),
        end: to.map(|(y, m)| YearMonth::new(y, m).unwrap()),
        employer: "某公司".into(),
        employer_uscc: None,
        post: "运营".into(),
        referee: "李四".into(),
        referee_phone: "15123451234".into(),
    }
}

fn certificate(n: u8, issued_on: NaiveDate) -> Option<PreviousCertificate> {
    Some(PreviousCertificate {
        level: level(n),
        issued_on,
        same_or_related_occupation: true,
    })
}

fn diploma(
    code: &str,
    related_major: bool,
    graduated_on: Option<NaiveDate>,
) -> Option<EducationFact> {
    Some(EducationFact {
        code: code.into(),
        rank: None,
        related_major,
        graduated_on,
    })
}

fn missing(rule: &EligibilityRule, facts: &ApplicantFacts) -> Vec<String> {
    evaluate(rule, facts, &rank, today()).missing().to_vec()
}

#[test]
fn a_level_two_certificate_then_four_years_meets_level_one() {
    let facts = ApplicantFacts {
        previous_certificate: certificate(2, date(2019, 1, 1)),
        work: vec![worked((2015, 3), None)],
        ..ApplicantFacts::default()
    };
    assert_eq!(evaluate(&rules(1)[0], &facts, &rank, today()), Verdict::Met);
}

#[test]
fn too_few_years_since_the_certificate_say_how_many_are_missing() {
    let facts = ApplicantFacts {
        previous_certificate: certificate(2, date(2023, 2, 10)),
        work: vec![worked((2015, 3), None)],
        ..ApplicantFacts::default()
    };
    // 2023-03 .. 2025-06: 28 months.
    assert_eq!(
        missing(&rules(1)[0], &facts),
        ["取得证书后的工作年限不足：需 4 年，目前 2 年 4 个月"]
    );
}

#[test]
fn without_the_certificate_every_missing_piece_is_listed() {
    let facts = ApplicantFacts {
        work: vec![worked((2015, 3), None)],
        ..ApplicantFacts::default()
    };
    assert_eq!(
        missing(&rules(1)[0], &facts),
        [
            "需取得本职业或相关职业二级/技师证书",
            "取得证书后需工作满 4 年"
        ]
    );
}

#[test]
fn a_higher_certificate_satisfies_and_a_lower_one_does_not() {
    let higher = ApplicantFacts {
        previous_certificate: certificate(1, date(2019, 1, 1)),
        work: vec![worked((2019, 1), None)],
        ..ApplicantFacts::default()
    };
    assert!(evaluate(&rules(1)[0], &higher, &rank, today()).is_met());
    let lower = ApplicantFacts {
        previous_certificate: certificate(3, date(2019, 1, 1)),
        ..higher
    };
    assert_eq!(
        missing(&rules(1)[0], &lower),
        [
            "需取得本职业或相关职业二级/技师证书（已填写的为三级/高级工证书）",
            "取得证书后需工作满 4 年"
        ]
    );
}

#[test]
fn a_certificate_of_an_unrelated_occupation_does_not_count() {
    let facts = ApplicantFacts {
        previous_certificate: Some(PreviousCertificate {
            level: level(2),
            issued_on: date(2019, 1, 1),
            same_or_related_occupation: false,
        }),
        work: vec![worked((2019, 1), None)],
        ..ApplicantFacts::default()
    };
    assert_eq!(
        missing(&rules(1)[0], &facts),
        [
            "上一级别证书需为本职业或相关职业的证书",
            "取得证书后需工作满 4 年"
        ]
    );
}

#[test]
fn a_rule_without_related_occupations_says_this_occupation_only() {
    let rule = EligibilityRule::parse(
        level(1),
        RuleFields {
            related_occupation: false,
            ..standard_rules_for_e_commerce()
                .into_iter()
                .find(|(l, _)| *l == level(1))
                .unwrap()
                .1
        },
    )
    .unwrap();
    assert_eq!(
        missing(&rule, &ApplicantFacts::default())[0],
        "需取得本职业二级/技师证书"
    );
}

#[test]
fn total_years_count_every_period_once() {
    let six_years = &rules(4)[1];
    let facts = ApplicantFacts {
        work: vec![worked((2019, 1), Some((2022, 12))), worked((2021, 1), None)],
        ..ApplicantFacts::default()
    };
    // 2019-01 .. 2025-06: 78 months.
    assert!(evaluate(six_years, &facts, &rank, today()).is_met());
    let facts = ApplicantFacts {
        work: vec![worked((2021, 1), Some((2023, 3)))],
        ..ApplicantFacts::default()
    };
    assert_eq!(
        missing(six_years, &facts),
        ["累计工作年限不足：需 6 年，目前 2 年 3 个月"]
    );
}

#[test]
fn a_listed_diploma_with_a_related_major_meets_the_education_alternative() {
    let school = &rules(4)[2];
    let facts = ApplicantFacts {
        education: diploma("47", true, None),
        ..ApplicantFacts::default()
    };
    assert!(evaluate(school, &facts, &rank, today()).is_met());
}

#[test]
fn a_diploma_not_listed_is_named_in_what_is_missing() {
    let school = &rules(4)[2];
    let facts = ApplicantFacts {
        education: diploma("21", false, Some(date(2018, 7, 1))),
        ..ApplicantFacts::default()
    };
    assert_eq!(
        missing(school, &facts),
        [
            "需具有技工学校、中等专业学校或职业高中学历（目前为大学本科）",
            "所学专业需为本专业或相关专业"
        ]
    );
    assert_eq!(
        missing(school, &ApplicantFacts::default()),
        ["需具有技工学校、中等专业学校或职业高中学历"]
    );
}

#[test]
fn or_above_accepts_a_higher_ranked_diploma() {
    // 大专及以上本专业或相关专业 + 四级 certificate + 2 years since it.
    let college = &rules(3)[2];
    let mut facts = ApplicantFacts {
        previous_certificate: certificate(4, date(2020, 1, 1)),
        education: diploma("21", true, Some(date(2016, 7, 1))),
        work: vec![worked((2016, 7), None)],
        ..ApplicantFacts::default()
    };
    assert!(evaluate(college, &facts, &rank, today()).is_met());
    facts.education = diploma("61", true, Some(date(2012, 7, 1)));
    assert_eq!(
        missing(college, &facts),
        ["需具有大学专科及以上学历（目前为普通高中）"]
    );
    // A rank given in the fact wins over the table.
    facts.education = Some(EducationFact {
        rank: Some(1),
        ..diploma("61", true, None).unwrap()
    });
    assert!(evaluate(college, &facts, &rank, today()).is_met());
}

#[test]
fn an_unranked_diploma_meets_or_above_only_by_its_code() {
    let college = &rules(3)[2];
    let facts = ApplicantFacts {
        previous_certificate: certificate(4, date(2020, 1, 1)),
        education: diploma("99", true, None),
        work: vec![worked((2016, 7), None)],
        ..ApplicantFacts::default()
    };
    assert_eq!(
        missing(college, &facts),
        ["需具有大学专科及以上学历（目前为99）"]
    );
}

#[test]
fn years_since_graduation_need_a_graduation_date() {
    let rule = EligibilityRule::parse(
        level(4),
        RuleFields {
            years_of_work: Some(2),
            years_counted_from: YearsCountedFrom::Graduation,
            education: Some(EducationRequirement {
                codes: vec!["31".into()],
                or_above: true,
                related_major: false,
            }),
            ..RuleFields::new(ConditionKind::Education)
        },
    )
    .unwrap();
    let mut facts = ApplicantFacts {
        education: diploma("31", false, None),
        work: vec![worked((2020, 1), None)],
        ..ApplicantFacts::default()
    };
    assert_eq!(
        missing(&rule, &facts),
        ["毕业后需工作满 2 年（未填写毕业时间或尚未毕业）"]
    );
    facts.education = diploma("31", false, Some(date(2024, 7, 1)));
    assert_eq!(
        missing(&rule, &facts),
        ["毕业后的工作年限不足：需 2 年，目前 1 年"]
    );
    facts.education = diploma("31", false, Some(date(2023, 6, 1)));
    assert!(evaluate(&rule, &facts, &rank, today()).is_met());
}

#[test]
fn an_apprenticeship_alternative_needs_the_apprenticeship() {
    let apprenticeship = &rules(5)[1];
    assert_eq!(
        missing(apprenticeship, &ApplicantFacts::default()),
        ["需经本职业或相关职业学徒期满"]
    );
    let facts = ApplicantFacts {
        apprenticeship_completed: true,
        ..ApplicantFacts::default()
    };
    assert!(evaluate(apprenticeship, &facts, &rank, today()).is_met());
}

#[test]
fn a_preparatory_technician_counts_years_from_that_certificate() {
    let preparatory = &rules(2)[2];
    assert_eq!(
        missing(preparatory, &ApplicantFacts::default()),
        ["需取得预备技师证书", "取得预备技师证书后需工作满 2 年"]
    );
    let mut facts = ApplicantFacts {
        preparatory_technician_since: Some(date(2024, 1, 1)),
        work: vec![worked((2020, 1), None)],
        ..ApplicantFacts::default()
    };
    assert_eq!(
        missing(preparatory, &facts),
        ["取得预备技师证书后的工作年限不足：需 2 年，目前 1 年 6 个月"]
    );
    facts.preparatory_technician_since = Some(date(2023, 6, 1));
    assert!(evaluate(preparatory, &facts, &rank, today()).is_met());
}

#[test]
fn every_alternative_of_a_level_gets_its_verdict() {
    let facts = ApplicantFacts {
        previous_certificate: certificate(3, date(2020, 3, 1)),
        education: diploma("T1", false, Some(date(2019, 7, 1))),
        work: vec![worked((2019, 7), None)],
        ..ApplicantFacts::default()
    };
    let verdicts = evaluate_all(&rules(2), &facts, &rank, today());
    let met: Vec<bool> = verdicts.iter().map(Verdict::is_met).collect();
    // 2020-03 .. 2025-06 is 5 years 4 months since the certificate.
    assert_eq!(met, [true, true, false]);
    assert_eq!(verdicts[2].missing()[0], "需取得预备技师证书");
    assert_eq!(Verdict::Met.missing(), &[] as &[String]);
}
