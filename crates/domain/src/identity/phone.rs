//! A mainland China mobile number (11 digits, `1[3-9]` then 9 digits), the account's key for
//! sign-up, SMS codes and notifications.

use super::to_half_width;

/// An 11-digit mainland mobile number without country code or separators.
///
/// `Debug` and `Display` print only [`Phone::masked`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("请输入手机号")]
    Empty,
    #[error("请输入正确的 11 位手机号")]
    Format,
}

impl PhoneError {
    pub fn code(&self) -> &'static str {
        match self {
            PhoneError::Empty => "phone_empty",
            PhoneError::Format => "phone_format",
        }
    }
}

impl Phone {
    /// Accepts the ways people write their number: with spaces or dashes ("151 2345 6789",
    /// "151-2345-6789"), with a country code ("+86", "0086", "86"), in full-width digits.
    pub fn parse(raw: &str) -> Result<Phone, PhoneError> {
        let s: String = raw
            .chars()
            .map(to_half_width)
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        // A country code is dropped only when exactly a mobile number's worth of digits remains,
        // so that "86..." is never cut out of a number that merely starts with 86.
        let national = ["+86", "0086", "86"]
            .iter()
            .find_map(|prefix| {
                s.strip_prefix(prefix)
                    .filter(|rest| rest.len() == 11 && rest.bytes().all(|b| b.is_ascii_digit()))
            })
            .unwrap_or(&s);
        let b = national.as_bytes();
        let valid = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if !valid {
            return Err(PhoneError::Format);
        }
        Ok(Phone(national.to_owned()))
    }

    /// The 11 digits. Show [`Phone::masked`] to anyone but the owner.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// First 3 and last 4 digits: "151****1234".
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_and_decorated_numbers_parse_to_eleven_digits() {
        for raw in [
            "15123451234",
            " 151 2345 1234 ",
            "151-2345-1234",
            "+8615123451234",
            "+86 151 2345 1234",
            "008615123451234",
            "8615123451234",
            "１５１２３４５１２３４",
        ] {
            assert_eq!(Phone::parse(raw).unwrap().as_str(), "15123451234", "{raw}");
        }
    }

    #[test]
    fn landlines_short_numbers_and_unknown_prefixes_are_refused() {
        assert_eq!(Phone::parse(""), Err(PhoneError::Empty));
        assert_eq!(Phone::parse(" - "), Err(PhoneError::Empty));
        for raw in [
            "12123451234",
            "1512345123",
            "151234512345",
            "0771-5551234",
            "+8515123451234",
            "1512345123a",
            "+86+8615123451234",
        ] {
            assert_eq!(Phone::parse(raw), Err(PhoneError::Format), "{raw}");
        }
    }

    #[test]
    fn masked_form_hides_the_middle_four_digits() {
        let phone = Phone::parse("15123451234").unwrap();
        assert_eq!(phone.masked(), "151****1234");
        assert_eq!(phone.to_string(), "151****1234");
        assert_eq!(format!("{phone:?}"), "Phone(151****1234)");
    }

    proptest! {
        #[test]
        fn every_mainland_mobile_number_parses_with_or_without_country_code(
            second in 3u8..=9,
            rest in "[0-9]{9}",
            prefix in prop::sample::select(vec!["", "+86", "0086", "86", "+86 "]),
            spaced in any::<bool>(),
        ) {
            let digits = format!("1{second}{rest}");
            let body = if spaced {
                format!("{} {} {}", &digits[..3], &digits[3..7], &digits[7..])
            } else {
                digits.clone()
            };
            let phone = Phone::parse(&format!("{prefix}{body}")).unwrap();
            prop_assert_eq!(phone.as_str(), digits.as_str());
        }

        #[test]
        fn masked_phone_keeps_only_seven_digits(second in 3u8..=9, rest in "[0-9]{9}") {
            let phone = Phone::parse(&format!("1{second}{rest}")).unwrap();
            let masked = phone.masked();
            prop_assert_eq!(masked.chars().filter(char::is_ascii_digit).count(), 7);
            prop_assert_eq!(&masked[..3], &phone.as_str()[..3]);
            prop_assert_eq!(&masked[7..], &phone.as_str()[7..]);
        }

        #[test]
        fn parse_never_panics(raw in "\\PC{0,30}") {
            let _ = Phone::parse(&raw);
        }
    }
}
