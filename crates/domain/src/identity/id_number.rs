//! The mainland resident ID number (居民身份证号码, GB 11643-1999).
//!
//! Layout: 6 digits area code of the place of first registration, 8 digits birth date, 3 digits
//! sequence (odd for men, even for women), 1 check character (ISO 7064 MOD 11-2).
//!
//! Only the province of the area code is checked: an ID number keeps the area code that was
//! valid when it was issued, and areas are merged and renumbered all the time, so a current
//! GB/T 2260 table would refuse real people.

use chrono::NaiveDate;

use super::{Gender, to_half_width};

/// A valid 18-character ID number, the check character an uppercase `X` when it is ten.
///
/// `Debug` and `Display` print only [`IdNumber::masked`]: never log a full ID number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("请输入身份证号")]
    Empty,
    #[error("身份证号应为 18 位")]
    Length,
    #[error("身份证号只能由数字组成，最后一位可以是 X")]
    Characters,
    #[error("身份证号校验位不正确，请检查是否输错")]
    CheckDigit,
    #[error("身份证号中的出生日期不正确")]
    BirthDate,
    #[error("身份证号中的出生日期晚于今天")]
    FutureBirthDate,
    #[error("身份证号前两位不是有效的省份代码")]
    Province,
}

impl IdNumberError {
    pub fn code(&self) -> &'static str {
        match self {
            IdNumberError::Empty => "id_number_empty",
            IdNumberError::Length => "id_number_length",
            IdNumberError::Characters => "id_number_characters",
            IdNumberError::CheckDigit => "id_number_check_digit",
            IdNumberError::BirthDate => "id_number_birth_date",
            IdNumberError::FutureBirthDate => "id_number_future_birth_date",
            IdNumberError::Province => "id_number_province",
        }
    }
}

/// GB/T 2260 province-level codes, including Taiwan (71), Hong Kong (81) and Macao (82), whose
/// residents hold numbers in this format on residence permits.
pub const PROVINCE_CODES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

impl IdNumber {
    /// Parses an ID number as a candidate types it: surrounding and inner spaces are ignored,
    /// full-width digits are accepted, and a lowercase trailing `x` is uppercased.
    ///
    /// The birth date is checked against the calendar (1900-01-01..=2100-12-31) but not
    /// against today; use [`IdNumber::parse_on`] for that.
    pub fn parse(raw: &str) -> Result<IdNumber, IdNumberError> {
        let s: String = raw
            .chars()
            .map(to_half_width)
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == 'x' { 'X' } else { c })
            .collect();
        if s.is_empty() {
            return Err(IdNumberError::Empty);
        }
        if s.chars().count() != 18 {
            return Err(IdNumberError::Length);
        }
        let bytes = s.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::Characters);
        }
        // Province and birth date first: when those are wrong the specific message helps the
        // candidate more than "check digit", which would also fail.
        if !PROVINCE_CODES.contains(&&s[..2]) {
            return Err(IdNumberError::Province);
        }
        birth_date_of(&s).ok_or(IdNumberError::BirthDate)?;
        if check_digit(&s[..17]) != Some(bytes[17] as char) {
            return Err(IdNumberError::CheckDigit);
        }
        Ok(IdNumber(s))
    }

    /// [`IdNumber::parse`], and the birth date must not be after `today` (pass the date in
    /// Shanghai, see [`crate::time::shanghai_date`]).
    pub fn parse_on(raw: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let id = IdNumber::parse(raw)?;
        if id.birth_date() > today {
            return Err(IdNumberError::FutureBirthDate);
        }
        Ok(id)
    }

    /// The full number. Handle with care: store it encrypted, show it masked.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).expect("validated at parse")
    }

    /// The 17th character is odd for men and even for women.
    pub fn gender(&self) -> Gender {
        let digit = self.0.as_bytes()[16] - b'0';
        if digit % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The two-digit GB/T 2260 province code (e.g. "45" for Guangxi).
    pub fn province_code(&self) -> &str {
        &self.0[..2]
    }

    /// The 6-digit area code of first registration.
    pub fn area_code(&self) -> &str {
        &self.0[..6]
    }

    /// Age in whole years on `today`.
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        today.years_since(self.birth_date()).unwrap_or(0)
    }

    /// First 4 and last 4 characters, the ten in between as `*`: "4501**********1234".
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }
}

