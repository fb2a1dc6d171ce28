use super::*;
use proptest::prelude::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn ym(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

const TODAY: (i32, u32, u32) = (2025, 6, 15);

fn today() -> NaiveDate {
    date(TODAY.0, TODAY.1, TODAY.2)
}

fn row(start: &str, end: &str) -> WorkPeriodInput {
    WorkPeriodInput {
        start: start.into(),
        end: end.into(),
        employer: "南宁市某某电子商务有限公司".into(),
        employer_uscc: String::new(),
        post: "运营专员".into(),
        referee: "李四".into(),
        referee_phone: "15123451234".into(),
    }
}

fn no_registry(_: &str, _: Option<&str>) -> Option<EmployerRecord> {
    None
}

fn check(rows: &[WorkPeriodInput]) -> (Vec<WorkPeriod>, Vec<FieldIssue>) {
    check_work_history(rows, today(), &no_registry)
}

fn found(issues: &[FieldIssue]) -> Vec<(String, &'static str)> {
    issues.iter().map(|i| (i.field.clone(), i.code)).collect()
}

fn period(start: YearMonth, end: Option<YearMonth>) -> WorkPeriod {
    WorkPeriod {
        start,
        end,
        employer: "某公司".into(),
        employer_uscc: None,
        post: "岗位".into(),
        referee: "证明人".into(),
        referee_phone: "15123451234".into(),
    }
}

#[test]
fn a_complete_row_gives_a_period_and_no_findings() {
    let (periods, issues) = check(&[row("2019-07", "2021/3")]);
    assert!(issues.is_empty(), "{issues:?}");
    assert_eq!(periods.len(), 1);
    assert_eq!(periods[0].start, ym(2019, 7));
    assert_eq!(periods[0].end, Some(ym(2021, 3)));
    assert_eq!(periods[0].range_text(), "2019-07—2021-03");
}

#[test]
fn an_empty_end_or_zhijin_means_still_working_there() {
    for end in ["", "至今", " 至今 ", "现在"] {
        let (periods, issues) = check(&[row("2019-07", end)]);
        assert!(issues.is_empty(), "{end}: {issues:?}");
        assert_eq!(periods[0].end, None);
        assert_eq!(periods[0].range_text(), "2019-07—至今");
    }
}

#[test]
fn blank_rows_are_ignored() {
    let (periods, issues) = check(&[WorkPeriodInput::default(), row("2019-07", "")]);
    assert!(issues.is_empty());
    assert_eq!(periods.len(), 1);
}

#[test]
fn required_inputs_of_a_row_are_asked_for() {
    let partial = WorkPeriodInput {
        end: "2020-01".into(),
        ..WorkPeriodInput::default()
    };
    let (periods, issues) = check(&[partial]);
    assert!(periods.is_empty());
    assert_eq!(
        found(&issues),
        [
            ("work_history[0].start".into(), "work_period_start_missing"),
            (
                "work_history[0].employer".into(),
                "work_period_employer_missing"
            ),
            ("work_history[0].post".into(), "required"),
            ("work_history[0].referee".into(), "required"),
            ("work_history[0].referee_phone".into(), "phone_missing"),
        ]
    );
    let messages: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "请填写开始年月",
            "请填写工作单位全称",
            "请填写岗位",
            "请填写证明人",
            "请填写证明人联系电话",
        ]
    );
}

#[test]
fn malformed_months_are_errors_on_their_input() {
    let (periods, issues) = check(&[row("2019-13", "2020年x月")]);
    assert!(periods.is_empty());
    assert_eq!(
        found(&issues),
        [
            ("work_history[0].start".into(), "work_period_start_format"),
            ("work_history[0].end".into(), "work_period_end_format"),
        ]
    );
    assert_eq!(issues[0].message, "开始年月格式不正确：月份应在 1–12 之间");
    assert_eq!(
        issues[1].message,
        "结束年月格式不正确：年月格式应为 2019-07，仍在职请填“至今”"
    );
}

#[test]
fn the_end_may_not_come_before_the_start() {
    let (periods, issues) = check(&[row("2020-05", "2020-04")]);
    assert!(periods.is_empty());
    assert_eq!(
        found(&issues),
        [("work_history[0].end".into(), "work_period_end_before_start")]
    );
    assert_eq!(issues[0].message, "结束年月不能早于开始年月");
    // The same month is one month of work, not an error.
    assert!(check(&[row("2020-05", "2020-05")]).1.is_empty());
}

