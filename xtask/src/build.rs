//! Building the app: Trunk writes `dist/`, then this finishes it for serving: the service
//! worker with this build's file list and version, and brotli and gzip copies of each file.

use anyhow::Context as _;
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

pub const DIST: &str = "dist";
const SW_TEMPLATE: &str = "src/sw.js";

/// `trunk build --release` (the page, stylesheet and files), the app in its parts
/// (`wasm.rs`), then the service worker and compressed copies.
pub fn release() -> anyhow::Result<crate::wasm::AppFiles> {
    cmd::run(
        crate::wasm::short_paths(&mut Command::new("trunk"))?
            .args(["build", "--release", "--offline"])
            .env("TRUNK_OFFLINE", "true")
            .env("PATH", crate::setup::path_with_build_tools()?)
            .env("NO_COLOR", "true"),
    )?;
    let app = crate::wasm::build(Path::new(DIST))?;
    finish_dist(Path::new(DIST))?;
    Ok(app)
}

/// Builds the server with the given cargo profile arguments.
pub fn server(profile_args: &[&str]) -> anyhow::Result<()> {
    cmd::run(
        Command::new("cargo")
            .args(["build", "--locked", "-p", "coplan-server"])
            .args(profile_args),
    )
}

/// Where cargo puts the server binary for a profile ("dev" lives in target/debug).
pub fn server_binary(profile: &str) -> PathBuf {
    let folder = if profile == "dev" { "debug" } else { profile };
    Path::new("target").join(folder).join("coplan-server")
}

/// Files used only online (accounts, and later sharing): never precached, so an offline
/// install does not carry them. The account part's module, and the list of common
/// passphrases it fetches when a passphrase is chosen.
/// The icon `index.html` names for the page, which the browser asks for on every load.
const FAVICON: &str = "icons/icon.svg";
const ONLINE_ONLY: [&str; 2] = ["/split_account.wasm", "common-passphrases.txt"];

/// Writes `sw.js` (precache list and version from the files in `dist`) and the `.br` and
/// `.gz` copies the server sends to browsers that accept them.
pub fn finish_dist(dist: &Path) -> anyhow::Result<()> {
    let mut files = files_in(dist)?;
    files.retain(|f| {
        let name = f.to_string_lossy();
        !(name.ends_with(".br") || name.ends_with(".gz") || name == "sw.js")
    });
    files.sort();
    // The header comments of the plain scripts are for readers of the source; every byte
    // of a first visit counts on a slow connection.
    let pwa = dist.join("pwa.js");
    if pwa.exists() {
        let source = std::fs::read_to_string(&pwa)?;
        std::fs::write(&pwa, without_header_comment(&source))?;
    }

    let mut version = Sha256::new();
    for file in &files {
        version.update(file.to_string_lossy().as_bytes());
        version.update([0]);
        version.update(std::fs::read(dist.join(file))?);
    }
    let version: String = version
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();

    // The installed app's icons and manifest are fetched by the phone when it installs the
    // app (online); the page never needs them offline, so a first visit does not fetch
    // them twice (each a request that counts against the first-visit budget). The page's
    // own icon is the exception: the browser asks for it on every load, and offline that
    // failed as an error in the page's console (521 bytes).
    let precache: Vec<String> = files
        .iter()
        .filter(|f| {
            let name = f.to_string_lossy();
            !((name.starts_with("icons/") && name.as_ref() != FAVICON)
                || name.ends_with(".webmanifest")
                || ONLINE_ONLY.iter().any(|online| name.ends_with(online)))
        })
        // The shell is cached as "/", the address the first visit loaded it from, so the
        // worker's copy is a revalidation of the page's own (a 304), not a second download.
        .map(|f| match f.to_string_lossy().replace('\\', "/").as_str() {
            "index.html" => "\"/\"".to_string(),
            path => format!("\"/{path}\""),
        })
        .collect();
    let template =
        std::fs::read_to_string(SW_TEMPLATE).context("reading the service worker template")?;
    let sw = template
        .replace("'__COPLAN_VERSION__'", &format!("'{version}'"))
        .replace(
            "__COPLAN_PRECACHE__",
            &format!("[\n  {},\n]", precache.join(",\n  ")),
        );
    std::fs::write(dist.join("sw.js"), without_header_comment(&sw))?;

    files.push(PathBuf::from("sw.js"));
    for file in &files {
        compress(&dist.join(file))?;
    }
    println!(
        "dist finished: {} files precached, service worker version {version}",
        files.len() - 1
    );
    Ok(())
}

