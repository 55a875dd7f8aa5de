//! Load for `cargo xtask bench`: long-polls and reconnections against running servers.
//!
//! - `wait_load park <base url> <server pid> <state file>`: the server's memory (resident
//!   set, from `/proc`) before, with 10,000 parked long-polls, and after they leave; and
//!   how soon one push answers all of them. Keeps its phones in the state file.
//! - `wait_load storm <base url> <state file>`: the same phones reconnect at once after a
//!   restart, 1,000 pushes within a second: every answer must be 200, or 429 or 503 with
//!   `Retry-After`, never anything else.
//! - `wait_load across <base url> <other base url>`: one phone parks a long-poll on one
//!   process, the person's other phone pushes through the other: push to answer, p50/p99.

#[path = "load/mod.rs"]
mod load;

use std::sync::Arc;
use std::time::{Duration, Instant};

use load::{PHONES, Phone, percentile, run_id};

const PARKED: usize = 10_000;
const STORM: usize = 1_000;
const ACROSS: usize = 100;

/// A client sending from its own loopback address (sign-ups are limited per address).
fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(address))
        .build()
        .expect("client")
}

fn resident_kib(pid: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server runs");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .expect("VmRSS")
}

async fn park(base: Arc<str>, pid: &str, state: &str) {
    let run = run_id();
    let mut phones = Vec::new();
    for n in 0..PHONES {
        let client = client_from([127, 0, 0, 3]);
        phones.push(Arc::new(Phone::sign_up(&base, n, run, client).await));
    }
    for phone in &phones {
        phone.push(&base).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = resident_kib(pid);
    let waits: Vec<_> = (0..PARKED)
        .map(|n| {
            let (phone, base) = (phones[n % PHONES].clone(), base.clone());
            tokio::spawn(async move {
                let answer = phone.wait(&base, 1, 25).await;
                (Instant::now(), answer[0].head)
            })
        })
        .collect();
    // Time for every wait to reach the server and park.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let parked = resident_kib(pid);
    let answered_early = waits.iter().filter(|w| w.is_finished()).count();
    let pushed = Instant::now();
    for phone in &phones {
        phone.push(&base).await;
    }
    let mut last = Duration::ZERO;
    let mut heads = 0;
    for wait in waits {
        let (at, head) = wait.await.expect("wait");
        last = last.max(at.saturating_duration_since(pushed));
        heads += usize::from(head == 2);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = resident_kib(pid);
    println!(
        "server memory: {:.1} MiB before, {:.1} MiB with {PARKED} long-polls parked ({:.1} KiB each), {:.1} MiB after they left",
        before as f64 / 1024.0,
        parked as f64 / 1024.0,
        (parked.saturating_sub(before)) as f64 / PARKED as f64,
        after as f64 / 1024.0
    );
    println!(
        "one push to each of {PHONES} documents answered all {PARKED} parked long-polls within {:.0} ms ({heads} saw the new head; {answered_early} had answered before the push)",
        last.as_secs_f64() * 1000.0
    );
    let lines: Vec<String> = phones.iter().map(|p| p.to_line()).collect();
    std::fs::write(state, lines.join("\n")).expect("state file");
}

async fn storm(base: Arc<str>, state: &str) {
    let phones: Vec<Arc<Phone>> = std::fs::read_to_string(state)
        .expect("state file")
        .lines()
        .map(|line| Arc::new(Phone::from_line(line)))
        .collect();
    let started = Instant::now();
    let pushes: Vec<_> = (0..STORM)
        .map(|n| {
            let (phone, base) = (phones[n % phones.len()].clone(), base.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_micros((n * 1_000_000 / STORM) as u64)).await;
                phone.push_status(&base).await
            })
        })
        .collect();
    let (mut ok, mut told_to_wait, mut other) = (0, 0, Vec::new());
    for push in pushes {
        let (status, retry_after) = push.await.expect("push");
        match status.as_u16() {
            200 => ok += 1,
            429 | 503 if retry_after.is_some() => told_to_wait += 1,
            _ => other.push(status.as_u16()),
        }
    }
    println!(
        "{STORM} phones reconnecting within 1 s of a restart: {ok} stored, {told_to_wait} told 429/503 with Retry-After, {} anything else {:?} (must be 0), all answered in {:.1} s",
        other.len(),
        &other[..other.len().min(5)],
        started.elapsed().as_secs_f64()
    );
}

async fn across(first: Arc<str>, second: Arc<str>) {
    let run = run_id();
    let pusher = Phone::sign_up(&first, 0, run, client_from([127, 0, 0, 2])).await;
    let waiter = Arc::new(pusher.second(&second, &format!("load{run}x0")).await);
    let mut latencies = Vec::with_capacity(ACROSS);
    for head in 0..ACROSS as u64 {
        let (phone, base) = (waiter.clone(), second.clone());
        let parked = tokio::spawn(async move {
            phone.wait(&base, head, 25).await;
            Instant::now()
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let pushed = Instant::now();
        pusher.push(&first).await;
        let answered = parked.await.expect("wait");
        latencies.push(answered.saturating_duration_since(pushed));
    }
    latencies.sort();
    println!(
        "a push through one process to the other phone's long-poll parked on another: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {ACROSS} (budget: p99 within 100 ms)",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |n: usize| {
        args.get(n)
            .map(String::as_str)
            .expect("see the usage at the top")
    };
    match arg(1) {
        "park" => park(arg(2).into(), arg(3), arg(4)).await,
        "storm" => storm(arg(2).into(), arg(3)).await,
        "across" => across(arg(2).into(), arg(3).into()).await,
        other => panic!("no such load: {other}"),
    }
}
