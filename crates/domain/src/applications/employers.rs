//! Employers (工作单位) as work history names them: the unified social credit code
//! (统一社会信用代码, GB 32100-2015) and the employer registry row that says when an employer
//! existed, so that work periods outside its life can be caught while the candidate types
//! ("工作经历起止时间需与工作单位成立及注销时间无冲突").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::identity::to_half_width;

/// The 31 characters a code is written in: digits and the capitals without I, O, Z, S, V
/// (too easily confused with 1, 0, 2, 5, U).
pub const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// 3^i mod 31 for i = 0..=16.
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The outcome of checking a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum UsccCheck {
    /// 18 characters of the alphabet with a matching check character; the code uppercased,
    /// spaces removed.
    Valid(String),
    /// Well formed, but the check character does not match. Some codes issued early fail this
    /// and are still real, so this is a warning, never a refusal.
    BadCheckDigit(String),
    /// Not 18 characters of the alphabet.
    Malformed,
}

impl UsccCheck {
    /// The normalised code when it is well formed (whether or not the check character matches).
    pub fn normalised(&self) -> Option<&str> {
        match self {
            UsccCheck::Valid(code) | UsccCheck::BadCheckDigit(code) => Some(code),
            UsccCheck::Malformed => None,
        }
    }
}

/// Checks a unified social credit code as typed: surrounding and inner spaces are ignored,
/// full-width characters accepted, lowercase uppercased.
pub fn check_uscc(raw: &str) -> UsccCheck {
    let code: String = raw
        .chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if code.chars().count() != 18 || !code.chars().all(|c| USCC_ALPHABET.contains(c)) {
        return UsccCheck::Malformed;
    }
    match uscc_check_char(&code[..17]) {
        Some(check) if code.ends_with(check) => UsccCheck::Valid(code),
        _ => UsccCheck::BadCheckDigit(code),
    }
}

/// The check character for the first 17 characters of a code, or `None` when they are not 17
/// characters of [`USCC_ALPHABET`].
pub fn uscc_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, weight) in first17.chars().zip(USCC_WEIGHTS) {
        sum += value_of(c)? * weight;
    }
    // 31 - (sum mod 31), where a remainder of 0 gives 31, written as 0.
    let check = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(check as usize)
}

fn value_of(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c).map(|i| i as u32)
}

/// A row of the employer registry (imported from the enterprise credit information system or
/// typed by staff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerRecord {
    pub name: String,
    pub uscc: Option<String>,
    pub founded_on: Option<NaiveDate>,
    pub deregistered_on: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A widely published real code (a Fuzhou company); its check character is `3`.
    const REAL: &str = "91350100M000100Y43";

    #[test]
    fn a_real_code_passes() {
        assert_eq!(check_uscc(REAL), UsccCheck::Valid(REAL.to_owned()));
        assert_eq!(uscc_check_char(&REAL[..17]), Some('3'));
    }

    #[test]
    fn codes_are_normalised_before_checking() {
        let typed = " 91350100m000100y4 3 ";
        assert_eq!(check_uscc(typed), UsccCheck::Valid(REAL.to_owned()));
        assert_eq!(
            check_uscc("９１３５０１００Ｍ０００１００Ｙ４３"),
            UsccCheck::Valid(REAL.to_owned())
        );
        assert_eq!(check_uscc(typed).normalised(), Some(REAL));
    }

    #[test]
    fn a_wrong_check_character_is_only_a_bad_check_digit() {
        let wrong = "91350100M000100Y44";
        assert_eq!(
            check_uscc(wrong),
            UsccCheck::BadCheckDigit(wrong.to_owned())
        );
        assert_eq!(check_uscc(wrong).normalised(), Some(wrong));
    }

    #[test]
    fn wrong_length_or_forbidden_letters_are_malformed() {
        for raw in [
            "",
            "91350100M000100Y4",
            "91350100M000100Y433",
            "91350100I000100Y43",
            "91350100O000100Y43",
            "91350100Z000100Y43",
            "91350100S000100Y43",
            "91350100V000100Y43",
            "91350100-000100Y43",
            "九1350100M000100Y43",
        ] {
            assert_eq!(check_uscc(raw), UsccCheck::Malformed, "{raw}");
        }
        assert_eq!(UsccCheck::Malformed.normalised(), None);
        assert_eq!(uscc_check_char("91350100I00010Y4"), None);
    }

    #[test]
    fn a_remainder_of_zero_gives_check_character_zero() {
        // Seventeen zeros sum to 0: 31 - 0 is 31, written as 0.
        assert_eq!(uscc_check_char("00000000000000000"), Some('0'));
        assert_eq!(
            check_uscc("000000000000000000"),
            UsccCheck::Valid("000000000000000000".to_owned())
        );
    }

    fn first17() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(USCC_ALPHABET.chars().collect::<Vec<_>>()),
            17,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #[test]
        fn every_code_built_with_its_check_character_is_valid(body in first17()) {
            let code = format!("{body}{}", uscc_check_char(&body).unwrap());
            prop_assert_eq!(check_uscc(&code), UsccCheck::Valid(code.clone()));
            prop_assert_eq!(check_uscc(&code.to_lowercase()), UsccCheck::Valid(code));
        }

        #[test]
        fn changing_one_character_makes_a_code_fail_or_warn(
            body in first17(),
            position in 0usize..18,
            replacement in prop::sample::select("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".chars().collect::<Vec<_>>()),
        ) {
            let code = format!("{body}{}", uscc_check_char(&body).unwrap());
            let mut chars: Vec<char> = code.chars().collect();
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            let changed: String = chars.into_iter().collect();
            let outcome = check_uscc(&changed);
            // A single substitution always changes the weighted sum mod 31 (31 is prime and
            // no weight is 0 mod 31), so the code can never stay valid.
            prop_assert!(matches!(outcome, UsccCheck::BadCheckDigit(_) | UsccCheck::Malformed));
            let forbidden = "IOZSV".contains(replacement);
            prop_assert_eq!(matches!(outcome, UsccCheck::Malformed), forbidden);
        }

        #[test]
        fn checking_never_panics(raw in "\\PC{0,24}") {
            let _ = check_uscc(&raw);
        }
    }
}
