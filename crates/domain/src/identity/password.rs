//! The policy a new password must meet. Only new passwords are parsed: a login compares whatever
//! was typed against the stored hash, so old passwords made under an older policy still work.

/// The rule in one line, for the hint under a password field.
pub const PASSWORD_RULE_TEXT: &str = "8–64 位，同时包含字母和数字";

const MIN_CHARS: usize = 8;
const MAX_CHARS: usize = 64;
/// Shorter personal items ("张三", a 4-digit year) would forbid too many harmless passwords.
const MIN_PERSONAL_CHARS: usize = 6;

/// The passwords tried first by anyone guessing Chinese accounts, among those that would
/// otherwise pass the policy. Compared case-insensitively.
const COMMON_PASSWORDS: [&str; 24] = [
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "12345678a",
    "123456789a",
    "a12345678",
    "a123456789",
    "a1234567",
    "aa123456",
    "abc12345",
    "abc123456",
    "qwerty123",
    "qwe123456",
    "asd123456",
    "zxc123456",
    "1qaz2wsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "qq123456",
    "woaini1314",
    "woaini520",
    "iloveyou1",
    "admin123",
];

/// A password that meets the policy, not yet hashed.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码长度需为 8–64 位")]
    Length,
    #[error("密码需同时包含字母和数字")]
    Composition,
    #[error("密码不能包含手机号或身份证号")]
    ContainsPersonal,
    #[error("密码过于常见，请换一个")]
    Common,
}

impl PasswordError {
    pub fn code(&self) -> &'static str {
        match self {
            PasswordError::Length => "password_length",
            PasswordError::Composition => "password_composition",
            PasswordError::ContainsPersonal => "password_contains_personal",
            PasswordError::Common => "password_common",
        }
    }
}

