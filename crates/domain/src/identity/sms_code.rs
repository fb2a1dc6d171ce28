//! SMS verification codes (短信验证码): what a code is, what it is for, how long it lives and
//! how many wrong guesses it survives. Sending limits live in [`super::limits`] and are
//! re-exported here because they are read together.

use chrono::Duration;
use rand::Rng;

use super::to_half_width;

pub use super::limits::{Limit, LoginThrottle, SendLimits};

/// A 6-digit code; leading zeros are part of it.
///
/// `Debug` hides the digits: a code in a log is a code anyone with the log can use.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SmsCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsCodeError {
    #[error("请输入短信验证码")]
    Empty,
    #[error("短信验证码为 6 位数字")]
    Format,
}

impl SmsCodeError {
    pub fn code(&self) -> &'static str {
        match self {
            SmsCodeError::Empty => "sms_code_empty",
            SmsCodeError::Format => "sms_code_format",
        }
    }
}

impl SmsCode {
    /// A uniformly random code in 000000..=999999. Pass a cryptographically secure generator
    /// (`rand::rng()`) in production; tests pass a seeded one.
    pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> SmsCode {
        let n: u32 = rng.random_range(0..=999_999);
        SmsCode(format!("{n:06}"))
    }

    /// Accepts a code as typed: spaces around or inside it and full-width digits are ignored.
    pub fn parse(raw: &str) -> Result<SmsCode, SmsCodeError> {
        let s: String = raw
            .chars()
            .map(to_half_width)
            .filter(|c| !c.is_whitespace())
            .collect();
        if s.is_empty() {
            return Err(SmsCodeError::Empty);
        }
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SmsCodeError::Format);
        }
        Ok(SmsCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SmsCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmsCode(******)")
    }
}

/// What a code was sent for. A code sent for one purpose never confirms another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    SignUp,
    ResetPassword,
}

impl CodePurpose {
    pub const ALL: [CodePurpose; 2] = [CodePurpose::SignUp, CodePurpose::ResetPassword];

    pub fn code(&self) -> &'static str {
        match self {
            CodePurpose::SignUp => "sign_up",
            CodePurpose::ResetPassword => "reset_password",
        }
    }

    pub fn parse(raw: &str) -> Option<CodePurpose> {
        CodePurpose::ALL.into_iter().find(|p| p.code() == raw)
    }

    pub fn label(&self) -> &'static str {
        match self {
            CodePurpose::SignUp => "注册",
            CodePurpose::ResetPassword => "重置密码",
        }
    }

    /// The SMS provider's template key (providers send only pre-approved templates).
    pub fn template(&self) -> &'static str {
        match self {
            CodePurpose::SignUp => "verification_code",
            CodePurpose::ResetPassword => "reset_password_code",
        }
    }

    /// The full message text, for providers that take text and for the log outbox.
    pub fn text(&self, code: &SmsCode) -> String {
        let minutes = CodePolicy::STANDARD.ttl.num_minutes();
        let code = code.as_str();
        match self {
            CodePurpose::SignUp => format!(
                "【skillcert】您的注册验证码为 {code}，{minutes} 分钟内有效，请勿告诉他人。"
            ),
            CodePurpose::ResetPassword => format!(
                "【skillcert】您正在重置密码，验证码为 {code}，{minutes} 分钟内有效，请勿告诉他人。如非本人操作，请忽略本短信。"
            ),
        }
    }
}

/// How long a code lives and how many wrong attempts burn it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePolicy {
    pub ttl: Duration,
    pub max_wrong_attempts: u32,
}

impl CodePolicy {
    /// 5 minutes, 5 wrong attempts: a million codes, five guesses, so 1 in 200,000 per code.
    pub const STANDARD: CodePolicy = CodePolicy::standard();

    pub const fn standard() -> CodePolicy {
        CodePolicy {
            ttl: Duration::minutes(5),
            max_wrong_attempts: 5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    #[test]
    fn codes_keep_leading_zeros_and_ignore_spaces() {
        assert_eq!(SmsCode::parse(" 012345 ").unwrap().as_str(), "012345");
        assert_eq!(SmsCode::parse("012 345").unwrap().as_str(), "012345");
        assert_eq!(SmsCode::parse("０１２３４５").unwrap().as_str(), "012345");
    }

    #[test]
    fn anything_but_six_digits_is_refused() {
        assert_eq!(SmsCode::parse(""), Err(SmsCodeError::Empty));
        for raw in ["12345", "1234567", "12345a", "１２３４５６７", "-12345"] {
            assert_eq!(SmsCode::parse(raw), Err(SmsCodeError::Format), "{raw}");
        }
    }

    #[test]
    fn debug_hides_the_code() {
        let code = SmsCode::parse("123456").unwrap();
        assert!(!format!("{code:?}").contains("123456"));
    }

    #[test]
    fn purposes_have_stable_codes_and_their_own_text() {
        for p in CodePurpose::ALL {
            assert_eq!(CodePurpose::parse(p.code()), Some(p));
        }
        assert_eq!(CodePurpose::parse("login"), None);
        assert_eq!(CodePurpose::SignUp.template(), "verification_code");
        assert_eq!(CodePurpose::ResetPassword.template(), "reset_password_code");
        let code = SmsCode::parse("123456").unwrap();
        assert_eq!(
            CodePurpose::SignUp.text(&code),
            "【skillcert】您的注册验证码为 123456，5 分钟内有效，请勿告诉他人。"
        );
        let reset = CodePurpose::ResetPassword.text(&code);
        assert!(reset.contains("重置密码") && reset.contains("123456"));
    }

    #[test]
    fn a_code_lives_five_minutes_and_survives_five_wrong_attempts() {
        assert_eq!(CodePolicy::STANDARD.ttl, Duration::minutes(5));
        assert_eq!(CodePolicy::STANDARD.max_wrong_attempts, 5);
        assert_eq!(CodePolicy::standard(), CodePolicy::STANDARD);
    }

    #[test]
    fn generated_codes_cover_leading_zeros() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let codes: Vec<SmsCode> = (0..5_000).map(|_| SmsCode::generate(&mut rng)).collect();
        assert!(codes.iter().any(|c| c.as_str().starts_with('0')));
        assert!(codes.iter().all(|c| c.as_str().len() == 6));
    }

    proptest! {
        #[test]
        fn every_generated_code_parses_back_to_itself(seed in any::<u64>()) {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let code = SmsCode::generate(&mut rng);
            prop_assert_eq!(SmsCode::parse(code.as_str()), Ok(code));
        }
    }
}
