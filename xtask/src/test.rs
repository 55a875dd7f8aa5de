//! `cargo xtask test`: every check, in the order that fails fastest, each artefact built
//! once and reused: formatting, domain and tool tests, server tests on SQLite and on a
//! throwaway PostgreSQL, IndexedDB tests in headless Chromium (each build linted by
//! clippy as it compiles, warnings denied: [`linted`]),
//! then the first visit's size against its hard cap and end-to-end tests of the release
//! build served by the real server.
//!
//! The release build of the app runs beside the lints and tests, from the start (its log
//! in [`RELEASE_LOG`]): for about half of its ten minutes from a clean clone it keeps one
//! core busy (one codegen unit, then wasm-opt), and the other would wait.

use anyhow::{Context as _, bail};
use std::io::{BufRead as _, BufReader};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use crate::{build, cmd, postgres, setup};

pub fn all() -> anyhow::Result<()> {
    let started = Instant::now();
    let mut timings = Vec::new();
    let mut step =
        |name: &str, work: &mut dyn FnMut() -> anyhow::Result<()>| -> anyhow::Result<()> {
            println!("\n== {name}");
            let t = Instant::now();
            work().with_context(|| format!("step failed: {name}"))?;
            timings.push((name.to_string(), t.elapsed().as_secs()));
            Ok(())
        };

    step("set up tools", &mut || {
        setup::for_build()?;
        setup::for_tests()
    })?;
    step("formatting", &mut || {
        cmd::run(Command::new("cargo").args(["fmt", "--all", "--check"]))
    })?;
    let mut release = Beside::start()?;
    step(
        "domain, checker and tool tests, with their lints",
        &mut || {
            cmd::run(linted(Command::new("cargo").args([
                "test",
                "--locked",
                "-p",
                "coplan-domain",
                "-p",
                "coplan-checker",
                "-p",
                "xtask",
            ])))
        },
    )?;
    step("server tests (SQLite and PostgreSQL)", &mut server_tests)?;
    step(
        "IndexedDB tests in headless Chromium, with the app's lints",
        &mut || {
            cmd::run(
                linted(&mut Command::new("cargo"))
                    .args([
                        "test",
                        "--locked",
                        "--target",
                        "wasm32-unknown-unknown",
                        "-p",
                        "coplan-app",
                    ])
                    .env(
                        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                        "wasm-bindgen-test-runner",
                    )
                    .env("CHROMEDRIVER", setup::CHROMEDRIVER)
                    .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
            )
        },
    )?;
    step("release build of the app, and the server", &mut || {
        release.finish()?;
        // The server as it ships: the tests' build had their dev-dependencies' features
        // too, so some dependencies compile again here (73 s from a clean clone).
        cmd::run(linted(Command::new("cargo").args([
            "build",
            "--locked",
            "-p",
            "coplan-server",
        ])))?;
        build::variant(Path::new(build::DIST), Path::new("target/e2e/dist-b"), "B")
    })?;
    step(
        "first visit's critical path within its hard cap",
        &mut first_visit_within_cap,
    )?;
    step("end-to-end tests in headless Chromium", &mut end_to_end)?;

    println!("\nAll checks passed in {} s:", started.elapsed().as_secs());
    for (name, secs) in timings {
        println!("  {secs:>5} s  {name}");
    }
    Ok(())
}

/// Where the release build that runs beside the tests writes what it prints.
pub const RELEASE_LOG: &str = "target/release-build.log";

/// `cargo xtask build` in a process of its own, started now; stopped if the tests fail
/// first, so a failing run ends at once.
struct Beside {
    child: Option<Child>,
}

impl Beside {
    fn start() -> anyhow::Result<Self> {
        let log = std::fs::File::create(RELEASE_LOG).context(RELEASE_LOG)?;
        println!("(the release build runs beside the next steps; its log: {RELEASE_LOG})");
        // A process group of its own, so stopping it stops trunk, cargo and rustc too.
        let child = Command::new(std::env::current_exe()?)
            .arg("build")
            .stdout(log.try_clone()?)
            .stderr(log)
            .process_group(0)
            .spawn()
            .context("starting the release build")?;
        Ok(Self { child: Some(child) })
    }

