//! Paying the exam fee through the real router: the simulated provider's whole loop (QR code,
//! confirm page, callback, 缴费成功), an expired QR code replaced, expiry at the deadline with
//! the seat given back, a payment landing while its order was being closed, a late payment
//! refunded, withdrawal with a refund followed to completion, and WeChat Pay through a local
//! fake server that signs and encrypts its callbacks: repeated, tampered with, skewed, for the
//! wrong amount and for orders we never made. No test may end with money lost or taken twice.

use chrono::{Duration, Utc};
use domain::money::Fen;
use integrations::payments::wechat::fake::{
    self, CallbackFault, FakeWechatPay, signed_callback, transaction_resource,
};
use serde_json::Value;

use crate::on_both_backends;
use crate::support::staff::approved_application;
use crate::support::{Backend, Candidate, TestApp, csrf_in};

async fn payment(app: &TestApp, c: &Candidate, id: i64) -> Value {
    let r = c
        .client
        .get(app.url(&format!("/api/v1/applications/{id}/payment")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn open_order(app: &TestApp, c: &Candidate, id: i64) -> Value {
    let r = c
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/payment/order")))
        .header("X-CSRF-Token", &c.csrf)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

/// Runs the background sweep once, as the worker does.
async fn sweep(app: &TestApp) -> payments::SweepReport {
    let payments = payments::Payments::simulated(app.store_db().await, Default::default());
    payments.sweep(Utc::now()).await
}

/// A few sweeps, a moment apart: what the worker does over a minute. (A round whose write
/// meets the app's own on SQLite leaves the rest to the next round, as in production.)
async fn sweeps(app: &TestApp) {
    for _ in 0..3 {
        sweep(app).await;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.store_db().await;
    use sea_orm::ConnectionTrait;
    let row = db
        .reader()
        .query_one_raw(sea_orm::Statement::from_string(
            db.reader().get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// Runs `sql` with `$1` bound to a minute ago, through the store (so that the instant is
/// stored as the application stores it on either backend).
async fn set_past(app: &TestApp, sql: &str) {
    use sea_orm::ConnectionTrait;
    let db = app.store_db().await;
    let backend = db.writer().get_database_backend();
    let sql = if backend == sea_orm::DatabaseBackend::Sqlite {
        sql.replace("$1", "?")
    } else {
        sql.to_owned()
    };
    let past = Utc::now() - Duration::minutes(1);
    db.writer()
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend,
            sql,
            [past.into()],
        ))
        .await
        .unwrap();
}

/// The application's QR code and its payment deadline both passed a minute ago.
async fn deadline_passes(app: &TestApp, id: i64) {
    set_past(
        app,
        &format!("UPDATE payment_orders SET expires_at = $1 WHERE application_id = {id}"),
    )
    .await;
    set_past(
        app,
        &format!("UPDATE applications SET payment_due_at = $1 WHERE id = {id}"),
    )
    .await;
}

/// How many orders `condition` (SQL on `payment_orders`) holds for.
async fn orders_where(app: &TestApp, condition: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) FROM payment_orders WHERE {condition}"),
    )
    .await
}

async fn seats_left(app: &TestApp, c: &Candidate, plan_id: i64) -> i64 {
    let plan: Value = c
        .client
        .get(app.url(&format!("/api/v1/plans/{plan_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    plan["seats_left"].as_i64().expect("seats_left")
}

async fn paying_with_the_simulated_provider(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700002001", 21).await;
    let (c, id) = (&s.candidate, s.application_id);

    let before = payment(&app, c, id).await;
    assert_eq!(before["status"], "approved");
    assert_eq!(before["paid"], false);
    assert!(
        before["due_at"].is_string(),
        "a deadline is set on approval"
    );

    // The approval SMS (after the sign-up code and the submission's) quotes the deadline.
    let sms = app.wait_for_sms_to(&c.phone, 3).await;
    let approval = &sms[2];
    assert_eq!(approval.template, "application_approved", "{sms:?}");
    let year = Utc::now().format("%Y").to_string();
    assert!(
        approval.text.contains("缴纳")
            && approval.text.contains(&year)
            && !approval.text.contains("缴费截止前"),
        "the deadline itself, not the placeholder's fallback: {}",
        approval.text
    );

    // The 待缴费 page draws the QR code; opening again gives the same order.
    let page = c
        .client
        .get(app.url(&format!("/applications/{id}/pay")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("待缴费") && html.contains("<svg"), "{html}");
    let opened = open_order(&app, c, id).await;
    let order = &opened["order"];
    assert_eq!(order["state"], "pending");
    let number = order["out_trade_no"].as_str().unwrap().to_owned();
    assert!(number.starts_with(&format!("SC{id}-1-")), "{number}");
    let code_url = order["code_url"].as_str().unwrap().to_owned();
    assert!(
        code_url.ends_with(&format!("/pay/simulated/{number}")),
        "{code_url}"
    );
    assert_eq!(
        open_order(&app, c, id).await["order"]["out_trade_no"],
        number.as_str()
    );

    // The candidate's word alone changes nothing.
    let checked = c
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/payment/check")))
        .header("X-CSRF-Token", &c.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(checked.status(), 200);
    assert_eq!(payment(&app, c, id).await["paid"], false);

    // Another device scans and confirms (no session needed).
    let phone = reqwest::Client::new();
    let confirm_page = phone
        .get(&code_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confirm_page.contains("确认支付"), "{confirm_page}");
    let confirmed = phone
        .post(&code_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confirmed.contains("支付成功"), "{confirmed}");

    let after = payment(&app, c, id).await;
    assert_eq!(after["status"], "paid");
    assert_eq!(after["paid"], true);
    assert_eq!(after["order"]["state"], "paid");
    assert!(
        after["order"]["transaction_id"]
            .as_str()
            .unwrap()
            .starts_with("SIM")
    );
    let paid_page = c
        .client
        .get(app.url(&format!("/applications/{id}/pay")))
        .send()
        .await
        .unwrap();
    let html = paid_page.text().await.unwrap();
    assert!(
        html.contains("缴费成功") && html.contains(&number),
        "{html}"
    );

    // Confirming again, checking, sweeping: still one payment, one 缴费成功 on the timeline.
    let again = phone
        .post(&code_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        again.contains("支付成功") || again.contains("已支付"),
        "{again}"
    );
    sweep(&app).await;
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM application_events WHERE application_id = {id} AND kind = 'paid'")).await,
        1
    );
    assert_eq!(
        orders_where(&app, &format!("application_id = {id} AND state = 'paid'")).await,
        1
    );
    // And the candidate hears of it once.
    let sms = app.wait_for_sms_to(&c.phone, 4).await;
    assert_eq!(
        sms.iter()
            .filter(|m| m.template == "application_paid")
            .count(),
        1,
        "{sms:?}"
    );

    // A forged callback is refused; a callback for another provider is not ours.
    let forged = reqwest::Client::new()
        .post(app.url("/api/v1/payments/notify/simulated"))
        .header("Wechatpay-Timestamp", Utc::now().timestamp().to_string())
        .header("Wechatpay-Nonce", "n")
        .header("Wechatpay-Signature", "AAAA")
        .header("Wechatpay-Serial", "SIMULATED")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    let body: Value = forged.json().await.unwrap();
    assert_eq!(body["code"], "FAIL");
    let other = reqwest::Client::new()
        .post(app.url("/api/v1/payments/notify/wechat"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
}

async fn an_expired_qr_code_is_closed_before_a_new_one_is_opened(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700002002", 23).await;
    let (c, id) = (&s.candidate, s.application_id);
    let first = open_order(&app, c, id).await["order"].clone();
    let first_no = first["out_trade_no"].as_str().unwrap().to_owned();
    let first_url = first["code_url"].as_str().unwrap().to_owned();
    set_past(
        &app,
        &format!("UPDATE payment_orders SET expires_at = $1 WHERE out_trade_no = '{first_no}'"),
    )
    .await;
    let second = open_order(&app, c, id).await["order"].clone();
    assert_ne!(second["out_trade_no"], first_no.as_str());
    assert!(
        second["out_trade_no"]
            .as_str()
            .unwrap()
            .starts_with(&format!("SC{id}-2-"))
    );
    assert_eq!(
        orders_where(
            &app,
            &format!("out_trade_no = '{first_no}' AND state = 'closed'")
        )
        .await,
        1
    );
    // The old code can no longer be paid at the provider either.
    let old = reqwest::Client::new()
        .post(&first_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(old.contains("未能支付"), "{old}");
    assert_eq!(payment(&app, c, id).await["paid"], false);
}

async fn an_unpaid_application_expires_at_its_deadline_and_gives_its_seat_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700002003", 25).await;
    let (c, id) = (&s.candidate, s.application_id);
    open_order(&app, c, id).await;
    let seats = seats_left(&app, c, s.plan_id).await;
    deadline_passes(&app, id).await;
    sweeps(&app).await;
    let after = payment(&app, c, id).await;
    assert_eq!(after["status"], "expired");
    assert_eq!(
        orders_where(
            &app,
            &format!("application_id = {id} AND state = 'pending'")
        )
        .await,
        0
    );
    // The plan pages' cache lives a second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(seats_left(&app, c, s.plan_id).await, seats + 1);
    // Paying is refused now, with its code.
    let refused = c
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/payment/order")))
        .header("X-CSRF-Token", &c.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "payment_not_needed");
}

async fn a_payment_landing_while_the_order_closes_is_recorded_not_lost(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700002004", 27).await;
    let (c, id) = (&s.candidate, s.application_id);
    let order = open_order(&app, c, id).await["order"].clone();
    let number = order["out_trade_no"].as_str().unwrap().to_owned();
    // The candidate paid; the callback was lost.
    let db = app.store_db().await;
    store::payments::simulated::pay(&db, &number, "SIMLOST1", Utc::now())
        .await
        .unwrap();
    // Then the deadline passed before anyone looked.
    deadline_passes(&app, id).await;
    sweeps(&app).await;
    let after = payment(&app, c, id).await;
    assert_eq!(after["status"], "paid", "{after}");
    assert_eq!(after["order"]["transaction_id"], "SIMLOST1");
}

async fn money_for_a_closed_code_after_payment_is_refunded_automatically(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700002005", 29).await;
    let (c, id) = (&s.candidate, s.application_id);
    let first = open_order(&app, c, id).await["order"]["out_trade_no"]
        .as_str()
        .unwrap()
        .to_owned();
    set_past(
        &app,
        &format!("UPDATE payment_orders SET expires_at = $1 WHERE out_trade_no = '{first}'"),
    )
    .await;
    let second = open_order(&app, c, id).await["order"].clone();
    let url = second["code_url"].as_str().unwrap();
    reqwest::Client::new().post(url).send().await.unwrap();
    assert_eq!(payment(&app, c, id).await["status"], "paid");
    // The provider took money on the first (closed) code after all, and says so late.
    app.execute_sql(&format!(
        "UPDATE simulated_pay_orders SET trade_state = 'SUCCESS', transaction_id = 'SIMLATE', paid_at = expires_at WHERE out_trade_no = '{first}'"
    ))
    .await;
    let payments = payments::Payments::simulated(app.store_db().await, Default::default());
    let db = app.store_db().await;
    let order = store::payments::by_number(&db, &first)
        .await
        .unwrap()
        .unwrap();
    // This test's second connection to the SQLite file can meet the app's own write (a
    // stale snapshot); the sweep would simply ask again, and so does the test.
    let mut checked = payments.check(&order, "sweep", Utc::now()).await;
    for _ in 0..10 {
        if checked.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        checked = payments.check(&order, "sweep", Utc::now()).await;
    }
    checked.unwrap();
    // Recorded, and all of it on its way back; the application keeps its one payment.
    let view = payment(&app, c, id).await;
    assert_eq!(view["status"], "paid");
    let refunds = view["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 1, "{view}");
    assert_eq!(refunds[0]["cause"], "重复支付自动退款");
    sweeps(&app).await;
    let order = store::payments::by_number(&db, &first)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.state, domain::payments::OrderState::Refunded);
    assert_eq!(order.refunded, order.amount);
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM simulated_pay_refunds WHERE out_trade_no = '{first}'")
        )
        .await,
        1,
        "refunded once at the provider"
    );
}

async fn withdrawing_a_paid_application_refunds_it_to_completion(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700002006", 31).await;
    let (c, id) = (&s.candidate, s.application_id);
    let order = open_order(&app, c, id).await["order"].clone();
    reqwest::Client::new()
        .post(order["code_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let seats = seats_left(&app, c, s.plan_id).await;
    let page = c
        .client
        .get(app.url(&format!("/applications/{id}/pay")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("撤回报名并退费"), "{page}");
    let withdrawn = c
        .client
        .post(app.url(&format!("/applications/{id}/withdraw")))
        .form(&[("csrf", csrf_in(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(withdrawn.status(), 303);
    let view = payment(&app, c, id).await;
    assert_eq!(view["status"], "withdrawn");
    let refund = &view["refunds"][0];
    assert_eq!(refund["amount_fen"], order["amount_fen"]);
    assert_eq!(refund["state"], "processing", "{view}");
    // The sweep follows it to the end.
    sweeps(&app).await;
    let view = payment(&app, c, id).await;
    assert_eq!(view["refunds"][0]["state"], "succeeded", "{view}");
    assert_eq!(view["order"]["state"], "refunded");
    // The plan pages' cache lives a second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(seats_left(&app, c, s.plan_id).await, seats + 1);
    let page = c
        .client
        .get(app.url(&format!("/applications/{id}/pay")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("退款成功"), "{page}");
    assert_eq!(
        view["paid"], false,
        "a withdrawn application's fee is refunded, not paid"
    );
    assert!(!page.contains("缴费成功"), "{page}");
    // And the candidate is told, once, in the app.
    let notices: Value = c
        .client
        .get(app.url("/api/v1/notifications"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = notices.to_string();
    assert_eq!(text.matches("退款成功").count(), 1, "{notices:#}");
}

async fn a_later_plan_deadline_extends_every_waiting_application(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700002008", 35).await;
    let (c, id) = (&s.candidate, s.application_id);
    let admin = app
        .staff(
            "kaowu",
            "考务",
            &[domain::accounts::StaffRole::ExamAdministrator],
        )
        .await;
    let plan: Value = admin
        .client
        .get(app.url(&format!("/api/v1/staff/plans/{}", s.plan_id)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let exam: chrono::DateTime<Utc> = plan["exam_starts_at"].as_str().unwrap().parse().unwrap();
    let before = payment(&app, c, id).await["due_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let later = exam - Duration::hours(1);
    let mut body = plan.clone();
    body["site_ids"] = plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|site| site["id"].clone())
        .collect();
    body["payment_closes_at"] = Value::String(later.to_rfc3339());
    let updated = admin
        .client
        .put(app.url(&format!("/api/v1/staff/plans/{}", s.plan_id)))
        .header("X-CSRF-Token", &admin.csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.status(), 200, "{}", updated.text().await.unwrap());
    let after = payment(&app, c, id).await["due_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(after, before);
    assert_eq!(after, domain::time::format_instant(later));
}

async fn withdrawing_before_paying_closes_the_qr_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let s = approved_application(&app, "13700002009", 37).await;
    let (c, id) = (&s.candidate, s.application_id);
    let order = open_order(&app, c, id).await["order"].clone();
    let url = order["code_url"].as_str().unwrap().to_owned();
    let withdrawn = c
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/withdraw")))
        .header("X-CSRF-Token", &c.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(withdrawn.status(), 200);
    let number = order["out_trade_no"].as_str().unwrap();
    assert_eq!(
        orders_where(
            &app,
            &format!("out_trade_no = '{number}' AND state = 'closed'")
        )
        .await,
        1
    );
    let scanned = reqwest::Client::new()
        .post(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(scanned.contains("未能支付"), "{scanned}");
}

/// WeChat Pay's settings pointing at the fake server, its keys written where the
/// configuration reads them.
fn wechat_config(
    fake: &FakeWechatPay,
) -> impl FnOnce(&mut skillcert::config::Config, &std::path::Path) {
    let wechat = fake.config();
    move |config, dir| {
        let key = dir.join("apiclient_key.pem");
        std::fs::write(&key, &wechat.merchant_private_key_pem).unwrap();
        let mut certificates = Vec::new();
        for (i, pem) in wechat.platform_certificates_pem.iter().enumerate() {
            let path = dir.join(format!("wechatpay_{i}.pem"));
            std::fs::write(&path, pem).unwrap();
            certificates.push(path);
        }
        config.payments = skillcert::config::PaymentsConfig {
            provider: skillcert::config::PaymentProviderName::Wechat,
            site_url: Some("https://skillcert.test".into()),
            sweep_seconds: 3600,
            wechat: Some(skillcert::config::WechatSettings {
                endpoint: Some(wechat.endpoint.clone()),
                mchid: wechat.mchid.clone(),
                appid: wechat.appid.clone(),
                merchant_serial_no: wechat.merchant_serial_no.clone(),
                private_key_file: Some(key),
                apiv3_key: Some(skillcert::config::Secret::new(wechat.apiv3_key.clone())),
                platform_certificate_files: certificates,
                public_key_file: None,
                public_key_id: None,
                timeout_secs: Some(5),
            }),
        };
    }
}

async fn wechat_pay_callbacks_apply_once_and_refuse_what_cannot_be_trusted(backend: Backend) {
    let fake = FakeWechatPay::start().await;
    let app = TestApp::spawn_with(backend, wechat_config(&fake)).await;
    let s = approved_application(&app, "13700002007", 33).await;
    let (c, id) = (&s.candidate, s.application_id);
    let opened = open_order(&app, c, id).await["order"].clone();
    let number = opened["out_trade_no"].as_str().unwrap().to_owned();
    assert!(
        opened["code_url"]
            .as_str()
            .unwrap()
            .starts_with("weixin://"),
        "{opened}"
    );
    assert!(
        fake.refused_requests().is_empty(),
        "our signatures pass: {:?}",
        fake.refused_requests()
    );
    fake.pay(&number).unwrap();
    let notify = app.url("/api/v1/payments/notify/wechat");

    // What cannot be trusted changes nothing and is answered FAIL (WeChat Pay sends it again).
    for (fault, status) in [
        (CallbackFault::BadSignature, 401),
        (CallbackFault::SkewedTimestamp(360), 401),
        (CallbackFault::UnknownSerial, 401),
        (CallbackFault::WrongApiV3Key, 401),
        (CallbackFault::WrongAmount, 400),
    ] {
        let (got, body) = fake
            .send_payment_callback(&number, &notify, Some(fault))
            .await
            .unwrap();
        assert_eq!(got, status, "{fault:?}: {body}");
        assert!(body.contains("FAIL"), "{body}");
        assert_eq!(
            payment(&app, c, id).await["status"],
            "approved",
            "{fault:?}"
        );
    }
    // A callback for an order we never made.
    let stranger = signed_callback(
        fake.platform(),
        fake::APIV3_KEY,
        "TRANSACTION.SUCCESS",
        &transaction_resource(
            "SC999999-1-ABCDEF",
            "4200000000000000001",
            Fen(100),
            Utc::now(),
        ),
        Utc::now(),
    );
    assert_eq!(stranger.post(&notify).await.unwrap().0, 404);

    // The true one, ten times, some racing: paid once.
    let sends: Vec<_> = (0..10)
        .map(|_| {
            let callback = fake.callback_for_order(&number, None).unwrap();
            let url = notify.clone();
            async move { callback.post(&url).await.unwrap().0 }
        })
        .collect();
    let answers = futures_join(sends).await;
    assert!(answers.iter().all(|s| *s == 204), "{answers:?}");
    let view = payment(&app, c, id).await;
    assert_eq!(view["status"], "paid");
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM application_events WHERE application_id = {id} AND kind = 'paid'")).await,
        1
    );
    // A query after the callbacks agrees and changes nothing.
    let checked = c
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/payment/check")))
        .header("X-CSRF-Token", &c.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(checked.status(), 200);
    assert_eq!(
        orders_where(&app, &format!("application_id = {id}")).await,
        1
    );

    // Withdrawal: the refund goes to WeChat Pay, its callback completes it.
    let withdrawn = c
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/withdraw")))
        .header("X-CSRF-Token", &c.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(
        withdrawn.status(),
        200,
        "{}",
        withdrawn.text().await.unwrap()
    );
    let refunds = fake.refunds_of(&number);
    assert_eq!(refunds.len(), 1, "asked once");
    let refund_no = refunds[0].out_refund_no.clone();
    fake.complete_refund(&refund_no).unwrap();
    let callback = fake.callback_for_refund(&refund_no, None).unwrap();
    assert_eq!(callback.post(&notify).await.unwrap().0, 204);
    assert_eq!(
        callback.post(&notify).await.unwrap().0,
        204,
        "a repeat is taken too"
    );
    let view = payment(&app, c, id).await;
    assert_eq!(view["status"], "withdrawn");
    assert_eq!(view["refunds"][0]["state"], "succeeded", "{view}");
    assert_eq!(view["order"]["state"], "refunded");
    assert_eq!(fake.refunds_of(&number).len(), 1, "never refunded twice");
}

/// Runs the futures at once and collects their results in order.
async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

on_both_backends!(paying_with_the_simulated_provider);
on_both_backends!(an_expired_qr_code_is_closed_before_a_new_one_is_opened);
on_both_backends!(an_unpaid_application_expires_at_its_deadline_and_gives_its_seat_back);
on_both_backends!(a_payment_landing_while_the_order_closes_is_recorded_not_lost);
on_both_backends!(money_for_a_closed_code_after_payment_is_refunded_automatically);
on_both_backends!(withdrawing_a_paid_application_refunds_it_to_completion);
on_both_backends!(a_later_plan_deadline_extends_every_waiting_application);
on_both_backends!(withdrawing_before_paying_closes_the_qr_code);
on_both_backends!(wechat_pay_callbacks_apply_once_and_refuse_what_cannot_be_trusted);