#[test]
fn nothing_may_lie_in_the_future() {
    let (periods, issues) = check(&[row("2025-07", ""), row("2024-01", "2025-07")]);
    assert!(periods.is_empty());
    assert_eq!(
        found(&issues),
        [
            ("work_history[0].start".into(), "work_period_start_future"),
            ("work_history[1].end".into(), "work_period_end_future"),
        ]
    );
    assert_eq!(issues[0].message, "开始年月不能晚于本月");
    assert_eq!(issues[1].message, "结束年月不能晚于本月，仍在职请填“至今”");
    // This month itself is fine.
    assert!(check(&[row("2025-06", "2025-06")]).1.is_empty());
}

#[test]
fn the_employer_is_named_in_full() {
    let mut short = row("2019-07", "");
    short.employer = "某".into();
    let mut long = row("2017-01", "2018-01");
    long.employer = "公".repeat(101);
    let (_, issues) = check(&[short, long]);
    assert_eq!(
        found(&issues),
        [
            (
                "work_history[0].employer".into(),
                "work_period_employer_length"
            ),
            (
                "work_history[1].employer".into(),
                "work_period_employer_length"
            ),
        ]
    );
    assert_eq!(issues[0].message, "工作单位名称应为 2–100 个字，请填写全称");
}

#[test]
fn a_long_post_or_referee_is_refused() {
    let mut r = row("2019-07", "");
    r.post = "岗".repeat(51);
    r.referee = "人".repeat(31);
    let (_, issues) = check(&[r]);
    let messages: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
    assert_eq!(messages, ["岗位不能超过 50 个字", "证明人不能超过 30 个字"]);
}

#[test]
fn a_referee_phone_is_a_mobile_or_a_landline() {
    for phone in ["15123451234", "0771-1234567", "(010)12345678"] {
        let mut r = row("2019-07", "");
        r.referee_phone = phone.into();
        assert!(check(&[r]).1.is_empty(), "{phone}");
    }
    let mut r = row("2019-07", "");
    r.referee_phone = "1234567".into();
    let (periods, issues) = check(&[r]);
    assert_eq!(periods.len(), 1, "the dates are usable all the same");
    assert_eq!(
        found(&issues),
        [("work_history[0].referee_phone".into(), "phone_format")]
    );
    assert_eq!(
        issues[0].message,
        "证明人联系电话应为 11 位手机号或带区号的固定电话，如 0771-1234567"
    );
}

#[test]
fn a_uscc_failing_its_check_is_a_warning_and_a_malformed_one_an_error() {
    let mut warn = row("2019-07", "2020-01");
    warn.employer_uscc = "91350100M000100Y44".into();
    let mut bad = row("2020-02", "");
    bad.employer_uscc = "123".into();
    let mut good = row("2018-01", "2018-12");
    good.employer_uscc = "91350100m000100y43".into();
    let (periods, issues) = check(&[warn, bad, good]);
    assert_eq!(
        found(&issues),
        [
            ("work_history[0].employer_uscc".into(), "uscc_check_digit"),
            ("work_history[1].employer_uscc".into(), "uscc_malformed"),
        ]
    );
    assert!(!issues[0].is_error());
    assert!(issues[1].is_error());
    assert_eq!(
        issues[0].message,
        "统一社会信用代码校验位不符，请核对；确认无误可继续提交"
    );
    assert_eq!(
        issues[1].message,
        "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V），不知道可留空"
    );
    assert_eq!(
        periods[0].employer_uscc.as_deref(),
        Some("91350100M000100Y44")
    );
    assert_eq!(periods[1].employer_uscc, None);
    assert_eq!(
        periods[2].employer_uscc.as_deref(),
        Some("91350100M000100Y43")
    );
}

fn registry(name: &str, uscc: Option<&str>) -> Option<EmployerRecord> {
    let record = EmployerRecord {
        name: "南宁市某某电子商务有限公司".into(),
        uscc: Some("91350100M000100Y43".into()),
        founded_on: Some(date(2015, 3, 20)),
        deregistered_on: Some(date(2020, 5, 8)),
    };
    (name == record.name || uscc == record.uscc.as_deref()).then_some(record)
}

#[test]
fn a_period_before_the_employer_was_founded_is_an_error() {
    let (periods, issues) = check_work_history(&[row("2015-02", "2016-01")], today(), &registry);
    assert_eq!(
        found(&issues),
        [("work_history[0].start".into(), "work_period_employer_dates")]
    );
    assert_eq!(
        issues[0].message,
        "工作经历起止时间与单位成立/注销时间冲突（单位成立于 2015-03）"
    );
    assert_eq!(periods.len(), 1);
    // The founding month itself is fine.
    assert!(
        check_work_history(&[row("2015-03", "2016-01")], today(), &registry)
            .1
            .is_empty()
    );
}

