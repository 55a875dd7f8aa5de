//! Compaction through the API (issue 13), on both databases over real HTTP: the server
//! refuses a snapshot claiming to cover more than its log holds, takes a phone's report
//! of a snapshot (only for a document the phone may reach), and its hourly job makes an
//! unreported snapshot past the grace period the base, which a new phone is sent first.

use coplan_domain::envelope::{Encoding, Header, What, seal};
use coplan_domain::keys::AccountKeys;
use coplan_domain::sync::{DocumentRequest, PushAnswer};
use coplan_server::retention::{COMPACTION_GRACE_MS, compact};
use coplan_server::sync::id_text;
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase, fake_dist};
use crate::on_both_databases;
use crate::phones::{
    KEY, Person, Phone, Served, attach, document, envelope, signed_in, signed_in_as, signed_up,
    sync,
};

on_both_databases!(a_snapshot_past_its_grace_is_sent_first_to_a_new_phone_and_a_reported_one_never);

pub(crate) fn snapshot(
    signer: &AccountKeys,
    document: [u8; 16],
    phone: &Phone,
    counter: u64,
    covers: u64,
) -> Vec<u8> {
    let header = Header {
        what: What::Snapshot,
        encoding: Encoding::Yrs,
        kind: 3,
        plan: [0; 16],
        document,
        epoch: 0,
        device: phone.id,
        counter,
        range_start: phone.range,
        covers,
    };
    seal(
        &header,
        b"the whole section",
        &KEY,
        &[counter as u8; 24],
        signer,
    )
    .unwrap()
}

fn push(document: [u8; 16], after: u64, push: Vec<Vec<u8>>) -> Vec<DocumentRequest> {
    vec![DocumentRequest {
        document,
        after,
        push,
    }]
}

async fn report(app: &TestApp, phone: &Phone, document: &str, seq: &str) -> StatusCode {
    app.client()
        .post(app.url(&format!("/api/v1/documents/{document}/reports/{seq}")))
        .header("x-coplan", "1")
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .send()
        .await
        .unwrap()
        .status()
}

async fn a_snapshot_past_its_grace_is_sent_first_to_a_new_phone_and_a_reported_one_never(db: Db) {
    let database = TestDatabase::new(db).await;
    let (_dir, dist) = fake_dist();
    let app = TestApp::spawn(&database, &dist).await;
    let alex = Person::new("alex", 0x21);
    let first = signed_up(&app, &alex).await;
    let (_, plan) = attach(&app, &first, 1).await;
    let second = signed_in(&app, &alex).await;
    let safety = document(&plan, "safety_plan");
    let changes = (0..5)
        .map(|counter| envelope(&alex.keys, safety, &first, counter, b"a change"))
        .collect();
    sync(&app, &first, &push(safety, 0, changes)).await;

    // A snapshot may not claim numbers the log has not given yet.
    let answer = sync(
        &app,
        &first,
        &push(safety, 5, vec![snapshot(&alex.keys, safety, &first, 5, 9)]),
    )
    .await;
    assert_eq!(answer[0].pushed, [PushAnswer::Refused { counter: 5 }]);
    let answer = sync(
        &app,
        &first,
        &push(safety, 5, vec![snapshot(&alex.keys, safety, &first, 6, 5)]),
    )
    .await;
    assert_eq!(
        answer[0].pushed,
        [PushAnswer::Stored { counter: 6, seq: 6 }]
    );

    // The other phone finds it does not cover what it claims, and says so.
    let doc = id_text(&safety);
    assert_eq!(
        report(&app, &second, &doc, "6").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        report(&app, &second, &doc, "6").await,
        StatusCode::NO_CONTENT,
        "again: no change"
    );
    assert_eq!(
        report(&app, &second, &doc, "3").await,
        StatusCode::NOT_FOUND,
        "a change"
    );
    assert_eq!(
        report(&app, &second, &doc, "0").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        report(&app, &second, &doc, "six").await,
        StatusCode::BAD_REQUEST
    );
    // Someone else's phone learns nothing, not even that the document exists.
    let sam = signed_up(&app, &Person::new("sam", 0x22)).await;
    assert_eq!(report(&app, &sam, &doc, "6").await, StatusCode::NOT_FOUND);

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let done = compact(&app.db, now + COMPACTION_GRACE_MS + 60_000)
        .await
        .unwrap();
    assert_eq!(done.documents, 0, "the reported snapshot is never a base");

    // The second phone's own snapshot covers everything; once past its grace it is the
    // base, and what it covers is dropped.
    let answer = sync(
        &app,
        &second,
        &push(safety, 6, vec![snapshot(&alex.keys, safety, &second, 0, 6)]),
    )
    .await;
    assert_eq!(
        answer[0].pushed,
        [PushAnswer::Stored { counter: 0, seq: 7 }]
    );
    let done = compact(&app.db, now - 60_000).await.unwrap();
    assert_eq!(done.documents, 0, "within its grace period");
    let done = compact(&app.db, now + COMPACTION_GRACE_MS + 60_000)
        .await
        .unwrap();
    assert_eq!((done.documents, done.dropped), (1, 6));

    // A phone new to the plan is sent the base alone.
    let third = signed_in_as(&app, &alex, 3).await;
    let answer = sync(&app, &third, &push(safety, 0, Vec::new())).await;
    assert_eq!(answer[0].head, 7);
    let pulled: Vec<u64> = answer[0].pulled.iter().map(|p| p.seq).collect();
    assert_eq!(pulled, [7]);
    app.stop().await;
}
