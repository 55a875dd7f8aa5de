//! Every `/api` failure answers in the same JSON shape, with a plain message and whether a
//! retry can help.

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::on_both_databases;

on_both_databases!(
    unknown_api_addresses_get_json_404,
    wrong_methods_get_json_405,
    oversized_bodies_get_json_413,
    beyond_its_requests_at_once_the_server_answers_503_busy_with_retry_after
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

/// A request that has sent its head but not its body: the server holds it in flight.
async fn half_sent(app: &TestApp) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt as _;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = "POST /api/v1/sessions HTTP/1.1\r\nhost: localhost\r\nx-coplan: 1\r\n\
                content-type: application/json\r\ncontent-length: 100\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// Asks for the account until the answer's status is (or is not) 503, for at most 5 s.
async fn account_until(app: &TestApp, busy: bool) -> reqwest::Response {
    for _ in 0..100 {
        let res = app.get("/api/v1/account").await;
        if (res.status() == 503) == busy {
            return res;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "the answer never became {}",
        if busy { "503" } else { "other than 503" }
    );
}

async fn beyond_its_requests_at_once_the_server_answers_503_busy_with_retry_after(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn_with(&database, std::path::Path::new("no-dist"), |c| {
        c.max_in_flight = 2
    })
    .await;
    // Under the limit: answered (401, nobody is signed in).
    let one = half_sent(&app).await;
    assert_eq!(account_until(&app, false).await.status(), 401);
    let two = half_sent(&app).await;
    let res = account_until(&app, true).await;
    assert_eq!(res.headers()["retry-after"], "2");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "busy");
    assert_eq!(body["error"]["retry"], true);
    // Neither the health check nor the app's own files count or are turned away.
    assert_eq!(app.get("/api/health").await.status(), 200);
    assert_eq!(
        app.get("/").await.status(),
        503,
        "no app built here: not `busy`"
    );
    assert!(
        app.get("/")
            .await
            .text()
            .await
            .unwrap()
            .contains("cargo xtask run")
    );
    // One leaves (its connection closes): the next request is answered again.
    drop(one);
    assert_eq!(account_until(&app, false).await.status(), 401);
    drop(two);
    app.stop().await;
}
