//! Installs what the build and the tests need, when it is missing, and checks that the
//! pinned versions agree. Trunk never downloads anything itself: it finds these on PATH.
//!
//! - wasm32 target (rustup)
//! - wasm-bindgen-cli at the version in Cargo.lock (cargo install; ~2.5 min cold)
//! - trunk 0.21.14 (cargo install, lightly optimised; 0.22 needs a newer Rust than 1.95)
//! - wasm-opt from the npm package binaryen 132 (xtask/npm; Debian's 108 breaks the build)
//! - for tests: Debian's chromium and chromium-driver, postgresql, the npm packages in
//!   tests/e2e (playwright-core, axe-core) from package-lock.json, and schemathesis with
//!   every package it needs at the versions `server/tests/schemathesis/requirements.txt`
//!   pins, in a Python venv of its own ([`SCHEMATHESIS`])

use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::Command;

use crate::cmd;

pub const TRUNK_VERSION: &str = "0.21.14";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Everything `cargo xtask run` and `build` need.
pub fn for_build() -> anyhow::Result<()> {
    // The server's allocator, jemalloc, is compiled from C with its own makefile.
    if cmd::version_of("make").is_none() {
        apt_install(&["make"])?;
    }
    ensure_wasm_target()?;
    let bindgen = wasm_bindgen_in_lock()?;
    check_trunk_pin("wasm_bindgen", &bindgen)?;
    ensure_wasm_bindgen_cli(&bindgen)?;
    ensure_wasm_opt()?;
    ensure_trunk()?;
    // Trunk builds with `cargo --offline`, so every crate must be here first.
    cmd::run(Command::new("cargo").args(["fetch", "--locked"]))
}

/// What the tests need beyond the build.
pub fn for_tests() -> anyhow::Result<()> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        apt_install(&["chromium", "chromium-driver"])?;
    }
    if crate::postgres::bin_dir().is_none() {
        apt_install(&["postgresql"])?;
    }
    ensure_node()?;
    ensure_schemathesis()?;
    // playwright-core downloads no browser; the tests use Debian's chromium.
    npm_ci_if_stale(Path::new("tests/e2e"))
}

/// The venv schemathesis runs from, and its command there.
pub const SCHEMATHESIS_VENV: &str = "target/schemathesis-venv";
pub const SCHEMATHESIS: &str = "target/schemathesis-venv/bin/schemathesis";
const SCHEMATHESIS_PINS: &str = "server/tests/schemathesis/requirements.txt";

/// schemathesis from PyPI at the pinned versions (about 10 s the first time), unless the
/// venv already holds exactly those.
fn ensure_schemathesis() -> anyhow::Result<()> {
    let pins = std::fs::read_to_string(SCHEMATHESIS_PINS).context("reading the pins")?;
    let marker = Path::new(SCHEMATHESIS_VENV).join("coplan-pins.txt");
    if std::fs::read_to_string(&marker).is_ok_and(|installed| installed == pins)
        && Path::new(SCHEMATHESIS).exists()
    {
        return Ok(());
    }
    let venv_works = Command::new("python3")
        .args(["-m", "venv", "--help"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !venv_works {
        apt_install(&["python3", "python3-venv"])?;
    }
    let _ = std::fs::remove_dir_all(SCHEMATHESIS_VENV);
    cmd::run(Command::new("python3").args(["-m", "venv", SCHEMATHESIS_VENV]))?;
    cmd::run(
        Command::new(Path::new(SCHEMATHESIS_VENV).join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "-r",
            SCHEMATHESIS_PINS,
        ]),
    )?;
    std::fs::write(marker, pins)?;
    Ok(())
}

fn ensure_wasm_target() -> anyhow::Result<()> {
    let out = cmd::output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !String::from_utf8_lossy(&out.stdout).contains("wasm32-unknown-unknown") {
        cmd::run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// The one source of truth for the wasm-bindgen version: Cargo.lock.
pub fn wasm_bindgen_in_lock() -> anyhow::Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_string());
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package: run `cargo generate-lockfile`")
}

/// The version Trunk.toml pins for a tool (`wasm_bindgen = "0.2.130"`).
pub fn trunk_pin(tool: &str) -> anyhow::Result<String> {
    let config = std::fs::read_to_string("Trunk.toml").context("reading Trunk.toml")?;
    config
        .lines()
        .filter_map(|l| l.split_once('='))
        .find(|(key, _)| key.trim() == tool)
        .map(|(_, value)| value.trim().trim_matches('"').to_string())
        .with_context(|| format!("Trunk.toml pins no {tool} under [tools]"))
}

fn check_trunk_pin(tool: &str, expected: &str) -> anyhow::Result<()> {
    let pinned = trunk_pin(tool)?;
    if pinned != expected {
        bail!(
            "Trunk.toml pins {tool} = \"{pinned}\" but Cargo.lock has wasm-bindgen {expected}.\n\
             Cargo.lock is the source of truth: set `{tool} = \"{expected}\"` in Trunk.toml \
             (and keep the `=` pin in Cargo.toml at the same version)."
        );
    }
    Ok(())
}

fn ensure_wasm_bindgen_cli(version: &str) -> anyhow::Result<()> {
    let wanted = format!("wasm-bindgen {version}");
    let found = cmd::version_of("wasm-bindgen");
    if found.as_deref().is_some_and(|v| v.starts_with(&wanted)) {
        return Ok(());
    }
    println!(
        "wasm-bindgen-cli {version} is needed (found: {}); installing it (about 2–3 minutes)",
        found.as_deref().unwrap_or("none")
    );
    cmd::run(Command::new("cargo").args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        version,
        "--force",
    ]))?;
    match cmd::version_of("wasm-bindgen") {
        Some(v) if v.starts_with(&wanted) => Ok(()),
        other => bail!(
            "installed wasm-bindgen-cli {version}, but `wasm-bindgen --version` says {other:?}: \
             is ~/.cargo/bin first on PATH?"
        ),
    }
}

