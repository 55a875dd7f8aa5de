//! `coplan-server restored`, run after the database is put back from a backup: every
//! document's log gets a new id and keeps what it holds, so each phone sees the server
//! may have lost the end of its log and sends again what it lacks (SHARING decision 2;
//! the phone's side is `domain/tests/sync_engine.rs`
//! `a_new_log_id_or_a_head_below_the_cursor_means_a_restored_server`).

use std::process::Command;

use coplan_domain::sync::DocumentRequest;
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase, fake_dist};
use crate::on_both_databases;
use crate::phones::{Person, attach, envelope, signed_up, sync};

on_both_databases!(marking_a_restore_gives_every_log_a_new_id_and_keeps_what_it_holds);

async fn marking_a_restore_gives_every_log_a_new_id_and_keeps_what_it_holds(db: Db) {
    let database = TestDatabase::new(db).await;
    let (_dir, dist) = fake_dist();
    let app = TestApp::spawn(&database, &dist).await;
    let sam = Person::new("sam", 0x61);
    let phone = signed_up(&app, &sam).await;
    let (status, plan) = attach(&app, &phone, 3).await;
    assert_eq!(status, StatusCode::CREATED);
    let documents: Vec<[u8; 16]> = plan
        .documents
        .iter()
        .map(|d| crate::phones::id_bytes(&d.id))
        .collect();
    let sealed = envelope(&sam.keys, documents[2], &phone, 0, b"the bench by the pond");
    let all = |push: Vec<Vec<u8>>| -> Vec<DocumentRequest> {
        documents
            .iter()
            .enumerate()
            .map(|(i, &document)| DocumentRequest {
                document,
                after: 0,
                push: if i == 2 { push.clone() } else { Vec::new() },
            })
            .collect()
    };
    let before = sync(&app, &phone, &all(vec![sealed.clone()])).await;
    app.stop().await;

    let out = Command::new(env!("CARGO_BIN_EXE_coplan-server"))
        .arg("restored")
        .env("DATABASE_URL", &database.url)
        .env("COPLAN_LOG", "warn")
        .output()
        .expect("the server binary runs");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("Marked 6 documents"), "{said}");

    let app = TestApp::spawn(&database, &dist).await;
    let after = sync(&app, &phone, &all(Vec::new())).await;
    assert_eq!(after.len(), before.len());
    for (old, new) in before.iter().zip(&after) {
        assert_ne!(old.log_id, new.log_id, "a log kept its id");
        assert_eq!(old.head, new.head);
    }
    assert_eq!(after[2].pulled.len(), 1);
    assert_eq!(after[2].pulled[0].envelope, sealed);
    // Every document shares the restore's one new id.
    assert!(after.iter().all(|a| a.log_id == after[0].log_id));
    app.stop().await;
}
