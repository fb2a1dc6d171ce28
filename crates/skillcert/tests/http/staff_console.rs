//! The console's management areas: plans (create, edit, open, close, with their rules), the
//! working-day calendar, staff accounts and the audit log that records all of it; and that
//! every one of their routes refuses whoever may not use it.

use domain::accounts::StaffRole;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::staff::{StaffUser, submitted_application};
use crate::support::{
    ApiError, Backend, GOOD_PASSWORD, TestApp, csrf_in, id_number, sign_up_via_api,
};

// --- helpers ---------------------------------------------------------------------------------

async fn call(
    app: &TestApp,
    user: &StaffUser,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = user
        .client
        .request(method, app.url(path))
        .header("X-CSRF-Token", &user.csrf);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

async fn ok_json(response: reqwest::Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).expect("JSON")
}

async fn get_json(app: &TestApp, user: &StaffUser, path: &str) -> Value {
    ok_json(call(app, user, reqwest::Method::GET, path, None).await, 200).await
}

/// Posts a form (`csrf` added) and returns the status, the `Location` and the body.
async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut pairs = vec![("csrf", csrf)];
    pairs.extend_from_slice(fields);
    let response = client
        .post(app.url(path))
        .form(&pairs)
        .send()
        .await
        .expect("POST");
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, response.text().await.unwrap())
}

async fn get_page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.expect("GET");
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A plan body that keeps every rule, on the seeded occupation and sites.
fn plan_body(code: &str, occupation_id: i64, site_ids: &[i64]) -> Value {
    json!({
        "code": code,
        "name": "电子商务师 三级 (2030年5月批次)",
        "occupation_id": occupation_id,
        "level": 3,
        "registration_opens_at": "2030-05-01T00:00:00Z",
        "registration_closes_at": "2030-05-20T00:00:00Z",
        "exam_starts_at": "2030-06-01T01:00:00Z",
        "exam_ends_at": "2030-06-01T04:00:00Z",
        "fee_fen": 15000,
        "capacity": 50,
        "site_ids": site_ids,
        "documents": ["diploma"],
    })
}