/// Where the npm-installed build tools live (binaryen's wasm-opt).
pub const BUILD_TOOLS: &str = "xtask/npm";

/// PATH with the npm build tools first, so Trunk finds our wasm-opt before any other.
pub fn path_with_build_tools() -> anyhow::Result<std::ffi::OsString> {
    let bin = std::env::current_dir()?
        .join(BUILD_TOOLS)
        .join("node_modules/.bin");
    let mut paths = vec![bin];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    Ok(std::env::join_paths(paths)?)
}

/// wasm-opt from the npm package `binaryen`, at the version Trunk.toml pins. Debian's
/// binaryen 108 writes modules that fail to start with wasm-bindgen 0.2.130 output.
fn ensure_wasm_opt() -> anyhow::Result<()> {
    let wanted = trunk_pin("wasm_opt")?;
    ensure_node()?;
    npm_ci_if_stale(Path::new(BUILD_TOOLS))?;
    let wasm_opt = Path::new(BUILD_TOOLS).join("node_modules/.bin/wasm-opt");
    // Trunk reads "wasm-opt version 132 (version_132)" as "version_132".
    let found = cmd::version_of(&wasm_opt.to_string_lossy())
        .and_then(|v| v.split(' ').nth(2).map(|n| format!("version_{n}")))
        .context("wasm-opt from the npm package binaryen did not run")?;
    if found != wanted {
        bail!(
            "Trunk.toml pins wasm_opt = \"{wanted}\" but {BUILD_TOOLS}/package.json installs {found}. \
             Make them agree (and check the release build still starts in a browser)."
        );
    }
    Ok(())
}

fn ensure_node() -> anyhow::Result<()> {
    if cmd::version_of("node").is_none() || cmd::version_of("npm").is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    Ok(())
}

/// `npm ci` in `folder` unless its node_modules already matches its package-lock.json.
fn npm_ci_if_stale(folder: &Path) -> anyhow::Result<()> {
    let installed = folder.join("node_modules/.package-lock.json");
    let stale = match (
        std::fs::metadata(&installed),
        std::fs::metadata(folder.join("package-lock.json")),
    ) {
        (Ok(have), Ok(want)) => have.modified()? < want.modified()?,
        _ => true,
    };
    if stale {
        cmd::run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(folder),
        )?;
    }
    Ok(())
}

fn ensure_trunk() -> anyhow::Result<()> {
    let wanted = format!("trunk {TRUNK_VERSION}");
    if cmd::version_of("trunk").is_some_and(|v| v == wanted) {
        return Ok(());
    }
    println!("trunk {TRUNK_VERSION} is needed; installing it (a few minutes the first time)");
    // Trunk's own release profile (opt-level 3, fat LTO in one codegen unit) took 8 min
    // 24 s to install on a fresh two-core machine, paid by every clean CI run, and 7 min
    // 46 s without the LTO: nearly all of it is optimising some 400 crates. Trunk only
    // starts cargo, wasm-bindgen and wasm-opt, and hashes and copies a few small files,
    // so it is built with light optimisation.
    cmd::run(
        Command::new("cargo")
            .args([
                "install",
                "trunk",
                "--version",
                TRUNK_VERSION,
                "--locked",
                "--force",
            ])
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16"),
    )
}

/// Installs Debian packages (as root, or through sudo), refreshing the lists if needed.
pub fn apt_install(packages: &[&str]) -> anyhow::Result<()> {
    println!("installing Debian packages: {}", packages.join(" "));
    let apt = |args: &[&str]| {
        let mut command = if cmd::is_root() {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    let mut install = vec!["install", "-y"];
    install.extend_from_slice(packages);
    if cmd::run(&mut apt(&install)).is_ok() {
        return Ok(());
    }
    cmd::run(&mut apt(&["update"]))?;
    cmd::run(&mut apt(&install)).with_context(|| {
        format!(
            "could not install {}: install them yourself and run again",
            packages.join(" ")
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_lock_and_trunk_toml_agree_on_wasm_bindgen() {
        std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).unwrap();
        let locked = super::wasm_bindgen_in_lock().unwrap();
        assert!(locked.starts_with("0.2."), "{locked}");
        assert_eq!(super::trunk_pin("wasm_bindgen").unwrap(), locked);
        assert!(super::check_trunk_pin("wasm_bindgen", "0.0.1").is_err());
    }
}
