//! A month drawn as a calendar (Monday first, as Chinese wall calendars are), each day marked
//! as a working day, a weekend, a holiday or a make-up working day.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use domain::calendar::{DayKind, WorkCalendar};

pub struct DayCell {
    pub day: u32,
    /// workday | weekend | holiday | makeup
    pub kind: &'static str,
    /// The holiday's name, or "调休上班" / "放假" when it has none.
    pub note: String,
    pub today: bool,
}

pub struct Month {
    pub title: String,
    /// Weeks of seven cells; `None` pads the first and last week.
    pub weeks: Vec<Vec<Option<DayCell>>>,
}

/// The month containing `first` (any day of it).
pub fn month(calendar: &WorkCalendar, any_day: NaiveDate, today: NaiveDate) -> Month {
    let first = any_day.with_day(1).unwrap_or(any_day);
    let mut cells: Vec<Option<DayCell>> = (0..first.weekday().num_days_from_monday())
        .map(|_| None)
        .collect();
    let mut date = first;
    while date.month() == first.month() {
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        let special = calendar.special(date);
        let (kind, default_note) = match special.map(|s| s.kind) {
            Some(DayKind::Holiday) => ("holiday", "放假"),
            Some(DayKind::MakeUpWorkday) => ("makeup", "调休上班"),
            None if weekend => ("weekend", ""),
            None => ("workday", ""),
        };
        cells.push(Some(DayCell {
            day: date.day(),
            kind,
            note: special
                .map(|s| s.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| default_note.to_owned()),
            today: date == today,
        }));
        match date.checked_add_days(Days::new(1)) {
            Some(next) => date = next,
            None => break,
        }
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(None);
    }
    let mut weeks = Vec::new();
    let mut cells = cells.into_iter().peekable();
    while cells.peek().is_some() {
        weeks.push(cells.by_ref().take(7).collect());
    }
    Month {
        title: format!("{}年{}月", first.year(), first.month()),
        weeks,
    }
}

/// The first day of the month after `date`'s.
pub fn next_month(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn october_2024_shows_the_national_day_holiday_and_its_make_up_days() {
        let calendar = WorkCalendar::parse(
            "2024-10-01,放假,国庆节\n2024-10-07,放假,国庆节\n2024-10-12,上班,国庆节调休\n",
        )
        .unwrap();
        let m = month(&calendar, d(2024, 10, 15), d(2024, 10, 15));
        assert_eq!(m.title, "2024年10月");
        // 1 October 2024 was a Tuesday: one blank before it.
        assert!(m.weeks[0][0].is_none());
        let cell = |day: u32| {
            m.weeks
                .iter()
                .flatten()
                .flatten()
                .find(|c| c.day == day)
                .unwrap()
        };
        assert_eq!((cell(1).kind, cell(1).note.as_str()), ("holiday", "国庆节"));
        assert_eq!(cell(12).kind, "makeup");
        assert_eq!(cell(13).kind, "weekend");
        assert_eq!(cell(14).kind, "workday");
        assert!(cell(15).today);
        assert!(m.weeks.iter().all(|w| w.len() == 7));
        assert_eq!(m.weeks.iter().flatten().flatten().count(), 31);
    }

    #[test]
    fn the_month_after_december_is_january() {
        assert_eq!(next_month(d(2024, 12, 31)), d(2025, 1, 1));
        assert_eq!(next_month(d(2024, 1, 31)), d(2024, 2, 1));
    }
}
