//! The server acknowledges a write only once it is durable (SHARING decision 6): every
//! connection in the pool, not only the first, commits that way, whatever the database
//! server's own default says.

use coplan_server::Database;
use coplan_server::storage::Store;

use crate::helpers::{Db, TestDatabase};
use crate::on_both_databases;

on_both_databases!(every_pooled_connection_commits_durably);

async fn every_pooled_connection_commits_durably(db: Db) {
    let database = TestDatabase::new(db).await;
    if let Db::Postgres = db {
        // A database whose own default would acknowledge commits before they are on disk.
        let name = database.url.rsplit('/').next().unwrap().to_string();
        let admin = sqlx::PgPool::connect(&database.url).await.unwrap();
        sqlx::query(&format!(
            "ALTER DATABASE {name} SET synchronous_commit = off"
        ))
        .execute(&admin)
        .await
        .unwrap();
        admin.close().await;
    }
    let store = Database::connect(&database.url).await.unwrap();
    let found = store.durability().await.unwrap();
    assert!(found.len() >= 4, "{found:?}");
    for connection in &found {
        assert!(connection.durable, "{found:?}");
    }
    store.close().await;
}
