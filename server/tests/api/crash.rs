//! What the server has said it stored stays stored, whatever stops it (SHARING decision 6).
//! The built server runs in its own process while phones push concurrently; it is killed
//! with SIGKILL at a random moment mid-push, a hundred times on each database, and
//! PostgreSQL itself is stopped with `pg_ctl stop -m immediate` mid-push twenty times. After
//! every restart each push the server answered "stored" is there byte for byte, the log has
//! no gaps, and resending what was in flight at the crash is taken as stored, never as a
//! reused counter. While its database is down the server answers 503 with `Retry-After`,
//! never 500.
//!
//! These are process crashes, not power cuts: the kernel still holds what was written. What
//! carries a power cut is SQLite's `synchronous=FULL` and PostgreSQL's `fsync` and
//! `synchronous_commit`, which `durability.rs` asserts on every pooled connection.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use coplan_domain::sync::wire::{read_response, write_request};
use coplan_domain::sync::{DocumentRequest, PushAnswer};
use reqwest::StatusCode;

use crate::helpers::{Db, TestDatabase, fake_dist};
use crate::on_both_databases;
use crate::phones::{Person, Phone, Served, attach, document, envelope, signed_up, sync};

on_both_databases!(a_server_killed_mid_push_keeps_every_push_it_acknowledged);

/// How many times each database's server is killed.
const KILLS: usize = 100;
/// How many times PostgreSQL is stopped at once.
const POSTGRES_STOPS: usize = 20;
/// Phones' requests in flight at once.
const WRITERS: usize = 6;
const SECTIONS: [&str; 5] = [
    "about_me",
    "care_plan",
    "safety_plan",
    "crisis_wishes",
    "check_ins",
];

/// The built `coplan-server` binary, running on a database until killed.
pub(crate) struct ServerProcess {
    child: Mutex<Child>,
    addr: SocketAddr,
    client: reqwest::Client,
    /// What it printed, for a failing test's message.
    printed: Arc<Mutex<Vec<String>>>,
}

impl Served for ServerProcess {
    fn client(&self) -> &reqwest::Client {
        &self.client
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl ServerProcess {
    pub(crate) fn start(database_url: &str, dist: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_coplan-server"))
            .env("COPLAN_ADDR", "127.0.0.1:0")
            .env("DATABASE_URL", database_url)
            .env("COPLAN_DIST", dist)
            .env("COPLAN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let mut printed = Vec::new();
        let addr = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("the server stopped before serving: {printed:#?}");
            };
            if let Some(rest) = line.split("Open http://").nth(1) {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
            printed.push(line);
        };
        let printed = Arc::new(Mutex::new(printed));
        let keep = printed.clone();
        // Keep reading, so a server that logs a lot never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                keep.lock().unwrap().push(line);
            }
        });
        Self {
            child: Mutex::new(child),
            addr,
            client: reqwest::Client::new(),
            printed,
        }
    }

    /// Sends SIGKILL: no chance to finish a request, close a file or roll anything back.
    fn kill(&self) {
        let mut child = self.child.lock().unwrap();
        child.kill().expect("SIGKILL sent");
        child.wait().expect("reaped");
    }
}

impl Drop for ServerProcess {
    /// A failing test leaves no server behind holding its output open.
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|e| e.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A small seeded generator: the same seed makes the same crashes.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// One push the server answered for, or one it never did.
#[derive(Clone)]
struct Sent {
    document: [u8; 16],
    counter: u64,
    envelope: Vec<u8>,
}

/// What the writers have seen across every trial.
#[derive(Default)]
struct Outcomes {
    acknowledged: Vec<Sent>,
    /// Sent, then the server or its database stopped before it answered.
    unanswered: Vec<Sent>,
}

/// Robin, their phone and their plan's sections, and the next counter to seal with.
struct Writing {
    person: Person,
    phone: Phone,
    documents: Vec<[u8; 16]>,
    counters: AtomicU64,
    outcomes: Mutex<Outcomes>,
}

/// One crash: acknowledgements seen in it, and whether it is over.
#[derive(Default)]
struct Trial {
    acked: AtomicUsize,
    over: AtomicBool,
}

impl Trial {
    /// Resolves once `count` pushes have been acknowledged in this trial.
    async fn acknowledged(&self, count: usize) {
        while self.acked.load(Ordering::SeqCst) < count {
            tokio::time::sleep(std::time::Duration::from_micros(200)).await;
        }
    }
}

impl Writing {
    /// Pushes one sealed change per request from `WRITERS` tasks at once, each until a
    /// request of its own fails or the trial is over, recording what was acknowledged.
    async fn push_until_stopped(&self, server: &ServerProcess, trial: &Trial) {
        let writer = |w: usize| async move {
            while !trial.over.load(Ordering::SeqCst) {
                let sent = self.next_change(w);
                let stored = push(server, &self.phone, &sent).await;
                let mut outcomes = self.outcomes.lock().unwrap();
                if stored {
                    outcomes.acknowledged.push(sent);
                    trial.acked.fetch_add(1, Ordering::SeqCst);
                } else {
                    outcomes.unanswered.push(sent);
                    return;
                }
            }
        };
        futures::future::join_all((0..WRITERS).map(writer)).await;
    }