/// Every file under `dir`, as paths relative to it.
pub fn files_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in
            std::fs::read_dir(&folder).with_context(|| format!("reading {}", folder.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir)?.to_path_buf());
            }
        }
    }
    Ok(out)
}

/// A script without the block comment that opens it.
fn without_header_comment(js: &str) -> &str {
    if js.starts_with("/*")
        && let Some(end) = js.find("*/")
    {
        return js[end + 2..].trim_start();
    }
    js
}

pub fn brotli_bytes(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        writer.write_all(data).expect("writing to memory");
    }
    out
}

pub fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

/// Writes `file.br` and `file.gz` beside `file` when they are smaller (images are
/// compressed already and skipped).
fn compress(file: &Path) -> anyhow::Result<()> {
    let name = file.to_string_lossy();
    if [".png", ".jpg", ".webp", ".woff2"]
        .iter()
        .any(|ext| name.ends_with(ext))
    {
        return Ok(());
    }
    let data = std::fs::read(file)?;
    for (suffix, packed) in [("br", brotli_bytes(&data)), ("gz", gzip_bytes(&data))] {
        let target = PathBuf::from(format!("{}.{suffix}", file.display()));
        if packed.len() < data.len() {
            std::fs::write(&target, packed)?;
        } else if target.exists() {
            std::fs::remove_file(&target)?;
        }
    }
    Ok(())
}

