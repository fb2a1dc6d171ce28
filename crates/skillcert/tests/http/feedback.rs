//! 意见反馈 through the real router: a candidate sends feedback with a screenshot (a file that
//! is not an image is refused), nobody else can read it, staff answer it once, the candidate
//! reads the answer; the pages do the same; sending is limited per account; every route refuses
//! whoever may not use it.

use domain::accounts::StaffRole;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::staff::{StaffUser, submitted_application};
use crate::support::uploads::small_png;
use crate::support::{ApiError, Backend, Candidate, TestApp, csrf_in, id_number, sign_up_via_api};

/// POST /api/v1/feedback as `c`, with the given text fields and optional screenshot.
async fn send(
    app: &TestApp,
    c: &Candidate,
    fields: &[(&str, String)],
    screenshot: Option<Vec<u8>>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.clone());
    }
    if let Some(bytes) = screenshot {
        form = form.part(
            "screenshot",
            reqwest::multipart::Part::bytes(bytes).file_name("截图.png"),
        );
    }
    c.client
        .post(app.url("/api/v1/feedback"))
        .header("X-CSRF-Token", &c.csrf)
        .multipart(form)
        .send()
        .await
        .expect("POST /api/v1/feedback")
}

async fn json_of(response: reqwest::Response, expected: u16, what: &str) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, expected, "{what}: {text}");
    serde_json::from_str(&text).expect("JSON")
}

async fn staff_get(app: &TestApp, s: &StaffUser, path: &str) -> Value {
    json_of(
        s.client.get(app.url(path)).send().await.unwrap(),
        200,
        &format!("GET {path}"),
    )
    .await
}

async fn answer(app: &TestApp, s: &StaffUser, id: i64, text: &str) -> reqwest::Response {
    s.client
        .post(app.url(&format!("/api/v1/staff/feedback/{id}/answer")))
        .header("X-CSRF-Token", &s.csrf)
        .json(&json!({ "answer": text }))
        .send()
        .await
        .unwrap()
}

