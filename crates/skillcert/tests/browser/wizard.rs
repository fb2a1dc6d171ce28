//! The application wizard in the browser: a candidate signed up through the API (the session
//! cookie handed to Chromium) opens the 四级 plan, presses 报名 and goes through every step:
//! 基础信息 with a bad postcode first, 身份选择, 报名信息 with the cascading address pickers,
//! 学历与工作经历 with two periods (one 至今) through 添加一段工作经历, 申报信息 with a promotion,
//! a track and the alternative met, 证件信息上传 with generated JPEGs (a grey photo refused, an
//! oversized one fixed in the browser, a good one as it is). Then the review (符合, 合计), the
//! commitment, 提交报名, the status page (审核中, a timeline) and 报名信息.

use std::sync::Arc;

use fantoccini::Locator;
use fantoccini::cookies::Cookie;
use reqwest::cookie::CookieStore;
use serde_json::{Value, json};

use crate::driver::Browser;
use crate::support::{self, TestApp};

pub struct Candidate {
    pub phone: &'static str,
    pub id_number: String,
    pub name: &'static str,
    pub password: &'static str,
    pub email: &'static str,
}

impl Candidate {
    /// Born on 1990-03-07 in Nanning; an odd sequence is a man.
    pub fn new(phone: &'static str, sequence: u16, name: &'static str) -> Candidate {
        Candidate {
            phone,
            id_number: support::id_number("19900307", sequence),
            name,
            password: "Kaoshi2025ok",
            email: "wizard@example.cn",
        }
    }
}

/// Signs up through `/api/v1` (as the sign-up pages would) and returns the session cookie's
/// value.
async fn sign_up_through_the_api(app: &TestApp, who: &Candidate) -> String {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let http = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("HTTP client");
    let post = async |path: &str, token: &str, body: Value| -> Value {
        let response = http
            .post(app.url(path))
            .header("X-CSRF-Token", token)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "POST {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    };
    let session: Value = http
        .get(app.url("/api/v1/session"))
        .send()
        .await
        .expect("GET /api/v1/session")
        .json()
        .await
        .expect("a session as JSON");
    let token = session["csrf_token"]
        .as_str()
        .expect("a CSRF token")
        .to_owned();
    post(
        "/api/v1/sms-codes",
        &token,
        json!({ "phone": who.phone, "purpose": "sign_up" }),
    )
    .await;
    let code = app.last_code_for(who.phone);
    let verified = post(
        "/api/v1/signup/verify",
        &token,
        json!({ "phone": who.phone, "code": code }),
    )
    .await;
    let token = verified["csrf_token"].as_str().unwrap_or(&token).to_owned();
    post(
        "/api/v1/signup",
        &token,
        json!({
            "password": who.password,
            "real_name": who.name,
            "id_number": who.id_number,
            "identity": "worker",
            "email": who.email,
        }),
    )
    .await;
    let url = app.url("/").parse().expect("the app's URL");
    let cookies = jar.cookies(&url).expect("cookies after signing up");
    let cookies = cookies.to_str().expect("ASCII cookies");
    cookies
        .split("; ")
        .find_map(|c| c.strip_prefix(concat!("skillcert_session", "=")))
        .unwrap_or_else(|| panic!("a session cookie: {cookies}"))
        .to_owned()
}

/// The button of the wizard with this visible text.
fn button(text: &str) -> Locator<'static> {
    let xpath = format!("//button[normalize-space()='{text}']");
    Locator::XPath(Box::leak(xpath.into_boxed_str()))
}

/// The `[name=…]` selector of a field of work history row `row`.
fn work(row: usize, field: &str) -> String {
    format!("[name='work_history[{row}].{field}']")
}

/// What an application's page path says: `/applications/{id}/…`.
fn application_id(path: &str) -> String {
    path.split('/').nth(2).unwrap_or_default().to_owned()
}

