//! `GET /api/health`, migrations, and the database's lasting instance id.

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::on_both_databases;

on_both_databases!(
    health_says_ok_and_names_the_database,
    restarting_keeps_the_instance_id_and_migrations_rerun_cleanly
);

async fn health_says_ok_and_names_the_database(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let res = app.get("/api/health").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let expected = match db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    assert_eq!(body["database"], expected);
    app.stop().await;
}

async fn restarting_keeps_the_instance_id_and_migrations_rerun_cleanly(db: Db) {
    let database = TestDatabase::new(db).await;
    let first = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let before: serde_json::Value = first.get("/api/health").await.json().await.unwrap();
    first.stop().await;

    let second = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let after: serde_json::Value = second.get("/api/health").await.json().await.unwrap();
    assert_eq!(before["instance_id"], after["instance_id"]);
    assert_eq!(after["instance_id"].as_str().unwrap().len(), 36);
    second.stop().await;
}
