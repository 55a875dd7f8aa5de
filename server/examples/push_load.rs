//! Load for `cargo xtask bench`: durable pushes through `POST /api/v1/sync` on a running
//! server, as many phones would send them. Usage: `push_load <base url>`.
//!
//! Usage: `push_load <base url>...` (each phone talks to one of the servers given, in
//! turn). It signs up `PHONES` accounts (each with a plan), then measures (1) how many pushes a
//! second the server acknowledges with every phone pushing as fast as it can, and (2) the
//! latency of pushes sent at a steady 500 a second (p50, p99). Every push is a real
//! sealed, signed envelope, stored durably before the answer comes.

#[path = "load/mod.rs"]
mod load;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use load::{PHONES, Phone, percentile, run_id};

const RUN: Duration = Duration::from_secs(5);
const PACED_PER_SECOND: u64 = 500;

#[tokio::main]
async fn main() {
    // Each phone talks to one of the servers given, in turn.
    let bases: Vec<Arc<str>> = std::env::args().skip(1).map(Into::into).collect();
    assert!(!bases.is_empty(), "usage: push_load <base url>...");
    let run = run_id();
    let mut phones = Vec::new();
    for n in 0..PHONES {
        let base = bases[n % bases.len()].clone();
        let phone = Phone::sign_up(&base, n, run, reqwest::Client::new()).await;
        phones.push((Arc::new(phone), base));
    }

    // 1. Every phone at once, as fast as the server answers.
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = phones
        .iter()
        .map(|(phone, base)| {
            let (phone, base, done) = (phone.clone(), base.clone(), done.clone());
            tokio::spawn(async move {
                while started.elapsed() < RUN {
                    phone.push(&base).await;
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let per_second = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();

    // 2. A steady 500 a second, spread over the phones.
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / PACED_PER_SECOND));
    let mut waiting = Vec::new();
    let total = PACED_PER_SECOND * RUN.as_secs();
    for n in 0..total {
        ticker.tick().await;
        let (phone, base) = phones[n as usize % PHONES].clone();
        waiting.push(tokio::spawn(async move { phone.push(&base).await }));
    }
    let mut latencies = Vec::new();
    for task in waiting {
        latencies.push(task.await.expect("task"));
    }
    latencies.sort();
    println!(
        "durable pushes through {} process(es): {per_second:.0}/s with {PHONES} phones pushing at once; at {PACED_PER_SECOND}/s: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (goal: at least 1000/s, p99 within 20 ms)",
        bases.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
}
