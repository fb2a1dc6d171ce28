//! Phone numbers as the form asks for them: 联系电话 and a referee's phone may be a mainland
//! mobile or a landline with its area code (older referees, employers' switchboards).

use super::issues::FieldIssue;
use crate::identity::{Phone, to_half_width};

/// A mainland landline with its area code: "0771-1234567", "010 12345678", "(0771)1234567",
/// "01012345678", and with an extension "0771-1234567-123" or "0771-1234567转123".
pub fn is_landline(raw: &str) -> bool {
    let s: String = raw
        .chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .collect();
    let (number, extension) = match s.split_once('转') {
        Some((number, extension)) => (number, Some(extension)),
        None => (s.as_str(), None),
    };
    let (area, rest) = if let Some(inner) = number.strip_prefix('(') {
        match inner.split_once(')') {
            Some((area, rest)) => (area, rest.strip_prefix('-').unwrap_or(rest)),
            None => return false,
        }
    } else if let Some((area, rest)) = number.split_once('-') {
        (area, rest)
    } else {
        // No separator: the area code is 3 digits for 010 and 02X, 4 digits elsewhere.
        let area_len = if number.starts_with("01") || number.starts_with("02") {
            3
        } else {
            4
        };
        if number.len() <= area_len || !number.is_char_boundary(area_len) {
            return false;
        }
        number.split_at(area_len)
    };
    let (local, extension) = match (rest.split_once('-'), extension) {
        (Some(_), Some(_)) => return false,
        (Some((local, extension)), None) => (local, Some(extension)),
        (None, extension) => (rest, extension),
    };
    let digits = |s: &str, lengths: std::ops::RangeInclusive<usize>| {
        lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    digits(area, 3..=4)
        && area.starts_with('0')
        && digits(local, 7..=8)
        && !local.starts_with('0')
        && extension.is_none_or(|e| digits(e, 1..=6))
}

/// A mainland mobile number or a landline.
pub fn is_phone(raw: &str) -> bool {
    Phone::parse(raw).is_ok() || is_landline(raw)
}

/// The finding for a required phone input, if any. `what` names the input in the messages
/// ("联系电话", "证明人联系电话").
pub fn phone_issue(field: String, raw: &str, what: &str) -> Option<FieldIssue> {
    if raw.trim().is_empty() {
        Some(FieldIssue::error(
            field,
            "phone_missing",
            format!("请填写{what}"),
        ))
    } else if is_phone(raw) {
        None
    } else {
        Some(FieldIssue::error(
            field,
            "phone_format",
            format!("{what}应为 11 位手机号或带区号的固定电话，如 0771-1234567"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landlines_with_area_codes_are_phones() {
        for raw in [
            "0771-1234567",
            "010-12345678",
            "010 12345678",
            "(0771)1234567",
            "（0771）1234567",
            "(010)-12345678",
            "01012345678",
            "07711234567",
            "0771-1234567-123",
            "0771-1234567转123",
            "０７７１－１２３４５６７",
        ] {
            assert!(is_landline(raw), "{raw}");
            assert!(is_phone(raw), "{raw}");
        }
    }

    #[test]
    fn numbers_without_area_code_or_with_bad_parts_are_not_landlines() {
        for raw in [
            "1234567",
            "771-1234567",
            "0771-123456",
            "0771-123456789",
            "0771-0123456",
            "07771-1234567",
            "(0771-1234567",
            "0771-1234567-1234567",
            "0771-1234567-12转3",
            "0771-12a4567",
            "15123451234",
            "",
        ] {
            assert!(!is_landline(raw), "{raw}");
        }
    }

    #[test]
    fn a_mobile_number_is_a_phone() {
        assert!(is_phone("151-2345-1234"));
        assert!(!is_phone("12345"));
    }

    #[test]
    fn a_required_phone_says_what_is_wrong() {
        let missing = phone_issue("phone".into(), " ", "联系电话").unwrap();
        assert_eq!(missing.code, "phone_missing");
        assert_eq!(missing.message, "请填写联系电话");
        let bad = phone_issue("phone".into(), "12345", "联系电话").unwrap();
        assert_eq!(bad.code, "phone_format");
        assert_eq!(
            bad.message,
            "联系电话应为 11 位手机号或带区号的固定电话，如 0771-1234567"
        );
        assert_eq!(
            phone_issue("phone".into(), "0771-1234567", "联系电话"),
            None
        );
    }
}
