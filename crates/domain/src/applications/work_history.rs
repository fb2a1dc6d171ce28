//! 工作经历: the rows of work history on the registration form, their checks, and the years of
//! work they add up to ("合计 X年"), which the eligibility rules count.
//!
//! Months are inclusive (2019-07 to 2019-07 is one month of work) and overlapping periods count
//! once: two part-time jobs in the same month are one month of experience.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::contact::phone_issue;
use super::employers::{EmployerRecord, UsccCheck, check_uscc};
use super::issues::{FieldIssue, required_text};
use super::month::{MonthError, YearMonth};

/// The most rows a form takes; more is a script or a mistake, not a career.
pub const MAX_WORK_ROWS: usize = 30;

const EMPLOYER_CHARS: std::ops::RangeInclusive<usize> = 2..=100;
const POST_MAX_CHARS: usize = 50;
const REFEREE_MAX_CHARS: usize = 30;

/// What the candidate typed into one row, kept as text so that a half-filled draft saves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkPeriodInput {
    pub start: String,
    /// "" or "至今" while still working there.
    pub end: String,
    pub employer: String,
    pub employer_uscc: String,
    pub post: String,
    pub referee: String,
    pub referee_phone: String,
}

impl WorkPeriodInput {
    /// A row with nothing typed: the empty row the page offers to fill, ignored by the checks.
    pub fn is_blank(&self) -> bool {
        [
            &self.start,
            &self.end,
            &self.employer,
            &self.employer_uscc,
            &self.post,
            &self.referee,
            &self.referee_phone,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// A row whose dates are usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkPeriod {
    pub start: YearMonth,
    /// `None`: still working there (至今).
    pub end: Option<YearMonth>,
    pub employer: String,
    /// Normalised (uppercase) when given and well formed.
    pub employer_uscc: Option<String>,
    pub post: String,
    pub referee: String,
    pub referee_phone: String,
}

impl WorkPeriod {
    /// The last month worked: `end`, or this month while ongoing.
    pub fn end_or(&self, this_month: YearMonth) -> YearMonth {
        self.end.unwrap_or(this_month)
    }

    /// "2019-07—至今", "2019-07—2021-03", as the registration form prints it.
    pub fn range_text(&self) -> String {
        match self.end {
            Some(end) => format!("{}—{end}", self.start),
            None => format!("{}—至今", self.start),
        }
    }
}

/// Whether an end month means "still working there".
pub fn is_ongoing(end: &str) -> bool {
    matches!(end.trim(), "" | "至今" | "今" | "现在" | "目前")
}

/// Checks every row and returns the periods whose dates are usable, with every finding.
///
/// Periods are returned as soon as their dates are usable (even if, say, the referee is still
/// missing), so that the eligibility panel can count years while the candidate is typing; the
/// findings still block submission. Blank rows are ignored; rows beyond [`MAX_WORK_ROWS`] are
/// not checked.
///
/// `registry` looks an employer up by name or unified social credit code (normalised, when
/// well formed); a period outside the employer's life is an error.
pub fn check_work_history(
    rows: &[WorkPeriodInput],
    today: NaiveDate,
    registry: &dyn Fn(&str, Option<&str>) -> Option<EmployerRecord>,
) -> (Vec<WorkPeriod>, Vec<FieldIssue>) {
    let this_month = YearMonth::from_date(today);
    let mut periods = Vec::new();
    let mut indexed: Vec<(usize, YearMonth, YearMonth)> = Vec::new();
    let mut issues = Vec::new();

    if rows.len() > MAX_WORK_ROWS {
        issues.push(FieldIssue::error(
            "work_history",
            "work_history_too_many",
            format!("工作经历最多填写 {MAX_WORK_ROWS} 段，请合并同一单位的经历"),
        ));
    }

    for (i, row) in rows.iter().enumerate().take(MAX_WORK_ROWS) {
        if row.is_blank() {
            continue;
        }
        let field = |name: &str| format!("work_history[{i}].{name}");
        let mut dates_ok = true;

        let start = match YearMonth::parse(&row.start) {
            Ok(start) => Some(start),
            Err(e) => {
                dates_ok = false;
                issues.push(month_issue(field("start"), &e, true));
                None
            }
        };
        let end = if is_ongoing(&row.end) {
            None
        } else {
            match YearMonth::parse(&row.end) {
                Ok(end) => Some(end),
                Err(e) => {
                    dates_ok = false;
                    issues.push(month_issue(field("end"), &e, false));
                    None
                }
            }
        };
        if let Some(start) = start
            && start > this_month
        {
            dates_ok = false;
            issues.push(FieldIssue::error(
                field("start"),
                "work_period_start_future",
                "开始年月不能晚于本月",
            ));
        }
        if let Some(end) = end
            && end > this_month
        {
            dates_ok = false;
            issues.push(FieldIssue::error(
                field("end"),
                "work_period_end_future",
                "结束年月不能晚于本月，仍在职请填“至今”",
            ));
        }
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            dates_ok = false;
            issues.push(FieldIssue::error(
                field("end"),
                "work_period_end_before_start",
                "结束年月不能早于开始年月",
            ));
        }

        let employer = row.employer.trim();
        if employer.is_empty() {
            issues.push(FieldIssue::error(
                field("employer"),
                "work_period_employer_missing",
                "请填写工作单位全称",
            ));
        } else if !EMPLOYER_CHARS.contains(&employer.chars().count()) {
            issues.push(FieldIssue::error(
                field("employer"),
                "work_period_employer_length",
                "工作单位名称应为 2–100 个字，请填写全称",
            ));
        }

        let uscc = if row.employer_uscc.trim().is_empty() {
            None
        } else {
            let check = check_uscc(&row.employer_uscc);
            if let Some(issue) = uscc_issue(field("employer_uscc"), &check) {
                issues.push(issue);
            }
            check.normalised().map(str::to_owned)
        };

        required_text(
            &mut issues,
            field("post"),
            &row.post,
            "岗位",
            POST_MAX_CHARS,
        );
        required_text(
            &mut issues,
            field("referee"),
            &row.referee,
            "证明人",
            REFEREE_MAX_CHARS,
        );
        if let Some(issue) =
            phone_issue(field("referee_phone"), &row.referee_phone, "证明人联系电话")
        {
            issues.push(issue);
        }

        if let Some(start) = start.filter(|_| dates_ok) {
            if !employer.is_empty()
                && let Some(record) = registry(employer, uscc.as_deref())
            {
                issues.extend(employer_life_issues(
                    &record, start, end, this_month, &field,
                ));
            }
            let last = end.unwrap_or(this_month);
            if let Some((j, _, _)) = indexed.iter().find(|(_, a, b)| *a <= last && start <= *b) {
                issues.push(FieldIssue::warning(
                    field("start"),
                    "work_period_overlap",
                    format!("与第 {} 段工作经历时间重叠，重叠部分只计算一次", j + 1),
                ));
            }
            indexed.push((i, start, last));
            periods.push(WorkPeriod {
                start,
                end,
                employer: employer.to_owned(),
                employer_uscc: uscc,
                post: row.post.trim().to_owned(),
                referee: row.referee.trim().to_owned(),
                referee_phone: row.referee_phone.trim().to_owned(),
            });
        }
    }
    (periods, issues)
}

fn month_issue(field: String, error: &MonthError, start: bool) -> FieldIssue {
    let (code, message) = match (start, error) {
        (true, MonthError::Empty) => ("work_period_start_missing", "请填写开始年月".to_owned()),
        (true, e) => (
            "work_period_start_format",
            format!("开始年月格式不正确：{e}"),
        ),
        (false, e) => (
            "work_period_end_format",
            format!("结束年月格式不正确：{e}，仍在职请填“至今”"),
        ),
    };
    FieldIssue::error(field, code, message)
}

/// The finding for a typed unified social credit code, if any: malformed is an error, a failing
/// check character only a warning (GB 32100 codes issued early sometimes fail it).
pub fn uscc_issue(field: String, check: &UsccCheck) -> Option<FieldIssue> {
    match check {
        UsccCheck::Valid(_) => None,
        UsccCheck::BadCheckDigit(_) => Some(FieldIssue::warning(
            field,
            "uscc_check_digit",
            "统一社会信用代码校验位不符，请核对；确认无误可继续提交",
        )),
        UsccCheck::Malformed => Some(FieldIssue::error(
            field,
            "uscc_malformed",
            "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V），不知道可留空",
        )),
    }
}

fn employer_life_issues(
    record: &EmployerRecord,
    start: YearMonth,
    end: Option<YearMonth>,
    this_month: YearMonth,
    field: &dyn Fn(&str) -> String,
) -> Vec<FieldIssue> {
    const CODE: &str = "work_period_employer_dates";
    let mut issues = Vec::new();
    if let Some(founded) = record.founded_on
        && start < YearMonth::from_date(founded)
    {
        issues.push(FieldIssue::error(
            field("start"),
            CODE,
            format!(
                "工作经历起止时间与单位成立/注销时间冲突（单位成立于 {}）",
                YearMonth::from_date(founded)
            ),
        ));
    }
    if let Some(deregistered) = record.deregistered_on
        && end.unwrap_or(this_month) > YearMonth::from_date(deregistered)
    {
        let hint = if end.is_none() {
            "，不能填“至今”"
        } else {
            ""
        };
        issues.push(FieldIssue::error(
            field("end"),
            CODE,
            format!(
                "工作经历起止时间与单位成立/注销时间冲突（单位注销于 {}{hint}）",
                YearMonth::from_date(deregistered)
            ),
        ));
    }
    issues
}

/// Inclusive month ranges of the periods up to this month, sorted and merged.
fn merged_ranges(periods: &[WorkPeriod], today: NaiveDate) -> Vec<(i32, i32)> {
    let this_month = YearMonth::from_date(today).index();
    let mut ranges: Vec<(i32, i32)> = periods
        .iter()
        .map(|p| {
            let end = p.end.map_or(this_month, |e| e.index()).min(this_month);
            (p.start.index(), end)
        })
        .filter(|(a, b)| a <= b)
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(i32, i32)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match merged.last_mut() {
            // Adjacent months join too: 2019-01..2019-03 then 2019-04.. is one run.
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Months of work, overlapping periods counted once, each period's months inclusive, an ongoing
/// period running to this month; months after this month do not count.
pub fn total_months(periods: &[WorkPeriod], today: NaiveDate) -> u32 {
    merged_ranges(periods, today)
        .iter()
        .map(|(a, b)| (b - a + 1) as u32)
        .sum()
}

/// Months of work after a date (a certificate's issue, graduation), overlaps counted once.
///
/// A month counts only when it lies wholly after `since`: work in the month a certificate was
/// issued began before the certificate existed. A date on the 1st counts its own month.
pub fn months_since(periods: &[WorkPeriod], since: NaiveDate, today: NaiveDate) -> u32 {
    let since_month = YearMonth::from_date(since);
    let first = if since.day() == 1 {
        since_month
    } else {
        since_month.add_months(1)
    }
    .index();
    merged_ranges(periods, today)
        .iter()
        .map(|&(a, b)| (a.max(first), b))
        .filter(|(a, b)| a <= b)
        .map(|(a, b)| (b - a + 1) as u32)
        .sum()
}

/// "4 年 3 个月", "4 年", "3 个月", "0 个月".
pub fn duration_text(months: u32) -> String {
    match (months / 12, months % 12) {
        (0, m) => format!("{m} 个月"),
        (y, 0) => format!("{y} 年"),
        (y, m) => format!("{y} 年 {m} 个月"),
    }
}

/// "合计 4 年 3 个月": the total shown under the work history on the page.
pub fn years_text(months: u32) -> String {
    format!("合计 {}", duration_text(months))
}

/// "合计 4年": the total as the printed registration form's 合计 cell shows it, in whole years
/// (rounded down: a started year is not a year of work).
pub fn years_text_on_form(months: u32) -> String {
    format!("合计 {}年", months / 12)
}

#[cfg(test)]
mod tests;
