//! Who a person is, as typed into a form: resident ID number, mobile phone, email, real name,
//! a new password, SMS verification codes, and the limits that keep SMS sending and login
//! guessing in check.
//!
//! Values that identify a person (ID number, phone) print only in masked form through `Debug`
//! and `Display`, so that a stray `{:?}` in a log line cannot leak them.

pub mod email;
pub mod id_number;
pub mod limits;
pub mod password;
pub mod phone;
pub mod real_name;
pub mod sms_code;

pub use email::{Email, EmailError};
pub use id_number::{IdNumber, IdNumberError};
pub use limits::{Limit, LoginThrottle, SendLimits, retry_after_text};
pub use password::{NewPassword, PASSWORD_RULE_TEXT, PasswordError};
pub use phone::{Phone, PhoneError};
pub use real_name::{RealName, RealNameError};
pub use sms_code::{CodePolicy, CodePurpose, SmsCode, SmsCodeError};

use serde::{Deserialize, Serialize};

/// 性别, as read from an ID number or chosen on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub const ALL: [Gender; 2] = [Gender::Male, Gender::Female];

    pub fn label(&self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    /// Accepts the code ("male"/"female") or the label ("男"/"女").
    pub fn parse(raw: &str) -> Option<Gender> {
        match raw.trim() {
            "male" | "男" => Some(Gender::Male),
            "female" | "女" => Some(Gender::Female),
            _ => None,
        }
    }
}

impl std::fmt::Display for Gender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Maps full-width ASCII forms (what a Chinese IME types: `１２３`, `Ｘ`, `＋`, the ideographic
/// space) to their ASCII equivalents, so that a number typed in full-width mode is not refused.
pub(crate) fn to_half_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
        _ => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gender_has_chinese_label_and_stable_code() {
        assert_eq!(Gender::Male.label(), "男");
        assert_eq!(Gender::Female.label(), "女");
        assert_eq!(Gender::Male.code(), "male");
        assert_eq!(Gender::parse("女"), Some(Gender::Female));
        assert_eq!(Gender::parse("female"), Some(Gender::Female));
        assert_eq!(Gender::parse("x"), None);
    }

    #[test]
    fn full_width_digits_and_letters_become_ascii() {
        let s: String = "１２３Ｘｘ＋－\u{3000}"
            .chars()
            .map(to_half_width)
            .collect();
        assert_eq!(s, "123Xx+- ");
    }
}
