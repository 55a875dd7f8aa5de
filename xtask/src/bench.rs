//! `cargo xtask bench`: the speed budgets, measured in headless Chromium at 4× CPU
//! slowdown on the release build: how soon the app is ready (cold on Slow 4G, offline from
//! the service worker) and from "Start my plan" to typing (`bench-ready.mjs`); building a
//! part's history of 10,000 changes by three people, natively (`domain/examples/`) and in
//! the browser from IndexedDB (`tests/history_build.rs`, `bench-wasm.mjs`), and opening
//! a worker's caseload of 30 plans there (`tests/caseload.rs`); then
//! opening a safety plan offline, new and with 10 000 edits of history, and keystroke to
//! stored in IndexedDB (p50/p99/max) (`bench.mjs`); then durable pushes through the sync
//! route on SQLite and PostgreSQL (two processes) beside the disk's own fsync rate, a
//! phone syncing the documents of 30 plans in one request and in one a plan, what
//! the server stores per keystroke with compaction, its memory with 10,000 parked
//! long-polls (twice), 1,000 pushes reconnecting within 10 s of a restart and 20,000
//! within 1 s (beyond capacity), and a push through one process to a long-poll on
//! another (`server/examples/`). Prints numbers; asserts nothing.

use std::path::Path;
use std::process::Command;

use coplan_domain::plan::{
    AuthorId, Edit, ItemId, SAFETY_PLAN_STEPS, SectionDoc, SectionKind, Stamp,
};

use crate::{build, cmd, setup};

pub const HISTORY_EDITS: usize = 10_000;
/// The plans on a worker's phone for the caseload's budget (issue 15).
pub const CASELOAD_PLANS: usize = 30;

pub fn run() -> anyhow::Result<()> {
    browser()?;
    pushes()?;
    crate::fuzz::run(crate::fuzz::DEFAULT_SECONDS)
}

/// `cargo xtask bench browser`: the app's own budgets alone, in headless Chromium.
pub fn browser() -> anyhow::Result<()> {
    setup::for_build()?;
    setup::for_tests()?;
    build::release()?;
    build::server(&[])?;
    let history = Path::new("target/bench/safety-plan-10k-edits.bin");
    std::fs::create_dir_all("target/bench")?;
    let state = safety_plan_with_history(HISTORY_EDITS);
    std::fs::write(history, &state)?;
    println!(
        "safety plan with {HISTORY_EDITS} edits of history: {} bytes encoded",
        state.len()
    );
    stored_bytes();
    self::wasm()?;
    let root = std::env::current_dir()?;
    cmd::run(
        Command::new("node")
            .arg("tests/e2e/bench-ready.mjs")
            .env("COPLAN_SERVER_BIN", root.join(build::server_binary("dev")))
            .env("COPLAN_DIST", root.join(build::DIST))
            .env("CHROMIUM", setup::CHROMIUM),
    )?;
    cmd::run(
        Command::new("node")
            .arg("tests/e2e/bench.mjs")
            .env("COPLAN_SERVER_BIN", root.join(build::server_binary("dev")))
            .env("COPLAN_DIST", root.join(build::DIST))
            .env("COPLAN_BENCH_HISTORY", root.join(history))
            .env("CHROMIUM", setup::CHROMIUM),
    )?;
    Ok(())
}

/// `cargo xtask bench wasm`: the app's own code in wasm benches (issue 15): building a
/// part's history (first the domain's part natively, a floor), then in the browser at 4×
/// CPU, from IndexedDB, the history and a worker's caseload.
pub fn wasm() -> anyhow::Result<()> {
    setup::for_tests()?;
    cmd::run(Command::new("cargo").args([
        "run",
        "--quiet",
        "--locked",
        "--profile",
        "server",
        "-p",
        "coplan-domain",
        "--example",
        "history_build",
    ]))?;
    let root = std::env::current_dir()?;
    in_browser(
        &root,
        "history_build",
        "COPLAN_BENCH_HISTORY",
        HISTORY_EDITS,
    )?;
    in_browser(&root, "caseload", "COPLAN_BENCH_CASELOAD", CASELOAD_PLANS)
}

