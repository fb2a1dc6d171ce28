//! Cross-site request forgery: every state-changing form carries the session's token, and API
//! calls made with a session cookie echo it in `X-CSRF-Token`.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{ApiError, Backend, GOOD_PASSWORD, TestApp, id_number, sign_up_via_api};

const PHONE: &str = "18612345678";

async fn a_form_without_the_right_token_is_refused_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, "18687654321", &id_number("19800101", 13)).await;
    let sent_before = app.outbox().len();

    let browser = app.client();
    let form = browser.get(app.url("/signup")).send().await.unwrap();
    assert_eq!(form.status(), 200);

    for token in [None, Some("forged-token"), Some("")] {
        let mut fields = vec![("phone", PHONE)];
        if let Some(token) = token {
            fields.push(("csrf", token));
        }
        let refused = browser
            .post(app.url("/signup/code"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403, "{token:?}");
        let content_type = refused.headers()[reqwest::header::CONTENT_TYPE].clone();
        assert!(
            content_type.to_str().unwrap().starts_with("text/html"),
            "a browser gets a page, not JSON: {content_type:?}"
        );
        let html = refused.text().await.unwrap();
        assert!(html.contains("页面已过期，请刷新后重试"), "{html}");
        assert!(html.contains("csrf_failed"));
    }
    assert_eq!(app.outbox().len(), sent_before, "no SMS was sent");

    // A forged login does not log anybody in, even with the right password.
    let refused = browser
        .post(app.url("/login"))
        .form(&[
            ("identifier", "18687654321"),
            ("password", GOOD_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let me = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), 401);

    // A visitor with no session at all cannot post a form either.
    let stranger = app.client();
    let refused = stranger
        .post(app.url("/signup/code"))
        .form(&[("phone", PHONE), ("csrf", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    // Another visitor's token does not fit this session.
    let other = app.client();
    let other_csrf = crate::support::page_csrf(&app, &other, "/signup").await;
    let refused = browser
        .post(app.url("/signup/code"))
        .form(&[("phone", PHONE), ("csrf", other_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(app.outbox().len(), sent_before);
}

async fn the_logout_button_needs_the_token_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let candidate = sign_up_via_api(&app, PHONE, &id_number("19800101", 13)).await;
    let refused = candidate
        .client
        .post(app.url("/logout"))
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let me = candidate.client.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), 200, "still logged in");
}

async fn an_api_call_with_a_session_cookie_must_echo_the_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let candidate = sign_up_via_api(&app, PHONE, &id_number("19800101", 13)).await;
    let client = &candidate.client;

    for token in [None, Some("forged"), Some("")] {
        let mut request = client.delete(app.url("/api/v1/session"));
        if let Some(token) = token {
            request = request.header("X-CSRF-Token", token);
        }
        let e = ApiError::from(request.send().await.unwrap()).await;
        assert_eq!(e.status, 403, "{token:?}");
        assert_eq!(e.code, "csrf_failed");
        let me = client.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(me.status(), 200, "still logged in");
    }

    // A POST with the cookie but no token is refused before it does anything.
    let e = ApiError::from(
        client
            .post(app.url("/api/v1/sms-codes"))
            .json(&json!({ "phone": "18600000000", "purpose": "sign_up" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(e.code, "csrf_failed");
    assert!(app.outbox().iter().all(|l| l.phone != "18600000000"));

    // GET /api/v1/session hands out the token; with it the call goes through.
    let session: serde_json::Value = client
        .get(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["csrf_token"].as_str().unwrap();
    assert_eq!(token, candidate.csrf);
    assert_eq!(session["account"]["phone"], PHONE);
    let out = client
        .delete(app.url("/api/v1/session"))
        .header("X-CSRF-Token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(
        client
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn an_api_client_without_cookies_needs_no_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let visitor = app.client();
    let session: serde_json::Value = visitor
        .get(app.url("/api/v1/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(session["account"].is_null());
    assert!(
        session["csrf_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 32)
    );

    // Without a cookie there is no ambient authority to abuse.
    let cookieless = reqwest::Client::new();
    let sent = cookieless
        .post(app.url("/api/v1/sms-codes"))
        .json(&json!({ "phone": PHONE, "purpose": "sign_up" }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
}

on_both_backends!(
    a_form_without_the_right_token_is_refused_and_changes_nothing,
    the_logout_button_needs_the_token_too,
    an_api_call_with_a_session_cookie_must_echo_the_token,
    an_api_client_without_cookies_needs_no_token,
);
