//! Logging in with a phone number or an ID number (staff: a login name), throttling, logging out,
//! and what the session cookie looks like.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{
    ApiError, Backend, GOOD_PASSWORD, TestApp, id_number, page_csrf, session_cookie_set_by,
    sign_up_via_api,
};

const PHONE: &str = "13700137000";

fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn api_log_in(
    app: &TestApp,
    client: &reqwest::Client,
    identifier: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/v1/session"))
        .json(&json!({ "identifier": identifier, "password": password }))
        .send()
        .await
        .unwrap()
}

async fn page_log_in(
    app: &TestApp,
    client: &reqwest::Client,
    identifier: &str,
    password: &str,
    next: &str,
) -> reqwest::Response {
    let csrf = page_csrf(app, client, "/login").await;
    client
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("identifier", identifier),
            ("password", password),
            ("next", next),
        ])
        .send()
        .await
        .unwrap()
}

/// A client that sends exactly this session cookie and keeps no other.
fn client_with_cookie(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        format!("skillcert_session={token}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn a_candidate_logs_in_on_the_login_page_with_their_phone_or_id_number(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = id_number("19880808", 321);
    sign_up_via_api(&app, PHONE, &id).await;

    for identifier in [PHONE.to_owned(), id.clone()] {
        let browser = app.client();
        let done = page_log_in(&app, &browser, &identifier, GOOD_PASSWORD, "/me").await;
        assert_eq!(done.status(), 303, "log in with {identifier}");
        assert_eq!(location(&done), "/me", "back where the candidate was going");
        let me = browser.get(app.url("/me")).send().await.unwrap();
        assert_eq!(me.status(), 200);
        assert!(me.text().await.unwrap().contains("张三"));
    }

    // `next` only ever leads within the site.
    let browser = app.client();
    let done = page_log_in(&app, &browser, PHONE, GOOD_PASSWORD, "//evil.example/x").await;
    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/");
}

async fn a_candidate_logs_in_through_the_api_with_their_phone_or_id_number(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = id_number("19880808", 321);
    sign_up_via_api(&app, PHONE, &id).await;

    // The phone with the country code, the ID number with spaces: as people type them.
    for identifier in ["+86 13700137000".to_owned(), format!(" {} ", id)] {
        let client = app.client();
        let response = api_log_in(&app, &client, &identifier, GOOD_PASSWORD).await;
        assert_eq!(response.status(), 200, "{identifier}");
        let session: serde_json::Value = response.json().await.unwrap();
        assert_eq!(session["account"]["phone"], PHONE);
        assert!(session["csrf_token"].is_string());
        let me = client.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(me.status(), 200);
        let me: serde_json::Value = me.json().await.unwrap();
        assert_eq!(me["id_number"], id.as_str());
    }
}

async fn a_wrong_password_and_an_unknown_account_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19880808", 321)).await;

    let wrong_password =
        ApiError::from(api_log_in(&app, &app.client(), PHONE, "kaoshi2025").await).await;
    assert_eq!(wrong_password.status, 422);
    assert_eq!(wrong_password.code, "login_failed");
    assert_eq!(wrong_password.field("password").code, "login_failed");
    assert_eq!(wrong_password.message, "账号或密码不正确");

    let unknown_phone =
        ApiError::from(api_log_in(&app, &app.client(), "13600136000", "kaoshi2025").await).await;
    let unknown_id = ApiError::from(
        api_log_in(
            &app,
            &app.client(),
            &id_number("19700101", 11),
            GOOD_PASSWORD,
        )
        .await,
    )
    .await;
    for unknown in [unknown_phone, unknown_id] {
        assert_eq!(unknown.status, wrong_password.status);
        assert_eq!(
            unknown.body, wrong_password.body,
            "nothing tells who has an account"
        );
    }

    // The page says the same and keeps nobody logged in.
    let browser = app.client();
    let page = page_log_in(&app, &browser, PHONE, "kaoshi2025", "/").await;
    assert_eq!(page.status(), 422);
    assert!(page.text().await.unwrap().contains("账号或密码不正确"));
    let me = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), 401);
}

