//! Security headers on every answer, and the Content-Security-Policy that allows only our
//! own files, WebAssembly, and the exact inline loader Trunk wrote (by its hash).

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
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

/// The headers every response carries, built once at start.
#[derive(Clone)]
pub struct SecurityHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl SecurityHeaders {
    pub fn new(csp: &str) -> Self {
        let fixed = |name: &'static str, value: &'static str| {
            (
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            )
        };
        Self {
            headers: vec![
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
            ],
        }
    }
}

/// Middleware: sets every security header on the way out, whatever answered.
pub async fn add_headers(
    State(security): State<SecurityHeaders>,
    req: Request,
    next: Next,
) -> Response {
    let mut res = next.run(req).await;
    for (name, value) in &security.headers {
        res.headers_mut().insert(name.clone(), value.clone());
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
}
