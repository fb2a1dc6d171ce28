//! Starts the real application for a test: its own database (a fresh SQLite file, or a fresh
//! PostgreSQL database with a random name), its own data folder, a random port. Shared by the
//! HTTP tests and the browser tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use integrations::sms::OutboxLine;
use skillcert::config::{Config, Secret};
use skillcert::startup::{self, Application};

/// Files to upload (good and bad photos, a PNG, a PDF) and `upload_required_documents`.
pub mod uploads;

/// Staff accounts and submitted applications for the review tests.
pub mod staff;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server that PostgreSQL tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("SKILLCERT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub config: Config,
    pub first_admin_password: Option<String>,
    pub backend: Backend,
    data_dir: tempfile::TempDir,
    postgres_db: Option<String>,
    _server: Arc<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_, _| {}).await
    }

    /// Like [`TestApp::spawn`], with the configuration changed by `adjust` (given the data
    /// folder, for files the configuration names) before the application starts.
    pub async fn spawn_with(
        backend: Backend,
        adjust: impl FnOnce(&mut Config, &std::path::Path),
    ) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temporary data folder");
        let (database_url, postgres_db) = match backend {
            Backend::Sqlite => (
                format!(
                    "sqlite://{}",
                    data_dir.path().join("skillcert.db").display()
                ),
                None,
            ),
            Backend::Postgres => {
                let name = format!("skillcert_test_{}", random_suffix());
                create_postgres_database(&name).await;
                let admin = postgres_admin_url();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                (format!("{base}/{name}"), Some(name))
            }
        };
        let mut config = Config {
            database_url,
            listen: "127.0.0.1:0".into(),
            data_dir: data_dir.path().to_path_buf(),
            secret_key: Some(Secret::new("5a".repeat(32))),
            max_connections: 8,
            // Notifications are sent by the worker: tests see them within a poll or two.
            worker: skillcert::worker::WorkerConfig {
                poll_interval_ms: 50,
                ..Default::default()
            },
            ..Config::default()
        };
        adjust(&mut config, data_dir.path());
        let prepared = startup::prepare(&config).await.expect("application starts");
        let app = Application::bind(&config, prepared.state)
            .await
            .expect("binds a port");
        let address = format!("http://{}", app.local_addr());
        let server = tokio::spawn(async move {
            app.run(std::future::pending()).await.expect("server runs");
        });
        TestApp {
            address,
            config,
            first_admin_password: prepared.first_admin_password,
            backend,
            data_dir,
            postgres_db,
            _server: Arc::new(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests assert them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.path().to_path_buf()
    }

    /// Every SMS the `log` provider has "sent", oldest first.
    pub fn outbox(&self) -> Vec<OutboxLine> {
        let path = self.config.outbox_dir().join("sms.jsonl");
        match std::fs::read_to_string(&path) {
            Ok(text) => text
                .lines()
                .map(|l| serde_json::from_str(l).expect("outbox line is JSON"))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Waits (up to 10 s) until the outbox holds at least `n` messages to `phone`, and returns
    /// those messages: the worker sends notifications shortly after the change that causes them.
    pub async fn wait_for_sms_to(&self, phone: &str, n: usize) -> Vec<OutboxLine> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let to_phone: Vec<OutboxLine> = self
                .outbox()
                .into_iter()
                .filter(|l| l.phone == phone)
                .collect();
            if to_phone.len() >= n {
                return to_phone;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {n} SMS to {phone}, the outbox has {}",
                to_phone.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// The code in the newest SMS to `phone`.
    pub fn last_code_for(&self, phone: &str) -> String {
        self.outbox()
            .iter()
            .rev()
            // Notifications go to the same phone; only verification messages carry a code.
            .find(|l| l.phone == phone && l.params.contains_key("code"))
            .and_then(|l| l.params.get("code"))
            .and_then(|c| c.as_str())
            .unwrap_or_else(|| panic!("no SMS code was sent to {phone}"))
            .to_owned()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self._server.abort();
        if let Some(name) = self.postgres_db.take() {
            // Drop runs outside async context; a short-lived thread with its own runtime drops the
            // database (FORCE ends the pool's connections).
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async move {
                    use sqlx::Connection;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

async fn create_postgres_database(name: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&postgres_admin_url())
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is needed for the PostgreSQL half of the tests ({}): {e}. \
                 Start it, or point SKILLCERT_TEST_POSTGRES_URL at one.",
                postgres_admin_url()
            )
        });
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut conn)
        .await
        .expect("create test database");
}

fn random_suffix() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..12)
        .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
        .collect()
}

/// A valid ID number (GB 11643) for a person born on `birth` (YYYYMMDD) in Nanning, with the
/// given 3-digit sequence (odd: male).
pub fn id_number(birth: &str, sequence: u16) -> String {
    let first17 = format!("450103{birth}{sequence:03}");
    let check = domain::identity::id_number::check_digit(&first17).expect("17 digits");
    format!("{first17}{check}")
}

/// Generates `mod $name { sqlite, postgres }` tests that run `async fn $name(Backend)` on each
/// backend, each in its own database.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::support::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::support::Backend::Postgres).await
                }
            }
        )*
    };
}

