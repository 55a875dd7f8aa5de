//! What the load examples share: phones that sign up (or in) over HTTP, with a plan, and
//! send real sealed, signed envelopes.

// Each example uses only part of this.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use coplan_domain::envelope::{Encoding, Header, What, seal};
use coplan_domain::keys::AccountKeys;
use coplan_domain::sync::wire::{read_response, write_request};
use coplan_domain::sync::{DocumentRequest, DocumentResponse, PushAnswer};
use coplan_domain::wire::{
    AccountKeys as WireKeys, AttachedPlan, Blob, Bytes, Cost, RecoveryKeys, SignIn, SignUp,
    SignedIn,
};

/// Ten: the sign-up limit per address lets ten through before it slows them.
pub const PHONES: usize = 10;

pub struct Phone {
    pub client: reqwest::Client,
    pub cookie: String,
    pub keys: AccountKeys,
    /// What the keys were made from (the person's phones share them).
    pub seed: u8,
    pub device: [u8; 16],
    pub document: [u8; 16],
    pub range_start: u32,
    pub counter: AtomicU64,
}

fn id(text: &str) -> [u8; 16] {
    std::array::from_fn(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex id"))
}

fn cookie(response: &reqwest::Response) -> String {
    let set = response.headers()["set-cookie"].to_str().expect("ascii");
    set.split(';').next().expect("cookie").to_string()
}

/// Attaches the plan of attach request `request` to the signed-in account of `cookie`.
pub async fn attach(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    request: [u8; 16],
) -> AttachedPlan {
    client
        .post(format!("{base}/api/v1/plans"))
        .header("x-coplan", "1")
        .header("cookie", cookie)
        .json(&coplan_domain::wire::AttachPlan {
            request: Bytes(request),
        })
        .send()
        .await
        .expect("attach")
        .json()
        .await
        .expect("json")
}

/// A name no earlier run used (the database may be reused).
pub fn run_id() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64
}

impl Phone {
    /// Signs up the `n`th phone of a run through `client` (which may send from an
    /// address of its own: sign-ups are limited per address).
    pub async fn sign_up(base: &str, n: usize, run: u64, client: reqwest::Client) -> Self {
        let seed = (n + 1) as u8;
        let keys = AccountKeys::from_random(&[seed; 64]);
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
        let cookie = cookie(&response);
        let signed: SignedIn = response.json().await.expect("json");
        let plan = attach(&client, base, &cookie, [0; 16]).await;
        let document = plan
            .documents
            .iter()
            .find(|d| d.section == "safety_plan")
            .expect("safety plan");
        Self {
            client,
            cookie,
            keys,
            seed,
            device: id(&signed.phone),
            document: id(&document.id),
            range_start: 4096,
            counter: AtomicU64::new(0),
        }
    }

    /// The same person's second phone, signed in at `base`, syncing the same document.
    pub async fn second(&self, base: &str, name: &str) -> Self {
        let client = reqwest::Client::new();
        let body = SignIn {
            username: name.into(),
            verifier: Bytes([7; 32]),
            phone_name: "Second".into(),
            range_start: 2 * 4096,
            code: None,
        };
        let response = client
            .post(format!("{base}/api/v1/sessions"))
            .header("x-coplan", "1")
            .json(&body)
            .send()
            .await
            .expect("sign in");
        assert!(response.status().is_success(), "{}", response.status());
        let cookie = cookie(&response);
        let signed: SignedIn = response.json().await.expect("json");
        Self {
            client,
            cookie,
            keys: AccountKeys::from_random(&[self.seed; 64]),
            seed: self.seed,
            device: id(&signed.phone),
            document: self.document,
            range_start: 2 * 4096,
            counter: AtomicU64::new(0),
        }
    }

    /// One keystroke's change, sealed and pushed; returns how long until the answer.
    pub async fn push(&self, base: &str) -> Duration {
        let started = Instant::now();
        let (status, _) = self.push_status(base).await;
        assert!(status.is_success(), "{status}");
        started.elapsed()
    }

