//! Staff in tests: accounts made straight through the store (as `skillcert admin create` does),
//! logged in through the API; and candidates with a submitted application, ready for review.

use domain::accounts::StaffRole;
use serde_json::{Value, json};
use skillcert::bench::prepare::level1_draft_json;

use super::{Candidate, GOOD_PASSWORD, TestApp, sign_up_via_api};

/// A logged-in member of staff: the client keeps the session cookie; `csrf` goes in
/// `X-CSRF-Token` (API) or the `csrf` field (pages).
pub struct StaffUser {
    pub client: reqwest::Client,
    pub csrf: String,
    pub login: String,
    pub account_id: i64,
}

impl TestApp {
    pub async fn store_db(&self) -> store::Db {
        store::Db::connect(&self.config.database_url, &store::DbOptions::default())
            .await
            .expect("connect to the test database")
    }

    /// Creates a staff account with `roles` and logs it in through the API.
    pub async fn staff(&self, login: &str, name: &str, roles: &[StaffRole]) -> StaffUser {
        let db = self.store_db().await;
        let hash = store::passwords::hash(GOOD_PASSWORD.to_owned())
            .await
            .expect("hash");
        // A second connection to the app's SQLite file: its write can meet the app's own (the
        // worker's) and be told the database is busy; try again shortly, as a person would.
        let mut tries = 0;
        let account_id = loop {
            match store::accounts::create_staff(
                &db,
                login,
                name,
                roles,
                hash.clone(),
                chrono::Utc::now(),
            )
            .await
            {
                Ok(created) => break created.expect("login name free"),
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => panic!("create staff: {e}"),
            }
        };
        db.close().await;
        let client = self.client();
        let response = client
            .post(self.url("/api/v1/session"))
            .json(&json!({ "identifier": login, "password": GOOD_PASSWORD }))
            .send()
            .await
            .expect("POST /api/v1/session");
        assert_eq!(response.status(), 200, "staff login");
        let body: Value = response.json().await.expect("JSON");
        StaffUser {
            client,
            csrf: body["csrf_token"].as_str().expect("csrf_token").to_owned(),
            login: login.to_owned(),
            account_id,
        }
    }
}

/// A candidate with a submitted level-1 application that passes every check.
pub struct Submitted {
    pub candidate: Candidate,
    pub application_id: i64,
    pub plan_id: i64,
}

/// Signs up a candidate (`phone`, an ID number from `birth` and `sequence`), drafts the level-1
/// plan's application completely, uploads its documents and submits it, all through the API.
pub async fn submitted_application(app: &TestApp, phone: &str, sequence: u16) -> Submitted {
    let candidate = sign_up_via_api(app, phone, &super::id_number("19880512", sequence)).await;
    let c = &candidate;
    let plans: Value = c
        .client
        .get(app.url("/api/v1/plans?level=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan_id = plans["plans"][0]["id"].as_i64().expect("level-1 plan");
    let opened: Value = post_json(
        app,
        c,
        &format!("/api/v1/plans/{plan_id}/application"),
        None,
    )
    .await;
    let id = opened["id"].as_i64().expect("application id");
    let checks: Value = c
        .client
        .get(app.url(&format!("/api/v1/applications/{id}/checks")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rule = checks["eligibility"][0]["rule_id"].as_i64().expect("rule");
    let draft = level1_draft_json(&c.real_name, &c.phone, &c.id_number, rule).expect("draft");
    let saved = c
        .client
        .put(app.url(&format!("/api/v1/applications/{id}/draft")))
        .header("X-CSRF-Token", &c.csrf)
        .json(&draft)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200, "save the draft");
    super::uploads::upload_required_documents(app, &c.client, &c.csrf, id).await;
    let submitted = post_json(
        app,
        c,
        &format!("/api/v1/applications/{id}/submit"),
        Some(json!({ "accept_commitment": true })),
    )
    .await;
    assert_eq!(submitted["status"], "under_review", "{submitted:#}");
    Submitted {
        candidate,
        application_id: id,
        plan_id,
    }
}

async fn post_json(app: &TestApp, c: &Candidate, path: &str, body: Option<Value>) -> Value {
    let mut request = c.client.post(app.url(path)).header("X-CSRF-Token", &c.csrf);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("POST");
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "POST {path}: {status} {text}");
    serde_json::from_str(&text).expect("JSON")
}

/// A submitted application approved by a reviewer (`shen{sequence}`): 待缴费.
pub async fn approved_application(app: &TestApp, phone: &str, sequence: u16) -> Submitted {
    let submitted = submitted_application(app, phone, sequence).await;
    let reviewer = app
        .staff(&format!("shen{sequence}"), "审核员", &[StaffRole::Reviewer])
        .await;
    let id = submitted.application_id;
    let view: Value = reviewer
        .client
        .get(app.url(&format!("/api/v1/staff/review/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let approved = reviewer
        .client
        .post(app.url(&format!("/api/v1/staff/review/{id}/approve")))
        .header("X-CSRF-Token", &reviewer.csrf)
        .json(&serde_json::json!({ "seen": view["seen"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200, "{}", approved.text().await.unwrap());
    submitted
}
