use chrono::{Duration, TimeZone};
use proptest::prelude::*;

use super::*;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 12, day, hour, 0, 0).unwrap()
}

fn level(n: u8) -> Level {
    Level::new(n).unwrap()
}

const OCCUPATIONS: [i64; 2] = [1, 2];
const SITES: [i64; 3] = [10, 11, 12];

fn ctx(existing: Option<Existing>) -> PlanContext<'static> {
    PlanContext {
        occupations: &OCCUPATIONS,
        sites: &SITES,
        existing,
    }
}

/// The seed's plan 2022121: registration 1–10 December, exam on the 17th.
fn good() -> PlanInput {
    PlanInput {
        code: "2022121".into(),
        name: "电子商务师 一级 (11)".into(),
        occupation_id: Some(1),
        level: Some(1),
        registration_opens_at: Some(at(1, 2)),
        registration_closes_at: Some(at(10, 10)),
        exam_starts_at: Some(at(17, 1)),
        exam_ends_at: Some(at(17, 4)),
        fee: Some(Fen(12_000)),
        capacity: Some(100),
        site_ids: vec![11, 10, 11],
        documents: vec![
            "diploma".into(),
            "previous_certificate".into(),
            "diploma".into(),
        ],
        payment_closes_at: OptionalTime::Blank,
    }
}

fn fields(issues: &[PlanIssue]) -> Vec<(&'static str, &'static str)> {
    issues.iter().map(|i| (i.field, i.error.code())).collect()
}

#[test]
fn a_consistent_plan_is_accepted_with_its_lists_tidied() {
    let terms = check_plan(&good(), &ctx(None)).unwrap();
    assert_eq!(terms.code.as_str(), "2022121");
    assert_eq!(terms.level, level(1));
    assert_eq!(terms.fee, Fen(12_000));
    assert_eq!(terms.capacity, 100);
    assert_eq!(terms.site_ids, vec![10, 11]);
    assert_eq!(
        terms.documents,
        vec![DocumentKind::PreviousCertificate, DocumentKind::Diploma]
    );
}

#[test]
fn plan_codes_follow_the_seed_and_name_their_level() {
    assert_eq!(
        PlanCode::parse(" 2022121 ", level(1)).unwrap().as_str(),
        "2022121"
    );
    assert!(PlanCode::parse("2022125-2", level(5)).is_ok());
    assert!(PlanCode::parse("2022125-99", level(5)).is_ok());
    for bad in [
        "",
        "202212",
        "20221211",
        "2022131",
        "2022001",
        "1999121",
        "2022126",
        "2022120",
        "2022121-",
        "2022121-1",
        "2022121-01",
        "2022121-100",
        "2022121-a",
        "２０２２１２１",
        "2022-121",
        "abcdefg",
    ] {
        assert_eq!(
            PlanCode::parse(bad, level(1)),
            Err(PlanError::CodeFormat),
            "{bad}"
        );
    }
    assert_eq!(
        PlanCode::parse("2022123", level(1)),
        Err(PlanError::CodeLevel { level: 1 })
    );
}

#[test]
fn every_problem_is_reported_beside_its_field_at_once() {
    let input = PlanInput {
        code: "22-1".into(),
        name: "  ".into(),
        occupation_id: Some(99),
        level: Some(7),
        registration_opens_at: None,
        fee: Some(Fen(-1)),
        capacity: Some(0),
        site_ids: vec![],
        documents: vec!["photo".into()],
        ..good()
    };
    let issues = check_plan(&input, &ctx(None)).unwrap_err();
    assert_eq!(
        fields(&issues),
        vec![
            ("name", "plan_name"),
            ("occupation_id", "plan_occupation"),
            ("level", "plan_level"),
            ("code", "plan_code_format"),
            ("registration_opens_at", "plan_time_format"),
            ("fee", "plan_fee"),
            ("capacity", "plan_capacity"),
            ("site_ids", "plan_sites_missing"),
            ("documents", "plan_document_invalid"),
        ]
    );
    assert!(issues.iter().all(|i| !i.error.to_string().is_empty()));
}

