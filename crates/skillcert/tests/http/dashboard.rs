//! 统计与导出 through the real router: the dashboard's charts count a known set of applications
//! (per Beijing day, per plan and status, by working days waited), the review queue and the
//! feedback list export to XLSX with the queue's filters (and the export is audited), and every
//! route refuses whoever lacks the permissions.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Days, Utc};
use domain::accounts::StaffRole;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::staff::{StaffUser, Submitted, submitted_application};
use crate::support::{ApiError, Backend, TestApp};

/// Approves an application through the review API.
async fn approve(app: &TestApp, reviewer: &StaffUser, id: i64) {
    let view: Value = reviewer
        .client
        .get(app.url(&format!("/api/v1/staff/review/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seen = view["seen"].as_str().expect("seen").to_owned();
    for (path, body) in [
        (format!("/api/v1/staff/review/{id}/claim"), json!({})),
        (
            format!("/api/v1/staff/review/{id}/approve"),
            json!({ "seen": seen }),
        ),
    ] {
        let r = reviewer
            .client
            .post(app.url(&path))
            .header("X-CSRF-Token", &reviewer.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        assert!(status.is_success(), "{path}: {}", r.text().await.unwrap());
    }
}

/// Moves an application's submission (and its timeline entry) `days` days into the past.
async fn submitted_days_ago(app: &TestApp, id: i64, days: u32) {
    let shift = |column: &str| match app.backend {
        Backend::Postgres => format!("{column} - INTERVAL '{days} days'"),
        // sea-orm keeps timestamps on SQLite as RFC 3339 text: rewrite them in the same shape.
        Backend::Sqlite => {
            format!("strftime('%Y-%m-%dT%H:%M:%f', {column}, '-{days} days') || '+00:00'")
        }
    };
    app.execute_sql(&format!(
        "UPDATE applications SET submitted_at = {} WHERE id = {id}",
        shift("submitted_at")
    ))
    .await;
    app.execute_sql(&format!(
        "UPDATE application_events SET at = {} WHERE application_id = {id} AND kind = 'submitted'",
        shift("at")
    ))
    .await;
}

/// Three applications to one plan: `approved` today, `old` under review for 20 days (3 working
/// days and more, past the promise), `fresh` under review since today.
struct Known {
    approved: Submitted,
    old: Submitted,
    fresh: Submitted,
}

async fn known_applications(app: &TestApp, reviewer: &StaffUser) -> Known {
    let approved = submitted_application(app, "13700003001", 61).await;
    let old = submitted_application(app, "13700003002", 63).await;
    let fresh = submitted_application(app, "13700003003", 65).await;
    approve(app, reviewer, approved.application_id).await;
    submitted_days_ago(app, old.application_id, 20).await;
    Known {
        approved,
        old,
        fresh,
    }
}

/// The part of `html` from the element marked `data-testid="{id}"` to the end of its section.
fn part<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("data-testid=\"{id}\""))
        .unwrap_or_else(|| panic!("no {id} in {html}"));
    let rest = &html[start..];
    let end = rest
        .find("</details>")
        .expect("the chart's data table ends");
    &rest[..end]
}

fn row(label: &str, value: u32) -> String {
    format!("<tr><td>{label}</td><td>{value}</td></tr>")
}

async fn the_dashboard_counts_a_known_set_of_applications(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let reviewer = app.staff("tongji", "统计员", &[StaffRole::Reviewer]).await;
    // Before anything is submitted every chart says there is nothing to show.
    let html = reviewer
        .client
        .get(app.url("/staff/dashboard"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(part(&html, "chart-per-day").contains("暂无数据"), "{html}");
    assert!(html.contains("还没有已提交的报名"));

    let known = known_applications(&app, &reviewer).await;
    let plan_id = known.fresh.plan_id;
    let response = reviewer
        .client
        .get(app.url("/staff/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("style-src 'self'"));
    let html = response.text().await.unwrap();
    assert!(
        !html.contains("style="),
        "no style attributes under the CSP"
    );

    // Per Beijing day: two first submissions today, one twenty days ago.
    let today = domain::time::shanghai_date(Utc::now());
    let twenty_ago = today.checked_sub_days(Days::new(20)).unwrap();
    let per_day = part(&html, "chart-per-day");
    assert!(per_day.contains("<svg"), "{per_day}");
    assert!(per_day.contains("<title id=\"chart-per-day-title\">每日新提交报名</title>"));
    assert!(per_day.contains("<desc id=\"chart-per-day-desc\">"));
    assert_eq!(per_day.matches("<rect").count(), 2, "{per_day}");
    assert!(per_day.contains(&row(&today.format("%m-%d").to_string(), 2)));
    assert!(per_day.contains(&row(&twenty_ago.format("%m-%d").to_string(), 1)));
    assert!(per_day.contains("共 3 份"));

    // The plan's applications by status.
    let funnel = part(&html, &format!("chart-plan-{plan_id}"));
    assert!(funnel.contains(&row("已提交（合计）", 3)), "{funnel}");
    assert!(funnel.contains(&row("审核中", 2)));
    assert!(funnel.contains(&row("待缴费", 1)));
    assert!(funnel.contains(&row("缴费成功", 0)));
    // Bars only for what is there: total, under review, approved.
    assert_eq!(funnel.matches("<rect").count(), 3, "{funnel}");

    // The backlog: one waiting since today, one for 3 working days and more (overdue).
    let backlog = part(&html, "chart-backlog");
    assert!(backlog.contains(&row("0 个工作日", 1)), "{backlog}");
    assert!(backlog.contains(&row("1 个工作日", 0)));
    assert!(backlog.contains(&row("2 个工作日", 0)));
    assert!(backlog.contains(&row("3 个及以上工作日", 1)));
    assert!(backlog.contains("data-testid=\"overdue\">1<"));
    assert_eq!(backlog.matches("<rect").count(), 2);
    // The navigation offers the dashboard now.
    assert!(html.contains("href=\"/staff/dashboard\""));

    // The same figures through the API.
    let api: Value = reviewer
        .client
        .get(app.url("/api/v1/staff/dashboard"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let per_day = api["per_day"].as_array().unwrap();
    assert_eq!(per_day.len(), 30);
    assert_eq!(per_day[29]["date"], today.format("%Y-%m-%d").to_string());
    assert_eq!(per_day[29]["submitted"], 2);
    assert_eq!(
        per_day[9]["date"],
        twenty_ago.format("%Y-%m-%d").to_string()
    );
    assert_eq!(per_day[9]["submitted"], 1);
    let plan = api["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["plan_id"] == plan_id)
        .expect("the plan");
    assert_eq!(plan["submitted"], 3);
    let count = |status: &str| {
        plan["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["status"] == status)
            .unwrap()["count"]
            .clone()
    };
    assert_eq!(
        (count("under_review"), count("approved")),
        (json!(2), json!(1))
    );
    assert_eq!(api["backlog"]["by_working_days"], json!([1, 0, 0, 1]));
    assert_eq!(api["backlog"]["overdue"], 1);
    let _ = known.approved;
    let _ = known.old;
}

fn sheet(bytes: Vec<u8>, name: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an XLSX file");
    let range = book.worksheet_range(name).expect("the sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

fn id_in(row: &[Data]) -> i64 {
    match row[0] {
        Data::Float(f) => f as i64,
        Data::Int(i) => i,
        ref other => panic!("the id is a number: {other:?}"),
    }
}

async fn download(
    app: &TestApp,
    s: &StaffUser,
    path: &str,
) -> (reqwest::header::HeaderMap, Vec<u8>) {
    let r = s.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    let headers = r.headers().clone();
    (headers, r.bytes().await.unwrap().to_vec())
}

async fn queues_export_to_xlsx_with_their_filters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let reviewer = app.staff("daochu", "导出员", &[StaffRole::Reviewer]).await;
    let known = known_applications(&app, &reviewer).await;

    // The default queue (under review), oldest submission first.
    let (headers, bytes) = download(&app, &reviewer, "/staff/export/review.xlsx").await;
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"review-queue-"),
        "{disposition}"
    );
    assert!(
        disposition.contains("filename*=UTF-8''%E6%8A%A5%E5%90%8D%E5%AE%A1%E6%A0%B8-"),
        "{disposition}"
    );
    let rows = sheet(bytes, "报名审核");
    let header: Vec<String> = rows[0].iter().map(text).collect();
    assert_eq!(
        header,
        [
            "报名编号",
            "姓名",
            "认定计划",
            "级别",
            "所在单位",
            "状态",
            "提交时间",
            "轮次",
            "审核时限",
            "自动核验"
        ]
    );
    let ids: Vec<i64> = rows[1..].iter().map(|r| id_in(r)).collect();
    assert_eq!(ids, [known.old.application_id, known.fresh.application_id]);
    let old = &rows[1];
    assert_eq!(text(&old[1]), known.old.candidate.real_name);
    assert_eq!(text(&old[3]), "一级");
    assert_eq!(text(&old[5]), "审核中");
    assert_eq!(text(&old[7]), "1");
    assert!(!text(&old[8]).is_empty(), "the deadline is shown");
    assert_eq!(text(&old[9]), "符合申报条件");

    // The same query string as the queue page: approved ones, then overdue ones.
    let (_, bytes) = download(&app, &reviewer, "/staff/export/review.xlsx?status=approved").await;
    let rows = sheet(bytes, "报名审核");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(id_in(&rows[1]), known.approved.application_id);
    assert_eq!(text(&rows[1][5]), "待缴费");
    assert_eq!(text(&rows[1][8]), "", "no deadline once decided");
    let (_, bytes) = download(&app, &reviewer, "/staff/export/review.xlsx?age=overdue").await;
    let rows = sheet(bytes, "报名审核");
    let ids: Vec<i64> = rows[1..].iter().map(|r| id_in(r)).collect();
    assert_eq!(ids, [known.old.application_id]);

    // The feedback list: open ones, with the category filter applied.
    let c = &known.fresh.candidate;
    for (category, text_sent) in [("exam", "考场在哪？"), ("payment", "发票怎么开？")] {
        let form = reqwest::multipart::Form::new()
            .text("category", category)
            .text("text", text_sent);
        let r = c
            .client
            .post(app.url("/api/v1/feedback"))
            .header("X-CSRF-Token", &c.csrf)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let (headers, bytes) = download(
        &app,
        &reviewer,
        "/staff/export/feedback.xlsx?category=payment",
    )
    .await;
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''%E6%84%8F%E8%A7%81%E5%8F%8D%E9%A6%88-")
    );
    let rows = sheet(bytes, "意见反馈");
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(text(&rows[1][1]), c.real_name);
    assert_eq!(text(&rows[1][2]), "缴费问题");
    assert_eq!(text(&rows[1][3]), "发票怎么开？");
    assert_eq!(text(&rows[1][7]), "待回复");

    // Each export is in the audit log with its filter.
    let db = app.store_db().await;
    let audit = store::audit::search(
        &db,
        &store::audit::Search {
            action: Some("export.download".into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(audit.total, 4);
    let filters: Vec<String> = audit
        .entries
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e.subject_id,
                e.after.as_ref().unwrap()["filter"]["query"]
                    .as_str()
                    .unwrap()
            )
        })
        .collect();
    for expected in [
        "review_queue:",
        "review_queue:status=approved",
        "review_queue:age=overdue",
        "feedback:category=payment",
    ] {
        assert!(
            filters.iter().any(|f| f == expected),
            "{expected} in {filters:?}"
        );
    }
    assert!(audit.entries.iter().all(|e| e.actor == "daochu"));
    db.close().await;
}

async fn dashboard_and_exports_refuse_whoever_lacks_the_permissions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = submitted_application(&app, "13700003011", 71).await;
    let exam = app
        .staff("kaowu", "考务甲", &[StaffRole::ExamAdministrator])
        .await;
    let org = app
        .staff("danwei", "单位联系人", &[StaffRole::OrganizationContact])
        .await;
    let paths = [
        "/staff/dashboard",
        "/staff/export/review.xlsx",
        "/staff/export/feedback.xlsx",
    ];
    let anonymous = app.client();
    let api = "/api/v1/staff/dashboard";
    assert_eq!(
        anonymous.get(app.url(api)).send().await.unwrap().status(),
        401
    );
    for path in paths {
        let r = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous {path}");
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/staff/login")
        );
    }
    let candidate = &s.candidate.client;
    for (who, client) in [
        ("candidate", candidate),
        ("organization contact", &org.client),
    ] {
        for path in paths {
            let r = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 403, "{who} {path}");
        }
        let e = ApiError::from(client.get(app.url(api)).send().await.unwrap()).await;
        assert_eq!(e.status, 403, "{who} {api}");
    }
    // The exam administrator sees the dashboard but may export neither queue: exporting one
    // needs the queue's own permission too.
    let r = exam.client.get(app.url(api)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = exam
        .client
        .get(app.url("/staff/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(!html.contains("/staff/export/review.xlsx"));
    for path in ["/staff/export/review.xlsx", "/staff/export/feedback.xlsx"] {
        let r = exam.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "exam administrator {path}");
        assert!(r.text().await.unwrap().contains("权限"));
    }
    // Refused exports are not recorded as exports.
    let db = app.store_db().await;
    let audit = store::audit::search(
        &db,
        &store::audit::Search {
            action: Some("export.download".into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(audit.total, 0);
    db.close().await;
}

on_both_backends!(
    the_dashboard_counts_a_known_set_of_applications,
    queues_export_to_xlsx_with_their_filters,
    dashboard_and_exports_refuse_whoever_lacks_the_permissions,
);