    /// Waits for the build; its log's end, and an error, if it failed.
    fn finish(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            bail!("the release build was already waited for");
        };
        let status = child.wait()?;
        let log = std::fs::read_to_string(RELEASE_LOG).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let shown = if status.success() { 3 } else { 60 };
        for line in &lines[lines.len().saturating_sub(shown)..] {
            println!("{line}");
        }
        if !status.success() {
            bail!("the release build failed ({status}); all it printed is in {RELEASE_LOG}");
        }
        Ok(())
    }
}

impl Drop for Beside {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = Command::new("kill")
                .args(["-TERM", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
        }
    }
}

/// Lints with warnings denied, in the build that runs the tests rather than a build of its
/// own: clippy-driver compiles the workspace's crates as `cargo clippy -- -D warnings`
/// would check them (cargo-clippy passes its arguments the same way), and every
/// dependency is compiled once, not once to check and again to test. From a clean clone
/// the separate `cargo clippy` runs took 5 min 25 s of the two cores.
fn linted(command: &mut Command) -> &mut Command {
    command.env("RUSTC_WORKSPACE_WRAPPER", "clippy-driver").env(
        "CLIPPY_ARGS",
        "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
    )
}

/// Runs the server's tests with a throwaway PostgreSQL (unless DATABASE_URL-style
/// `COPLAN_TEST_POSTGRES_URL` names one), and counts the tests that ran on each database.
/// A second throwaway PostgreSQL, committing durably, is the one the crash test stops.
fn server_tests() -> anyhow::Result<()> {
    let (cluster, to_stop);
    let url = match std::env::var("COPLAN_TEST_POSTGRES_URL") {
        Ok(url) => url,
        Err(_) => {
            cluster = postgres::Cluster::start()?;
            cluster.url.clone()
        }
    };
    let mut command = Command::new("cargo");
    linted(&mut command)
        // `--show-output` prints what the crash tests counted.
        .args([
            "test",
            "--locked",
            "-p",
            "coplan-server",
            "--",
            "--show-output",
        ])
        .env("COPLAN_TEST_POSTGRES_URL", &url)
        .env(
            "COPLAN_SCHEMATHESIS",
            std::path::absolute(setup::SCHEMATHESIS).context("the schemathesis path")?,
        );
    if std::env::var_os("COPLAN_TEST_CRASH_POSTGRES_URL").is_none() {
        to_stop = postgres::Cluster::start_in(&std::env::temp_dir(), true)?;
        command
            .env("COPLAN_TEST_CRASH_POSTGRES_URL", &to_stop.url)
            .env("COPLAN_TEST_CRASH_POSTGRES_CTL", to_stop.ctl_script()?);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .context("starting cargo test")?;
    let (mut sqlite, mut postgres) = (0, 0);
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line?;
        println!("{line}");
        if line.starts_with("test ") && line.ends_with(" ok") {
            sqlite += usize::from(line.contains("::on_sqlite::"));
            postgres += usize::from(line.contains("::on_postgres::"));
        }
    }
    let status = child.wait()?;
    println!("server tests passed: {sqlite} on SQLite, {postgres} on PostgreSQL");
    if !status.success() {
        bail!("server tests failed");
    }
    if sqlite == 0 || sqlite != postgres {
        bail!(
            "every server test must run on both databases: {sqlite} on SQLite, {postgres} on PostgreSQL"
        );
    }
    Ok(())
}

/// `cargo xtask e2e`: the build and the end-to-end tests alone.
pub fn build_and_end_to_end() -> anyhow::Result<()> {
    setup::for_build()?;
    setup::for_tests()?;
    build_for_end_to_end()?;
    end_to_end()
}

/// The release build, the server, and a second build "B" to deploy over it.
fn build_for_end_to_end() -> anyhow::Result<()> {
    build::release()?;
    build::server(&[])?;
    build::variant(Path::new(build::DIST), Path::new("target/e2e/dist-b"), "B")
}