pub async fn wizard(b: &Browser, app: &TestApp, who: &Candidate) {
    let id = b
        .step("sign-up-through-the-api", async {
            let session = sign_up_through_the_api(app, who).await;
            // The cookie belongs to the app's origin: open a page there first.
            b.goto("/").await;
            // SameSite spelled out: unset, it would be sent as `None`, which Chromium refuses
            // on a cookie that is not `Secure`.
            let cookie = Cookie::parse(format!(
                "skillcert_session={session}; Domain=127.0.0.1; Path=/; HttpOnly; SameSite=Lax"
            ))
            .expect("a cookie");
            b.client
                .add_cookie(cookie)
                .await
                .expect("the session cookie");
            b.goto("/plans?level=4").await;
            b.find(Locator::Css("details.avatar-menu")).await;
            b.find(Locator::Css("[data-plan-id]")).await;
            b.shot("plans-level-4").await;
            b.click_and_load(Locator::XPath(
                "(//*[@data-plan-id]//a[normalize-space()='查看详情'])[1]",
            ))
            .await;
            let text = b.wait_text("申报条件").await;
            assert!(text.contains("四级"), "the 四级 plan:\n{text}");
            b.shot("plan-level-4").await;
            b.click_and_load(Locator::XPath(
                "//a[contains(@href,'/apply') and normalize-space()='报名']",
            ))
            .await;
            let path = b.path().await;
            assert!(path.ends_with("/basic"), "报名 opens 基础信息: {path}");
            application_id(&path)
        })
        .await;
    let at = |section: &str| format!("/applications/{id}/{section}");

    b.step("basic-bad-postcode", async {
        b.wait_text("基础信息").await;
        // Prefilled from the account's ID number.
        let name = b.find(Locator::Css("#name")).await.prop("value").await;
        assert_eq!(name.ok().flatten().as_deref(), Some(who.name));
        b.shot("basic").await;
        b.select("#ethnicity", "01").await;
        b.select("#education", "21").await;
        b.fill("#mobile", who.phone).await;
        b.fill("#phone", "0771-1234567").await;
        b.fill("#email", who.email).await;
        b.fill("#postcode", "53000").await;
        b.select("#assessment_category", "01").await;
        b.select("#candidate_source", "03").await;
        // The live check shows the server's message while typing; wait for it, so that the
        // message pushing the page down cannot move 下一步 from under the click.
        b.wait_until("the live postcode message", async || {
            let shown = b.text_of(Locator::Css("[data-error-for='postcode']")).await;
            (shown.trim() == "邮政编码应为 6 位数字，不知道可留空").then_some(())
        })
        .await;
        b.click_and_load(button("下一步")).await;
        assert_eq!(b.path().await, at("basic"), "stays on 基础信息");
        let message = b.text_of(Locator::Css("[data-error-for='postcode']")).await;
        assert_eq!(message.trim(), "邮政编码应为 6 位数字，不知道可留空");
        b.wait_text("本页有 1 处需要修改").await;
        b.shot("basic-bad-postcode").await;
    })
    .await;

    b.step("basic-fixed", async {
        b.fill("#postcode", "530000").await;
        b.click_and_load(button("下一步")).await;
        assert_eq!(b.path().await, at("identity"));
        b.wait_text("身份选择").await;
        b.shot("identity").await;
    })
    .await;

    b.step("identity", async {
        b.check("input[name='identity'][value='worker']").await;
        b.click_and_load(button("下一步")).await;
        assert_eq!(b.path().await, at("registration"));
        b.wait_text("报名信息").await;
        b.shot("registration").await;
    })
    .await;

    b.step("registration", async {
        b.select("#id_type", "resident_id_card").await;
        b.fill("#id_number", &who.id_number).await;
        b.fill("#organization", "南宁职业技能培训中心").await;
        b.fill("#years_of_work", &years_since(2011, 8).to_string())
            .await;
        b.select("#enterprise_type", "03").await;
        b.fill("#employer", "广西云商电子商务有限公司").await;
        b.fill("#hukou_type", "城镇").await;
        // The pickers: each choice fetches the next list (JavaScript; the no-JS button is hidden).
        let refresh = b
            .client
            .find(Locator::Css(
                "fieldset[data-address='residence'] .nojs-only",
            ))
            .await
            .expect("the no-JS refresh button");
        assert!(!refresh.is_displayed().await.unwrap_or(true));
        b.select("#residence_province", "450000").await;
        b.select("#residence_city", "450100").await;
        b.select("#residence_district", "450103").await;
        b.fill("#residence_address", "民族大道 1 号").await;
        b.select("#employer_province", "450000").await;
        b.select("#employer_city", "450100").await;
        b.select("#employer_district", "450107").await;
        b.shot("registration-filled").await;
        b.click_and_load(button("下一步")).await;
        assert_eq!(b.path().await, at("history"));
        b.wait_text("学历与工作经历").await;
        b.shot("history").await;
    })
    .await;

    b.step("history", async {
        b.select("#degree", "31").await;
        b.fill("#school", "广西职业技术学院").await;
        b.fill("#major", "电子商务").await;
        b.check("input[name='related_major']").await;
        b.fill("#graduation_date", "2011-07").await;
        let first = [
            ("start", "2011-08"),
            ("end", "2016-12"),
            ("employer", "广西云商电子商务有限公司"),
            ("post", "运营专员"),
            ("referee", "李四"),
            ("referee_phone", "13800138000"),
        ];
        for (field, value) in first {
            b.fill(&work(0, field), value).await;
        }
        b.click_and_load(button("添加一段工作经历")).await;
        assert_eq!(b.path().await, at("history"));
        // The first period was kept; a blank second one is there.
        let kept = b.find(Locator::Css(&work(0, "employer"))).await;
        assert_eq!(
            kept.prop("value").await.ok().flatten().as_deref(),
            Some("广西云商电子商务有限公司")
        );
        let second = [
            ("start", "2017-01"),
            ("end", "至今"),
            ("employer", "南宁跨境贸易有限公司"),
            ("post", "运营经理"),
            ("referee", "赵六"),
            ("referee_phone", "13700137000"),
        ];
        for (field, value) in second {
            b.fill(&work(1, field), value).await;
        }
        b.shot("history-two-periods").await;
        b.click_and_load(button("下一步")).await;
        assert_eq!(b.path().await, at("declaration"));
        b.wait_text("申报信息").await;
        b.shot("declaration").await;
    })
    .await;

    b.step("declaration", async {
        b.check("input[name='kind'][value='promotion']").await;
        b.fill("#previous_certificate_number", "S000045000001202021000123")
            .await;
        b.fill("#previous_occupation", "电子商务师").await;
        b.select("#previous_level", "5").await;
        b.set_value("#previous_issued_on", "2019-06-01").await;
        b.check("input[name='track'][value='跨境电子商务师']").await;
        // The alternative this candidate meets: 五级 and four years since.
        let rule = b
            .js(
                "const label = [...document.querySelectorAll('label.rule-choice')] \
                 .find(l => l.textContent.includes('五级')); \
                 return label ? label.querySelector('input').value : null;",
            )
            .await;
        let rule = rule
            .as_str()
            .expect("an alternative naming 五级")
            .to_owned();
        b.check(&format!("input[name='claimed_rule'][value='{rule}']"))
            .await;
        b.shot("declaration-filled").await;
        b.click_and_load(button("下一步")).await;
        assert_eq!(b.path().await, at("documents"));
        b.wait_text("证件信息上传").await;
        b.shot("documents").await;
    })
    .await;

    b.step("documents", async {
        let files = tempfile::tempdir().expect("a folder for the files");
        let good_photo = files.path().join("photo.jpg");
        std::fs::write(&good_photo, good_photo_jpeg()).expect("the good photo");
        let grey_photo = files.path().join("grey-photo.jpg");
        std::fs::write(&grey_photo, grey_photo_jpeg()).expect("the grey photo");
        let big_photo = files.path().join("big-photo.jpg");
        std::fs::write(&big_photo, big_photo_jpeg()).expect("the big photo");
        let scan = files.path().join("scan.jpg");
        std::fs::write(&scan, scan_jpeg()).expect("a scan");
        let codes = b
            .js("return [...document.querySelectorAll('li.document')].map(li => li.id.slice(4))")
            .await;
        let codes: Vec<String> = serde_json::from_value(codes).expect("document codes");
        if codes.is_empty() {
            // Uploads not built yet: the page only lists what will be asked for.
            b.shot("documents-list").await;
        }
        for code in &codes {
            if code == "photo" {
                upload(b, code, &grey_photo).await;
                let message = b.text_of(Locator::Css("[data-error-for='photo']")).await;
                assert!(!message.trim().is_empty(), "the grey photo is refused");
                b.shot("documents-grey-photo").await;
                // Too large (over 80 KB): the page offers to crop, scale and re-encode it.
                choose_file(b, code, &big_photo).await;
                let fix = Locator::Css("#doc-photo [data-photo-fix-use]");
                b.find(fix).await;
                b.shot("documents-photo-fix").await;
                b.click_and_load(fix).await;
                let message = b.text_of(Locator::Css("#doc-photo .document-file")).await;
                assert!(
                    message.contains("photo-"),
                    "the fixed photo is kept: {message}"
                );
                b.shot("documents-photo-fixed").await;
                // And the good photo as it is.
                upload(b, code, &good_photo).await;
            } else {
                upload(b, code, &scan).await;
            }
            let message = b
                .js(&format!(
                    "const e = document.querySelector(\"[data-error-for='{code}']\"); \
                     return e ? e.textContent.trim() : '';"
                ))
                .await;
            assert_eq!(message, Value::from(""), "{code} is accepted");
        }
        if !codes.is_empty() {
            b.shot("documents-uploaded").await;
        }
        b.click_and_load(button("下一步")).await;
        assert_eq!(b.path().await, at("review"));
        b.wait_text("确认报名信息").await;
    })
    .await;

    b.step("review", async {
        let claimed = b
            .text_of(Locator::XPath(
                "//ul[contains(@class,'verdicts')]/li[.//*[contains(@class,'claimed')]]",
            ))
            .await;
        assert!(
            claimed.contains("符合") && !claimed.contains("不符合"),
            "the claimed alternative is met: {claimed}"
        );
        let total = b.text_of(Locator::Css("table.history tfoot")).await;
        assert!(total.contains("合计"), "the work total: {total}");
        let text = b.text().await;
        assert!(text.contains("南宁跨境贸易有限公司") && text.contains("至今"));
        b.shot("review").await;
    })
    .await;

    b.step("submit", async {
        b.check("input[name='accept_commitment']").await;
        b.click_and_load(button("提交报名")).await;
        assert_eq!(b.path().await, format!("/applications/{id}"));
        let status = b.text_of(Locator::Css("[data-testid='status']")).await;
        assert_eq!(status.trim(), "审核中");
        let events = b
            .client
            .find_all(Locator::Css("ol.timeline > li"))
            .await
            .expect("the timeline");
        assert!(!events.is_empty(), "a timeline");
        b.shot("status").await;
    })
    .await;

    b.step("applications", async {
        b.click_and_load(Locator::Css("nav a[href='/applications']"))
            .await;
        assert_eq!(b.path().await, "/applications");
        let item = b
            .text_of(Locator::Css(&format!("[data-application-id='{id}']")))
            .await;
        assert!(item.contains("审核中"), "listed as 审核中: {item}");
        assert!(item.contains("四级"), "the 四级 plan: {item}");
        b.shot("applications").await;
    })
    .await;
}

