//! The background worker stopped mid-job (issue 5, part 4): a worker killed while it sends a
//! notification leaves the job to the next worker once its lease ends, which finishes it once:
//! nothing lost, nothing doubled. A worker stopped gracefully finishes the job in hand and
//! claims nothing more. Each on SQLite and on PostgreSQL, in its own database.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use domain::accounts::Identity;
use domain::applications::form::ApplicationDraft;
use domain::identity::{IdNumber, Phone, RealName};
use integrations::sms::{SmsError, SmsMessage, SmsSender};
use skillcert::worker::{self, JobContext, WorkerConfig};
use store::jobs::JobState;
use store::{Db, DbOptions, Pii};

use crate::on_both_backends;
use crate::support::{Backend, postgres_admin_url};

/// A provider stand-in: counts the messages it is handed, and answers after `delay`, or never
/// (a send the worker is killed in the middle of).
struct Provider {
    handed: Mutex<Vec<SmsMessage>>,
    entered: tokio::sync::Notify,
    delay: Option<Duration>,
}

impl Provider {
    fn new(delay: Option<Duration>) -> Arc<Provider> {
        Arc::new(Provider {
            handed: Mutex::new(Vec::new()),
            entered: tokio::sync::Notify::new(),
            delay,
        })
    }

    fn count(&self) -> usize {
        self.handed.lock().unwrap().len()
    }
}

// `SmsSender` is an `async_trait`; this is its expansion, written out to spare the tests the
// macro crate.
impl SmsSender for Provider {
    fn send<'a, 'b, 'c>(
        &'a self,
        message: &'b SmsMessage,
    ) -> Pin<Box<dyn Future<Output = Result<(), SmsError>> + Send + 'c>>
    where
        'a: 'c,
        'b: 'c,
        Self: 'c,
    {
        Box::pin(async move {
            self.handed.lock().unwrap().push(message.clone());
            self.entered.notify_one();
            match self.delay {
                Some(delay) => tokio::time::sleep(delay).await,
                None => std::future::pending::<()>().await,
            }
            Ok(())
        })
    }
}

/// A fresh, migrated and seeded database (a PostgreSQL one is left behind, as the store tests'
/// are).
async fn fresh_db(backend: Backend) -> (Db, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}", dir.path().join("worker.db").display());
            let db = Db::connect(&url, &DbOptions::default()).await.unwrap();
            prepare(&db).await;
            (db, Some(dir))
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let name = format!("skillcert_worker_{:016x}", rand::random::<u64>());
            let mut admin = sqlx::PgConnection::connect(&postgres_admin_url())
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                .execute(&mut admin)
                .await
                .unwrap();
            let base = postgres_admin_url().rsplit_once('/').unwrap().0.to_owned();
            let db = Db::connect(&format!("{base}/{name}"), &DbOptions::default())
                .await
                .unwrap();
            prepare(&db).await;
            (db, None)
        }
    }
}

async fn prepare(db: &Db) {
    store::migrations::run(db).await.unwrap();
    store::seed::seed_if_empty(db, Utc::now()).await.unwrap();
}

fn pii() -> Pii {
    Pii::new(&[9; 32])
}

/// Candidate `n` submits an application on the seeded plan; returns the account.
async fn submit(db: &Db, n: u16) -> i64 {
    let plan = store::plans::list(db, None, 1).await.unwrap().plans[0].id;
    let first17 = format!("45010319900101{n:03}");
    let check = domain::identity::id_number::check_digit(&first17).unwrap();
    let account = store::accounts::register(
        db,
        &pii(),
        store::accounts::NewAccount {
            phone: Phone::parse(&format!("1360000{n:04}")).unwrap(),
            password_hash: "not used".into(),
            email: None,
            real_name: RealName::parse("赵六").unwrap(),
            id_number: IdNumber::parse(&format!("{first17}{check}")).unwrap(),
            identity: Identity::Worker,
        },
        Utc::now(),
    )
    .await
    .unwrap()
    .unwrap();
    let draft =
        store::applications::draft_for(db, account, plan, &ApplicationDraft::default(), Utc::now())
            .await
            .unwrap();
    store::applications::submit(db, &draft, true, false, Utc::now())
        .await
        .unwrap()
        .unwrap();
    account
}

fn config(lease_seconds: u64) -> WorkerConfig {
    WorkerConfig {
        enabled: true,
        poll_interval_ms: 20,
        lease_seconds,
        concurrency: 2,
    }
}

fn context(db: &Db, provider: &Arc<Provider>) -> JobContext {
    JobContext {
        db: db.clone(),
        pii: pii(),
        sms: provider.clone(),
    }
}

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(15), f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The first job of a fresh database is the first submission's notification.
const FIRST_JOB: i64 = 1;

async fn a_worker_killed_mid_job_loses_nothing_and_doubles_nothing(backend: Backend) {
    let (db, _dir) = fresh_db(backend).await;
    let account = submit(&db, 1).await;

    // The first worker is killed while the provider has the message in hand.
    let stuck = Provider::new(None);
    let first = worker::spawn(context(&db, &stuck), &config(1));
    within("the first worker to send", stuck.entered.notified()).await;
    drop(first);

    // The next worker takes the job once the first one's lease has ended, and finishes it.
    let provider = Provider::new(Some(Duration::ZERO));
    let second = worker::spawn(context(&db, &provider), &config(1));
    within("the second worker to send", async {
        while provider.count() < 1 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    within("the job to be done", async {
        while store::jobs::status(&db, FIRST_JOB)
            .await
            .unwrap()
            .unwrap()
            .state
            != JobState::Done
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    // Longer than a lease: time for any second send.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    second.shutdown(Duration::from_secs(5)).await;

    assert_eq!(stuck.count(), 1);
    assert_eq!(provider.count(), 1, "sent once after the takeover");
    let handed = provider.handed.lock().unwrap()[0].clone();
    assert_eq!(
        handed.dedupe_key,
        stuck.handed.lock().unwrap()[0].dedupe_key
    );
    assert_eq!(handed.phone.as_str(), "13600000001");
    let notes = store::notifications::list_for_account(&db, account, 10)
        .await
        .unwrap();
    assert_eq!(notes.len(), 1, "one notification");
    assert_eq!(notes[0].sms_status, store::notifications::SmsStatus::Sent);
    let job = store::jobs::status(&db, FIRST_JOB).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Done, 2));
}

async fn a_worker_stopped_gracefully_finishes_its_job_and_takes_no_more(backend: Backend) {
    let (db, _dir) = fresh_db(backend).await;
    let account = submit(&db, 2).await;
    let provider = Provider::new(Some(Duration::from_millis(400)));
    let running = worker::spawn(context(&db, &provider), &config(60));
    within("the worker to send", provider.entered.notified()).await;
    within("a graceful stop", running.shutdown(Duration::from_secs(10))).await;

    let job = store::jobs::status(&db, FIRST_JOB).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Done, 1));
    let notes = store::notifications::list_for_account(&db, account, 10)
        .await
        .unwrap();
    assert_eq!(notes[0].sms_status, store::notifications::SmsStatus::Sent);

    // Stopped: a later change waits in the queue for the next worker.
    let later = submit(&db, 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(provider.count(), 1);
    let waiting = store::jobs::status(&db, FIRST_JOB + 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((waiting.state, waiting.attempts), (JobState::Pending, 0));
    assert!(
        store::notifications::list_for_account(&db, later, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

on_both_backends!(
    a_worker_killed_mid_job_loses_nothing_and_doubles_nothing,
    a_worker_stopped_gracefully_finishes_its_job_and_takes_no_more
);
