//! The catalogue and reference data in the console, through the real router: eligibility
//! alternatives checked field by field, previewed, created and shown on the plan page within the
//! plan cache's second; a changed or retired alternative keeps the applications that claim it
//! readable; occupations, tracks and related occupations edited on the pages; the code tables
//! read-only; the employer registry imported from CSV (UTF-8 and GBK) and XLSX with a report by
//! row, applied once on confirmation; and every route refuses whoever may not use it.

use std::time::{Duration, Instant};

use domain::accounts::StaffRole;
use domain::applications::employers::{USCC_ALPHABET, UsccCheck, check_uscc};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::staff::{StaffUser, submitted_application};
use crate::support::{ApiError, Backend, TestApp, csrf_in, id_number, sign_up_via_api};

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

async fn json_of(response: reqwest::Response, status: u16) -> Value {
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).expect("JSON")
}

async fn get_page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = client.get(app.url(path)).send().await.expect("GET");
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Posts a form (`csrf` first) and returns the status, the `Location` and the body.
async fn post_form(
    app: &TestApp,
    user: &StaffUser,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut pairs = vec![("csrf", user.csrf.as_str())];
    pairs.extend_from_slice(fields);
    let r = user
        .client
        .post(app.url(path))
        .form(&pairs)
        .send()
        .await
        .expect("POST");
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, r.text().await.unwrap())
}

async fn admin(app: &TestApp) -> StaffUser {
    app.staff("admin1", "管理员甲", &[StaffRole::Administrator])
        .await
}

async fn occupation_id(app: &TestApp, admin: &StaffUser) -> i64 {
    let list = json_of(
        call(
            app,
            admin,
            reqwest::Method::GET,
            "/api/v1/staff/catalogue/occupations",
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(list[0]["name"], "电子商务师");
    list[0]["id"].as_i64().unwrap()
}

async fn plan_of_level(app: &TestApp, level: u8) -> i64 {
    let list: Value = reqwest::get(app.url(&format!("/api/v1/plans?level={level}")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["plans"][0]["id"].as_i64().unwrap()
}

/// Polls the public plan page until `holds` is true of its HTML, for at most 2 seconds (the
/// plan cache keeps a page's facts for 1).
async fn plan_page_until(app: &TestApp, plan_id: i64, holds: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let html = reqwest::get(app.url(&format!("/plans/{plan_id}")))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if holds(&html) {
            return html;
        }
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "the plan page did not change within 2 s: {html}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn codes_of(e: &ApiError) -> Vec<(String, String)> {
    e.fields
        .iter()
        .map(|f| (f.field.clone(), f.code.clone()))
        .collect()
}

// --- eligibility alternatives ------------------------------------------------------------------

const NINE_YEARS: &str = "累计从事本职业或相关职业工作满 9 年（含）以上。";

async fn alternatives_are_checked_previewed_created_and_shown_on_the_plan_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    let occupation = occupation_id(&app, &admin).await;
    let rules_path = format!("/api/v1/staff/catalogue/occupations/{occupation}/rules");
    let before = json_of(
        call(&app, &admin, reqwest::Method::GET, &rules_path, None).await,
        200,
    )
    .await;
    let before = before.as_array().unwrap().len();
    assert_eq!(before, 12, "the seed's alternatives");

    // Bad parts: refused with a code beside each, nothing created.
    let bad =
        json!({ "level": 9, "kind": "lottery", "years_of_work": 400, "education_codes": ["ZZ"] });
    let e = ApiError::from(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            &rules_path,
            Some(bad.clone()),
        )
        .await,
    )
    .await;
    assert_eq!(e.status, 422);
    assert_eq!(
        codes_of(&e),
        [
            ("level".into(), "rule_level_invalid".into()),
            ("kind".into(), "rule_kind_invalid".into()),
            ("years_of_work".into(), "rule_years_out_of_range".into()),
            ("education_codes".into(), "rule_education_unknown".into()),
        ]
    );
    assert!(e.fields.iter().all(|f| !f.message.is_ascii()));
    // Parts that do not fit together: the mistake at the part concerned.
    let e = ApiError::from(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            &rules_path,
            Some(json!({ "level": 3, "kind": "certificate", "required_level": 2, "years_of_work": 4, "years_counted_from": "certificate" })),
        )
        .await,
    )
    .await;
    assert_eq!(e.status, 422);
    assert_eq!(e.code, "rule_required_level_not_lower");
    assert_eq!(
        e.field("required_level").code,
        "rule_required_level_not_lower"
    );
    let e = ApiError::from(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/staff/catalogue/rules/preview",
            Some(bad),
        )
        .await,
    )
    .await;
    assert_eq!(e.status, 422);
    assert_eq!(e.fields.len(), 4);

    // The preview words a good alternative and changes nothing.
    let good =
        json!({ "level": 4, "kind": "experience", "years_of_work": 9, "related_occupation": true });
    let preview = json_of(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            "/api/v1/staff/catalogue/rules/preview",
            Some(good.clone()),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(preview["sentence"], NINE_YEARS);
    let after = json_of(
        call(&app, &admin, reqwest::Method::GET, &rules_path, None).await,
        200,
    )
    .await;
    assert_eq!(
        after.as_array().unwrap().len(),
        before,
        "nothing was created"
    );

    // Created, it is listed and appears on the level's plan page within the cache's second.
    let plan = plan_of_level(&app, 4).await;
    let html = plan_page_until(&app, plan, |_| true).await;
    assert!(!html.contains(NINE_YEARS));
    let created = json_of(
        call(&app, &admin, reqwest::Method::POST, &rules_path, Some(good)).await,
        201,
    )
    .await;
    assert_eq!(created["sentence"], NINE_YEARS);
    assert_eq!(created["level"], 4);
    assert_eq!(created["retired"], false);
    let listed = json_of(
        call(&app, &admin, reqwest::Method::GET, &rules_path, None).await,
        200,
    )
    .await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == created["id"])
    );
    plan_page_until(&app, plan, |html| html.contains(NINE_YEARS)).await;
    // Only on its own level's plan.
    let level5 = reqwest::get(app.url(&format!("/plans/{}", plan_of_level(&app, 5).await)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!level5.contains(NINE_YEARS));
}

