//! Paying the exam fee in the browser (issue 6), on a fresh database with the simulated provider.
//!
//! On a desktop window (`browser-artifacts/desktop-payment/`): a candidate whose application a
//! reviewer approved (through the API) opens the status page, follows 去缴费, sees the amount and
//! the QR code, opens the simulated confirm page in a second tab and pays there; back in the
//! first tab the page turns to 缴费成功 by itself (the script polls the payment's status) and
//! shows the receipt with the order number.
//!
//! On a 375×812 phone (`browser-artifacts/phone-payment/`): the pay page fits, pressing
//! 我已支付，刷新状态 before paying says that no payment has arrived yet, the countdown says when
//! the code has expired (the script told so by a stand-in for the API), and the confirm page and
//! 缴费成功 fit the phone too.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::driver::{self, Browser, DESKTOP, Viewport};
use crate::support::staff::{Submitted, submitted_application};
use crate::support::{GOOD_PASSWORD, TestApp};
use crate::{ONE_BROWSER_AT_A_TIME, Session};
use domain::accounts::StaffRole;

/// A small phone (iPhone X/11 Pro size).
const SMALL_PHONE: Viewport = Viewport {
    name: "phone-375",
    width: 375,
    height: 812,
    mobile: true,
};

/// How soon the first tab must notice the payment (it asks every 3 s).
const NOTICED_WITHIN: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_on_a_desktop() {
    if !driver::browser_tests_enabled() {
        return;
    }
    let _one_at_a_time = ONE_BROWSER_AT_A_TIME.lock().await;
    let session = Session::open(DESKTOP, "desktop-payment").await;
    pay_with_a_second_tab(&session.browser, &session.app).await;
    session.close("payment").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_check_before_paying_on_a_phone() {
    if !driver::browser_tests_enabled() {
        return;
    }
    let _one_at_a_time = ONE_BROWSER_AT_A_TIME.lock().await;
    let session = Session::open(SMALL_PHONE, "phone-payment").await;
    check_before_paying(&session.browser, &session.app).await;
    session.close("payment check").await;
}

/// A submitted application approved by a reviewer through the API: 待缴费.
async fn approved_application(app: &TestApp, phone: &str, sequence: u16) -> Submitted {
    let s = submitted_application(app, phone, sequence).await;
    let id = s.application_id;
    let reviewer = app.staff("qian", "钱审核", &[StaffRole::Reviewer]).await;
    let view: Value = reviewer
        .client
        .get(app.url(&format!("/api/v1/staff/review/{id}")))
        .send()
        .await
        .expect("GET the review")
        .json()
        .await
        .expect("the review as JSON");
    for (path, body) in [
        (format!("/api/v1/staff/review/{id}/claim"), json!({})),
        (
            format!("/api/v1/staff/review/{id}/approve"),
            json!({ "seen": view["seen"] }),
        ),
    ] {
        let response = reviewer
            .client
            .post(app.url(&path))
            .header("X-CSRF-Token", &reviewer.csrf)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "POST {path}: {status} {text}");
    }
    s
}

async fn candidate_login(b: &Browser, phone: &str) {
    b.client.delete_all_cookies().await.expect("sign out");
    b.goto("/login").await;
    b.fill("#identifier", phone).await;
    b.fill("#password", GOOD_PASSWORD).await;
    b.click_and_load(Locator::XPath("//button[normalize-space()='登录']"))
        .await;
    b.find(Locator::Css("details.avatar-menu")).await;
}

/// The QR code is drawn (an `<svg>` in `[data-testid=qr]`), at most 240 px wide and wholly
/// inside the window.
async fn assert_qr_shown(b: &Browser) {
    b.find(Locator::Css("[data-testid='qr'] svg")).await;
    let rect = b
        .js(
            "const r = document.querySelector(\"[data-testid='qr'] svg\").getBoundingClientRect(); \
             return [r.left, r.right, r.width, r.height, window.innerWidth];",
        )
        .await;
    let n = |i: usize| rect[i].as_f64().unwrap_or(f64::NAN);
    let (left, right, width, height, window) = (n(0), n(1), n(2), n(3), n(4));
    assert!(
        (120.0..=240.0).contains(&width),
        "the QR code is 120–240 px wide: {rect}"
    );
    assert!(
        (width - height).abs() < 1.0,
        "the QR code is square: {rect}"
    );
    assert!(
        left >= 0.0 && right <= window,
        "the QR code is inside the window: {rect}"
    );
}