/// One wasm bench in headless Chromium at 4× CPU: the wasm test `tests/{test}.rs`, built
/// in release with `{size_var}` set to `size` (how much it measures), served by
/// wasm-bindgen-test-runner's interactive mode and driven by `tests/e2e/bench-wasm.mjs`
/// (which slows the CPU down once the test has stored what it measures).
fn in_browser(root: &Path, test: &str, size_var: &str, size: usize) -> anyhow::Result<()> {
    let size = size.to_string();
    let mut build = Command::new("cargo");
    build
        .args([
            "test",
            "--locked",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "coplan-app",
            "--test",
            test,
            "--no-run",
            "--message-format=json",
        ])
        .env(size_var, &size);
    println!("$ cargo test --release ... --test {test} --no-run ({size_var}={size})");
    let built = build.stderr(std::process::Stdio::inherit()).output()?;
    anyhow::ensure!(built.status.success(), "the {test} bench did not build");
    let messages = String::from_utf8_lossy(&built.stdout);
    let name = format!(r#""name":"{test}""#);
    let wasm = messages
        .lines()
        .filter(|line| line.contains(&name))
        .find_map(|line| {
            let (_, rest) = line.split_once(r#""executable":""#)?;
            rest.split_once('"').map(|(path, _)| path.to_string())
        })
        .ok_or_else(|| anyhow::anyhow!("cargo named no {test} test to run"))?;
    let addr = format!("127.0.0.1:{}", crate::postgres::free_port()?);
    let mut runner = Command::new("wasm-bindgen-test-runner")
        .arg(&wasm)
        .env("NO_HEADLESS", "1")
        .env("WASM_BINDGEN_TEST_ADDRESS", &addr)
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let ready = (0..600).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        std::net::TcpStream::connect(&addr).is_ok()
    });
    let ran = if ready {
        cmd::run(
            Command::new("node")
                .arg("tests/e2e/bench-wasm.mjs")
                .env("COPLAN_BENCH_URL", format!("http://{addr}/"))
                .env("COPLAN_SERVER_BIN", root.join(build::server_binary("dev")))
                .env("COPLAN_DIST", root.join(build::DIST))
                .env("CHROMIUM", setup::CHROMIUM),
        )
    } else {
        Err(anyhow::anyhow!(
            "wasm-bindgen-test-runner did not serve on {addr}"
        ))
    };
    let _ = runner.kill();
    let _ = runner.wait();
    ran
}