/// Chooses `path` for the upload of document `code` and presses its 上传 button.
pub async fn upload(b: &Browser, code: &str, path: &std::path::Path) {
    choose_file(b, code, path).await;
    let started = std::time::Instant::now();
    b.click_and_load(Locator::Css(&format!(
        "#doc-{code} form.upload-form button[type='submit']"
    )))
    .await;
    println!(
        "[{}]   uploaded {} as {code} ({} ms)",
        b.viewport.name,
        path.file_name().unwrap_or_default().to_string_lossy(),
        started.elapsed().as_millis()
    );
}

/// Chooses `path` in the file input of document `code`, once the page has stopped moving.
async fn choose_file(b: &Browser, code: &str, path: &std::path::Path) {
    // Thumbnails of the files already uploaded load lazily and push the buttons down: let
    // them all load first, so that a click lands where its button was found.
    b.js(
        "document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; }); \
          return true;",
    )
    .await;
    b.wait_until("the thumbnails to load", async || {
        let done = b
            .client
            .execute("return [...document.images].every(i => i.complete)", vec![])
            .await;
        matches!(done, Ok(Value::Bool(true))).then_some(())
    })
    .await;
    // A styled file picker may hide the input itself: WebDriver can still give it a file.
    let input = b
        .client
        .find(Locator::Css(&format!("#doc-{code} input[type='file']")))
        .await
        .unwrap_or_else(|e| panic!("the file input of {code}: {e}"));
    input
        .send_keys(&path.display().to_string())
        .await
        .unwrap_or_else(|e| panic!("cannot choose {} for {code}: {e}", path.display()));
}

