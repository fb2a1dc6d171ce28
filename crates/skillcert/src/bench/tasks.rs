//! C tokio tasks working through a batch, each taking the next item as soon as its previous one
//! is done: how every ceiling is driven. Each item ends as an [`Attempt`]; the figures count
//! them over the whole batch.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::Serialize;

use super::stats;

/// How one submission ended.
pub enum Attempt {
    Submitted,
    /// Refused with no seat left.
    Full,
    Error(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct CeilingFigures {
    pub submissions_per_sec: f64,
    pub submitted: usize,
    /// Refused with no seat left.
    pub full: usize,
    pub errors: usize,
    pub seconds: f64,
}

#[derive(Default)]
struct Counts {
    submitted: usize,
    full: usize,
    errors: usize,
}

/// Runs `attempt` on every item from `concurrency` tasks at once; `label` names the ceiling in
/// the first few error messages.
pub async fn drive<T, F, Fut>(
    label: &'static str,
    items: Vec<T>,
    concurrency: usize,
    attempt: F,
) -> CeilingFigures
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Attempt> + Send + 'static,
{
    let items = Arc::new(items);
    let attempt = Arc::new(attempt);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (items, attempt, next) = (items.clone(), attempt.clone(), next.clone());
            tokio::spawn(async move {
                let mut counts = Counts::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    match attempt(item.clone()).await {
                        Attempt::Submitted => counts.submitted += 1,
                        Attempt::Full => counts.full += 1,
                        Attempt::Error(what) => {
                            counts.errors += 1;
                            // The first few of each task say why; the count says how many.
                            if counts.errors <= 3 {
                                eprintln!("bench: {label}: a submission failed: {what}");
                            }
                        }
                    }
                }
                counts
            })
        })
        .collect();
    let mut total = Counts::default();
    for worker in workers {
        let c = worker.await.unwrap_or(Counts {
            errors: 1,
            ..Counts::default()
        });
        total.submitted += c.submitted;
        total.full += c.full;
        total.errors += c.errors;
    }
    let elapsed = started.elapsed();
    CeilingFigures {
        submissions_per_sec: stats::rate(total.submitted, elapsed),
        submitted: total.submitted,
        full: total.full,
        errors: total.errors,
        seconds: elapsed.as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_item_is_attempted_once_and_counted() {
        let figures = drive("test", (0..100u32).collect(), 7, |i| async move {
            match i % 10 {
                0 => Attempt::Full,
                1 => Attempt::Error(format!("item {i}")),
                _ => Attempt::Submitted,
            }
        })
        .await;
        assert_eq!(
            (figures.submitted, figures.full, figures.errors),
            (80, 10, 10)
        );
        assert!(figures.submissions_per_sec > 0.0);
    }
}