/// Durable pushes through `POST /api/v1/sync` on SQLite (one process) and on PostgreSQL
/// (two processes on one database), beside how many fsync'd writes a second the disk
/// itself manages: the floor every durable commit stands on. Then, on SQLite, the
/// server's memory with 10,000 parked long-polls and phones reconnecting after a
/// restart, within and beyond capacity; on PostgreSQL, a push through one process to a long-poll parked on
/// the other. The bench raises its own limit on open files for the server and the load.
pub fn pushes() -> anyhow::Result<()> {
    use std::io::Write;
    build::server(&["--profile", "server"])?;
    cmd::run(Command::new("cargo").args([
        "build",
        "--locked",
        "--profile",
        "server",
        "-p",
        "coplan-server",
        "--example",
        "push_load",
        "--example",
        "wait_load",
        "--example",
        "compaction_bytes",
        "--example",
        "sync_plans",
    ]))?;
    load("compaction_bytes", &[])?;
    let folder = std::env::current_dir()?.join("target/bench/pushes");
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder)?;

    // The disk: 4 KiB appended and fdatasync'd, as often as it can for two seconds.
    let mut file = std::fs::File::create(folder.join("fsync.bin"))?;
    let (started, mut syncs) = (std::time::Instant::now(), 0u32);
    while started.elapsed() < std::time::Duration::from_secs(2) {
        file.write_all(&[0u8; 4096])?;
        file.sync_data()?;
        syncs += 1;
    }
    println!(
        "this disk: {:.0} fsync'd 4 KiB writes a second (a durable commit needs at least one)",
        f64::from(syncs) / started.elapsed().as_secs_f64()
    );

    let sqlite = format!("sqlite://{}", folder.join("coplan.db").display());
    let phones = folder.join("phones.txt");
    let phones = phones.to_str().expect("a UTF-8 path");
    println!("SQLite (WAL, synchronous=FULL), one process:");
    let server = Server::start(&sqlite)?;
    load("push_load", &[&server.url])?;
    // A phone holding 30 plans syncs them all (issue 15).
    load("sync_plans", &[&server.url])?;
    // Twice: the second round shows whether what the first left behind grows.
    load("wait_load", &["park", &server.url, &server.pid(), phones])?;
    load("wait_load", &["park", &server.url, &server.pid(), phones])?;
    drop(server);
    // The issue's storm (1,000 phones within 10 s), then twenty times it within 1 s:
    // beyond capacity, to show what the phones turned away are told.
    for (pushes, seconds) in [("1000", "10"), ("20000", "1")] {
        let server = Server::start(&sqlite)?;
        load(
            "wait_load",
            &["storm", &server.url, phones, pushes, seconds],
        )?;
    }

    let cluster = crate::postgres::Cluster::start_in(&folder, true)?;
    println!("PostgreSQL (fsync on, synchronous_commit on), two processes on one database:");
    let (one, two) = (Server::start(&cluster.url)?, Server::start(&cluster.url)?);
    load("push_load", &[&one.url, &two.url])?;
    load("wait_load", &["across", &one.url, &two.url])
}

/// Runs `program` with the hard limit on open files as its own.
fn unlimited(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"ulimit -n "$(ulimit -Hn)" && exec "$0" "$@""#)
        .arg(program);
    command
}

/// Runs one of the server's load examples.
fn load(example: &str, args: &[&str]) -> anyhow::Result<()> {
    cmd::run(unlimited(format!("target/server/examples/{example}")).args(args))
}

/// A server process for the bench, stopped when dropped.
struct Server {
    child: std::process::Child,
    url: String,
}

