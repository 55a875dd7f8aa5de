//! The cursor log of SHARING decision 2, at the storage layer (the sync API comes next):
//! envelopes numbered 1, 2, 3… per document in commit order with no gaps, pulled after a
//! cursor, pushes idempotent on (device, counter), and a reused counter refused with
//! nothing stored. On a real SQLite file and a real PostgreSQL server.

use coplan_server::Database;
use coplan_server::storage::{CursorLog, Head, Pushed};

use crate::helpers::{Db, TestDatabase};
use crate::on_both_databases;

on_both_databases!(
    envelopes_are_numbered_in_order_and_pulled_after_a_cursor,
    a_repeated_push_changes_nothing_and_a_reused_counter_is_refused,
    pushes_at_once_from_many_devices_get_every_number_once,
    a_push_to_an_unknown_document_stores_nothing,
    refused_pushes_among_many_at_once_leave_the_others_stored,
    compaction_drops_only_what_an_unreported_snapshot_past_its_grace_covers,
);

async fn store(database: &TestDatabase) -> Database {
    Database::connect(&database.url).await.unwrap()
}

async fn envelopes_are_numbered_in_order_and_pulled_after_a_cursor(db: Db) {
    let database = TestDatabase::new(db).await;
    let store = store(&database).await;
    store.create_document("doc-a", "log-1").await.unwrap();
    store.create_document("doc-b", "log-1").await.unwrap();
    for counter in 0..5 {
        let pushed = store
            .push(
                "doc-a",
                "phone-1",
                counter,
                &[counter as u8; 3],
                None,
                1_000 + counter,
            )
            .await
            .unwrap();
        assert_eq!(pushed, Pushed::Stored { seq: counter + 1 });
    }
    // Each document numbers its own envelopes.
    assert_eq!(
        store
            .push("doc-b", "phone-1", 0, b"b", None, 1)
            .await
            .unwrap(),
        Pushed::Stored { seq: 1 }
    );
    assert_eq!(
        store.head("doc-a").await.unwrap(),
        Some(Head {
            head: 5,
            log_id: "log-1".into()
        })
    );
    let after_two = store.pull("doc-a", 2, 100).await.unwrap();
    let seqs: Vec<i64> = after_two.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 4, 5]);
    assert_eq!(after_two[0].body, [2u8; 3]);
    assert_eq!(after_two[0].device, "phone-1");
    // When each was received, as the server's clock said.
    let received: Vec<i64> = after_two.iter().map(|e| e.received_ms).collect();
    assert_eq!(received, [1_002, 1_003, 1_004]);
    assert_eq!(store.pull("doc-a", 0, 2).await.unwrap().len(), 2, "limit");
    assert!(store.pull("doc-a", 5, 100).await.unwrap().is_empty());
    // Making a document again keeps its log.
    store.create_document("doc-a", "log-2").await.unwrap();
    assert_eq!(store.head("doc-a").await.unwrap().unwrap().head, 5);
    store.close().await;
}

async fn a_repeated_push_changes_nothing_and_a_reused_counter_is_refused(db: Db) {
    let database = TestDatabase::new(db).await;
    let store = store(&database).await;
    store.create_document("doc", "log-1").await.unwrap();
    assert_eq!(
        store
            .push("doc", "phone-1", 7, b"sealed", None, 1)
            .await
            .unwrap(),
        Pushed::Stored { seq: 1 }
    );
    // The same push again (its answer was lost on the way back): the same number.
    assert_eq!(
        store
            .push("doc", "phone-1", 7, b"sealed", None, 1)
            .await
            .unwrap(),
        Pushed::Repeated { seq: 1 }
    );
    // Another body under the same counter: refused, and nothing is stored.
    assert_eq!(
        store
            .push("doc", "phone-1", 7, b"other", None, 1)
            .await
            .unwrap(),
        Pushed::CounterReused
    );
    // Another device may use the same counter.
    assert_eq!(
        store
            .push("doc", "phone-2", 7, b"other", None, 1)
            .await
            .unwrap(),
        Pushed::Stored { seq: 2 }
    );
    assert_eq!(store.head("doc").await.unwrap().unwrap().head, 2, "no gap");
    let all = store.pull("doc", 0, 100).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].body, b"sealed");
    store.close().await;
}

async fn pushes_at_once_from_many_devices_get_every_number_once(db: Db) {
    let database = TestDatabase::new(db).await;
    let store = store(&database).await;
    store.create_document("doc", "log-1").await.unwrap();
    let mut pushes = Vec::new();
    for device in 0..8 {
        for counter in 0..5 {
            let store = store.clone();
            pushes.push(tokio::spawn(async move {
                let body = format!("{device}:{counter}");
                store
                    .push(
                        "doc",
                        &format!("phone-{device}"),
                        counter,
                        body.as_bytes(),
                        None,
                        1,
                    )
                    .await
                    .unwrap()
            }));
        }
    }
    let mut seqs = Vec::new();
    for push in pushes {
        match push.await.unwrap() {
            Pushed::Stored { seq } => seqs.push(seq),
            other => panic!("{other:?}"),
        }
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=40).collect::<Vec<i64>>());
    let pulled: Vec<i64> = store
        .pull("doc", 0, 100)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(pulled, (1..=40).collect::<Vec<i64>>());
    store.close().await;
}

async fn a_push_to_an_unknown_document_stores_nothing(db: Db) {
    let database = TestDatabase::new(db).await;
    let store = store(&database).await;
    assert_eq!(
        store
            .push("nowhere", "phone-1", 0, b"x", None, 1)
            .await
            .unwrap(),
        Pushed::NoDocument
    );
    assert_eq!(store.head("nowhere").await.unwrap(), None);
    assert!(store.pull("nowhere", 0, 10).await.unwrap().is_empty());
    store.close().await;
}