/// A JPEG of `image` at the given quality.
fn jpeg(image: &image::RgbImage, quality: u8) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(image)
        .expect("JPEG encoding");
    bytes
}

/// A little deterministic noise, so that the JPEG has something to encode.
fn noise(x: u32, y: u32, seed: u32) -> u8 {
    let mut h = x.wrapping_mul(374_761_393) ^ y.wrapping_mul(668_265_263) ^ seed;
    h = (h ^ (h >> 13)).wrapping_mul(1_274_126_177);
    (h >> 24) as u8
}

/// A portrait photo on a white background, `scale` times 358×441: a textured head and
/// shoulders in the middle, the border white.
fn portrait(scale: u32) -> image::RgbImage {
    let (w, h) = (358 * scale, 441 * scale);
    let margin = 40 * scale;
    image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (f64::from(x / scale), f64::from(y / scale));
        let head = ((fx - 179.0) / 70.0).powi(2) + ((fy - 170.0) / 90.0).powi(2) <= 1.0;
        let shoulders = fy > 270.0 && fy < 401.0 && (fx - 179.0).abs() < 120.0 + (fy - 270.0) / 3.0;
        let inside = (head || shoulders) && (margin..w - margin).contains(&x) && y < h - margin;
        if !inside {
            return image::Rgb([255, 255, 255]);
        }
        let n = noise(x / scale, y / scale, 7) / 2;
        if head {
            image::Rgb([200 - n / 3, 160 - n / 3, 130 - n / 4])
        } else {
            image::Rgb([30 + n / 2, 50 + n / 2, 90 + n / 2])
        }
    })
}

