//! The application wizard (报名), as candidates live it: from 报名 on a plan through every page
//! (or the API) to an application under review; a draft that follows the candidate to another
//! device; every check of the form refused beside its field and in the API; eligibility not met
//! and acknowledged; one application per plan, only inside the registration window; edits under
//! review and withdrawal; privacy; and many candidates racing for a plan's last seats.

use std::sync::Arc;

use chrono::Datelike;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{ApiError, Backend, Candidate, TestApp, id_number, sign_up_via_api, uploads};
use skillcert::bench::prepare::{level1_draft_json, work_row};

/// Every candidate of these tests is a man born on 1990-03-07 (the ID numbers say so).
const BIRTH: &str = "19900307";
const BIRTH_DATE: &str = "1990-03-07";

// --- candidates and plans --------------------------------------------------------------------

/// A logged-in client (a browser or an API client) with its session's CSRF token.
#[derive(Clone)]
struct Visitor {
    client: reqwest::Client,
    csrf: String,
}

impl From<&Candidate> for Visitor {
    fn from(c: &Candidate) -> Visitor {
        Visitor {
            client: c.client.clone(),
            csrf: c.csrf.clone(),
        }
    }
}

/// Candidate number `n` (phone 1390000nnnn), signed up through the API and logged in.
async fn candidate(app: &TestApp, n: u16) -> Candidate {
    let phone = format!("1390000{n:04}");
    sign_up_via_api(app, &phone, &id_number(BIRTH, 2 * n + 1)).await
}

/// The same candidate logging in on another device (through the API).
async fn log_in_elsewhere(app: &TestApp, c: &Candidate) -> Visitor {
    let client = app.client();
    let response = client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "identifier": c.phone, "password": c.password }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "log in on a second device");
    let body: Value = response.json().await.unwrap();
    Visitor {
        client,
        csrf: body["csrf_token"].as_str().unwrap().to_owned(),
    }
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = reqwest::get(app.url(path)).await.unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// The id of the seeded plan of `level` (the level-1 plan has no tracks, levels 2–5 do).
async fn plan_of_level(app: &TestApp, level: u8) -> i64 {
    get_json(app, &format!("/api/v1/plans?level={level}")).await["plans"][0]["id"]
        .as_i64()
        .expect("a plan of that level")
}

async fn seats_left(app: &TestApp, plan: i64) -> i64 {
    get_json(app, &format!("/api/v1/plans/{plan}")).await["seats_left"]
        .as_i64()
        .expect("seats_left")
}

/// One number read straight from the database, beside the application.
async fn query_number(app: &TestApp, sql: &str) -> i64 {
    use sqlx::{Connection, Row};
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.backend {
        Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&app.config.database_url)
                .await
                .unwrap();
            sqlx::query(sql)
                .fetch_one(&mut conn)
                .await
                .unwrap()
                .get::<i64, _>(0)
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&app.config.database_url)
                .await
                .unwrap();
            sqlx::query(sql)
                .fetch_one(&mut conn)
                .await
                .unwrap()
                .get::<i64, _>(0)
        }
    }
}

fn today_in_china() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// "合计 X 年 Y 个月", as the review page and the API show a total of months.
fn total_text(months: i32) -> String {
    match (months / 12, months % 12) {
        (0, m) => format!("合计 {m} 个月"),
        (y, 0) => format!("合计 {y} 年"),
        (y, m) => format!("合计 {y} 年 {m} 个月"),
    }
}

// --- the form, as JSON (the API) and as the pages post it --------------------------------------

/// A draft that passes every check, for the level-1 plan (as in the end-to-end flow): a 二级
/// certificate since 2019 and work since 2011 "至今", which meets the level's alternative.
fn level1_draft(c: &Candidate, claimed_rule: i64) -> Value {
    level1_draft_json(&c.real_name, &c.phone, &c.id_number, claimed_rule)
        .expect("the candidate's ID number is valid")
}

/// Months worked in [`level1_draft`]: August 2011 to this month.
fn level1_months() -> i32 {
    let today = today_in_china();
    today.year() * 12 + today.month() as i32 - (2011 * 12 + 8) + 1
}

/// A draft for the level-4 plan: a 五级 certificate since June 2017 and five years of work
/// (2017–2021), so the first alternative (4 years since the certificate) is met and the second
/// (6 years in all) is not, whatever the date.
fn level4_draft(c: &Candidate, claimed_rule: i64) -> Value {
    let mut draft = level1_draft(c, claimed_rule);
    draft["registration"]["years_of_work"] = json!("5");
    draft["work_history"] = json!([
        work_row(
            "2017-01",
            "2019-12",
            "广西云商电子商务有限公司",
            "运营专员",
            "李四"
        ),
        work_row(
            "2020-01",
            "2021-12",
            "南宁跨境贸易有限公司",
            "运营经理",
            "赵六"
        ),
    ]);
    draft["declaration"]["previous_level"] = json!("5");
    draft["declaration"]["previous_issued_on"] = json!("2017-06-01");
    draft["declaration"]["track"] = json!("网商");
    draft
}

/// The draft's key for a wizard page.
fn section_key(section: &str) -> &'static str {
    match section {
        "basic" => "basic",
        "identity" => "identity",
        "registration" => "registration",
        "history" => "education",
        "declaration" => "declaration",
        other => panic!("no form section for page {other}"),
    }
}

