//! "Nothing lost" (issue 4, part 3): the real `skillcert serve` binary takes a burst of
//! submissions and is killed with SIGKILL several times in the middle of it, then restarted on
//! the same database and data folder. Afterwards the database must hold exactly what the server
//! acknowledged: every acknowledged submission complete, nothing doubled, no seat counted that
//! no application holds, every recorded file's bytes intact. Runs on SQLite and on PostgreSQL,
//! each in its own fresh database.
//!
//! A request cut off by the kill has no definite answer: the candidate goes back to the queue
//! and is retried, as a person would press the button again. If the cut-off submission had in
//! fact committed, the retry answers 409 `application_transition_not_allowed`, and the
//! verification below checks that it really is submitted.

#[path = "../support/mod.rs"]
mod support;

/// The background worker stopped mid-job.
mod worker;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::applications::state::ApplicationStatus;
use integrations::storage::{FileStorage, LocalFileStorage};
use rand::Rng;
use sha2::{Digest, Sha256};
use skillcert::bench::prepare::{self as bench, ReadyCandidate};
use skillcert::config::{Config, Secret};
use store::DbOptions;
use support::Backend;

/// Candidates, spread over the two plans (`plans[i % 2]`).
const CANDIDATES: usize = 240;
/// The first plan has room for all of its candidates; the second for fewer than half of its
/// 120, so that most refusals there are `plan_full` and the seat count is tested at its limit.
const ROOMY_CAPACITY: u32 = 200;
const TIGHT_CAPACITY: u32 = 50;
/// Concurrent clients, like a crowd at the moment registration opens.
const WORKERS: usize = 16;
/// Kills while candidates are still waiting for an answer: at least this many...
const MIN_KILLS: usize = 3;
/// ...and no more, so that the load then finishes on the last server.
const MAX_KILLS: usize = 5;
/// How long after a server answers /healthz it is killed: random in this range...
const KILL_AFTER_MS: std::ops::RangeInclusive<u64> = 150..=600;
/// ...or sooner, once it has given this many definite answers: on a machine fast enough to
/// answer everyone within a few hundred milliseconds the kills still land mid-load, and the
/// last server still has a good share of the candidates (about 240 - 5 * 34 = 70).
const ANSWERS_PER_LIFE: usize = CANDIDATES / (MAX_KILLS + 2);
/// A stuck backend fails the test instead of hanging CI.
const PER_BACKEND: Duration = Duration::from_secs(120);
/// 64 hex characters with letters, so that the environment provider reads it as a string.
const SECRET_KEY_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";

on_both_backends!(nothing_lost_when_killed);

/// The two backends' runs take turns: each loads the machine's two cores on its own, so that
/// the kill timings (150–600 ms) land in the middle of the load however the harness schedules
/// the tests. A tokio mutex works across the tests' separate runtimes and is not poisoned by a
/// failing test.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn nothing_lost_when_killed(backend: Backend) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let database = TestDatabase::create(backend).await;
    let log_path = database.data_dir.path().join("server.log");
    if tokio::time::timeout(PER_BACKEND, run(backend, &database))
        .await
        .is_err()
    {
        // The run's future is dropped by now, and with it the server process (see `Server`).
        panic!(
            "{backend:?}: the crash test did not finish within {PER_BACKEND:?}; server log:\n{}",
            log_tail(&log_path)
        );
    }
}

