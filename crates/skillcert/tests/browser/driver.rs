//! The plumbing of the browser tests: Debian's chromedriver as a child process on a free port, a
//! headless Chromium session through fantoccini, and a `Browser` that waits explicitly (polls for
//! an element or a text with a timeout), saves a full-page screenshot of every page it visits and,
//! when a step panics, what the browser showed at that moment.

use std::fs;
use std::future::Future;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// How long any one explicit wait may take before the step fails.
pub const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);
/// Full-page screenshots of taller pages are cut here.
const MAX_SHOT_HEIGHT: u64 = 6000;

#[derive(Debug, Clone, Copy)]
pub struct Viewport {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    /// Emulate a phone (touch, `<meta name=viewport>`, a window narrower than Chrome allows).
    pub mobile: bool,
}

pub const PHONE: Viewport = Viewport {
    name: "phone",
    width: 390,
    height: 844,
    mobile: true,
};
pub const DESKTOP: Viewport = Viewport {
    name: "desktop",
    width: 1280,
    height: 900,
    mobile: false,
};

/// Whether the browser tests can run here. `false` (with a notice) when
/// `SKILLCERT_SKIP_BROWSER_TESTS=1`; a clear failure when chromedriver is missing.
pub fn browser_tests_enabled() -> bool {
    if std::env::var("SKILLCERT_SKIP_BROWSER_TESTS").as_deref() == Ok("1") {
        eprintln!("notice: SKILLCERT_SKIP_BROWSER_TESTS=1, the browser test is skipped");
        return false;
    }
    if !Path::new(CHROMEDRIVER).exists() {
        panic!(
            "the browser test needs {CHROMEDRIVER}, which is missing: install Debian's `chromium` \
             and `chromium-driver` (`apt-get install chromium chromium-driver`; the README's \
             test script, scripts/test, installs them), or set SKILLCERT_SKIP_BROWSER_TESTS=1 to \
             skip the browser test"
        );
    }
    if let Ok(out) = Command::new("fc-list").arg(":lang=zh").output()
        && out.status.success()
        && out.stdout.iter().all(u8::is_ascii_whitespace)
    {
        eprintln!(
            "warning: no Chinese font is installed (fc-list :lang=zh is empty), so the \
             screenshots will show boxes instead of Chinese text; `apt-get install \
             fonts-noto-cjk` fixes that (scripts/test installs it)"
        );
    }
    true
}

/// `$CARGO_TARGET_DIR/browser-artifacts`, else `<workspace>/target/browser-artifacts`.
pub fn artifacts_root() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let workspace = workspace.canonicalize().unwrap_or(workspace);
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace.join(dir),
        _ => workspace.join("target"),
    };
    target.join("browser-artifacts")
}