    /// A change of `payload` to `document` (a section of kind `kind`) as this phone's
    /// `counter`th, sealed and signed: under key epoch 0, which every new document starts
    /// at (an envelope under an epoch the document has not started is refused unwritten).
    pub fn change(&self, document: [u8; 16], kind: u8, counter: u64, payload: &[u8]) -> Vec<u8> {
        let header = Header {
            what: What::Change,
            encoding: Encoding::Yrs,
            kind,
            plan: [0; 16],
            document,
            epoch: 0,
            device: self.device,
            counter,
            range_start: self.range_start,
            covers: 0,
        };
        let mut nonce = [0u8; 24];
        nonce[..8].copy_from_slice(&counter.to_be_bytes());
        nonce[8..24].copy_from_slice(&self.device);
        seal(&header, payload, &[3; 32], &nonce, &self.keys).expect("sealed")
    }

    /// One change pushed: the status, and the `Retry-After` header if any.
    pub async fn push_status(&self, base: &str) -> (reqwest::StatusCode, Option<String>) {
        let counter = self.counter.fetch_add(1, Ordering::Relaxed);
        let sealed = self.change(self.document, 3, counter, &[1; 20]);
        let body = write_request(&[DocumentRequest {
            document: self.document,
            // Pull nothing back: this measures the push.
            after: u64::MAX >> 1,
            push: vec![sealed],
        }]);
        let response = self
            .client
            .post(format!("{base}/api/v1/sync"))
            .header("x-coplan", "1")
            .header("cookie", &self.cookie)
            .body(body)
            .send()
            .await;
        match response {
            Ok(response) => {
                let status = response.status();
                let retry = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                if status.is_success() {
                    let answer = read_response(&response.bytes().await.expect("body"));
                    let pushed = &answer.expect("answer")[0].pushed;
                    assert!(
                        matches!(pushed[..], [PushAnswer::Stored { .. }]),
                        "the push is stored: {pushed:?}"
                    );
                }
                (status, retry)
            }
            Err(_) => (reqwest::StatusCode::BAD_GATEWAY, None),
        }
    }

    /// A long-poll on the document after `after`, up to `seconds`: its answer.
    pub async fn wait(&self, base: &str, after: u64, seconds: u64) -> Vec<DocumentResponse> {
        let body = write_request(&[DocumentRequest {
            document: self.document,
            after,
            push: Vec::new(),
        }]);
        let response = self
            .client
            .post(format!("{base}/api/v1/sync/wait?seconds={seconds}"))
            .header("x-coplan", "1")
            .header("cookie", &self.cookie)
            .body(body)
            .send()
            .await
            .expect("wait");
        assert!(response.status().is_success(), "{}", response.status());
        read_response(&response.bytes().await.expect("body")).expect("answer")
    }
}

/// The `p` quantile of sorted durations, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at].as_secs_f64() * 1000.0
}

impl Phone {
    /// One line to keep the phone between runs: cookie, document, device, seed, counter.
    pub fn to_line(&self) -> String {
        let hex = |b: &[u8; 16]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        format!(
            "{}\t{}\t{}\t{}\t{}",
            self.cookie,
            hex(&self.document),
            hex(&self.device),
            self.seed,
            self.counter.load(Ordering::Relaxed)
        )
    }

    pub fn from_line(line: &str) -> Self {
        let parts: Vec<&str> = line.split('\t').collect();
        let seed: u8 = parts[3].parse().expect("seed");
        Self {
            client: reqwest::Client::new(),
            cookie: parts[0].to_string(),
            keys: AccountKeys::from_random(&[seed; 64]),
            seed,
            device: id(parts[2]),
            document: id(parts[1]),
            range_start: 4096,
            counter: AtomicU64::new(parts[4].parse().expect("counter")),
        }
    }
}
