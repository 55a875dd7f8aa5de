//! Every `/api` failure answers in the same JSON shape, with a plain message and whether a
//! retry can help.

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::on_both_databases;

on_both_databases!(
    unknown_api_addresses_get_json_404,
    wrong_methods_get_json_405,
    oversized_bodies_get_json_413
);

fn assert_error(body: &serde_json::Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["retry"], false);
    assert!(body["error"]["message"].as_str().unwrap().ends_with('.'));
}

async fn unknown_api_addresses_get_json_404(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let res = app.get("/api/v1/nothing-here").await;
    assert_eq!(res.status(), 404);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_error(&res.json().await.unwrap(), "not_found");
    app.stop().await;
}

async fn wrong_methods_get_json_405(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let res = app
        .client
        .delete(app.url("/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    assert_error(&res.json().await.unwrap(), "method_not_allowed");
    app.stop().await;
}

async fn oversized_bodies_get_json_413(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn_with(&database, std::path::Path::new("no-dist"), |c| {
        c.max_body_bytes = 1024
    })
    .await;
    let res = app
        .client
        .post(app.url("/api/health"))
        .body(vec![b'x'; 4096])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_error(&res.json().await.unwrap(), "body_too_large");
    // A body under the limit gets past the limit (and meets the 405 for this address).
    let res = app
        .client
        .post(app.url("/api/health"))
        .body(vec![b'x'; 512])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    app.stop().await;
}