/// Debian's chromedriver, listening on a free loopback port; killed (with the Chromium it
/// started) when dropped, also when the test panics.
pub struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    /// Starts chromedriver and waits until it answers `/status` with `ready`.
    pub async fn start(log: &Path) -> ChromeDriver {
        let mut last_failure = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let log_file = fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", log.display()));
            let child = {
                use std::os::unix::process::CommandExt;
                Command::new(CHROMEDRIVER)
                    .arg(format!("--port={port}"))
                    .stdin(Stdio::null())
                    .stdout(log_file.try_clone().expect("log file handle"))
                    .stderr(log_file)
                    // Its own process group, so that dropping it also ends the browser it started.
                    .process_group(0)
                    .spawn()
                    .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"))
            };
            let mut driver = ChromeDriver { child, port };
            match driver.wait_ready().await {
                Ok(()) => return driver,
                Err(why) => last_failure = why,
            }
            // Dropping `driver` ends it; try again on another port.
        }
        let log_text = fs::read_to_string(log).unwrap_or_default();
        panic!(
            "chromedriver did not start: {last_failure}\n--- {}:\n{log_text}",
            log.display()
        );
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn wait_ready(&mut self) -> Result<(), String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("HTTP client");
        let status_url = format!("{}/status", self.url());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited ({status})"));
            }
            if let Ok(response) = http.get(&status_url).send().await
                && let Ok(body) = response.json::<Value>().await
                && body["value"]["ready"] == Value::Bool(true)
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("{status_url} did not answer ready within 20 s"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless Chromium session with its own fresh profile and the given window size.
    pub async fn session(&self, viewport: Viewport, profile: &Path) -> Client {
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={},{}", viewport.width, viewport.height),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--lang=zh-CN".to_owned(),
        ];
        let mut chrome_options = json!({ "args": args });
        if viewport.mobile {
            // A window is at least 500 px wide, so a phone's width is emulated. The height is
            // left to the window (0), so that full-page screenshots can stretch it.
            chrome_options["mobileEmulation"] = json!({
                "deviceMetrics": {
                    "width": viewport.width,
                    "height": 0,
                    "pixelRatio": 1.0,
                    "mobile": true,
                    "touch": true,
                }
            });
        }
        if Path::new(CHROMIUM).exists() {
            chrome_options["binary"] = json!(CHROMIUM);
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), chrome_options);
        // Both ring (reqwest) and aws-lc-rs (fantoccini's hyper-rustls) are compiled in, so
        // rustls cannot pick one by itself; chromedriver is plain HTTP on loopback anyway.
        let _ = rustls::crypto::ring::default_provider().install_default();
        ClientBuilder::rustls()
            .expect("rustls for fantoccini")
            .capabilities(caps)
            .connect(&self.url())
            .await
            .unwrap_or_else(|e| panic!("cannot open a Chromium session through chromedriver: {e}"))
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The group's id is chromedriver's pid (`process_group(0)`); Chromium runs inside it.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Polls `fut` inside `catch_unwind`, so that a step's panic can be reported with what the
/// browser showed before it goes on unwinding.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// A browser session that keeps its screenshots in `dir`, numbered in the order of the visit.
pub struct Browser {
    pub client: Client,
    pub viewport: Viewport,
    pub base: String,
    dir: PathBuf,
    shots: AtomicUsize,
}

