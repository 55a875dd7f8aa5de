//! Serving the built app: cache rules, precompressed files, MIME types, the app shell for
//! the app's own addresses, and security headers with a CSP that hashes the loader.

use base64::Engine as _;
use sha2::Digest as _;

use crate::helpers::{Db, LOADER, TestApp, TestDatabase, fake_dist};
use crate::on_both_databases;

on_both_databases!(
    index_html_is_revalidated_and_carries_a_strict_csp,
    hashed_files_are_immutable_and_sent_brotli_when_asked,
    app_addresses_get_the_shell_and_missing_files_get_404,
    pages_and_workers_carry_every_security_header,
    hsts_is_sent_only_when_the_deployment_says_it_is_served_over_https,
);

async fn index_html_is_revalidated_and_carries_a_strict_csp(db: Db) {
    let database = TestDatabase::new(db).await;
    let (_dir, dist) = fake_dist();
    let app = TestApp::spawn(&database, &dist).await;
    let res = app.get("/").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let hash =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(LOADER.as_bytes()));
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{csp}"
    );
    let sw = app.get("/sw.js").await;
    assert_eq!(sw.headers()["cache-control"], "no-cache");
    assert!(
        sw.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    app.stop().await;
}

async fn hashed_files_are_immutable_and_sent_brotli_when_asked(db: Db) {
    let database = TestDatabase::new(db).await;
    let (_dir, dist) = fake_dist();
    let app = TestApp::spawn(&database, &dist).await;
    let wasm = "/coplan-app-0123456789abcdef_bg.wasm";
    let res = app
        .client
        .get(app.url(wasm))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["content-type"], "application/wasm");
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"pretend brotli");
    let plain = app.get(wasm).await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm\x01\0\0\0");
    let js = app.get("/coplan-app-0123456789abcdef.js").await;
    assert!(
        js.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    app.stop().await;
}

async fn app_addresses_get_the_shell_and_missing_files_get_404(db: Db) {
    let database = TestDatabase::new(db).await;
    let (_dir, dist) = fake_dist();
    let app = TestApp::spawn(&database, &dist).await;
    let res = app.get("/about").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert!(res.text().await.unwrap().contains("tel:116123"));
    let missing = app.get("/coplan-app-ffffffffffffffff.js").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["cache-control"],
        "no-cache",
        "a 404 is never cached for a year"
    );
    app.stop().await;
}

async fn pages_and_workers_carry_every_security_header(db: Db) {
    let database = TestDatabase::new(db).await;
    let (_dir, dist) = fake_dist();
    let app = TestApp::spawn(&database, &dist).await;
    for path in [
        "/",
        "/api/health",
        "/api/missing",
        "/icons/icon.svg",
        "/nope.txt",
        "/sw.js",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        assert!(h.contains_key("content-security-policy"), "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["cross-origin-opener-policy"], "same-origin", "{path}");
    }
    // Scripts and WebAssembly the page loads keep only what browsers read on them.
    for path in [
        "/coplan-app-0123456789abcdef.js",
        "/coplan-app-0123456789abcdef_bg.wasm",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["cross-origin-resource-policy"], "same-origin", "{path}");
        assert!(!h.contains_key("content-security-policy"), "{path}");
    }
    app.stop().await;
}

async fn hsts_is_sent_only_when_the_deployment_says_it_is_served_over_https(db: Db) {
    let database = TestDatabase::new(db).await;
    let (_dir, dist) = fake_dist();
    // Off by default: over plain http (a laptop, a test) it would mean nothing, and a
    // wrong one locks browsers out of a host for months.
    let plain = TestApp::spawn(&database, &dist).await;
    assert!(
        !plain
            .get("/")
            .await
            .headers()
            .contains_key("strict-transport-security")
    );
    plain.stop().await;

    let behind_tls = TestApp::spawn_with(&database, &dist, |c| c.hsts = true).await;
    for path in ["/", "/api/health", "/coplan-app-0123456789abcdef_bg.wasm"] {
        let res = behind_tls.get(path).await;
        assert_eq!(
            res.headers()["strict-transport-security"],
            "max-age=63072000; includeSubDomains",
            "{path}"
        );
    }
    behind_tls.stop().await;
}