async fn five_attempts_lock_the_account_even_for_the_right_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19880808", 321)).await;
    let other = sign_up_via_api(&app, "13600136000", &id_number("19880808", 432)).await;

    // A success gives the slots back: four wrong, one right, four wrong again is not locked.
    for _ in 0..4 {
        assert_eq!(
            api_log_in(&app, &app.client(), PHONE, "guess1234")
                .await
                .status(),
            422
        );
    }
    assert_eq!(
        api_log_in(&app, &app.client(), PHONE, GOOD_PASSWORD)
            .await
            .status(),
        200
    );
    for _ in 0..4 {
        assert_eq!(
            api_log_in(&app, &app.client(), PHONE, "guess1234")
                .await
                .status(),
            422
        );
    }
    // The fifth attempt is still answered; the sixth is not, whatever the password.
    assert_eq!(
        api_log_in(&app, &app.client(), PHONE, "guess1234")
            .await
            .status(),
        422
    );
    let e = ApiError::from(api_log_in(&app, &app.client(), PHONE, GOOD_PASSWORD).await).await;
    assert_eq!(e.status, 429);
    assert_eq!(e.code, "login_throttled");
    assert!(e.message.contains("登录失败次数过多") && e.message.contains("分钟后再试"));
    let wait = e.retry_after.expect("Retry-After");
    assert!((1..=15 * 60).contains(&wait), "{wait}");

    // Through the ID number it is the same account, so the same lock; on the page too.
    let by_id = api_log_in(
        &app,
        &app.client(),
        &id_number("19880808", 321),
        GOOD_PASSWORD,
    )
    .await;
    assert_eq!(by_id.status(), 429);
    let page = page_log_in(&app, &app.client(), PHONE, GOOD_PASSWORD, "/").await;
    assert_eq!(page.status(), 429);
    assert!(page.text().await.unwrap().contains("登录失败次数过多"));

    // Other accounts are not locked out.
    let response = api_log_in(&app, &app.client(), &other.phone, GOOD_PASSWORD).await;
    assert_eq!(response.status(), 200);
}

async fn after_login_the_next_page_is_always_on_this_site(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19880808", 321)).await;

    // Browsers drop tabs and line breaks inside a URL, so "/\t/evil.example" would lead to
    // "//evil.example": another site.
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/\r\n/evil.example/",
    ] {
        // As the login form carries it from a link's ?next=…
        let browser = app.client();
        let form = browser
            .get(app.url("/login"))
            .query(&[("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 200, "{next:?}");
        let html = form.text().await.unwrap();
        assert!(
            html.contains("name=\"next\" value=\"/\""),
            "the form keeps only a local path, not {next:?}"
        );
        // …and as a forged form would post it.
        let done = page_log_in(&app, &browser, PHONE, GOOD_PASSWORD, next).await;
        assert_eq!(done.status(), 303, "{next:?}");
        assert_eq!(location(&done), "/", "{next:?}");
    }
    let done = page_log_in(&app, &app.client(), PHONE, GOOD_PASSWORD, "/plans?level=1").await;
    assert_eq!(location(&done), "/plans?level=1");
}

async fn thirty_failures_from_one_address_hold_that_address_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19880808", 321)).await;

    // Someone tries many accounts, a few guesses each, from one address.
    for i in 0..30 {
        let phone = format!("1360000{i:04}");
        let response = api_log_in(&app, &app.client(), &phone, "guess1234").await;
        assert_eq!(response.status(), 422, "{phone}");
    }
    let e = ApiError::from(api_log_in(&app, &app.client(), PHONE, GOOD_PASSWORD).await).await;
    assert_eq!(e.status, 429);
    assert_eq!(e.code, "login_throttled");
    assert!(e.retry_after.is_some());
}

async fn logging_out_ends_the_session_for_good(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let candidate = sign_up_via_api(&app, PHONE, &id_number("19880808", 321)).await;

    // Through the API.
    let client = app.client();
    let logged_in = api_log_in(&app, &client, PHONE, GOOD_PASSWORD).await;
    let token = session_cookie_set_by(&logged_in).expect("a session cookie");
    let csrf = logged_in.json::<serde_json::Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = client
        .delete(app.url("/api/v1/session"))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let me = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(ApiError::from(me).await.code, "unauthenticated");
    let replayed = client_with_cookie(&token)
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 401, "the old cookie is worth nothing");

    // Through the page's logout button.
    let browser = app.client();
    let logged_in = page_log_in(&app, &browser, PHONE, GOOD_PASSWORD, "/").await;
    let token = session_cookie_set_by(&logged_in).expect("a session cookie");
    let csrf = page_csrf(&app, &browser, "/me").await;
    let out = browser
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let cleared = session_cookie_set_by(&out).expect("the cookie is cleared");
    assert!(cleared.is_empty(), "{cleared}");
    let me = browser.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), 303);
    assert_eq!(location(&me), "/login");
    let replayed = client_with_cookie(&token)
        .get(app.url("/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 303);

    // Logging out one device leaves the others alone.
    let still = candidate
        .client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200);
}

