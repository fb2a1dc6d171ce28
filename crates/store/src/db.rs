//! Opening the database named by a URL: `sqlite://…` (the embedded default) or `postgres://…`.
//!
//! On SQLite every write goes through a pool of exactly one connection, so our own transactions
//! queue in the pool instead of failing with `database is locked` (a deferred transaction that
//! upgrades to a writer cannot wait on the busy timeout). Reads use a separate pool; WAL lets them
//! run beside the writer. On PostgreSQL both are the same pool.

use std::str::FromStr;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct DbOptions {
    /// PostgreSQL pool size; SQLite's read pool size.
    pub max_connections: u32,
    /// SQLite only: `synchronous=FULL` instead of `NORMAL` (WAL is crash-safe either way;
    /// FULL also survives power loss for the last transactions).
    pub sqlite_synchronous_full: bool,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            sqlite_synchronous_full: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(
        "unsupported database URL scheme `{0}`: use sqlite://PATH (the embedded default) or postgres://USER@HOST:PORT/DB"
    )]
    UnsupportedScheme(String),
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    #[error("cannot create the database folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] sqlx::Error),
}

#[derive(Clone, Debug)]
pub struct Db {
    read: DatabaseConnection,
    write: DatabaseConnection,
    backend: Backend,
}

impl Db {
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Db, ConnectError> {
        match backend_of(url)? {
            Backend::Sqlite => connect_sqlite(url, options).await,
            Backend::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                let conn = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
                Ok(Db {
                    read: conn.clone(),
                    write: conn,
                    backend: Backend::Postgres,
                })
            }
        }
    }

    /// For queries that only read.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.read
    }

    /// For every statement or transaction that writes.
    pub fn writer(&self) -> &DatabaseConnection {
        &self.write
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Answers when the database does: a round trip on the read pool.
    pub async fn ping(&self) -> Result<(), sea_orm::DbErr> {
        self.read.execute_unprepared("SELECT 1").await.map(|_| ())
    }

    pub async fn close(self) {
        let _ = self.read.close().await;
        if self.backend == Backend::Sqlite {
            let _ = self.write.close().await;
        }
    }
}

/// The backend a URL names, or a clear error for any other scheme.
pub fn backend_of(url: &str) -> Result<Backend, ConnectError> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "sqlite" => Ok(Backend::Sqlite),
        "postgres" | "postgresql" => Ok(Backend::Postgres),
        other => Err(ConnectError::UnsupportedScheme(other.to_string())),
    }
}

async fn connect_sqlite(url: &str, options: &DbOptions) -> Result<Db, ConnectError> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        // Each pooled connection would get its own empty database.
        return Err(ConnectError::InvalidUrl(
            "in-memory SQLite is not supported: name a file, e.g. sqlite://data/skillcert.db"
                .into(),
        ));
    }
    let connect = SqliteConnectOptions::from_str(url)
        .map_err(|e| ConnectError::InvalidUrl(e.to_string()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(if options.sqlite_synchronous_full {
            SqliteSynchronous::Full
        } else {
            SqliteSynchronous::Normal
        })
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);
    if let Some(parent) = connect.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| ConnectError::Folder(parent.display().to_string(), e))?;
    }
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .connect_with(connect.clone())
        .await?;
    let read = SqlitePoolOptions::new()
        .max_connections(options.max_connections.clamp(1, 8))
        .connect_with(connect.read_only(true))
        .await?;
    Ok(Db {
        read: SqlxSqliteConnector::from_sqlx_sqlite_pool(read),
        write: SqlxSqliteConnector::from_sqlx_sqlite_pool(write),
        backend: Backend::Sqlite,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sqlite_and_postgres_urls_are_accepted() {
        assert_eq!(backend_of("sqlite://data/x.db").unwrap(), Backend::Sqlite);
        assert_eq!(backend_of("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(
            backend_of("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        let err = backend_of("mysql://u@h/db").unwrap_err();
        assert!(err.to_string().contains("`mysql`"), "{err}");
    }
}
