//! Sign-up in three steps, through the pages and through the API: phone and SMS code; password,
//! email, real name, ID number and role; done. And every way it can be refused.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{
    ApiError, Backend, GOOD_PASSWORD, TestApp, csrf_in, id_number, id_number_with_prefix,
    page_csrf, sign_up_via_api, verified_for_signup,
};

const PHONE: &str = "13800138000";

fn location(response: &reqwest::Response) -> &str {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn details(id: &str) -> serde_json::Value {
    json!({
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
        "email": "lisi@example.com",
        "real_name": "李四",
        "id_number": id,
        "identity": "student",
    })
}

async fn send_signup_code(
    app: &TestApp,
    client: &reqwest::Client,
    phone: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/v1/sms-codes"))
        .json(&json!({ "phone": phone, "purpose": "sign_up" }))
        .send()
        .await
        .unwrap()
}

async fn verify(
    app: &TestApp,
    client: &reqwest::Client,
    phone: &str,
    code: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/v1/signup/verify"))
        .json(&json!({ "phone": phone, "code": code }))
        .send()
        .await
        .unwrap()
}

async fn submit_details(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    body: &serde_json::Value,
) -> reqwest::Response {
    client
        .post(app.url("/api/v1/signup"))
        .header("X-CSRF-Token", csrf)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A six-digit code that is not `code`.
fn another_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

// --- the happy paths ----------------------------------------------------------------------------

async fn a_candidate_signs_up_through_the_pages_and_then_sees_their_own_identifiers_in_full(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let browser = app.client();
    let id = id_number("19900307", 123);

    // Step 1: the form, a code by SMS, the code typed back.
    let form = browser.get(app.url("/signup")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(html.contains("用户注册") && html.contains("name=\"phone\""));
    let csrf = csrf_in(&html);

    let sent = browser
        .post(app.url("/signup/code"))
        .form(&[("csrf", csrf.as_str()), ("phone", PHONE)])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    let html = sent.text().await.unwrap();
    assert!(
        html.contains("验证码已发送至 138****8000"),
        "the page confirms the SMS with the phone masked:\n{html}"
    );

    let outbox = app.outbox();
    assert_eq!(outbox.len(), 1, "one SMS: {outbox:?}");
    let sms = &outbox[0];
    assert_eq!(sms.phone, PHONE);
    assert_eq!(sms.template, "verification_code");
    let code = sms.params["code"].as_str().expect("params.code").to_owned();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
    assert!(sms.text.contains(&code) && sms.text.contains("5 分钟"));
    let age = chrono::Utc::now() - sms.at;
    assert!(age >= chrono::Duration::zero() && age < chrono::Duration::minutes(1));

    let verified = browser
        .post(app.url("/signup/verify"))
        .form(&[("csrf", csrf.as_str()), ("phone", PHONE), ("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 303);
    assert_eq!(location(&verified), "/signup/details");

    // Step 2: the details, the phone shown masked.
    let form = browser
        .get(app.url("/signup/details"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let html = form.text().await.unwrap();
    assert!(html.contains("138****8000"));
    assert!(!html.contains(PHONE), "step 2 shows the phone masked");
    let csrf = csrf_in(&html);
    let created = browser
        .post(app.url("/signup/details"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", GOOD_PASSWORD),
            ("password_confirm", GOOD_PASSWORD),
            ("email", "lisi@example.com"),
            ("real_name", "李四"),
            ("id_number", &id),
            ("identity", "teacher"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    assert_eq!(location(&created), "/signup/done");

    // Step 3: done, and logged in.
    let done = browser.get(app.url("/signup/done")).send().await.unwrap();
    assert_eq!(done.status(), 200);
    let html = done.text().await.unwrap();
    assert!(html.contains("注册成功") && html.contains("李四"));

    let me = browser.get(app.url("/me")).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let html = me.text().await.unwrap();
    assert!(html.contains(PHONE), "the owner sees the full phone");
    assert!(html.contains(&id), "the owner sees the full ID number");
    assert!(html.contains("lisi@example.com") && html.contains("教师"));
}

async fn a_candidate_signs_up_through_the_api_and_reads_their_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    let id = id_number("19851120", 246);

    let sent = send_signup_code(&app, &client, PHONE).await;
    assert_eq!(sent.status(), 202);
    let body: serde_json::Value = sent.json().await.unwrap();
    assert_eq!(body["expires_in"], 300);
    assert_eq!(body["resend_after"], 60);

    let verified = verify(&app, &client, PHONE, &app.last_code_for(PHONE)).await;
    assert_eq!(verified.status(), 200);
    let session: serde_json::Value = verified.json().await.unwrap();
    assert!(session["account"].is_null(), "not an account yet");
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();

    let mut body = details(&id);
    body.as_object_mut().unwrap().remove("password_confirm");
    let created = submit_details(&app, &client, &csrf, &body).await;
    assert_eq!(created.status(), 201);
    let session: serde_json::Value = created.json().await.unwrap();
    assert_eq!(session["account"]["real_name"], "李四");
    assert!(session["csrf_token"].is_string());

    let me = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await.unwrap();
    assert_eq!(me["phone"], PHONE);
    assert_eq!(me["id_number"], id.as_str());
    assert_eq!(me["email"], "lisi@example.com");
    assert_eq!(me["identity"], "student");
    assert_eq!(me["roles"], json!([]));
}

on_both_backends!(
    a_candidate_signs_up_through_the_pages_and_then_sees_their_own_identifiers_in_full,
    a_candidate_signs_up_through_the_api_and_reads_their_account,
);

// --- step 1 refusals ----------------------------------------------------------------------------

async fn a_malformed_phone_number_is_refused_and_no_sms_is_sent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();

    for bad in ["1380013800", "23800138000", "", "138-0013-800a"] {
        let e = ApiError::from(send_signup_code(&app, &client, bad).await).await;
        assert_eq!(e.status, 422, "{bad:?}");
        assert_eq!(e.code, "invalid_input");
        let field = e.field("phone");
        assert!(field.code.starts_with("phone_"), "{field:?}");
        assert!(field.message.contains("手机号"), "{field:?}");
    }

    // The page says the same beside the field.
    let csrf = page_csrf(&app, &client, "/signup").await;
    let page = client
        .post(app.url("/signup/code"))
        .form(&[("csrf", csrf.as_str()), ("phone", "1380013800")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 422);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("请输入正确的 11 位手机号")
    );

    assert!(app.outbox().is_empty(), "no SMS for a bad number");
}

async fn a_phone_that_already_has_an_account_cannot_sign_up_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19900307", 123)).await;
    let before = app.outbox().len();

    let e = ApiError::from(send_signup_code(&app, &app.client(), PHONE).await).await;
    assert_eq!(e.status, 409);
    assert_eq!(e.code, "phone_taken");
    assert_eq!(e.field("phone").code, "phone_taken");
    assert!(e.message.contains("已注册"));
    assert_eq!(app.outbox().len(), before, "no code for a registered phone");

    // Typing the phone's old sign-up code again does not get past step 1 either.
    let e =
        ApiError::from(verify(&app, &app.client(), PHONE, &app.last_code_for(PHONE)).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("code").code, "code_expired");
}

async fn step_one_does_not_tell_a_stranger_which_phones_are_registered(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sign_up_via_api(&app, PHONE, &id_number("19900307", 123)).await;

    // Verifying needs no SMS and is not rate-limited: a guessed code must say nothing about the
    // phone.
    let registered = ApiError::from(verify(&app, &app.client(), PHONE, "123456").await).await;
    let stranger = ApiError::from(verify(&app, &app.client(), "13900139000", "123456").await).await;
    assert_eq!(registered.status, stranger.status);
    assert_eq!(registered.body, stranger.body);
    assert_eq!(registered.field("code").code, "code_expired");
}

async fn a_wrong_code_counts_down_the_tries_and_the_fifth_burns_the_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    assert_eq!(send_signup_code(&app, &client, PHONE).await.status(), 202);
    let right = app.last_code_for(PHONE);
    let wrong = another_code(&right);

    for left in [4, 3, 2, 1] {
        let e = ApiError::from(verify(&app, &client, PHONE, &wrong).await).await;
        assert_eq!(e.status, 422);
        assert_eq!(e.field("code").code, "code_wrong");
        assert!(
            e.field("code")
                .message
                .contains(&format!("还可以再试 {left} 次")),
            "{:?}",
            e.field("code")
        );
    }
    let e = ApiError::from(verify(&app, &client, PHONE, &wrong).await).await;
    assert_eq!(e.field("code").code, "code_attempts_exhausted");
    assert!(e.field("code").message.contains("重新获取"));

    // Now even the right code is refused: the code is dead.
    let e = ApiError::from(verify(&app, &client, PHONE, &right).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("code").code, "code_attempts_exhausted");
    let step2 = submit_details(&app, &client, "", &details(&id_number("19900307", 123))).await;
    assert_eq!(ApiError::from(step2).await.code, "signup_phone_unverified");
}

async fn a_code_that_was_never_sent_or_has_expired_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();

    let e = ApiError::from(verify(&app, &client, PHONE, "123456").await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("code").code, "code_expired");
    assert!(e.field("code").message.contains("失效"));

    assert_eq!(send_signup_code(&app, &client, PHONE).await.status(), 202);
    let code = app.last_code_for(PHONE);
    // Five minutes pass.
    app.execute_sql("UPDATE sms_codes SET expires_at = created_at")
        .await;
    let e = ApiError::from(verify(&app, &client, PHONE, &code).await).await;
    assert_eq!(e.field("code").code, "code_expired");
}

async fn a_code_works_only_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = app.client();
    assert_eq!(send_signup_code(&app, &first, PHONE).await.status(), 202);
    let code = app.last_code_for(PHONE);
    assert_eq!(verify(&app, &first, PHONE, &code).await.status(), 200);

    let second = app.client();
    let e = ApiError::from(verify(&app, &second, PHONE, &code).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("code").code, "code_expired");
    let step2 = submit_details(&app, &second, "", &details(&id_number("19900307", 123))).await;
    assert_eq!(ApiError::from(step2).await.code, "signup_phone_unverified");
}

async fn a_newer_code_supersedes_the_older_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let client = app.client();
    assert_eq!(send_signup_code(&app, &client, PHONE).await.status(), 202);
    let older = app.last_code_for(PHONE);
    // A minute passes, so that the send limit lets the candidate ask again.
    app.forget_sms_sends().await;
    let mut newer = older.clone();
    while newer == older {
        assert_eq!(send_signup_code(&app, &client, PHONE).await.status(), 202);
        newer = app.last_code_for(PHONE);
        app.forget_sms_sends().await;
    }

    let e = ApiError::from(verify(&app, &client, PHONE, &older).await).await;
    assert_eq!(
        e.status, 422,
        "the older SMS is useless once a newer one is sent"
    );
    assert_eq!(verify(&app, &client, PHONE, &newer).await.status(), 200);
}

on_both_backends!(
    a_malformed_phone_number_is_refused_and_no_sms_is_sent,
    a_phone_that_already_has_an_account_cannot_sign_up_again,
    step_one_does_not_tell_a_stranger_which_phones_are_registered,
    a_wrong_code_counts_down_the_tries_and_the_fifth_burns_the_code,
    a_code_that_was_never_sent_or_has_expired_is_refused,
    a_code_works_only_once,
    a_newer_code_supersedes_the_older_one,
);

// --- step 2 refusals ----------------------------------------------------------------------------

async fn id_number_mistakes_are_each_named_and_the_verified_phone_survives_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (client, csrf) = verified_for_signup(&app, PHONE).await;
    let valid = id_number("19900307", 123);
    let wrong_check = {
        let last = if valid.ends_with('1') { '2' } else { '1' };
        format!("{}{last}", &valid[..17])
    };
    let cases = [
        (wrong_check, "id_number_check_digit", "校验位"),
        (
            id_number_with_prefix("45010319900230123"),
            "id_number_birth_date",
            "出生日期",
        ),
        (
            id_number_with_prefix("99010319900307123"),
            "id_number_province",
            "省份",
        ),
        ("4501031990".to_owned(), "id_number_length", "18 位"),
    ];
    for (id, code, words) in cases {
        let e = ApiError::from(submit_details(&app, &client, &csrf, &details(&id)).await).await;
        assert_eq!(e.status, 422, "{id}");
        assert_eq!(e.code, "invalid_input");
        assert_eq!(
            e.field_names().into_iter().collect::<Vec<_>>(),
            ["id_number"]
        );
        assert_eq!(e.field("id_number").code, code, "{id}");
        assert!(
            e.field("id_number").message.contains(words),
            "{:?}",
            e.field("id_number")
        );
    }

    let created = submit_details(&app, &client, &csrf, &details(&valid)).await;
    assert_eq!(
        created.status(),
        201,
        "mistakes do not cost the verified phone"
    );
}

async fn an_id_number_can_belong_to_one_account_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // An ID number whose check character is X; the second candidate types it in lower case.
    let id = (1..1000)
        .map(|sequence| id_number("19900307", sequence))
        .find(|id| id.ends_with('X'))
        .expect("one in eleven sequences gives X");
    sign_up_via_api(&app, PHONE, &id).await;

    let (client, csrf) = verified_for_signup(&app, "13900139000").await;
    let same = format!("{}x", &id[..17]);
    let e = ApiError::from(submit_details(&app, &client, &csrf, &details(&same)).await).await;
    assert_eq!(e.status, 409);
    assert_eq!(e.code, "id_number_taken");
    assert_eq!(e.field("id_number").code, "id_number_taken");
    assert!(e.message.contains("身份证号已注册"));

    let other = submit_details(&app, &client, &csrf, &details(&id_number("19920101", 7))).await;
    assert_eq!(other.status(), 201);
}

async fn a_weak_password_is_refused_with_the_reason(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (client, csrf) = verified_for_signup(&app, PHONE).await;
    let id = id_number("19900307", 123);
    let cases = [
        ("abc123", "password_length", "8–64"),
        ("abcdefgh", "password_composition", "字母和数字"),
        ("a13800138000", "password_contains_personal", "手机号"),
        ("Password1", "password_common", "常见"),
    ];
    for (password, code, words) in cases {
        let mut body = details(&id);
        body["password"] = json!(password);
        body["password_confirm"] = json!(password);
        let e = ApiError::from(submit_details(&app, &client, &csrf, &body).await).await;
        assert_eq!(e.status, 422, "{password}");
        assert_eq!(e.field("password").code, code, "{password}");
        assert!(
            e.field("password").message.contains(words),
            "{:?}",
            e.field("password")
        );
    }
}

async fn a_mismatched_confirmation_or_a_missing_role_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (client, csrf) = verified_for_signup(&app, PHONE).await;
    let id = id_number("19900307", 123);

    let mut body = details(&id);
    body["password_confirm"] = json!("kaoshi2025");
    let e = ApiError::from(submit_details(&app, &client, &csrf, &body).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.field("password_confirm").code, "password_mismatch");
    assert!(
        e.field("password_confirm")
            .message
            .contains("两次输入的密码不一致")
    );

    for identity in [json!(""), json!("boss")] {
        let mut body = details(&id);
        body["identity"] = identity;
        let e = ApiError::from(submit_details(&app, &client, &csrf, &body).await).await;
        assert_eq!(e.field("identity").code, "identity_required");
        assert!(e.field("identity").message.contains("角色"));
    }
    let mut body = details(&id);
    body.as_object_mut().unwrap().remove("identity");
    let e = ApiError::from(submit_details(&app, &client, &csrf, &body).await).await;
    assert_eq!(e.field("identity").code, "identity_required");
}

async fn every_mistake_in_step_two_is_reported_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (client, csrf) = verified_for_signup(&app, PHONE).await;
    let body = json!({
        "password": "short",
        "password_confirm": "different",
        "email": "not-an-email",
        "real_name": "",
        "id_number": "450103199002301231",
        "identity": "",
    });
    let e = ApiError::from(submit_details(&app, &client, &csrf, &body).await).await;
    assert_eq!(e.status, 422);
    assert_eq!(e.code, "invalid_input");
    assert_eq!(
        e.field_names().into_iter().collect::<Vec<_>>(),
        [
            "email",
            "id_number",
            "identity",
            "password",
            "password_confirm",
            "real_name"
        ]
    );
    assert_eq!(e.message, "请修改标出的内容后再提交");
    assert!(
        e.fields
            .iter()
            .all(|f| crate::support::is_chinese(&f.message)),
        "{:?}",
        e.fields
    );

    // The page shows each message beside its field, keeps what was typed, and never sends a
    // password back.
    let browser = app.client();
    let csrf = page_csrf(&app, &browser, "/signup").await;
    // This browser's own step 1 (a minute later): the API client verified the phone for itself.
    app.forget_sms_sends().await;
    let code_sent = browser
        .post(app.url("/signup/code"))
        .form(&[("csrf", csrf.as_str()), ("phone", PHONE)])
        .send()
        .await
        .unwrap();
    assert_eq!(code_sent.status(), 200);
    let code = app.last_code_for(PHONE);
    let verified = browser
        .post(app.url("/signup/verify"))
        .form(&[("csrf", csrf.as_str()), ("phone", PHONE), ("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 303);
    let page = browser
        .post(app.url("/signup/details"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", "short7a"),
            ("password_confirm", "different"),
            ("email", "not-an-email"),
            ("real_name", "王五"),
            ("id_number", "450103199002301231"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 422);
    let html = page.text().await.unwrap();
    for message in [
        "密码长度需为 8–64 位",
        "两次输入的密码不一致",
        "邮箱格式不正确",
        "身份证号中的出生日期不正确",
        "请选择用户角色",
        "请修改标出的内容后再提交",
    ] {
        assert!(
            html.contains(message),
            "the page shows {message:?}:\n{html}"
        );
    }
    assert!(html.contains("value=\"王五\""), "what was typed stays");
    assert!(!html.contains("short7a"), "a password is never sent back");
}

async fn step_two_needs_a_phone_verified_in_step_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;

    // Pages: back to step 1.
    let browser = app.client();
    let page = browser
        .get(app.url("/signup/details"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(location(&page), "/signup");
    let csrf = page_csrf(&app, &browser, "/signup").await;
    let id = id_number("19900307", 123);
    let posted = browser
        .post(app.url("/signup/details"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", GOOD_PASSWORD),
            ("password_confirm", GOOD_PASSWORD),
            ("real_name", "李四"),
            ("id_number", &id),
            ("identity", "worker"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    assert_eq!(location(&posted), "/signup");

    // API: a conflict that says what to do.
    let e = ApiError::from(
        app.client()
            .post(app.url("/api/v1/signup"))
            .json(&details(&id))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(e.status, 409);
    assert_eq!(e.code, "signup_phone_unverified");
    assert!(e.message.contains("验证"));

    // Nobody was registered: the ID number is still free.
    sign_up_via_api(&app, PHONE, &id).await;
}

on_both_backends!(
    id_number_mistakes_are_each_named_and_the_verified_phone_survives_them,
    an_id_number_can_belong_to_one_account_only,
    a_weak_password_is_refused_with_the_reason,
    a_mismatched_confirmation_or_a_missing_role_is_refused,
    every_mistake_in_step_two_is_reported_at_once,
    step_two_needs_a_phone_verified_in_step_one,
);

// --- races ----------------------------------------------------------------------------------------

/// Sends `codes` to the verify endpoint all at once, each from its own client; returns the answers
/// as (status, field code).
async fn verify_at_once(app: &TestApp, phone: &str, codes: Vec<String>) -> Vec<(u16, String)> {
    let mut tasks = tokio::task::JoinSet::new();
    for code in codes {
        let client = app.client();
        let url = app.url("/api/v1/signup/verify");
        let phone = phone.to_owned();
        tasks.spawn(async move {
            let response = client
                .post(url)
                .json(&json!({ "phone": phone, "code": code }))
                .send()
                .await
                .unwrap();
            if response.status() == 200 {
                (200, String::new())
            } else {
                let e = ApiError::from(response).await;
                let field = e.field("code").clone();
                (e.status, format!("{}: {}", field.code, field.message))
            }
        });
    }
    tasks.join_all().await
}

async fn guesses_sent_at_once_get_no_more_than_five_tries_between_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        send_signup_code(&app, &app.client(), PHONE).await.status(),
        202
    );
    let right = app.last_code_for(PHONE);
    let wrong: Vec<String> = (1..=20)
        .map(|i| format!("{:06}", (right.parse::<u32>().unwrap() + i) % 1_000_000))
        .collect();

    let answers = verify_at_once(&app, PHONE, wrong).await;
    let judged: Vec<&String> = answers
        .iter()
        .map(|(_, field)| field)
        .filter(|field| field.starts_with("code_wrong"))
        .collect();
    assert!(
        judged.len() <= 4,
        "five tries in all, however they arrive; {} guesses were told to try again: {answers:?}",
        judged.len()
    );
    let mut distinct = judged.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        judged.len(),
        "each try counted once: {judged:?}"
    );

    let e = ApiError::from(verify(&app, &app.client(), PHONE, &right).await).await;
    assert_eq!(e.field("code").code, "code_attempts_exhausted");
}

async fn the_right_code_sent_twice_at_once_works_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(
        send_signup_code(&app, &app.client(), PHONE).await.status(),
        202
    );
    let right = app.last_code_for(PHONE);

    let answers = verify_at_once(&app, PHONE, vec![right; 8]).await;
    let accepted = answers.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(accepted, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .filter(|(status, _)| *status != 200)
            .all(|(status, field)| *status == 422 && field.starts_with("code_expired")),
        "{answers:?}"
    );
}

on_both_backends!(
    guesses_sent_at_once_get_no_more_than_five_tries_between_them,
    the_right_code_sent_twice_at_once_works_once,
);