// --- helpers for the HTTP tests --------------------------------------------------------------

/// A password that meets the policy and contains no personal data.
pub const GOOD_PASSWORD: &str = "kaoshi2024";

/// The value of the first hidden `csrf` input of a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("the page has no csrf input:\n{html}"))
        + marker.len();
    let end = html[start..].find('"').expect("the csrf value is quoted") + start;
    html[start..end].to_owned()
}

/// GETs a page with `client` and returns the CSRF token of its form.
pub async fn page_csrf(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let response = client.get(app.url(path)).send().await.expect("GET page");
    assert_eq!(response.status(), 200, "GET {path}");
    csrf_in(&response.text().await.expect("page body"))
}

/// The `skillcert_session` token a response sets, if any.
pub fn session_cookie_set_by(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix("skillcert_session="))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
        .next()
}

/// A candidate who signed up through the API and is logged in on `client`.
pub struct Candidate {
    pub client: reqwest::Client,
    /// The session's CSRF token, for `X-CSRF-Token`.
    pub csrf: String,
    pub phone: String,
    pub id_number: String,
    pub password: String,
    pub real_name: String,
}

/// A client whose session has verified `phone` (sign-up step 1, through the API); returns it with
/// the session's CSRF token.
pub async fn verified_for_signup(app: &TestApp, phone: &str) -> (reqwest::Client, String) {
    let client = app.client();
    let sent = client
        .post(app.url("/api/v1/sms-codes"))
        .json(&serde_json::json!({ "phone": phone, "purpose": "sign_up" }))
        .send()
        .await
        .expect("POST /api/v1/sms-codes");
    assert_eq!(sent.status(), 202, "{}", sent.text().await.unwrap());
    let code = app.last_code_for(phone);
    let verified = client
        .post(app.url("/api/v1/signup/verify"))
        .json(&serde_json::json!({ "phone": phone, "code": code }))
        .send()
        .await
        .expect("POST /api/v1/signup/verify");
    assert_eq!(verified.status(), 200, "{}", verified.text().await.unwrap());
    let body: serde_json::Value = verified.json().await.expect("JSON");
    let csrf = body["csrf_token"].as_str().expect("csrf_token").to_owned();
    (client, csrf)
}

/// Signs a candidate up through the API (phone, code, details) and returns them logged in.
pub async fn sign_up_via_api(app: &TestApp, phone: &str, id_number: &str) -> Candidate {
    let (client, csrf) = verified_for_signup(app, phone).await;
    let real_name = "张三";
    let created = client
        .post(app.url("/api/v1/signup"))
        .header("X-CSRF-Token", &csrf)
        .json(&serde_json::json!({
            "password": GOOD_PASSWORD,
            "password_confirm": GOOD_PASSWORD,
            "email": "zhangsan@example.com",
            "real_name": real_name,
            "id_number": id_number,
            "identity": "worker",
        }))
        .send()
        .await
        .expect("POST /api/v1/signup");
    assert_eq!(created.status(), 201, "{}", created.text().await.unwrap());
    let body: serde_json::Value = created.json().await.expect("JSON");
    Candidate {
        client,
        csrf: body["csrf_token"].as_str().expect("csrf_token").to_owned(),
        phone: phone.to_owned(),
        id_number: id_number.to_owned(),
        password: GOOD_PASSWORD.to_owned(),
        real_name: real_name.to_owned(),
    }
}

/// An ID number like [`id_number`] whose first 17 characters are given as they are, valid or not
/// (wrong province, impossible birth date), with the check character that matches them.
pub fn id_number_with_prefix(first17: &str) -> String {
    let check = domain::identity::id_number::check_digit(first17).expect("17 digits");
    format!("{first17}{check}")
}

impl TestApp {
    /// Changes a plan's capacity the way staff will (its seat stripes resized with it).
    pub async fn set_capacity(&self, plan_id: i64, capacity: u32) {
        let db = store::Db::connect(&self.config.database_url, &store::DbOptions::default())
            .await
            .expect("open the test's database");
        store::seats::set_capacity(&db, plan_id, capacity, chrono::Utc::now())
            .await
            .expect("database")
            .expect("capacity not below the seats taken");
        db.close().await;
    }

