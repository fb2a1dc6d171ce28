use chrono::TimeZone;
use proptest::prelude::*;

use super::*;

fn s(v: &str) -> String {
    v.to_owned()
}

#[test]
fn a_rejection_needs_a_reason() {
    assert_eq!(
        check_rejection(&[], "   ", &[]),
        Err(vec![RejectionError::NoReason])
    );
    let only_marks = check_rejection(&[], "", &[(s("name"), s("与身份证不一致"))]);
    assert_eq!(only_marks, Err(vec![RejectionError::NoReason]));
}

#[test]
fn templates_text_and_marks_are_kept_in_order_once() {
    let r = check_rejection(
        &[
            s("photo_unsuitable"),
            s("work_years_short"),
            s("photo_unsuitable"),
        ],
        "  另：请补充社保缴费证明  ",
        &[
            (s("document:photo"), s("背景不是白色")),
            (s("work_history"), s("")),
            (s("document:photo"), s("重复的标注")),
        ],
    )
    .expect("valid");
    assert_eq!(
        r.templates,
        vec![
            ReasonTemplate::PhotoUnsuitable,
            ReasonTemplate::WorkYearsShort
        ]
    );
    assert_eq!(r.text, "另：请补充社保缴费证明");
    assert_eq!(r.marks.len(), 2);
    assert_eq!(r.marks[0].note, "背景不是白色");
    assert_eq!(r.reasons().len(), 3);
    assert!(r.summary().contains("证件照不符合要求"));
    assert!(r.summary().ends_with("另：请补充社保缴费证明"));
}

#[test]
fn every_error_is_reported_with_its_field() {
    let long = "长".repeat(REASON_TEXT_MAX + 1);
    let errors = check_rejection(
        &[s("no_such_template")],
        &long,
        &[
            (s("password"), s("")),
            (s("document:nothing"), s("")),
            (s("name"), "字".repeat(MARK_NOTE_MAX + 1)),
        ],
    )
    .expect_err("invalid");
    let codes: Vec<_> = errors.iter().map(|e| e.code()).collect();
    assert_eq!(
        codes,
        vec![
            "rejection_template_unknown",
            "rejection_text_too_long",
            "rejection_mark_unknown",
            "rejection_mark_unknown",
            "rejection_note_too_long",
        ]
    );
    assert_eq!(errors[2].field(), "mark:password");
    assert_eq!(errors[4].to_string(), "“姓名”的说明不能超过 200 个字");
}

#[test]
fn documents_and_fields_have_labels() {
    assert_eq!(
        part_label("document:photo").as_deref(),
        Some("白底证件照（材料）")
    );
    assert_eq!(part_label("work_history").as_deref(), Some("工作经历"));
    assert_eq!(part_label("document:"), None);
    assert_eq!(part_label(""), None);
}

#[test]
fn a_claim_is_held_until_its_expiry_instant() {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
    let until = now + claim_ttl();
    assert_eq!(claim_state(None, 1, now), ClaimState::Free);
    assert_eq!(
        claim_state(Some((1, "王审核", until)), 1, now),
        ClaimState::Mine { until }
    );
    assert_eq!(
        claim_state(Some((2, "李审核", until)), 1, now),
        ClaimState::Held {
            by: "李审核".into(),
            until
        }
    );
    assert_eq!(
        claim_state(Some((2, "李审核", until)), 1, until),
        ClaimState::Free
    );
}

#[test]
fn the_promise_counts_working_days_over_a_holiday() {
    // 2026-09-30 (Wednesday) before the National Day holiday 10-01..10-07 and the make-up
    // working day 10-10 (Saturday).
    let cal = WorkCalendar::parse(
        "2026-10-01,放假\n2026-10-02,放假\n2026-10-05,放假\n2026-10-06,放假\n2026-10-07,放假\n2026-10-10,上班",
    )
    .expect("calendar");
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    match review_deadline(&cal, d(9, 30), d(10, 8)) {
        Deadline::NotDue { due, .. } => assert_eq!(due, d(10, 9)),
        other => panic!("expected not due, got {other:?}"),
    }
    assert!(matches!(
        review_deadline(&cal, d(9, 30), d(10, 9)),
        Deadline::DueToday { .. }
    ));
    assert!(matches!(
        review_deadline(&cal, d(9, 30), d(10, 12)),
        Deadline::Overdue { .. }
    ));
}

proptest! {
    /// Whatever is posted, a rejection that passes has a reason and only real, distinct parts.
    #[test]
    fn an_accepted_rejection_is_always_well_formed(
        templates in proptest::collection::vec(
            prop_oneof![Just("photo_unsuitable".to_owned()), Just("id_mismatch".to_owned()), "[a-z_]{0,12}"], 0..4),
        text in ".{0,40}",
        marks in proptest::collection::vec(
            (prop_oneof![Just("name".to_owned()), Just("document:photo".to_owned()), Just("work_history".to_owned()), "[a-z:_]{0,14}"], ".{0,10}"), 0..5),
    ) {
        if let Ok(r) = check_rejection(&templates, &text, &marks) {
            prop_assert!(!r.templates.is_empty() || !r.text.is_empty());
            for (i, m) in r.marks.iter().enumerate() {
                prop_assert!(part_label(&m.part).is_some());
                prop_assert!(r.marks[..i].iter().all(|o| o.part != m.part));
            }
        }
    }
}
