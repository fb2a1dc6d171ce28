//! The background worker: claims due jobs from the queue in the database (`store::jobs`), runs
//! each by its queue's handler, and completes it or fails it for a retry with backoff.
//!
//! Started by `serve` (unless `worker.enabled = false`), with `worker.concurrency` loops in one
//! process. Any number of instances may run workers on one database: a job is claimed with a
//! lease by one worker at a time. Stopping is graceful: on shutdown a loop claims nothing more
//! and finishes the job in hand; a worker that is killed instead loses its lease, and when the
//! lease ends another worker takes the job again. Handlers are idempotent, so a job run twice
//! has the effect of one run (`store::notifications::deliver` says how, and the one window
//! where an SMS can still go out twice).

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use integrations::sms::{SmsMessage, SmsSender};
use serde::{Deserialize, Serialize};
use store::jobs::ClaimedJob;
use store::notifications::{self, Delivery, SendOutcome, SmsStatus};
use store::{Db, Pii};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// `[worker]` in the configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerConfig {
    /// Run the worker in this instance (at least one instance on a database must).
    pub enabled: bool,
    /// How long an idle loop waits before looking for due jobs again.
    pub poll_interval_ms: u64,
    /// How long a claimed job is this worker's: after it, another worker may take it (so a job
    /// must finish well within it; an SMS call times out in seconds).
    pub lease_seconds: u64,
    /// Jobs run at once in this instance.
    pub concurrency: u32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            enabled: true,
            poll_interval_ms: 1000,
            lease_seconds: 300,
            concurrency: 2,
        }
    }
}

/// What handlers use.
#[derive(Clone)]
pub struct JobContext {
    pub db: Db,
    pub pii: Pii,
    pub sms: Arc<dyn SmsSender>,
}

/// The queues this worker serves, each with its handler.
const QUEUES: &[&str] = &[notifications::QUEUE];

/// Running worker loops. Dropping the handle stops them at once (as a crash would); call
/// [`WorkerHandle::shutdown`] to let them finish the jobs in hand.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    loops: Vec<JoinHandle<()>>,
}

impl WorkerHandle {
    /// Claims nothing more and waits up to `grace` for the jobs in hand; a job still running
    /// then is abandoned to its lease.
    pub async fn shutdown(mut self, grace: Duration) {
        let _ = self.stop.send(true);
        let loops = std::mem::take(&mut self.loops);
        let all = join_loops(loops);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!(
                "worker: a job was still running at shutdown; its lease will pass it on"
            );
        }
    }
}

async fn join_loops(loops: Vec<JoinHandle<()>>) {
    for handle in loops {
        let _ = handle.await;
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        for handle in &self.loops {
            handle.abort();
        }
    }
}

/// Starts `config.concurrency` loops.
pub fn spawn(context: JobContext, config: &WorkerConfig) -> WorkerHandle {
    let (stop, stopped) = watch::channel(false);
    let poll = Duration::from_millis(config.poll_interval_ms.max(10));
    let lease =
        chrono::Duration::seconds(i64::try_from(config.lease_seconds.max(1)).unwrap_or(300));
    let loops = (0..config.concurrency.max(1))
        .map(|_| {
            let (context, stopped) = (context.clone(), stopped.clone());
            tokio::spawn(run_loop(context, poll, lease, stopped))
        })
        .collect();
    tracing::info!(concurrency = config.concurrency.max(1), "worker started");
    WorkerHandle { stop, loops }
}