async fn run(backend: Backend, database: &TestDatabase) {
    let started = Instant::now();
    let config = database.config();

    // 1. Migrate, seed and prepare the candidates in-process, through the store directly (the
    //    HTTP sign-up of hundreds of candidates would take longer than the test itself).
    let prepared = skillcert::startup::prepare(&config)
        .await
        .expect("the application prepares");
    let state = prepared.state;
    let roomy = bench::create_plans(&state.db, 1, ROOMY_CAPACITY)
        .await
        .expect("create the roomy plan");
    let tight = bench::create_plans(&state.db, 1, TIGHT_CAPACITY)
        .await
        .expect("create the tight plan");
    let plans = [(roomy[0], ROOMY_CAPACITY), (tight[0], TIGHT_CAPACITY)];
    let plan_ids = plans.map(|(id, _)| id);
    let candidates = bench::ready_candidates(
        &state.db,
        &state.pii,
        state.files.as_ref(),
        &plan_ids,
        1,
        CANDIDATES,
    )
    .await
    .expect("prepare the candidates");
    assert_eq!(candidates.len(), CANDIDATES);
    // The server process must be SQLite's only writer.
    state.db.clone().close().await;
    drop(state);
    let setup = started.elapsed();

    // 2. The real binary, configured through the environment only.
    let mut server = Server::new(&config, database.data_dir.path());
    server.start();
    server.wait_until_healthy().await;

    // 3 and 4. Load, and kill the server under it.
    let load = Arc::new(Load::new(candidates, server.address.clone()));
    let load_started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..WORKERS {
        workers.spawn(worker(load.clone()));
    }
    let kills = kill_and_restart(&mut server, &load).await;
    while let Some(done) = workers.join_next().await {
        done.expect("a load worker panicked");
    }
    let load_time = load_started.elapsed();
    // The last server dies the same way: the verification reads what a crash leaves behind.
    server.kill();

    // 5. Verify against the database and the file storage directly.
    let verified = verify(&config, &load, &plans).await;
    let cut_off = load.cut_off.load(Ordering::SeqCst);

    eprintln!(
        "crash test {backend:?}: {} candidates, {} kills (requests in flight at each: {:?}; \
         restarts took {:?}), {} acknowledged ({} of them confirmed after a retry), {} plan_full, \
         {} retried ({} cut off in flight, {} refused while down); setup {:.1?}, load {:.1?}, \
         total {:.1?}",
        CANDIDATES,
        kills.len(),
        kills.iter().map(|k| k.in_flight).collect::<Vec<_>>(),
        kills.iter().map(|k| k.restart).collect::<Vec<_>>(),
        verified.acknowledged,
        verified.confirmed_after_retry,
        verified.full,
        load.retried.load(Ordering::SeqCst),
        cut_off,
        load.refused.load(Ordering::SeqCst),
        setup,
        load_time,
        started.elapsed(),
    );

    // The kills must really have hit the load, or the test proves nothing.
    assert!(
        kills.len() >= MIN_KILLS,
        "only {} kills happened before the load finished; raise CANDIDATES",
        kills.len()
    );
    assert!(
        kills.iter().any(|k| k.in_flight > 0),
        "no kill happened with requests in flight: {kills:?}"
    );
    assert!(
        cut_off > 0,
        "no request was cut off by a kill; the kills missed the load"
    );
}

// --- the load ----------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// 200, status `under_review`.
    Acknowledged,
    /// 409 `application_transition_not_allowed` on a retry: the cut-off request had committed.
    AlreadySubmitted,
    /// 409 `plan_full`.
    Full,
    /// Anything else: a definite answer the test did not expect (fails the test).
    Unexpected { status: u16, body: String },
}

struct Load {
    candidates: Vec<ReadyCandidate>,
    /// Indexes of candidates waiting for a (first or renewed) attempt.
    queue: Mutex<VecDeque<usize>>,
    outcomes: Mutex<Vec<Option<Outcome>>>,
    /// Candidates without a definite answer yet, queued or in flight.
    undecided: AtomicUsize,
    in_flight: AtomicUsize,
    /// Attempts that got no answer and were queued again.
    retried: AtomicUsize,
    /// Of those: connections refused (no server listening; nothing was sent).
    refused: AtomicUsize,
    /// Of those: requests sent whose answer never came (the server died under them).
    cut_off: AtomicUsize,
    address: String,
    client: reqwest::Client,
}

impl Load {
    fn new(candidates: Vec<ReadyCandidate>, address: String) -> Load {
        let count = candidates.len();
        Load {
            queue: Mutex::new((0..count).collect()),
            outcomes: Mutex::new(vec![None; count]),
            undecided: AtomicUsize::new(count),
            in_flight: AtomicUsize::new(0),
            retried: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
            cut_off: AtomicUsize::new(0),
            candidates,
            address,
            client: reqwest::Client::builder()
                // A fresh connection per request: an error that is not a connect error then
                // means the request reached a server that died, never a stale pooled
                // connection to an earlier one, so `cut_off` counts what it says.
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(20))
                .build()
                .expect("HTTP client"),
        }
    }

    fn undecided(&self) -> usize {
        self.undecided.load(Ordering::SeqCst)
    }

    /// Candidates with a definite answer.
    fn answered(&self) -> usize {
        self.candidates.len() - self.undecided()
    }
}

