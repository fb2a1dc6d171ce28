//! Starts the real application for a test: its own database (a fresh SQLite file, or a fresh
//! PostgreSQL database with a random name), its own data folder, a random port. Shared by the
//! HTTP tests and the browser tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use integrations::sms::OutboxLine;
use skillcert::config::{Config, Secret};
use skillcert::startup::{self, Application};

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
        let config = Config {
            database_url,
            listen: "127.0.0.1:0".into(),
            data_dir: data_dir.path().to_path_buf(),
            secret_key: Some(Secret::new("5a".repeat(32))),
            max_connections: 8,
            ..Config::default()
        };
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

    /// The code in the newest SMS to `phone`.
    pub fn last_code_for(&self, phone: &str) -> String {
        self.outbox()
            .iter()
            .rev()
            .find(|l| l.phone == phone)
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