impl Browser {
    /// Wraps a fresh session, first sizing its window so that the page gets `viewport.height`
    /// pixels (headless Chromium keeps room for a toolbar it does not draw).
    pub async fn new(client: Client, viewport: Viewport, base: String, dir: PathBuf) -> Browser {
        let b = Browser {
            client,
            viewport,
            base,
            dir,
            shots: AtomicUsize::new(0),
        };
        // A blank page laid out like ours (device width), to measure on.
        b.client
            .goto("data:text/html,<meta name=viewport content='width=device-width'>")
            .await
            .expect("a blank page");
        let inner = b.js("return [window.innerWidth, window.innerHeight]").await;
        let inner_width = inner[0].as_i64().unwrap_or(0);
        let inner_height = inner[1].as_i64().unwrap_or(0);
        let (outer_width, outer_height) = b.client.get_window_size().await.expect("window size");
        let width = if viewport.mobile {
            outer_width as i64 // the width is emulated
        } else {
            outer_width as i64 + i64::from(viewport.width) - inner_width
        };
        let height = outer_height as i64 + i64::from(viewport.height) - inner_height;
        b.client
            .set_window_size(width as u32, height as u32)
            .await
            .expect("resize the window");
        let inner = b.js("return [window.innerWidth, window.innerHeight]").await;
        assert_eq!(
            inner,
            json!([viewport.width, viewport.height]),
            "the page gets {}×{} pixels",
            viewport.width,
            viewport.height
        );
        b
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs one step of the journey. When it panics, saves `FAILED-<step>.png` and
    /// `FAILED-<step>.html` (what the browser showed), then lets the panic go on.
    pub async fn step<T>(&self, name: &str, body: impl Future<Output = T>) -> T {
        let started = Instant::now();
        match CatchUnwind(Box::pin(body)).await {
            Ok(value) => {
                println!(
                    "[{}] {name} ({} ms)",
                    self.viewport.name,
                    started.elapsed().as_millis()
                );
                value
            }
            Err(panic) => {
                self.save_failure(name).await;
                resume_unwind(panic)
            }
        }
    }

    async fn save_failure(&self, step: &str) {
        let url = self
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_else(|e| format!("(unknown: {e})"));
        let png = match self.full_page_png().await {
            Ok(png) => Ok(png),
            Err(_) => self.client.screenshot().await,
        };
        let png_path = self.dir.join(format!("FAILED-{step}.png"));
        match png {
            Ok(png) => {
                let _ = fs::write(&png_path, png);
            }
            Err(e) => eprintln!("could not take the failure screenshot: {e}"),
        }
        let html_path = self.dir.join(format!("FAILED-{step}.html"));
        match self.client.source().await {
            Ok(html) => {
                let _ = fs::write(&html_path, html);
            }
            Err(e) => eprintln!("could not read the page source: {e}"),
        }
        eprintln!(
            "[{}] step `{step}` FAILED at {url}; the browser showed {} (source: {})",
            self.viewport.name,
            png_path.display(),
            html_path.display()
        );
    }

    // --- navigation and waiting ----------------------------------------------------------------

    pub async fn goto(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
        self.wait_loaded().await;
    }

    /// The path (and query) of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    /// Polls `check` until it gives a value, for at most [`WAIT`]; fails the step with `what`.
    pub async fn wait_until<T>(&self, what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(value) = check().await {
                return value;
            }
            if Instant::now() > deadline {
                let path = self.path().await;
                panic!("waited {WAIT:?} on {path} for {what}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The document has loaded (with its styles and fonts).
    pub async fn wait_loaded(&self) {
        self.wait_until("the page to finish loading", async || {
            let state = self
                .client
                .execute("return document.readyState", vec![])
                .await;
            matches!(state, Ok(Value::String(s)) if s == "complete").then_some(())
        })
        .await;
        // Chinese web fonts, if any, before a screenshot.
        let _ = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 (document.fonts ? document.fonts.ready : Promise.resolve()).then(() => done(true));",
                vec![],
            )
            .await;
    }

    /// Marks the document shown, clicks, and waits until another document has loaded.
    pub async fn click_and_load(&self, locator: Locator<'_>) {
        self.js("window.__skillcertOldPage = true; return true;")
            .await;
        self.click(locator).await;
        self.wait_until("the next page to load", async || {
            let fresh = self
                .client
                .execute(
                    "return !window.__skillcertOldPage && document.readyState === 'complete'",
                    vec![],
                )
                .await;
            matches!(fresh, Ok(Value::Bool(true))).then_some(())
        })
        .await;
        self.wait_loaded().await;
    }

    /// The first displayed element that matches.
    async fn displayed(&self, locator: Locator<'_>) -> Option<Element> {
        for element in self.client.find_all(locator).await.ok()? {
            if element.is_displayed().await.unwrap_or(false) {
                return Some(element);
            }
        }
        None
    }

    /// The first displayed element that matches, once there is one.
    pub async fn find(&self, locator: Locator<'_>) -> Element {
        let what = format!("{locator:?} to be displayed");
        self.wait_until(&what, async || self.displayed(locator).await)
            .await
    }

    /// Clicks the first displayed element that matches, once it is clickable (retrying while
    /// something else covers it or the page is being replaced).
    pub async fn click(&self, locator: Locator<'_>) {
        let what = format!("{locator:?} to be clickable");
        self.wait_until(&what, async || {
            let element = self.displayed(locator).await?;
            match element.click().await {
                Ok(()) => Some(()),
                Err(CmdError::Standard(e))
                    if matches!(
                        e.error,
                        ErrorStatus::ElementClickIntercepted
                            | ErrorStatus::ElementNotInteractable
                            | ErrorStatus::StaleElementReference
                    ) =>
                {
                    None
                }
                Err(e) => panic!("clicking {locator:?} failed: {e}"),
            }
        })
        .await
    }

    /// Empties the field and types `value` into it.
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.find(Locator::Css(css)).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("cannot clear {css}: {e}"));
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("cannot type into {css}: {e}"));
        let typed = field.prop("value").await.ok().flatten().unwrap_or_default();
        // Spaces aside: a phone number field may group its digits.
        let bare = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(bare(&typed), bare(value), "{css} holds what was typed");
    }

