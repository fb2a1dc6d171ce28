//! The opening minute over HTTP. Each candidate does what a candidate does when registration
//! opens: opens the plan's page, then presses 提交 (`POST /api/v1/applications/{id}/submit`
//! with the session cookie and the CSRF header). Two ways of sending them:
//!
//! - [`peak`]: C workers, each taking the next candidate as soon as its previous one is done
//!   (closed loop): the most the server takes.
//! - [`open_loop`]: arrivals on a fixed schedule whatever the server does (open loop), at a rate
//!   below the peak: the latency a candidate sees on a busy but not saturated server. A closed
//!   loop would hide slow answers by sending less while they last.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::prepare::ReadyCandidate;
use super::stats::{self, Latencies};

#[derive(Debug, Clone, Serialize)]
pub struct LoadFigures {
    /// Accepted submissions (200) per second over the whole phase.
    pub submissions_per_sec: f64,
    /// Latency of the submit request (the plan page before it is not counted).
    pub submit_latency: Latencies,
    pub submitted: usize,
    /// 409 `plan_full`: no seat left.
    pub full: usize,
    /// Anything else: a failed plan page or any other answer to the submit.
    pub errors: usize,
    pub seconds: f64,
    /// Open loop only: the arrival rate aimed at.
    pub offered_per_sec: Option<f64>,
}

/// One keep-alive client for all workers, no cookie store (each request carries its
/// candidate's cookie), no redirects followed.
pub fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()?)
}

enum Outcome {
    Submitted(Duration),
    Full(Duration),
    Error(String),
}

/// The plan page, then the submit: the submit's latency and how it ended.
async fn visit(client: &reqwest::Client, base: &str, c: &ReadyCandidate) -> Outcome {
    let page = client
        .get(format!("{base}/plans/{}", c.plan_id))
        .header(reqwest::header::COOKIE, &c.cookie)
        .send()
        .await;
    match page {
        Ok(r) if r.status() == 200 => {
            if let Err(e) = r.bytes().await {
                return Outcome::Error(format!("reading the plan page: {e}"));
            }
        }
        Ok(r) => return Outcome::Error(format!("plan page: {}", r.status())),
        Err(e) => return Outcome::Error(format!("plan page: {e}")),
    }
    let started = Instant::now();
    let submitted = client
        .post(format!(
            "{base}/api/v1/applications/{}/submit",
            c.application_id
        ))
        .header(reqwest::header::COOKIE, &c.cookie)
        .header(web::session::CSRF_HEADER, &c.csrf)
        .json(&serde_json::json!({ "accept_commitment": true, "acknowledge_ineligible": false }))
        .send()
        .await;
    let response = match submitted {
        Ok(r) => r,
        Err(e) => return Outcome::Error(format!("submit: {e}")),
    };
    let status = response.status();
    let body = response.bytes().await.unwrap_or_default();
    let elapsed = started.elapsed();
    if status == 200 {
        return Outcome::Submitted(elapsed);
    }
    let code = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    if status == 409 && code == "plan_full" {
        Outcome::Full(elapsed)
    } else {
        Outcome::Error(format!("submit: {status} {code}"))
    }
}

/// What the visits of a phase came to.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    submitted: usize,
    full: usize,
    errors: usize,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Submitted(d) => {
                self.submitted += 1;
                self.latencies.push(d);
            }
            Outcome::Full(d) => {
                self.full += 1;
                self.latencies.push(d);
            }
            Outcome::Error(what) => {
                self.errors += 1;
                // The first few say why; the count says how many.
                if self.errors <= 3 {
                    eprintln!("bench: a candidate's visit failed: {what}");
                }
            }
        }
    }

    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        self.submitted += other.submitted;
        self.full += other.full;
        self.errors += other.errors;
    }

    fn figures(self, elapsed: Duration, offered_per_sec: Option<f64>) -> LoadFigures {
        LoadFigures {
            submissions_per_sec: stats::rate(self.submitted, elapsed),
            submit_latency: Latencies::of(self.latencies),
            submitted: self.submitted,
            full: self.full,
            errors: self.errors,
            seconds: elapsed.as_secs_f64(),
            offered_per_sec,
        }
    }
}

/// C workers, each taking the next candidate as soon as it is free.
pub async fn peak(
    client: &reqwest::Client,
    base: &str,
    candidates: Vec<ReadyCandidate>,
    concurrency: usize,
) -> LoadFigures {
    let candidates = Arc::new(candidates);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, base) = (client.clone(), base.to_owned());
            let (candidates, next) = (candidates.clone(), next.clone());
            tokio::spawn(async move {
                let mut tally = Tally::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(c) = candidates.get(i) else { break };
                    tally.add(visit(&client, &base, c).await);
                }
                tally
            })
        })
        .collect();
    let mut tally = Tally::default();
    for worker in workers {
        match worker.await {
            Ok(t) => tally.merge(t),
            Err(e) => tally.add(Outcome::Error(format!("a worker panicked: {e}"))),
        }
    }
    tally.figures(started.elapsed(), None)
}

/// One arrival every 1/`per_sec` seconds, each a task of its own, whether or not earlier ones
/// have been answered.
pub async fn open_loop(
    client: &reqwest::Client,
    base: &str,
    candidates: Vec<ReadyCandidate>,
    per_sec: f64,
) -> LoadFigures {
    let gap = Duration::from_secs_f64(1.0 / per_sec.max(0.1));
    let started = tokio::time::Instant::now();
    let mut visits = Vec::with_capacity(candidates.len());
    for (i, c) in candidates.into_iter().enumerate() {
        // From the start, not from the previous arrival, so that timer lateness does not add up.
        tokio::time::sleep_until(started + gap.mul_f64(i as f64)).await;
        let (client, base) = (client.clone(), base.to_owned());
        visits.push(tokio::spawn(async move { visit(&client, &base, &c).await }));
    }
    let mut tally = Tally::default();
    for visit in visits {
        match visit.await {
            Ok(outcome) => tally.add(outcome),
            Err(e) => tally.add(Outcome::Error(format!("a visit panicked: {e}"))),
        }
    }
    tally.figures(started.elapsed(), Some(per_sec))
}