/// The check character for the first 17 digits of an ID number, or `None` when `first17` is
/// not exactly 17 ASCII digits.
pub fn check_digit(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

impl IdNumber {
    /// Same as the free function [`check_digit`], reachable as `IdNumber::check_digit`.
    pub fn check_digit(first17: &str) -> Option<char> {
        check_digit(first17)
    }
}

fn birth_date_of(s: &str) -> Option<NaiveDate> {
    let year: i32 = s.get(6..10)?.parse().ok()?;
    let month: u32 = s.get(10..12)?.parse().ok()?;
    let day: u32 = s.get(12..14)?.parse().ok()?;
    if !(1900..=2100).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl std::fmt::Display for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a valid number from its parts, the way test helpers in other crates do.
    fn build(area: &str, birth: NaiveDate, sequence: u16) -> String {
        let first17 = format!("{area}{}{sequence:03}", birth.format("%Y%m%d"));
        let check = check_digit(&first17).unwrap();
        format!("{first17}{check}")
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_standard_example_number_is_valid() {
        // The worked example of GB 11643-1999.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date(), date(1949, 12, 31));
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.province_code(), "11");
        assert_eq!(id.area_code(), "110105");
    }

    #[test]
    fn check_digit_follows_iso_7064_mod_11_2() {
        assert_eq!(check_digit("11010519491231002"), Some('X'));
        assert_eq!(check_digit("44052418800101001"), Some('4'));
        assert_eq!(check_digit("4405241880010100"), None);
        assert_eq!(check_digit("4405241880010100a"), None);
        assert_eq!(IdNumber::check_digit("11010519491231002"), Some('X'));
    }

    #[test]
    fn lowercase_x_spaces_and_full_width_digits_are_accepted() {
        let id = IdNumber::parse("  11010519491231002x ").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            IdNumber::parse("110105 19491231 002X").unwrap().as_str(),
            "11010519491231002X"
        );
        assert_eq!(
            IdNumber::parse("１１０１０５１９４９１２３１００２ｘ")
                .unwrap()
                .as_str(),
            "11010519491231002X"
        );
    }

    #[test]
    fn each_kind_of_mistake_gets_its_own_error() {
        assert_eq!(IdNumber::parse("  "), Err(IdNumberError::Empty));
        assert_eq!(
            IdNumber::parse("1101051949123100"),
            Err(IdNumberError::Length)
        );
        assert_eq!(
            IdNumber::parse("11010519491231002Y"),
            Err(IdNumberError::Characters)
        );
        assert_eq!(
            IdNumber::parse("1101051949123100X2"),
            Err(IdNumberError::Characters)
        );
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err(IdNumberError::CheckDigit)
        );
        assert_eq!(
            IdNumber::parse(&build("990105", date(1949, 12, 31), 2)),
            Err(IdNumberError::Province)
        );
        let feb30 = "11010519900230002";
        let feb30 = format!("{feb30}{}", check_digit(feb30).unwrap());
        assert_eq!(IdNumber::parse(&feb30), Err(IdNumberError::BirthDate));
        let too_old = "11010518991231002";
        let too_old = format!("{too_old}{}", check_digit(too_old).unwrap());
        assert_eq!(IdNumber::parse(&too_old), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn a_birth_date_after_today_is_refused_only_by_parse_on() {
        let raw = build("450103", date(2030, 1, 1), 123);
        assert!(IdNumber::parse(&raw).is_ok());
        assert_eq!(
            IdNumber::parse_on(&raw, date(2025, 6, 1)),
            Err(IdNumberError::FutureBirthDate)
        );
        assert!(IdNumber::parse_on(&raw, date(2030, 1, 1)).is_ok());
    }

    #[test]
    fn debug_and_display_never_show_the_full_number() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id}"), "1101**********002X");
        assert!(!format!("{id:?}").contains("19491231"));
    }

    #[test]
    fn age_counts_whole_years() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.age_on(date(1950, 12, 30)), 0);
        assert_eq!(id.age_on(date(1950, 12, 31)), 1);
    }

    #[test]
    fn every_error_has_a_chinese_message_and_a_distinct_code() {
        let all = [
            IdNumberError::Empty,
            IdNumberError::Length,
            IdNumberError::Characters,
            IdNumberError::CheckDigit,
            IdNumberError::BirthDate,
            IdNumberError::FutureBirthDate,
            IdNumberError::Province,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert!(all.iter().all(|e| e.to_string().contains("身份证号")));
    }

    fn valid_parts() -> impl Strategy<Value = (String, NaiveDate, u16)> {
        (
            prop::sample::select(PROVINCE_CODES.to_vec()),
            0u32..10_000,
            1900i32..=2100,
            1u32..=12,
            1u32..=31,
            0u16..1000,
        )
            .prop_filter_map("real calendar date", |(p, rest, y, m, d, seq)| {
                let birth = NaiveDate::from_ymd_opt(y, m, d)?;
                Some((format!("{p}{rest:04}"), birth, seq))
            })
    }

    proptest! {
        #[test]
        fn every_number_built_with_check_digit_parses_and_round_trips(
            (area, birth, seq) in valid_parts()
        ) {
            let raw = build(&area, birth, seq);
            let id = IdNumber::parse(&raw).unwrap();
            prop_assert_eq!(id.as_str(), raw.as_str());
            prop_assert_eq!(id.birth_date(), birth);
            let expected = if (seq % 10) % 2 == 1 { Gender::Male } else { Gender::Female };
            prop_assert_eq!(id.gender(), expected);
            prop_assert_eq!(id.province_code(), &area[..2]);
        }

        #[test]
        fn changing_any_single_character_makes_the_number_invalid(
            (area, birth, seq) in valid_parts(),
            position in 0usize..18,
            replacement in prop::sample::select("0123456789X".chars().collect::<Vec<_>>()),
        ) {
            let raw = build(&area, birth, seq);
            let mut chars: Vec<char> = raw.chars().collect();
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(IdNumber::parse(&changed).is_err());
        }

        #[test]
        fn masked_output_never_contains_the_middle_digits(
            (area, birth, seq) in valid_parts()
        ) {
            let id = IdNumber::parse(&build(&area, birth, seq)).unwrap();
            let masked = id.masked();
            prop_assert_eq!(masked.chars().count(), 18);
            prop_assert_eq!(&masked[4..14], "**********");
            prop_assert_eq!(&masked[..4], &id.as_str()[..4]);
            prop_assert_eq!(&masked[14..], &id.as_str()[14..]);
            let middle = &id.as_str()[4..14];
            let debug = format!("{id:?}");
            let display = id.to_string();
            prop_assert!(!debug.contains(middle));
            prop_assert!(!display.contains(middle));
        }

        #[test]
        fn parse_never_panics_on_arbitrary_input(raw in ".{0,40}") {
            let _ = IdNumber::parse(&raw);
        }
    }
}
