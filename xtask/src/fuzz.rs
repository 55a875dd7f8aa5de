//! `cargo xtask fuzz [seconds]`: runs each fuzz target (`fuzz/`, what it runs is
//! `coplan_domain::fuzzing`) for a set time with libFuzzer and no sanitizer, which stable
//! Rust builds, built as the app ships, memory-limited, from the seeds the domain crate makes; prints executions
//! and crashes for each. A crash's input is left in `fuzz/artifacts/<target>/`: copy it
//! into `fuzz/crashes/<target>/`, where `cargo xtask test` replays it, before fixing it.

use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// The cargo-fuzz release this works with (`-s none` builds on stable).
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Each target's time when none is given.
pub const DEFAULT_SECONDS: u64 = 60;
/// libFuzzer stops an input that takes more memory than this.
const RSS_LIMIT_MB: u32 = 2048;
/// The largest input tried: the largest sync request body the server takes.
const MAX_LEN: usize = coplan_domain::limits::SYNC_BODY_MAX_BYTES;

pub fn run(seconds: u64) -> anyhow::Result<()> {
    ensure_cargo_fuzz()?;
    let mut crashed = Vec::new();
    println!("\n== fuzzing, {seconds} s a target, no sanitizer, {RSS_LIMIT_MB} MB at most");
    for (target, _) in coplan_domain::fuzzing::TARGETS {
        let corpus = write_seeds(target)?;
        let artifacts = PathBuf::from("fuzz/artifacts").join(target);
        std::fs::create_dir_all(&artifacts)?;
        let before = crash_files(&artifacts)?;
        let out = cmd::output(
            Command::new("cargo")
                .current_dir("fuzz")
                // `-O` alone: optimised, without debug assertions, as the app ships (a
                // debug assertion in Yrs fires on client ids past 53 bits, which the
                // shipped build reads safely, the same way everywhere).
                .args(["fuzz", "run", "--sanitizer", "none", "-O", target])
                .arg(corpus.strip_prefix("fuzz").unwrap_or(&corpus))
                .arg("--")
                .arg(format!("-max_total_time={seconds}"))
                .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
                .arg(format!("-max_len={MAX_LEN}"))
                .arg("-print_final_stats=1"),
        )?;
        let log = String::from_utf8_lossy(&out.stderr);
        let executions = stat(&log, "stat::number_of_executed_units:");
        let new: Vec<_> = crash_files(&artifacts)?
            .into_iter()
            .filter(|f| !before.contains(f))
            .collect();
        println!(
            "{target}: {} executions in {seconds} s, crashes: {}",
            executions.map_or("?".into(), |n| n.to_string()),
            new.len()
        );
        if !out.status.success() || executions.is_none() {
            let tail: Vec<_> = log.lines().rev().take(40).collect();
            println!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            crashed.push(target);
        }
        for file in new {
            println!("  input kept in {}", file.display());
        }
    }
    if !crashed.is_empty() {
        bail!("fuzzing found crashes in {crashed:?}: copy each input into fuzz/crashes/<target>/");
    }
    Ok(())
}

fn ensure_cargo_fuzz() -> anyhow::Result<()> {
    let found = cmd::version_of("cargo-fuzz");
    if found
        .as_deref()
        .is_some_and(|v| v.contains(CARGO_FUZZ_VERSION))
    {
        return Ok(());
    }
    println!("cargo-fuzz {CARGO_FUZZ_VERSION} is needed; installing it (about 2 minutes)");
    cmd::run(Command::new("cargo").args([
        "install",
        "cargo-fuzz",
        "--locked",
        "--version",
        CARGO_FUZZ_VERSION,
    ]))
}

/// Writes the target's seeds into its corpus folder (which keeps what earlier runs found).
fn write_seeds(target: &str) -> anyhow::Result<PathBuf> {
    let corpus = PathBuf::from("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus)?;
    for (n, (_, input)) in coplan_domain::fuzzing::seeds()
        .into_iter()
        .filter(|(t, _)| *t == target)
        .enumerate()
    {
        std::fs::write(corpus.join(format!("seed-{n:03}")), input)
            .with_context(|| format!("writing a seed for {target}"))?;
    }
    Ok(corpus)
}

fn crash_files(folder: &Path) -> anyhow::Result<Vec<PathBuf>> {
    Ok(std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|f| f.to_str()).is_some_and(|f| {
                f.starts_with("crash-") || f.starts_with("oom-") || f.starts_with("timeout-")
            })
        })
        .collect())
}

/// A number libFuzzer printed after `name`.
fn stat(log: &str, name: &str) -> Option<u64> {
    log.lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|n| n.trim().parse().ok())
}