    fn next_change(&self, writer: usize) -> Sent {
        let counter = self.counters.fetch_add(1, Ordering::SeqCst);
        let document = self.documents[(writer + counter as usize) % self.documents.len()];
        let words = format!("writer {writer} change {counter}: the kettle and the long walk home");
        Sent {
            document,
            counter,
            envelope: envelope(
                &self.person.keys,
                document,
                &self.phone,
                counter,
                words.as_bytes(),
            ),
        }
    }
}

/// Sends one change; true when the server answered that it is stored. Any other
/// answer must be "try again later" (503 with `Retry-After`): never a 500, whatever
/// stopped.
async fn push(server: &ServerProcess, phone: &Phone, sent: &Sent) -> bool {
    let request = write_request(&[DocumentRequest {
        document: sent.document,
        after: u64::MAX,
        push: vec![sent.envelope.clone()],
    }]);
    let answer = server
        .client
        .post(server.url("/api/v1/sync"))
        .header("x-coplan", "1")
        .header("content-type", "application/octet-stream")
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .body(request)
        .send()
        .await;
    let Ok(response) = answer else { return false };
    if response.status() != StatusCode::OK {
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "a push was answered {}",
            response.status()
        );
        assert!(
            response.headers().contains_key("retry-after"),
            "a 503 without Retry-After"
        );
        return false;
    }
    let Ok(Ok(answer)) = response.bytes().await.map(|b| read_response(&b)) else {
        return false;
    };
    let pushed = &answer[0].pushed;
    assert!(
        matches!(pushed[..], [PushAnswer::Stored { counter, .. }] if counter == sent.counter),
        "a push answered with {pushed:?}"
    );
    true
}

/// Everything the server holds for `document`, in order, checking there are no gaps.
async fn whole_log(server: &ServerProcess, phone: &Phone, document: [u8; 16]) -> Vec<Vec<u8>> {
    let mut bodies = Vec::new();
    loop {
        let answer = sync(
            server,
            phone,
            &[DocumentRequest {
                document,
                after: bodies.len() as u64,
                push: Vec::new(),
            }],
        )
        .await;
        let answer = &answer[0];
        for (i, pulled) in answer.pulled.iter().enumerate() {
            assert_eq!(
                pulled.seq,
                (bodies.len() + i + 1) as u64,
                "the log has a gap"
            );
        }
        bodies.extend(answer.pulled.iter().map(|p| p.envelope.clone()));
        if answer.pulled.is_empty() {
            assert_eq!(answer.head, bodies.len() as u64, "the head is past the log");
            return bodies;
        }
    }
}

impl Writing {
    /// Every acknowledged push is in the log; every unanswered one, sent again, is stored
    /// (whether it had been or not). Returns how many unanswered ones had been stored.
    async fn check_nothing_lost(&self, server: &ServerProcess) -> usize {
        let mut logs = BTreeMap::new();
        for &document in &self.documents {
            logs.insert(document, whole_log(server, &self.phone, document).await);
        }
        let (acknowledged, unanswered) = {
            let mut outcomes = self.outcomes.lock().unwrap();
            let unanswered = std::mem::take(&mut outcomes.unanswered);
            (outcomes.acknowledged.clone(), unanswered)
        };
        for sent in &acknowledged {
            assert!(
                logs[&sent.document].contains(&sent.envelope),
                "acknowledged push {} is gone after the crash; the server printed {:#?}",
                sent.counter,
                server.printed.lock().unwrap()
            );
        }
        let mut had_been_stored = 0;
        for sent in unanswered {
            had_been_stored += usize::from(logs[&sent.document].contains(&sent.envelope));
            assert!(
                push(server, &self.phone, &sent).await,
                "push {} in flight at the crash was refused when sent again",
                sent.counter
            );
            self.outcomes.lock().unwrap().acknowledged.push(sent);
        }
        had_been_stored
    }