#[test]
fn a_period_after_the_employer_was_deregistered_is_an_error() {
    let (_, issues) = check_work_history(&[row("2019-01", "2020-06")], today(), &registry);
    assert_eq!(
        found(&issues),
        [("work_history[0].end".into(), "work_period_employer_dates")]
    );
    assert_eq!(
        issues[0].message,
        "工作经历起止时间与单位成立/注销时间冲突（单位注销于 2020-05）"
    );
    let (_, ongoing) = check_work_history(&[row("2019-01", "至今")], today(), &registry);
    assert_eq!(
        ongoing[0].message,
        "工作经历起止时间与单位成立/注销时间冲突（单位注销于 2020-05，不能填“至今”）"
    );
    assert!(
        check_work_history(&[row("2019-01", "2020-05")], today(), &registry)
            .1
            .is_empty()
    );
}

#[test]
fn the_registry_is_asked_by_uscc_too() {
    let mut r = row("2010-01", "2011-01");
    r.employer = "改名后的公司".into();
    r.employer_uscc = "91350100M000100Y43".into();
    let (_, issues) = check_work_history(&[r.clone()], today(), &registry);
    assert_eq!(issues[0].code, "work_period_employer_dates");
    r.employer_uscc = String::new();
    assert!(check_work_history(&[r], today(), &registry).1.is_empty());
}

#[test]
fn overlapping_periods_are_a_warning_that_they_count_once() {
    let (periods, issues) = check(&[row("2019-01", "2020-12"), row("2020-06", "")]);
    assert_eq!(periods.len(), 2);
    assert_eq!(
        found(&issues),
        [("work_history[1].start".into(), "work_period_overlap")]
    );
    assert!(!issues[0].is_error());
    assert_eq!(
        issues[0].message,
        "与第 1 段工作经历时间重叠，重叠部分只计算一次"
    );
}

#[test]
fn more_than_thirty_rows_are_refused() {
    let rows: Vec<WorkPeriodInput> = (0..31).map(|_| row("2019-01", "2019-01")).collect();
    let (periods, issues) = check(&rows);
    assert_eq!(periods.len(), MAX_WORK_ROWS);
    assert_eq!(issues[0].field, "work_history");
    assert_eq!(issues[0].code, "work_history_too_many");
    assert_eq!(
        issues[0].message,
        "工作经历最多填写 30 段，请合并同一单位的经历"
    );
    let rows: Vec<WorkPeriodInput> = (0..30).map(|_| row("2019-01", "2019-01")).collect();
    assert!(
        check(&rows)
            .1
            .iter()
            .all(|i| i.code != "work_history_too_many")
    );
}

#[test]
fn a_month_to_the_same_month_counts_one_month() {
    let p = [period(ym(2019, 7), Some(ym(2019, 7)))];
    assert_eq!(total_months(&p, today()), 1);
}

#[test]
fn overlapping_and_adjacent_periods_count_once() {
    let p = [
        period(ym(2019, 1), Some(ym(2019, 12))),
        period(ym(2019, 6), Some(ym(2020, 3))),
        period(ym(2020, 4), Some(ym(2020, 6))),
        period(ym(2022, 1), Some(ym(2022, 1))),
    ];
    assert_eq!(total_months(&p, today()), 18 + 1);
}

#[test]
fn an_ongoing_period_runs_to_this_month() {
    let p = [period(ym(2024, 7), None)];
    assert_eq!(total_months(&p, today()), 12);
    assert_eq!(total_months(&p, date(2024, 7, 1)), 1);
    assert_eq!(total_months(&p, date(2024, 6, 30)), 0);
}

#[test]
fn work_since_a_date_counts_whole_months_after_it() {
    let p = [period(ym(2019, 1), Some(ym(2020, 12)))];
    // Issued mid-July: July is not wholly after the certificate.
    assert_eq!(months_since(&p, date(2019, 7, 15), today()), 17);
    // Issued on the 1st: July counts.
    assert_eq!(months_since(&p, date(2019, 7, 1), today()), 18);
    assert_eq!(months_since(&p, date(2018, 1, 1), today()), 24);
    assert_eq!(months_since(&p, date(2021, 1, 1), today()), 0);
}