    /// Chooses the option with `value` in the select, once that option is there (cascading
    /// pickers fill theirs after a fetch). Choosing fires `change` as a click would.
    pub async fn select(&self, css: &str, value: &str) {
        let option = format!("{css} option[value='{value}']");
        self.wait_until(&format!("the option {value} in {css}"), async || {
            self.client
                .find(Locator::Css(&option))
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        self.find(Locator::Css(css))
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("cannot choose {value} in {css}: {e}"));
        let chosen = self.find(Locator::Css(css)).await.prop("value").await;
        assert_eq!(
            chosen.ok().flatten().as_deref(),
            Some(value),
            "{css} holds {value}"
        );
    }

    /// Sets a field's value as a date picker would (typing into `<input type=date>` depends on
    /// the browser's locale), with the `input` and `change` events.
    pub async fn set_value(&self, css: &str, value: &str) {
        let field = self.find(Locator::Css(css)).await;
        let element = serde_json::to_value(&field).expect("an element reference");
        self.client
            .execute(
                "const [el, v] = arguments; el.value = v; \
                 el.dispatchEvent(new Event('input', { bubbles: true })); \
                 el.dispatchEvent(new Event('change', { bubbles: true })); return el.value;",
                vec![element, Value::from(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("cannot set {css}: {e}"));
    }

    /// Ticks a checkbox (or chooses a radio) unless it already is.
    pub async fn check(&self, css: &str) {
        let field = self.find(Locator::Css(css)).await;
        if !field.is_selected().await.unwrap_or(false) {
            self.click(Locator::Css(css)).await;
        }
        self.wait_until(&format!("{css} to be ticked"), async || {
            let field = self.client.find(Locator::Css(css)).await.ok()?;
            field.is_selected().await.ok().filter(|s| *s).map(|_| ())
        })
        .await;
    }

    /// The text a person sees on the page.
    pub async fn text(&self) -> String {
        match self
            .js("return document.body ? document.body.innerText : ''")
            .await
        {
            Value::String(s) => s,
            _ => String::new(),
        }
    }

    /// Waits until the page shows `needle` and returns the page's text.
    pub async fn wait_text(&self, needle: &str) -> String {
        let what = format!("the page to show “{needle}”");
        self.wait_until(&what, async || {
            let text = self.text().await;
            text.contains(needle).then_some(text)
        })
        .await
    }

    /// The displayed text of the element.
    pub async fn text_of(&self, locator: Locator<'_>) -> String {
        self.find(locator)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("cannot read the text of {locator:?}: {e}"))
    }

    // --- screenshots ---------------------------------------------------------------------------

    /// Saves `NN-<name>.png`, the whole page as shown now.
    pub async fn shot(&self, name: &str) {
        self.wait_loaded().await;
        // Usable on this screen: nothing makes the page itself scroll sideways.
        let widths = self
            .js("return [document.documentElement.scrollWidth, window.innerWidth]")
            .await;
        assert!(
            widths[0].as_u64() <= widths[1].as_u64(),
            "{name}: the page is wider than the {} px window ({} px)",
            self.viewport.width,
            widths[0]
        );
        let n = self.shots.fetch_add(1, Ordering::SeqCst) + 1;
        let path = self.dir.join(format!("{n:02}-{name}.png"));
        let png = self
            .full_page_png()
            .await
            .unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        fs::File::create(&path)
            .and_then(|mut f| f.write_all(&png))
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    /// A screenshot of the whole page: the window is stretched to the page's height for it.
    async fn full_page_png(&self) -> Result<Vec<u8>, CmdError> {
        let heights = self
            .client
            .execute(
                "return [Math.ceil(Math.max(document.documentElement.scrollHeight, \
                 document.body ? document.body.scrollHeight : 0)), window.innerHeight];",
                vec![],
            )
            .await?;
        let page = heights[0].as_u64().unwrap_or(0);
        let inner = heights[1].as_u64().unwrap_or(0);
        if page <= inner || inner == 0 {
            return self.client.screenshot().await;
        }
        let (width, outer) = self.client.get_window_size().await?;
        let chrome = outer.saturating_sub(inner);
        let tall = (page.min(MAX_SHOT_HEIGHT) + chrome) as u32;
        self.client.set_window_size(width as u32, tall).await?;
        // Two animation frames: the resized page has been laid out and painted.
        let _ = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                vec![],
            )
            .await;
        let png = self.client.screenshot().await;
        self.client
            .set_window_size(width as u32, outer as u32)
            .await?;
        png
    }
}
