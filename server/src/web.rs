//! Serving the built app from `dist/`: precompressed files (brotli, gzip) with their MIME
//! types, the app shell for the app's own addresses (`/about`), and plain 404s for missing
//! files. The hashes of index.html's inline scripts feed the Content-Security-Policy.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use tower::service_fn;
use tower::util::BoxCloneSyncService;
use tower_http::services::ServeDir;

/// The built app, read once at start.
pub struct AppShell {
    dist: PathBuf,
    index_html: Option<String>,
}

impl AppShell {
    pub fn load(dist: &Path) -> Self {
        let index_html = std::fs::read_to_string(dist.join("index.html")).ok();
        if index_html.is_none() {
            tracing::warn!(dist = %dist.display(), "no index.html: the app is not built; only the API will answer");
        }
        Self {
            dist: dist.to_path_buf(),
            index_html,
        }
    }

    /// `sha256-…` sources for every inline `<script>` in index.html (Trunk's loader).
    pub fn inline_script_hashes(&self) -> Vec<String> {
        self.index_html
            .as_deref()
            .map(inline_script_hashes)
            .unwrap_or_default()
    }

    fn app_shell_response(&self, path: &str) -> Response {
        let last = path.rsplit('/').next().unwrap_or_default();
        match &self.index_html {
            // A missing file (it has an extension) is a 404, not the app shell.
            _ if last.contains('.') => (StatusCode::NOT_FOUND, "Not found").into_response(),
            Some(html) => (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html.clone(),
            )
                .into_response(),
            None => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The app has not been built. Run: cargo xtask run",
            )
                .into_response(),
        }
    }
}

/// Serves `dist/`, falling back to the app shell for the app's own addresses.
pub fn service(shell: Arc<AppShell>) -> BoxCloneSyncService<Request, Response, Infallible> {
    let fallback_shell = shell.clone();
    let fallback = service_fn(move |req: Request| {
        let shell = fallback_shell.clone();
        async move { Ok::<_, Infallible>(shell.app_shell_response(req.uri().path())) }
    });
    let files = ServeDir::new(&shell.dist)
        .precompressed_br()
        .precompressed_gzip()
        .append_index_html_on_directories(true)
        .fallback(fallback);
    BoxCloneSyncService::new(tower::ServiceExt::map_response(files, |res| {
        res.map(Body::new)
    }))
}

/// Whether a path names a file whose content can never change, which may then be cached
/// forever: its name carries its content hash (Trunk writes `name-<hex>.ext`), or it lives
/// in a build's own folder, `/pkg/<hash of the build>/` (the app's wasm, split in parts).
pub fn is_hashed_asset(path: &str) -> bool {
    if let Some(rest) = path.strip_prefix("/pkg/")
        && let Some((build, file)) = rest.split_once('/')
    {
        return build.len() == 16
            && build.bytes().all(|b| b.is_ascii_hexdigit())
            && !file.is_empty()
            && !file.contains('/');
    }
    let file = path.rsplit('/').next().unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((name, hash)) => {
            !name.is_empty() && hash.len() >= 8 && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// Finds inline scripts (no `src`) and returns their CSP hash sources.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let open_tag = &after[..open_end];
        let body_and_more = &after[open_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !open_tag.contains(" src=") {
            let digest = Sha256::digest(&body_and_more.as_bytes()[..close]);
            hashes.push(format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_and_more[close..];
    }
    hashes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed_asset("/coplan-app-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_asset("/coplan-app-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_asset("/main-00ff00ff.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/sw.js"));
        assert!(!is_hashed_asset("/icons/icon-192.png"));
        assert!(!is_hashed_asset("/about"));
        assert!(is_hashed_asset("/pkg/1b5c4dcbe3706c14/coplan-app_bg.wasm"));
        assert!(is_hashed_asset(
            "/pkg/1b5c4dcbe3706c14/split_care_plan.wasm"
        ));
        assert!(is_hashed_asset("/pkg/1b5c4dcbe3706c14/__wasm_split.js"));
        assert!(!is_hashed_asset("/pkg/latest/__wasm_split.js"));
        assert!(!is_hashed_asset("/pkg/1b5c4dcbe3706c14/"));
        assert!(!is_hashed_asset("/pkg/1b5c4dcbe3706c14/a/b.js"));
    }

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<script src="/pwa.js" defer></script><script type="module">boot()</script>"#;
        let hashes = inline_script_hashes(html);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"boot()"));
        assert_eq!(hashes, vec![format!("sha256-{expected}")]);
    }
}
