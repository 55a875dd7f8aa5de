//! Load for `cargo xtask bench`: durable pushes through `POST /api/v1/sync` on a running
//! server, as many phones would send them. Usage: `push_load <base url>`.
//!
//! It signs up `PHONES` accounts (each with a plan), then measures (1) how many pushes a
//! second the server acknowledges with every phone pushing as fast as it can, and (2) the
//! latency of pushes sent at a steady 500 a second (p50, p99). Every push is a real
//! sealed, signed envelope, stored durably before the answer comes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use coplan_domain::envelope::{Encoding, Header, What, seal};
use coplan_domain::keys::AccountKeys;
use coplan_domain::sync::DocumentRequest;
use coplan_domain::sync::wire::{read_response, write_request};
use coplan_domain::wire::{
    AccountKeys as WireKeys, AttachedPlan, Blob, Bytes, Cost, RecoveryKeys, SignUp, SignedIn,
};

/// Ten: the sign-up limit per address lets ten through before it slows them.
const PHONES: usize = 10;
const RUN: Duration = Duration::from_secs(5);
const PACED_PER_SECOND: u64 = 500;

struct Phone {
    client: reqwest::Client,
    cookie: String,
    keys: AccountKeys,
    device: [u8; 16],
    document: [u8; 16],
    counter: AtomicU64,
}

fn id(text: &str) -> [u8; 16] {
    std::array::from_fn(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex id"))
}

impl Phone {
    async fn sign_up(base: &str, n: usize, run: u64) -> Self {
        let client = reqwest::Client::new();
        let keys = AccountKeys::from_random(&[(n + 1) as u8; 64]);
        let public = keys.public();
        let body = SignUp {
            username: format!("load{run}x{n}"),
            verifier: Bytes([7; 32]),
            cost: Cost {
                memory_kib: 19 * 1024,
                passes: 2,
            },
            keys: WireKeys {
                signing: Bytes(public.signing),
                receiving: Bytes(public.receiving),
                wrapped: Blob::new(vec![1; 105]).expect("bytes"),
            },
            recovery: RecoveryKeys {
                verifier: Bytes([8; 32]),
                wrapped: Blob::new(vec![2; 105]).expect("bytes"),
            },
            phone_name: "Load".into(),
            range_start: 4096,
        };
        let response = client
            .post(format!("{base}/api/v1/accounts"))
            .header("x-coplan", "1")
            .json(&body)
            .send()
            .await
            .expect("sign up");
        assert!(response.status().is_success(), "{}", response.status());
        let set = response.headers()["set-cookie"].to_str().expect("ascii");
        let cookie = set.split(';').next().expect("cookie").to_string();
        let signed: SignedIn = response.json().await.expect("json");
        let plan: AttachedPlan = client
            .post(format!("{base}/api/v1/plans"))
            .header("x-coplan", "1")
            .header("cookie", &cookie)
            .json(&serde_json::json!({ "request": "AAAAAAAAAAAAAAAAAAAAAA" }))
            .send()
            .await
            .expect("attach")
            .json()
            .await
            .expect("json");
        let document = plan
            .documents
            .iter()
            .find(|d| d.section == "safety_plan")
            .expect("safety plan");
        Self {
            client,
            cookie,
            keys,
            device: id(&signed.phone),
            document: id(&document.id),
            counter: AtomicU64::new(0),
        }
    }

    /// One keystroke's change, sealed and pushed; returns how long until the answer.
    async fn push(&self, base: &str) -> Duration {
        let counter = self.counter.fetch_add(1, Ordering::Relaxed);
        let header = Header {
            what: What::Change,
            encoding: Encoding::Yrs,
            kind: 3,
            plan: [0; 16],
            document: self.document,
            epoch: 1,
            device: self.device,
            counter,
            range_start: 4096,
            covers: 0,
        };
        let mut nonce = [0u8; 24];
        nonce[..8].copy_from_slice(&counter.to_be_bytes());
        let sealed = seal(&header, &[1; 20], &[3; 32], &nonce, &self.keys).expect("sealed");
        let body = write_request(&[DocumentRequest {
            document: self.document,
            // Pull nothing back: this measures the push.
            after: counter + 1,
            push: vec![sealed],
        }]);
        let started = Instant::now();
        let response = self
            .client
            .post(format!("{base}/api/v1/sync"))
            .header("x-coplan", "1")
            .header("cookie", &self.cookie)
            .body(body)
            .send()
            .await
            .expect("sync");
        assert!(response.status().is_success(), "{}", response.status());
        let answer = read_response(&response.bytes().await.expect("body")).expect("answer");
        assert_eq!(answer[0].pushed.len(), 1);
        started.elapsed()
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let base: Arc<str> = std::env::args().nth(1).expect("base url").into();
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;
    let mut phones = Vec::new();
    for n in 0..PHONES {
        phones.push(Arc::new(Phone::sign_up(&base, n, run).await));
    }

    // 1. Every phone at once, as fast as the server answers.
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = phones
        .iter()
        .map(|phone| {
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
        let (phone, base) = (phones[n as usize % PHONES].clone(), base.clone());
        waiting.push(tokio::spawn(async move { phone.push(&base).await }));
    }
    let mut latencies = Vec::new();
    for task in waiting {
        latencies.push(task.await.expect("task"));
    }
    latencies.sort();
    println!(
        "durable pushes: {per_second:.0}/s with {PHONES} phones pushing at once; at {PACED_PER_SECOND}/s: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (goal: at least 1000/s, p99 within 20 ms)",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
}
