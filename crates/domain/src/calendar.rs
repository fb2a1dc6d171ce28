//! Working days (工作日) in mainland China, for the review's promise ("reviewed within about 2
//! working days") and every other deadline counted in working days.
//!
//! A day is a working day when it is Monday to Friday and not a public holiday (法定节假日), or
//! when it is a make-up working day (调休上班日), usually a weekend day before or after a long
//! holiday. The State Council publishes each year's holidays and make-up days in the autumn
//! before, so they are data that staff keep up to date ([`WorkCalendar::parse`] reads the
//! simple text the console edits), never rules in code.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// What a date is, when it is not what its weekday says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// 放假: a public holiday, or a weekday given as part of one.
    Holiday,
    /// 调休上班: a weekend day worked in exchange.
    MakeUpWorkday,
}

impl DayKind {
    pub fn code(&self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::MakeUpWorkday => "workday",
        }
    }

    pub fn parse(raw: &str) -> Option<DayKind> {
        match raw.trim() {
            "holiday" | "放假" | "休" => Some(DayKind::Holiday),
            "workday" | "上班" | "班" => Some(DayKind::MakeUpWorkday),
            _ => None,
        }
    }
}

/// One exception with the name shown beside it (国庆节, 国庆节调休 …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub kind: DayKind,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("第 {line} 行：日期应为 YYYY-MM-DD")]
    BadDate { line: usize },
    #[error("第 {line} 行：类型应为 放假 或 上班")]
    BadKind { line: usize },
    #[error("第 {line} 行：{date} 已在第 {first} 行出现")]
    Repeated {
        line: usize,
        first: usize,
        date: NaiveDate,
    },
}

impl CalendarError {
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::BadDate { .. } => "calendar_bad_date",
            CalendarError::BadKind { .. } => "calendar_bad_kind",
            CalendarError::Repeated { .. } => "calendar_repeated_date",
        }
    }
}

/// The exceptions to "Monday to Friday"; every other date follows its weekday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    special: BTreeMap<NaiveDate, SpecialDay>,
}

/// How far a working-day count may run before we stop looking: a calendar that declared every
/// day a holiday must not loop for ever.
const MAX_SCAN_DAYS: u64 = 3 * 366;

impl WorkCalendar {
    pub fn new(special: impl IntoIterator<Item = (NaiveDate, SpecialDay)>) -> WorkCalendar {
        WorkCalendar {
            special: special.into_iter().collect(),
        }
    }

