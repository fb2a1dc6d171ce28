//! What the store's integration tests share: a fresh database on either backend, seeded, and
//! `on_both!` to run a test on each.
#![allow(dead_code)]

use chrono::Utc;
use sea_orm::ConnectionTrait;
use store::{Db, DbOptions};

pub async fn sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("seats.db").display());
    (Db::connect(&url, &DbOptions::default()).await.unwrap(), dir)
}

pub async fn postgres() -> Db {
    let admin = std::env::var("SKILLCERT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("skillcert_seats_{:016x}", rand::random::<u64>());
    let server = Db::connect(&admin, &DbOptions::default()).await.unwrap();
    server
        .writer()
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    server.close().await;
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
    let options = DbOptions {
        max_connections: 48,
        ..DbOptions::default()
    };
    Db::connect(&format!("{base}/{name}"), &options)
        .await
        .unwrap()
}

/// A migrated, seeded database and the id of one of its plans.
pub async fn with_plan(db: &Db) -> i64 {
    store::migrations::run(db).await.unwrap();
    store::seed::seed_if_empty(db, Utc::now()).await.unwrap();
    store::plans::list(db, None, 1).await.unwrap().plans[0].id
}

#[macro_export]
macro_rules! on_both {
    ($($name:ident),*) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (db, _dir) = $crate::common::sqlite().await;
                super::$name(db).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::postgres().await).await
            }
        }
    )*};
}
