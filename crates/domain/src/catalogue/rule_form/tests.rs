use proptest::prelude::*;

use super::*;
use crate::catalogue::eligibility::{STANDARD_EDUCATION_LEVELS, standard_education_names};

fn known(code: &str) -> bool {
    standard_education_names(code).is_some()
}

fn input(level: i64, kind: &str) -> RuleInput {
    RuleInput {
        level: Some(level),
        kind: kind.to_owned(),
        related_occupation: true,
        ..RuleInput::default()
    }
}

fn errors(input: &RuleInput) -> Vec<(&'static str, &'static str)> {
    match check_rule_input(input, &known) {
        Ok(rule) => panic!("accepted: {rule:?}"),
        Err(errors) => errors.iter().map(|e| (e.field, e.code)).collect(),
    }
}

#[test]
fn a_complete_certificate_alternative_is_accepted_and_worded() {
    let rule = check_rule_input(
        &RuleInput {
            required_level: Some(4),
            years_of_work: Some(5),
            years_counted_from: "certificate".into(),
            ..input(3, "certificate")
        },
        &known,
    )
    .unwrap();
    assert_eq!(
        rule.sentence(&standard_education_names),
        "取得本职业或相关职业四级/中级工职业资格证书（技能等级证书）后，累计从事本职业或相关职业工作满 5 年（含）以上。"
    );
}

#[test]
fn every_loose_input_is_reported_beside_itself_at_once() {
    let found = errors(&RuleInput {
        level: Some(7),
        kind: "lottery".into(),
        required_level: Some(300),
        years_of_work: Some(-1),
        years_counted_from: "birth".into(),
        education_codes: vec!["31".into(), "ZZ".into()],
        ..RuleInput::default()
    });
    assert_eq!(
        found,
        [
            ("level", "rule_level_invalid"),
            ("kind", "rule_kind_invalid"),
            ("required_level", "rule_required_level_invalid"),
            ("years_of_work", "rule_years_out_of_range"),
            ("years_counted_from", "rule_counted_from_invalid"),
            ("education_codes", "rule_education_unknown"),
        ]
    );
    assert_eq!(
        errors(&RuleInput::default()),
        [
            ("level", "rule_level_missing"),
            ("kind", "rule_kind_invalid")
        ]
    );
}

#[test]
fn parts_that_do_not_fit_together_are_refused_at_the_part_concerned() {
    assert_eq!(
        errors(&input(5, "experience")),
        [("years_of_work", "rule_years_missing")]
    );
    assert_eq!(
        errors(&RuleInput {
            required_level: Some(2),
            years_of_work: Some(3),
            years_counted_from: "certificate".into(),
            ..input(3, "certificate")
        }),
        [("required_level", "rule_required_level_not_lower")]
    );
    assert_eq!(
        errors(&input(4, "education")),
        [("education_codes", "rule_education_missing")]
    );
    assert_eq!(
        errors(&RuleInput {
            years_of_work: Some(31),
            ..input(5, "experience")
        }),
        [("years_of_work", "rule_years_out_of_range")]
    );
}

#[test]
fn every_message_is_chinese() {
    let found = check_rule_input(
        &RuleInput {
            level: Some(0),
            years_counted_from: "x".into(),
            ..RuleInput::default()
        },
        &known,
    )
    .unwrap_err();
    assert!(found.iter().all(|e| !e.message.is_ascii()), "{found:?}");
}

#[test]
fn numbers_typed_in_a_form_are_whole_numbers_or_nothing() {
    assert_eq!(parse_number("years_of_work", " 4 "), Ok(Some(4)));
    assert_eq!(parse_number("years_of_work", ""), Ok(None));
    let e = parse_number("years_of_work", "四").unwrap_err();
    assert_eq!((e.field, e.code), ("years_of_work", "rule_number_invalid"));
}

#[test]
fn codes_are_trimmed_and_counted_once() {
    let rule = check_rule_input(
        &RuleInput {
            education_codes: vec![" 47".into(), "41".into(), "47".into(), "".into()],
            related_major: true,
            ..input(4, "education")
        },
        &known,
    )
    .unwrap();
    assert_eq!(
        rule.fields().education.as_ref().unwrap().codes,
        ["47", "41"]
    );
}

#[test]
fn a_stored_alternative_shows_in_the_form_as_it_is() {
    for (level, fields) in crate::catalogue::standard_rules_for_e_commerce() {
        let rule = EligibilityRule::parse(level, fields).unwrap();
        assert_eq!(check_rule_input(&input_of(&rule), &known), Ok(rule));
    }
}

fn any_input() -> impl Strategy<Value = RuleInput> {
    let codes: Vec<&'static str> = STANDARD_EDUCATION_LEVELS
        .iter()
        .map(|(c, _)| *c)
        .chain(["", "ZZ"])
        .collect();
    (
        (
            prop::option::of(-1i64..8),
            prop::sample::select(vec![
                "experience",
                "certificate",
                "education",
                "apprenticeship",
                "preparatory_technician",
                "",
            ]),
            prop::option::of(-1i64..8),
            prop::option::of(-2i64..40),
            prop::sample::select(vec!["", "total", "certificate", "graduation", "x"]),
        ),
        (
            prop::collection::vec(prop::sample::select(codes), 0..4),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (level, kind, required_level, years_of_work, counted),
                (codes, or_above, related_major, related_occupation),
            )| RuleInput {
                level,
                kind: kind.to_owned(),
                required_level,
                years_of_work,
                years_counted_from: counted.to_owned(),
                education_codes: codes.into_iter().map(str::to_owned).collect(),
                education_or_above: or_above,
                related_major,
                related_occupation,
            },
        )
}

proptest! {
    /// What the form accepts can always be worded, and shows in the form again unchanged; what
    /// it refuses is refused with at least one error at a named input, in Chinese.
    #[test]
    fn accepted_inputs_have_a_sentence_and_refusals_name_their_input(input in any_input()) {
        match check_rule_input(&input, &known) {
            Ok(rule) => {
                let text = rule.sentence(&standard_education_names);
                prop_assert!(!text.trim().is_empty());
                prop_assert!(text.ends_with('。'));
                prop_assert!(!text.starts_with("符合"), "{}", text);
                let again = check_rule_input(&input_of(&rule), &known);
                prop_assert_eq!(again, Ok(rule));
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(!e.field.is_empty() && !e.message.is_ascii());
                }
            }
        }
    }
}
