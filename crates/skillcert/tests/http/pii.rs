//! Phone and ID numbers: encrypted at rest, never logged, shown in full only to their owner.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, TestApp, captured_log, id_number, page_csrf, sign_up_via_api};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every form a value may take at rest: as typed, hex (PostgreSQL's text form of `bytea`) and
/// UTF-16 (in case a driver stores text that way).
fn spellings(value: &str) -> Vec<Vec<u8>> {
    let utf16: Vec<u8> = value.encode_utf16().flat_map(u16::to_le_bytes).collect();
    vec![
        value.as_bytes().to_vec(),
        hex::encode(value).into_bytes(),
        utf16,
    ]
}

async fn phone_and_id_numbers_are_not_stored_in_plain_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let phone = "13312345678";
    let id = id_number("19950616", 246);
    let candidate = sign_up_via_api(&app, phone, &id).await;
    app.forget_sms_sends().await;
    // A reset code and a failed login write the phone's traces into more tables.
    let sent = app
        .client()
        .post(app.url("/api/v1/sms-codes"))
        .json(&json!({ "phone": phone, "purpose": "reset_password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    let failed = app
        .client()
        .post(app.url("/api/v1/session"))
        .json(&json!({ "identifier": id, "password": "wrong12345" }))
        .send()
        .await
        .unwrap();
    assert_eq!(failed.status(), 422);

    let stored = app.database_contents().await;
    assert!(
        contains(&stored, "张三".as_bytes()),
        "the dump is readable: the real name is there"
    );
    for secret in [phone, id.as_str()] {
        for spelling in spellings(secret) {
            assert!(
                !contains(&stored, &spelling),
                "{secret} is stored readably ({})",
                String::from_utf8_lossy(&spelling)
            );
        }
    }

    // And it all still reads back for the owner.
    let me: serde_json::Value = candidate
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["phone"], phone);
    assert_eq!(me["id_number"], id.as_str());
}

async fn phone_and_id_numbers_never_reach_the_log(backend: Backend) {
    let log = captured_log();
    let app = TestApp::spawn(backend).await;
    // Numbers no other test uses, so that the shared log speaks about this test only.
    let phone = if backend == Backend::Sqlite {
        "13312340001"
    } else {
        "13312340002"
    };
    let id = id_number(
        "19950616",
        if backend == Backend::Sqlite { 881 } else { 883 },
    );
    sign_up_via_api(&app, phone, &id).await;
    app.forget_sms_sends().await;
    for identifier in [phone, id.as_str(), "13312349999"] {
        let _ = app
            .client()
            .post(app.url("/api/v1/session"))
            .json(&json!({ "identifier": identifier, "password": "wrong12345" }))
            .send()
            .await
            .unwrap();
    }
    let _ = app
        .client()
        .post(app.url("/api/v1/sms-codes"))
        .json(&json!({ "phone": phone, "purpose": "reset_password" }))
        .send()
        .await
        .unwrap();

    let text = log.text();
    assert!(
        text.contains("SMS (log provider)"),
        "the log was captured:\n{text}"
    );
    assert!(text.contains(&format!("{}****{}", &phone[..3], &phone[7..])));
    for secret in [phone, id.as_str()] {
        assert!(!text.contains(secret), "{secret} was logged:\n{text}");
    }
}

async fn pages_other_than_the_account_page_show_identifiers_masked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let phone = "13312345678";
    let id = id_number("19950616", 246);
    let candidate = sign_up_via_api(&app, phone, &id).await;
    let browser = &candidate.client;

    let plans: serde_json::Value = browser
        .get(app.url("/api/v1/plans"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let plan_id = plans["plans"][0]["id"].as_i64().unwrap();
    let plan_page = format!("/plans/{plan_id}");
    // (报名 leads into the candidate's own form, which, like /me, is theirs to see in full.)
    for path in [
        "/",
        "/plans",
        plan_page.as_str(),
        "/signup/done",
        "/applications",
        "/scores",
        "/certificates",
        "/feedback",
        "/exam",
        "/notifications",
        "/password/reset",
        "/login",
        "/no-such-page",
    ] {
        let html = browser
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if path != "/no-such-page" {
            assert!(html.contains("张三"), "{path} is seen logged in");
        }
        assert!(!html.contains(phone), "{path} shows the full phone");
        assert!(!html.contains(&id), "{path} shows the full ID number");
    }
    // The account page is the owner's own.
    let me = browser
        .get(app.url("/me"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(me.contains(phone) && me.contains(&id));

    // Step 2 of someone else's sign-up shows only the masked phone.
    let other = app.client();
    let csrf = page_csrf(&app, &other, "/signup").await;
    let other_phone = "13398765432";
    let sent = other
        .post(app.url("/signup/code"))
        .form(&[("csrf", csrf.as_str()), ("phone", other_phone)])
        .send()
        .await
        .unwrap();
    let html = sent.text().await.unwrap();
    assert!(html.contains("133****5432"));
    let code = app.last_code_for(other_phone);
    let verified = other
        .post(app.url("/signup/verify"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("phone", other_phone),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 303);
    let html = other
        .get(app.url("/signup/details"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("133****5432"));
    assert!(!html.contains(other_phone));
}

on_both_backends!(
    phone_and_id_numbers_are_not_stored_in_plain_text,
    phone_and_id_numbers_never_reach_the_log,
    pages_other_than_the_account_page_show_identifiers_masked,
);
