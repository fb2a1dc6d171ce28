//! The application under test, started as `skillcert serve` starts it (`startup::prepare`, then
//! `Application::bind` on 127.0.0.1:0) on a throwaway database and data folder: a SQLite file in
//! a temporary folder, or a new PostgreSQL database `skillcert_bench_<random>` dropped at the
//! end. The user's configured database is never opened.

use anyhow::Context;
use sqlx::Connection;
use web::AppState;

use super::Database;
use crate::config::{Config, Secret};
use crate::startup::{self, Application};

pub struct BenchApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The running application's own state: preparation and the ceiling use its pools, so that
    /// SQLite keeps exactly one writer.
    pub state: AppState,
    server: tokio::task::JoinHandle<()>,
    _data_dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl BenchApp {
    pub async fn start(database: Database, postgres_admin_url: &str) -> anyhow::Result<BenchApp> {
        let data_dir = tempfile::tempdir().context("a temporary data folder")?;
        let (database_url, postgres) = match database {
            Database::Sqlite => (
                format!("sqlite://{}", data_dir.path().join("bench.db").display()),
                None,
            ),
            Database::Postgres => {
                let name = format!("skillcert_bench_{}", random_suffix());
                let mut admin = sqlx::PgConnection::connect(postgres_admin_url)
                    .await
                    .with_context(|| {
                        format!(
                            "connecting to {} to create a bench database",
                            crate::config::redact_url_password(postgres_admin_url)
                        )
                    })?;
                // The name is ours (letters and an underscore), never user input.
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut admin)
                    .await
                    .context("creating the bench database")?;
                let base = postgres_admin_url
                    .rsplit_once('/')
                    .map_or(postgres_admin_url, |(b, _)| b);
                (
                    format!("{base}/{name}"),
                    Some((postgres_admin_url.to_owned(), name)),
                )
            }
        };
        let config = Config {
            database_url,
            listen: "127.0.0.1:0".into(),
            data_dir: data_dir.path().to_path_buf(),
            // A fixed key: no key file to write, no warning to print per run.
            secret_key: Some(Secret::new("be".repeat(32))),
            log: "warn".into(),
            ..Config::default()
        };
        let started = async {
            let prepared = startup::prepare(&config).await?;
            let state = prepared.state.clone();
            let app = Application::bind(&config, prepared.state).await?;
            anyhow::Ok((state, app))
        }
        .await;
        let (state, app) = match started {
            Ok(started) => started,
            Err(e) => {
                if let Some((admin, name)) = &postgres {
                    drop_database(admin, name).await;
                }
                return Err(e);
            }
        };
        let base = format!("http://{}", app.local_addr());
        let server = tokio::spawn(async move {
            if let Err(e) = app.run(std::future::pending()).await {
                eprintln!("bench: the application stopped: {e:#}");
            }
        });
        Ok(BenchApp {
            base,
            state,
            server,
            _data_dir: data_dir,
            postgres,
        })
    }

    /// Stops the server and throws the database away.
    pub async fn finish(self) {
        self.server.abort();
        let _ = self.server.await;
        self.state.db.clone().close().await;
        if let Some((admin, name)) = &self.postgres {
            drop_database(admin, name).await;
        }
    }
}

async fn drop_database(admin_url: &str, name: &str) {
    match sqlx::PgConnection::connect(admin_url).await {
        Ok(mut admin) => {
            // FORCE ends whatever connections a pool still holds.
            let dropped = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await;
            if let Err(e) = dropped {
                eprintln!("bench: could not drop the database {name}: {e}");
            }
        }
        Err(e) => eprintln!("bench: could not drop the database {name}: {e}"),
    }
}

fn random_suffix() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..12)
        .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
        .collect()
}