#[test]
fn the_exam_may_not_start_before_registration_closes() {
    let input = PlanInput {
        exam_starts_at: Some(at(10, 9)),
        ..good()
    };
    assert_eq!(
        fields(&check_plan(&input, &ctx(None)).unwrap_err()),
        vec![("exam_starts_at", "plan_exam_before_registration_closes")]
    );
    let backwards = PlanInput {
        registration_closes_at: Some(at(1, 1)),
        exam_ends_at: Some(at(17, 0)),
        ..good()
    };
    assert_eq!(
        fields(&check_plan(&backwards, &ctx(None)).unwrap_err()),
        vec![
            ("registration_closes_at", "plan_registration_window"),
            ("exam_ends_at", "plan_exam_window"),
        ]
    );
}

#[test]
fn capacity_never_goes_below_the_seats_taken_and_level_is_fixed_once_taken() {
    let existing = Existing {
        occupation_id: 1,
        level: level(1),
        seats_taken: 40,
    };
    let smaller = PlanInput {
        capacity: Some(39),
        ..good()
    };
    let issues = check_plan(&smaller, &ctx(Some(existing))).unwrap_err();
    assert_eq!(fields(&issues), vec![("capacity", "capacity_below_taken")]);
    assert!(issues[0].error.to_string().contains("40"));
    let exactly = PlanInput {
        capacity: Some(40),
        ..good()
    };
    assert!(check_plan(&exactly, &ctx(Some(existing))).is_ok());

    let moved = PlanInput {
        code: "2022122".into(),
        level: Some(2),
        ..good()
    };
    assert_eq!(
        fields(&check_plan(&moved, &ctx(Some(existing))).unwrap_err()),
        vec![("level", "plan_level_fixed")]
    );
    let nobody_yet = Existing {
        seats_taken: 0,
        ..existing
    };
    assert!(check_plan(&moved, &ctx(Some(nobody_yet))).is_ok());
}

#[test]
fn only_sites_that_exist_may_be_chosen() {
    let input = PlanInput {
        site_ids: vec![10, 13],
        ..good()
    };
    assert_eq!(
        fields(&check_plan(&input, &ctx(None)).unwrap_err()),
        vec![("site_ids", "plan_site_unknown")]
    );
}

#[test]
fn a_free_plan_is_allowed() {
    let input = PlanInput {
        fee: Some(Fen::ZERO),
        ..good()
    };
    assert_eq!(check_plan(&input, &ctx(None)).unwrap().fee, Fen::ZERO);
}

#[test]
fn plan_documents_add_to_what_the_alternative_needs() {
    let base = vec![
        DocumentKind::IdCardFront,
        DocumentKind::Photo,
        DocumentKind::Diploma,
    ];
    assert_eq!(
        with_plan_documents(base, &[DocumentKind::Other, DocumentKind::Diploma]),
        vec![
            DocumentKind::IdCardFront,
            DocumentKind::Photo,
            DocumentKind::Diploma,
            DocumentKind::Other
        ]
    );
}

#[test]
fn closing_registration_ends_the_window_now() {
    let window = RegistrationWindow::new(at(1, 2), at(10, 10)).unwrap();
    let closed = close_registration(&window, at(5, 0)).unwrap();
    assert_eq!(closed.opens_at, at(1, 2));
    assert_eq!(closed.closes_at, at(5, 0));
    assert_eq!(
        close_registration(&window, at(10, 10)),
        Err(PlanError::AlreadyClosed)
    );
    assert_eq!(
        close_registration(&window, at(1, 1)),
        Err(PlanError::NotOpenYet)
    );
}

