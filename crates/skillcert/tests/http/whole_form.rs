//! What only the whole form can tell: checks across the wizard's pages, made on the review and
//! whenever the API saves the whole draft.

use serde_json::Value;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, id_number, sign_up_via_api};

async fn the_id_number_on_the_form_must_be_the_accounts_own(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let own = id_number("19900307", 123);
    let a = sign_up_via_api(&app, "13612340001", &own).await;
    let plans: Value = a
        .client
        .get(app.url("/api/v1/plans?level=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan = plans["plans"][0]["id"].as_i64().unwrap();
    let opened: Value = a
        .client
        .post(app.url(&format!("/api/v1/plans/{plan}/application")))
        .header("X-CSRF-Token", &a.csrf)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = opened["id"].as_i64().unwrap();
    let mut draft = opened["draft"].clone();
    assert_eq!(
        draft["registration"]["id_number"],
        own.as_str(),
        "prefilled"
    );

    // Someone else's (valid) ID number typed into step 3.
    draft["registration"]["id_number"] = Value::from(id_number("19851111", 246));
    let saved: Value = a
        .client
        .put(app.url(&format!("/api/v1/applications/{id}/draft")))
        .header("X-CSRF-Token", &a.csrf)
        .json(&draft)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = saved["checks"]["issues"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["field"] == "id_number")
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"id_number_not_account"),
        "the form's ID number differs from the account's: {codes:?} {saved}"
    );
}

on_both_backends!(the_id_number_on_the_form_must_be_the_accounts_own);
