//! The wizard's live checks: a page's fields checked as typed, nothing saved.

use serde_json::Value;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, id_number, sign_up_via_api};

async fn open_first_plan(app: &TestApp, client: &reqwest::Client, csrf: &str) -> i64 {
    let plans: Value = client
        .get(app.url("/api/v1/plans?level=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan = plans["plans"][0]["id"].as_i64().unwrap();
    let opened: Value = client
        .post(app.url(&format!("/api/v1/plans/{plan}/application")))
        .header("X-CSRF-Token", csrf)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    opened["id"].as_i64().unwrap()
}

async fn live_check_shows_the_servers_messages_and_saves_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = sign_up_via_api(&app, "13612345678", &id_number("19900307", 123)).await;
    let id = open_first_plan(&app, &a.client, &a.csrf).await;

    let checked = a
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/check/basic")))
        .header("X-CSRF-Token", &a.csrf)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("postcode=12ab&birth_date=1991-01-01&csrf=ignored")
        .send()
        .await
        .unwrap();
    assert_eq!(checked.status(), 200);
    let checked: Value = checked.json().await.unwrap();
    let message_for = |field: &str| {
        checked["issues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["field"] == field)
            .map(|i| i["message"].as_str().unwrap().to_owned())
    };
    assert_eq!(
        message_for("postcode").as_deref(),
        Some("邮政编码应为 6 位数字，不知道可留空")
    );
    assert!(
        message_for("birth_date").is_some_and(|m| m.contains("身份证")),
        "the birth date must agree with the ID number: {checked}"
    );
    assert!(
        checked["eligibility"]
            .as_array()
            .is_some_and(|v| !v.is_empty())
    );

    let saved: Value = a
        .client
        .get(app.url(&format!("/api/v1/applications/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        saved["draft"]["basic"]["postcode"], "",
        "a live check saves nothing"
    );
    assert_eq!(saved["draft"]["basic"]["birth_date"], "1990-03-07");

    // Only the owner, only the pages with fields.
    let b = sign_up_via_api(&app, "13612345679", &id_number("19920101", 456)).await;
    let theirs = b
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/check/basic")))
        .header("X-CSRF-Token", &b.csrf)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("postcode=12ab")
        .send()
        .await
        .unwrap();
    assert_eq!(theirs.status(), 404);
    let documents = a
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/check/documents")))
        .header("X-CSRF-Token", &a.csrf)
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(documents.status(), 404);
}

on_both_backends!(live_check_shows_the_servers_messages_and_saves_nothing);