async fn the_session_cookie_is_http_only_same_site_lax_and_renewed_at_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19880808", 321)).await;
    let browser = app.client();

    let form = browser.get(app.url("/login")).send().await.unwrap();
    let header = form
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .expect("the login form starts a session for its CSRF token")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(header.starts_with("skillcert_session="), "{header}");
    let attributes: Vec<&str> = header.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"HttpOnly"), "{header}");
    assert!(attributes.contains(&"SameSite=Lax"), "{header}");
    assert!(attributes.contains(&"Path=/"), "{header}");
    let visitor_token = session_cookie_set_by(&form).unwrap();
    assert!(visitor_token.len() >= 32, "a long random token");

    let csrf = crate::support::csrf_in(&form.text().await.unwrap());
    let logged_in = browser
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("identifier", PHONE),
            ("password", GOOD_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(logged_in.status(), 303);
    let header = logged_in
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax"));
    let account_token = session_cookie_set_by(&logged_in).unwrap();
    assert_ne!(account_token, visitor_token, "no session fixation");

    // Whoever knew the visitor's token does not share the login.
    let fixated = client_with_cookie(&visitor_token)
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(fixated.status(), 401);
    let me = client_with_cookie(&account_token)
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);

    // Browsing plans as a visitor starts no session at all.
    let plans = app.client().get(app.url("/plans")).send().await.unwrap();
    assert!(session_cookie_set_by(&plans).is_none());
}

async fn the_first_start_creates_an_administrator_who_logs_in_as_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let password = app
        .first_admin_password
        .clone()
        .expect("the first start prints the administrator's password");
    assert!(password.len() >= 12);

    let client = app.client();
    let response = api_log_in(&app, &client, "Admin", &password).await;
    assert_eq!(response.status(), 200, "login names ignore case");
    let session: serde_json::Value = response.json().await.unwrap();
    assert_eq!(session["account"]["roles"], json!(["admin"]));
    assert!(session["account"]["phone"].is_null());

    let wrong = api_log_in(&app, &app.client(), "admin", GOOD_PASSWORD).await;
    assert_eq!(ApiError::from(wrong).await.code, "login_failed");

    // The page login works with the login name too.
    let browser = app.client();
    let done = page_log_in(&app, &browser, "admin", &password, "/me").await;
    assert_eq!(done.status(), 303);
    let me = browser.get(app.url("/me")).send().await.unwrap();
    assert!(me.text().await.unwrap().contains("系统管理员"));
}

on_both_backends!(
    a_candidate_logs_in_on_the_login_page_with_their_phone_or_id_number,
    a_candidate_logs_in_through_the_api_with_their_phone_or_id_number,
    a_wrong_password_and_an_unknown_account_get_the_same_answer,
    five_attempts_lock_the_account_even_for_the_right_password,
    after_login_the_next_page_is_always_on_this_site,
    thirty_failures_from_one_address_hold_that_address_back,
    logging_out_ends_the_session_for_good,
    the_session_cookie_is_http_only_same_site_lax_and_renewed_at_login,
    the_first_start_creates_an_administrator_who_logs_in_as_admin,
);
