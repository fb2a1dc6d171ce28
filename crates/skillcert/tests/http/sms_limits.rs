//! SMS send limits: per phone (1 a minute, 5 an hour, 10 a day) and per client address (30 an
//! hour, 100 a day), counted in the database so that they hold across sessions, restarts and
//! instances.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{ApiError, Backend, TestApp, page_csrf};

const PHONE: &str = "13512345678";

async fn send(
    client: &reqwest::Client,
    url: String,
    phone: &str,
    purpose: &str,
) -> reqwest::Response {
    client
        .post(url)
        .json(&json!({ "phone": phone, "purpose": purpose }))
        .send()
        .await
        .unwrap()
}

async fn a_second_code_within_a_minute_is_refused_with_retry_after(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = app.url("/api/v1/sms-codes");
    assert_eq!(
        send(&app.client(), url.clone(), PHONE, "sign_up")
            .await
            .status(),
        202
    );

    let e = ApiError::from(send(&app.client(), url.clone(), PHONE, "sign_up").await).await;
    assert_eq!(e.status, 429);
    assert_eq!(e.code, "sms_phone_limited");
    assert!(e.message.contains("验证码发送过于频繁") && e.message.contains("秒后再试"));
    let wait = e.retry_after.expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");

    // Another purpose is the same phone's SMS allowance.
    let e = ApiError::from(send(&app.client(), url.clone(), PHONE, "reset_password").await).await;
    assert_eq!(e.code, "sms_phone_limited");

    // The page says so too.
    let browser = app.client();
    let csrf = page_csrf(&app, &browser, "/signup").await;
    let page = browser
        .post(app.url("/signup/code"))
        .form(&[("csrf", csrf.as_str()), ("phone", PHONE)])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.text().await.unwrap().contains("验证码发送过于频繁"));

    assert_eq!(app.outbox().len(), 1, "only the first SMS went out");

    // Another phone is not held back.
    assert_eq!(
        send(&app.client(), url, "13512345679", "sign_up")
            .await
            .status(),
        202
    );
}

async fn the_limit_holds_across_a_restart_and_a_second_instance(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        send(
            &app.client(),
            app.url("/api/v1/sms-codes"),
            PHONE,
            "sign_up"
        )
        .await
        .status(),
        202
    );

    let second = app.another_instance().await;
    let e = ApiError::from(
        send(
            &app.client(),
            second.url("/api/v1/sms-codes"),
            PHONE,
            "sign_up",
        )
        .await,
    )
    .await;
    assert_eq!(e.status, 429, "the count lives in the database");
    assert_eq!(e.code, "sms_phone_limited");
    assert_eq!(app.outbox().len(), 1);
}

async fn a_phone_gets_at_most_five_codes_an_hour(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = app.url("/api/v1/sms-codes");
    for _ in 0..5 {
        assert_eq!(
            send(&app.client(), url.clone(), PHONE, "sign_up")
                .await
                .status(),
            202
        );
        // A minute passes: the events move back out of the one-minute window.
        app.execute_sql(&minute_passes(&app)).await;
    }
    let e = ApiError::from(send(&app.client(), url, PHONE, "sign_up").await).await;
    assert_eq!(e.code, "sms_phone_limited");
    let wait = e.retry_after.unwrap();
    assert!(wait > 60 && wait <= 3600, "the hourly window: {wait}");
    assert!(e.message.contains("分钟后再试"), "{}", e.message);
    assert_eq!(app.outbox().len(), 5);
}

/// SQL that moves every counted event two minutes into the past, in the database's own
/// timestamp format.
fn minute_passes(app: &TestApp) -> String {
    match app.backend {
        Backend::Postgres => {
            "UPDATE rate_limit_events SET at = at - INTERVAL '2 minutes'".to_owned()
        }
        // sea-orm keeps timestamps on SQLite as RFC 3339 text ("2025-06-10T10:00:00.123+00:00");
        // rewrite them in the same shape so that they still compare as text.
        Backend::Sqlite => "UPDATE rate_limit_events SET at = \
             strftime('%Y-%m-%dT%H:%M:%f', at, '-2 minutes') || '+00:00'"
            .to_owned(),
    }
}

async fn one_address_gets_at_most_thirty_codes_an_hour(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let url = app.url("/api/v1/sms-codes");
    for i in 0..30 {
        let phone = format!("1351000{i:04}");
        let response = send(&app.client(), url.clone(), &phone, "sign_up").await;
        assert_eq!(response.status(), 202, "{phone}");
    }
    let e = ApiError::from(send(&app.client(), url, "13520000000", "sign_up").await).await;
    assert_eq!(e.status, 429);
    assert_eq!(e.code, "sms_address_limited");
    assert!(e.message.contains("当前网络发送验证码过多"));
    assert!(e.retry_after.is_some());
    assert!(app.outbox().iter().all(|l| l.phone != "13520000000"));
}

on_both_backends!(
    a_second_code_within_a_minute_is_refused_with_retry_after,
    the_limit_holds_across_a_restart_and_a_second_instance,
    a_phone_gets_at_most_five_codes_an_hour,
    one_address_gets_at_most_thirty_codes_an_hour,
);