#[test]
fn opening_registration_needs_a_future_window_before_the_exam() {
    let exam = ExamWindow::new(at(17, 1), at(17, 4)).unwrap();
    let now = at(5, 0);
    let w = open_registration(Some(now), Some(at(12, 0)), &exam, now).unwrap();
    assert_eq!((w.opens_at, w.closes_at), (now, at(12, 0)));
    let codes = |r: Result<RegistrationWindow, Vec<PlanIssue>>| fields(&r.unwrap_err());
    assert_eq!(
        codes(open_registration(
            Some(at(1, 0)),
            Some(at(4, 0)),
            &exam,
            now
        )),
        vec![("closes_at", "plan_window_in_past")]
    );
    assert_eq!(
        codes(open_registration(Some(now), Some(at(18, 0)), &exam, now)),
        vec![("closes_at", "plan_exam_before_registration_closes")]
    );
    assert_eq!(
        codes(open_registration(None, None, &exam, now)),
        vec![
            ("opens_at", "plan_time_format"),
            ("closes_at", "plan_time_format")
        ]
    );
}

#[test]
fn a_blank_payment_deadline_leaves_the_default_rule() {
    let terms = check_plan(&good(), &ctx(None)).unwrap();
    assert_eq!(terms.payment_closes_at, None);
}

#[test]
fn a_payment_deadline_falls_after_registration_opens_and_by_the_exam_start() {
    let with = |t: DateTime<Utc>| PlanInput {
        payment_closes_at: OptionalTime::At(t),
        ..good()
    };
    // Registration opens on the 1st at 02:00, the exam starts on the 17th at 01:00.
    for fits in [at(1, 3), at(14, 1), at(17, 1)] {
        let terms = check_plan(&with(fits), &ctx(None)).unwrap();
        assert_eq!(terms.payment_closes_at, Some(fits));
    }
    for late_or_early in [at(17, 2), at(20, 0), at(1, 2), at(1, 0)] {
        let issues = check_plan(&with(late_or_early), &ctx(None)).unwrap_err();
        assert_eq!(
            fields(&issues),
            vec![("payment_closes_at", "plan_payment_deadline")],
            "{late_or_early}"
        );
        assert_eq!(
            issues[0].error.to_string(),
            "缴费截止时间须在报名开始之后、考试开始之前"
        );
    }
}

#[test]
fn an_unreadable_payment_deadline_is_a_time_format_problem() {
    let input = PlanInput {
        payment_closes_at: OptionalTime::Unreadable,
        ..good()
    };
    assert_eq!(
        fields(&check_plan(&input, &ctx(None)).unwrap_err()),
        vec![("payment_closes_at", "plan_time_format")]
    );
    // Without readable windows the deadline is judged for its format only.
    let no_exam = PlanInput {
        exam_starts_at: None,
        payment_closes_at: OptionalTime::At(at(30, 0)),
        ..good()
    };
    assert_eq!(
        fields(&check_plan(&no_exam, &ctx(None)).unwrap_err()),
        vec![("exam_starts_at", "plan_time_format")]
    );
}

#[test]
fn optional_times_tell_blank_from_unreadable() {
    let parse = crate::time::parse_shanghai_datetime;
    assert_eq!(OptionalTime::read("", parse), OptionalTime::Blank);
    assert_eq!(OptionalTime::read("  ", parse), OptionalTime::Blank);
    assert_eq!(
        OptionalTime::read("tomorrow", parse),
        OptionalTime::Unreadable
    );
    assert_eq!(
        OptionalTime::read("2022-12-14 09:00", parse),
        OptionalTime::At(at(14, 1))
    );
    assert_eq!(OptionalTime::from(None), OptionalTime::Blank);
    assert_eq!(
        OptionalTime::from(Some(at(14, 1))),
        OptionalTime::At(at(14, 1))
    );
}