/// The good photo: 358×441, encoded at the quality that lands it inside 40–80 KB.
pub fn good_photo_jpeg() -> Vec<u8> {
    let photo = portrait(1);
    (20..=95)
        .rev()
        .step_by(5)
        .map(|q| jpeg(&photo, q))
        .find(|bytes| (45_000..=75_000).contains(&bytes.len()))
        .expect("a quality that lands the photo inside 40–80 KB")
}

/// A good photo straight from a camera: three times the size, far over 80 KB.
fn big_photo_jpeg() -> Vec<u8> {
    let bytes = jpeg(&portrait(3), 92);
    assert!(bytes.len() > 80 * 1024, "{} bytes", bytes.len());
    bytes
}

/// The wrong photo: square, small, on a grey background.
fn grey_photo_jpeg() -> Vec<u8> {
    let photo = image::RgbImage::from_fn(200, 200, |x, y| {
        let v = 128 + noise(x, y, 3) / 16;
        image::Rgb([v, v, v])
    });
    jpeg(&photo, 85)
}

/// A scanned card or certificate: a light page with some marks.
fn scan_jpeg() -> Vec<u8> {
    let scan = image::RgbImage::from_fn(640, 400, |x, y| {
        let v = 235 - noise(x / 4, y / 4, 11) / 8;
        image::Rgb([v, v - 5, v - 20])
    });
    jpeg(&scan, 80)
}

/// Whole years from the given month to today (Shanghai), as a candidate would count them.
fn years_since(year: i32, month: u32) -> i32 {
    use chrono::Datelike;
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap());
    let years = today.year() - year;
    if today.month() < month {
        years - 1
    } else {
        years
    }
}