#[test]
fn years_are_worded_as_on_the_page_and_the_form() {
    assert_eq!(years_text(51), "合计 4 年 3 个月");
    assert_eq!(years_text(48), "合计 4 年");
    assert_eq!(years_text(5), "合计 5 个月");
    assert_eq!(years_text(0), "合计 0 个月");
    assert_eq!(duration_text(27), "2 年 3 个月");
    assert_eq!(years_text_on_form(51), "合计 4年");
    assert_eq!(years_text_on_form(11), "合计 0年");
}

fn any_period() -> impl Strategy<Value = WorkPeriod> {
    // Months from 2000-01 to 2026-12 (past "today" on purpose), ends possibly ongoing.
    (24_000i32..24_324, 0i32..60, any::<bool>()).prop_map(|(start, length, ongoing)| {
        let start = YearMonth::from_index(start);
        period(start, (!ongoing).then(|| start.add_months(length)))
    })
}

fn any_day() -> impl Strategy<Value = NaiveDate> {
    (2000i32..2027, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| date(y, m, d))
}

proptest! {
    #[test]
    fn the_total_never_exceeds_the_span_from_the_earliest_start_to_today(
        periods in prop::collection::vec(any_period(), 0..8),
        today in any_day(),
    ) {
        let total = total_months(&periods, today);
        let span = periods
            .iter()
            .map(|p| p.start.months_until(YearMonth::from_date(today)) + 1)
            .max()
            .unwrap_or(0)
            .max(0) as u32;
        prop_assert!(total <= span, "{} > {}", total, span);
    }

    #[test]
    fn a_period_inside_another_never_changes_the_total(
        periods in prop::collection::vec(any_period(), 1..6),
        which in any::<prop::sample::Index>(),
        offset in 0i32..60,
        length in 0i32..60,
    ) {
        let outer = &periods[which.index(periods.len())];
        let this_month = YearMonth::from_date(today());
        let last = outer.end_or(this_month).min(this_month);
        prop_assume!(outer.start <= last);
        let span = outer.start.months_until(last);
        let start = outer.start.add_months(offset.min(span));
        let end = start.add_months(length).min(last);
        let mut with_inner = periods.clone();
        with_inner.push(period(start, Some(end)));
        prop_assert_eq!(total_months(&with_inner, today()), total_months(&periods, today()));
    }

    #[test]
    fn the_order_of_rows_does_not_matter(
        periods in prop::collection::vec(any_period(), 0..8),
        since in any_day(),
    ) {
        let mut reversed = periods.clone();
        reversed.reverse();
        let mut sorted = periods.clone();
        sorted.sort_by_key(|p| (p.end, p.start));
        for other in [&reversed, &sorted] {
            prop_assert_eq!(total_months(other, today()), total_months(&periods, today()));
            prop_assert_eq!(
                months_since(other, since, today()),
                months_since(&periods, since, today())
            );
        }
    }

    #[test]
    fn work_since_a_date_never_exceeds_the_total(
        periods in prop::collection::vec(any_period(), 0..8),
        since in any_day(),
        today in any_day(),
    ) {
        prop_assert!(months_since(&periods, since, today) <= total_months(&periods, today));
    }

    #[test]
    fn the_order_of_rows_does_not_change_the_checked_total(
        rows in prop::collection::vec(
            (24_000i32..24_305, 0i32..40, any::<bool>()),
            0..6,
        ),
    ) {
        let inputs: Vec<WorkPeriodInput> = rows
            .iter()
            .map(|&(start, length, ongoing)| {
                let start = YearMonth::from_index(start);
                let end = if ongoing { String::new() } else { start.add_months(length).to_string() };
                row(&start.to_string(), &end)
            })
            .collect();
        let mut reversed = inputs.clone();
        reversed.reverse();
        let (a, _) = check(&inputs);
        let (b, _) = check(&reversed);
        prop_assert_eq!(total_months(&a, today()), total_months(&b, today()));
    }

    #[test]
    fn checking_never_panics_on_arbitrary_rows(
        start in "\\PC{0,10}",
        end in "\\PC{0,10}",
        employer in "\\PC{0,10}",
        uscc in "\\PC{0,20}",
        phone in "\\PC{0,15}",
    ) {
        let input = WorkPeriodInput {
            start, end, employer, employer_uscc: uscc,
            post: "p".into(), referee: "r".into(), referee_phone: phone,
        };
        let _ = check_work_history(&[input], today(), &registry);
    }
}