impl Server {
    fn start(database_url: &str) -> anyhow::Result<Self> {
        let port = crate::postgres::free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let child = unlimited(build::server_binary("server"))
            .env("DATABASE_URL", database_url)
            .env("COPLAN_ADDR", &addr)
            .env("COPLAN_DIST", build::DIST)
            .env("COPLAN_LOG", "warn")
            .spawn()?;
        let mut server = Self {
            child,
            url: format!("http://{addr}"),
        };
        let ready = (0..100).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(100));
            std::net::TcpStream::connect(&addr).is_ok()
        });
        if !ready {
            let _ = server.child.kill();
            anyhow::bail!("the server did not start on {addr}");
        }
        Ok(server)
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a section stores per keystroke (budgets in PRODUCT.md; the domain tests in
/// `domain/tests/section_size.rs` assert them, and `tests/storage.rs` measures the
/// mixed workload on what the browser really keeps).
fn stored_bytes() {
    use coplan_domain::plan::workload::{mixed, plain_typing, written_per_keystroke};
    let plain = plain_typing(5_000);
    println!(
        "stored per keystroke once compacted, plain typing: {:.2} bytes deflated ({:.2} plain; {} keystrokes; budget 2)",
        kept(&plain.states) as f64 / plain.keystrokes as f64,
        plain.per_keystroke(),
        plain.keystrokes
    );
    let mixed = mixed(50);
    println!(
        "stored per keystroke once compacted, mixed (50 sessions, 100 check-ins): {:.2} bytes deflated ({:.2} plain; {} keystrokes; budget 4)",
        kept(&mixed.states) as f64 / mixed.keystrokes as f64,
        mixed.per_keystroke(),
        mixed.keystrokes
    );
    let (young, old) = (
        written_per_keystroke(100, 200),
        written_per_keystroke(20_000, 200),
    );
    println!(
        "written per keystroke before compaction: {young:.1} bytes at 100 keystrokes old, {old:.1} at 20000 (budget: within 10 %)"
    );
}

/// The snapshots' stored size, deflated as the browser's `CompressionStream` does it
/// (zlib's default level) and framed (`coplan_domain::plan::snapshot`).
fn kept(states: &[(coplan_domain::plan::SectionKind, Vec<u8>)]) -> usize {
    use std::io::Write;
    states
        .iter()
        .map(|(_, state)| {
            let mut deflate =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            deflate.write_all(state).expect("in memory");
            let raw = deflate.finish().expect("in memory");
            coplan_domain::plan::snapshot::deflated(&raw).len()
        })
        .sum()
}

/// A safety plan written the way a person writes one over months: items added to every
/// step, typed a letter at a time, with slips corrected, some items removed and moved,
/// across many sessions (a new CRDT client each time).
pub fn safety_plan_with_history(edits: usize) -> Vec<u8> {
    let author = AuthorId::parse("person").expect("valid id");
    let mut state = Vec::new();
    let mut done = 0;
    let mut session = 0u32;
    let mut next_item = 0u32;
    while done < edits {
        session += 1;
        let doc = SectionDoc::new(
            SectionKind::SafetyPlan,
            coplan_domain::plan::workload::session_client_id(session),
        );
        if !state.is_empty() {
            doc.apply_stored(&state).expect("own state reads back");
        }
        for _ in 0..400 {
            if done >= edits {
                break;
            }
            let stamp = Stamp {
                author: author.clone(),
                at_ms: 1_700_000_000_000 + done as u64 * 1000,
            };
            let step = SAFETY_PLAN_STEPS[(done / 37) % SAFETY_PLAN_STEPS.len()];
            let part = if matches!(step, "ask_for_help" | "professionals") {
                "name"
            } else {
                "text"
            };
            let items = doc.view().lists[step].items.clone();
            let edit = if items.len() < 6 && (items.is_empty() || done % 53 == 0) {
                next_item += 1;
                Edit::AddItem {
                    list: step,
                    id: ItemId::parse(&format!("i{next_item}")).expect("id"),
                    parts: vec![],
                }
            } else if done % 211 == 0 {
                Edit::RemoveItem {
                    list: step,
                    id: ItemId::parse(&items[0].id).expect("id"),
                }
            } else if done % 97 == 0 {
                let id = ItemId::parse(&items[items.len() - 1].id).expect("id");
                Edit::MoveItem {
                    list: step,
                    id,
                    toward: coplan_domain::plan::Toward::Start,
                }
            } else {
                let item = &items[done % items.len()];
                let mut text = item.part(part).to_string();
                if done % 9 == 0 {
                    text.pop();
                } else if text.chars().count() < 120 {
                    text.push(b"abcdefghij klmnopqrstuvwxyz"[done % 27] as char);
                } else {
                    text.clear();
                }
                Edit::SetPart {
                    list: step,
                    id: ItemId::parse(&item.id).expect("id"),
                    part,
                    text,
                }
            };
            doc.apply(&edit, &stamp).expect("edit applies");
            done += 1;
        }
        state = doc.encode_state();
    }
    state
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_history_fixture_reads_back_as_a_full_safety_plan() {
        let state = super::safety_plan_with_history(1_000);
        let doc = coplan_domain::plan::SectionDoc::load(
            coplan_domain::plan::SectionKind::SafetyPlan,
            99,
            &state,
        )
        .unwrap();
        let items: usize = doc.view().lists.values().map(|l| l.items.len()).sum();
        assert!(items >= 7, "every step has items: {items}");
    }
}