/// A copy of `dist` that differs as a new deployment would (for the update test).
pub fn variant(dist: &Path, to: &Path, label: &str) -> anyhow::Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to)?;
    }
    for file in files_in(dist)? {
        let target = to.join(&file);
        std::fs::create_dir_all(target.parent().expect("a file has a folder"))?;
        std::fs::copy(dist.join(&file), &target)?;
    }
    let index = to.join("index.html");
    let mut html = std::fs::read_to_string(&index)?;
    // A new build's app lives in a new folder, as a real one's would.
    if let Some(old) = std::fs::read_dir(to.join("pkg"))
        .ok()
        .and_then(|mut d| d.next())
    {
        let old = old?.file_name().to_string_lossy().into_owned();
        let new: String = Sha256::digest(format!("{old}{label}"))
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        std::fs::rename(to.join("pkg").join(&old), to.join("pkg").join(&new))?;
        html = html.replace(&format!("/pkg/{old}/"), &format!("/pkg/{new}/"));
    }
    let marked = html.replacen(
        "<head>",
        &format!("<head>\n  <meta name=\"coplan-build\" content=\"{label}\">"),
        1,
    );
    std::fs::write(&index, marked)?;
    finish_dist(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("coplan-xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("icons")).unwrap();
        dir
    }

    fn write_fake_build(dist: &Path) {
        std::fs::write(
            dist.join("index.html"),
            "<!doctype html><head></head>".repeat(20),
        )
        .unwrap();
        std::fs::write(dist.join("app-0123456789abcdef_bg.wasm"), vec![0u8; 4096]).unwrap();
        std::fs::write(dist.join("icons/icon-192.png"), b"png").unwrap();
        std::fs::write(dist.join("icons/icon.svg"), "<svg/>").unwrap();
        std::fs::create_dir_all(dist.join("pkg/0123456789abcdef")).unwrap();
        std::fs::write(
            dist.join("pkg/0123456789abcdef/split_account.wasm"),
            [0u8; 8],
        )
        .unwrap();
        std::fs::write(dist.join("pkg/0123456789abcdef/split_plans.wasm"), [0u8; 8]).unwrap();
        std::fs::write(dist.join("common-passphrases.txt"), "password1234567\n").unwrap();
    }

    #[test]
    fn a_new_build_puts_its_app_in_a_folder_of_its_own() {
        std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).unwrap();
        let dist = scratch("pkg");
        write_fake_build(&dist);
        let folder = dist.join("pkg/0123456789abcdef");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("split_care_plan.wasm"), vec![1u8; 512]).unwrap();
        std::fs::write(
            dist.join("index.html"),
            "<head><script type=\"module\">import init from '/pkg/0123456789abcdef/coplan-app.js';</script></head>",
        )
        .unwrap();
        finish_dist(&dist).unwrap();
        assert!(sw_of(&dist).contains("\"/pkg/0123456789abcdef/split_care_plan.wasm\""));

        let other = scratch("pkg-b");
        variant(&dist, &other, "B").unwrap();
        let moved: Vec<_> = std::fs::read_dir(other.join("pkg"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(moved.len(), 1);
        let id = &moved[0];
        assert_ne!(id, "0123456789abcdef", "build B has a folder of its own");
        assert_eq!(id.len(), 16);
        let html = std::fs::read_to_string(other.join("index.html")).unwrap();
        assert!(html.contains(&format!("/pkg/{id}/coplan-app.js")), "{html}");
        assert!(!html.contains("0123456789abcdef"), "{html}");
        assert!(sw_of(&other).contains(&format!("\"/pkg/{id}/split_care_plan.wasm\"")));
    }

    fn sw_of(dist: &Path) -> String {
        std::fs::read_to_string(dist.join("sw.js")).unwrap()
    }

    #[test]
    fn only_the_opening_comment_is_dropped() {
        assert_eq!(
            without_header_comment("/* about */\n'use strict'; /* kept */"),
            "'use strict'; /* kept */"
        );
        assert_eq!(without_header_comment("var a = '/*';"), "var a = '/*';");
    }

    #[test]
    fn the_service_worker_lists_this_builds_files_and_a_version_of_their_content() {
        std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).unwrap();
        let dist = scratch("sw");
        write_fake_build(&dist);
        finish_dist(&dist).unwrap();
        let sw = sw_of(&dist);
        assert!(sw.contains("\"/\","), "the shell is cached as \"/\": {sw}");
        assert!(!sw.contains("\"/index.html\""), "{sw}");
        assert!(sw.contains("\"/app-0123456789abcdef_bg.wasm\""));
        assert!(
            !sw.contains("icons/icon-192"),
            "the install icons are not precached"
        );
        assert!(
            sw.contains("\"/icons/icon.svg\""),
            "the icon the page asks for is"
        );
        assert!(
            sw.contains("split_plans.wasm"),
            "an offline part is precached"
        );
        assert!(
            !sw.contains("split_account"),
            "the online-only part is not: {sw}"
        );
        assert!(
            !sw.contains("common-passphrases"),
            "nor the passphrase list"
        );
        assert!(!sw.contains("__COPLAN_"), "every placeholder is filled");
        assert!(dist.join("app-0123456789abcdef_bg.wasm.br").exists());
        assert!(dist.join("index.html.gz").exists());
        assert!(!dist.join("icons/icon-192.png.br").exists());

        // The same files give the same version; a changed file gives a new one.
        finish_dist(&dist).unwrap();
        assert_eq!(sw, sw_of(&dist), "finishing twice changes nothing");
        let other = scratch("sw-b");
        write_fake_build(&other);
        variant(&dist, &other, "B").unwrap();
        assert_ne!(
            sw,
            sw_of(&other),
            "a new build gets a new service worker version"
        );
        assert!(
            std::fs::read_to_string(other.join("index.html"))
                .unwrap()
                .contains("coplan-build")
        );
    }
}
