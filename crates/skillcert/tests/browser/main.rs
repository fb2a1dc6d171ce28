//! The browser journey in headless Chromium (Debian's chromedriver, through fantoccini), once on
//! a phone-sized window (390×844) and once on a desktop one (1280×900): sign up in three steps
//! (with a wrong ID number first), see the account page, log out, log in with the ID number, list
//! the plans, filter 一级, open a plan and click 报名.
//!
//! Every page visited is saved as `NN-<name>.png` under `browser-artifacts/<viewport>/` in the
//! target folder; a failing step also leaves `FAILED-<step>.png` and `FAILED-<step>.html`.
//!
//! The application wizard (`wizard.rs`) runs the same way on both windows, into
//! `browser-artifacts/<viewport>-wizard/`.
//!
//! The review loop (`review.rs`) runs on the desktop window, into
//! `browser-artifacts/desktop-review/`.
//!
//! The rule form's live preview (`catalogue.rs`) runs on the desktop window, into
//! `browser-artifacts/desktop-catalogue/`.
//!
//! Run with `cargo test -p skillcert --test browser -- --nocapture`. Needs `/usr/bin/chromedriver`
//! (Debian's `chromium` and `chromium-driver`); `SKILLCERT_SKIP_BROWSER_TESTS=1` skips it.

#[path = "../support/mod.rs"]
mod support;

mod catalogue;
mod driver;
mod payment;
mod review;
mod wizard;

use std::time::Instant;

use driver::{Browser, ChromeDriver, DESKTOP, PHONE, Viewport};
use fantoccini::Locator;
use serde_json::Value;
use support::{Backend, TestApp};
use wizard::Candidate;

/// One Chromium at a time: the two journeys would otherwise share two cores.
static ONE_BROWSER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Person {
    phone: &'static str,
    id_number: String,
    /// `id_number` with a wrong check digit.
    bad_id_number: String,
    password: &'static str,
    real_name: &'static str,
    email: &'static str,
}