/// What a page posts for its part of `draft`: each input by name, work history rows as
/// `work_history[i].field`, ticked checkboxes as "on" and every checkbox listed in `_checkboxes`.
fn page_fields(draft: &Value, section: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    let mut checkboxes = Vec::new();
    for (name, value) in draft[section_key(section)].as_object().unwrap() {
        match value {
            Value::String(s) => fields.push((name.clone(), s.clone())),
            Value::Number(n) => fields.push((name.clone(), n.to_string())),
            Value::Null => {}
            Value::Bool(ticked) => {
                checkboxes.push(name.clone());
                if *ticked {
                    fields.push((name.clone(), "on".to_owned()));
                }
            }
            other => panic!("{name}: {other}"),
        }
    }
    if !checkboxes.is_empty() {
        fields.push(("_checkboxes".to_owned(), checkboxes.join(",")));
    }
    if section == "history" {
        for (i, row) in draft["work_history"].as_array().unwrap().iter().enumerate() {
            for (name, value) in row.as_object().unwrap() {
                fields.push((
                    format!("work_history[{i}].{name}"),
                    value.as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    fields
}

/// Changes one input of `draft` the way typing into the page would.
fn set_field(draft: &mut Value, section: &str, field: &str, value: &str) {
    if let Some(rest) = field.strip_prefix("work_history[") {
        let (index, name) = rest.split_once("].").unwrap();
        let index: usize = index.parse().unwrap();
        let rows = draft["work_history"].as_array_mut().unwrap();
        while rows.len() <= index {
            rows.push(work_row("", "", "", "", ""));
            rows.last_mut().unwrap()["referee_phone"] = json!("");
        }
        rows[index][name] = json!(value);
        return;
    }
    let target = &mut draft[section_key(section)][field];
    *target = match target {
        Value::Bool(_) => json!(value == "on"),
        Value::Number(_) | Value::Null => value.parse::<i64>().map_or(Value::Null, Value::from),
        _ => json!(value),
    };
}

fn with_changes(draft: &Value, section: &str, changes: &[(&str, &str)]) -> Value {
    let mut changed = draft.clone();
    for (field, value) in changes {
        set_field(&mut changed, section, field, value);
    }
    changed
}

// --- pages ------------------------------------------------------------------------------------

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A page's HTML with the entities the templates write turned back into characters, so that
/// messages can be looked for as the candidate reads them.
fn unescaped(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Status, HTML (unescaped) and `Location` of a response.
async fn read(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let to = location(&response);
    (status, unescaped(&response.text().await.unwrap()), to)
}

async fn get_page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String, String) {
    read(client.get(app.url(path)).send().await.unwrap()).await
}

async fn post_form(
    app: &TestApp,
    v: &Visitor,
    path: &str,
    fields: &[(String, String)],
) -> (u16, String, String) {
    let mut form = vec![("csrf".to_owned(), v.csrf.clone())];
    form.extend_from_slice(fields);
    read(
        v.client
            .post(app.url(path))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Posts a wizard page with the button `go` (next, previous, refresh, add_row).
async fn post_step(
    app: &TestApp,
    v: &Visitor,
    id: i64,
    section: &str,
    fields: &[(String, String)],
    go: &str,
) -> (u16, String, String) {
    let mut fields = fields.to_vec();
    fields.push(("_go".to_owned(), go.to_owned()));
    post_form(app, v, &format!("/applications/{id}/{section}"), &fields).await
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The message a page shows beside `field` (empty when none).
fn message_beside(html: &str, field: &str) -> String {
    let marker = format!("data-error-for=\"{field}\">");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("the page has no place for messages about {field}"))
        + marker.len();
    let end = html[start..].find("</p>").unwrap() + start;
    html[start..end].trim().to_owned()
}

/// The value an `<input name=…>` of the page shows.
fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" type=\"text\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no text input {name} on the page"))
        + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The eligibility rule ids a declaration page offers.
fn rule_ids_on_page(html: &str) -> Vec<i64> {
    html.split("name=\"claimed_rule\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
        .collect()
}

/// One eligibility alternative as the review page shows it.
#[derive(Debug)]
struct ShownVerdict {
    met: bool,
    badge: String,
    sentence: String,
    claimed: bool,
    /// The rest of its entry: what is missing.
    details: String,
}

fn verdicts_on(html: &str) -> Vec<ShownVerdict> {
    let start = html
        .find("<ul class=\"verdicts\">")
        .expect("the review lists the alternatives");
    let end = html[start..].find("<form").unwrap() + start;
    html[start..end]
        .split("<li class=\"")
        .skip(1)
        .map(|entry| {
            let (class, rest) = entry.split_once("\">").unwrap();
            let between = |from: &str, to: &str| {
                let s = rest.find(from).unwrap() + from.len();
                rest[s..s + rest[s..].find(to).unwrap()].trim().to_owned()
            };
            ShownVerdict {
                met: class == "met",
                badge: between("verdict-badge\">", "<"),
                sentence: between("<p>", "</p>"),
                claimed: rest.contains("（您选择的条件）"),
                details: rest.to_owned(),
            }
        })
        .collect()
}

fn status_on(html: &str) -> String {
    let marker = "data-testid=\"status\">";
    let start = html.find(marker).expect("a status") + marker.len();
    html[start..start + html[start..].find('<').unwrap()].to_owned()
}

/// The timeline entries of a status page, oldest first, without their times.
fn timeline_on(html: &str) -> Vec<String> {
    let start = html.find("<ol class=\"timeline\">").expect("a timeline");
    let end = html[start..].find("</ol>").unwrap() + start;
    html[start..end]
        .split("<li>")
        .skip(1)
        .map(|li| {
            let text = li.split("</li>").next().unwrap();
            text.split("</time>").last().unwrap().trim().to_owned()
        })
        .collect()
}

// --- the API ----------------------------------------------------------------------------------

async fn api(
    app: &TestApp,
    v: &Visitor,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = v
        .client
        .request(method, app.url(path))
        .header("X-CSRF-Token", &v.csrf);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.unwrap()
}

async fn ok_json(response: reqwest::Response, what: &str) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{what}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// POST /api/v1/plans/{plan}/application: the candidate's application for the plan.
async fn open_via_api(app: &TestApp, v: &Visitor, plan: i64) -> Value {
    let path = format!("/api/v1/plans/{plan}/application");
    ok_json(
        api(app, v, reqwest::Method::POST, &path, None).await,
        "open",
    )
    .await
}

/// PUT the whole draft; returns `{application, checks}`.
async fn put_draft(app: &TestApp, v: &Visitor, id: i64, draft: &Value) -> Value {
    let path = format!("/api/v1/applications/{id}/draft");
    ok_json(
        api(app, v, reqwest::Method::PUT, &path, Some(draft)).await,
        "save the draft",
    )
    .await
}

async fn checks_of(app: &TestApp, v: &Visitor, id: i64) -> Value {
    let path = format!("/api/v1/applications/{id}/checks");
    ok_json(
        api(app, v, reqwest::Method::GET, &path, None).await,
        "checks",
    )
    .await
}

async fn get_application(app: &TestApp, v: &Visitor, id: i64) -> Value {
    let path = format!("/api/v1/applications/{id}");
    ok_json(
        api(app, v, reqwest::Method::GET, &path, None).await,
        "application",
    )
    .await
}

async fn submit_via_api(
    app: &TestApp,
    v: &Visitor,
    id: i64,
    accept_commitment: bool,
    acknowledge_ineligible: bool,
) -> reqwest::Response {
    let body = json!({
        "accept_commitment": accept_commitment,
        "acknowledge_ineligible": acknowledge_ineligible,
    });
    let path = format!("/api/v1/applications/{id}/submit");
    api(app, v, reqwest::Method::POST, &path, Some(&body)).await
}

fn rule_ids(checks: &Value) -> Vec<i64> {
    checks["eligibility"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule_id"].as_i64().unwrap())
        .collect()
}

/// The blocking issues of a checks response, as "field code".
fn errors_in(checks: &Value) -> Vec<String> {
    checks["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "error")
        .map(|i| {
            format!(
                "{} {}",
                i["field"].as_str().unwrap(),
                i["code"].as_str().unwrap()
            )
        })
        .collect()
}

/// The issue about `field` with `code`; panics with every issue when there is none.
fn issue<'a>(checks: &'a Value, field: &str, code: &str) -> &'a Value {
    checks["issues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["field"] == field && i["code"] == code)
        .unwrap_or_else(|| panic!("no {code} about {field} in {:#}", checks["issues"]))
}

// --- documents --------------------------------------------------------------------------------

/// The file a candidate would upload for a document kind (the shared test files).
fn file_for(kind: &str) -> (&'static str, Vec<u8>) {
    match kind {
        "photo" => ("photo.jpg", uploads::good_photo()),
        "id_card_front" | "id_card_back" => ("id-card.png", uploads::small_png()),
        _ => ("scan.pdf", uploads::small_pdf()),
    }
}

/// Uploads, through the API, every document the application needs now.
async fn upload_required_documents(app: &TestApp, v: &Visitor, id: i64) {
    uploads::upload_required_documents(app, &v.client, &v.csrf, id).await;
}

/// Uploads one document through the documents page's form.
async fn upload_on_page(app: &TestApp, v: &Visitor, id: i64, kind: &str) -> (u16, String, String) {
    let (name, bytes) = file_for(kind);
    let form = reqwest::multipart::Form::new()
        .text("csrf", v.csrf.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
    read(
        v.client
            .post(app.url(&format!("/applications/{id}/documents/{kind}")))
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// A candidate's level-1 application, drafted completely through the API with its documents
/// uploaded; returns its id.
async fn drafted_application(app: &TestApp, c: &Candidate, plan: i64) -> i64 {
    let v = Visitor::from(c);
    let id = open_via_api(app, &v, plan).await["id"].as_i64().unwrap();
    let rules = rule_ids(&checks_of(app, &v, id).await);
    let saved = put_draft(app, &v, id, &level1_draft(c, rules[0])).await;
    assert_eq!(saved["checks"]["eligibility"][0]["met"], true);
    upload_required_documents(app, &v, id).await;
    assert_eq!(
        errors_in(&checks_of(app, &v, id).await),
        Vec::<String>::new()
    );
    id
}

// --- the whole wizard -------------------------------------------------------------------------

async fn a_candidate_goes_through_every_page_from_the_plan_to_an_application_under_review(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_of_level(&app, 4).await;
    let seats_before = seats_left(&app, plan).await;
    let c = candidate(&app, 1).await;
    let v = Visitor::from(&c);

    // 报名 on the plan opens the first page of a new application.
    let (status, _, to) = get_page(&app, &c.client, &format!("/plans/{plan}/apply")).await;
    assert_eq!(status, 303);
    let id: i64 = to
        .strip_prefix("/applications/")
        .and_then(|rest| rest.strip_suffix("/basic"))
        .unwrap_or_else(|| panic!("to the first page, not {to}"))
        .parse()
        .unwrap();

    // What the account knows is filled in already.
    let (status, basic, _) = get_page(&app, &c.client, &format!("/applications/{id}/basic")).await;
    assert_eq!(status, 200);
    assert_eq!(input_value(&basic, "name"), "张三");
    assert_eq!(input_value(&basic, "birth_date"), BIRTH_DATE);
    assert!(basic.contains("value=\"male\" checked"), "男 is chosen");
    assert!(!basic.contains("value=\"female\" checked"));
    assert_eq!(input_value(&basic, "mobile"), c.phone);
    let (_, registration, _) =
        get_page(&app, &c.client, &format!("/applications/{id}/registration")).await;
    assert_eq!(input_value(&registration, "id_number"), c.id_number);

    // The declaration page offers the level's alternatives and its tracks.
    let (_, declaration, _) =
        get_page(&app, &c.client, &format!("/applications/{id}/declaration")).await;
    let rules = rule_ids_on_page(&declaration);
    assert_eq!(rules.len(), 3, "level 4 has three alternatives");
    for track in ["网商", "跨境电子商务师"] {
        assert!(declaration.contains(&format!("name=\"track\" value=\"{track}\"")));
    }
    let draft = level4_draft(&c, rules[0]);

    // Each page, posted with 下一步, leads to the next.
    for (section, next) in [
        ("basic", "identity"),
        ("identity", "registration"),
        ("registration", "history"),
        ("history", "declaration"),
        ("declaration", "documents"),
    ] {
        let (status, html, to) =
            post_step(&app, &v, id, section, &page_fields(&draft, section), "next").await;
        assert_eq!(status, 303, "{section}: {html}");
        assert_eq!(to, format!("/applications/{id}/{next}"), "after {section}");
    }
    // The documents page lists what the claimed alternative needs; without them it cannot be
    // left. Each is uploaded through its own form.
    let (_, documents, _) =
        get_page(&app, &c.client, &format!("/applications/{id}/documents")).await;
    let marker = format!("action=\"/applications/{id}/documents/");
    let kinds: Vec<String> = documents
        .split(marker.as_str())
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        [
            "id_card_front",
            "id_card_back",
            "photo",
            "previous_certificate"
        ],
        "a promotion needs the previous certificate"
    );
    let (status, html, _) = post_step(&app, &v, id, "documents", &[], "next").await;
    assert_eq!(status, 422);
    assert!(
        message_beside(&html, "photo").contains("请上传白底证件照"),
        "{html}"
    );
    for kind in &kinds {
        let (status, html, to) = upload_on_page(&app, &v, id, kind).await;
        assert_eq!(status, 303, "upload {kind}: {html}");
        assert_eq!(to, format!("/applications/{id}/documents#doc-{kind}"));
    }
    let (_, documents, _) =
        get_page(&app, &c.client, &format!("/applications/{id}/documents")).await;
    assert_eq!(documents.matches("已上传：").count(), 4, "{documents}");
    let (status, _, to) = post_step(&app, &v, id, "documents", &[], "next").await;
    assert_eq!(
        (status, to.as_str()),
        (303, &*format!("/applications/{id}/review"))
    );

    // The review shows everything, every alternative with its verdict, and the total of work.
    let (status, review, _) =
        get_page(&app, &c.client, &format!("/applications/{id}/review")).await;
    assert_eq!(status, 200);
    for shown in [
        "张三",
        BIRTH_DATE,
        "汉族",
        "广西云商电子商务有限公司",
        "民族大道 1 号",
    ] {
        assert!(review.contains(shown), "the review shows {shown}");
    }
    assert!(!review.contains("提交前请修改以下内容"), "{review}");
    let expected: Vec<String> =
        get_json(&app, &format!("/api/v1/plans/{plan}")).await["eligibility"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
    let verdicts = verdicts_on(&review);
    assert_eq!(
        verdicts
            .iter()
            .map(|v| v.sentence.clone())
            .collect::<Vec<_>>(),
        expected,
        "every alternative of the level, in order"
    );
    for v in &verdicts {
        assert_eq!(v.badge, if v.met { "符合" } else { "不符合" }, "{v:?}");
    }
    assert!(verdicts[0].met && verdicts[0].claimed, "{:?}", verdicts[0]);
    assert!(!verdicts[1].met, "six years in all are not reached");
    assert!(
        verdicts[1]
            .details
            .contains("累计工作年限不足：需 6 年，目前 5 年"),
        "{}",
        verdicts[1].details
    );
    assert!(
        review.contains("<td colspan=\"5\">合计 5 年</td>"),
        "{review}"
    );

    // Submitted with the commitment: under review, with a timeline, and one seat fewer.
    let (status, _, to) = post_form(
        &app,
        &v,
        &format!("/applications/{id}/submit"),
        &pairs(&[("accept_commitment", "on")]),
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (303, &*format!("/applications/{id}"))
    );
    let (status, page, _) = get_page(&app, &c.client, &format!("/applications/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(status_on(&page), "审核中");
    assert!(
        page.contains("审核期间仍可修改或撤回报名"),
        "what to do next"
    );
    assert_eq!(timeline_on(&page), ["开始填写报名信息", "已提交，进入审核"]);
    assert!(!page.contains("审核员将据实审核"), "the alternative is met");
    assert_eq!(seats_left(&app, plan).await, seats_before - 1);

    // 报名信息 lists it; 报名 on the plan again leads to its status page.
    let (_, list, _) = get_page(&app, &c.client, "/applications").await;
    assert!(list.contains(&format!("data-application-id=\"{id}\"")));
    assert!(list.contains("state-app-under_review\">审核中<"));
    let (_, _, to) = get_page(&app, &c.client, &format!("/plans/{plan}/apply")).await;
    assert_eq!(to, format!("/applications/{id}"));
}

async fn a_candidate_goes_through_the_wizard_by_api(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_of_level(&app, 1).await;
    let seats_before = seats_left(&app, plan).await;
    let c = candidate(&app, 2).await;
    let v = Visitor::from(&c);

    // Opening the plan makes a draft prefilled from the account.
    let opened = open_via_api(&app, &v, plan).await;
    let id = opened["id"].as_i64().unwrap();
    assert_eq!(opened["plan_id"], plan);
    assert_eq!(opened["status"], "draft");
    let basic = &opened["draft"]["basic"];
    assert_eq!(basic["name"], "张三");
    assert_eq!(basic["gender"], "male");
    assert_eq!(basic["birth_date"], BIRTH_DATE);
    assert_eq!(basic["mobile"], c.phone.as_str());
    assert_eq!(
        opened["draft"]["registration"]["id_number"],
        c.id_number.as_str()
    );
    assert_eq!(
        opened["draft"]["registration"]["id_type"],
        "resident_id_card"
    );

    // Half empty, it cannot be submitted; the checks say what is missing.
    let checks = checks_of(&app, &v, id).await;
    assert!(errors_in(&checks).contains(&"ethnicity required".to_owned()));
    let e = ApiError::from(submit_via_api(&app, &v, id, true, false).await).await;
    assert_eq!((e.status, e.code.as_str()), (422, "application_incomplete"));
    assert!(e.field_names().contains("ethnicity"), "{:?}", e.body);

    // The whole draft at once: every check passes, the alternative is met, the total is shown.
    let rules = rule_ids(&checks);
    assert_eq!(rules.len(), 1, "level 1 has one alternative");
    let saved = put_draft(&app, &v, id, &level1_draft(&c, rules[0])).await;
    assert_eq!(saved["application"]["status"], "draft");
    let checks = &saved["checks"];
    assert_eq!(
        errors_in(checks),
        [
            "id_card_front document_missing",
            "id_card_back document_missing",
            "photo document_missing",
            "previous_certificate document_missing",
        ],
        "only the documents are missing"
    );
    assert_eq!(checks["eligibility"][0]["met"], true);
    assert_eq!(checks["eligibility"][0]["claimed"], true);
    assert_eq!(checks["eligibility"][0]["missing"], json!([]));
    assert_eq!(checks["work_total"], total_text(level1_months()).as_str());
    upload_required_documents(&app, &v, id).await;
    let later = checks_of(&app, &v, id).await;
    assert_eq!(later["issues"], json!([]), "nothing left to fix");
    assert_eq!(later["eligibility"], checks["eligibility"]);
    assert_eq!(later["work_total"], checks["work_total"]);

    // Submission needs the commitment.
    let e = ApiError::from(submit_via_api(&app, &v, id, false, false).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("accept_commitment").code, "commitment_required");
    assert_eq!(seats_left(&app, plan).await, seats_before);

    let submitted = ok_json(submit_via_api(&app, &v, id, true, false).await, "submit").await;
    assert_eq!(submitted["status"], "under_review");
    assert_eq!(submitted["status_label"], "审核中");
    assert_eq!(submitted["eligibility_met"], true);
    assert_eq!(submitted["eligibility_acknowledged"], false);
    assert!(submitted["submitted_at"].is_string());
    assert_eq!(seats_left(&app, plan).await, seats_before - 1);

    let list = ok_json(
        api(&app, &v, reqwest::Method::GET, "/api/v1/applications", None).await,
        "list",
    )
    .await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["status"], "under_review");

    // Submitting twice takes no second seat.
    let e = ApiError::from(submit_via_api(&app, &v, id, true, false).await).await;
    assert_eq!(e.status, 409);
    assert_eq!(seats_left(&app, plan).await, seats_before - 1);
}

async fn a_draft_follows_the_candidate_to_another_device_even_with_mistakes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_of_level(&app, 1).await;
    let c = candidate(&app, 3).await;
    let phone_browser = Visitor::from(&c);
    let (_, _, to) = get_page(&app, &c.client, &format!("/plans/{plan}/apply")).await;
    let id: i64 = to.split('/').nth(2).unwrap().parse().unwrap();
    let draft = level1_draft(&c, 0);

    // On the phone: step 1 with a mistyped e-mail and postcode. The page says what is wrong,
    // and keeps what was typed.
    let typed = with_changes(
        &draft,
        "basic",
        &[("email", "zhangsan@example"), ("postcode", "5300")],
    );
    let (status, html, _) = post_step(
        &app,
        &phone_browser,
        id,
        "basic",
        &page_fields(&typed, "basic"),
        "next",
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("本页有 2 处需要修改"), "{html}");
    assert!(html.contains("已填写的内容已保存"));
    assert!(!message_beside(&html, "email").is_empty());
    assert_eq!(
        message_beside(&html, "postcode"),
        "邮政编码应为 6 位数字，不知道可留空"
    );
    assert_eq!(message_beside(&html, "mobile"), "", "only the mistakes");
    assert_eq!(input_value(&html, "email"), "zhangsan@example");

    // On the desktop, logged in separately: 报名 resumes on step 1 with everything typed.
    let desktop = log_in_elsewhere(&app, &c).await;
    let (_, _, to) = get_page(&app, &desktop.client, &format!("/plans/{plan}/apply")).await;
    assert_eq!(
        to,
        format!("/applications/{id}/basic"),
        "step 1 is not done yet"
    );
    let (_, html, _) = get_page(&app, &desktop.client, &to).await;
    assert_eq!(input_value(&html, "email"), "zhangsan@example");
    assert_eq!(input_value(&html, "postcode"), "5300");
    assert_eq!(input_value(&html, "phone"), "0771-1234567");
    assert!(html.contains("<option value=\"01\" selected>汉族</option>"));
    let saved = get_application(&app, &desktop, id).await;
    assert_eq!(saved["draft"]["basic"]["email"], "zhangsan@example");

    // Fixed on the desktop, and two more steps done there.
    for section in ["basic", "identity", "registration"] {
        let (status, html, _) = post_step(
            &app,
            &desktop,
            id,
            section,
            &page_fields(&draft, section),
            "next",
        )
        .await;
        assert_eq!(status, 303, "{section}: {html}");
    }

    // Back on the phone, 报名 continues where the desktop stopped, with its answers.
    let (_, _, to) = get_page(&app, &c.client, &format!("/plans/{plan}/apply")).await;
    assert_eq!(to, format!("/applications/{id}/history"));
    let (_, html, _) = get_page(&app, &c.client, &format!("/applications/{id}/basic")).await;
    assert_eq!(input_value(&html, "email"), "zhangsan@example.com");
    assert_eq!(input_value(&html, "postcode"), "530000");
    let (_, html, _) = get_page(&app, &c.client, &format!("/applications/{id}/registration")).await;
    assert_eq!(input_value(&html, "organization"), "南宁职业技能培训中心");
    assert!(html.contains("<option value=\"450103\" selected>"));

    // 上一步 saves too, and adding a work history row keeps the rows typed so far.
    let history = page_fields(&draft, "history");
    let (status, html, _) =
        post_step(&app, &Visitor::from(&c), id, "history", &history, "add_row").await;
    assert_eq!(status, 200);
    assert!(html.contains("第 3 段"), "a blank third row to fill");
    assert_eq!(
        input_value(&html, "work_history[1].employer"),
        "南宁跨境贸易有限公司"
    );
    let (status, _, to) = post_step(&app, &desktop, id, "history", &history, "previous").await;
    assert_eq!(
        (status, to.as_str()),
        (303, &*format!("/applications/{id}/registration"))
    );
    let saved = get_application(&app, &desktop, id).await;
    assert_eq!(saved["draft"]["work_history"], draft["work_history"]);
    assert_eq!(saved["draft"]["education"], draft["education"]);
}

// --- each check, refused on the page and in the API -------------------------------------------

/// `changes` to `section` of `base` are refused with `code` about `field`: the API's checks
/// list it as an error, and the page answers 422 with the same message beside the field.
/// Returns the message.
#[allow(clippy::too_many_arguments)]
async fn refused(
    app: &TestApp,
    v: &Visitor,
    id: i64,
    base: &Value,
    section: &str,
    changes: &[(&str, &str)],
    field: &str,
    code: &str,
) -> String {
    let draft = with_changes(base, section, changes);
    let saved = put_draft(app, v, id, &draft).await;
    let found = issue(&saved["checks"], field, code);
    assert_eq!(found["severity"], "error", "{found}");
    let message = found["message"].as_str().unwrap().to_owned();
    assert!(crate::support::is_chinese(&message), "{message}");

    let (status, html, _) =
        post_step(app, v, id, section, &page_fields(&draft, section), "next").await;
    assert_eq!(status, 422, "{section} with {changes:?}");
    assert_eq!(
        message_beside(&html, field),
        message,
        "{code} beside {field} on the page"
    );
    // The draft is good again for the next case.
    assert_eq!(
        errors_in(&put_draft(app, v, id, base).await["checks"]),
        Vec::<String>::new()
    );
    message
}

/// `changes` are only a warning: listed by the API, not blocking the page (it goes on), and
/// shown on the review. Returns the message.
async fn warned(
    app: &TestApp,
    v: &Visitor,
    id: i64,
    draft: &Value,
    field: &str,
    code: &str,
) -> String {
    let saved = put_draft(app, v, id, draft).await;
    let found = issue(&saved["checks"], field, code);
    assert_eq!(found["severity"], "warning", "{found}");
    assert_eq!(errors_in(&saved["checks"]), Vec::<String>::new());
    let message = found["message"].as_str().unwrap().to_owned();

    let (status, _, to) = post_step(
        app,
        v,
        id,
        "history",
        &page_fields(draft, "history"),
        "next",
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (303, &*format!("/applications/{id}/declaration"))
    );
    let (_, review, _) = get_page(app, &v.client, &format!("/applications/{id}/review")).await;
    assert!(review.contains(&format!("提示：{message}")), "{review}");
    message
}

async fn step_1_refuses_what_disagrees_with_the_id_number_and_malformed_contacts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = candidate(&app, 4).await;
    let v = Visitor::from(&c);
    let plan = plan_of_level(&app, 1).await;
    let id = drafted_application(&app, &c, plan).await;
    let rules = rule_ids(&checks_of(&app, &v, id).await);
    let base = level1_draft(&c, rules[0]);

    let m = refused(
        &app,
        &v,
        id,
        &base,
        "basic",
        &[("birth_date", "1990-03-08")],
        "birth_date",
        "birth_date_mismatch",
    )
    .await;
    assert!(
        m.contains("1990-03-07"),
        "says what the ID number shows: {m}"
    );
    let m = refused(
        &app,
        &v,
        id,
        &base,
        "basic",
        &[("gender", "female")],
        "gender",
        "gender_mismatch",
    )
    .await;
    assert!(m.contains('男'), "{m}");
    refused(
        &app,
        &v,
        id,
        &base,
        "basic",
        &[("mobile", "1390013900")],
        "mobile",
        "phone_format",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "basic",
        &[("email", "zhangsan@")],
        "email",
        "email_format",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "basic",
        &[("postcode", "53000a")],
        "postcode",
        "postcode_format",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "basic",
        &[("ethnicity", "77")],
        "ethnicity",
        "code_unknown",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "basic",
        &[("ethnicity", "")],
        "ethnicity",
        "required",
    )
    .await;
    // Written the ways people write them, the same contacts pass.
    let typed = with_changes(
        &base,
        "basic",
        &[("mobile", &format!("+86 {}", c.phone)), ("postcode", "")],
    );
    assert_eq!(
        errors_in(&put_draft(&app, &v, id, &typed).await["checks"]),
        Vec::<String>::new()
    );
}

async fn step_3_refuses_places_outside_their_province_and_ill_formed_passports(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = candidate(&app, 5).await;
    let v = Visitor::from(&c);
    let plan = plan_of_level(&app, 1).await;
    let id = drafted_application(&app, &c, plan).await;
    let base = level1_draft(&c, rule_ids(&checks_of(&app, &v, id).await)[0]);

    // 广州市 is not in 广西.
    let m = refused(
        &app,
        &v,
        id,
        &base,
        "registration",
        &[("residence_city", "440100")],
        "residence_city",
        "division_mismatch",
    )
    .await;
    assert!(m.contains("不属于所选省份"), "{m}");
    refused(
        &app,
        &v,
        id,
        &base,
        "registration",
        &[("residence_district", "")],
        "residence_district",
        "required",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "registration",
        &[("hukou_city", "450100")],
        "hukou_province",
        "required",
    )
    .await;

    // A passport number has its own format.
    let m = refused(
        &app,
        &v,
        id,
        &base,
        "registration",
        &[("id_type", "passport"), ("id_number", "E12#45678")],
        "id_number",
        "id_number_format",
    )
    .await;
    assert!(m.contains("护照"), "{m}");
    let passport = with_changes(
        &base,
        "registration",
        &[("id_type", "passport"), ("id_number", "E12345678")],
    );
    assert_eq!(
        errors_in(&put_draft(&app, &v, id, &passport).await["checks"]),
        Vec::<String>::new(),
        "a well-formed passport number passes"
    );
    // A resident ID card number is checked as one.
    refused(
        &app,
        &v,
        id,
        &base,
        "registration",
        &[("id_number", "E12345678")],
        "id_number",
        "id_number_length",
    )
    .await;
}

async fn work_history_refuses_impossible_periods_and_counts_overlaps_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = candidate(&app, 6).await;
    let v = Visitor::from(&c);
    let plan = plan_of_level(&app, 1).await;
    let id = drafted_application(&app, &c, plan).await;
    let base = level1_draft(&c, rule_ids(&checks_of(&app, &v, id).await)[0]);
    let next_year = today_in_china().year() + 1;

    refused(
        &app,
        &v,
        id,
        &base,
        "history",
        &[
            ("work_history[0].start", "2019-05"),
            ("work_history[0].end", "2018-01"),
        ],
        "work_history[0].end",
        "work_period_end_before_start",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "history",
        &[("work_history[1].start", &format!("{next_year}-01"))],
        "work_history[1].start",
        "work_period_start_future",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "history",
        &[("work_history[1].end", &format!("{next_year}-12"))],
        "work_history[1].end",
        "work_period_end_future",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "history",
        &[("work_history[0].start", "2011/08/01")],
        "work_history[0].start",
        "work_period_start_format",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "history",
        &[("work_history[1].referee", "")],
        "work_history[1].referee",
        "required",
    )
    .await;

    // An employer of the registry founded after the period began.
    app.execute_sql(
        "INSERT INTO employers (name, uscc, founded_on, deregistered_on) \
         VALUES ('南宁新创科技有限公司', NULL, '2013-05-20', NULL)",
    )
    .await;
    let m = refused(
        &app,
        &v,
        id,
        &base,
        "history",
        &[("work_history[0].employer", "南宁新创科技有限公司")],
        "work_history[0].start",
        "work_period_employer_dates",
    )
    .await;
    assert!(m.contains("单位成立于 2013-05"), "{m}");
    let after_founding = with_changes(
        &base,
        "history",
        &[
            ("work_history[0].employer", "南宁新创科技有限公司"),
            ("work_history[0].start", "2013-05"),
        ],
    );
    assert_eq!(
        errors_in(&put_draft(&app, &v, id, &after_founding).await["checks"]),
        Vec::<String>::new(),
        "a period inside the employer's life passes"
    );

    // Unified social credit codes: a malformed one is an error …
    refused(
        &app,
        &v,
        id,
        &base,
        "history",
        &[("work_history[0].employer_uscc", "91350100M000100Y4")],
        "work_history[0].employer_uscc",
        "uscc_malformed",
    )
    .await;
    // … a wrong check character only a warning (some early codes fail the check).
    let early_code = with_changes(
        &base,
        "history",
        &[("work_history[0].employer_uscc", "91350100M000100Y44")],
    );
    let m = warned(
        &app,
        &v,
        id,
        &early_code,
        "work_history[0].employer_uscc",
        "uscc_check_digit",
    )
    .await;
    assert!(m.contains("校验位"), "{m}");
    let valid_code = with_changes(
        &base,
        "history",
        &[("work_history[0].employer_uscc", "91350100M000100Y43")],
    );
    let saved = put_draft(&app, &v, id, &valid_code).await;
    assert_eq!(
        saved["checks"]["issues"],
        json!([]),
        "a valid code raises nothing"
    );

    // Overlapping periods: a warning, and the overlap counted once (3 years, not 4).
    let overlapping = with_changes(
        &base,
        "history",
        &[
            ("work_history[0].start", "2015-01"),
            ("work_history[0].end", "2016-12"),
            ("work_history[1].start", "2016-01"),
            ("work_history[1].end", "2017-12"),
        ],
    );
    let m = warned(
        &app,
        &v,
        id,
        &overlapping,
        "work_history[1].start",
        "work_period_overlap",
    )
    .await;
    assert!(m.contains("第 1 段"), "{m}");
    assert_eq!(checks_of(&app, &v, id).await["work_total"], "合计 3 年");
    let (_, review, _) = get_page(&app, &c.client, &format!("/applications/{id}/review")).await;
    assert!(
        review.contains("<td colspan=\"5\">合计 3 年</td>"),
        "{review}"
    );

    // Warnings do not block: with the early code the application is submitted.
    put_draft(&app, &v, id, &early_code).await;
    let done = ok_json(submit_via_api(&app, &v, id, true, false).await, "submit").await;
    assert_eq!(done["status"], "under_review");
}

async fn the_declaration_refuses_foreign_alternatives_missing_certificates_and_tracks(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let c = candidate(&app, 7).await;
    let v = Visitor::from(&c);
    let level1 = plan_of_level(&app, 1).await;
    let level4 = plan_of_level(&app, 4).await;
    let id = drafted_application(&app, &c, level1).await;
    let base = level1_draft(&c, rule_ids(&checks_of(&app, &v, id).await)[0]);

    // An alternative of another plan's level (level 4's) is not one of this plan's.
    let other = open_via_api(&app, &v, level4).await["id"].as_i64().unwrap();
    let foreign = rule_ids(&checks_of(&app, &v, other).await)[0];
    refused(
        &app,
        &v,
        id,
        &base,
        "declaration",
        &[("claimed_rule", &foreign.to_string())],
        "claimed_rule",
        "claimed_rule_unknown",
    )
    .await;
    refused(
        &app,
        &v,
        id,
        &base,
        "declaration",
        &[("claimed_rule", "")],
        "claimed_rule",
        "required",
    )
    .await;

    // A promotion names the previous certificate.
    let no_certificate = [
        ("previous_certificate_number", ""),
        ("previous_occupation", ""),
        ("previous_level", ""),
        ("previous_issued_on", ""),
    ];
    for (field, _) in no_certificate {
        refused(
            &app,
            &v,
            id,
            &base,
            "declaration",
            &no_certificate,
            field,
            "required",
        )
        .await;
    }
    refused(
        &app,
        &v,
        id,
        &base,
        "declaration",
        &[("previous_level", "1")],
        "previous_level",
        "previous_level_not_lower",
    )
    .await;
    // Level 1 has no tracks to choose (its page offers none; an API client may send one).
    let with_track = with_changes(&base, "declaration", &[("track", "网商")]);
    let saved = put_draft(&app, &v, id, &with_track).await;
    assert_eq!(
        issue(&saved["checks"], "track", "track_not_offered")["severity"],
        "error"
    );
    put_draft(&app, &v, id, &base).await;

    // Level 4 has tracks: one must be chosen.
    let level4_rules = rule_ids(&checks_of(&app, &v, other).await);
    let base4 = level4_draft(&c, level4_rules[0]);
    put_draft(&app, &v, other, &base4).await;
    upload_required_documents(&app, &v, other).await;
    assert_eq!(
        errors_in(&checks_of(&app, &v, other).await),
        Vec::<String>::new()
    );
    let m = refused(
        &app,
        &v,
        other,
        &base4,
        "declaration",
        &[("track", "")],
        "track",
        "required",
    )
    .await;
    assert!(m.contains("工种"), "{m}");
}

// --- eligibility and the commitment -----------------------------------------------------------

async fn a_candidate_who_meets_no_alternative_submits_only_after_acknowledging_it(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_of_level(&app, 1).await;
    let c = candidate(&app, 8).await;
    let v = Visitor::from(&c);
    let id = open_via_api(&app, &v, plan).await["id"].as_i64().unwrap();
    let rule = rule_ids(&checks_of(&app, &v, id).await)[0];

    // A 二级 certificate of June 2024 and work until June 2025: 13 months, not 4 years.
    let mut draft = level1_draft(&c, rule);
    draft["declaration"]["previous_issued_on"] = json!("2024-06-01");
    draft["work_history"] = json!([work_row(
        "2017-01",
        "2025-06",
        "广西云商电子商务有限公司",
        "运营专员",
        "李四"
    )]);
    draft["registration"]["years_of_work"] = json!("8");
    put_draft(&app, &v, id, &draft).await;
    upload_required_documents(&app, &v, id).await;
    let checks = checks_of(&app, &v, id).await;
    assert_eq!(
        errors_in(&checks),
        Vec::<String>::new(),
        "the form itself is right"
    );
    assert_eq!(checks["eligibility"][0]["met"], false);
    assert_eq!(
        checks["eligibility"][0]["missing"],
        json!(["取得证书后的工作年限不足：需 4 年，目前 1 年 1 个月"])
    );

    // The review says so, and asks for the acknowledgement.
    let (_, review, _) = get_page(&app, &c.client, &format!("/applications/{id}/review")).await;
    let verdicts = verdicts_on(&review);
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0].badge, "不符合");
    assert!(verdicts[0].details.contains("目前 1 年 1 个月"));
    assert!(review.contains("name=\"acknowledge_ineligible\""));

    // Not without acknowledging, not without the commitment: by API …
    let e = ApiError::from(submit_via_api(&app, &v, id, true, false).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(
        e.field("acknowledge_ineligible").code,
        "eligibility_not_met"
    );
    let e = ApiError::from(submit_via_api(&app, &v, id, false, true).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("accept_commitment").code, "commitment_required");

    // … and on the page, with the message beside the box to tick.
    let submit = format!("/applications/{id}/submit");
    let (status, html, _) =
        post_form(&app, &v, &submit, &pairs(&[("accept_commitment", "on")])).await;
    assert_eq!(status, 422);
    assert!(
        message_beside(&html, "acknowledge_ineligible").contains("暂不符合任何一项申报条件"),
        "{html}"
    );
    let (status, html, _) = post_form(
        &app,
        &v,
        &submit,
        &pairs(&[("acknowledge_ineligible", "on")]),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        message_beside(&html, "accept_commitment"),
        "请阅读并勾选申请人承诺"
    );
    assert_eq!(get_application(&app, &v, id).await["status"], "draft");

    // Acknowledged: submitted, and the reviewer will see it.
    let (status, _, to) = post_form(
        &app,
        &v,
        &submit,
        &pairs(&[
            ("accept_commitment", "on"),
            ("acknowledge_ineligible", "on"),
        ]),
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (303, &*format!("/applications/{id}"))
    );
    let (_, page, _) = get_page(&app, &c.client, &to).await;
    assert_eq!(status_on(&page), "审核中");
    assert!(page.contains("您在提交时确认了暂不符合申报条件，审核员将据实审核"));
    let submitted = get_application(&app, &v, id).await;
    assert_eq!(submitted["eligibility_met"], false);
    assert_eq!(submitted["eligibility_acknowledged"], true);
}

// --- one application per plan, the registration window ---------------------------------------

async fn one_application_per_plan_and_only_while_registration_is_open(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_of_level(&app, 1).await;
    let c = candidate(&app, 9).await;
    let v = Visitor::from(&c);

    // Opening the plan again, by API or by page, gives the same application.
    let id = drafted_application(&app, &c, plan).await;
    assert_eq!(open_via_api(&app, &v, plan).await["id"], id);
    let (_, _, to) = get_page(&app, &c.client, &format!("/plans/{plan}/apply")).await;
    assert!(to.starts_with(&format!("/applications/{id}/")), "{to}");
    let list = ok_json(
        api(&app, &v, reqwest::Method::GET, "/api/v1/applications", None).await,
        "list",
    )
    .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let seats = seats_left(&app, plan).await;

    // Registration closes (the window ended when the plan was made).
    app.execute_sql(&format!(
        "UPDATE plans SET registration_closes_at = created_at WHERE id = {plan}"
    ))
    .await;
    let late = candidate(&app, 10).await;
    let late_v = Visitor::from(&late);
    let path = format!("/api/v1/plans/{plan}/application");
    let e = ApiError::from(api(&app, &late_v, reqwest::Method::POST, &path, None).await).await;
    assert_eq!((e.status, e.code.as_str()), (409, "registration_closed"));
    let (status, html, _) = get_page(&app, &late.client, &format!("/plans/{plan}/apply")).await;
    assert_eq!(status, 409);
    assert!(html.contains("该计划当前不在报名时间内"), "{html}");
    let mine = ok_json(
        api(
            &app,
            &late_v,
            reqwest::Method::GET,
            "/api/v1/applications",
            None,
        )
        .await,
        "list",
    )
    .await;
    assert_eq!(mine, json!([]), "nothing was made");

    // The draft made in time can no longer be submitted; it stays a draft, no seat taken.
    let e = ApiError::from(submit_via_api(&app, &v, id, true, false).await).await;
    assert_eq!((e.status, e.code.as_str()), (409, "registration_closed"));
    let (status, html, _) = post_form(
        &app,
        &v,
        &format!("/applications/{id}/submit"),
        &pairs(&[("accept_commitment", "on")]),
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("该计划当前不在报名时间内"));
    assert_eq!(get_application(&app, &v, id).await["status"], "draft");
    assert_eq!(seats_left(&app, plan).await, seats);

    // A plan whose registration has not opened yet.
    let future = plan_of_level(&app, 2).await;
    app.execute_sql(&format!(
        "UPDATE plans SET registration_opens_at = exam_starts_at, \
         registration_closes_at = exam_ends_at WHERE id = {future}"
    ))
    .await;
    let path = format!("/api/v1/plans/{future}/application");
    let e = ApiError::from(api(&app, &late_v, reqwest::Method::POST, &path, None).await).await;
    assert_eq!((e.status, e.code.as_str()), (409, "registration_closed"));
}

// --- under review: edits recorded, withdrawal -------------------------------------------------

async fn edits_under_review_are_recorded_and_withdrawal_gives_the_seat_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_of_level(&app, 1).await;
    let seats = seats_left(&app, plan).await;
    let c = candidate(&app, 11).await;
    let v = Visitor::from(&c);
    let id = drafted_application(&app, &c, plan).await;
    let draft = get_application(&app, &v, id).await["draft"].clone();
    ok_json(submit_via_api(&app, &v, id, true, false).await, "submit").await;
    assert_eq!(seats_left(&app, plan).await, seats - 1);

    // Under review the pages still open, say so, and save.
    let (status, html, _) = get_page(&app, &c.client, &format!("/applications/{id}/basic")).await;
    assert_eq!(status, 200);
    assert!(html.contains("报名状态：审核中。审核期间仍可修改，每次修改都会记录。"));
    let changed = with_changes(&draft, "basic", &[("phone", "0771-7654321")]);
    let (status, _, _) = post_step(
        &app,
        &v,
        id,
        "basic",
        &page_fields(&changed, "basic"),
        "next",
    )
    .await;
    assert_eq!(status, 303);
    // The same page saved again unchanged is no edit.
    let (status, _, _) = post_step(
        &app,
        &v,
        id,
        "basic",
        &page_fields(&changed, "basic"),
        "next",
    )
    .await;
    assert_eq!(status, 303);
    // And by API: two fields at once.
    let changed = with_changes(
        &changed,
        "basic",
        &[("email", "zhang.san@example.com"), ("postcode", "530001")],
    );
    let saved = put_draft(&app, &v, id, &changed).await;
    assert_eq!(saved["application"]["status"], "under_review");

    // What the reviewer reads must still pass the checks: an edit with a mistake is refused,
    // beside its field, and nothing of it is saved (a draft, by contrast, keeps it).
    let broken = with_changes(&changed, "basic", &[("mobile", "1390013900")]);
    let path = format!("/api/v1/applications/{id}/draft");
    let e = ApiError::from(api(&app, &v, reqwest::Method::PUT, &path, Some(&broken)).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("mobile").code, "phone_format");
    let (status, html, _) = post_step(
        &app,
        &v,
        id,
        "basic",
        &page_fields(&broken, "basic"),
        "next",
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(message_beside(&html, "mobile"), e.field("mobile").message);
    assert_eq!(
        input_value(&html, "mobile"),
        "1390013900",
        "what was typed is shown"
    );
    assert!(html.contains("报名已提交，有误的修改不会保存"), "{html}");
    let kept = get_application(&app, &v, id).await;
    assert_eq!(kept["draft"], changed, "the submitted form is unchanged");

    let (_, page, _) = get_page(&app, &c.client, &format!("/applications/{id}")).await;
    assert_eq!(status_on(&page), "审核中");
    assert_eq!(
        timeline_on(&page),
        [
            "开始填写报名信息",
            "已提交，进入审核",
            "审核期间修改了报名信息（1 项）",
            "审核期间修改了报名信息（2 项）",
        ]
    );
    assert!(page.contains(&format!("href=\"/applications/{id}/basic\">修改报名信息")));
    assert_eq!(
        query_number(
            &app,
            &format!(
                "SELECT COUNT(*) FROM application_events \
                 WHERE application_id = {id} AND kind = 'edited' AND actor = 'candidate'"
            )
        )
        .await,
        2
    );

    // Withdrawn from the status page: the seat comes back, nothing can be changed any more.
    let (status, _, to) = post_form(&app, &v, &format!("/applications/{id}/withdraw"), &[]).await;
    assert_eq!(
        (status, to.as_str()),
        (303, &*format!("/applications/{id}"))
    );
    assert_eq!(seats_left(&app, plan).await, seats);
    let (_, page, _) = get_page(&app, &c.client, &to).await;
    assert_eq!(status_on(&page), "已撤回");
    assert_eq!(timeline_on(&page).last().unwrap(), "已撤回报名，名额已释放");
    assert!(!page.contains("撤回报名</button>"), "no second withdrawal");
    assert!(!page.contains("修改报名信息</a>"));

    let path = format!("/api/v1/applications/{id}/draft");
    let e = ApiError::from(api(&app, &v, reqwest::Method::PUT, &path, Some(&draft)).await).await;
    assert_eq!(e.status, 409, "{:?}", e.body);
    let (status, _, to) = get_page(&app, &c.client, &format!("/applications/{id}/basic")).await;
    assert_eq!(
        (status, to.as_str()),
        (303, &*format!("/applications/{id}"))
    );
    let (status, _, _) =
        post_step(&app, &v, id, "basic", &page_fields(&draft, "basic"), "next").await;
    assert_eq!(status, 409);
    let e = ApiError::from(submit_via_api(&app, &v, id, true, false).await).await;
    assert_eq!(e.status, 409);
    let path = format!("/api/v1/applications/{id}/withdraw");
    let e = ApiError::from(api(&app, &v, reqwest::Method::POST, &path, None).await).await;
    assert_eq!(e.status, 409);
    assert_eq!(seats_left(&app, plan).await, seats, "given back once only");
    let kept = get_application(&app, &v, id).await;
    assert_eq!(kept["status"], "withdrawn");
    assert_eq!(kept["draft"]["basic"]["email"], "zhang.san@example.com");
}

// --- privacy ----------------------------------------------------------------------------------

async fn nobody_else_reaches_a_candidates_application(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_of_level(&app, 1).await;
    let a = candidate(&app, 12).await;
    let b = candidate(&app, 13).await;
    let av = Visitor::from(&a);
    let bv = Visitor::from(&b);
    let id = drafted_application(&app, &a, plan).await;
    let draft = get_application(&app, &av, id).await["draft"].clone();

    let mut intruding = draft.clone();
    intruding["basic"]["email"] = json!("intruder@example.com");
    let b_tries_everything = |stage: &'static str| {
        let (app, bv, intruding) = (&app, &bv, &intruding);
        async move {
            for page in ["", "/basic", "/declaration", "/review"] {
                let path = format!("/applications/{id}{page}");
                let (status, _, _) = get_page(app, &bv.client, &path).await;
                assert_eq!(status, 404, "{stage}: GET {path}");
            }
            for (path, fields) in [
                ("/basic", page_fields(intruding, "basic")),
                ("/submit", pairs(&[("accept_commitment", "on")])),
                ("/withdraw", vec![]),
            ] {
                let path = format!("/applications/{id}{path}");
                let (status, _, _) = post_form(app, bv, &path, &fields).await;
                assert_eq!(status, 404, "{stage}: POST {path}");
            }
            let commitment = json!({ "accept_commitment": true });
            for (method, path, body) in [
                (reqwest::Method::GET, String::new(), None),
                (reqwest::Method::GET, "/checks".to_owned(), None),
                (reqwest::Method::PUT, "/draft".to_owned(), Some(intruding)),
                (
                    reqwest::Method::POST,
                    "/submit".to_owned(),
                    Some(&commitment),
                ),
                (reqwest::Method::POST, "/withdraw".to_owned(), None),
            ] {
                let path = format!("/api/v1/applications/{id}{path}");
                let e = ApiError::from(api(app, bv, method.clone(), &path, body).await).await;
                assert_eq!(
                    (e.status, e.code.as_str()),
                    (404, "not_found"),
                    "{stage}: {method} {path}"
                );
            }
            let list = ok_json(
                api(app, bv, reqwest::Method::GET, "/api/v1/applications", None).await,
                "list",
            )
            .await;
            assert_eq!(list, json!([]), "{stage}");
        }
    };

    b_tries_everything("draft").await;
    let untouched = get_application(&app, &av, id).await;
    assert_eq!(untouched["status"], "draft");
    assert_eq!(untouched["draft"], draft, "B changed nothing");

    ok_json(submit_via_api(&app, &av, id, true, false).await, "submit").await;
    b_tries_everything("under review").await;
    assert_eq!(
        get_application(&app, &av, id).await["status"],
        "under_review"
    );

    // Another's application is as absent as one that does not exist.
    let (status, missing, _) = get_page(&app, &b.client, "/applications/999999").await;
    let (_, foreign, _) = get_page(&app, &b.client, &format!("/applications/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(missing, foreign);

    // Logged out: the pages lead to the login, the API answers 401.
    let anonymous = app.client();
    for path in [
        format!("/applications/{id}"),
        format!("/applications/{id}/basic"),
        "/applications".to_owned(),
    ] {
        let (status, _, to) = get_page(&app, &anonymous, &path).await;
        assert_eq!((status, to.as_str()), (303, "/login"), "GET {path}");
    }
    let (status, _, to) = get_page(&app, &anonymous, &format!("/plans/{plan}/apply")).await;
    assert_eq!(status, 303);
    assert_eq!(to, format!("/login?next=/plans/{plan}/apply"));
    for (method, path) in [
        (reqwest::Method::GET, format!("/api/v1/applications/{id}")),
        (reqwest::Method::GET, "/api/v1/applications".to_owned()),
        (
            reqwest::Method::GET,
            format!("/api/v1/applications/{id}/checks"),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/plans/{plan}/application"),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/applications/{id}/withdraw"),
        ),
    ] {
        let response = anonymous
            .request(method.clone(), app.url(&path))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let e = ApiError::from(response).await;
        assert_eq!(
            (e.status, e.code.as_str()),
            (401, "unauthenticated"),
            "{method} {path}"
        );
    }
    let response = anonymous
        .put(app.url(&format!("/api/v1/applications/{id}/draft")))
        .json(&intruding)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(get_application(&app, &av, id).await["draft"], draft);
}

// --- racing for the last seats ----------------------------------------------------------------

/// Two seats are taken; twenty candidates press 提交 at the same moment for the last four.
async fn twenty_candidates_racing_for_the_last_four_seats_never_overbook(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let plan = plan_of_level(&app, 1).await;
    app.set_capacity(plan, 6).await;
    assert_eq!(seats_left(&app, plan).await, 6);
    for n in 0..2 {
        let c = candidate(&app, 90 + n).await;
        let id = drafted_application(&app, &c, plan).await;
        ok_json(
            submit_via_api(&app, &Visitor::from(&c), id, true, false).await,
            "an early submission",
        )
        .await;
    }
    assert_eq!(seats_left(&app, plan).await, 4);

    let mut ready = Vec::new();
    for n in 0..20 {
        let c = candidate(&app, 100 + n).await;
        let id = drafted_application(&app, &c, plan).await;
        ready.push((Visitor::from(&c), id));
    }

    let app = Arc::new(app);
    let start = Arc::new(tokio::sync::Barrier::new(ready.len()));
    let mut racing = Vec::new();
    for (v, id) in ready.clone() {
        let (app, start) = (app.clone(), start.clone());
        racing.push(tokio::spawn(async move {
            start.wait().await;
            let response = submit_via_api(&app, &v, id, true, false).await;
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (id, status, body)
        }));
    }
    let mut won = Vec::new();
    let mut lost = Vec::new();
    for race in racing {
        let (id, status, body) = race.await.unwrap();
        match status {
            200 => {
                assert_eq!(body["status"], "under_review");
                won.push(id);
            }
            409 => {
                assert_eq!(body["code"], "plan_full", "{body}");
                assert!(body["message"].as_str().unwrap().contains("已满"), "{body}");
                lost.push(id);
            }
            other => panic!("submission {id} answered {other}: {body}"),
        }
    }
    assert_eq!((won.len(), lost.len()), (4, 16));

    // Exactly the capacity taken, and nothing half made for the sixteen others.
    let count = |sql: String| {
        let app = app.clone();
        async move { query_number(&app, &sql).await }
    };
    let seats_taken =
        format!("SELECT CAST(SUM(taken) AS BIGINT) FROM plan_seat_stripes WHERE plan_id = {plan}");
    assert_eq!(count(seats_taken.clone()).await, 6);
    assert_eq!(seats_left(&app, plan).await, 0);
    for (status, expected) in [("under_review", 6), ("draft", 16)] {
        assert_eq!(
            count(format!(
                "SELECT COUNT(*) FROM applications WHERE plan_id = {plan} AND status = '{status}'"
            ))
            .await,
            expected,
            "{status}"
        );
    }
    assert_eq!(
        count("SELECT COUNT(*) FROM application_events WHERE kind = 'submitted'".to_owned()).await,
        6
    );
    for (v, id) in &ready {
        let shown = get_application(&app, v, *id).await;
        if lost.contains(id) {
            assert_eq!(shown["status"], "draft");
            assert_eq!(shown["submitted_at"], Value::Null);
            assert_eq!(shown["eligibility_met"], false, "not marked as submitted");
        } else {
            assert_eq!(shown["status"], "under_review");
        }
    }

    // One of the winners withdraws: the seat goes to one who lost the race.
    let (winner, _) = ready.iter().find(|(_, id)| *id == won[0]).unwrap();
    let path = format!("/api/v1/applications/{}/withdraw", won[0]);
    ok_json(
        api(&app, winner, reqwest::Method::POST, &path, None).await,
        "withdraw",
    )
    .await;
    let (loser, _) = ready.iter().find(|(_, id)| *id == lost[0]).unwrap();
    ok_json(
        submit_via_api(&app, loser, lost[0], true, false).await,
        "the freed seat",
    )
    .await;
    let (other_loser, _) = ready.iter().find(|(_, id)| *id == lost[1]).unwrap();
    let e = ApiError::from(submit_via_api(&app, other_loser, lost[1], true, false).await).await;
    assert_eq!((e.status, e.code.as_str()), (409, "plan_full"));
    assert_eq!(count(seats_taken).await, 6);
}

/// The reviewer is told the edited form's truth: an edit under review that stops meeting every
/// alternative clears the flag, and the status page says so.
async fn an_edit_under_review_rejudges_eligibility(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = candidate(&app, 77).await;
    let v = Visitor::from(&c);
    let plan = plan_of_level(&app, 1).await;
    let id = drafted_application(&app, &c, plan).await;
    assert_eq!(
        submit_via_api(&app, &v, id, true, false).await.status(),
        200
    );
    assert_eq!(get_application(&app, &v, id).await["eligibility_met"], true);

    // The level-2 certificate turns out to be a year old: 4 years since it are not there.
    let mut draft = get_application(&app, &v, id).await["draft"].clone();
    let year_ago = (chrono::Utc::now() - chrono::Duration::days(400)).format("%Y-%m-%d");
    draft["declaration"]["previous_issued_on"] = json!(year_ago.to_string());
    let saved = put_draft(&app, &v, id, &draft).await;
    assert_eq!(saved["checks"]["eligibility"][0]["met"], false);
    let after = get_application(&app, &v, id).await;
    assert_eq!(after["status"], "under_review");
    assert_eq!(after["eligibility_met"], false, "re-judged on the edit");
    let page = c
        .client
        .get(app.url(&format!("/applications/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("根据修改后的报名信息，暂不符合任何一项申报条件"),
        "{page}"
    );
}

on_both_backends!(
    a_candidate_goes_through_every_page_from_the_plan_to_an_application_under_review,
    a_candidate_goes_through_the_wizard_by_api,
    a_draft_follows_the_candidate_to_another_device_even_with_mistakes,
    step_1_refuses_what_disagrees_with_the_id_number_and_malformed_contacts,
    step_3_refuses_places_outside_their_province_and_ill_formed_passports,
    work_history_refuses_impossible_periods_and_counts_overlaps_once,
    the_declaration_refuses_foreign_alternatives_missing_certificates_and_tracks,
    a_candidate_who_meets_no_alternative_submits_only_after_acknowledging_it,
    one_application_per_plan_and_only_while_registration_is_open,
    edits_under_review_are_recorded_and_withdrawal_gives_the_seat_back,
    nobody_else_reaches_a_candidates_application,
    twenty_candidates_racing_for_the_last_four_seats_never_overbook,
    an_edit_under_review_rejudges_eligibility,
);