/// SQLite groups the pushes that arrive together into one commit, each in its own
/// savepoint: a push refused in the middle of a group must take back only itself.
async fn refused_pushes_among_many_at_once_leave_the_others_stored(db: Db) {
    let database = TestDatabase::new(db).await;
    let store = store(&database).await;
    store.create_document("doc", "log-1").await.unwrap();
    for counter in 0..10 {
        store
            .push("doc", "phone-old", counter, b"first", None, 1)
            .await
            .unwrap();
    }
    let mut pushes = Vec::new();
    for n in 0..30_i64 {
        let store = store.clone();
        pushes.push(tokio::spawn(async move {
            let outcome = match n % 3 {
                // A new change: stored.
                0 => store.push("doc", "phone-new", n, b"new", None, 2).await,
                // A counter this phone already used, with other bytes: refused.
                1 => {
                    store
                        .push("doc", "phone-old", n % 10, b"other", None, 2)
                        .await
                }
                // A document nobody made.
                _ => {
                    store
                        .push("nowhere", "phone-new", n, b"lost", None, 2)
                        .await
                }
            };
            (n, outcome.unwrap())
        }));
    }
    for push in pushes {
        let (n, outcome) = push.await.unwrap();
        match n % 3 {
            0 => assert!(matches!(outcome, Pushed::Stored { .. }), "{n}: {outcome:?}"),
            1 => assert_eq!(outcome, Pushed::CounterReused, "{n}"),
            _ => assert_eq!(outcome, Pushed::NoDocument, "{n}"),
        }
    }
    let pulled = store.pull("doc", 0, 100).await.unwrap();
    let seqs: Vec<i64> = pulled.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
    assert!(pulled[..10].iter().all(|e| e.body == b"first"));
    assert!(
        pulled[10..]
            .iter()
            .all(|e| e.body == b"new" && e.device == "phone-new")
    );
    assert_eq!(store.head("doc").await.unwrap().map(|h| h.head), Some(20));
    assert_eq!(store.head("nowhere").await.unwrap(), None);
    store.close().await;
}

/// Compaction (issue 13) at the storage layer: a snapshot becomes the base only once it
/// has outlived the grace period unreported; then a phone behind it is sent the base
/// first, the entries it covers are dropped, the base itself never is (only for a later
/// one), and a push under a dropped counter is answered "counter reused".
async fn compaction_drops_only_what_an_unreported_snapshot_past_its_grace_covers(db: Db) {
    let database = TestDatabase::new(db).await;
    let store = store(&database).await;
    store.create_document("doc", "log-1").await.unwrap();
    for counter in 0..6 {
        store
            .push("doc", "phone-1", counter, b"change", None, 100)
            .await
            .unwrap();
    }
    // Number 7: phone 2's snapshot of 1 to 5 (it had not pulled 6 yet); 8: a change.
    let pushed = store
        .push("doc", "phone-2", 0, b"snapshot-a", Some(5), 200)
        .await
        .unwrap();
    assert_eq!(pushed, Pushed::Stored { seq: 7 });
    store
        .push("doc", "phone-1", 6, b"change", None, 300)
        .await
        .unwrap();

    // Within the grace period nothing changes.
    assert_eq!(store.compact(199).await.unwrap(), Default::default());
    assert_eq!(store.pull("doc", 0, 100).await.unwrap().len(), 8);

    // A reported snapshot never becomes a base.
    assert!(store.report("doc", 7).await.unwrap());
    assert!(
        !store.report("doc", 6).await.unwrap(),
        "6 is not a snapshot"
    );
    assert_eq!(store.compact(1_000).await.unwrap(), Default::default());

    // Another snapshot, unreported: after its grace, it is the base.
    store
        .push("doc", "phone-3", 0, b"snapshot-b", Some(6), 400)
        .await
        .unwrap();
    let compacted = store.compact(400).await.unwrap();
    assert_eq!((compacted.documents, compacted.dropped), (1, 6));
    let seqs = |pulled: Vec<coplan_server::storage::Logged>| -> Vec<i64> {
        pulled.iter().map(|e| e.seq).collect()
    };
    // Behind the base: the base first, then what it does not cover.
    assert_eq!(seqs(store.pull("doc", 0, 100).await.unwrap()), [9, 7, 8]);
    assert_eq!(
        seqs(store.pull("doc", 3, 2).await.unwrap()),
        [9, 7],
        "limit"
    );
    // At or past what it covers: the log as it is.
    assert_eq!(seqs(store.pull("doc", 6, 100).await.unwrap()), [7, 8, 9]);
    assert_eq!(store.head("doc").await.unwrap().unwrap().head, 9);
    // Nothing newer: nothing more to do, and the base stays.
    assert_eq!(store.compact(10_000).await.unwrap(), Default::default());
    assert_eq!(seqs(store.pull("doc", 0, 100).await.unwrap()), [9, 7, 8]);

    // A dropped push sent again cannot be compared with bytes that are gone.
    assert_eq!(
        store
            .push("doc", "phone-1", 3, b"change", None, 500)
            .await
            .unwrap(),
        Pushed::CounterReused
    );
    assert_eq!(
        store
            .push("doc", "phone-1", 7, b"change", None, 500)
            .await
            .unwrap(),
        Pushed::Stored { seq: 10 }
    );

    // A later snapshot covering the first base drops it.
    store
        .push("doc", "phone-2", 1, b"snapshot-c", Some(10), 600)
        .await
        .unwrap();
    let compacted = store.compact(600).await.unwrap();
    assert_eq!((compacted.documents, compacted.dropped), (1, 4));
    assert_eq!(seqs(store.pull("doc", 0, 100).await.unwrap()), [11]);
    store.close().await;
}