/// Takes the next candidate, submits, records a definite answer or queues the candidate again.
async fn worker(load: Arc<Load>) {
    loop {
        let next = load.queue.lock().expect("queue lock").pop_front();
        let Some(index) = next else {
            if load.undecided() == 0 {
                return;
            }
            // Other workers hold the last candidates; one may come back for a retry.
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        match submit_once(&load, &load.candidates[index]).await {
            Some(outcome) => {
                load.outcomes.lock().expect("outcomes lock")[index] = Some(outcome);
                load.undecided.fetch_sub(1, Ordering::SeqCst);
            }
            None => {
                load.retried.fetch_add(1, Ordering::SeqCst);
                load.queue.lock().expect("queue lock").push_back(index);
                // The server is down or restarting: do not spin on a closed port.
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    }
}

/// One submission; `None` when no answer came.
async fn submit_once(load: &Load, candidate: &ReadyCandidate) -> Option<Outcome> {
    let url = format!(
        "{}/api/v1/applications/{}/submit",
        load.address, candidate.application_id
    );
    load.in_flight.fetch_add(1, Ordering::SeqCst);
    let answer = async {
        let response = load
            .client
            .post(&url)
            .header(reqwest::header::COOKIE, &candidate.cookie)
            .header("X-CSRF-Token", &candidate.csrf)
            .json(&serde_json::json!({
                "accept_commitment": true,
                "acknowledge_ineligible": false,
            }))
            .send()
            .await?;
        let status = response.status().as_u16();
        // The body is part of the answer: a server killed after the headers gave none.
        let body = response.text().await?;
        Ok::<_, reqwest::Error>((status, body))
    }
    .await;
    load.in_flight.fetch_sub(1, Ordering::SeqCst);
    match answer {
        Ok((status, body)) => Some(classify(status, body)),
        Err(e) if e.is_connect() => {
            load.refused.fetch_add(1, Ordering::SeqCst);
            None
        }
        Err(_) => {
            load.cut_off.fetch_add(1, Ordering::SeqCst);
            None
        }
    }
}

fn classify(status: u16, body: String) -> Outcome {
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    match (status, json["status"].as_str(), json["code"].as_str()) {
        (200, Some("under_review"), _) => Outcome::Acknowledged,
        (409, _, Some("plan_full")) => Outcome::Full,
        (409, _, Some("application_transition_not_allowed")) => Outcome::AlreadySubmitted,
        _ => Outcome::Unexpected { status, body },
    }
}

#[derive(Debug)]
struct Kill {
    /// Requests in flight just before the kill.
    in_flight: usize,
    /// From the kill until the new server answered /healthz.
    restart: Duration,
}

/// Kills the server a random 150–600 ms after it became healthy (or once it has given
/// `ANSWERS_PER_LIFE` answers), restarts it, and again, while candidates wait for answers, up to
/// `MAX_KILLS` times.
async fn kill_and_restart(server: &mut Server, load: &Load) -> Vec<Kill> {
    let mut kills = Vec::new();
    while kills.len() < MAX_KILLS && load.undecided() > 0 {
        let after = rand::rng().random_range(KILL_AFTER_MS);
        let deadline = Instant::now() + Duration::from_millis(after);
        let answered_before = load.answered();
        while Instant::now() < deadline && load.answered() - answered_before < ANSWERS_PER_LIFE {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if load.undecided() == 0 {
            break;
        }
        let in_flight = load.in_flight.load(Ordering::SeqCst);
        let killed = Instant::now();
        server.kill();
        server.start();
        server.wait_until_healthy().await;
        kills.push(Kill {
            in_flight,
            restart: killed.elapsed(),
        });
    }
    kills
}

// --- the server process ------------------------------------------------------------------------

/// The `skillcert serve` child process; killed when dropped, so that a failing or timed-out test
/// never leaves it running.
struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`, the same for every restart.
    address: String,
    env: Vec<(&'static str, String)>,
    data_dir: PathBuf,
    log_path: PathBuf,
    health: reqwest::Client,
}

impl Server {
    fn new(config: &Config, data_dir: &Path) -> Server {
        // A port that is free now; each restart listens on it again, so the clients' address
        // stays valid (the listener sets SO_REUSEADDR, so the dead server's connections do not
        // block it).
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let listen = format!("127.0.0.1:{port}");
        let secret = config.secret_key.as_ref().expect("a secret key").expose();
        Server {
            child: None,
            address: format!("http://{listen}"),
            env: vec![
                ("SKILLCERT_DATABASE_URL", config.database_url.clone()),
                ("SKILLCERT_LISTEN", listen),
                ("SKILLCERT_DATA_DIR", data_dir.display().to_string()),
                ("SKILLCERT_SECRET_KEY", secret.to_owned()),
                (
                    "SKILLCERT_MAX_CONNECTIONS",
                    config.max_connections.to_string(),
                ),
                // Quiet: only what goes wrong, into server.log for a failure message.
                ("SKILLCERT_LOG", "warn".to_owned()),
            ],
            data_dir: data_dir.to_path_buf(),
            log_path: data_dir.join("server.log"),
            health: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(2))
                .build()
                .expect("HTTP client"),
        }
    }

    fn start(&mut self) {
        assert!(self.child.is_none(), "one server at a time");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .expect("open the server log");
        let mut command = Command::new(env!("CARGO_BIN_EXE_skillcert"));
        command
            .arg("serve")
            // No skillcert.toml there: the environment below is the whole configuration.
            .current_dir(&self.data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        // Whatever SKILLCERT_* the test runner has must not leak into the server.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("SKILLCERT_") {
                command.env_remove(name);
            }
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        self.child = Some(command.spawn().expect("start the skillcert binary"));
    }

    /// Polls /healthz until it answers 200; fails if the process exits or 30 s pass.
    async fn wait_until_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let url = format!("{}/healthz", self.address);
        loop {
            let child = self.child.as_mut().expect("a started server");
            if let Some(exit) = child.try_wait().expect("poll the server process") {
                self.child = None;
                panic!(
                    "the server exited ({exit}) before it was healthy; log:\n{}",
                    log_tail(&self.log_path)
                );
            }
            if let Ok(r) = self.health.get(&url).send().await
                && r.status() == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer /healthz within 30 s; log:\n{}",
                log_tail(&self.log_path)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then reap the process.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

// --- verification ------------------------------------------------------------------------------

struct Verified {
    acknowledged: usize,
    confirmed_after_retry: usize,
    full: usize,
}

async fn verify(config: &Config, load: &Load, plans: &[(i64, u32)]) -> Verified {
    let db = store::Db::connect(&config.database_url, &DbOptions::default())
        .await
        .expect("open the database after the crash");
    let storage = LocalFileStorage::new(config.files_dir());
    let outcomes = load.outcomes.lock().expect("outcomes lock").clone();
    let mut problems = Vec::new();
    let mut acknowledged = 0;
    let mut confirmed_after_retry = 0;
    let mut full = 0;
    // Per plan: applications that hold a seat.
    let mut holders = vec![0u32; plans.len()];

    for (candidate, outcome) in load.candidates.iter().zip(&outcomes) {
        let id = candidate.application_id;
        let application = store::applications::get_owned(&db, id, candidate.account_id)
            .await
            .expect("read an application")
            .unwrap_or_else(|| panic!("application {id} is gone"));
        let submitted_events = store::applications::events(&db, id)
            .await
            .expect("read the timeline")
            .iter()
            .filter(|e| e.kind == "submitted")
            .count();
        if submitted_events > 1 {
            problems.push(format!(
                "application {id}: {submitted_events} `submitted` events (doubled)"
            ));
        }
        let plan = plans
            .iter()
            .position(|(p, _)| *p == application.plan_id)
            .unwrap_or_else(|| panic!("application {id} is on an unknown plan"));
        if application.status.holds_seat() {
            holders[plan] += 1;
        }
        match outcome {
            Some(Outcome::Acknowledged | Outcome::AlreadySubmitted) => {
                acknowledged += 1;
                if outcome == &Some(Outcome::AlreadySubmitted) {
                    confirmed_after_retry += 1;
                }
                let complete = application.status == ApplicationStatus::UnderReview
                    && application.submitted_at.is_some()
                    && application.round == 1
                    && submitted_events == 1;
                if !complete {
                    problems.push(format!(
                        "application {id} was acknowledged ({outcome:?}) but is {:?}, \
                         submitted_at {:?}, round {}, {submitted_events} `submitted` events",
                        application.status, application.submitted_at, application.round
                    ));
                }
            }
            Some(Outcome::Full) => {
                full += 1;
                let untouched = application.status == ApplicationStatus::Draft
                    && application.submitted_at.is_none()
                    && application.round == 0
                    && submitted_events == 0;
                if !untouched {
                    problems.push(format!(
                        "application {id} was refused as full but is {:?}, round {}, \
                         {submitted_events} `submitted` events",
                        application.status, application.round
                    ));
                }
            }
            Some(Outcome::Unexpected { status, body }) => {
                problems.push(format!(
                    "application {id}: unexpected answer {status} {body}"
                ));
            }
            None => problems.push(format!("application {id}: no definite answer")),
        }
        let files = store::files::current(&db, id)
            .await
            .expect("read the files");
        if files.is_empty() {
            problems.push(format!("application {id} has no current files"));
        }
        for file in files {
            match storage.get(&file.storage_key).await {
                Ok(bytes) => {
                    let sha256 = hex::encode(Sha256::digest(&bytes));
                    if bytes.len() as i64 != file.byte_size || sha256 != file.sha256 {
                        problems.push(format!(
                            "application {id}: file {} ({:?}) has {} bytes, sha256 {sha256}; \
                             recorded {} bytes, {}",
                            file.id,
                            file.kind,
                            bytes.len(),
                            file.byte_size,
                            file.sha256
                        ));
                    }
                }
                Err(e) => problems.push(format!(
                    "application {id}: file {} ({:?}) cannot be read: {e}",
                    file.id, file.kind
                )),
            }
        }
    }

    for ((plan_id, capacity), holding) in plans.iter().zip(&holders) {
        let (plan, _) = store::plans::get(&db, *plan_id)
            .await
            .expect("read a plan")
            .expect("the plan exists");
        if plan.seats_taken != *holding || *holding > *capacity {
            problems.push(format!(
                "plan {plan_id}: seats_taken {} but {holding} applications hold a seat \
                 (capacity {capacity})",
                plan.seats_taken
            ));
        }
        let candidates_on_plan = load
            .candidates
            .iter()
            .filter(|c| c.plan_id == *plan_id)
            .count() as u32;
        // Nobody withdrew, so every seat is taken when candidates outnumber seats, and everyone
        // got one otherwise: a refusal as full with a seat free would be a lost seat.
        let expected = candidates_on_plan.min(*capacity);
        if *holding != expected {
            problems.push(format!(
                "plan {plan_id}: {holding} applications hold a seat, expected {expected} \
                 ({candidates_on_plan} candidates, capacity {capacity})"
            ));
        }
    }
    if acknowledged + full != load.candidates.len() {
        problems.push(format!(
            "{acknowledged} acknowledged + {full} full != {} candidates",
            load.candidates.len()
        ));
    }
    db.close().await;
    assert!(
        problems.is_empty(),
        "{} problems after the crashes:\n{}",
        problems.len(),
        problems.join("\n")
    );
    Verified {
        acknowledged,
        confirmed_after_retry,
        full,
    }
}

// --- a fresh database --------------------------------------------------------------------------

/// A temporary data folder and, for PostgreSQL, a fresh database with a random name, dropped
/// afterwards (after the server, which `run` owns and drops first).
struct TestDatabase {
    data_dir: tempfile::TempDir,
    database_url: String,
    postgres_db: Option<String>,
}

impl TestDatabase {
    async fn create(backend: Backend) -> TestDatabase {
        let data_dir = tempfile::tempdir().expect("temporary data folder");
        match backend {
            Backend::Sqlite => TestDatabase {
                database_url: format!(
                    "sqlite://{}",
                    data_dir.path().join("skillcert.db").display()
                ),
                data_dir,
                postgres_db: None,
            },
            Backend::Postgres => {
                use sqlx::Connection;
                let name = format!("skillcert_crash_{}", random_suffix());
                let admin = support::postgres_admin_url();
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("PostgreSQL is needed for the PostgreSQL crash test ({admin}): {e}")
                    });
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut conn)
                    .await
                    .expect("create the test database");
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                TestDatabase {
                    database_url: format!("{base}/{name}"),
                    data_dir,
                    postgres_db: Some(name),
                }
            }
        }
    }

    fn config(&self) -> Config {
        Config {
            database_url: self.database_url.clone(),
            // Not used in-process (nothing listens there); the server gets its own port.
            listen: "127.0.0.1:0".into(),
            data_dir: self.data_dir.path().to_path_buf(),
            secret_key: Some(Secret::new(SECRET_KEY_HEX)),
            max_connections: 8,
            ..Config::default()
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.postgres_db.take() else {
            return;
        };
        // Drop runs outside async context: a short-lived thread with its own runtime drops the
        // database (FORCE ends any connection a killed server left behind).
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut conn) =
                    sqlx::PgConnection::connect(&support::postgres_admin_url()).await
                {
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

fn random_suffix() -> String {
    let mut rng = rand::rng();
    (0..12)
        .map(|_| char::from(b'a' + rng.random_range(0..26u8)))
        .collect()
}
