//! `cargo xtask size`: what a first visit costs. Builds in release, prints raw, gzip and
//! brotli bytes of each file in `dist/`, then measures what a cold Chromium visit really
//! transfers (DevTools protocol), ending with the budget line.

use std::path::Path;
use std::process::Command;

use crate::{build, cmd, setup};

pub fn report() -> anyhow::Result<()> {
    setup::for_build()?;
    setup::for_tests()?;
    build::release()?;
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

    let root = std::env::current_dir()?;
    cmd::run(
        Command::new("node")
            .arg("tests/e2e/measure-first-visit.mjs")
            .env("COPLAN_SERVER_BIN", root.join(build::server_binary("dev")))
            .env("COPLAN_DIST", root.join(build::DIST))
            .env("CHROMIUM", setup::CHROMIUM),
    )
}
