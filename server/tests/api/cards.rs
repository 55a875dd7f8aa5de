//! The plan's card (issue 14 item 3): a document every plan has, which every member reads
//! and only the person's phones write (the rights are tested in `members.rs`). Plans
//! attached before cards existed get theirs when the server's migrations run.

use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::on_both_databases;
use crate::phones::{Person, attach, document, envelope, signed_up, sync};

on_both_databases!(a_plan_attached_before_cards_gets_one_when_the_server_is_upgraded);

/// Runs `statements` on the test's database directly, as an operator would.
async fn run_sql(db: Db, url: &str, statements: &[&str]) {
    match db {
        Db::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            for statement in statements {
                sqlx::query(statement).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        Db::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            for statement in statements {
                sqlx::query(statement).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
    }
}

async fn a_plan_attached_before_cards_gets_one_when_the_server_is_upgraded(db: Db) {
    let database = TestDatabase::new(db).await;
    let no_dist = std::path::Path::new("no-dist");
    let app = TestApp::spawn(&database, no_dist).await;
    let person = Person::new("the.person", 1);
    let phone = signed_up(&app, &person).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    let card = document(&plan, "card");
    app.stop().await;
    // The database as a server from before cards left it: no card, that migration not run.
    run_sql(
        db,
        &database.url,
        &[
            "DELETE FROM documents WHERE kind = 6",
            "DELETE FROM _sqlx_migrations WHERE version = 16",
        ],
    )
    .await;

    let app = TestApp::spawn(&database, no_dist).await;
    let (status, upgraded) = attach(&app, &phone, 1).await;
    assert_eq!(status, StatusCode::OK, "the same plan");
    let sections: Vec<_> = upgraded
        .documents
        .iter()
        .map(|d| d.section.as_str())
        .collect();
    assert_eq!(sections, crate::sync::PLAN_DOCUMENTS);
    let new_card = document(&upgraded, "card");
    assert_ne!(
        new_card, card,
        "a document of its own, made by the migration"
    );
    // A document like any other: the person's phone writes it and reads it back.
    let request = coplan_domain::sync::DocumentRequest {
        document: new_card,
        after: 0,
        push: vec![envelope(&person.keys, new_card, &phone, 0, b"words")],
    };
    let answer = sync(&app, &phone, &[request]).await;
    assert_eq!(answer[0].head, 1);
    app.stop().await;
}