/// The countdown, once the script has taken it over: "剩余 mm:ss".
async fn wait_countdown(b: &Browser) -> String {
    b.wait_until("the countdown to read 剩余 mm:ss", async || {
        let text = b
            .js("const c = document.querySelector('[data-countdown]'); return c ? c.textContent : ''")
            .await;
        let text = text.as_str().unwrap_or_default().to_owned();
        let mmss = text.strip_prefix("剩余 ")?;
        let digits: Vec<&str> = mmss.split(':').collect();
        (digits.len() == 2 && digits.iter().all(|d| d.len() == 2 && d.parse::<u32>().is_ok()))
            .then_some(text)
    })
    .await
}

async fn pay_with_a_second_tab(b: &Browser, app: &TestApp) {
    let s = approved_application(app, "13300133006", 91).await;
    let id = s.application_id;
    let pay_path = format!("/applications/{id}/pay");

    b.step("status-approved", async {
        candidate_login(b, &s.candidate.phone).await;
        b.goto(&format!("/applications/{id}")).await;
        let text = b.wait_text("待缴费").await;
        assert!(text.contains("去缴费"), "{text}");
        b.shot("status-approved").await;
    })
    .await;

    let order_no = b
        .step("pay-page", async {
            b.click_and_load(Locator::Css("a[data-testid='pay']")).await;
            assert_eq!(b.path().await, pay_path);
            b.wait_text("待缴费").await;
            let amount = b.text_of(Locator::Css("[data-testid='amount']")).await;
            assert!(
                amount.starts_with('¥') && amount.contains('.'),
                "the amount in yuan: {amount}"
            );
            assert_qr_shown(b).await;
            let order_no = b.text_of(Locator::Css("[data-testid='order-no']")).await;
            assert!(!order_no.trim().is_empty(), "an order number");
            let left = wait_countdown(b).await;
            assert_ne!(left, "剩余 00:00", "time is left");
            b.shot("pay-desktop").await;
            order_no.trim().to_owned()
        })
        .await;

    let first_tab = b.client.window().await.expect("the first tab");
    b.step("simulated-confirm", async {
        let href = b
            .find(Locator::Css("[data-testid='simulated-link']"))
            .await
            .attr("href")
            .await
            .expect("the link's href")
            .expect("an href");
        let path = href
            .strip_prefix(&b.base)
            .unwrap_or_else(|| panic!("the simulated page is on this site: {href}"));
        assert!(path.starts_with("/pay/simulated/"), "{href}");
        // The first tab's document, to tell later that it was replaced without our help.
        b.js("window.__skillcertOldPage = true; return true;").await;
        let tab = b.client.new_window(true).await.expect("a second tab");
        b.client
            .switch_to_window(tab.handle)
            .await
            .expect("switch to the second tab");
        b.goto(path).await;
        let text = b.wait_text("确认付款").await;
        assert!(text.contains("模拟支付"), "{text}");
        assert!(text.contains(&order_no), "the order {order_no}: {text}");
        b.shot("simulated-confirm").await;
        b.click_and_load(Locator::Css("[data-testid='simulated-confirm']"))
            .await;
        let outcome = b
            .text_of(Locator::Css("[data-testid='simulated-outcome']"))
            .await;
        assert!(outcome.contains("支付成功"), "{outcome}");
        b.shot("simulated-paid").await;
        b.client.close_window().await.expect("close the second tab");
        b.client
            .switch_to_window(first_tab)
            .await
            .expect("back to the first tab");
    })
    .await;

    b.step("paid-by-itself", async {
        let started = Instant::now();
        b.wait_until(
            "the first tab to turn to 缴费成功 by itself",
            async || {
                let shown = b
                    .client
                    .execute(
                        "return !window.__skillcertOldPage && document.readyState === 'complete' \
                     && !!document.querySelector(\"[data-testid='paid']\")",
                        vec![],
                    )
                    .await;
                matches!(shown, Ok(Value::Bool(true))).then_some(())
            },
        )
        .await;
        let waited = started.elapsed();
        assert!(
            waited <= NOTICED_WITHIN,
            "the page noticed the payment after {waited:?}"
        );
        b.wait_loaded().await;
        assert_eq!(b.path().await, pay_path);
        let text = b.wait_text("缴费成功").await;
        assert!(text.contains("下一步"), "{text}");
        let receipt = b.text_of(Locator::Css("[data-testid='receipt']")).await;
        assert!(
            receipt.contains(&order_no),
            "the receipt names {order_no}: {receipt}"
        );
        assert!(receipt.contains("模拟支付"), "{receipt}");
        assert!(receipt.contains("支付时间"), "{receipt}");
        b.shot("paid").await;
    })
    .await;

    b.step("status-paid", async {
        b.goto(&format!("/applications/{id}")).await;
        let status = b.text_of(Locator::Css("[data-testid='status']")).await;
        assert!(!status.contains("待缴费"), "no longer 待缴费: {status}");
        b.find(Locator::Css("a[data-testid='payment']")).await;
        b.shot("status-paid").await;
    })
    .await;
}

