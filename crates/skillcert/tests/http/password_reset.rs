//! A forgotten password, reset with an SMS code: the code goes only to registered phones, but the
//! answer does not tell who is registered; a reset ends every session of the account.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{
    ApiError, Backend, GOOD_PASSWORD, TestApp, csrf_in, id_number, page_csrf, sign_up_via_api,
};

const PHONE: &str = "15912345678";
const UNREGISTERED: &str = "15987654321";
const NEW_PASSWORD: &str = "xinmima2025";

async fn ask_for_reset_code(app: &TestApp, phone: &str) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/sms-codes"))
        .json(&json!({ "phone": phone, "purpose": "reset_password" }))
        .send()
        .await
        .unwrap()
}

async fn reset(app: &TestApp, phone: &str, code: &str, password: &str) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/password-reset"))
        .json(&json!({ "phone": phone, "code": code, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn log_in_status(app: &TestApp, identifier: &str, password: &str) -> u16 {
    app.client()
        .post(app.url("/api/v1/session"))
        .json(&json!({ "identifier": identifier, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn a_reset_code_goes_only_to_registered_phones_but_the_answer_is_the_same(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19760505", 135)).await;
    // A minute later the candidate has forgotten the password.
    app.forget_sms_sends().await;
    let before = app.outbox().len();

    let registered = ask_for_reset_code(&app, PHONE).await;
    let unregistered = ask_for_reset_code(&app, UNREGISTERED).await;
    assert_eq!(registered.status(), 202);
    assert_eq!(unregistered.status(), registered.status());
    assert_eq!(
        unregistered.text().await.unwrap(),
        registered.text().await.unwrap(),
        "the answer does not tell who has an account"
    );

    let outbox = app.outbox();
    assert_eq!(outbox.len(), before + 1, "{outbox:?}");
    let sms = outbox.last().unwrap();
    assert_eq!(sms.phone, PHONE);
    assert_eq!(sms.template, "reset_password_code");
    assert!(sms.text.contains("重置密码"));
    assert!(outbox.iter().all(|l| l.phone != UNREGISTERED));

    // The same on the page: both get the "sent" notice.
    app.forget_sms_sends().await;
    let browser = app.client();
    let csrf = page_csrf(&app, &browser, "/password/reset").await;
    for (phone, masked) in [(PHONE, "159****5678"), (UNREGISTERED, "159****4321")] {
        let page = browser
            .post(app.url("/password/reset/code"))
            .form(&[("csrf", csrf.as_str()), ("phone", phone)])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{phone}");
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("验证码已发送至 {masked}")), "{html}");
    }
    assert!(app.outbox().iter().all(|l| l.phone != UNREGISTERED));
}

async fn a_reset_changes_the_password_and_ends_every_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = id_number("19760505", 135);
    let on_phone = sign_up_via_api(&app, PHONE, &id).await;
    // A minute later the candidate has forgotten the password.
    app.forget_sms_sends().await;
    let on_desktop = app.client();
    let csrf = page_csrf(&app, &on_desktop, "/login").await;
    let logged_in = on_desktop
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("identifier", id.as_str()),
            ("password", GOOD_PASSWORD),
            ("next", "/me"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(logged_in.status(), 303);

    assert_eq!(ask_for_reset_code(&app, PHONE).await.status(), 202);
    let code = app.last_code_for(PHONE);
    assert_eq!(reset(&app, PHONE, &code, NEW_PASSWORD).await.status(), 204);

    let api = on_phone
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401, "the phone's session ended");
    let page = on_desktop.get(app.url("/me")).send().await.unwrap();
    assert_eq!(page.status(), 303, "the desktop's session ended");

    assert_eq!(
        log_in_status(&app, PHONE, GOOD_PASSWORD).await,
        422,
        "old password"
    );
    assert_eq!(
        log_in_status(&app, PHONE, NEW_PASSWORD).await,
        200,
        "new password"
    );
    assert_eq!(log_in_status(&app, &id, NEW_PASSWORD).await, 200);

    // The code was used up by the reset.
    let again = ApiError::from(reset(&app, PHONE, &code, "another2025").await).await;
    assert_eq!(again.field("code").code, "code_expired");
    assert_eq!(log_in_status(&app, PHONE, NEW_PASSWORD).await, 200);
}

async fn a_reset_through_the_pages_leads_back_to_the_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19760505", 135)).await;
    // A minute later the candidate has forgotten the password.
    app.forget_sms_sends().await;
    let browser = app.client();
    let csrf = page_csrf(&app, &browser, "/password/reset").await;
    let sent = browser
        .post(app.url("/password/reset/code"))
        .form(&[("csrf", csrf.as_str()), ("phone", PHONE)])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let csrf = csrf_in(&sent.text().await.unwrap());
    let code = app.last_code_for(PHONE);

    // A mismatched confirmation is refused first, and costs nothing.
    let refused = browser
        .post(app.url("/password/reset"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("phone", PHONE),
            ("code", &code),
            ("password", NEW_PASSWORD),
            ("password_confirm", "xinmima2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("两次输入的密码不一致")
    );

    let done = browser
        .post(app.url("/password/reset"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("phone", PHONE),
            ("code", &code),
            ("password", NEW_PASSWORD),
            ("password_confirm", NEW_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers()[reqwest::header::LOCATION].to_str().unwrap(),
        "/login?reset=1"
    );
    let login = browser.get(app.url("/login?reset=1")).send().await.unwrap();
    assert!(
        login
            .text()
            .await
            .unwrap()
            .contains("密码已重置，请使用新密码登录")
    );
    assert_eq!(log_in_status(&app, PHONE, NEW_PASSWORD).await, 200);
}

async fn a_wrong_code_or_a_weak_password_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19760505", 135)).await;
    // A minute later the candidate has forgotten the password.
    app.forget_sms_sends().await;
    assert_eq!(ask_for_reset_code(&app, PHONE).await.status(), 202);
    let code = app.last_code_for(PHONE);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);

    let e = ApiError::from(reset(&app, PHONE, &wrong, NEW_PASSWORD).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("code").code, "code_wrong");

    let e = ApiError::from(reset(&app, PHONE, &code, "12345678").await).await;
    assert_eq!(e.field("password").code, "password_composition");

    // An unregistered phone cannot be reset with any code.
    let e = ApiError::from(reset(&app, UNREGISTERED, &code, NEW_PASSWORD).await).await;
    assert_eq!(e.status, 422);
    assert!(e.field("code").code.starts_with("code_"));

    assert_eq!(log_in_status(&app, PHONE, GOOD_PASSWORD).await, 200);
    assert_eq!(log_in_status(&app, PHONE, NEW_PASSWORD).await, 422);
    // The weak password did not use the code up.
    assert_eq!(reset(&app, PHONE, &code, NEW_PASSWORD).await.status(), 204);
}

async fn a_locked_out_candidate_can_reset_and_log_in_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19760505", 135)).await;
    // A minute later the candidate has forgotten the password.
    app.forget_sms_sends().await;
    for _ in 0..5 {
        assert_eq!(log_in_status(&app, PHONE, "forgot1234").await, 422);
    }
    assert_eq!(log_in_status(&app, PHONE, GOOD_PASSWORD).await, 429);

    assert_eq!(ask_for_reset_code(&app, PHONE).await.status(), 202);
    let code = app.last_code_for(PHONE);
    assert_eq!(reset(&app, PHONE, &code, NEW_PASSWORD).await.status(), 204);
    assert_eq!(log_in_status(&app, PHONE, NEW_PASSWORD).await, 200);
}

on_both_backends!(
    a_reset_code_goes_only_to_registered_phones_but_the_answer_is_the_same,
    a_reset_changes_the_password_and_ends_every_session,
    a_reset_through_the_pages_leads_back_to_the_login,
    a_wrong_code_or_a_weak_password_changes_nothing,
    a_locked_out_candidate_can_reset_and_log_in_at_once,
);
