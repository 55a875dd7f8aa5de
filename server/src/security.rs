//! Security headers on every answer, and the Content-Security-Policy that allows only our
//! own files, WebAssembly, and the exact inline loader Trunk wrote (by its hash).

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// The policy: no inline script but the hashed loader, no eval, no plugins, no framing.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push_str(&format!(" '{hash}'"));
    }
    [
        "default-src 'self'".to_string(),
        format!("script-src {script_src}"),
        "style-src 'self'".into(),
        "img-src 'self' data:".into(),
        "font-src 'self'".into(),
        "connect-src 'self'".into(),
        "manifest-src 'self'".into(),
        "worker-src 'self'".into(),
        "object-src 'none'".into(),
        "base-uri 'none'".into(),
        "form-action 'self'".into(),
        "frame-ancestors 'none'".into(),
    ]
    .join("; ")
}

/// The security headers, built once at start: the full set for anything a browser may show
/// as a page or run as a worker, and the two that matter for a script, style, image or
/// WebAssembly the page loads.
#[derive(Clone)]
pub struct SecurityHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
}

/// Headers that still mean something on a subresource: the rest (the policy, framing,
/// opener, referrer and permissions) are read by browsers only from documents and workers,
/// and cost a cheap phone about 600 bytes on each of the first visit's downloads. HSTS is
/// read from any answer over https.
const SUBRESOURCE_HEADERS: [&str; 3] = [
    "x-content-type-options",
    "cross-origin-resource-policy",
    "strict-transport-security",
];

/// Two years, and every subdomain: what browsers' preload lists ask for.
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Types the page loads as subresources and never shows as a page of their own.
const SUBRESOURCE_TYPES: [&str; 6] = [
    "text/javascript",
    "application/javascript",
    "application/wasm",
    "text/css",
    "image/png",
    "application/manifest+json",
];

/// Which headers an answer gets. A 304 gets none: the browser keeps the headers it stored
/// with the full answer. The service worker's script is a worker, so it gets them all.
fn needs_full_set(
    is_worker: bool,
    status: StatusCode,
    content_type: Option<&HeaderValue>,
) -> Option<bool> {
    if status == StatusCode::NOT_MODIFIED {
        return None;
    }
    let subresource = content_type
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .is_some_and(|v| SUBRESOURCE_TYPES.contains(&v));
    Some(is_worker || !subresource)
}

impl SecurityHeaders {
    /// `hsts` only where the deployment is reached over https alone (`COPLAN_HSTS`).
    pub fn new(csp: &str, hsts: bool) -> Self {
        let fixed = |name: &'static str, value: &'static str| {
            (
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            )
        };
        let mut headers = vec![
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_str(csp).expect("the policy is ASCII"),
            ),
            fixed("x-content-type-options", "nosniff"),
            fixed("referrer-policy", "no-referrer"),
            fixed("x-frame-options", "DENY"),
            fixed("cross-origin-opener-policy", "same-origin"),
            fixed("cross-origin-resource-policy", "same-origin"),
            fixed(
                "permissions-policy",
                "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
            ),
        ];
        if hsts {
            headers.push(fixed("strict-transport-security", HSTS));
        }
        Self { headers }
    }
}

/// Middleware: sets every security header on the way out, whatever answered.
pub async fn add_headers(
    State(security): State<SecurityHeaders>,
    req: Request,
    next: Next,
) -> Response {
    let is_worker = req.uri().path() == "/sw.js";
    let mut res = next.run(req).await;
    let Some(full) = needs_full_set(
        is_worker,
        res.status(),
        res.headers().get(header::CONTENT_TYPE),
    ) else {
        return res;
    };
    for (name, value) in &security.headers {
        if full || SUBRESOURCE_HEADERS.contains(&name.as_str()) {
            res.headers_mut().insert(name.clone(), value.clone());
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_never_allows_inline_or_eval_beyond_the_loader_hash() {
        let csp = content_security_policy(&["sha256-abc=".to_string()]);
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc='"));
        assert!(!csp.contains("'unsafe-inline'"));
        assert!(!csp.contains("'unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn pages_workers_and_unknown_types_get_every_header_and_a_304_gets_none() {
        let ty = |v: &'static str| HeaderValue::from_static(v);
        let ok = StatusCode::OK;
        assert_eq!(
            needs_full_set(false, ok, Some(&ty("text/html; charset=utf-8"))),
            Some(true)
        );
        assert_eq!(
            needs_full_set(false, ok, Some(&ty("image/svg+xml"))),
            Some(true)
        );
        assert_eq!(
            needs_full_set(false, ok, Some(&ty("application/json"))),
            Some(true)
        );
        assert_eq!(needs_full_set(false, ok, None), Some(true));
        assert_eq!(
            needs_full_set(true, ok, Some(&ty("text/javascript"))),
            Some(true)
        );
        assert_eq!(
            needs_full_set(false, ok, Some(&ty("text/javascript"))),
            Some(false)
        );
        assert_eq!(
            needs_full_set(false, ok, Some(&ty("application/wasm"))),
            Some(false)
        );
        assert_eq!(needs_full_set(false, StatusCode::NOT_MODIFIED, None), None);
    }
}
