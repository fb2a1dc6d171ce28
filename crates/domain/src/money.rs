//! Money, in fen (分, 1/100 yuan) as integers: fees are added and compared exactly, and
//! payment providers (WeChat Pay) count in fen too.

use serde::{Deserialize, Serialize};

/// An amount in fen.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// "120.00": yuan with two decimals, no currency sign (for forms and CSV).
    pub fn yuan_text(&self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }

    /// Reads an amount typed in yuan: "120", "120.5", "120.50". At most two decimals, not
    /// negative; anything else (including "1e3", "¥120", "120.") is `None`.
    pub fn from_yuan_str(raw: &str) -> Option<Fen> {
        let raw = raw.trim();
        let (whole, fraction) = match raw.split_once('.') {
            Some((w, f)) => (w, f),
            None => (raw, "00"),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(fraction) || fraction.len() > 2 {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
        whole.checked_mul(100)?.checked_add(fraction).map(Fen)
    }
}

impl std::fmt::Display for Fen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "¥{}", self.yuan_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_show_as_yuan_with_two_decimals() {
        assert_eq!(Fen(12_000).yuan_text(), "120.00");
        assert_eq!(Fen(12_050).to_string(), "¥120.50");
        assert_eq!(Fen(5).yuan_text(), "0.05");
        assert_eq!(Fen(0).to_string(), "¥0.00");
        assert_eq!(Fen(-150).yuan_text(), "-1.50");
    }

    #[test]
    fn yuan_typed_with_up_to_two_decimals_are_read_exactly() {
        assert_eq!(Fen::from_yuan_str("120"), Some(Fen(12_000)));
        assert_eq!(Fen::from_yuan_str(" 120.5 "), Some(Fen(12_050)));
        assert_eq!(Fen::from_yuan_str("120.05"), Some(Fen(12_005)));
        assert_eq!(Fen::from_yuan_str("0.01"), Some(Fen(1)));
    }

    #[test]
    fn negative_malformed_or_over_precise_amounts_are_refused() {
        for raw in [
            "",
            "-1",
            "1.234",
            "1.",
            ".5",
            "1e3",
            "¥120",
            "1,000",
            "abc",
            "+5",
            "1.-5",
            "99999999999999999999",
        ] {
            assert_eq!(Fen::from_yuan_str(raw), None, "{raw}");
        }
    }

    proptest! {
        #[test]
        fn yuan_text_reads_back_to_the_same_amount(fen in 0i64..=i64::MAX / 100) {
            prop_assert_eq!(Fen::from_yuan_str(&Fen(fen).yuan_text()), Some(Fen(fen)));
        }
    }
}