    /// Runs one SQL statement on the test's database, beside the application (to age a record
    /// the way time would).
    pub async fn execute_sql(&self, sql: &str) {
        use sqlx::Connection;
        match self.backend {
            Backend::Sqlite => {
                let mut conn = sqlx::SqliteConnection::connect(&self.config.database_url)
                    .await
                    .expect("open the SQLite file");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&mut conn)
                    .await
                    .expect("SQL runs");
            }
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.config.database_url)
                    .await
                    .expect("connect to the test database");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&mut conn)
                    .await
                    .expect("SQL runs");
            }
        }
    }

    /// Everything the database holds, as raw as we can read it: for SQLite the bytes of the
    /// database file and its write-ahead log; for PostgreSQL the text form of every row of every
    /// table (binary columns come out as `\x` and hex).
    pub async fn database_contents(&self) -> Vec<u8> {
        match self.backend {
            Backend::Sqlite => {
                let path = self
                    .config
                    .database_url
                    .strip_prefix("sqlite://")
                    .expect("a sqlite:// URL")
                    .to_owned();
                let mut bytes = std::fs::read(&path).expect("the database file");
                if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
                    bytes.extend_from_slice(&wal);
                }
                bytes
            }
            Backend::Postgres => {
                use sqlx::{Connection, Row};
                let mut conn = sqlx::PgConnection::connect(&self.config.database_url)
                    .await
                    .expect("connect to the test database");
                let tables: Vec<String> = sqlx::query(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                )
                .fetch_all(&mut conn)
                .await
                .expect("list tables")
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect();
                assert!(tables.iter().any(|t| t == "accounts"), "{tables:?}");
                let mut text = String::new();
                for table in tables {
                    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT t::text FROM \"{table}\" t"
                    )))
                    .fetch_all(&mut conn)
                    .await
                    .expect("read a table");
                    for row in rows {
                        text.push_str(&row.get::<String, _>(0));
                        text.push('\n');
                    }
                }
                text.into_bytes()
            }
        }
    }

    /// A second instance of the application on the same database and data folder, as after a
    /// restart or behind a load balancer.
    pub async fn another_instance(&self) -> Instance {
        let prepared = startup::prepare(&self.config)
            .await
            .expect("a second instance starts");
        assert!(
            prepared.first_admin_password.is_none(),
            "only the very first start creates an administrator"
        );
        let app = Application::bind(&self.config, prepared.state)
            .await
            .expect("binds a port");
        let address = format!("http://{}", app.local_addr());
        let server = tokio::spawn(async move {
            app.run(std::future::pending()).await.expect("server runs");
        });
        Instance { address, server }
    }
}

/// Another instance of a [`TestApp`]'s application (see [`TestApp::another_instance`]).
pub struct Instance {
    pub address: String,
    server: tokio::task::JoinHandle<()>,
}

impl Instance {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Everything the application logs, from the first call on, at the level a production server
/// logs (and debug for our own crates), shared by all tests of the binary. Tests search it for
/// values only they use.
pub fn captured_log() -> CapturedLog {
    static LOG: std::sync::OnceLock<Arc<std::sync::Mutex<Vec<u8>>>> = std::sync::OnceLock::new();
    let buffer = LOG.get_or_init(|| {
        let buffer = Arc::new(std::sync::Mutex::new(Vec::new()));
        let writer = CapturedLog(buffer.clone());
        let filter = format!(
            "{},web=debug,store=debug,integrations=debug,domain=debug,skillcert=debug",
            Config::default().log
        );
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("no other global log subscriber in the HTTP tests");
        buffer
    });
    CapturedLog(buffer.clone())
}

#[derive(Clone)]
pub struct CapturedLog(Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLog {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log lock")).into_owned()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An API refusal, read from its JSON body `{code, message, fields}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub fields: Vec<FieldError>,
    pub retry_after: Option<i64>,
    pub body: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl ApiError {
    /// Reads the refusal, checking that it is JSON of the documented shape.
    pub async fn from(response: reqwest::Response) -> ApiError {
        let status = response.status().as_u16();
        assert!(status >= 400, "expected a refusal, got {status}");
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .map(|v| {
                v.to_str()
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .expect("Retry-After is a number of seconds")
            });
        let text = response.text().await.expect("body");
        assert!(
            content_type.starts_with("application/json"),
            "an API error is JSON, got {content_type:?}: {text}"
        );
        let body: serde_json::Value = serde_json::from_str(&text).expect("JSON error body");
        let code = body["code"]
            .as_str()
            .expect("`code` is a string")
            .to_owned();
        let message = body["message"]
            .as_str()
            .expect("`message` is a string")
            .to_owned();
        assert!(is_chinese(&message), "message in Chinese: {message:?}");
        let fields = body["fields"]
            .as_array()
            .expect("`fields` is a list")
            .iter()
            .map(|f| FieldError {
                field: f["field"].as_str().expect("field").to_owned(),
                code: f["code"].as_str().expect("field code").to_owned(),
                message: f["message"].as_str().expect("field message").to_owned(),
            })
            .collect();
        ApiError {
            status,
            code,
            message,
            fields,
            retry_after,
            body,
        }
    }

    /// The error about `field`; panics when there is none.
    pub fn field(&self, field: &str) -> &FieldError {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .unwrap_or_else(|| panic!("no error for `{field}` in {:?}", self.body))
    }

    pub fn field_names(&self) -> std::collections::BTreeSet<&str> {
        self.fields.iter().map(|f| f.field.as_str()).collect()
    }
}

/// Whether `text` contains Chinese characters.
pub fn is_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

impl TestApp {
    /// As if the SMS send windows had passed: forgets every counted SMS (login failures stay).
    pub async fn forget_sms_sends(&self) {
        self.execute_sql("DELETE FROM rate_limit_events WHERE bucket LIKE 'sms:%'")
            .await;
    }
}
