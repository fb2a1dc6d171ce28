//! Notifications as the candidate lives them: submitting an application rings the bell (one
//! unread) and sends one SMS, the notification centre lists it, opening it or marking all read
//! clears the bell, and nobody else can read or mark it. With two instances running workers on
//! one database, each change is still told once.

use serde_json::Value;

use crate::on_both_backends;
use crate::support::staff::submitted_application;
use crate::support::{Backend, Candidate, TestApp, csrf_in};

async fn notifications_api(app: &TestApp, c: &Candidate) -> Value {
    let response = c
        .client
        .get(app.url("/api/v1/notifications"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Waits until the worker has made `n` notifications for the candidate.
async fn wait_for_notifications(app: &TestApp, c: &Candidate, n: usize) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let listed = notifications_api(app, c).await;
        if listed["items"].as_array().unwrap().len() >= n {
            return listed;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expected {n} notifications: {listed:#}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The number on the bell of a page, if it shows one.
fn badge(html: &str) -> Option<u32> {
    let marker = "class=\"bell-badge\" data-unread=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].parse().unwrap())
}

async fn submitting_rings_the_bell_and_reading_clears_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let submitted = submitted_application(&app, "13700000001", 11).await;
    let c = &submitted.candidate;
    let listed = wait_for_notifications(&app, c, 1).await;
    assert_eq!(listed["unread"], 1);
    let item = &listed["items"][0];
    assert_eq!(item["title"], "报名已提交，正在审核");
    assert_eq!(item["read"], false);
    let link = format!("/applications/{}", submitted.application_id);
    assert_eq!(item["link"], link.as_str());
    let id = item["id"].as_i64().unwrap();

    // One SMS for the submission, beside the sign-up code.
    let sms = app.wait_for_sms_to(&c.phone, 2).await;
    assert_eq!(sms[1].template, "application_submitted");
    assert!(
        sms[1].text.starts_with(&format!("{}您好", c.real_name)),
        "{}",
        sms[1].text
    );

    // The bell on any page, and the centre with the notification unread.
    let (_, plans) = page(&app, &c.client, "/plans").await;
    assert_eq!(badge(&plans), Some(1), "the bell shows one unread");
    let (status, centre) = page(&app, &c.client, "/notifications").await;
    assert_eq!(status, 200);
    assert!(centre.contains("notification-item unread"), "{centre}");
    assert!(centre.contains("报名已提交，正在审核"));
    assert!(centre.contains(&format!("href=\"/notifications/{id}\"")));

    // Nobody else can read it or mark it.
    let other = crate::support::sign_up_via_api(
        &app,
        "13700000002",
        &crate::support::id_number("19880512", 13),
    )
    .await;
    let refused = other
        .client
        .post(app.url(&format!("/api/v1/notifications/{id}/read")))
        .header("X-CSRF-Token", &other.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    let (status, _) = page(&app, &other.client, &format!("/notifications/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(
        notifications_api(&app, &other).await["items"],
        serde_json::json!([])
    );
    let (_, others_page) = page(&app, &other.client, "/plans").await;
    assert_eq!(badge(&others_page), None);
    assert_eq!(
        notifications_api(&app, c).await["unread"],
        1,
        "still unread"
    );

    // A form without the CSRF token changes nothing.
    let forged = c
        .client
        .post(app.url(&format!("/notifications/{id}/read")))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(notifications_api(&app, c).await["unread"], 1);

    // Opening it marks it read and leads to the application.
    let opened = c
        .client
        .get(app.url(&format!("/notifications/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 303);
    assert_eq!(opened.headers()["location"], link.as_str());
    let (_, plans) = page(&app, &c.client, "/plans").await;
    assert_eq!(badge(&plans), None, "the bell is clear");
    assert_eq!(notifications_api(&app, c).await["items"][0]["read"], true);

    // A withdrawal is told too; "mark all read" on the centre clears it.
    let withdrawn = c
        .client
        .post(app.url(&format!(
            "/api/v1/applications/{}/withdraw",
            submitted.application_id
        )))
        .header("X-CSRF-Token", &c.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(
        withdrawn.status(),
        200,
        "{}",
        withdrawn.text().await.unwrap()
    );
    let listed = wait_for_notifications(&app, c, 2).await;
    assert_eq!(listed["unread"], 1);
    assert_eq!(listed["items"][0]["title"], "报名已撤回", "newest first");
    let (_, centre) = page(&app, &c.client, "/notifications").await;
    let marked = c
        .client
        .post(app.url("/notifications/read-all"))
        .form(&[("csrf", csrf_in(&centre))])
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), 303);
    assert_eq!(notifications_api(&app, c).await["unread"], 0);
    let (_, centre) = page(&app, &c.client, "/notifications").await;
    assert!(!centre.contains("notification-item unread"));

    // Each change was told by exactly one SMS (sign-up code, submission, withdrawal).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let sms = app.wait_for_sms_to(&c.phone, 3).await;
    assert_eq!(sms.len(), 3, "{sms:#?}");
    assert_eq!(sms[2].template, "application_withdrawn");
}

async fn two_instances_running_workers_tell_each_change_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let second = app.another_instance().await;
    let mut candidates = Vec::new();
    for n in 0..3u16 {
        let phone = format!("1370000010{n}");
        candidates.push(submitted_application(&app, &phone, 21 + 2 * n).await);
    }
    for s in &candidates {
        wait_for_notifications(&app, &s.candidate, 1).await;
        app.wait_for_sms_to(&s.candidate.phone, 2).await;
    }
    // Time for a second send, were one to happen.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    for s in &candidates {
        let listed = notifications_api(&app, &s.candidate).await;
        assert_eq!(listed["items"].as_array().unwrap().len(), 1);
        let to_phone = app
            .outbox()
            .into_iter()
            .filter(|l| l.phone == s.candidate.phone)
            .count();
        assert_eq!(to_phone, 2, "the code and one notification");
    }
    drop(second);
}

/// Staff change the submission's template (refused while it names a placeholder that does not
/// exist, previewed with sample data, saved, audited); the next submission is told in the new
/// words. A reviewer may not edit templates.
async fn staff_edit_a_template_and_the_next_change_uses_it(backend: Backend) {
    use domain::accounts::StaffRole;
    let app = TestApp::spawn(backend).await;
    let path = "/staff/notification-templates/submitted";
    let reviewer = app
        .staff("reviewer1", "李审核", &[StaffRole::Reviewer])
        .await;
    let (status, _) = page(&app, &reviewer.client, path).await;
    assert_eq!(status, 403);
    let refused = reviewer
        .client
        .put(app.url("/api/v1/staff/notification-templates/submitted"))
        .header("X-CSRF-Token", &reviewer.csrf)
        .json(&serde_json::json!({ "sms_text": "x", "title": "x", "body": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    let admin = app
        .staff("notifier", "王管理", &[StaffRole::Administrator])
        .await;
    let (status, list) = page(&app, &admin.client, "/staff/notification-templates").await;
    assert_eq!(status, 200);
    assert!(
        list.contains("审核不通过") && list.contains("默认"),
        "{list}"
    );
    let (_, edit) = page(&app, &admin.client, path).await;
    let csrf = csrf_in(&edit);
    let post = |fields: Vec<(&'static str, String)>| {
        let (client, url) = (admin.client.clone(), app.url(path));
        async move {
            let response = client.post(url).form(&fields).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let form = |sms: &str, action: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("sms_text", sms.to_owned()),
            ("title", "报名已收到".to_owned()),
            ("body", "{计划}：{状态}".to_owned()),
            ("action", action.to_owned()),
        ]
    };
    let (status, html) = post(form("{名字}您好", "save")).await;
    assert_eq!(status, 422);
    assert!(html.contains("“{名字}”不是可用的占位符"), "{html}");
    let (status, html) = post(form("{姓名}您好，{计划}报名已收到。", "preview")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("张三您好，2022121 电子商务师（四级/中级工）报名已收到。"),
        "{html}"
    );
    assert!(html.contains("按 1 条短信计费"));
    let (status, _) = post(form("{姓名}您好，{计划}报名已收到。", "save")).await;
    assert_eq!(status, 303);

    // The API's preview (the page's live preview uses it): a rejection may quote its reason,
    // a withdrawal may not.
    let preview = |key: &'static str, sms: &'static str| {
        let (client, csrf) = (admin.client.clone(), admin.csrf.clone());
        let url = app.url(&format!(
            "/api/v1/staff/notification-templates/{key}/preview"
        ));
        async move {
            client
                .post(url)
                .header("X-CSRF-Token", csrf)
                .json(&serde_json::json!({ "sms_text": sms, "title": "t", "body": "b" }))
                .send()
                .await
                .unwrap()
        }
    };
    let shown: Value = preview("rejected", "原因：{原因}")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        shown["sms_text"],
        "原因：工作年限证明材料不清晰，请重新上传"
    );
    assert_eq!(shown["sms_parts"], 1);
    let refused = crate::support::ApiError::from(preview("withdrawn", "原因：{原因}").await).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field("sms_text").code,
        "template_placeholder_not_available"
    );

    let submitted = submitted_application(&app, "13700000201", 31).await;
    let c = &submitted.candidate;
    let listed = wait_for_notifications(&app, c, 1).await;
    assert_eq!(listed["items"][0]["title"], "报名已收到");
    let body = listed["items"][0]["body"].as_str().unwrap();
    assert!(body.ends_with("：审核中"), "{body}");
    let sms = app.wait_for_sms_to(&c.phone, 2).await;
    assert!(
        sms[1].text.starts_with(&format!("{}您好，", c.real_name)),
        "{}",
        sms[1].text
    );
    assert!(sms[1].text.ends_with("报名已收到。"));

    let audit = app.store_db().await;
    let entries = store::audit::search(
        &audit,
        &store::audit::Search {
            action: Some("notification_template.update".into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(entries.total, 1);
    assert_eq!(entries.entries[0].actor, "notifier");
    audit.close().await;
}

/// The review loop, told at every step: submitted, rejected (quoting the reviewer's reason),
/// resubmitted, approved (with the fee); each once in the app and once by SMS.
async fn every_step_of_the_review_loop_is_told_once(backend: Backend) {
    use domain::accounts::StaffRole;
    let app = TestApp::spawn(backend).await;
    let submitted = submitted_application(&app, "13700000301", 41).await;
    let (c, id) = (&submitted.candidate, submitted.application_id);
    let reviewer = app.staff("shen1", "孙审核", &[StaffRole::Reviewer]).await;
    let staff_post = |path: String, body: Value| {
        let (client, csrf, url) = (
            reviewer.client.clone(),
            reviewer.csrf.clone(),
            app.url(&path),
        );
        async move {
            let response = client
                .post(url)
                .header("X-CSRF-Token", csrf)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status();
            assert!(
                status.is_success(),
                "POST {path}: {}",
                response.text().await.unwrap()
            );
        }
    };
    let seen = || async {
        let view: Value = reviewer
            .client
            .get(app.url(&format!("/api/v1/staff/review/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        view["seen"].clone()
    };
    staff_post(
        format!("/api/v1/staff/review/{id}/claim"),
        serde_json::json!({}),
    )
    .await;
    staff_post(
        format!("/api/v1/staff/review/{id}/reject"),
        serde_json::json!({ "seen": seen().await, "reason_text": "照片背景不是白色" }),
    )
    .await;
    let listed = wait_for_notifications(&app, c, 2).await;
    assert_eq!(listed["items"][0]["title"], "审核不通过，请修改后重新提交");
    let body = listed["items"][0]["body"].as_str().unwrap();
    assert!(body.contains("原因：照片背景不是白色"), "{body}");
    let sms = app.wait_for_sms_to(&c.phone, 3).await;
    assert_eq!(sms[2].template, "application_rejected");
    assert!(
        sms[2].text.contains("原因：照片背景不是白色"),
        "{}",
        sms[2].text
    );
    assert_eq!(sms[2].params["reason"], "照片背景不是白色");

    let resubmitted = c
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/submit")))
        .header("X-CSRF-Token", &c.csrf)
        .json(&serde_json::json!({ "accept_commitment": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resubmitted.status(),
        200,
        "{}",
        resubmitted.text().await.unwrap()
    );
    staff_post(
        format!("/api/v1/staff/review/{id}/claim"),
        serde_json::json!({}),
    )
    .await;
    staff_post(
        format!("/api/v1/staff/review/{id}/approve"),
        serde_json::json!({ "seen": seen().await }),
    )
    .await;
    let listed = wait_for_notifications(&app, c, 4).await;
    let titles: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "审核通过，请按时缴费",
            "报名已重新提交，正在审核",
            "审核不通过，请修改后重新提交",
            "报名已提交，正在审核"
        ]
    );
    assert_eq!(listed["unread"], 4);
    let sms = app.wait_for_sms_to(&c.phone, 5).await;
    // Jobs run concurrently: the last two messages may go out in either order.
    let approved = sms
        .iter()
        .find(|l| l.template == "application_approved")
        .expect("the approval's SMS");
    assert!(approved.text.contains("已审核通过"), "{}", approved.text);
    assert!(approved.params.contains_key("fee"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.wait_for_sms_to(&c.phone, 5).await.len(),
        5,
        "each step once"
    );
}

on_both_backends!(
    submitting_rings_the_bell_and_reading_clears_it,
    two_instances_running_workers_tell_each_change_once,
    staff_edit_a_template_and_the_next_change_uses_it,
    every_step_of_the_review_loop_is_told_once
);