    /// Signs Robin up on `server` and attaches a plan.
    async fn start(server: &ServerProcess) -> Self {
        let person = Person::new("robin", 0x52);
        let phone = signed_up(server, &person).await;
        let (status, plan) = attach(server, &phone, 9).await;
        assert_eq!(status, StatusCode::CREATED);
        Self {
            person,
            phone,
            documents: SECTIONS.iter().map(|s| document(&plan, s)).collect(),
            counters: AtomicU64::new(0),
            outcomes: Mutex::new(Outcomes::default()),
        }
    }

    fn acknowledged(&self) -> usize {
        self.outcomes.lock().unwrap().acknowledged.len()
    }
}

async fn a_server_killed_mid_push_keeps_every_push_it_acknowledged(db: Db) {
    let database = TestDatabase::new(db).await;
    let (_dir, dist) = fake_dist();
    let mut dice = Dice(0xc0_91a4 + db as u64);
    let mut server = ServerProcess::start(&database.url, &dist);
    let writing = Writing::start(&server).await;
    let mut in_flight_stored = 0;
    for _ in 0..KILLS {
        let trial = Trial::default();
        // Kill after a random number of acknowledgements, a random moment later, while
        // the other writers' requests are on their way.
        let after = 1 + dice.below(12) as usize;
        let pause = std::time::Duration::from_micros(dice.below(3_000));
        let kill = async {
            trial.acknowledged(after).await;
            tokio::time::sleep(pause).await;
            server.kill();
            trial.over.store(true, Ordering::SeqCst);
        };
        tokio::join!(writing.push_until_stopped(&server, &trial), kill);
        server = ServerProcess::start(&database.url, &dist);
        in_flight_stored += writing.check_nothing_lost(&server).await;
    }
    println!(
        "{db:?}: killed {KILLS} times mid-push; {} pushes acknowledged, all kept; \
         {in_flight_stored} in flight at a kill had been stored",
        writing.acknowledged()
    );
}

/// A PostgreSQL server of the test's own, which it may stop: `cargo xtask test` starts it
/// (committing durably, as a deployment would) and gives its address and a script that
/// runs its `pg_ctl`.
fn postgres_to_stop() -> (String, std::path::PathBuf) {
    let from = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!(
                "{name} is not set: run `cargo xtask test`, which starts a PostgreSQL server \
                 this test may stop"
            )
        })
    };
    (
        from("COPLAN_TEST_CRASH_POSTGRES_URL"),
        from("COPLAN_TEST_CRASH_POSTGRES_CTL").into(),
    )
}

async fn pg_ctl(ctl: &Path, args: &'static [&'static str]) {
    let ctl = ctl.to_path_buf();
    let out = tokio::task::spawn_blocking(move || Command::new(ctl).args(args).output())
        .await
        .unwrap()
        .expect("pg_ctl runs");
    assert!(
        out.status.success(),
        "pg_ctl {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn postgres_stopped_at_once_mid_push_loses_no_push_the_server_acknowledged() {
    let (admin, ctl) = postgres_to_stop();
    let database = TestDatabase::on_postgres(&admin).await;
    let (_dir, dist) = fake_dist();
    let mut dice = Dice(0x9057);
    let server = ServerProcess::start(&database.url, &dist);
    let writing = Writing::start(&server).await;
    let mut in_flight_stored = 0;
    for _ in 0..POSTGRES_STOPS {
        let trial = Trial::default();
        let after = 1 + dice.below(12) as usize;
        // The server stays up: requests waiting for a connection while PostgreSQL is
        // down go on once it is back, and the writers stop when the trial is over.
        let stop = async {
            trial.acknowledged(after).await;
            pg_ctl(&ctl, &["-m", "immediate", "stop"]).await;
            pg_ctl(&ctl, &["-w", "restart"]).await;
            trial.over.store(true, Ordering::SeqCst);
        };
        tokio::join!(writing.push_until_stopped(&server, &trial), stop);
        in_flight_stored += writing.check_nothing_lost(&server).await;
    }
    println!(
        "PostgreSQL stopped at once {POSTGRES_STOPS} times mid-push; {} pushes acknowledged, \
         all kept; {in_flight_stored} in flight at a stop had been stored",
        writing.acknowledged()
    );
}