/// The seeded level-1 plan, with its occupation and sites.
async fn seeded_plan(app: &TestApp, admin: &StaffUser) -> Value {
    let list = get_json(app, admin, "/api/v1/staff/plans").await;
    let id = list["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["level"] == 1)
        .expect("a level-1 plan")["id"]
        .as_i64()
        .unwrap();
    get_json(app, admin, &format!("/api/v1/staff/plans/{id}")).await
}

fn site_ids(plan: &Value) -> Vec<i64> {
    plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

async fn audit_page(app: &TestApp, admin: &StaffUser, query: &str) -> String {
    let (status, html) = get_page(app, &admin.client, &format!("/staff/audit?{query}")).await;
    assert_eq!(status, 200, "{html}");
    html
}

// --- plans -----------------------------------------------------------------------------------

async fn exam_staff_create_and_edit_plans_and_bad_input_is_refused_field_by_field(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let staff = app
        .staff("kaowu", "考务老师", &[StaffRole::ExamAdministrator])
        .await;
    let seeded = seeded_plan(&app, &staff).await;
    let occupation = seeded["occupation_id"].as_i64().unwrap();
    let sites = site_ids(&seeded);
    assert_eq!(seeded["state"], "open");
    assert_eq!(seeded["seats_taken"], 0);

    // Everything wrong at once: each problem beside its field.
    let mut bad = plan_body("22", occupation, &[]);
    bad["fee_fen"] = json!(-1);
    bad["exam_starts_at"] = json!("2030-05-10T00:00:00Z");
    bad["documents"] = json!(["photo"]);
    let refused = ApiError::from(
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            "/api/v1/staff/plans",
            Some(bad),
        )
        .await,
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.field("code").code, "plan_code_format");
    assert_eq!(refused.field("fee").code, "plan_fee");
    assert_eq!(
        refused.field("exam_starts_at").code,
        "plan_exam_before_registration_closes"
    );
    assert_eq!(refused.field("site_ids").code, "plan_sites_missing");
    assert_eq!(refused.field("documents").code, "plan_document_invalid");
    // The code's last digit must be the level.
    let wrong_level = ApiError::from(
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            "/api/v1/staff/plans",
            Some(plan_body("2030051", occupation, &sites)),
        )
        .await,
    )
    .await;
    assert_eq!(wrong_level.code, "plan_code_level");

    // A consistent plan is created, fee in fen, with the documents it asks for.
    let created = ok_json(
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            "/api/v1/staff/plans",
            Some(plan_body("2030053", occupation, &sites)),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["code"], "2030053");
    assert_eq!(created["fee_fen"], 15000);
    assert_eq!(created["capacity"], 50);
    assert_eq!(created["state"], "not_open");
    assert_eq!(created["documents"], json!(["diploma"]));
    assert_eq!(site_ids(&created), sites);

    // Its code is its own.
    let twice = ApiError::from(
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            "/api/v1/staff/plans",
            Some(plan_body("2030053", occupation, &sites)),
        )
        .await,
    )
    .await;
    assert_eq!(
        (twice.status, twice.code.as_str()),
        (422, "plan_code_taken")
    );

    // Edited: name, capacity, one site fewer, no documents.
    let mut edit = plan_body("2030053", occupation, &sites[..1]);
    edit["name"] = json!("电子商务师 三级 (改期)");
    edit["capacity"] = json!(80);
    edit["documents"] = json!([]);
    let edited = ok_json(
        call(
            &app,
            &staff,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/plans/{id}"),
            Some(edit),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(edited["name"], "电子商务师 三级 (改期)");
    assert_eq!(edited["capacity"], 80);
    assert_eq!(site_ids(&edited), sites[..1].to_vec());
    assert_eq!(edited["documents"], json!([]));
    // Candidates see the change at once (the plan cache is told).
    let public: Value = reqwest::get(app.url(&format!("/api/v1/plans/{id}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["name"], "电子商务师 三级 (改期)", "{public:#}");

    // The page form: yuan typed, bad input shown beside the fields with 422.
    let (_, html) = get_page(&app, &staff.client, "/staff/plans/new").await;
    let csrf = csrf_in(&html);
    let occupation_text = occupation.to_string();
    let site_text = sites[0].to_string();
    let mut form = vec![
        ("code", "2030054"),
        ("name", "电子商务师 四级 (页面)"),
        ("occupation_id", occupation_text.as_str()),
        ("level", "4"),
        ("registration_opens_at", "2030-05-01T08:00"),
        ("registration_closes_at", "2030-05-20T08:00"),
        ("exam_starts_at", "2030-05-19T09:00"),
        ("exam_ends_at", "2030-05-19T12:00"),
        ("fee", "120.5x"),
        ("capacity", "30"),
        ("site_ids", site_text.as_str()),
        ("documents", "other"),
    ];
    let (status, _, html) = post_form(&app, &staff.client, &csrf, "/staff/plans", &form).await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("考试开始时间不能早于报名截止时间"), "{html}");
    assert!(html.contains("考试费用应为不少于 0 的金额"));
    assert!(
        html.contains("value=\"电子商务师 四级 (页面)\""),
        "typed values are kept"
    );
    form[6] = ("exam_starts_at", "2030-05-21T09:00");
    form[7] = ("exam_ends_at", "2030-05-21T12:00");
    form[8] = ("fee", "120.50");
    let (status, location, html) =
        post_form(&app, &staff.client, &csrf, "/staff/plans", &form).await;
    assert_eq!(status, 303, "{html}");
    let page_plan_id: i64 = location
        .trim_start_matches("/staff/plans/")
        .trim_end_matches("?saved=1")
        .parse()
        .expect("redirect to the new plan");
    let from_page = get_json(&app, &staff, &format!("/api/v1/staff/plans/{page_plan_id}")).await;
    assert_eq!(from_page["fee_fen"], 12050);
    assert_eq!(from_page["documents"], json!(["other"]));
    // Registration windows are Beijing time on the page.
    assert_eq!(from_page["registration_opens_at"], "2030-05-01T00:00:00Z");

    // The list shows each plan's state and seats.
    let (status, html) = get_page(&app, &staff.client, "/staff/plans").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("2030053") && html.contains("未开始"),
        "{html}"
    );
    assert!(html.contains("<span class=\"seats\">0 / 80</span>"));
}

/// 缴费截止: staff may set one (after registration opens, no later than the exam starts) or
/// leave it blank for the default, 3 days before the exam; candidates see which.
async fn a_payment_deadline_is_set_on_a_plan_or_left_to_the_default(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = app
        .staff("kaowu", "考务老师", &[StaffRole::ExamAdministrator])
        .await;
    let seeded = seeded_plan(&app, &staff).await;
    let occupation = seeded["occupation_id"].as_i64().unwrap();
    let sites = site_ids(&seeded);
    let post = |body: Value| {
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            "/api/v1/staff/plans",
            Some(body),
        )
    };

    // Set through the API and read back (the exam starts 2030-06-01T01:00Z).
    let mut body = plan_body("2030053", occupation, &sites);
    body["payment_closes_at"] = json!("2030-05-29T01:00:00Z");
    let created = ok_json(post(body).await, 201).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["payment_closes_at"], "2030-05-29T01:00:00Z");
    let read = get_json(&app, &staff, &format!("/api/v1/staff/plans/{id}")).await;
    assert_eq!(read["payment_closes_at"], "2030-05-29T01:00:00Z");
    // Candidates see it, in Beijing time.
    let public: Value = reqwest::get(app.url(&format!("/api/v1/plans/{id}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        public["payment_closes_at"], "2030-05-29T01:00:00Z",
        "{public:#}"
    );
    assert_eq!(public["payment_closes_text"], "2030-05-29 09:00:00");
    let (status, html) = get_page(&app, &reqwest::Client::new(), &format!("/plans/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<dt>缴费截止</dt><dd>2030-05-29 09:00:00</dd>"),
        "{html}"
    );

    // After the exam starts, or before registration opens: refused beside the field.
    for (code, late_or_early) in [
        ("2030053-2", "2030-06-01T01:00:01Z"),
        ("2030053-2", "2030-04-30T00:00:00Z"),
    ] {
        let mut body = plan_body(code, occupation, &sites);
        body["payment_closes_at"] = json!(late_or_early);
        let refused = ApiError::from(post(body).await).await;
        assert_eq!(refused.status, 422, "{late_or_early}");
        let field = refused.field("payment_closes_at");
        assert_eq!(field.code, "plan_payment_deadline");
        assert_eq!(field.message, "缴费截止时间须在报名开始之后、考试开始之前");
    }
    // Exactly at the exam's start is the latest allowed.
    let mut body = plan_body("2030053-2", occupation, &sites);
    body["payment_closes_at"] = json!("2030-06-01T01:00:00Z");
    ok_json(post(body).await, 201).await;

    // Blank (absent or null) is accepted: the default rule.
    let mut blank = plan_body("2030053", occupation, &sites);
    blank["payment_closes_at"] = Value::Null;
    let edited = ok_json(
        call(
            &app,
            &staff,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/plans/{id}"),
            Some(blank),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(edited["payment_closes_at"], Value::Null);
    let public: Value = reqwest::get(app.url(&format!("/api/v1/plans/{id}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["payment_closes_at"], Value::Null);
    assert_eq!(public["payment_closes_text"], "考试前 3 天");
    let absent = ok_json(post(plan_body("2030053-3", occupation, &sites)).await, 201).await;
    assert_eq!(absent["payment_closes_at"], Value::Null);

    // The page form: Beijing time typed; unreadable or late refused beside the field, the
    // typed value kept; blank accepted.
    let (status, html) = get_page(&app, &staff.client, &format!("/staff/plans/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("缴费截止（可留空，默认考试开始前 3 天）"),
        "{html}"
    );
    assert!(
        html.contains("缴费截止：未设置（考试开始前 3 天）"),
        "{html}"
    );
    let csrf = csrf_in(&html);
    let occupation_text = occupation.to_string();
    let site_text = sites[0].to_string();
    fn form<'a>(occupation: &'a str, site: &'a str, deadline: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("code", "2030053"),
            ("name", "电子商务师 三级 (2030年5月批次)"),
            ("occupation_id", occupation),
            ("level", "3"),
            ("registration_opens_at", "2030-05-01T08:00"),
            ("registration_closes_at", "2030-05-20T08:00"),
            ("exam_starts_at", "2030-06-01T09:00"),
            ("exam_ends_at", "2030-06-01T12:00"),
            ("fee", "150"),
            ("capacity", "50"),
            ("site_ids", site),
            ("payment_closes_at", deadline),
        ]
    }
    let form = |deadline| form(&occupation_text, &site_text, deadline);
    let path = format!("/staff/plans/{id}");
    let (status, _, html) = post_form(&app, &staff.client, &csrf, &path, &form("明天")).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains(
            "<p class=\"field-error\" data-error-for=\"payment_closes_at\">请按 YYYY-MM-DD HH:MM 填写北京时间</p>"
        ),
        "{html}"
    );
    assert!(html.contains("value=\"明天\""), "typed value kept");
    let (status, _, html) =
        post_form(&app, &staff.client, &csrf, &path, &form("2030-06-01 09:30")).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("缴费截止时间须在报名开始之后、考试开始之前"),
        "{html}"
    );
    assert!(html.contains("value=\"2030-06-01 09:30\""));
    let (status, _, html) =
        post_form(&app, &staff.client, &csrf, &path, &form("2030-05-28 18:00")).await;
    assert_eq!(status, 303, "{html}");
    let read = get_json(&app, &staff, &format!("/api/v1/staff/plans/{id}")).await;
    assert_eq!(read["payment_closes_at"], "2030-05-28T10:00:00Z");
    let (_, html) = get_page(&app, &staff.client, &path).await;
    assert!(html.contains("缴费截止：2030-05-28 18:00:00"), "{html}");
    assert!(html.contains("value=\"2030-05-28T18:00\""), "{html}");
    let (status, _, html) = post_form(&app, &staff.client, &csrf, &path, &form("")).await;
    assert_eq!(status, 303, "{html}");
    let read = get_json(&app, &staff, &format!("/api/v1/staff/plans/{id}")).await;
    assert_eq!(read["payment_closes_at"], Value::Null);

    // Each change of the deadline is in the audit log's before and after.
    let admin = app
        .staff("guanli", "管理员", &[StaffRole::Administrator])
        .await;
    let html = audit_page(&app, &admin, "action=plan.update").await;
    assert!(html.contains("<code>payment_closes_at</code>"), "{html}");
}

async fn capacity_never_goes_below_the_seats_taken(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = submitted_application(&app, "13800138101", 101).await;
    submitted_application(&app, "13800138102", 103).await;
    let staff = app
        .staff("kaowu", "考务老师", &[StaffRole::ExamAdministrator])
        .await;
    let plan = get_json(
        &app,
        &staff,
        &format!("/api/v1/staff/plans/{}", first.plan_id),
    )
    .await;
    assert_eq!(plan["seats_taken"], 2);
    let mut body = plan_body(
        plan["code"].as_str().unwrap(),
        plan["occupation_id"].as_i64().unwrap(),
        &site_ids(&plan),
    );
    for key in [
        "name",
        "level",
        "registration_opens_at",
        "registration_closes_at",
        "exam_starts_at",
        "exam_ends_at",
        "fee_fen",
    ] {
        body[key] = plan[key].clone();
    }
    body["capacity"] = json!(1);
    let refused = ApiError::from(
        call(
            &app,
            &staff,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/plans/{}", first.plan_id),
            Some(body.clone()),
        )
        .await,
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.field("capacity").code, "capacity_below_taken");
    assert!(refused.field("capacity").message.contains('2'));
    // Nor may the level change under the candidates who hold seats.
    let mut moved = body.clone();
    moved["capacity"] = json!(10);
    moved["level"] = json!(2);
    moved["code"] = json!(format!("{}2", &plan["code"].as_str().unwrap()[..6]));
    let refused = ApiError::from(
        call(
            &app,
            &staff,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/plans/{}", first.plan_id),
            Some(moved),
        )
        .await,
    )
    .await;
    assert_eq!(refused.field("level").code, "plan_level_fixed");
    // Exactly the seats taken is allowed, and the plan is then full.
    body["capacity"] = json!(2);
    let full = ok_json(
        call(
            &app,
            &staff,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/plans/{}", first.plan_id),
            Some(body),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (full["capacity"].as_i64(), full["state"].as_str()),
        (Some(2), Some("full"))
    );
}

async fn registration_is_closed_now_and_opened_with_a_new_window(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = app
        .staff("kaowu", "考务老师", &[StaffRole::ExamAdministrator])
        .await;
    let plan = seeded_plan(&app, &staff).await;
    let id = plan["id"].as_i64().unwrap();
    let closed = ok_json(
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            &format!("/api/v1/staff/plans/{id}/close"),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(closed["state"], "closed");
    let public: Value = reqwest::get(app.url(&format!("/api/v1/plans/{id}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["state"], "closed", "{public:#}");
    let again = ApiError::from(
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            &format!("/api/v1/staff/plans/{id}/close"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(again.code, "plan_already_closed");

    // Opening needs a window that ends after now and no later than the exam starts.
    let now = chrono::Utc::now();
    let past = ApiError::from(
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            &format!("/api/v1/staff/plans/{id}/open"),
            Some(json!({"opens_at": now - chrono::Duration::days(2), "closes_at": now - chrono::Duration::days(1)})),
        )
        .await,
    )
    .await;
    assert_eq!(past.code, "plan_window_in_past");
    let after_exam = ApiError::from(
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            &format!("/api/v1/staff/plans/{id}/open"),
            Some(json!({"opens_at": now, "closes_at": plan["exam_ends_at"]})),
        )
        .await,
    )
    .await;
    assert_eq!(after_exam.code, "plan_exam_before_registration_closes");
    let opened = ok_json(
        call(
            &app,
            &staff,
            reqwest::Method::POST,
            &format!("/api/v1/staff/plans/{id}/open"),
            Some(json!({"opens_at": now, "closes_at": plan["exam_starts_at"]})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(opened["state"], "open");
    assert_eq!(opened["registration_closes_at"], plan["exam_starts_at"]);

    // The same through the page's buttons.
    let (_, html) = get_page(&app, &staff.client, &format!("/staff/plans/{id}")).await;
    assert!(html.contains("立即截止报名"), "{html}");
    let (status, location, _) = post_form(
        &app,
        &staff.client,
        &csrf_in(&html),
        &format!("/staff/plans/{id}/close"),
        &[],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("/staff/plans/{id}?saved=1").as_str())
    );
    let (_, html) = get_page(&app, &staff.client, &format!("/staff/plans/{id}")).await;
    assert!(
        html.contains("开放报名") && html.contains("已截止"),
        "{html}"
    );
}

/// The kinds of document a candidate's application asks for now.
async fn asked_documents(app: &TestApp, client: &reqwest::Client, application: i64) -> Vec<String> {
    let list: Value = client
        .get(app.url(&format!("/api/v1/applications/{application}/documents")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list.as_array()
        .expect("a list")
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn documents_a_plan_asks_for_are_asked_of_its_candidates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = app
        .staff("kaowu", "考务老师", &[StaffRole::ExamAdministrator])
        .await;
    let plan = seeded_plan(&app, &staff).await;
    let id = plan["id"].as_i64().unwrap();
    let candidate = sign_up_via_api(&app, "13800138301", &id_number("19880512", 301)).await;
    let opened: Value = candidate
        .client
        .post(app.url(&format!("/api/v1/plans/{id}/application")))
        .header("X-CSRF-Token", &candidate.csrf)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let application = opened["id"].as_i64().expect("application id");
    let before = asked_documents(&app, &candidate.client, application).await;
    assert!(!before.contains(&"other".to_owned()), "{before:?}");

    let mut body = plan_body(
        plan["code"].as_str().unwrap(),
        plan["occupation_id"].as_i64().unwrap(),
        &site_ids(&plan),
    );
    for key in [
        "name",
        "level",
        "registration_opens_at",
        "registration_closes_at",
        "exam_starts_at",
        "exam_ends_at",
        "fee_fen",
        "capacity",
    ] {
        body[key] = plan[key].clone();
    }
    body["documents"] = json!(["other"]);
    ok_json(
        call(
            &app,
            &staff,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/plans/{id}"),
            Some(body),
        )
        .await,
        200,
    )
    .await;
    let after = asked_documents(&app, &candidate.client, application).await;
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert!(after.contains(&"other".to_owned()), "{after:?}");
}

// --- calendar --------------------------------------------------------------------------------

async fn a_calendar_with_a_bad_line_is_refused_whole(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let staff = app
        .staff("kaowu", "考务老师", &[StaffRole::ExamAdministrator])
        .await;
    let (status, html) = get_page(&app, &staff.client, "/staff/calendar").await;
    assert_eq!(status, 200);
    assert_eq!(
        html.matches("<table class=\"month\"").count(),
        2,
        "this month and the next"
    );
    let csrf = csrf_in(&html);

    let good = "2030-10-01,放假,国庆节\n2030-10-12,上班,国庆节调休\n";
    let (status, location, _) = post_form(
        &app,
        &staff.client,
        &csrf,
        "/staff/calendar",
        &[("text", good)],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, "/staff/calendar?saved=1")
    );
    let (_, html) = get_page(&app, &staff.client, "/staff/calendar").await;
    assert!(html.contains("2030-10-01,放假,国庆节"), "{html}");

    let bad = "2030-10-02,放假,国庆节\n2030-13-01,放假\n2030-10-03,休假\n";
    let (status, _, html) = post_form(
        &app,
        &staff.client,
        &csrf,
        "/staff/calendar",
        &[("text", bad)],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    assert!(html.contains("第 2 行：日期应为 YYYY-MM-DD"), "{html}");
    assert!(html.contains("第 3 行：类型应为 放假 或 上班"));
    assert!(html.contains("data-code=\"calendar_bad_date\""));
    assert!(
        html.contains("2030-10-02,放假,国庆节"),
        "the text typed is kept"
    );
    // Nothing was changed.
    let db = app.store_db().await;
    let calendar = store::calendar::load(&db).await.unwrap();
    assert_eq!(calendar.to_text(), good);
    db.close().await;
}

// --- staff accounts --------------------------------------------------------------------------

async fn log_in_status(app: &TestApp, login: &str, password: &str) -> (u16, Value) {
    let response = app
        .client()
        .post(app.url("/api/v1/session"))
        .json(&json!({ "identifier": login, "password": password }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn an_administrator_creates_staff_who_can_then_log_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .staff("guanli", "管理员", &[StaffRole::Administrator])
        .await;

    let refused = ApiError::from(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/staff/accounts",
            Some(json!({"login_name": "1x", "real_name": "", "password": "short", "roles": []})),
        )
        .await,
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.field_names(),
        ["login_name", "password", "real_name", "roles"]
            .into_iter()
            .collect()
    );
    assert_eq!(refused.field("roles").code, "staff_roles_empty");

    let created = ok_json(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/staff/accounts",
            Some(json!({"login_name": "Shenhe01", "real_name": "李审核", "password": GOOD_PASSWORD, "roles": ["reviewer", "exam_admin"]})),
        )
        .await,
        201,
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["login_name"], "shenhe01");
    assert_eq!(created["roles"], json!(["reviewer", "exam_admin"]));
    let taken = ApiError::from(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/staff/accounts",
            Some(json!({"login_name": "shenhe01", "real_name": "李审核", "password": GOOD_PASSWORD, "roles": ["reviewer"]})),
        )
        .await,
    )
    .await;
    assert_eq!(taken.field("login_name").code, "staff_login_taken");

    // The new person logs in with both roles.
    let (status, session) = log_in_status(&app, "shenhe01", GOOD_PASSWORD).await;
    assert_eq!(status, 200, "{session}");
    let mut roles: Vec<&str> = session["account"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    roles.sort_unstable();
    assert_eq!(roles, ["exam_admin", "reviewer"]);
    let signed_in = app.client();
    let response = signed_in
        .post(app.url("/api/v1/session"))
        .json(&json!({ "identifier": "shenhe01", "password": GOOD_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(get_page(&app, &signed_in, "/staff/plans").await.0, 200);

    // Roles change; disabled, they cannot log in; enabled again, they can.
    let changed = ok_json(
        call(
            &app,
            &admin,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/accounts/{id}/roles"),
            Some(json!({"roles": ["reviewer"]})),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["roles"], json!(["reviewer"]));
    // A role taken away closes its area at once.
    assert_eq!(get_page(&app, &signed_in, "/staff/plans").await.0, 403);
    ok_json(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/staff/accounts/{id}/disable"),
            None,
        )
        .await,
        200,
    )
    .await;
    // Disabling ends the person's sessions there and then.
    let (status, _) = get_page(&app, &signed_in, "/staff").await;
    assert_eq!(status, 303, "the disabled person's session is gone");
    let (status, body) = log_in_status(&app, "shenhe01", GOOD_PASSWORD).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("account_disabled"))
    );
    ok_json(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/staff/accounts/{id}/enable"),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(log_in_status(&app, "shenhe01", GOOD_PASSWORD).await.0, 200);

    // A reset password replaces the old one.
    let weak = ApiError::from(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/staff/accounts/{id}/password"),
            Some(json!({"password": "abc"})),
        )
        .await,
    )
    .await;
    assert_eq!(weak.field("password").code, "password_length");
    let reset = call(
        &app,
        &admin,
        reqwest::Method::POST,
        &format!("/api/v1/staff/accounts/{id}/password"),
        Some(json!({"password": "xinmima2030"})),
    )
    .await;
    assert_eq!(reset.status(), 204);
    assert_eq!(log_in_status(&app, "shenhe01", GOOD_PASSWORD).await.0, 422);
    assert_eq!(log_in_status(&app, "shenhe01", "xinmima2030").await.0, 200);

    // The page: a person added through the form logs in at the staff entrance.
    let (_, html) = get_page(&app, &admin.client, "/staff/accounts").await;
    assert!(
        html.contains("shenhe01") && html.contains("审核员"),
        "{html}"
    );
    let csrf = csrf_in(&html);
    let (status, _, html) = post_form(
        &app,
        &admin.client,
        &csrf,
        "/staff/accounts",
        &[
            ("login_name", "kaowu2"),
            ("real_name", "王考务"),
            ("password", "123"),
            ("roles", "exam_admin"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("密码长度需为 8–64 位"), "{html}");
    assert!(html.contains("value=\"kaowu2\""));
    let (status, location, _) = post_form(
        &app,
        &admin.client,
        &csrf,
        "/staff/accounts",
        &[
            ("login_name", "kaowu2"),
            ("real_name", "王考务"),
            ("password", GOOD_PASSWORD),
            ("roles", "exam_admin"),
            ("roles", "reviewer"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert!(location.ends_with("?done=created"), "{location}");
    let person = app.client();
    let (_, login_page) = get_page(&app, &person, "/staff/login").await;
    let (status, location, _) = post_form(
        &app,
        &person,
        &csrf_in(&login_page),
        "/staff/login",
        &[
            ("identifier", "kaowu2"),
            ("password", GOOD_PASSWORD),
            ("next", "/staff/plans"),
        ],
    )
    .await;
    assert_eq!((status, location.as_str()), (303, "/staff/plans"));
    assert_eq!(get_page(&app, &person, "/staff/plans").await.0, 200);
    assert_eq!(get_page(&app, &person, "/staff/accounts").await.0, 403);
}

async fn the_last_enabled_administrator_cannot_be_removed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .staff("guanli", "管理员", &[StaffRole::Administrator])
        .await;
    let list = get_json(&app, &admin, "/api/v1/staff/accounts").await;
    let first_admin = list["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["login_name"] == "admin")
        .expect("the first start's administrator")["id"]
        .as_i64()
        .unwrap();
    // Two administrators: the first may go.
    ok_json(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/staff/accounts/{first_admin}/disable"),
            None,
        )
        .await,
        200,
    )
    .await;
    // Now `guanli` is the only one left: neither disabled nor stripped of the role.
    let me = admin.account_id;
    let refused = ApiError::from(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/staff/accounts/{me}/disable"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (refused.status, refused.code.as_str()),
        (409, "staff_last_admin")
    );
    let refused = ApiError::from(
        call(
            &app,
            &admin,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/accounts/{me}/roles"),
            Some(json!({"roles": ["reviewer"]})),
        )
        .await,
    )
    .await;
    assert_eq!(refused.code, "staff_last_admin");
    // Nothing changed.
    let list = get_json(&app, &admin, "/api/v1/staff/accounts").await;
    let me_now = list["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == me)
        .unwrap()
        .clone();
    assert_eq!(
        (me_now["roles"].clone(), me_now["disabled"].clone()),
        (json!(["admin"]), json!(false))
    );
}

// --- audit log -------------------------------------------------------------------------------

async fn the_audit_log_finds_every_console_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app
        .staff("guanli", "管理员", &[StaffRole::Administrator])
        .await;
    let seeded = seeded_plan(&app, &admin).await;
    let created = ok_json(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/staff/plans",
            Some(plan_body(
                "2030053",
                seeded["occupation_id"].as_i64().unwrap(),
                &site_ids(&seeded),
            )),
        )
        .await,
        201,
    )
    .await;
    let plan_id = created["id"].as_i64().unwrap();
    let mut edit = plan_body(
        "2030053",
        seeded["occupation_id"].as_i64().unwrap(),
        &site_ids(&seeded),
    );
    edit["capacity"] = json!(77);
    ok_json(
        call(
            &app,
            &admin,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/plans/{plan_id}"),
            Some(edit),
        )
        .await,
        200,
    )
    .await;
    let person = ok_json(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/staff/accounts",
            Some(json!({"login_name": "shenhe01", "real_name": "李审核", "password": GOOD_PASSWORD, "roles": ["reviewer"]})),
        )
        .await,
        201,
    )
    .await;
    let (_, html) = get_page(&app, &admin.client, "/staff/calendar").await;
    post_form(
        &app,
        &admin.client,
        &csrf_in(&html),
        "/staff/calendar",
        &[("text", "2030-10-01,放假,国庆节")],
    )
    .await;

    // By action prefix: both plan lines, newest first, the edit naming what changed.
    let html = audit_page(&app, &admin, "action=plan").await;
    let update = html.find(">plan.update<").expect("plan.update");
    let create = html.find(">plan.create<").expect("plan.create");
    assert!(update < create, "newest first");
    assert!(html.contains("变更：<code>capacity</code>"), "{html}");
    assert!(!html.contains(">staff.create<"));
    // By subject.
    let html = audit_page(
        &app,
        &admin,
        &format!("subject_type=account&subject_id={}", person["id"]),
    )
    .await;
    assert!(
        html.contains(">staff.create<") && html.contains("shenhe01"),
        "{html}"
    );
    assert!(!html.contains(">plan.create<"));
    // By exact action and by actor.
    let html = audit_page(&app, &admin, "action=calendar.replace&actor=guanli").await;
    assert!(
        html.contains(">calendar.replace<") && html.contains("2030-10-01,放假,国庆节"),
        "{html}"
    );
    let html = audit_page(&app, &admin, "actor=shenhe01").await;
    assert!(html.contains("没有符合条件的记录"), "{html}");
    // By dates: today (Beijing) finds them, a day long past does not.
    let today = domain::time::format_date(chrono::Utc::now());
    let html = audit_page(
        &app,
        &admin,
        &format!("action=plan&from={today}&until={today}"),
    )
    .await;
    assert!(html.contains(">plan.create<"));
    let html = audit_page(&app, &admin, "action=plan&until=2020-01-01").await;
    assert!(!html.contains(">plan.create<"));
    // The password never appears.
    let html = audit_page(&app, &admin, "action=staff").await;
    assert!(!html.contains(GOOD_PASSWORD) && !html.contains("argon2"));
}

// --- permissions -----------------------------------------------------------------------------

/// Every page of these areas, and what it needs.
const PAGES: [(&str, &str, &str); 17] = [
    ("GET", "/staff/plans", "plans"),
    ("GET", "/staff/plans/new", "plans"),
    ("GET", "/staff/plans/1", "plans"),
    ("POST", "/staff/plans", "plans"),
    ("POST", "/staff/plans/1", "plans"),
    ("POST", "/staff/plans/1/open", "plans"),
    ("POST", "/staff/plans/1/close", "plans"),
    ("GET", "/staff/calendar", "calendar"),
    ("POST", "/staff/calendar", "calendar"),
    ("GET", "/staff/accounts", "staff"),
    ("POST", "/staff/accounts", "staff"),
    ("GET", "/staff/accounts/1", "staff"),
    ("POST", "/staff/accounts/1/roles", "staff"),
    ("POST", "/staff/accounts/1/disable", "staff"),
    ("POST", "/staff/accounts/1/enable", "staff"),
    ("POST", "/staff/accounts/1/password", "staff"),
    ("GET", "/staff/audit", "audit"),
];

const APIS: [(&str, &str, &str); 12] = [
    ("GET", "/api/v1/staff/plans", "plans"),
    ("POST", "/api/v1/staff/plans", "plans"),
    ("GET", "/api/v1/staff/plans/1", "plans"),
    ("PUT", "/api/v1/staff/plans/1", "plans"),
    ("POST", "/api/v1/staff/plans/1/open", "plans"),
    ("POST", "/api/v1/staff/plans/1/close", "plans"),
    ("GET", "/api/v1/staff/accounts", "staff"),
    ("POST", "/api/v1/staff/accounts", "staff"),
    ("PUT", "/api/v1/staff/accounts/1/roles", "staff"),
    ("POST", "/api/v1/staff/accounts/1/disable", "staff"),
    ("POST", "/api/v1/staff/accounts/1/enable", "staff"),
    ("POST", "/api/v1/staff/accounts/1/password", "staff"),
];

fn method(name: &str) -> reqwest::Method {
    name.parse().unwrap()
}

/// A request as a browser (form with the session's CSRF token) or an API client would send it.
async fn attempt(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    verb: &str,
    path: &str,
    api: bool,
) -> reqwest::Response {
    let request = client
        .request(method(verb), app.url(path))
        .header("X-CSRF-Token", csrf);
    let request = if verb == "GET" {
        request
    } else if api {
        request.json(&json!({}))
    } else {
        request.form(&[("csrf", csrf)])
    };
    request.send().await.expect("request")
}

async fn each_role_is_refused_the_areas_it_may_not_use(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let reviewer = app
        .staff("shenhe", "审核员甲", &[StaffRole::Reviewer])
        .await;
    let exam = app
        .staff("kaowu", "考务老师", &[StaffRole::ExamAdministrator])
        .await;
    let contact = app
        .staff("danwei", "单位联系人", &[StaffRole::OrganizationContact])
        .await;
    let candidate = sign_up_via_api(&app, "13800138201", &id_number("19900101", 201)).await;
    let anonymous = app.client();

    // Who may use which area.
    let may = |user: &str, area: &str| match user {
        "kaowu" => area == "plans" || area == "calendar",
        _ => false,
    };
    for (label, client, csrf) in [
        ("shenhe", &reviewer.client, reviewer.csrf.as_str()),
        ("kaowu", &exam.client, exam.csrf.as_str()),
        ("danwei", &contact.client, contact.csrf.as_str()),
    ] {
        for (verb, path, area) in PAGES {
            if may(label, area) {
                continue;
            }
            let response = attempt(&app, client, csrf, verb, path, false).await;
            let status = response.status().as_u16();
            let body = response.text().await.unwrap();
            assert_eq!(status, 403, "{label} {verb} {path}: {body}");
            assert!(body.contains("您没有"), "{label} {verb} {path}: {body}");
        }
        for (verb, path, area) in APIS {
            if may(label, area) {
                continue;
            }
            let refused = ApiError::from(attempt(&app, client, csrf, verb, path, true).await).await;
            assert_eq!(
                (refused.status, refused.code.as_str()),
                (403, "staff_forbidden"),
                "{label} {verb} {path}"
            );
        }
    }
    // The exam administrator's own areas open.
    for path in [
        "/staff/plans",
        "/staff/plans/new",
        "/staff/plans/1",
        "/staff/calendar",
    ] {
        assert_eq!(get_page(&app, &exam.client, path).await.0, 200, "{path}");
    }
    assert_eq!(
        call(
            &app,
            &exam,
            reqwest::Method::GET,
            "/api/v1/staff/plans",
            None
        )
        .await
        .status(),
        200
    );
    // Their navigation shows only what they may use.
    let (_, home) = get_page(&app, &exam.client, "/staff").await;
    assert!(home.contains("href=\"/staff/plans\"") && home.contains("href=\"/staff/calendar\""));
    assert!(!home.contains("href=\"/staff/accounts\"") && !home.contains("href=\"/staff/audit\""));

    // A candidate is no member of staff; nobody signed in is sent to the staff entrance (pages)
    // or told to sign in (API).
    for (verb, path, _) in PAGES {
        let response = attempt(&app, &candidate.client, &candidate.csrf, verb, path, false).await;
        assert_eq!(response.status(), 403, "candidate {verb} {path}");
        let response = attempt(&app, &anonymous, "", verb, path, false).await;
        assert_eq!(response.status(), 303, "anonymous {verb} {path}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/staff/login?next="), "{location}");
    }
    for (verb, path, _) in APIS {
        let refused = ApiError::from(
            attempt(&app, &candidate.client, &candidate.csrf, verb, path, true).await,
        )
        .await;
        assert_eq!(
            (refused.status, refused.code.as_str()),
            (403, "staff_only"),
            "{verb} {path}"
        );
        let refused = ApiError::from(attempt(&app, &anonymous, "", verb, path, true).await).await;
        assert_eq!(refused.status, 401, "anonymous {verb} {path}");
    }
}

on_both_backends!(
    exam_staff_create_and_edit_plans_and_bad_input_is_refused_field_by_field,
    a_payment_deadline_is_set_on_a_plan_or_left_to_the_default,
    capacity_never_goes_below_the_seats_taken,
    registration_is_closed_now_and_opened_with_a_new_window,
    documents_a_plan_asks_for_are_asked_of_its_candidates,
    a_calendar_with_a_bad_line_is_refused_whole,
    an_administrator_creates_staff_who_can_then_log_in,
    the_last_enabled_administrator_cannot_be_removed,
    the_audit_log_finds_every_console_change,
    each_role_is_refused_the_areas_it_may_not_use,
);
