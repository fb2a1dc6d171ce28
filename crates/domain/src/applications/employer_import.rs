//! Importing the employer registry (单位名录) from a spreadsheet: the rows as read from a CSV or
//! XLSX file (a header row, then one employer per row), checked all at once, with every problem
//! reported by row and column so that staff can fix the file in one go. Reading the file itself
//! is the caller's; this module judges cells.
//!
//! Columns, in any order, named in Chinese or English: 单位名称 / name (required), 统一社会信用代码
//! / uscc, 成立日期 / founded_on, 注销日期 / deregistered_on. Dates may be written 2015-03-01,
//! 2015/3/1, 2015.3.1 or 2015年3月1日.

use chrono::NaiveDate;

use super::employers::{EmployerRecord, UsccCheck, check_uscc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Name,
    Uscc,
    FoundedOn,
    DeregisteredOn,
}

impl Column {
    const ALL: [Column; 4] = [
        Column::Name,
        Column::Uscc,
        Column::FoundedOn,
        Column::DeregisteredOn,
    ];

    pub fn label(&self) -> &'static str {
        match self {
            Column::Name => "单位名称",
            Column::Uscc => "统一社会信用代码",
            Column::FoundedOn => "成立日期",
            Column::DeregisteredOn => "注销日期",
        }
    }

    fn names(&self) -> &'static [&'static str] {
        match self {
            Column::Name => &["单位名称", "name", "employer"],
            Column::Uscc => &["统一社会信用代码", "uscc", "credit_code"],
            Column::FoundedOn => &["成立日期", "founded_on"],
            Column::DeregisteredOn => &["注销日期", "deregistered_on"],
        }
    }

    fn of_header(cell: &str) -> Option<Column> {
        let cell = cell.trim().trim_start_matches('\u{feff}').to_lowercase();
        Column::ALL
            .into_iter()
            .find(|c| c.names().iter().any(|n| *n == cell))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The row is not imported.
    Error,
    /// The row is imported; staff should look.
    Warning,
}

/// One problem, where it is: `row` counts from 1 as a spreadsheet shows it (the header is 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowIssue {
    pub row: usize,
    pub column: Option<Column>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

/// What a file would import, and every problem found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// The rows to import, with their spreadsheet row numbers.
    pub records: Vec<(usize, EmployerRecord)>,
    pub issues: Vec<RowIssue>,
}

impl ImportReport {
    pub fn errors(&self) -> usize {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count()
    }
}

/// Judges the rows of a file: the first is the header.
pub fn check_rows(rows: &[Vec<String>]) -> ImportReport {
    let mut report = ImportReport::default();
    let Some(header) = rows.first() else {
        report.issues.push(file_issue("import_empty", "文件是空的"));
        return report;
    };
    let positions: Vec<Option<Column>> = header.iter().map(|c| Column::of_header(c)).collect();
    let index = |column: Column| positions.iter().position(|p| *p == Some(column));
    let Some(name_at) = index(Column::Name) else {
        report.issues.push(file_issue(
            "import_no_name_column",
            "第一行应为表头，且须有“单位名称”一列",
        ));
        return report;
    };
    let (uscc_at, founded_at, deregistered_at) = (
        index(Column::Uscc),
        index(Column::FoundedOn),
        index(Column::DeregisteredOn),
    );
    let mut names_seen: Vec<(String, usize)> = Vec::new();
    let mut codes_seen: Vec<(String, usize)> = Vec::new();
    for (i, cells) in rows.iter().enumerate().skip(1) {
        let row = i + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |at: Option<usize>| {
            at.and_then(|a| cells.get(a))
                .map(|c| c.trim())
                .unwrap_or_default()
        };
        let mut found = RowIssues {
            row,
            issues: Vec::new(),
        };

        let name = cell(Some(name_at)).to_owned();
        if name.is_empty() {
            found.error(Column::Name, "name_required", "单位名称不能为空".into());
        } else if name.chars().count() > 100 {
            found.error(
                Column::Name,
                "name_too_long",
                "单位名称不能超过 100 个字".into(),
            );
        } else if let Some((_, first)) = names_seen.iter().find(|(n, _)| *n == name) {
            found.error(
                Column::Name,
                "name_repeated",
                format!("与第 {first} 行的单位名称重复"),
            );
        }

        let raw_code = cell(uscc_at);
        let uscc = match check_uscc(raw_code) {
            _ if raw_code.is_empty() => None,
            UsccCheck::Malformed => {
                found.error(
                    Column::Uscc,
                    "uscc_malformed",
                    "统一社会信用代码应为 18 位数字或大写字母".into(),
                );
                None
            }
            check => {
                if matches!(check, UsccCheck::BadCheckDigit(_)) {
                    found.issues.push(RowIssue {
                        row,
                        column: Some(Column::Uscc),
                        severity: Severity::Warning,
                        code: "uscc_check_digit",
                        message: "统一社会信用代码校验位不符，请核对".into(),
                    });
                }
                let code = check.normalised().map(str::to_owned);
                if let Some(code) = &code
                    && let Some((_, first)) = codes_seen.iter().find(|(c, _)| c == code)
                {
                    found.error(
                        Column::Uscc,
                        "uscc_repeated",
                        format!("与第 {first} 行的统一社会信用代码重复"),
                    );
                }
                code
            }
        };

        let founded_on = found.date(Column::FoundedOn, cell(founded_at));
        let deregistered_on = found.date(Column::DeregisteredOn, cell(deregistered_at));
        if let (Some(f), Some(d)) = (founded_on, deregistered_on)
            && d < f
        {
            found.error(
                Column::DeregisteredOn,
                "deregistered_before_founded",
                "注销日期不能早于成立日期".into(),
            );
        }

        if !name.is_empty() {
            names_seen.push((name.clone(), row));
        }
        if let Some(code) = &uscc {
            codes_seen.push((code.clone(), row));
        }
        if !found.has_errors() {
            report.records.push((
                row,
                EmployerRecord {
                    name,
                    uscc,
                    founded_on,
                    deregistered_on,
                },
            ));
        }
        report.issues.extend(found.issues);
    }
    report
}