async fn check_before_paying(b: &Browser, app: &TestApp) {
    let s = approved_application(app, "13300133007", 93).await;
    let id = s.application_id;

    b.step("pay-phone", async {
        candidate_login(b, &s.candidate.phone).await;
        b.goto(&format!("/applications/{id}/pay")).await;
        b.wait_text("待缴费").await;
        let width = b.js("return window.innerWidth").await;
        assert_eq!(width, Value::from(SMALL_PHONE.width));
        assert_qr_shown(b).await;
        wait_countdown(b).await;
        b.shot("pay-phone").await;
    })
    .await;

    b.step("check-before-paying", async {
        b.click_and_load(Locator::Css("button[data-testid='check']"))
            .await;
        assert_eq!(b.path().await, format!("/applications/{id}/pay?checked=1"));
        let answer = b.text_of(Locator::Css("[data-testid='checked']")).await;
        assert!(answer.contains("尚未收到付款"), "{answer}");
        // Still 待缴费, with the same code to scan.
        b.wait_text("待缴费").await;
        assert_qr_shown(b).await;
        b.shot("pay-phone-checked").await;
    })
    .await;

    b.step("qr-expired", async {
        // The script's own answer to an expired code, without waiting half an hour: the API
        // is made to say that the order has expired.
        b.js(
            "window.fetch = () => Promise.resolve(new Response(JSON.stringify({ \
               paid: false, status: 'approved', \
               order: { state: 'pending', expires_in_seconds: 0 } }), \
               { headers: { 'Content-Type': 'application/json' } })); return true;",
        )
        .await;
        let countdown = Locator::Css("[data-countdown]");
        b.wait_until("the countdown to say the code expired", async || {
            let text = b.client.find(countdown).await.ok()?.text().await.ok()?;
            (text == "二维码已过期，请刷新页面获取新的二维码").then_some(())
        })
        .await;
        let status = b.text_of(Locator::Css("[data-payment-status]")).await;
        assert!(status.contains("二维码已过期"), "{status}");
        b.shot("pay-phone-expired").await;
    })
    .await;

    b.step("pay-on-the-phone", async {
        // What the phone that scanned the code shows, then 缴费成功 on the pay page.
        b.goto(&format!("/applications/{id}/pay")).await;
        let href = b
            .find(Locator::Css("[data-testid='simulated-link']"))
            .await
            .attr("href")
            .await
            .expect("the link's href")
            .expect("an href");
        let path = href
            .strip_prefix(&b.base)
            .unwrap_or_else(|| panic!("the simulated page is on this site: {href}"))
            .to_owned();
        b.goto(&path).await;
        b.wait_text("确认付款").await;
        b.shot("simulated-confirm-phone").await;
        b.click_and_load(Locator::Css("[data-testid='simulated-confirm']"))
            .await;
        let outcome = b
            .text_of(Locator::Css("[data-testid='simulated-outcome']"))
            .await;
        assert!(outcome.contains("支付成功"), "{outcome}");
        b.shot("simulated-paid-phone").await;
        b.goto(&format!("/applications/{id}/pay")).await;
        b.find(Locator::Css("[data-testid='paid']")).await;
        b.find(Locator::Css("[data-testid='receipt']")).await;
        b.shot("paid-phone").await;
    })
    .await;
}