async fn run_loop(
    context: JobContext,
    poll: Duration,
    lease: chrono::Duration,
    mut stopped: watch::Receiver<bool>,
) {
    while !*stopped.borrow() {
        let mut worked = false;
        for queue in QUEUES {
            match store::jobs::claim(&context.db, queue, lease, Utc::now()).await {
                Ok(Some(job)) => {
                    run_job(&context, job).await;
                    worked = true;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, queue, "worker: claiming a job"),
            }
        }
        if !worked {
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                changed = stopped.changed() => {
                    // The handle is gone without a stop (its owner ended): nobody can stop this
                    // loop any more, and waiting on the closed channel would return at once and
                    // spin. Stop, as dropping the handle means.
                    if changed.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Runs one claimed job and records how it ended.
pub async fn run_job(context: &JobContext, job: ClaimedJob) {
    let outcome = match job.queue.as_str() {
        notifications::QUEUE => notify_application_status(context, &job).await,
        other => Err(format!("no handler for queue `{other}`")),
    };
    let now = Utc::now();
    let recorded = match &outcome {
        Ok(()) => store::jobs::complete(&context.db, &job, now).await,
        Err(error) => {
            tracing::warn!(job = job.id, queue = %job.queue, attempt = job.attempt, %error, "job failed; it will be retried");
            store::jobs::fail(&context.db, &job, error, now).await
        }
    };
    match recorded {
        Ok(true) => {}
        // Our lease ended and another worker took the job: its attempt decides.
        Ok(false) => tracing::info!(job = job.id, "job was taken over by another worker"),
        Err(e) => tracing::warn!(job = job.id, error = %e, "recording a job's end"),
    }
}

/// `notify.application_status`: the in-app notification and the SMS of one status change.
async fn notify_application_status(context: &JobContext, job: &ClaimedJob) -> Result<(), String> {
    let event_id = notifications::event_of_payload(&job.payload)
        .ok_or_else(|| format!("payload without event_id: {}", job.payload))?;
    let sms = context.sms.clone();
    let delivery = notifications::deliver(
        &context.db,
        &context.pii,
        event_id,
        Utc::now(),
        |out| async move {
            let message = SmsMessage {
                phone: out.phone,
                template: out.template,
                params: out.params,
                text: out.text,
                dedupe_key: Some(out.dedupe_key),
            };
            // Provider errors never carry the phone number (integrations::sms scrubs them).
            match sms.send(&message).await {
                Ok(()) => SendOutcome::Sent,
                Err(e) if e.retryable() => SendOutcome::Failed(e.to_string()),
                Err(e) => SendOutcome::Refused(e.to_string()),
            }
        },
    )
    .await
    .map_err(|e| format!("database: {e}"))?;
    match delivery {
        Delivery::Retry { error, .. } => Err(error),
        Delivery::Done {
            notification_id,
            sms: SmsStatus::Refused,
        } => {
            tracing::warn!(
                notification = notification_id,
                event = event_id,
                "the SMS provider refused a notification; kept for staff"
            );
            Ok(())
        }
        Delivery::Done { .. } | Delivery::Nothing => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use figment::Figment;
    use figment::providers::{Format, Serialized, Toml};

    use crate::config::Config;

    /// A loop whose handle went away without a stop (its owner ended) must end, not spin on the
    /// closed channel: with nothing to do, the old loop went round without ever sleeping.
    #[tokio::test]
    async fn a_loop_ends_when_its_handle_is_gone_without_a_stop() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("worker.db").display());
        let db = store::Db::connect(&url, &store::DbOptions::default())
            .await
            .unwrap();
        store::migrations::run(&db).await.unwrap();
        let context = super::JobContext {
            db,
            pii: store::Pii::new(&[7; 32]),
            sms: std::sync::Arc::new(integrations::sms::LogSender::new(dir.path().join("outbox"))),
        };
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let running = tokio::spawn(super::run_loop(
            context,
            std::time::Duration::from_secs(3600),
            chrono::Duration::seconds(60),
            stopped,
        ));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        drop(stop);
        tokio::time::timeout(std::time::Duration::from_secs(5), running)
            .await
            .expect("the loop ends once nobody can stop it")
            .unwrap();
    }

    #[test]
    fn the_worker_section_is_optional_and_each_key_may_be_set_alone() {
        let load = |toml: &str| -> Config {
            Figment::from(Serialized::defaults(Config::default()))
                .merge(Toml::string(toml))
                .extract()
                .unwrap()
        };
        assert_eq!(load("").worker, super::WorkerConfig::default());
        let set = load("[worker]\nenabled = false\nlease_seconds = 30\n").worker;
        assert!(!set.enabled);
        assert_eq!((set.lease_seconds, set.concurrency), (30, 2));
        let unknown = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::string("[worker]\nthreads = 4\n"))
            .extract::<Config>();
        assert!(unknown.is_err(), "a misspelt key is an error, not ignored");
    }
}