async fn the_rule_form_previews_without_script_and_refuses_beside_the_inputs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    let occupation = occupation_id(&app, &admin).await;
    let (status, html) = get_page(
        &admin.client,
        &app,
        &format!("/staff/catalogue/{occupation}/rules/new?level=3"),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-rule-preview=\"/api/v1/staff/catalogue/rules/preview\""));
    assert!(html.contains("/static/console.js"));
    assert!(html.contains("name=\"preview\""), "the 预览 button");
    let script = reqwest::get(app.url("/static/console.js")).await.unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.text().await.unwrap().contains("rules/preview"));

    let action = format!("/staff/catalogue/{occupation}/rules");
    let fields = [
        ("level", "3"),
        ("kind", "education"),
        ("required_level", "4"),
        ("years_of_work", "2"),
        ("years_counted_from", "graduation"),
        ("education_codes", "31"),
        ("education_codes", "T3"),
        ("related_major", "1"),
        ("related_occupation", "1"),
    ];
    // 预览: the sentence, nothing saved.
    let mut previewing = fields.to_vec();
    previewing.push(("preview", "1"));
    let (status, _, html) = post_form(&app, &admin, &action, &previewing).await;
    assert_eq!(status, 200, "{html}");
    let expected = "具有大学专科或高等职业学校本专业或相关专业毕业证书，并取得本职业或相关职业四级/中级工职业资格证书（技能等级证书），毕业后累计从事本职业或相关职业工作满 2 年（含）以上。";
    assert!(html.contains(expected), "{html}");
    let (_, occupation_html) = get_page(
        &admin.client,
        &app,
        &format!("/staff/catalogue/{occupation}"),
    )
    .await;
    assert!(!occupation_html.contains(expected));

    // A number that is not one, and a kind that does not fit: messages beside the inputs.
    let (status, _, html) = post_form(
        &app,
        &admin,
        &action,
        &[
            ("level", "3"),
            ("kind", "apprenticeship"),
            ("years_of_work", "四"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("请填写整数"), "{html}");
    assert!(html.contains("value=\"四\""), "what was typed is kept");
    let (status, _, html) = post_form(
        &app,
        &admin,
        &action,
        &[
            ("level", "3"),
            ("kind", "apprenticeship"),
            ("years_of_work", "3"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("该申报条件不涉及工作年限"), "{html}");

    // 保存: back to the occupation, where it is listed under its level.
    let (status, location, _) = post_form(&app, &admin, &action, &fields).await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("/staff/catalogue/{occupation}#level-3"));
    let (_, occupation_html) = get_page(
        &admin.client,
        &app,
        &format!("/staff/catalogue/{occupation}"),
    )
    .await;
    assert!(occupation_html.contains(expected));
}

async fn a_changed_or_retired_alternative_keeps_its_applications_readable(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let submitted = submitted_application(&app, "13800005001", 61).await;
    let candidate = &submitted.candidate;
    let id = submitted.application_id;
    let checks_path = format!("/api/v1/applications/{id}/checks");
    let checks: Value = candidate
        .client
        .get(app.url(&checks_path))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claimed = checks["eligibility"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["claimed"] == true)
        .expect("a claimed alternative")
        .clone();
    let old_id = claimed["rule_id"].as_i64().unwrap();
    let old_sentence = claimed["sentence"].as_str().unwrap().to_owned();

    // The administrator changes the claimed alternative: a replacement, the original retired.
    let admin = admin(&app).await;
    let replaced = json_of(
        call(
            &app,
            &admin,
            reqwest::Method::PUT,
            &format!("/api/v1/staff/catalogue/rules/{old_id}"),
            Some(json!({ "level": 1, "kind": "certificate", "required_level": 2, "years_of_work": 5, "years_counted_from": "certificate", "related_occupation": true })),
        )
        .await,
        200,
    )
    .await;
    let new_id = replaced["id"].as_i64().unwrap();
    assert_ne!(new_id, old_id);
    assert!(replaced["sentence"].as_str().unwrap().contains("满 5 年"));
    // The plan page offers the replacement, no longer the original.
    plan_page_until(&app, submitted.plan_id, |html| {
        html.contains(replaced["sentence"].as_str().unwrap()) && !html.contains(&old_sentence)
    })
    .await;

    // The application still reads, judged by the alternative it claimed.
    let r = candidate
        .client
        .get(app.url(&format!("/api/v1/applications/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let checks: Value = candidate
        .client
        .get(app.url(&checks_path))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let still = checks["eligibility"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["claimed"] == true)
        .expect("the claimed alternative is still there");
    assert_eq!(still["rule_id"], old_id);
    assert_eq!(still["sentence"], old_sentence.as_str());
    assert_eq!(still["met"], true);
    let reviewer = app
        .staff("shenhe1", "审核员甲", &[StaffRole::Reviewer])
        .await;
    let review = json_of(
        call(
            &app,
            &reviewer,
            reqwest::Method::GET,
            &format!("/api/v1/staff/review/{id}"),
            None,
        )
        .await,
        200,
    )
    .await;
    assert!(
        review["checks"]["eligibility"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["rule_id"] == old_id && v["claimed"] == true)
    );
    let (status, page) = get_page(&reviewer.client, &app, &format!("/staff/review/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&old_sentence));

    // The replacement is retired in turn; a retired one cannot be changed or retired again.
    let retired = json_of(
        call(
            &app,
            &admin,
            reqwest::Method::POST,
            &format!("/api/v1/staff/catalogue/rules/{new_id}/retire"),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(retired["retired"], true);
    for (method, path, body) in [
        (
            reqwest::Method::POST,
            format!("/api/v1/staff/catalogue/rules/{new_id}/retire"),
            None,
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/staff/catalogue/rules/{old_id}"),
            Some(
                json!({ "level": 1, "kind": "certificate", "required_level": 2, "years_of_work": 6, "years_counted_from": "certificate" }),
            ),
        ),
    ] {
        let e = ApiError::from(call(&app, &admin, method, &path, body).await).await;
        assert_eq!((e.status, e.code.as_str()), (409, "rule_retired"), "{path}");
    }
    let listed = json_of(
        call(
            &app,
            &admin,
            reqwest::Method::GET,
            &format!(
                "/api/v1/staff/catalogue/occupations/{}/rules",
                replaced["occupation_id"]
            ),
            None,
        )
        .await,
        200,
    )
    .await;
    let flags: Vec<(i64, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"] == old_id || r["id"] == new_id)
        .map(|r| (r["id"].as_i64().unwrap(), r["retired"].as_bool().unwrap()))
        .collect();
    assert_eq!(flags.len(), 2);
    assert!(flags.iter().all(|(_, retired)| *retired), "{flags:?}");
    let r = candidate
        .client
        .get(app.url(&checks_path))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn occupations_tracks_and_related_occupations_are_edited_on_the_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    let (status, html) = get_page(&admin.client, &app, "/staff/catalogue").await;
    assert_eq!(status, 200);
    assert!(html.contains("电子商务师"));
    assert!(
        html.contains("href=\"/staff/catalogue\""),
        "the navigation links the area"
    );
    assert!(
        html.contains("href=\"/staff/employers\"") && html.contains("href=\"/staff/code-tables\"")
    );

    let (status, _, html) = post_form(
        &app,
        &admin,
        "/staff/catalogue",
        &[("code", "4-01"), ("name", "互联网营销师"), ("levels", "5")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("职业编码应如"), "{html}");
    let (status, location, _) = post_form(
        &app,
        &admin,
        "/staff/catalogue",
        &[
            ("code", "4-01-02-07"),
            ("name", "互联网营销师"),
            ("levels", "5"),
            ("levels", "4"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let page = location.clone();
    let id = location.rsplit('/').next().unwrap().to_owned();
    let (status, _, html) = post_form(
        &app,
        &admin,
        "/staff/catalogue",
        &[("code", "4-01-02-07"), ("name", "重复"), ("levels", "5")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("已有使用该职业编码的职业"));

    // A track at level 4, then renamed; a level the occupation lacks is refused.
    let (status, _, html) = post_form(
        &app,
        &admin,
        &format!("/staff/catalogue/{id}/tracks"),
        &[("track_name", "直播销售员"), ("track_levels", "2")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("该职业没有二级/技师"), "{html}");
    let (status, _, _) = post_form(
        &app,
        &admin,
        &format!("/staff/catalogue/{id}/tracks"),
        &[("track_name", "直播销售员"), ("track_levels", "4")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get_page(&admin.client, &app, &page).await;
    assert!(html.contains("value=\"直播销售员\""), "{html}");
    let track_id = html
        .split("action=\"/staff/catalogue/tracks/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (status, _, _) = post_form(
        &app,
        &admin,
        &format!("/staff/catalogue/tracks/{track_id}"),
        &[
            ("occupation_id", &id),
            ("name", "选品员"),
            ("levels", "4"),
            ("levels", "5"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get_page(&admin.client, &app, &page).await;
    assert!(html.contains("value=\"选品员\"") && !html.contains("直播销售员"));

    // A related occupation added and removed.
    let (status, _, _) = post_form(
        &app,
        &admin,
        &format!("/staff/catalogue/{id}/related"),
        &[("related_name", "营销员"), ("related_code", "4-01-02-01")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get_page(&admin.client, &app, &page).await;
    assert!(html.contains("营销员"));
    let related_id = html
        .split("action=\"/staff/catalogue/related/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_owned();
    let (status, _, _) = post_form(
        &app,
        &admin,
        &format!("/staff/catalogue/related/{related_id}/remove"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get_page(&admin.client, &app, &page).await;
    assert!(!html.contains("营销员"));
    // Removing the track too.
    let (status, _, _) = post_form(
        &app,
        &admin,
        &format!("/staff/catalogue/tracks/{track_id}"),
        &[("occupation_id", &id), ("remove", "1")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get_page(&admin.client, &app, &page).await;
    assert!(html.contains("没有方向"));

    // Renamed, with a level the seeded plans use kept: the seeded occupation cannot lose one.
    let (_, seeded) = get_page(&admin.client, &app, "/staff/catalogue").await;
    let seeded_id = seeded
        .split("/staff/catalogue/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (status, _, html) = post_form(
        &app,
        &admin,
        &format!("/staff/catalogue/{seeded_id}"),
        &[
            ("code", "4-01-02-02"),
            ("name", "电子商务师"),
            ("levels", "1"),
            ("levels", "2"),
            ("levels", "3"),
            ("levels", "4"),
        ],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("五级/初级工已有认定计划"), "{html}");
}

async fn the_code_tables_are_shown_read_only_with_their_sources(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    let (status, html) = get_page(&admin.client, &app, "/staff/code-tables").await;
    assert_eq!(status, 200);
    for words in [
        "汉族",
        "中共党员",
        "大学专科",
        "GB/T 3304",
        "GB/T 4762",
        "GB/T 4658",
        "GB/T 2260",
        "不能在工作台修改",
        "广西壮族自治区",
    ] {
        assert!(html.contains(words), "{words}");
    }
    assert_eq!(
        html.matches("method=\"post\"").count(),
        html.matches("method=\"post\" action=\"/logout\"").count(),
        "nothing to edit: the only form posts the sign-out"
    );
    let (status, html) = get_page(&admin.client, &app, "/staff/code-tables?parent=450000").await;
    assert_eq!(status, 200);
    assert!(html.contains("南宁市"), "{html}");
}

// --- the employer registry ---------------------------------------------------------------------

/// A valid unified social credit code ending its 17 characters with `n`.
fn uscc(n: u32) -> String {
    let body = format!("91450100MA5K{n:05}");
    USCC_ALPHABET
        .chars()
        .map(|c| format!("{body}{c}"))
        .find(|code| matches!(check_uscc(code), UsccCheck::Valid(_)))
        .unwrap()
}

/// Four rows, the third (spreadsheet row 4) with a date that is no date.
fn employer_csv(prefix: &str) -> String {
    format!(
        "单位名称,统一社会信用代码,成立日期,注销日期\n\
         {prefix}云商电子商务有限公司,{},2015-03-01,\n\
         {prefix}桂品贸易有限公司,{},2012/6/18,\n\
         {prefix}坏日期公司,,2015-13-45,\n\
         {prefix}老字号商行,,2001年2月3日,2019-12-31\n",
        uscc(1),
        uscc(2)
    )
}

async fn upload(app: &TestApp, user: &StaffUser, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    user.client
        .post(app.url("/api/v1/staff/employers/imports"))
        .header("X-CSRF-Token", &user.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn refused_rows(report: &Value) -> Vec<i64> {
    report["refused_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_i64().unwrap())
        .collect()
}

async fn confirm(app: &TestApp, user: &StaffUser, report: &Value) -> reqwest::Response {
    let id = report["import_id"].as_i64().expect("an import to confirm");
    call(
        app,
        user,
        reqwest::Method::POST,
        &format!("/api/v1/staff/employers/imports/{id}/confirm"),
        None,
    )
    .await
}

async fn employer_total(app: &TestApp, user: &StaffUser, q: &str) -> i64 {
    let list = json_of(
        call(
            app,
            user,
            reqwest::Method::GET,
            &format!("/api/v1/staff/employers?q={}", urlencode(q)),
            None,
        )
        .await,
        200,
    )
    .await;
    list["total"].as_i64().unwrap()
}

fn urlencode(raw: &str) -> String {
    raw.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn csv_files_in_utf8_and_gbk_are_reported_by_row_and_imported_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    let text = employer_csv("广西");

    // UTF-8 with a BOM (as Excel's "CSV UTF-8" saves it).
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(text.as_bytes());
    let report = json_of(upload(&app, &admin, "名录.csv", utf8).await, 200).await;
    assert_eq!(report["accepted_rows"], 3, "{report:#}");
    assert_eq!(refused_rows(&report), [4]);
    let errors: Vec<&Value> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error")
        .collect();
    assert_eq!(errors.len(), 1, "{report:#}");
    assert_eq!(errors[0]["row"], 4);
    assert_eq!(errors[0]["column"], "成立日期");
    assert_eq!(errors[0]["code"], "date_invalid");
    assert_eq!(
        employer_total(&app, &admin, "广西").await,
        0,
        "nothing before the confirmation"
    );

    let done = json_of(confirm(&app, &admin, &report).await, 200).await;
    assert_eq!(
        (done["inserted"].as_i64(), done["updated"].as_i64()),
        (Some(3), Some(0))
    );
    let again = ApiError::from(confirm(&app, &admin, &report).await).await;
    assert_eq!(
        (again.status, again.code.as_str()),
        (409, "import_already_applied")
    );
    assert_eq!(employer_total(&app, &admin, "广西").await, 3);

    // The same rows from Excel's plain "CSV" in China: GBK. Read the same, imported once.
    let (gbk, _, lossy) = encoding_rs::GBK.encode(&text);
    assert!(!lossy);
    let report = json_of(
        upload(&app, &admin, "名录-gbk.csv", gbk.into_owned()).await,
        200,
    )
    .await;
    assert_eq!(report["accepted_rows"], 3, "{report:#}");
    assert_eq!(refused_rows(&report), [4]);
    let done = json_of(confirm(&app, &admin, &report).await, 200).await;
    assert_eq!(
        (done["inserted"].as_i64(), done["unchanged"].as_i64()),
        (Some(0), Some(3))
    );
    assert_eq!(
        employer_total(&app, &admin, "广西").await,
        3,
        "no duplicates"
    );
    assert_eq!(
        employer_total(&app, &admin, &uscc(2)).await,
        1,
        "found by its code"
    );

    // Another administrator cannot confirm someone else's import.
    let other = app
        .staff("admin2", "管理员乙", &[StaffRole::Administrator])
        .await;
    let report = json_of(
        upload(&app, &admin, "名录.csv", text.into_bytes()).await,
        200,
    )
    .await;
    let e = ApiError::from(confirm(&app, &other, &report).await).await;
    assert_eq!(e.status, 404);

    // A file that is not one, and a file with no name column.
    let e = ApiError::from(upload(&app, &admin, "x.csv", vec![0xFF, 0xFE, 0x00, 0x81, 0xFF]).await)
        .await;
    assert_eq!((e.status, e.code.as_str()), (422, "import_encoding"));
    let report = json_of(
        upload(&app, &admin, "x.csv", b"uscc,founded_on\n1,2\n".to_vec()).await,
        200,
    )
    .await;
    assert_eq!(report["import_id"], Value::Null);
    assert_eq!(report["issues"][0]["code"], "import_no_name_column");
}

fn employer_xlsx() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (col, title) in ["name", "uscc", "founded_on", "deregistered_on"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, *title).unwrap();
    }
    // Row 2: a real Excel date; row 3: a bad credit code; row 4: the date typed as text.
    sheet.write_string(1, 0, "南宁表格科技有限公司").unwrap();
    sheet.write_string(1, 1, uscc(3)).unwrap();
    sheet
        .write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2016, 5, 20).unwrap(), &date)
        .unwrap();
    sheet.write_string(2, 0, "南宁坏代码有限公司").unwrap();
    sheet.write_string(2, 1, "12345").unwrap();
    sheet.write_string(3, 0, "南宁文本日期商行").unwrap();
    sheet.write_string(3, 2, "2009.7.1").unwrap();
    book.save_to_buffer().unwrap()
}

async fn an_xlsx_file_is_reported_by_row_and_imported_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    let report = json_of(
        upload(&app, &admin, "名录.xlsx", employer_xlsx()).await,
        200,
    )
    .await;
    assert_eq!(report["accepted_rows"], 2, "{report:#}");
    assert_eq!(refused_rows(&report), [3]);
    let issue = &report["issues"][0];
    assert_eq!(
        (issue["row"].as_i64(), issue["column"].as_str()),
        (Some(3), Some("统一社会信用代码"))
    );
    assert_eq!(issue["code"], "uscc_malformed");
    let done = json_of(confirm(&app, &admin, &report).await, 200).await;
    assert_eq!(done["inserted"], 2);
    let list = json_of(
        call(
            &app,
            &admin,
            reqwest::Method::GET,
            &format!("/api/v1/staff/employers?q={}", urlencode("表格科技")),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        list["employers"][0]["founded_on"], "2016-05-20",
        "an Excel date read as a date"
    );
    assert_eq!(list["employers"][0]["uscc"], uscc(3).as_str());
    // The same workbook again adds nothing.
    let report = json_of(
        upload(&app, &admin, "名录.xlsx", employer_xlsx()).await,
        200,
    )
    .await;
    let done = json_of(confirm(&app, &admin, &report).await, 200).await;
    assert_eq!(
        (done["inserted"].as_i64(), done["unchanged"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(employer_total(&app, &admin, "南宁").await, 2);
}

async fn the_import_pages_show_the_report_and_confirm(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    let (status, html) = get_page(&admin.client, &app, "/staff/employers").await;
    assert_eq!(status, 200);
    let csrf = csrf_in(&html);
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(employer_csv("柳州").into_bytes())
                .file_name("名录.csv"),
        );
    let r = admin
        .client
        .post(app.url("/staff/employers/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("data-testid=\"accepted\">3<"), "{html}");
    assert!(html.contains("data-row=\"4\""), "{html}");
    assert_eq!(
        html.matches("<tr data-row=").count(),
        1,
        "exactly the bad row"
    );
    assert!(html.contains("成立日期应为日期"));
    let action = html
        .split("action=\"/staff/employers/imports/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the 确认导入 form")
        .to_owned();
    assert!(html.contains("确认导入"));
    let (status, location, _) = post_form(
        &app,
        &admin,
        &format!("/staff/employers/imports/{action}"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html) = get_page(&admin.client, &app, &location).await;
    assert!(html.contains("新增 3 家"), "{html}");
    assert!(html.contains("柳州云商电子商务有限公司"));

    // No file, and a page without the token.
    let form = reqwest::multipart::Form::new().text("csrf", csrf.clone());
    let r = admin
        .client
        .post(app.url("/staff/employers/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("请选择要导入的"));
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(employer_csv("钦州").into_bytes()).file_name("名录.csv"),
    );
    let r = admin
        .client
        .post(app.url("/staff/employers/import"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no CSRF token");
}

// --- permissions -------------------------------------------------------------------------------

async fn every_catalogue_and_reference_route_refuses_whoever_may_not_use_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = admin(&app).await;
    let occupation = occupation_id(&app, &admin).await;
    let rules = json_of(
        call(
            &app,
            &admin,
            reqwest::Method::GET,
            &format!("/api/v1/staff/catalogue/occupations/{occupation}/rules"),
            None,
        )
        .await,
        200,
    )
    .await;
    let rule = rules[0]["id"].as_i64().unwrap();
    let report = json_of(
        upload(&app, &admin, "名录.csv", employer_csv("北海").into_bytes()).await,
        200,
    )
    .await;
    let import = report["import_id"].as_i64().unwrap();

    let reviewer = app.staff("shenhe", "审核员", &[StaffRole::Reviewer]).await;
    let exam = app
        .staff("kaowu", "考务员", &[StaffRole::ExamAdministrator])
        .await;
    let candidate = sign_up_via_api(&app, "13800005099", &id_number("19900303", 71)).await;

    let pages = [
        "/staff/catalogue".to_owned(),
        format!("/staff/catalogue/{occupation}"),
        format!("/staff/catalogue/{occupation}/rules/new?level=4"),
        format!("/staff/catalogue/rules/{rule}"),
        "/staff/code-tables".to_owned(),
        "/staff/employers".to_owned(),
    ];
    let page_posts = [
        "/staff/catalogue".to_owned(),
        format!("/staff/catalogue/{occupation}"),
        format!("/staff/catalogue/{occupation}/tracks"),
        format!("/staff/catalogue/{occupation}/related"),
        format!("/staff/catalogue/{occupation}/rules"),
        "/staff/catalogue/tracks/1".to_owned(),
        "/staff/catalogue/related/1/remove".to_owned(),
        format!("/staff/catalogue/rules/{rule}"),
        format!("/staff/catalogue/rules/{rule}/retire"),
        "/staff/employers/import".to_owned(),
        format!("/staff/employers/imports/{import}/confirm"),
    ];
    let rule_body = json!({ "level": 4, "kind": "experience", "years_of_work": 8 });
    let api = [
        (
            reqwest::Method::GET,
            "/api/v1/staff/catalogue/occupations".to_owned(),
            None,
        ),
        (
            reqwest::Method::GET,
            format!("/api/v1/staff/catalogue/occupations/{occupation}/rules"),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/staff/catalogue/occupations/{occupation}/rules"),
            Some(rule_body.clone()),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/staff/catalogue/rules/preview".to_owned(),
            Some(rule_body.clone()),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/staff/catalogue/rules/{rule}"),
            Some(rule_body),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/staff/catalogue/rules/{rule}/retire"),
            None,
        ),
        (
            reqwest::Method::GET,
            "/api/v1/staff/employers".to_owned(),
            None,
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/staff/employers/imports/{import}/confirm"),
            None,
        ),
    ];

    let anonymous = app.client();
    for path in &pages {
        let r = anonymous.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 303, "anonymous page {path}");
    }
    for path in &page_posts {
        let r = anonymous
            .post(app.url(path))
            .form(&[("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert!(
            matches!(r.status().as_u16(), 303 | 403),
            "anonymous POST {path}: {}",
            r.status()
        );
    }
    // A fresh client: no session cookie, so no CSRF token is asked for, only a sign-in.
    let anonymous = app.client();
    for (method, path, body) in &api {
        let mut request = anonymous.request(method.clone(), app.url(path));
        if let Some(body) = body {
            request = request.json(body);
        }
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), 401, "anonymous {method} {path}");
    }
    let r = upload(
        &app,
        &StaffUser {
            client: anonymous.clone(),
            csrf: String::new(),
            login: String::new(),
            account_id: 0,
        },
        "x.csv",
        b"name\n".to_vec(),
    )
    .await;
    assert_eq!(r.status(), 401, "anonymous upload");

    for (who, client, csrf) in [
        ("reviewer", &reviewer.client, &reviewer.csrf),
        ("exam administrator", &exam.client, &exam.csrf),
        ("candidate", &candidate.client, &candidate.csrf),
    ] {
        for path in &pages {
            let r = client.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 403, "{who} page {path}");
        }
        for path in &page_posts {
            let r = client
                .post(app.url(path))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("name", "越权"),
                    ("code", "4-01-02-09"),
                    ("levels", "5"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{who} POST {path}");
        }
        for (method, path, body) in &api {
            let mut request = client
                .request(method.clone(), app.url(path))
                .header("X-CSRF-Token", csrf.as_str());
            if let Some(body) = body {
                request = request.json(body);
            }
            let e = ApiError::from(request.send().await.unwrap()).await;
            assert_eq!(e.status, 403, "{who} {method} {path}");
        }
        let as_staff = StaffUser {
            client: client.clone(),
            csrf: csrf.clone(),
            login: String::new(),
            account_id: 0,
        };
        let e = ApiError::from(
            upload(
                &app,
                &as_staff,
                "x.csv",
                employer_csv("防城港").into_bytes(),
            )
            .await,
        )
        .await;
        assert_eq!(e.status, 403, "{who} upload");
    }

    // Nothing the refused calls tried changed anything: the rule is live, the import unapplied.
    let after = json_of(
        call(
            &app,
            &admin,
            reqwest::Method::GET,
            &format!("/api/v1/staff/catalogue/occupations/{occupation}/rules"),
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        after.as_array().unwrap().len(),
        rules.as_array().unwrap().len()
    );
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["retired"] == false)
    );
    let done = json_of(confirm(&app, &admin, &report).await, 200).await;
    assert_eq!(done["inserted"], 3);
    let occupations = json_of(
        call(
            &app,
            &admin,
            reqwest::Method::GET,
            "/api/v1/staff/catalogue/occupations",
            None,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(occupations.as_array().unwrap().len(), 1);
}

on_both_backends!(
    alternatives_are_checked_previewed_created_and_shown_on_the_plan_page,
    the_rule_form_previews_without_script_and_refuses_beside_the_inputs,
    a_changed_or_retired_alternative_keeps_its_applications_readable,
    occupations_tracks_and_related_occupations_are_edited_on_the_pages,
    the_code_tables_are_shown_read_only_with_their_sources,
    csv_files_in_utf8_and_gbk_are_reported_by_row_and_imported_once,
    an_xlsx_file_is_reported_by_row_and_imported_once,
    the_import_pages_show_the_report_and_confirm,
    every_catalogue_and_reference_route_refuses_whoever_may_not_use_it,
);