    /// Reads one exception per line, `YYYY-MM-DD,放假|上班[,name]` (also `holiday`/`workday`);
    /// blank lines and lines starting with `#` are skipped. Every mistake is reported with its
    /// line, all at once, so that staff can fix the text in one go.
    pub fn parse(text: &str) -> Result<WorkCalendar, Vec<CalendarError>> {
        let mut special = BTreeMap::new();
        let mut first_line = BTreeMap::new();
        let mut errors = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let raw = raw.trim();
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let mut parts = raw.splitn(3, [',', '，']).map(str::trim);
            let Some(date) = parts
                .next()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            else {
                errors.push(CalendarError::BadDate { line });
                continue;
            };
            let Some(kind) = parts.next().and_then(DayKind::parse) else {
                errors.push(CalendarError::BadKind { line });
                continue;
            };
            if let Some(&first) = first_line.get(&date) {
                errors.push(CalendarError::Repeated { line, first, date });
                continue;
            }
            first_line.insert(date, line);
            let name = parts.next().unwrap_or_default().to_owned();
            special.insert(date, SpecialDay { kind, name });
        }
        if errors.is_empty() {
            Ok(WorkCalendar { special })
        } else {
            Err(errors)
        }
    }

    /// The text [`Self::parse`] reads, one exception per line in date order.
    pub fn to_text(&self) -> String {
        self.special
            .iter()
            .map(|(date, day)| {
                let kind = match day.kind {
                    DayKind::Holiday => "放假",
                    DayKind::MakeUpWorkday => "上班",
                };
                if day.name.is_empty() {
                    format!("{date},{kind}\n")
                } else {
                    format!("{date},{kind},{}\n", day.name)
                }
            })
            .collect()
    }

    /// Every exception, in date order.
    pub fn days(&self) -> impl Iterator<Item = (NaiveDate, &SpecialDay)> {
        self.special.iter().map(|(d, s)| (*d, s))
    }

    pub fn special(&self, date: NaiveDate) -> Option<&SpecialDay> {
        self.special.get(&date)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.special.get(&date).map(|d| d.kind) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::MakeUpWorkday) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The `n`-th working day after `start` (`start` itself never counts): a case submitted on
    /// Friday with a 2-working-day promise is due on Tuesday. `n = 0` is `start`. `None` only
    /// when the calendar has no working day for years.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut date = start;
        let mut left = n;
        let mut scanned = 0;
        while left > 0 {
            date = date.checked_add_days(Days::new(1))?;
            scanned += 1;
            if scanned > MAX_SCAN_DAYS * u64::from(n.max(1)) {
                return None;
            }
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        Some(date)
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`):
    /// how many working days a case has been waiting.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count()
            .try_into()
            .unwrap_or(u32::MAX)
    }

    /// Where a promise made on `since` (Beijing date) to act within `working_days` stands on
    /// `today`.
    pub fn deadline(&self, since: NaiveDate, working_days: u32, today: NaiveDate) -> Deadline {
        let Some(due) = self.add_working_days(since, working_days) else {
            return Deadline::NotDue {
                due: since,
                working_days_left: 0,
            };
        };
        if today < due {
            Deadline::NotDue {
                due,
                working_days_left: self.working_days_between(today, due),
            }
        } else if today == due {
            Deadline::DueToday { due }
        } else {
            Deadline::Overdue {
                due,
                working_days_late: self.working_days_between(due, today),
            }
        }
    }
}

/// A working-day promise as it stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    NotDue {
        due: NaiveDate,
        working_days_left: u32,
    },
    DueToday {
        due: NaiveDate,
    },
    Overdue {
        due: NaiveDate,
        /// Working days past the due date (0 when only a weekend or holiday has passed).
        working_days_late: u32,
    },
}

impl Deadline {
    pub fn due(&self) -> NaiveDate {
        match *self {
            Deadline::NotDue { due, .. }
            | Deadline::DueToday { due }
            | Deadline::Overdue { due, .. } => due,
        }
    }

    pub fn is_overdue(&self) -> bool {
        matches!(self, Deadline::Overdue { .. })
    }

    /// As the review queue shows it.
    pub fn label(&self) -> String {
        match *self {
            Deadline::NotDue {
                due,
                working_days_left,
            } => format!(
                "{} 前（还剩 {working_days_left} 个工作日）",
                due.format("%m-%d")
            ),
            Deadline::DueToday { .. } => "今天到期".to_owned(),
            Deadline::Overdue {
                working_days_late, ..
            } if working_days_late > 0 => format!("已逾期 {working_days_late} 个工作日"),
            Deadline::Overdue { due, .. } => format!("已逾期（{} 到期）", due.format("%m-%d")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A National Day week shaped like the usual one: 1–7 October off, the Saturday before
    /// (27 September) and the Saturday after (11 October) worked. An example, not the State
    /// Council's schedule for any year.
    fn national_day() -> WorkCalendar {
        WorkCalendar::parse(
            "# 国庆节（示例）\n\
             2025-09-27,上班,国庆节调休\n\
             2025-10-01,放假,国庆节\n2025-10-02,放假,国庆节\n2025-10-03,放假,国庆节\n\
             2025-10-06,放假,国庆节\n2025-10-07,放假,国庆节\n\
             2025-10-11,上班,国庆节调休\n",
        )
        .unwrap()
    }

    #[test]
    fn weekends_holidays_and_make_up_days() {
        let plain = WorkCalendar::default();
        assert!(plain.is_working_day(d("2026-11-27")), "a Friday");
        assert!(!plain.is_working_day(d("2026-11-28")), "a Saturday");
        let c = national_day();
        assert!(!c.is_working_day(d("2025-10-01")), "a Wednesday holiday");
        assert!(c.is_working_day(d("2025-09-27")), "a Saturday worked");
        assert_eq!(c.special(d("2025-10-11")).unwrap().name, "国庆节调休");
    }

    #[test]
    fn two_working_days_skip_weekends_and_holidays() {
        let plain = WorkCalendar::default();
        // Submitted on a Friday: Monday is the first working day, Tuesday the second.
        assert_eq!(
            plain.add_working_days(d("2026-11-27"), 2),
            Some(d("2026-12-01"))
        );
        // Submitted on a Saturday: the same.
        assert_eq!(
            plain.add_working_days(d("2026-11-28"), 2),
            Some(d("2026-12-01"))
        );
        let c = national_day();
        // Submitted on 30 September: the holiday week passes; 8 and 9 October are the two.
        assert_eq!(
            c.add_working_days(d("2025-09-30"), 2),
            Some(d("2025-10-09"))
        );
        // Submitted on Friday 26 September: the make-up Saturday counts.
        assert_eq!(
            c.add_working_days(d("2025-09-26"), 1),
            Some(d("2025-09-27"))
        );
        assert_eq!(
            c.add_working_days(d("2025-09-26"), 0),
            Some(d("2025-09-26"))
        );
    }

    #[test]
    fn a_deadline_is_not_due_due_today_or_overdue() {
        let plain = WorkCalendar::default();
        let since = d("2026-11-26"); // Thursday; due Monday 30 November
        assert_eq!(
            plain.deadline(since, 2, d("2026-11-27")),
            Deadline::NotDue {
                due: d("2026-11-30"),
                working_days_left: 1
            }
        );
        let today = plain.deadline(since, 2, d("2026-11-30"));
        assert_eq!(
            today,
            Deadline::DueToday {
                due: d("2026-11-30")
            }
        );
        assert_eq!(today.label(), "今天到期");
        let late = plain.deadline(since, 2, d("2026-12-02"));
        assert_eq!(
            late,
            Deadline::Overdue {
                due: d("2026-11-30"),
                working_days_late: 2
            }
        );
        assert!(late.is_overdue());
        assert_eq!(late.label(), "已逾期 2 个工作日");
    }

    #[test]
    fn every_mistake_in_the_text_is_reported_with_its_line() {
        let errors = WorkCalendar::parse(
            "2025-10-01,放假\n2025-13-01,放假\n\n2025-10-02,休息\n2025-10-01,上班\n",
        )
        .unwrap_err();
        assert_eq!(
            errors,
            vec![
                CalendarError::BadDate { line: 2 },
                CalendarError::BadKind { line: 4 },
                CalendarError::Repeated {
                    line: 5,
                    first: 1,
                    date: d("2025-10-01")
                },
            ]
        );
        assert_eq!(errors[2].to_string(), "第 5 行：2025-10-01 已在第 1 行出现");
        assert_eq!(errors[1].code(), "calendar_bad_kind");
    }

    #[test]
    fn a_calendar_of_nothing_but_holidays_gives_up_instead_of_looping() {
        let start = d("2026-01-01");
        let all_off = WorkCalendar::new(start.iter_days().take(4000).map(|date| {
            (
                date,
                SpecialDay {
                    kind: DayKind::Holiday,
                    name: String::new(),
                },
            )
        }));
        assert_eq!(all_off.add_working_days(start, 2), None);
    }

    fn calendar() -> impl Strategy<Value = WorkCalendar> {
        prop::collection::vec((0u64..120, any::<bool>()), 0..30).prop_map(|days| {
            let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            WorkCalendar::new(days.into_iter().map(|(offset, holiday)| {
                (
                    base + Days::new(offset),
                    SpecialDay {
                        kind: if holiday {
                            DayKind::Holiday
                        } else {
                            DayKind::MakeUpWorkday
                        },
                        name: String::new(),
                    },
                )
            }))
        })
    }

    proptest! {
        #[test]
        fn the_nth_working_day_is_a_working_day_exactly_n_working_days_on(
            c in calendar(), offset in 0u64..150, n in 1u32..15,
        ) {
            let start = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap() + Days::new(offset);
            let due = c.add_working_days(start, n).unwrap();
            prop_assert!(c.is_working_day(due));
            prop_assert_eq!(c.working_days_between(start, due), n);
            prop_assert!(c.add_working_days(start, n + 1).unwrap() > due);
        }

        #[test]
        fn without_exceptions_five_working_days_from_a_weekday_are_a_week(offset in 0u64..3000) {
            let plain = WorkCalendar::default();
            let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + Days::new(offset);
            prop_assume!(plain.is_working_day(start));
            prop_assert_eq!(plain.add_working_days(start, 5), Some(start + Days::new(7)));
        }

        #[test]
        fn the_text_reads_back_the_same_calendar(c in calendar()) {
            prop_assert_eq!(WorkCalendar::parse(&c.to_text()).unwrap(), c);
        }
    }
}
