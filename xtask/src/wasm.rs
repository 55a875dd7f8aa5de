//! The app's WebAssembly, built in parts: compiled with its relocations kept, split by
//! `wasm_split_cli_support` into the main module and the parts loaded later
//! (`src/parts.rs`), bound by wasm-bindgen, optimised by wasm-opt, and placed in
//! `dist/pkg/<build id>/`. Trunk 0.21 cannot run the splitter, so it builds only the page,
//! the stylesheet and the static files; this module adds the app and its loader.
//!
//! Each build has its own folder, named by a hash of everything in it, because the
//! splitter's loader fetches the parts by fixed names relative to itself: a page of one
//! build can only ever fetch that build's parts (a missing folder is a plain 404, which
//! the app shows as a part that could not open, never a mix of two builds).

use anyhow::{Context as _, bail};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

const CRATE: &str = "coplan-app";
const LINKED: &str = "target/wasm32-unknown-unknown/release/coplan-app.wasm";
const SPLIT_DIR: &str = "target/coplan-split";
const BOUND_DIR: &str = "target/coplan-pkg";
const LOADER: &str = "__wasm_split.js";
const CHECKER: &str = "coplan-checker";
const CHECKER_LINKED: &str = "target/wasm32-unknown-unknown/release/coplan_checker.wasm";
/// The checker's worker script, beside its module in the build's folder.
const CHECKER_WORKER: &str = "checker-worker.js";
/// The most memory the checker may ever have (`checker/src/lib.rs`): room to read the
/// largest plan file Coplan accepts (8 MiB, each section up to 1 MiB), and no more, so a
/// file crafted to reserve huge lists fails there instead of taking the phone's memory.
const CHECKER_MEMORY: u64 = 128 * 1024 * 1024;

/// What wasm-opt may assume of the browser: the features Rust 1.95 emits, named one by one
/// (never `--all-features`: binaryen would then use ones no browser we support has).
const WASM_OPT_ARGS: [&str; 8] = [
    "-Oz",
    "--converge",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
];

/// Shortens the paths a release build of the app keeps for panic messages: crates.io's
/// sources and the standard library's are named from their own root, not this machine's
/// folders. Every byte of the first visit counts (measured: the main module 35 bytes over
/// its budget before, brotli), and a build machine's folders are nobody's business.
/// Set on every release build of the app (Trunk's, the parts' and the checker's), so they
/// share one set of compiled crates; it adds to `.cargo/config.toml`'s flags.
pub fn short_paths(command: &mut Command) -> anyhow::Result<&mut Command> {
    let cargo_home = match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home),
        None => PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?).join(".cargo"),
    };
    let mut flags = Vec::new();
    if let Ok(sources) = std::fs::read_dir(cargo_home.join("registry/src")) {
        for source in sources.flatten() {
            flags.push(format!("--remap-path-prefix={}/=", source.path().display()));
        }
    }
    let version = cmd::output(Command::new("rustc").arg("-vV"))?;
    let version = String::from_utf8_lossy(&version.stdout);
    if let Some(commit) = version
        .lines()
        .find_map(|l| l.strip_prefix("commit-hash: "))
    {
        flags.push(format!("--remap-path-prefix=/rustc/{commit}/="));
    }
    if flags.iter().any(|f| f.contains(char::is_whitespace)) {
        // Cargo splits this variable at spaces: leave the paths as they are.
        return Ok(command);
    }
    Ok(command.env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
        flags.join(" "),
    ))
}

/// One build's app files, as paths under `dist/` (forward slashes).
#[derive(Debug)]
pub struct AppFiles {
    pub main_js: String,
    pub main_wasm: String,
    /// The splitter's loader, imported by `main_js` itself.
    pub loader: String,
    /// Each part loaded later, by name, with the files it needs (shared chunks first).
    pub parts: BTreeMap<String, Vec<String>>,
    /// The checker's worker script, its glue and its module (loaded when a file is
    /// opened; precached with the rest).
    pub checker: [String; 3],
}

impl AppFiles {
    /// The files a first visit needs before the app can start.
    pub fn critical(&self) -> [&str; 3] {
        [&self.main_js, &self.main_wasm, &self.loader]
    }
}

