//! Load for `cargo xtask bench`: long-polls and reconnections against running servers.
//!
//! - `wait_load park <base url> <server pid> <state file>`: the server's memory (resident
//!   set, from `/proc`) before, with 10,000 parked long-polls, and after they leave (their
//!   connections closed); and how soon one push answers all of them. Keeps its phones in
//!   the state file, and reuses those it finds there.
//! - `wait_load storm <base url> <state file> <pushes> <seconds>`: the same phones
//!   reconnect after a restart, that many pushes spread over that many seconds: every
//!   answer must be 200, or 429 or 503 with `Retry-After`, never anything else.
//! - `wait_load across <base url> <other base url>`: one phone parks a long-poll on one
//!   process, the person's other phone pushes through the other: push to answer, p50/p99.

#[path = "load/mod.rs"]
mod load;

use std::sync::Arc;
use std::time::{Duration, Instant};

use load::{PHONES, Phone, percentile, run_id};

const PARKED: usize = 10_000;
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
    let phones = match std::fs::read_to_string(state) {
        Ok(lines) => lines
            .lines()
            .map(|l| Arc::new(Phone::from_line(l)))
            .collect(),
        Err(_) => signed_up(&base).await,
    };
    let mut heads = Vec::new();
    for phone in &phones {
        phone.push(&base).await;
        // Answered at once: the log holds entries after 0.
        heads.push(phone.wait(&base, 0, 1).await[0].head);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = resident_kib(pid);
    let waits: Vec<_> = (0..PARKED)
        .map(|n| {
            let (phone, base, head) = (phones[n % PHONES].clone(), base.clone(), heads[n % PHONES]);
            tokio::spawn(async move {
                let answer = phone.wait(&base, head, 25).await;
                (Instant::now(), answer[0].head == head + 1)
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
    let mut saw_new_head = 0;
    for wait in waits {
        let (at, saw) = wait.await.expect("wait");
        last = last.max(at.saturating_duration_since(pushed));
        saw_new_head += usize::from(saw);
    }
    // They leave: every connection closes with its client.
    let lines: Vec<String> = phones.iter().map(|p| p.to_line()).collect();
    std::fs::write(state, lines.join("\n")).expect("state file");
    drop(phones);
    let left = Instant::now();
    let mut after = resident_kib(pid);
    while left.elapsed() < Duration::from_secs(30) && after > before + before / 10 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        after = resident_kib(pid);
    }
    println!(
        "server memory: {:.1} MiB before, {:.1} MiB with {PARKED} long-polls parked ({:.1} KiB each), {:.1} MiB {:.1} s after they left",
        before as f64 / 1024.0,
        parked as f64 / 1024.0,
        (parked.saturating_sub(before)) as f64 / PARKED as f64,
        after as f64 / 1024.0,
        left.elapsed().as_secs_f64()
    );
    println!(
        "one push to each of {PHONES} documents answered all {PARKED} parked long-polls within {:.0} ms ({saw_new_head} saw the new head; {answered_early} had answered before the push)",
        last.as_secs_f64() * 1000.0
    );
}

async fn signed_up(base: &str) -> Vec<Arc<Phone>> {
    let run = run_id();
    let mut phones = Vec::new();
    for n in 0..PHONES {
        let client = client_from([127, 0, 0, 3]);
        phones.push(Arc::new(Phone::sign_up(base, n, run, client).await));
    }
    phones
}

async fn storm(base: Arc<str>, state: &str, count: usize, seconds: u64) {
    let phones: Vec<Arc<Phone>> = std::fs::read_to_string(state)
        .expect("state file")
        .lines()
        .map(|line| Arc::new(Phone::from_line(line)))
        .collect();
    let started = Instant::now();
    let spread = Duration::from_secs(seconds);
    let pushes: Vec<_> = (0..count)
        .map(|n| {
            let (phone, base) = (phones[n % phones.len()].clone(), base.clone());
            tokio::spawn(async move {
                tokio::time::sleep(spread.mul_f64(n as f64 / count as f64)).await;
                let sent = Instant::now();
                let (status, retry_after) = phone.push_status(&base).await;
                (status, retry_after, sent.elapsed())
            })
        })
        .collect();
    let (mut stored, mut turned_away, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for push in pushes {
        let (status, retry_after, took) = push.await.expect("push");
        match status.as_u16() {
            200 => stored.push(took),
            429 | 503 if retry_after.is_some() => turned_away.push(took),
            _ => other.push(status.as_u16()),
        }
    }
    let (ok, told_to_wait) = (stored.len(), turned_away.len());
    stored.sort();
    turned_away.sort();
    let quantiles = |sorted: &[Duration]| match sorted {
        [] => "none".to_string(),
        _ => format!(
            "p50 {:.0} ms, p99 {:.0} ms",
            percentile(sorted, 0.5),
            percentile(sorted, 0.99)
        ),
    };
    println!(
        "{count} pushes within {seconds} s of a restart: {ok} stored ({}), {told_to_wait} told 429/503 with Retry-After ({}), {} anything else {:?} (must be 0), all answered in {:.1} s",
        quantiles(&stored),
        quantiles(&turned_away),
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
        "storm" => {
            let count = arg(4).parse().expect("a number of pushes");
            let seconds = arg(5).parse().expect("a number of seconds");
            storm(arg(2).into(), arg(3), count, seconds).await
        }
        "across" => across(arg(2).into(), arg(3).into()).await,
        other => panic!("no such load: {other}"),
    }
}