impl Person {
    fn new(phone: &'static str, sequence: u16, real_name: &'static str) -> Person {
        let id_number = support::id_number("19900307", sequence);
        let (first17, check) = id_number.split_at(17);
        let wrong = if check == "0" { "1" } else { "0" };
        Person {
            phone,
            bad_id_number: format!("{first17}{wrong}"),
            id_number,
            password: "Kaoshi2025ok",
            real_name,
            email: "candidate@example.cn",
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_on_a_phone() {
    run(PHONE, Person::new("13800138001", 123, "张小明")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_on_a_desktop() {
    run(DESKTOP, Person::new("13900139002", 246, "李晓红")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wizard_on_a_phone() {
    run_wizard(PHONE, Candidate::new("13700137003", 135, "王小明")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wizard_on_a_desktop() {
    run_wizard(DESKTOP, Candidate::new("13600136004", 357, "陈立强")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_loop_on_a_desktop() {
    if !driver::browser_tests_enabled() {
        return;
    }
    let _one_at_a_time = ONE_BROWSER_AT_A_TIME.lock().await;
    let session = Session::open(DESKTOP, "desktop-review").await;
    review::review_loop(&session.browser, &session.app).await;
    session.close("review loop").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_preview_on_a_desktop() {
    if !driver::browser_tests_enabled() {
        return;
    }
    let _one_at_a_time = ONE_BROWSER_AT_A_TIME.lock().await;
    let session = Session::open(DESKTOP, "desktop-catalogue").await;
    catalogue::rule_preview(&session.browser, &session.app).await;
    session.close("rule preview").await;
}

async fn run_wizard(viewport: Viewport, candidate: Candidate) {
    if !driver::browser_tests_enabled() {
        return;
    }
    let _one_at_a_time = ONE_BROWSER_AT_A_TIME.lock().await;
    let folder = format!("{}-wizard", viewport.name);
    let session = Session::open(viewport, &folder).await;
    wizard::wizard(&session.browser, &session.app, &candidate).await;
    session.close("wizard").await;
}

async fn run(viewport: Viewport, person: Person) {
    if !driver::browser_tests_enabled() {
        return;
    }
    let _one_at_a_time = ONE_BROWSER_AT_A_TIME.lock().await;
    let session = Session::open(viewport, viewport.name).await;
    journey(&session.browser, &session.app, &person).await;
    session.close("journey").await;
}

/// The application on a fresh database and a fresh headless Chromium looking at it, with its
/// screenshots in `browser-artifacts/<folder>/` (emptied first).
struct Session {
    // Dropped in this order: the browser's client, chromedriver (which ends Chromium), the
    // profile folder, then the application.
    browser: Browser,
    _chromedriver: ChromeDriver,
    _profile: tempfile::TempDir,
    app: TestApp,
    started: Instant,
}

impl Session {
    async fn open(viewport: Viewport, folder: &str) -> Session {
        let started = Instant::now();
        let dir = driver::artifacts_root().join(folder);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));

        let app = TestApp::spawn(Backend::Sqlite).await;
        println!(
            "[{folder}] app started ({} ms)",
            started.elapsed().as_millis()
        );
        let profile = tempfile::tempdir().expect("a fresh Chromium profile folder");
        let chromedriver = ChromeDriver::start(&dir.join("chromedriver.log")).await;
        let client = chromedriver.session(viewport, profile.path()).await;
        println!(
            "[{folder}] browser started ({} ms)",
            started.elapsed().as_millis()
        );
        let browser = Browser::new(client, viewport, app.address.clone(), dir).await;
        Session {
            browser,
            _chromedriver: chromedriver,
            _profile: profile,
            app,
            started,
        }
    }

    async fn close(self, what: &str) {
        let _ = self.browser.client.clone().close().await;
        println!(
            "[{}] {what} passed in {:.1} s; screenshots in {}",
            self.browser.viewport.name,
            self.started.elapsed().as_secs_f64(),
            self.browser.dir().display()
        );
    }
}

async fn journey(b: &Browser, app: &TestApp, who: &Person) {
    b.step("home", async {
        b.goto("/").await;
        let width = b.js("return window.innerWidth").await;
        assert_eq!(
            width,
            Value::from(b.viewport.width),
            "the page is laid out {} px wide",
            b.viewport.width
        );
        b.wait_text("电子商务师").await;
        b.find(Locator::Css("a[href='/login']")).await;
        b.shot("home").await;
    })
    .await;

    b.step("signup-phone", async {
        b.click_and_load(Locator::Css("a[href='/signup']")).await;
        assert_eq!(b.path().await, "/signup");
        b.wait_text("手机号验证").await;
        b.find(Locator::Css("#phone")).await;
        b.shot("signup-phone").await;
    })
    .await;

    b.step("signup-send-code", async {
        let sent_before = sms_count(app, who.phone);
        b.fill("#phone", who.phone).await;
        // Without JavaScript this submits the form to /signup/code; with it, the page may send
        // the code through /api/v1/sms-codes instead. Either way a code lands in the outbox.
        b.js("window.__skillcertOldPage = true; return true;").await;
        b.click(Locator::Css("button[data-send-code]")).await;
        b.wait_until("an SMS code in the outbox", async || {
            (sms_count(app, who.phone) > sent_before).then_some(())
        })
        .await;
        b.wait_until("the page to say that the code was sent", async || {
            let settled = b
                .client
                .execute(
                    "return document.readyState === 'complete' && (!window.__skillcertOldPage \
                     || !!document.querySelector('[data-sms-notice]') \
                     || document.body.innerText.includes('已发送'))",
                    vec![],
                )
                .await;
            matches!(settled, Ok(Value::Bool(true))).then_some(())
        })
        .await;
        b.wait_loaded().await;
        b.wait_text("已发送").await;
        b.shot("signup-code-sent").await;
    })
    .await;

    b.step("signup-verify", async {
        let code = app.last_code_for(who.phone);
        assert_eq!(code.len(), 6, "a 6-digit code: {code}");
        b.fill("#phone", who.phone).await;
        b.fill("#code", &code).await;
        b.click_and_load(Locator::XPath("//button[normalize-space()='下一步']"))
            .await;
        assert_eq!(b.path().await, "/signup/details");
        b.wait_text("完善信息").await;
        b.find(Locator::Css("#id_number")).await;
        b.shot("signup-details").await;
    })
    .await;

    b.step("signup-wrong-id-number", async {
        fill_details(b, who, &who.bad_id_number).await;
        // The page's script already says so while typing, but never blocks the form: the
        // server re-renders it with its message beside the field.
        b.click_and_load(Locator::XPath("//button[normalize-space()='下一步']"))
            .await;
        let message = b
            .text_of(Locator::Css("[data-error-for='id_number']"))
            .await;
        assert!(
            message.contains("身份证号") && message.contains("校验"),
            "the message names the wrong check digit: {message}"
        );
        assert_eq!(b.path().await, "/signup/details");
        assert!(b.text().await.contains("身份证号校验位不正确"));
        b.shot("signup-wrong-id-number").await;
    })
    .await;

    b.step("signup-done", async {
        fill_details(b, who, &who.id_number).await;
        b.click_and_load(Locator::XPath("//button[normalize-space()='下一步']"))
            .await;
        assert_eq!(b.path().await, "/signup/done");
        let text = b.wait_text("注册成功").await;
        assert!(text.contains(who.real_name), "greets {}", who.real_name);
        b.shot("signup-done").await;
    })
    .await;

    b.step("me", async {
        open_avatar_menu(b).await;
        b.click_and_load(Locator::Css("details.avatar-menu a[href='/me']"))
            .await;
        assert_eq!(b.path().await, "/me");
        b.wait_text("个人中心").await;
        // The owner sees their own phone and ID number in full.
        let phone = b.text_of(Locator::Css("[data-testid='phone']")).await;
        assert_eq!(phone.trim(), who.phone);
        let id_number = b.text_of(Locator::Css("[data-testid='id-number']")).await;
        assert_eq!(id_number.trim(), who.id_number);
        b.shot("me").await;
    })
    .await;

    b.step("logout", async {
        open_avatar_menu(b).await;
        b.click_and_load(Locator::XPath(
            "//details[contains(@class,'avatar-menu')]//button[normalize-space()='退出登录']",
        ))
        .await;
        assert_eq!(b.path().await, "/");
        b.find(Locator::Css("a[href='/login']")).await;
        assert!(
            b.client
                .find(Locator::Css("details.avatar-menu"))
                .await
                .is_err(),
            "no avatar menu after logging out"
        );
        b.shot("logged-out").await;
    })
    .await;

    b.step("login", async {
        b.click_and_load(Locator::Css("a[href='/login']")).await;
        assert!(b.path().await.starts_with("/login"));
        b.find(Locator::Css("#identifier")).await;
        b.shot("login").await;
        b.fill("#identifier", &who.id_number).await;
        b.fill("#password", who.password).await;
        b.click_and_load(Locator::XPath("//button[normalize-space()='登录']"))
            .await;
        assert_eq!(b.path().await, "/");
        b.find(Locator::Css("details.avatar-menu summary")).await;
        // On a phone only the initial shows; the name is in the summary all the same.
        let name = b
            .js("return document.querySelector('details.avatar-menu summary').textContent")
            .await;
        let name = name.as_str().unwrap_or_default();
        assert!(name.contains(who.real_name), "the avatar menu names {name}");
        b.shot("logged-in").await;
    })
    .await;

    b.step("plans", async {
        b.click_and_load(Locator::Css("a[href='/plans']")).await;
        assert_eq!(b.path().await, "/plans");
        b.wait_text("筛选").await;
        b.find(Locator::Css("[data-plan-id]")).await;
        b.shot("plans").await;
    })
    .await;

    b.step("plans-level-1", async {
        b.click_and_load(Locator::XPath("//a[normalize-space()='一级']"))
            .await;
        assert_eq!(b.path().await, "/plans?level=1");
        b.find(Locator::Css("[data-plan-id]")).await;
        let cards = b
            .client
            .find_all(Locator::Css("[data-plan-id]"))
            .await
            .expect("plan cards");
        assert!(!cards.is_empty());
        for card in cards {
            let text = card.text().await.expect("card text");
            assert!(text.contains("一级"), "only 一级 plans: {text}");
            assert!(!text.contains("二级/技师"), "only 一级 plans: {text}");
        }
        b.shot("plans-level-1").await;
    })
    .await;

    b.step("plan-detail", async {
        b.click_and_load(Locator::XPath(
            "(//*[@data-plan-id]//a[normalize-space()='查看详情'])[1]",
        ))
        .await;
        let path = b.path().await;
        let id = path.strip_prefix("/plans/").unwrap_or_default();
        assert!(
            !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()),
            "a plan's page: {path}"
        );
        let text = b.wait_text("申报条件").await;
        // 一级 asks for 二级/技师 first, then years of work.
        let sentence = text
            .lines()
            .find(|l| l.contains("二级/技师"))
            .unwrap_or_else(|| panic!("a condition naming 二级/技师:\n{text}"));
        assert!(sentence.contains("取得"), "a plain sentence: {sentence}");
        b.shot("plan-detail").await;
    })
    .await;

    b.step("apply", async {
        b.click_and_load(Locator::XPath(
            "//a[contains(@href,'/apply') and normalize-space()='报名']",
        ))
        .await;
        // 报名 opens the wizard's first step, prefilled from the account.
        let path = b.path().await;
        assert!(path.ends_with("/basic"), "the wizard's first step: {path}");
        b.wait_text("基础信息").await;
        b.shot("apply").await;
    })
    .await;
}

/// Step 2 of sign-up. The server never sends a password back, so both are typed every time.
async fn fill_details(b: &Browser, who: &Person, id_number: &str) {
    b.fill("#password", who.password).await;
    b.fill("#password_confirm", who.password).await;
    b.fill("#email", who.email).await;
    b.fill("#real_name", who.real_name).await;
    b.fill("#id_number", id_number).await;
    let worker = Locator::Css("input[name='identity'][value='worker']");
    let selected = async || {
        let radio = b.client.find(worker).await.ok()?;
        radio.is_selected().await.ok().filter(|s| *s)
    };
    if selected().await.is_none() {
        // The label, not the radio: a styled radio may be drawn by its label.
        b.click(Locator::XPath(
            "//label[.//input[@name='identity' and @value='worker']]",
        ))
        .await;
    }
    b.wait_until("the role 职工 to be chosen", selected).await;
}

/// The avatar menu is a `<details>`: its summary opens it.
async fn open_avatar_menu(b: &Browser) {
    let menu = b.find(Locator::Css("details.avatar-menu")).await;
    if menu.attr("open").await.ok().flatten().is_none() {
        b.click(Locator::Css("details.avatar-menu > summary")).await;
    }
    b.wait_until("the avatar menu to open", async || {
        let menu = b
            .client
            .find(Locator::Css("details.avatar-menu"))
            .await
            .ok()?;
        menu.attr("open").await.ok().flatten().map(|_| ())
    })
    .await;
}

fn sms_count(app: &TestApp, phone: &str) -> usize {
    app.outbox().iter().filter(|l| l.phone == phone).count()
}