/// Builds, splits, binds and optimises the app into `dist/pkg/<build id>/`.
pub fn build(dist: &Path) -> anyhow::Result<AppFiles> {
    cmd::run(short_paths(&mut Command::new("cargo"))?.args([
        "rustc",
        "--locked",
        "--offline",
        "-p",
        CRATE,
        "--bin",
        CRATE,
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        // The splitter follows every call through the relocations the linker keeps.
        "-C",
        "link-arg=--emit-relocs",
    ]))?;

    let split_dir = fresh_dir(SPLIT_DIR)?;
    let input = std::fs::read(LINKED).with_context(|| format!("reading {LINKED}"))?;
    let main_split = split_dir.join(format!("{CRATE}.wasm"));
    let mut options = wasm_split_cli_support::Options::new(&input);
    options.output_dir = &split_dir;
    options.main_out_path = &main_split;
    options.main_module = "./coplan-app.js";
    options.link_name = "./__wasm_split.js";
    let split = wasm_split_cli_support::transform(options)
        .map_err(|e| anyhow::anyhow!("splitting the app's wasm: {e:?}"))?;

    let bound = fresh_dir(BOUND_DIR)?;
    cmd::run(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript"])
            // The loader needs the function table and memory the linker exported.
            .arg("--keep-lld-exports")
            .args(["--out-name", CRATE, "--out-dir"])
            .arg(&bound)
            .arg(&main_split),
    )?;
    for entry in std::fs::read_dir(&split_dir)? {
        let path = entry?.path();
        let name = file_name(&path);
        if name != format!("{CRATE}.wasm") {
            std::fs::copy(&path, bound.join(&name))?;
        }
    }
    build_checker(&bound)?;
    let wasm_opt = Path::new(crate::setup::BUILD_TOOLS).join("node_modules/.bin/wasm-opt");
    let mut files = crate::build::files_in(&bound)?;
    files.sort();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "wasm"))
    {
        let path = bound.join(file);
        cmd::run(
            Command::new(&wasm_opt)
                .args(WASM_OPT_ARGS)
                .arg(&path)
                .arg("-o")
                .arg(&path),
        )?;
    }

    let id = build_id(&bound, &files)?;
    let folder = format!("pkg/{id}");
    let target = dist.join(&folder);
    let _ = std::fs::remove_dir_all(dist.join("pkg"));
    std::fs::create_dir_all(&target)?;
    for file in &files {
        std::fs::copy(bound.join(file), target.join(file))?;
    }

    let in_folder = |name: &str| format!("{folder}/{name}");
    let mut parts = BTreeMap::new();
    for (part, needs) in &split.prefetch_map {
        let mut needs: Vec<String> = needs
            .iter()
            .map(|n| in_folder(&format!("{n}.wasm")))
            .collect();
        // Shared chunks first, the part's own module last.
        needs.sort_by_key(|n| n.contains("/split_"));
        parts.insert(part.clone(), needs);
    }
    let app = AppFiles {
        main_js: in_folder(&format!("{CRATE}.js")),
        main_wasm: in_folder(&format!("{CRATE}_bg.wasm")),
        loader: in_folder(LOADER),
        parts,
        checker: [
            in_folder(CHECKER_WORKER),
            in_folder(&format!("{CHECKER}.js")),
            in_folder(&format!("{CHECKER}_bg.wasm")),
        ],
    };
    for file in app
        .critical()
        .into_iter()
        .chain(app.parts.values().flatten().map(String::as_str))
        .chain(app.checker.iter().map(String::as_str))
    {
        if !dist.join(file).exists() {
            bail!("the split build has no {file}: has wasm_split_cli_support changed its names?");
        }
    }
    add_loader(&dist.join("index.html"), &app)?;
    Ok(app)
}

/// Builds the checker (`checker/`) into `bound`, its memory capped at [`CHECKER_MEMORY`],
/// with its worker script.
fn build_checker(bound: &Path) -> anyhow::Result<()> {
    cmd::run(short_paths(&mut Command::new("cargo"))?.args([
        "rustc",
        "--locked",
        "--offline",
        "-p",
        CHECKER,
        "--lib",
        "--crate-type",
        "cdylib",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-C",
        &format!("link-arg=--max-memory={CHECKER_MEMORY}"),
    ]))?;
    cmd::run(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript"])
            .args(["--out-name", CHECKER, "--out-dir"])
            .arg(bound)
            .arg(CHECKER_LINKED),
    )?;
    std::fs::copy("checker/worker.js", bound.join(CHECKER_WORKER))?;
    Ok(())
}

/// The 16-hex-digit hash of a build's files (names and contents).
fn build_id(dir: &Path, files: &[PathBuf]) -> anyhow::Result<String> {
    let mut hash = Sha256::new();
    for file in files {
        hash.update(file.to_string_lossy().as_bytes());
        hash.update([0]);
        hash.update(std::fs::read(dir.join(file))?);
    }
    Ok(hash
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Puts the app's loader at the end of `<head>`: preloads for the three files the app
/// starts from (the loader is imported by the app's script, so without its own preload it
/// would cost one more round trip), and the module script that starts the app. The server
/// hashes this inline script into its Content-Security-Policy at start-up.
fn add_loader(index: &Path, app: &AppFiles) -> anyhow::Result<()> {
    let html = std::fs::read_to_string(index).context("reading dist/index.html")?;
    let loader = loader_html(app);
    let Some(at) = html.find("</head>") else {
        bail!("dist/index.html has no </head>");
    };
    if html.contains("__wasm_split") {
        bail!("dist/index.html already has an app loader");
    }
    std::fs::write(index, format!("{}{loader}{}", &html[..at], &html[at..]))?;
    Ok(())
}

fn loader_html(app: &AppFiles) -> String {
    format!(
        r#"<meta name="coplan-checker" content="/{checker}">
  <link rel="modulepreload" href="/{js}">
  <link rel="modulepreload" href="/{loader}">
  <link rel="preload" href="/{wasm}" as="fetch" type="application/wasm" crossorigin>
  <script type="module">
import init from '/{js}';
const wasm = await init({{ module_or_path: '/{wasm}' }});
dispatchEvent(new CustomEvent('CoplanStarted', {{ detail: {{ wasm }} }}));
</script>
"#,
        js = app.main_js,
        loader = app.loader,
        wasm = app.main_wasm,
        checker = app.checker[0],
    )
}

fn fresh_dir(path: &str) -> anyhow::Result<PathBuf> {
    let dir = PathBuf::from(path);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
