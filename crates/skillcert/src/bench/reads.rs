//! The read side: the plan list and a plan page, each hammered by C keep-alive workers for S
//! seconds, beside a bare handler (a minimal axum server of our own rendering a small askama
//! page, no database, no session) hammered the same way. The bare rate is what this machine's
//! HTTP stack and template engine give at all; the ratio to it says what our pages cost, and
//! holds on a noisy machine where the absolute rates do not.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use askama::Template;
use axum::response::Html;
use serde::Serialize;

use super::stats;

#[derive(Debug, Clone, Serialize)]
pub struct ReadFigures {
    pub plan_list_per_sec: f64,
    pub plan_page_per_sec: f64,
    pub bare_per_sec: f64,
    pub plan_list_to_bare: f64,
    pub plan_page_to_bare: f64,
    /// Answers other than 200, over the three.
    pub errors: usize,
}

pub async fn measure(
    client: &reqwest::Client,
    base: &str,
    plan_id: i64,
    concurrency: usize,
    seconds: f64,
) -> anyhow::Result<ReadFigures> {
    let duration = Duration::from_secs_f64(seconds);
    let bare = BareServer::start().await?;
    let (bare_per_sec, bare_errors) =
        hammer(client, &format!("{}/", bare.base), concurrency, duration).await;
    bare.stop();
    let (plan_list_per_sec, list_errors) =
        hammer(client, &format!("{base}/plans"), concurrency, duration).await;
    let (plan_page_per_sec, page_errors) = hammer(
        client,
        &format!("{base}/plans/{plan_id}"),
        concurrency,
        duration,
    )
    .await;
    Ok(ReadFigures {
        plan_list_per_sec,
        plan_page_per_sec,
        bare_per_sec,
        plan_list_to_bare: plan_list_per_sec / bare_per_sec,
        plan_page_to_bare: plan_page_per_sec / bare_per_sec,
        errors: bare_errors + list_errors + page_errors,
    })
}

/// GET `url` from C workers until `duration` has passed: good answers per second, and the count
/// of bad ones. Anonymous visitors, as most of the crowd reading plans is.
async fn hammer(
    client: &reqwest::Client,
    url: &str,
    concurrency: usize,
    duration: Duration,
) -> (f64, usize) {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, stop) = (client.clone(), url.to_owned(), stop.clone());
            tokio::spawn(async move {
                let (mut ok, mut bad) = (0usize, 0usize);
                while !stop.load(Ordering::Relaxed) {
                    let answered = match client.get(&url).send().await {
                        Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                        _ => false,
                    };
                    if answered {
                        ok += 1;
                    } else {
                        bad += 1;
                    }
                }
                (ok, bad)
            })
        })
        .collect();
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    let (mut ok, mut bad) = (0, 0);
    for worker in workers {
        let (o, b) = worker.await.unwrap_or((0, 1));
        ok += o;
        bad += b;
    }
    // Requests in flight at the stop finish after it; counting them over the time they took is
    // fairer than over the nominal duration.
    (stats::rate(ok, started.elapsed()), bad)
}

/// A trivial page: what rendering a template and answering over HTTP cost, nothing more.
#[derive(Template)]
#[template(
    source = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{{ title }}</title></head><body><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></body></html>",
    ext = "html"
)]
struct BarePage<'a> {
    title: &'a str,
    items: &'a [&'a str],
}

async fn bare_page() -> Html<String> {
    let page = BarePage {
        title: "认定计划",
        items: &["电子商务师 一级", "电子商务师 二级", "电子商务师 三级"],
    };
    Html(page.render().unwrap_or_default())
}

struct BareServer {
    base: String,
    task: tokio::task::JoinHandle<()>,
}

impl BareServer {
    async fn start() -> anyhow::Result<BareServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let app = axum::Router::new().route("/", axum::routing::get(bare_page));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(BareServer { base, task })
    }

    fn stop(self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bare_page_renders() {
        let html = BarePage {
            title: "认定计划",
            items: &["一级"],
        }
        .render()
        .unwrap();
        assert!(html.contains("<li>一级</li>"));
    }
}