/// The issues of one row.
struct RowIssues {
    row: usize,
    issues: Vec<RowIssue>,
}

impl RowIssues {
    fn error(&mut self, column: Column, code: &'static str, message: String) {
        self.issues.push(RowIssue {
            row: self.row,
            column: Some(column),
            severity: Severity::Error,
            code,
            message,
        });
    }

    fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }

    /// An optional date: empty is none, anything else must be a date.
    fn date(&mut self, column: Column, raw: &str) -> Option<NaiveDate> {
        if raw.is_empty() {
            return None;
        }
        let parsed = parse_date(raw);
        if parsed.is_none() {
            self.error(
                column,
                "date_invalid",
                format!("{}应为日期，如 2015-03-01", column.label()),
            );
        }
        parsed
    }
}

fn file_issue(code: &'static str, message: &str) -> RowIssue {
    RowIssue {
        row: 1,
        column: None,
        severity: Severity::Error,
        code,
        message: message.to_owned(),
    }
}

/// 2015-03-01, 2015/3/1, 2015.3.1 or 2015年3月1日.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim().trim_end_matches('日');
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1900..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect()
    }

    /// Well formed, but its check character does not match (a warning, not a refusal).
    const WRONG_CHECK: &str = "91450100MA5KXXXX0C";

    /// 17 characters of the alphabet and the one check character that makes them valid.
    fn good_code() -> String {
        let body = "91450100MA5K12345";
        super::super::employers::USCC_ALPHABET
            .chars()
            .map(|c| format!("{body}{c}"))
            .find(|code| matches!(check_uscc(code), UsccCheck::Valid(_)))
            .unwrap()
    }

    #[test]
    fn columns_in_any_order_and_either_language() {
        let code = good_code();
        let report = check_rows(&rows(&format!(
            "\u{feff}founded_on,单位名称,USCC\n2015/3/1,广西云商电子商务有限公司,{code}\n"
        )));
        assert_eq!(report.issues, vec![]);
        assert_eq!(
            report.records,
            vec![(
                2,
                EmployerRecord {
                    name: "广西云商电子商务有限公司".into(),
                    uscc: Some(code),
                    founded_on: NaiveDate::from_ymd_opt(2015, 3, 1),
                    deregistered_on: None,
                }
            )]
        );
    }

    #[test]
    fn every_problem_is_reported_by_row_and_column_and_bad_rows_are_left_out() {
        let code = good_code();
        let report = check_rows(&rows(&format!(
            "单位名称,统一社会信用代码,成立日期,注销日期\n\
             甲公司,{code},2010-01-01,\n\
             ,,,\n\
             ,{WRONG_CHECK},2010-13-01,\n\
             甲公司,{code},2012年5月1日,2011-01-01\n\
             乙公司,abc,,\n\
             丙公司,,2001.2.3,\n"
        )));
        let found: Vec<(usize, &str)> = report.issues.iter().map(|i| (i.row, i.code)).collect();
        assert_eq!(
            found,
            vec![
                (4, "name_required"),
                (4, "uscc_check_digit"),
                (4, "date_invalid"),
                (5, "name_repeated"),
                (5, "uscc_repeated"),
                (5, "deregistered_before_founded"),
                (6, "uscc_malformed"),
            ]
        );
        let imported: Vec<usize> = report.records.iter().map(|(r, _)| *r).collect();
        assert_eq!(
            imported,
            vec![2, 7],
            "the blank row 3 is skipped, bad rows left out"
        );
        assert_eq!(report.errors(), 6);
        assert_eq!(report.issues[0].column, Some(Column::Name));
        assert_eq!(report.issues[5].message, "注销日期不能早于成立日期");
    }

    #[test]
    fn a_file_without_a_name_column_or_rows_says_so() {
        assert_eq!(check_rows(&[]).issues[0].code, "import_empty");
        let report = check_rows(&rows("uscc,成立日期\nx,y\n"));
        assert_eq!(report.issues.len(), 1);
        assert_eq!(report.issues[0].code, "import_no_name_column");
        assert!(report.records.is_empty());
    }

    #[test]
    fn dates_in_the_usual_spellings() {
        let d = NaiveDate::from_ymd_opt(2015, 3, 1);
        for raw in [
            "2015-03-01",
            "2015/3/1",
            "2015.3.1",
            "2015年3月1日",
            " 2015-3-1 ",
        ] {
            assert_eq!(parse_date(raw), d, "{raw}");
        }
        for raw in ["2015-02-30", "15-3-1", "2015-03", "三月", "1800-01-01"] {
            assert_eq!(parse_date(raw), None, "{raw}");
        }
    }
}