/// Fails when the bytes a cold first visit downloads before the app is ready pass the hard
/// cap (PRODUCT.md). Bytes are the same on every run, so this is no timed test.
fn first_visit_within_cap() -> anyhow::Result<()> {
    let root = std::env::current_dir()?;
    cmd::run(
        Command::new("node")
            .args(["tests/e2e/measure-first-visit.mjs", "--check"])
            .env("COPLAN_SERVER_BIN", root.join(build::server_binary("dev")))
            .env("COPLAN_DIST", root.join(build::DIST))
            .env("CHROMIUM", setup::CHROMIUM),
    )
}

fn end_to_end() -> anyhow::Result<()> {
    let root = std::env::current_dir()?;
    let mut tests: Vec<String> = std::fs::read_dir("tests/e2e")?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".test.mjs"))
        .map(|name| format!("tests/e2e/{name}"))
        .collect();
    tests.sort();
    if tests.is_empty() {
        bail!("no end-to-end tests found in tests/e2e");
    }
    let long_plan = crate::fixtures::write()?;
    // For the sync test that runs the server on PostgreSQL and reads its data directory.
    let cluster = postgres::Cluster::start()?;
    std::fs::create_dir_all("target/e2e")?;
    let report = root.join(E2E_REPORT);
    let ran = cmd::run(
        Command::new("node")
            .args(["--test", "--test-concurrency=1"])
            // What each test printed as it ran, and a copy whose failures are told again
            // at the very end, where a CI log's tail shows them.
            .args(["--test-reporter=spec", "--test-reporter-destination=stdout"])
            .arg("--test-reporter=tap")
            .arg(format!("--test-reporter-destination={}", report.display()))
            .args(&tests)
            .env("COPLAN_SERVER_BIN", root.join(build::server_binary("dev")))
            .env("COPLAN_DIST", root.join(build::DIST))
            .env("COPLAN_DIST_B", root.join("target/e2e/dist-b"))
            .env("COPLAN_LONG_PLAN", root.join(long_plan))
            .env("COPLAN_E2E_POSTGRES_URL", &cluster.url)
            .env("COPLAN_E2E_POSTGRES_DATA", cluster.data_dir())
            .env("CHROMIUM", setup::CHROMIUM),
    );
    if ran.is_err() {
        let tap = std::fs::read_to_string(&report).unwrap_or_default();
        println!("\nWhat failed, end to end (the whole report: {E2E_REPORT}):");
        for failure in failures(&tap) {
            println!("{failure}");
        }
    }
    ran
}

/// Where `cargo xtask test` keeps the end-to-end tests' report (TAP).
const E2E_REPORT: &str = "target/e2e/report.tap";

/// Each failing test in a TAP report, with what node said of it (its message, where, and
/// its stack), at most 40 lines each.
fn failures(tap: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut lines = tap.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if !trimmed.starts_with("not ok ") {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let mut told = vec![line.to_string()];
        for more in lines.by_ref() {
            let end = more.trim_start() == "..." && more.len() - 3 == indent + 2;
            if told.len() < 40 {
                told.push(more.to_string());
            }
            if end {
                break;
            }
        }
        found.push(told.join("\n"));
    }
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_failing_end_to_end_test_is_told_with_its_message_and_only_failures_are() {
        let tap = "TAP version 13\n\
# Subtest: passes\n\
ok 1 - passes\n  ---\n  duration_ms: 3\n  ...\n\
# Subtest: fails\n\
not ok 2 - fails\n  ---\n  duration_ms: 30000\n  location: 'tests/e2e/x.test.mjs:1:1'\n  error: |-\n    Timeout 30000ms exceeded.\n  ...\n\
ok 3 - after\n  ---\n  ...\n1..3\n";
        let told = super::failures(tap);
        assert_eq!(told.len(), 1);
        assert!(told[0].starts_with("not ok 2 - fails"));
        assert!(told[0].contains("Timeout 30000ms exceeded."));
        assert!(told[0].ends_with("  ..."));
        assert!(!told[0].contains("after"));
    }
}
