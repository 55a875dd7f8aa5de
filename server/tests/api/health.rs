//! `GET /api/health`, migrations, and the database's lasting instance id.

use coplan_server::Database;
use coplan_server::storage::Store;

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::on_both_databases;

on_both_databases!(
    health_says_it_is_up_and_nothing_about_the_instance,
    restarting_keeps_the_instance_id_and_migrations_rerun_cleanly
);

async fn health_says_it_is_up_and_nothing_about_the_instance(db: Db) {
    // Issue 12: a health check anyone can reach names neither the database nor the
    // instance (its id will salt passphrases; what runs behind it is nobody's business).
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let res = app.get("/api/health").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body, serde_json::json!({ "status": "ok" }));
    app.stop().await;
}

async fn restarting_keeps_the_instance_id_and_migrations_rerun_cleanly(db: Db) {
    let database = TestDatabase::new(db).await;
    let first = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    assert_eq!(first.get("/api/health").await.status(), 200);
    first.stop().await;
    let before = stored_instance_id(&database).await;

    let second = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    assert_eq!(second.get("/api/health").await.status(), 200);
    second.stop().await;
    let after = stored_instance_id(&database).await;
    assert_eq!(before, after);
    assert_eq!(after.len(), 36);
}

/// The instance id the database holds (a new id offered here is never the one kept).
async fn stored_instance_id(database: &TestDatabase) -> String {
    let store = Database::connect(&database.url).await.unwrap();
    let id = store.instance_id("not-this-one").await.unwrap();
    store.close().await;
    id
}
