//! `cargo xtask size`: what a first visit costs. Builds in release, prints raw, gzip and
//! brotli bytes of each file in `dist/`, each part loaded later and the whole app against
//! their budgets, then measures what a cold Chromium visit transfers before the app is
//! ready (DevTools protocol), ending with the critical path's budget line.

use std::path::Path;
use std::process::Command;

use crate::{build, cmd, setup};

/// Each part loaded later, brotli (PRODUCT.md).
const PART_BUDGET: usize = 100 * 1024;

pub fn report() -> anyhow::Result<()> {
    setup::for_build()?;
    setup::for_tests()?;
    let app = build::release()?;
    build::server(&[])?;

    let dist = Path::new(build::DIST);
    let mut files = build::files_in(dist)?;
    files.retain(|f| {
        let name = f.to_string_lossy();
        !(name.ends_with(".br") || name.ends_with(".gz"))
    });
    files.sort();
    println!(
        "\n{:<48} {:>10} {:>10} {:>10}",
        "file in dist/", "raw", "gzip", "brotli"
    );
    let (mut raw_total, mut gz_total, mut br_total) = (0, 0, 0);
    for file in &files {
        let data = std::fs::read(dist.join(file))?;
        let (raw, gz, br) = (
            data.len(),
            build::gzip_bytes(&data).len(),
            build::brotli_bytes(&data).len(),
        );
        raw_total += raw;
        gz_total += gz;
        br_total += br;
        println!("{:<48} {raw:>10} {gz:>10} {br:>10}", file.display());
    }
    println!(
        "{:<48} {raw_total:>10} {gz_total:>10} {br_total:>10}\n",
        "all files"
    );

    println!(
        "{:<48} {:>10} {:>10}",
        "part loaded later (with its shared chunks)", "brotli", "budget"
    );
    let mut over = Vec::new();
    let checker = (
        "the checker, in its worker (on opening a file)".to_string(),
        app.checker.to_vec(),
    );
    for (part, needs) in app.parts.iter().chain([(&checker.0, &checker.1)]) {
        let mut bytes = 0;
        for file in needs {
            bytes += build::brotli_bytes(&std::fs::read(dist.join(file))?).len();
        }
        println!("{part:<48} {bytes:>10} {PART_BUDGET:>10}");
        if bytes > PART_BUDGET {
            over.push(part.as_str());
        }
    }
    println!("whole app, every part, brotli: {br_total} bytes (printed so growth shows)\n");
    if !over.is_empty() {
        println!("over the part budget: {}", over.join(", "));
    }

    let root = std::env::current_dir()?;
    cmd::run(
        Command::new("node")
            .arg("tests/e2e/measure-first-visit.mjs")
            .env("COPLAN_SERVER_BIN", root.join(build::server_binary("dev")))
            .env("COPLAN_DIST", root.join(build::DIST))
            .env("CHROMIUM", setup::CHROMIUM),
    )
}
