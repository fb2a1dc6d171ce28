//! 年月 and dates as candidates type them. Work history is kept to the month, as the
//! registration form asks ("起止时间填写至月份即可"); birth, graduation and certificate dates are
//! days.

use std::borrow::Borrow;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::identity::to_half_width;

/// A calendar month. Ordered by time (year, then month).
///
/// The fields are public for pattern matching and struct literals; [`YearMonth::parse`] and
/// [`YearMonth::new`] are the constructors that refuse a month outside 1..=12.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    pub year: i32,
    pub month: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonthError {
    #[error("请填写年月")]
    Empty,
    #[error("年月格式应为 2019-07")]
    Format,
    #[error("月份应在 1–12 之间")]
    Month,
    #[error("年份应在 1900–2100 之间")]
    Year,
}

impl MonthError {
    pub fn code(&self) -> &'static str {
        match self {
            MonthError::Empty => "month_empty",
            MonthError::Format => "month_format",
            MonthError::Month => "month_invalid",
            MonthError::Year => "month_year",
        }
    }
}

/// Years outside this range are typing mistakes (and 1900 is where ID numbers start too).
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2100;

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        ((1..=12).contains(&month) && (MIN_YEAR..=MAX_YEAR).contains(&year))
            .then_some(YearMonth { year, month })
    }

    /// Reads a month as people write it: "2019-07", "2019.07", "2019/7", "201907",
    /// "2019年7月", in full-width digits too.
    pub fn parse(raw: &str) -> Result<YearMonth, MonthError> {
        let s = normalise(raw);
        if s.is_empty() {
            return Err(MonthError::Empty);
        }
        let s = s.strip_suffix('月').unwrap_or(&s).replace('年', "-");
        let (year, month) = if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            (&s[..4], &s[4..])
        } else {
            let mut parts = s.split(['-', '.', '/']);
            match (parts.next(), parts.next(), parts.next()) {
                (Some(y), Some(m), None) => (y, m),
                _ => return Err(MonthError::Format),
            }
        };
        let digits = |p: &str, lengths: std::ops::RangeInclusive<usize>| {
            lengths.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(year, 4..=4) || !digits(month, 1..=2) {
            return Err(MonthError::Format);
        }
        let year: i32 = year.parse().map_err(|_| MonthError::Format)?;
        let month: u32 = month.parse().map_err(|_| MonthError::Format)?;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(MonthError::Year);
        }
        if !(1..=12).contains(&month) {
            return Err(MonthError::Month);
        }
        Ok(YearMonth { year, month })
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    pub fn month(&self) -> u32 {
        self.month
    }

    /// The month a date falls in.
    pub fn from_date(date: NaiveDate) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The 1st of the month. A hand-built month outside 1..=12 is clamped into it.
    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month.clamp(1, 12), 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day of the month.
    pub fn last_day(&self) -> NaiveDate {
        self.add_months(1)
            .first_day()
            .pred_opt()
            .unwrap_or(NaiveDate::MIN)
    }

    /// Months since January of year 0: a linear scale on which months subtract.
    pub fn index(&self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    pub fn from_index(index: i32) -> YearMonth {
        YearMonth {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// How many months from this month to `later` (negative when `later` is earlier):
    /// 2019-07 to 2019-08 is 1. Takes a month or a reference to one.
    pub fn months_until(&self, later: impl Borrow<YearMonth>) -> i32 {
        later.borrow().index() - self.index()
    }

    /// The month `n` months later (earlier when negative).
    pub fn add_months(&self, n: i32) -> YearMonth {
        YearMonth::from_index(self.index() + n)
    }

    /// "2019年07月", as printed on the registration form.
    pub fn label(&self) -> String {
        format!("{}年{:02}月", self.year, self.month)
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for YearMonth {
    type Err = MonthError;

    fn from_str(s: &str) -> Result<YearMonth, MonthError> {
        YearMonth::parse(s)
    }
}

impl TryFrom<String> for YearMonth {
    type Error = MonthError;

    fn try_from(s: String) -> Result<YearMonth, MonthError> {
        YearMonth::parse(&s)
    }
}

impl From<YearMonth> for String {
    fn from(m: YearMonth) -> String {
        m.to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("请填写日期")]
    Empty,
    #[error("日期格式应为 1996-06-29")]
    Format,
    #[error("日期不存在，请检查年、月、日")]
    Invalid,
}

impl DateError {
    pub fn code(&self) -> &'static str {
        match self {
            DateError::Empty => "date_empty",
            DateError::Format => "date_format",
            DateError::Invalid => "date_invalid",
        }
    }
}

/// Reads a date as people write it: "1996-06-29", "1996/6/29", "1996.06.29", "19960629",
/// "1996年6月29日", in full-width digits too. Years 1900..=2100.
pub fn parse_date(raw: &str) -> Result<NaiveDate, DateError> {
    let s = normalise(raw);
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let s = s
        .strip_suffix('日')
        .unwrap_or(&s)
        .replace(['年', '月'], "-");
    let (year, month, day) = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        (&s[..4], &s[4..6], &s[6..])
    } else {
        let mut parts = s.split(['-', '.', '/']);
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(y), Some(m), Some(d), None) => (y, m, d),
            _ => return Err(DateError::Format),
        }
    };
    let digits = |p: &str, max_len: usize| {
        (1..=max_len).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if year.len() != 4 || !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
        return Err(DateError::Format);
    }
    let year: i32 = year.parse().map_err(|_| DateError::Format)?;
    let month: u32 = month.parse().map_err(|_| DateError::Format)?;
    let day: u32 = day.parse().map_err(|_| DateError::Format)?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(DateError::Invalid);
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(DateError::Invalid)
}

