use super::*;
use test_support::*;

#[test]
fn the_memory_code_book_knows_codes_and_the_division_tree() {
    let book = codes();
    assert!(book.has(kinds::ETHNICITY, "01"));
    assert!(!book.has(kinds::ETHNICITY, "21"));
    assert!(!book.has(kinds::EDUCATION, "01"));
    assert!(book.is_division("3707"));
    assert!(!book.is_division("9999"));
    assert_eq!(book.division_parent("370702").as_deref(), Some("3707"));
    assert_eq!(book.division_parent("37"), None);
    assert!(book.has_children("3707"));
    assert!(!book.has_children("4419"));
}

#[test]
fn a_code_book_without_has_children_assumes_every_division_has_some() {
    struct Minimal;
    impl CodeBook for Minimal {
        fn has(&self, _: &str, _: &str) -> bool {
            true
        }
        fn division_parent(&self, _: &str) -> Option<String> {
            None
        }
        fn is_division(&self, _: &str) -> bool {
            true
        }
    }
    assert!(Minimal.has_children("4419"));
}

#[test]
fn an_empty_draft_is_a_valid_value_that_saves() {
    // Every section defaults to empty strings, so any partial draft can be stored and resumed.
    let d = ApplicationDraft::default();
    assert!(d.work_history.is_empty());
    assert_eq!(d.declaration.claimed_rule, None);
    assert!(!d.education.related_major);
}

#[test]
fn declaration_kinds_round_trip_through_their_codes() {
    for k in DeclarationKind::ALL {
        assert_eq!(DeclarationKind::parse(k.code()), Some(k));
        assert_eq!(DeclarationKind::parse(k.label()), Some(k));
    }
    assert_eq!(DeclarationKind::parse(""), None);
}
