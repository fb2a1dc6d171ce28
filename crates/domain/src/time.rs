//! Showing instants to people. Instants are stored in UTC; people see Beijing time. China has
//! one time zone (UTC+8) and no daylight saving time, so a fixed offset is exact and no time
//! zone database is needed.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// UTC+08:00, Asia/Shanghai.
pub const fn shanghai() -> FixedOffset {
    match FixedOffset::east_opt(8 * 3600) {
        Some(offset) => offset,
        None => panic!("+08:00 is a valid offset"),
    }
}

/// "2021-06-10 10:00:00" in Beijing time, as the seed shows windows.
pub fn format_instant(t: DateTime<Utc>) -> String {
    t.with_timezone(&shanghai()).format(FORMAT).to_string()
}

/// "2021-06-10", the Beijing date of the instant.
pub fn format_date(t: DateTime<Utc>) -> String {
    shanghai_date(t).format("%Y-%m-%d").to_string()
}

/// "2021-06-10 10:00:00 - 2021-06-12 12:00:00", as the seed shows 报名时间 and 考试时间.
pub fn format_window(a: DateTime<Utc>, b: DateTime<Utc>) -> String {
    format!("{} - {}", format_instant(a), format_instant(b))
}

/// The calendar date in Beijing at `now` (pass it to `IdNumber::parse_on`).
pub fn shanghai_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&shanghai()).date_naive()
}

/// The instant the current Beijing day began: the start of "today" for daily limits.
pub fn shanghai_midnight_today(now: DateTime<Utc>) -> DateTime<Utc> {
    shanghai_start_of(shanghai_date(now))
}

/// The instant a Beijing calendar date begins.
pub fn shanghai_start_of(date: NaiveDate) -> DateTime<Utc> {
    shanghai()
        .from_local_datetime(&date.and_time(NaiveTime::MIN))
        .single()
        .expect("a fixed offset maps every local time to one instant")
        .with_timezone(&Utc)
}

/// Reads a Beijing wall-clock time as typed by staff: "2021-06-10 10:00:00", "2021-06-10 10:00",
/// or an HTML `datetime-local` value "2021-06-10T10:00[:00]".
pub fn parse_shanghai_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    let local = [
        FORMAT,
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())?;
    shanghai()
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
    }

    #[test]
    fn instants_are_shown_in_beijing_time() {
        assert_eq!(
            format_instant(utc(2021, 6, 10, 2, 0, 0)),
            "2021-06-10 10:00:00"
        );
        assert_eq!(
            format_instant(utc(2021, 6, 9, 16, 0, 1)),
            "2021-06-10 00:00:01"
        );
    }

    #[test]
    fn windows_read_as_in_the_seed() {
        assert_eq!(
            format_window(utc(2021, 6, 10, 2, 0, 0), utc(2021, 6, 12, 4, 0, 0)),
            "2021-06-10 10:00:00 - 2021-06-12 12:00:00"
        );
    }

    #[test]
    fn the_beijing_date_changes_at_sixteen_hundred_utc() {
        assert_eq!(format_date(utc(2021, 6, 9, 15, 59, 59)), "2021-06-09");
        assert_eq!(format_date(utc(2021, 6, 9, 16, 0, 0)), "2021-06-10");
    }

    #[test]
    fn midnight_today_is_the_start_of_the_beijing_day() {
        assert_eq!(
            shanghai_midnight_today(utc(2021, 6, 10, 2, 30, 0)),
            utc(2021, 6, 9, 16, 0, 0)
        );
        assert_eq!(
            shanghai_midnight_today(utc(2021, 6, 9, 16, 0, 0)),
            utc(2021, 6, 9, 16, 0, 0)
        );
        assert_eq!(
            shanghai_midnight_today(utc(2021, 6, 9, 15, 59, 59)),
            utc(2021, 6, 8, 16, 0, 0)
        );
    }

    #[test]
    fn staff_typed_times_are_read_as_beijing_time() {
        let expected = Some(utc(2021, 6, 10, 2, 0, 0));
        assert_eq!(parse_shanghai_datetime("2021-06-10 10:00:00"), expected);
        assert_eq!(parse_shanghai_datetime("2021-06-10 10:00"), expected);
        assert_eq!(parse_shanghai_datetime("2021-06-10T10:00"), expected);
        assert_eq!(parse_shanghai_datetime("2021-06-10T10:00:00"), expected);
        assert_eq!(parse_shanghai_datetime("2021-06-31 10:00"), None);
        assert_eq!(parse_shanghai_datetime("tomorrow"), None);
    }
}