/// A date, or a month read as its first day: graduation and certificate dates are often known
/// only to the month ("2019年7月毕业").
pub fn parse_date_or_month(raw: &str) -> Result<NaiveDate, DateError> {
    match parse_date(raw) {
        Err(DateError::Format) => {
            YearMonth::parse(raw)
                .map(|m| m.first_day())
                .map_err(|e| match e {
                    MonthError::Empty => DateError::Empty,
                    MonthError::Format => DateError::Format,
                    MonthError::Month | MonthError::Year => DateError::Invalid,
                })
        }
        other => other,
    }
}

fn normalise(raw: &str) -> String {
    raw.chars()
        .map(to_half_width)
        .filter(|c| !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ym(year: i32, month: u32) -> YearMonth {
        YearMonth::new(year, month).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn months_are_read_in_the_ways_people_write_them() {
        for raw in [
            "2019-07",
            "2019.07",
            "2019/7",
            "201907",
            " 2019-7 ",
            "2019年7月",
            "2019年07月",
            "２０１９－０７",
        ] {
            assert_eq!(YearMonth::parse(raw), Ok(ym(2019, 7)), "{raw}");
        }
    }

    #[test]
    fn malformed_months_get_their_own_errors() {
        assert_eq!(YearMonth::parse(" "), Err(MonthError::Empty));
        for raw in [
            "2019",
            "19-07",
            "2019-007",
            "2019-07-01",
            "July 2019",
            "2019-x",
        ] {
            assert_eq!(YearMonth::parse(raw), Err(MonthError::Format), "{raw}");
        }
        assert_eq!(YearMonth::parse("2019-13"), Err(MonthError::Month));
        assert_eq!(YearMonth::parse("201900"), Err(MonthError::Month));
        assert_eq!(YearMonth::parse("1899-12"), Err(MonthError::Year));
        assert_eq!(MonthError::Format.code(), "month_format");
        assert!(MonthError::Format.to_string().contains("2019-07"));
    }

    #[test]
    fn months_display_as_year_dash_month_and_order_by_time() {
        assert_eq!(ym(2019, 7).to_string(), "2019-07");
        assert_eq!(ym(2019, 7).label(), "2019年07月");
        assert!(ym(2018, 12) < ym(2019, 1));
        assert!(ym(2019, 2) > ym(2019, 1));
        assert_eq!("2019-07".parse::<YearMonth>(), Ok(ym(2019, 7)));
    }

    #[test]
    // The borrow is the point: callers may pass a month or a reference to one.
    #[allow(clippy::needless_borrows_for_generic_args)]
    fn months_until_counts_calendar_months_either_way() {
        assert_eq!(ym(2019, 7).months_until(ym(2019, 7)), 0);
        assert_eq!(ym(2019, 7).months_until(ym(2019, 8)), 1);
        assert_eq!(ym(2019, 7).months_until(&ym(2020, 7)), 12);
        assert_eq!(ym(2020, 1).months_until(ym(2019, 12)), -1);
        assert_eq!(ym(2019, 11).add_months(3), ym(2020, 2));
        assert_eq!(ym(2020, 2).add_months(-3), ym(2019, 11));
    }

    #[test]
    fn a_month_knows_its_first_and_last_day() {
        assert_eq!(YearMonth::from_date(date(2020, 2, 17)), ym(2020, 2));
        assert_eq!(ym(2020, 2).first_day(), date(2020, 2, 1));
        assert_eq!(ym(2020, 2).last_day(), date(2020, 2, 29));
        assert_eq!(ym(2019, 12).last_day(), date(2019, 12, 31));
    }

    #[test]
    fn months_serialise_as_their_display_string() {
        let m = ym(2019, 7);
        assert_eq!(String::from(m), "2019-07");
        assert_eq!(YearMonth::try_from("2019/7".to_owned()), Ok(m));
        assert!(YearMonth::try_from("2019-13".to_owned()).is_err());
    }

    #[test]
    fn dates_are_read_in_the_ways_people_write_them() {
        for raw in [
            "1996-06-29",
            "1996/6/29",
            "1996.06.29",
            "19960629",
            "1996年6月29日",
            "１９９６－０６－２９",
        ] {
            assert_eq!(parse_date(raw), Ok(date(1996, 6, 29)), "{raw}");
        }
        assert_eq!(parse_date(""), Err(DateError::Empty));
        assert_eq!(parse_date("96-06-29"), Err(DateError::Format));
        assert_eq!(parse_date("1996-06"), Err(DateError::Format));
        assert_eq!(parse_date("1996-02-30"), Err(DateError::Invalid));
        assert_eq!(parse_date("1850-01-01"), Err(DateError::Invalid));
    }

    #[test]
    fn a_graduation_month_is_read_as_its_first_day() {
        assert_eq!(parse_date_or_month("2019-07"), Ok(date(2019, 7, 1)));
        assert_eq!(parse_date_or_month("2019-07-15"), Ok(date(2019, 7, 15)));
        assert_eq!(parse_date_or_month("2019-13"), Err(DateError::Invalid));
        assert_eq!(parse_date_or_month("soon"), Err(DateError::Format));
        assert_eq!(parse_date_or_month(""), Err(DateError::Empty));
    }

    proptest! {
        #[test]
        fn every_valid_month_round_trips_through_its_display(year in 1900i32..=2100, month in 1u32..=12) {
            let m = ym(year, month);
            prop_assert_eq!(YearMonth::parse(&m.to_string()), Ok(m));
            prop_assert_eq!(YearMonth::from_index(m.index()), m);
            prop_assert_eq!(YearMonth::from_date(m.first_day()), m);
            prop_assert_eq!(YearMonth::from_date(m.last_day()), m);
        }

        #[test]
        fn months_until_agrees_with_ordering(a in 22_800i32..25_200, b in 22_800i32..25_200) {
            let (x, y) = (YearMonth::from_index(a), YearMonth::from_index(b));
            prop_assert_eq!(x.months_until(y), b - a);
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            prop_assert_eq!(x.add_months(b - a), y);
        }

        #[test]
        fn parsing_never_panics(raw in "\\PC{0,16}") {
            let _ = YearMonth::parse(&raw);
            let _ = parse_date(&raw);
        }
    }
}
