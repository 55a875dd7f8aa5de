//! `cargo xtask <command>`: Coplan's own commands, so a newcomer needs only two.
//!
//! - `run`: set up what is missing, build the app in release, serve it on SQLite.
//! - `test`: set up what is missing, then formatting, lints, and every test.
//! - `size`: build in release and print what a first visit downloads.
//! - `bench`: build in release and print the speed budgets, measured in Chromium.
//! - `fuzz [seconds]`: run each fuzz target for a set time and print what it found.
//! - `build`: build the app in release into `dist/` (used by the others).
//! - `e2e`: build, then the end-to-end tests only (a quicker loop while working).
//! - `setup`: install the tools only.

#![forbid(unsafe_code)]

mod bench;
mod build;
mod cmd;
mod fixtures;
mod fuzz;
mod postgres;
mod setup;
mod size;
mod test;
mod wasm;

use anyhow::{Context as _, bail};
use std::path::PathBuf;

/// What failed, as one chain of causes and no backtrace: the last lines a CI log shows are
/// then what failed (`test::end_to_end` tells a failing browser test just before).
fn main() -> std::process::ExitCode {
    match xtask() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn xtask() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root()?;
    std::env::set_current_dir(&root).context("entering the repository root")?;
    match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test::all(),
        Some("size") => size::report(),
        Some("e2e") => test::build_and_end_to_end(),
        // `cargo xtask bench pushes` measures only the server's durable pushes.
        Some("bench") if args.get(1).map(String::as_str) == Some("pushes") => bench::pushes(),
        // `cargo xtask bench browser` measures only the app, in the browser.
        Some("bench") if args.get(1).map(String::as_str) == Some("browser") => bench::browser(),
        // `cargo xtask bench wasm` measures only the wasm benches (history, caseload).
        Some("bench") if args.get(1).map(String::as_str) == Some("wasm") => bench::wasm(),
        Some("bench") => bench::run(),
        Some("fuzz") => fuzz::run(match args.get(1) {
            Some(seconds) => seconds
                .parse()
                .context("cargo xtask fuzz takes a number of seconds a target")?,
            None => fuzz::DEFAULT_SECONDS,
        }),
        Some("build") => {
            setup::for_build()?;
            build::release().map(drop)
        }
        Some("setup") => {
            setup::for_build()?;
            setup::for_tests()
        }
        _ => {
            eprintln!(
                "usage: cargo xtask <run | test | size | bench [browser | wasm | pushes] | fuzz [seconds] | build | e2e | setup>"
            );
            bail!(
                "unknown command {:?}",
                args.first().map(String::as_str).unwrap_or("")
            );
        }
    }
}

/// Builds everything and serves the app on an embedded SQLite file under `./data/`.
fn run() -> anyhow::Result<()> {
    setup::for_build()?;
    build::release()?;
    build::server(&["--profile", "server"])?;
    let server = build::server_binary("server");
    println!("\nStarting the server. It prints the address to open; Ctrl-C stops it.\n");
    let mut command = std::process::Command::new(server);
    command.env_remove("DATABASE_URL");
    cmd::run(&mut command)
}

/// The repository root: the parent of this crate's folder.
fn repo_root() -> anyhow::Result<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(PathBuf::from)
        .context("xtask lives one folder below the repository root")
}
