//! The review loop through the real router: a reviewer claims, rejects with reasons and marked
//! parts, the candidate reads them, fixes and resubmits, another reviewer approves; claims keep
//! reviewers apart; batch approval takes only clean applications; every review route refuses
//! whoever lacks the permission.

use domain::accounts::StaffRole;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::staff::{StaffUser, submitted_application};
use crate::support::{ApiError, Backend, TestApp, csrf_in};

async fn get(app: &TestApp, s: &StaffUser, path: &str) -> Value {
    let response = s.client.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "GET {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn post(app: &TestApp, s: &StaffUser, path: &str, body: Value) -> reqwest::Response {
    s.client
        .post(app.url(path))
        .header("X-CSRF-Token", &s.csrf)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn the_reject_fix_resubmit_approve_loop(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = submitted_application(&app, "13700001111", 11).await;
    let id = s.application_id;
    let wang = app
        .staff("wangshen", "王审核", &[StaffRole::Reviewer])
        .await;
    let li = app.staff("lishen", "李审核", &[StaffRole::Reviewer]).await;

    // The queue shows it with the promise and the automatic checks.
    let queue = get(&app, &wang, "/api/v1/staff/review").await;
    let item = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .expect("in the queue")
        .clone();
    assert_eq!(item["status"], "under_review");
    assert_eq!(item["eligibility_met"], true);
    assert_eq!(item["round"], 1);
    assert!(item["due_on"].is_string(), "{item:#}");
    assert_eq!(item["overdue"], false);

    let view = get(&app, &wang, &format!("/api/v1/staff/review/{id}")).await;
    assert_eq!(view["clean"], true, "{:#}", view["checks"]);
    assert!(
        view["documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "photo")
    );
    let seen = view["seen"].as_str().unwrap().to_owned();
    // The reviewer can open the documents; the photo is served to them.
    let photo_url = view["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "photo")
        .unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let photo = wang.client.get(app.url(&photo_url)).send().await.unwrap();
    assert_eq!(photo.status(), 200);
    assert_eq!(photo.headers()["content-type"], "image/jpeg");

    // Wang claims it; Li is kept off it, told by whom.
    let claimed = post(
        &app,
        &wang,
        &format!("/api/v1/staff/review/{id}/claim"),
        json!({}),
    )
    .await;
    assert_eq!(claimed.status(), 200);
    let e = ApiError::from(
        post(
            &app,
            &li,
            &format!("/api/v1/staff/review/{id}/claim"),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!((e.status, e.code.as_str()), (409, "review_claimed"));
    assert!(e.message.contains("王审核"), "{}", e.message);
    let e = ApiError::from(
        post(
            &app,
            &li,
            &format!("/api/v1/staff/review/{id}/approve"),
            json!({ "seen": seen }),
        )
        .await,
    )
    .await;
    assert_eq!(e.code, "review_claimed");

    // A rejection without a reason, or marking something that is not on the form, is refused.
    let reject_path = format!("/api/v1/staff/review/{id}/reject");
    let e = ApiError::from(post(&app, &wang, &reject_path, json!({ "seen": seen })).await).await;
    assert_eq!(
        (e.status, e.code.as_str()),
        (422, "rejection_reason_required")
    );
    let e = ApiError::from(
        post(
            &app,
            &wang,
            &reject_path,
            json!({ "seen": seen, "reason_text": "x", "marks": [{ "part": "password" }] }),
        )
        .await,
    )
    .await;
    assert_eq!(e.code, "rejection_mark_unknown");
    assert!(e.field_names().contains("mark:password"));

    // The candidate edits while it is under review: the reviewer's version is stale.
    let c = &s.candidate;
    let mut draft = view["application"]["draft"].clone();
    draft["basic"]["email"] = json!("new-address@example.com");
    let edited = c
        .client
        .put(app.url(&format!("/api/v1/applications/{id}/draft")))
        .header("X-CSRF-Token", &c.csrf)
        .json(&draft)
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let reasons = json!({
        "seen": seen,
        "templates": ["photo_unsuitable"],
        "reason_text": "另请补充近一年的社保缴费证明",
        "marks": [
            { "part": "document:photo", "note": "背景不是白色" },
            { "part": "work_history", "note": "" }
        ]
    });
    let e = ApiError::from(post(&app, &wang, &reject_path, reasons.clone()).await).await;
    assert_eq!((e.status, e.code.as_str()), (409, "application_changed"));

    // On the current version the rejection goes through.
    let view = get(&app, &wang, &format!("/api/v1/staff/review/{id}")).await;
    let mut reasons = reasons;
    reasons["seen"] = view["seen"].clone();
    let rejected = post(&app, &wang, &reject_path, reasons).await;
    assert_eq!(rejected.status(), 200, "{}", rejected.text().await.unwrap());

    // The candidate sees exactly what to fix.
    let mine: Value = c
        .client
        .get(app.url(&format!("/api/v1/applications/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["status"], "rejected");
    let rounds: Value = c
        .client
        .get(app.url(&format!("/api/v1/applications/{id}/rounds")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rounds.as_array().unwrap().len(), 1);
    assert_eq!(rounds[0]["decision"], "rejected");
    assert!(
        rounds[0]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("证件照不符合要求")
    );
    assert_eq!(rounds[0]["reasons"][1], "另请补充近一年的社保缴费证明");
    assert_eq!(rounds[0]["marks"][0]["label"], "白底证件照（材料）");
    assert_eq!(rounds[0]["marks"][0]["note"], "背景不是白色");
    let page = c
        .client
        .get(app.url(&format!("/applications/{id}/reasons")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("背景不是白色"), "{page}");
    assert!(page.contains(&format!("/applications/{id}/documents")));
    assert!(page.contains(&format!("/applications/{id}/history")));
    let status_page = c
        .client
        .get(app.url(&format!("/applications/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(status_page.contains("查看原因"));
    assert!(status_page.contains("审核不通过：证件照不符合要求"));
    // Another candidate cannot read them.
    let other = crate::support::sign_up_via_api(
        &app,
        "13700002222",
        &crate::support::id_number("19900101", 21),
    )
    .await;
    let refused = other
        .client
        .get(app.url(&format!("/api/v1/applications/{id}/rounds")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);

    // The candidate uploads a new photo and resubmits: round 2, back in the queue.
    let replaced = crate::support::uploads::upload_document(
        &app,
        &c.client,
        &c.csrf,
        id,
        "photo",
        "new-photo.jpg",
        crate::support::uploads::good_photo(),
    )
    .await;
    assert_eq!(replaced.status(), 201);
    let resubmitted = c
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/submit")))
        .header("X-CSRF-Token", &c.csrf)
        .json(&json!({ "accept_commitment": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(resubmitted.status(), 200);
    let queue = get(&app, &li, "/api/v1/staff/review").await;
    let item = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .expect("back in the queue")
        .clone();
    assert_eq!(item["round"], 2);
    assert!(
        item["claimed_by"].is_null(),
        "the decision released the claim"
    );

    // Li approves the second round.
    let view = get(&app, &li, &format!("/api/v1/staff/review/{id}")).await;
    assert_eq!(view["rounds"].as_array().unwrap().len(), 1);
    let approved = post(
        &app,
        &li,
        &format!("/api/v1/staff/review/{id}/approve"),
        json!({ "seen": view["seen"] }),
    )
    .await;
    assert_eq!(approved.status(), 200, "{}", approved.text().await.unwrap());
    let rounds: Value = c
        .client
        .get(app.url(&format!("/api/v1/applications/{id}/rounds")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let decisions: Vec<(i64, &str)> = rounds
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["round"].as_i64().unwrap(),
                r["decision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(decisions, vec![(1, "rejected"), (2, "approved")]);
    let mine: Value = c
        .client
        .get(app.url(&format!("/api/v1/applications/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["status"], "approved");
    // Approving twice is refused: the decision happened once.
    let e = ApiError::from(
        post(
            &app,
            &li,
            &format!("/api/v1/staff/review/{id}/approve"),
            json!({ "seen": view["seen"] }),
        )
        .await,
    )
    .await;
    assert_eq!(e.status, 409);

    // Each of the four status changes reached the candidate by SMS exactly once (beside the
    // sign-up code), the rejection with its reason.
    app.wait_for_sms_to(&c.phone, 5).await;
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let texts: Vec<String> = app
        .outbox()
        .into_iter()
        .filter(|l| l.phone == c.phone && l.template != "verification_code")
        .map(|l| l.text)
        .collect();
    assert_eq!(texts.len(), 4, "{texts:#?}");
    assert!(
        texts
            .iter()
            .any(|t| t.contains("审核不通过") && t.contains("证件照不符合要求")),
        "{texts:#?}"
    );

    // Both decisions are in the audit log, by who made them.
    let db = app.store_db().await;
    let audit = store::audit::search(
        &db,
        &store::audit::Search {
            action: Some("application.".into()),
            subject: Some(("application".into(), id.to_string())),
            ..Default::default()
        },
        1,
    )
    .await
    .unwrap();
    let lines: Vec<(&str, &str)> = audit
        .entries
        .iter()
        .rev()
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("application.reject", "wangshen"),
            ("application.approve", "lishen")
        ]
    );
}

async fn reviewing_on_the_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = submitted_application(&app, "13700003333", 31).await;
    let id = s.application_id;
    // The account (its API session is not used: this reviewer signs in on the pages).
    app.staff("zhao", "赵审核", &[StaffRole::Reviewer]).await;

    // The console sends a visitor to the staff entrance, and back after signing in.
    let client = app.client();
    let r = client.get(app.url("/staff/review")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/staff/login?next=/staff/review");
    let login_page = client
        .get(app.url("/staff/login?next=/staff/review"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_in(&login_page);
    let wrong = client
        .post(app.url("/staff/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("identifier", "zhao"),
            ("password", "wrong-password1"),
            ("next", "/staff/review"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("账号或密码不正确"));
    let signed_in = client
        .post(app.url("/staff/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("identifier", "zhao"),
            ("password", crate::support::GOOD_PASSWORD),
            ("next", "/staff/review"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    assert_eq!(signed_in.headers()["location"], "/staff/review");

    let queue = client
        .get(app.url("/staff/review"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&format!("/staff/review/{id}")), "{queue}");
    assert!(queue.contains("符合申报条件"));

    let page = client
        .get(app.url(&format!("/staff/review/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("您正在审核此报名"), "opening claims it");
    assert!(page.contains("name=\"mark\" value=\"work_history\""));
    assert!(page.contains("name=\"mark\" value=\"document:photo\""));
    let csrf = csrf_in(&page);
    let seen = {
        let marker = "name=\"seen\" value=\"";
        let start = page.find(marker).unwrap() + marker.len();
        page[start..start + page[start..].find('"').unwrap()].to_owned()
    };

    // No reason: the page comes back with the message and what was ticked.
    let body: Vec<(&str, &str)> = vec![
        ("csrf", csrf.as_str()),
        ("seen", seen.as_str()),
        ("mark", "name"),
        ("note:name", "与身份证不一致"),
    ];
    let refused = client
        .post(app.url(&format!("/staff/review/{id}/reject")))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.unwrap();
    assert!(text.contains("请选择至少一个原因"), "{text}");
    assert!(text.contains("与身份证不一致"), "the note is kept");

    let body: Vec<(&str, &str)> = vec![
        ("csrf", csrf.as_str()),
        ("seen", seen.as_str()),
        ("templates", "id_mismatch"),
        ("templates", "work_years_short"),
        ("reason_text", ""),
        ("mark", "name"),
        ("note:name", "与身份证不一致"),
        ("mark", "document:id_card_front"),
        ("note:document:id_card_front", ""),
    ];
    let done = client
        .post(app.url(&format!("/staff/review/{id}/reject")))
        .form(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    let after = client
        .get(app.url(&format!("/staff/review/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(after.contains("审核不通过"));
    assert!(after.contains("姓名（与身份证不一致）"), "{after}");

    // A candidate is not let into the console.
    let c = &s.candidate;
    let r = c.client.get(app.url("/staff/review")).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

async fn batch_approval_takes_only_clean_applications(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = submitted_application(&app, "13700004441", 41).await;
    let b = submitted_application(&app, "13700004442", 43).await;
    let reviewer = app.staff("sun", "孙审核", &[StaffRole::Reviewer]).await;
    let other = app.staff("zhou", "周审核", &[StaffRole::Reviewer]).await;
    // Someone else is working on b: batch approval leaves it to them.
    let claimed = post(
        &app,
        &other,
        &format!("/api/v1/staff/review/{}/claim", b.application_id),
        json!({}),
    )
    .await;
    assert_eq!(claimed.status(), 200);
    let outcome: Value = post(
        &app,
        &reviewer,
        "/api/v1/staff/review/batch-approve",
        json!({ "ids": [a.application_id, b.application_id, 999_999] }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(outcome["approved"], json!([a.application_id]));
    let skipped: Vec<i64> = outcome["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(skipped, vec![b.application_id, 999_999]);
    let e = ApiError::from(
        post(
            &app,
            &reviewer,
            "/api/v1/staff/review/batch-approve",
            json!({ "ids": [] }),
        )
        .await,
    )
    .await;
    assert_eq!((e.status, e.code.as_str()), (422, "batch_size"));
}

async fn every_review_route_refuses_whoever_lacks_the_permission(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = submitted_application(&app, "13700005555", 51).await;
    let id = s.application_id;
    let exam = app
        .staff("kaowu", "考务甲", &[StaffRole::ExamAdministrator])
        .await;
    let org = app
        .staff("danwei", "单位联系人", &[StaffRole::OrganizationContact])
        .await;
    let reviewer = app.staff("shenhe", "审核乙", &[StaffRole::Reviewer]).await;
    let admin = app
        .staff("guanli", "管理员丙", &[StaffRole::Administrator])
        .await;
    let api_gets = [
        "/api/v1/staff/review".to_owned(),
        format!("/api/v1/staff/review/{id}"),
    ];
    let api_posts = [
        (format!("/api/v1/staff/review/{id}/claim"), json!({})),
        (
            format!("/api/v1/staff/review/{id}/approve"),
            json!({ "seen": "2026-01-01T00:00:00Z" }),
        ),
        (
            format!("/api/v1/staff/review/{id}/reject"),
            json!({ "seen": "2026-01-01T00:00:00Z", "reason_text": "x" }),
        ),
        (
            "/api/v1/staff/review/batch-approve".to_owned(),
            json!({ "ids": [id] }),
        ),
    ];
    let pages = ["/staff/review".to_owned(), format!("/staff/review/{id}")];
    let anonymous = app.client();
    for path in &api_gets {
        let r = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "anonymous GET {path}");
    }
    for path in &pages {
        let r = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous page {path}");
    }
    let candidate = &s.candidate;
    for (who, client, csrf) in [
        ("candidate", &candidate.client, &candidate.csrf),
        ("exam administrator", &exam.client, &exam.csrf),
        ("organization contact", &org.client, &org.csrf),
    ] {
        for path in &api_gets {
            let e = ApiError::from(client.get(app.url(path)).send().await.unwrap()).await;
            assert_eq!(e.status, 403, "{who} GET {path}");
        }
        for (path, body) in &api_posts {
            let r = client
                .post(app.url(path))
                .header("X-CSRF-Token", csrf.as_str())
                .json(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{who} POST {path}");
        }
        for path in &pages {
            let r = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 403, "{who} page {path}");
            assert!(r.text().await.unwrap().contains("权限") || who == "candidate");
        }
    }
    // The registration form as the candidate downloads it, for reviewers only.
    let form_path = format!("/staff/review/{id}/registration-form.pdf");
    let pdf = reviewer
        .client
        .get(app.url(&form_path))
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));
    for refused in [&exam.client, &candidate.client] {
        let r = refused.get(app.url(&form_path)).send().await.unwrap();
        assert_eq!(r.status(), 403);
    }

    // Files of an application are the reviewers' too, never another role's.
    let files = get(&app, &reviewer, &format!("/api/v1/staff/review/{id}")).await;
    let url = files["documents"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(
        exam.client
            .get(app.url(&url))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    for allowed in [&reviewer, &admin] {
        for path in &api_gets {
            get(&app, allowed, path).await;
        }
        let r = allowed.client.get(app.url(&url)).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    // The console's first page: the backlog for those who review, the areas each role opens.
    let home = reviewer
        .client
        .get(app.url("/staff"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("待审核") && home.contains("报名审核"),
        "{home}"
    );
    let home = exam
        .client
        .get(app.url("/staff"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !home.contains("待审核") && !home.contains("/staff/review"),
        "{home}"
    );

    // Nothing the refused calls tried changed the application.
    let view = get(&app, &admin, &format!("/api/v1/staff/review/{id}")).await;
    assert_eq!(view["application"]["status"], "under_review");
    assert!(view["rounds"].as_array().unwrap().is_empty());
}

on_both_backends!(
    the_reject_fix_resubmit_approve_loop,
    reviewing_on_the_pages,
    batch_approval_takes_only_clean_applications,
    every_review_route_refuses_whoever_lacks_the_permission,
);