async fn a_candidate_sends_feedback_and_reads_the_staff_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = submitted_application(&app, "13700002001", 21).await;
    let c = &s.candidate;
    let reviewer = app.staff("fankui", "赵回复", &[StaffRole::Reviewer]).await;

    // A screenshot that is not an image is refused beside its field, and nothing is recorded.
    let refused = ApiError::from(
        send(
            &app,
            c,
            &[
                ("category", "registration".into()),
                ("text", "照片上传不了".into()),
            ],
            Some(b"MZ\x90\x00 this is a program, not a picture".to_vec()),
        )
        .await,
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.code, "screenshot_not_image");
    assert_eq!(refused.field("screenshot").code, "screenshot_not_image");
    // Bad text and category are reported too.
    let refused = ApiError::from(
        send(
            &app,
            c,
            &[("category", "weather".into()), ("text", " ".into())],
            None,
        )
        .await,
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_names(),
        ["category", "text"].into_iter().collect()
    );
    let too_long = ApiError::from(
        send(
            &app,
            c,
            &[("category", "other".into()), ("text", "长".repeat(1001))],
            None,
        )
        .await,
    )
    .await;
    assert_eq!(too_long.code, "text_too_long");

    // Feedback about the candidate's application, with a screenshot.
    let png = small_png();
    let sent = json_of(
        send(
            &app,
            c,
            &[
                ("category", "registration".into()),
                ("text", "上传照片时提示格式错误，截图如下。".into()),
                ("application_id", s.application_id.to_string()),
            ],
            Some(png.clone()),
        )
        .await,
        201,
        "send feedback",
    )
    .await;
    let id = sent["id"].as_i64().expect("id");
    assert_eq!(sent["status"], "open");
    assert_eq!(sent["status_label"], "待回复");
    assert_eq!(sent["category_label"], "报名问题");
    assert_eq!(sent["application_id"], s.application_id);
    assert!(sent["answer"].is_null());
    let shot_url = sent["screenshot_url"]
        .as_str()
        .expect("screenshot url")
        .to_owned();
    let shot = c.client.get(app.url(&shot_url)).send().await.unwrap();
    assert_eq!(shot.status(), 200);
    assert_eq!(shot.headers()["content-type"], "image/png");
    assert_eq!(shot.bytes().await.unwrap().to_vec(), png);
    let mine = json_of(
        c.client
            .get(app.url("/api/v1/feedback"))
            .send()
            .await
            .unwrap(),
        200,
        "list",
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine:#}");

    // Another candidate cannot see it, its screenshot, nor link the first one's application.
    let other = sign_up_via_api(&app, "13700002002", &id_number("19900101", 23)).await;
    let r = other
        .client
        .get(app.url(&format!("/api/v1/feedback/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = other.client.get(app.url(&shot_url)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let theirs = json_of(
        other
            .client
            .get(app.url("/api/v1/feedback"))
            .send()
            .await
            .unwrap(),
        200,
        "other's list",
    )
    .await;
    assert!(theirs.as_array().unwrap().is_empty());
    let refused = ApiError::from(
        send(
            &app,
            &other,
            &[
                ("category", "registration".into()),
                ("text", "这是谁的报名？".into()),
                ("application_id", s.application_id.to_string()),
            ],
            None,
        )
        .await,
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.code, "application_not_found");

    // Staff see it unanswered first, with the sender and the screenshot.
    let listed = staff_get(&app, &reviewer, "/api/v1/staff/feedback?status=open").await;
    let item = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .expect("listed")
        .clone();
    assert_eq!(item["sender_name"], c.real_name);
    let staff_shot = item["screenshot_url"].as_str().unwrap().to_owned();
    assert_eq!(staff_shot, format!("/staff/feedback/{id}/screenshot"));
    let r = reviewer
        .client
        .get(app.url(&staff_shot))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), png);
    let answered_list = staff_get(&app, &reviewer, "/api/v1/staff/feedback?status=answered").await;
    assert!(answered_list.as_array().unwrap().is_empty());

    // An empty answer is refused; a real one is recorded once.
    let e = ApiError::from(answer(&app, &reviewer, id, "  ").await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.code, "text_required");
    let answered = json_of(
        answer(
            &app,
            &reviewer,
            id,
            "请上传 JPEG 格式的白底证件照，大小 40–80 KB。",
        )
        .await,
        200,
        "answer",
    )
    .await;
    assert_eq!(answered["status"], "answered");
    let again = ApiError::from(answer(&app, &reviewer, id, "再答一次").await).await;
    assert_eq!(again.status, 409);
    assert_eq!(again.code, "feedback_already_answered");
    let e = ApiError::from(answer(&app, &reviewer, id + 1000, "没有这条").await).await;
    assert_eq!(e.status, 404);

    // The candidate reads the answer, through the API and on the page.
    let mine = json_of(
        c.client
            .get(app.url(&format!("/api/v1/feedback/{id}")))
            .send()
            .await
            .unwrap(),
        200,
        "own feedback",
    )
    .await;
    assert_eq!(mine["status"], "answered");
    assert_eq!(
        mine["answer"]["text"],
        "请上传 JPEG 格式的白底证件照，大小 40–80 KB。"
    );
    assert_eq!(mine["answer"]["answered_by"], "赵回复");
    let page = c.client.get(app.url("/feedback")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("请上传 JPEG 格式的白底证件照"), "{html}");
    assert!(html.contains("已回复"));
    // The bell told them: one notification, linking to the feedback, whatever was retried.
    let notifications = json_of(
        c.client
            .get(app.url("/api/v1/notifications"))
            .send()
            .await
            .unwrap(),
        200,
        "notifications",
    )
    .await;
    let about: Vec<&serde_json::Value> = notifications["items"]
        .as_array()
        .expect("a list of notifications")
        .iter()
        .filter(|n| n["link"] == format!("/feedback#feedback-{id}"))
        .collect();
    assert_eq!(about.len(), 1, "{notifications:#}");
    assert_eq!(about[0]["title"], "您的意见反馈已有回复");
    assert!(about[0]["application_id"].is_null());
    assert_eq!(about[0]["read"], false);

    // The answer is in the audit log, by the reviewer.
    let db = app.store_db().await;
    let audit = store::audit::search(
        &db,
        &store::audit::Search {
            action: Some("feedback.answer".into()),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    assert_eq!(audit.total, 1);
    assert_eq!(audit.entries[0].actor, "fankui");
    assert_eq!(audit.entries[0].subject_id, id.to_string());
    db.close().await;
}

async fn feedback_on_the_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = sign_up_via_api(&app, "13700002011", &id_number("19880808", 31)).await;
    let page = c.client.get(app.url("/feedback")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("您还没有提交过反馈"));
    let csrf = csrf_in(&html);

    let post = |fields: Vec<(&'static str, String)>| {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k, v);
        }
        // A file input left empty still sends an empty part.
        form = form.part(
            "screenshot",
            reqwest::multipart::Part::bytes(Vec::new()).file_name(""),
        );
        c.client.post(app.url("/feedback")).multipart(form).send()
    };
    // Without a text: the form again, with the message beside the field and the choice kept.
    let refused = post(vec![
        ("csrf", csrf.clone()),
        ("category", "payment".into()),
        ("text", String::new()),
    ])
    .await
    .unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("请填写内容"), "{html}");
    assert!(html.contains("<option value=\"payment\" selected>"));
    // Without the CSRF token: refused.
    let r = post(vec![("category", "payment".into()), ("text", "x".into())])
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let sent = post(vec![
        ("csrf", csrf.clone()),
        ("category", "payment".into()),
        ("text", "缴费页面一直显示处理中".into()),
    ])
    .await
    .unwrap();
    assert_eq!(sent.status(), 303);
    let location = sent.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/feedback?sent="), "{location}");
    let html = c
        .client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("反馈已提交"));
    assert!(html.contains("缴费页面一直显示处理中"));
    assert!(html.contains("待回复"));

    // Staff answer on their pages.
    let admin = app
        .staff("guanli", "钱管理", &[StaffRole::Administrator])
        .await;
    let list = admin
        .client
        .get(app.url("/staff/feedback"))
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    let html = list.text().await.unwrap();
    assert!(html.contains("缴费页面一直显示处理中"), "{html}");
    assert!(html.contains("href=\"/staff/feedback\"") && html.contains("意见反馈"));
    let id: i64 = html
        .split("data-feedback-id=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .expect("a feedback row");
    let one = admin
        .client
        .get(app.url(&format!("/staff/feedback/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), 200);
    let html = one.text().await.unwrap();
    let staff_csrf = csrf_in(&html);
    let empty = admin
        .client
        .post(app.url(&format!("/staff/feedback/{id}/answer")))
        .form(&[("csrf", staff_csrf.as_str()), ("answer", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    assert!(empty.text().await.unwrap().contains("请填写内容"));
    let done = admin
        .client
        .post(app.url(&format!("/staff/feedback/{id}/answer")))
        .form(&[
            ("csrf", staff_csrf.as_str()),
            ("answer", "已为您核实，缴费成功。"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let html = c
        .client
        .get(app.url("/feedback"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已为您核实，缴费成功。"));
    assert!(html.contains("钱管理"));
}

async fn sending_is_limited_per_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = sign_up_via_api(&app, "13700002021", &id_number("19870707", 41)).await;
    for n in 0..5 {
        let r = send(
            &app,
            &c,
            &[
                ("category", "system".into()),
                ("text", format!("第 {n} 条")),
            ],
            None,
        )
        .await;
        assert_eq!(r.status(), 201, "feedback {n}");
    }
    let r = send(
        &app,
        &c,
        &[("category", "system".into()), ("text", "第六条".into())],
        None,
    )
    .await;
    assert!(r.headers().contains_key("retry-after"));
    let e = ApiError::from(r).await;
    assert_eq!(e.status, 429);
    assert_eq!(e.code, "feedback_throttled");
    let mine = json_of(
        c.client
            .get(app.url("/api/v1/feedback"))
            .send()
            .await
            .unwrap(),
        200,
        "list",
    )
    .await;
    assert_eq!(mine.as_array().unwrap().len(), 5);
}

async fn every_feedback_route_refuses_whoever_may_not_use_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = sign_up_via_api(&app, "13700002031", &id_number("19860606", 51)).await;
    let sent = json_of(
        send(
            &app,
            &c,
            &[("category", "exam".into()), ("text", "考场在哪？".into())],
            Some(small_png()),
        )
        .await,
        201,
        "send",
    )
    .await;
    let id = sent["id"].as_i64().unwrap();
    let exam = app
        .staff("kaowu", "考务甲", &[StaffRole::ExamAdministrator])
        .await;
    let org = app
        .staff("danwei", "单位联系人", &[StaffRole::OrganizationContact])
        .await;
    let pages = [
        "/staff/feedback".to_owned(),
        format!("/staff/feedback/{id}"),
        format!("/staff/feedback/{id}/screenshot"),
        "/staff/export/feedback.xlsx".to_owned(),
    ];
    let api_gets = [
        "/api/v1/staff/feedback".to_owned(),
        format!("/api/v1/staff/feedback/{id}"),
    ];
    let anonymous = app.client();
    for path in &pages {
        let r = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous page {path}");
    }
    for path in &api_gets {
        let r = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "anonymous GET {path}");
    }
    // The candidate's own routes need a signed-in account.
    let r = anonymous.get(app.url("/feedback")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    for path in [
        "/api/v1/feedback".to_owned(),
        format!("/api/v1/feedback/{id}"),
    ] {
        let r = anonymous.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "anonymous GET {path}");
    }
    let r = anonymous
        .get(app.url(&format!("/feedback/{id}/screenshot")))
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 200);
    for (who, client, csrf) in [
        ("candidate", &c.client, &c.csrf),
        ("exam administrator", &exam.client, &exam.csrf),
        ("organization contact", &org.client, &org.csrf),
    ] {
        for path in &pages {
            let r = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 403, "{who} page {path}");
        }
        for path in &api_gets {
            let e = ApiError::from(client.get(app.url(path)).send().await.unwrap()).await;
            assert_eq!(e.status, 403, "{who} GET {path}");
        }
        let r = client
            .post(app.url(&format!("/api/v1/staff/feedback/{id}/answer")))
            .header("X-CSRF-Token", csrf.as_str())
            .json(&json!({ "answer": "越权回复" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{who} API answer");
        let r = client
            .post(app.url(&format!("/staff/feedback/{id}/answer")))
            .form(&[("csrf", csrf.as_str()), ("answer", "越权回复")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{who} page answer");
    }
    // Nothing the refused calls tried changed it.
    let mine = json_of(
        c.client
            .get(app.url(&format!("/api/v1/feedback/{id}")))
            .send()
            .await
            .unwrap(),
        200,
        "own feedback",
    )
    .await;
    assert_eq!(mine["status"], "open");
}

on_both_backends!(
    a_candidate_sends_feedback_and_reads_the_staff_answer,
    feedback_on_the_pages,
    sending_is_limited_per_account,
    every_feedback_route_refuses_whoever_may_not_use_it,
);