impl NewPassword {
    /// `personal` holds what an attacker would try first for this person (phone, ID number);
    /// items shorter than 6 characters are ignored. The password is taken as typed, spaces
    /// included: trimming would silently change what the person chose.
    pub fn parse(raw: &str, personal: &[&str]) -> Result<NewPassword, PasswordError> {
        let length = raw.chars().count();
        if !(MIN_CHARS..=MAX_CHARS).contains(&length) {
            return Err(PasswordError::Length);
        }
        let has_letter = raw.chars().any(|c| c.is_ascii_alphabetic());
        let has_digit = raw.chars().any(|c| c.is_ascii_digit());
        if !has_letter || !has_digit {
            return Err(PasswordError::Composition);
        }
        let lowered = raw.to_lowercase();
        let contains_personal = personal.iter().map(|item| item.trim()).any(|item| {
            item.chars().count() >= MIN_PERSONAL_CHARS && lowered.contains(&item.to_lowercase())
        });
        if contains_personal {
            return Err(PasswordError::ContainsPersonal);
        }
        if COMMON_PASSWORDS.iter().any(|c| c.eq_ignore_ascii_case(raw)) {
            return Err(PasswordError::Common);
        }
        Ok(NewPassword(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PHONE: &str = "15123451234";
    const ID: &str = "11010519491231002X";

    #[test]
    fn a_mix_of_letters_and_digits_of_eight_or_more_is_accepted() {
        let p = NewPassword::parse("kaoshi2024", &[PHONE, ID]).unwrap();
        assert_eq!(p.as_str(), "kaoshi2024");
        assert_eq!(p.into_inner(), "kaoshi2024");
        assert!(NewPassword::parse("电商 考试 pass 2024", &[]).is_ok());
    }

    #[test]
    fn too_short_or_too_long_passwords_are_refused_counting_characters() {
        assert_eq!(
            NewPassword::parse("abc1234", &[]),
            Err(PasswordError::Length)
        );
        assert!(NewPassword::parse("abcd1234", &[]).is_ok());
        let longest = format!("a1{}", "密".repeat(62));
        assert!(NewPassword::parse(&longest, &[]).is_ok());
        assert_eq!(
            NewPassword::parse(&format!("{longest}x"), &[]),
            Err(PasswordError::Length)
        );
    }

    #[test]
    fn letters_only_digits_only_or_spaces_only_are_refused() {
        for raw in ["abcdefgh", "12345678", "        ", "密码密码密码密码1"] {
            assert_eq!(
                NewPassword::parse(raw, &[]),
                Err(PasswordError::Composition),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_password_containing_the_phone_or_id_number_is_refused() {
        assert_eq!(
            NewPassword::parse("a15123451234", &[PHONE, ID]),
            Err(PasswordError::ContainsPersonal)
        );
        assert_eq!(
            NewPassword::parse("me11010519491231002x", &[PHONE, ID]),
            Err(PasswordError::ContainsPersonal)
        );
        // Short or empty personal items would forbid too much and are ignored.
        assert!(NewPassword::parse("zhang2024a", &["", "2024a"]).is_ok());
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert_eq!(
            NewPassword::parse("Password1", &[]),
            Err(PasswordError::Common)
        );
        assert_eq!(
            NewPassword::parse("WoAiNi1314", &[]),
            Err(PasswordError::Common)
        );
    }

    #[test]
    fn every_common_password_would_otherwise_pass_the_policy() {
        // Otherwise the entry is dead weight: another rule already refuses it.
        for common in COMMON_PASSWORDS {
            let n = common.chars().count();
            assert!((8..=64).contains(&n), "{common}");
            assert!(common.chars().any(|c| c.is_ascii_alphabetic()), "{common}");
            assert!(common.chars().any(|c| c.is_ascii_digit()), "{common}");
            assert_eq!(common, common.to_lowercase());
        }
    }

    #[test]
    fn debug_never_prints_the_password() {
        let p = NewPassword::parse("kaoshi2024", &[]).unwrap();
        assert_eq!(format!("{p:?}"), "NewPassword(***)");
    }

    /// The policy written again, independently, from its description.
    fn oracle(raw: &str, personal: &[String]) -> Result<(), PasswordError> {
        let n = raw.chars().count();
        if !(8..=64).contains(&n) {
            return Err(PasswordError::Length);
        }
        let letters = raw.bytes().filter(u8::is_ascii_alphabetic).count();
        let digits = raw.bytes().filter(u8::is_ascii_digit).count();
        if letters == 0 || digits == 0 {
            return Err(PasswordError::Composition);
        }
        for item in personal {
            let item = item.trim().to_lowercase();
            if item.chars().count() >= 6 && raw.to_lowercase().contains(&item) {
                return Err(PasswordError::ContainsPersonal);
            }
        }
        let common = [
            "password1",
            "password123",
            "passw0rd",
            "p@ssw0rd",
            "12345678a",
            "123456789a",
            "a12345678",
            "a123456789",
            "a1234567",
            "aa123456",
            "abc12345",
            "abc123456",
            "qwerty123",
            "qwe123456",
            "asd123456",
            "zxc123456",
            "1qaz2wsx",
            "1q2w3e4r",
            "1q2w3e4r5t",
            "qq123456",
            "woaini1314",
            "woaini520",
            "iloveyou1",
            "admin123",
        ];
        if common.iter().any(|c| c.eq_ignore_ascii_case(raw)) {
            return Err(PasswordError::Common);
        }
        Ok(())
    }

    fn password_like() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 ]{0,70}",
            "[a-z]{0,10}[0-9]{0,10}",
            "\\PC{0,70}",
            prop::sample::select(COMMON_PASSWORDS.to_vec()).prop_map(|s| s.to_uppercase()),
        ]
    }

    proptest! {
        #[test]
        fn a_password_is_accepted_exactly_when_the_policy_allows_it(
            raw in password_like(),
            personal in prop::collection::vec("[0-9a-z]{0,12}", 0..3),
            embed in any::<bool>(),
        ) {
            // Half the time, plant a personal item inside the password.
            let raw = match personal.first() {
                Some(item) if embed => format!("{raw}{item}"),
                _ => raw,
            };
            let refs: Vec<&str> = personal.iter().map(String::as_str).collect();
            let got = NewPassword::parse(&raw, &refs).map(|_| ());
            prop_assert_eq!(got, oracle(&raw, &personal));
        }
    }
}