proptest! {
    #[test]
    fn every_well_formed_code_reads_back_for_its_own_level_only(
        year in 2000u32..=2099,
        month in 1u32..=12,
        code_level in 1u8..=5,
        other in 1u8..=5,
        batch in proptest::option::of(2u32..=99),
    ) {
        let code = format!(
            "{year}{month:02}{code_level}{}",
            batch.map(|b| format!("-{b}")).unwrap_or_default()
        );
        let parsed = PlanCode::parse(&code, level(code_level)).unwrap();
        prop_assert_eq!(parsed.as_str(), code.as_str());
        if other != code_level {
            prop_assert_eq!(
                PlanCode::parse(&code, level(other)),
                Err(PlanError::CodeLevel { level: other })
            );
        }
    }

    #[test]
    fn a_code_that_reads_has_a_real_month_and_its_level(raw in "[0-9-]{0,11}", n in 1u8..=5) {
        if let Ok(code) = PlanCode::parse(&raw, level(n)) {
            let s = code.as_str();
            let month: u32 = s[4..6].parse().unwrap();
            prop_assert!((1..=12).contains(&month));
            let digit = n.to_string();
            prop_assert_eq!(&s[6..7], digit.as_str());
            prop_assert!(s.len() == 7 || s.as_bytes()[7] == b'-');
        }
    }

    /// Whatever the four instants and the payment deadline (or none), a plan is accepted exactly
    /// when both windows run forwards, the exam starts no earlier than registration closes, and
    /// a deadline set falls after registration opens and no later than the exam starts.
    #[test]
    fn windows_are_accepted_exactly_when_ordered(
        opens in 0i64..100, closes in 0i64..100, starts in 0i64..100, ends in 0i64..100,
        pay in proptest::option::of(0i64..100),
    ) {
        let t = |h: i64| at(1, 0) + Duration::hours(h);
        let input = PlanInput {
            registration_opens_at: Some(t(opens)),
            registration_closes_at: Some(t(closes)),
            exam_starts_at: Some(t(starts)),
            exam_ends_at: Some(t(ends)),
            payment_closes_at: pay.map(t).into(),
            ..good()
        };
        let ordered = opens < closes
            && starts < ends
            && closes <= starts
            && pay.is_none_or(|p| opens < p && p <= starts);
        match check_plan(&input, &ctx(None)) {
            Ok(terms) => {
                prop_assert!(ordered);
                prop_assert!(terms.registration.opens_at < terms.registration.closes_at);
                prop_assert!(terms.registration.closes_at <= terms.exam.starts_at);
                prop_assert!(terms.exam.starts_at < terms.exam.ends_at);
                prop_assert_eq!(terms.payment_closes_at, pay.map(t));
                if let Some(deadline) = terms.payment_closes_at {
                    prop_assert!(terms.registration.opens_at < deadline);
                    prop_assert!(deadline <= terms.exam.starts_at);
                }
            }
            Err(issues) => {
                prop_assert!(!ordered);
                prop_assert!(issues.iter().all(|i| i.field.contains("registration")
                    || i.field.contains("exam")
                    || i.field == "payment_closes_at"));
            }
        }
    }

    #[test]
    fn capacity_is_accepted_exactly_within_bounds_and_not_below_taken(
        capacity in -5i64..200_000, taken in 0u32..150_000,
    ) {
        let input = PlanInput { capacity: Some(capacity), ..good() };
        let existing = Existing { occupation_id: 1, level: level(1), seats_taken: taken };
        let ok = capacity >= 1 && capacity <= i64::from(CAPACITY_MAX) && capacity >= i64::from(taken);
        prop_assert_eq!(check_plan(&input, &ctx(Some(existing))).is_ok(), ok);
    }

    #[test]
    fn fees_are_accepted_exactly_when_not_negative(fen in -10_000i64..10_000) {
        let input = PlanInput { fee: Some(Fen(fen)), ..good() };
        prop_assert_eq!(check_plan(&input, &ctx(None)).is_ok(), fen >= 0);
    }

    /// Closing never moves the exam's side of the schedule: a consistent plan stays consistent.
    #[test]
    fn closing_keeps_a_consistent_plan_consistent(now in 0i64..300) {
        let window = RegistrationWindow::new(at(1, 2), at(10, 10)).unwrap();
        let exam = ExamWindow::new(at(17, 1), at(17, 4)).unwrap();
        let now = at(1, 0) + Duration::hours(now);
        if let Ok(closed) = close_registration(&window, now) {
            prop_assert_eq!(closed.closes_at, now);
            prop_assert!(check_plan_schedule(&closed, &exam).is_ok());
            prop_assert!(!closed.contains(now));
        } else {
            prop_assert!(!window.contains(now) || now == window.opens_at);
        }
    }
}
