//! `/api/v1/plans` and `/api/v1/sync` over real HTTP on both databases: a plan attached
//! by one phone reaches the account's other phones through the server, sealed; whatever
//! is not the phone's own to send is refused with nothing stored, and every decision is
//! in the audit trail.

use coplan_domain::keys::AccountKeys;
use coplan_domain::limits::SYNC_BODY_MAX_BYTES;
use coplan_domain::sync::wire::{read_response, write_request};
use coplan_domain::sync::{DocumentRequest, DocumentResponse, PushAnswer};
use coplan_domain::wire::{AttachedPlan, Blob, Bytes, Plans, SignIn};
use coplan_server::storage::{CursorLog, Store};
use coplan_server::sync::id_text;
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase, fake_dist};
use crate::on_both_databases;
use crate::phones::{
    KEY, Person, Phone, attach, document, envelope, envelope_in, id_bytes, json_post, signed_in,
    signed_up, sync, sync_raw,
};

on_both_databases!(
    a_plan_attached_on_one_phone_reaches_the_accounts_other_phone_sealed,
    attaching_again_with_the_same_request_gives_the_same_plan,
    sync_refuses_what_is_not_the_phones_own_to_send,
    leaving_takes_everything_the_server_holds_then_deletes_it,
    the_plans_keys_reach_the_accounts_other_phone_and_nobody_elses,
    keys_not_the_owners_to_store_are_refused_with_nothing_stored,
    a_parked_wait_answers_when_another_phone_pushes,
    a_wait_answers_at_once_with_news_and_with_heads_when_it_runs_out,
    a_wait_is_refused_a_push_and_never_tells_of_anothers_documents,
    a_phone_signed_out_while_waiting_is_told_to_sign_in,
    two_of_the_largest_changes_a_phone_may_send_are_stored_in_one_request,
    the_membership_log_takes_the_owner_and_their_phones_in_order_and_nothing_else,
);

const WORDS: &[u8] = b"my reasons for living: the sea";

async fn start(db: Db) -> (TestApp, TestDatabase, tempfile::TempDir) {
    let database = TestDatabase::new(db).await;
    let (dir, dist) = fake_dist();
    let app = TestApp::spawn(&database, &dist).await;
    (app, database, dir)
}

/// A plan's documents as the server lists them: its five sections, then its card.
pub const PLAN_DOCUMENTS: [&str; 6] = [
    "about_me",
    "care_plan",
    "safety_plan",
    "crisis_wishes",
    "check_ins",
    "card",
];

async fn a_plan_attached_on_one_phone_reaches_the_accounts_other_phone_sealed(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let alex = Person::new("alex", 0x21);
    let first = signed_up(&app, &alex).await;
    let (status, plan) = attach(&app, &first, 1).await;
    assert_eq!(status, StatusCode::CREATED);
    let sections: Vec<_> = plan.documents.iter().map(|d| d.section.as_str()).collect();
    assert_eq!(sections, PLAN_DOCUMENTS);
    let safety = document(&plan, "safety_plan");

    let sealed = envelope(&alex.keys, safety, &first, 0, WORDS);
    let answer = sync(
        &app,
        &first,
        &[DocumentRequest {
            document: safety,
            after: 0,
            push: vec![sealed.clone()],
        }],
    )
    .await;
    assert_eq!(answer.len(), 1);
    assert_eq!(
        answer[0].pushed,
        [PushAnswer::Stored { counter: 0, seq: 1 }]
    );
    assert_eq!(answer[0].head, 1);

    // The other phone finds the plan and pulls the same sealed bytes.
    let second = signed_in(&app, &alex).await;
    let response = app
        .client
        .get(app.url("/api/v1/plans"))
        .header("cookie", format!("__Host-coplan_session={}", second.cookie))
        .send()
        .await
        .unwrap();
    let plans: Plans = response.json().await.unwrap();
    assert_eq!(plans.plans, std::slice::from_ref(&plan));
    let answer = sync(
        &app,
        &second,
        &[DocumentRequest {
            document: safety,
            after: 0,
            push: Vec::new(),
        }],
    )
    .await;
    assert_eq!(answer[0].pulled.len(), 1);
    assert_eq!(answer[0].pulled[0].envelope, sealed);
    assert!(answer[0].pulled[0].received_ms > 1_700_000_000_000);
    let opened = coplan_domain::envelope::Envelope::read(&answer[0].pulled[0].envelope)
        .unwrap()
        .open(&alex.keys.public().signing, &KEY)
        .unwrap();
    assert_eq!(opened, WORDS);
    // The server keeps the words only sealed: a long, repetitive change is stored as bytes
    // that look random, and no other key opens them.
    let long = "the heron watched the weir again ".repeat(128);
    let sealed_long = envelope(&alex.keys, safety, &first, 1, long.as_bytes());
    sync(
        &app,
        &first,
        &[DocumentRequest {
            document: safety,
            after: 1,
            push: vec![sealed_long],
        }],
    )
    .await;
    let stored = app.db.pull(&id_text(&safety), 0, 100).await.unwrap();
    assert_eq!(stored.len(), 2);
    assert!(!stored[0].body.windows(WORDS.len()).any(|w| w == WORDS));
    let plain_bits = bits_per_byte(long.as_bytes());
    let sealed_bits = bits_per_byte(&stored[1].body);
    assert!(
        sealed_bits > 7.5 && plain_bits < 4.5,
        "stored {sealed_bits:.2} bits a byte, the words {plain_bits:.2}"
    );
    let stored_envelope = coplan_domain::envelope::Envelope::read(&stored[1].body).unwrap();
    let signer = alex.keys.public().signing;
    assert_eq!(
        stored_envelope.open(&signer, &KEY).unwrap(),
        long.as_bytes()
    );
    assert!(stored_envelope.open(&signer, &[0x4c; 32]).is_err());
    app.stop().await;
}

/// Shannon entropy of `bytes`, in bits a byte: 8 for uniformly random bytes.
fn bits_per_byte(bytes: &[u8]) -> f64 {
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

async fn attaching_again_with_the_same_request_gives_the_same_plan(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let alex = Person::new("alex", 0x21);
    let phone = signed_up(&app, &alex).await;
    let (first_status, first) = attach(&app, &phone, 1).await;
    let (again_status, again) = attach(&app, &phone, 1).await;
    assert_eq!(
        (first_status, again_status),
        (StatusCode::CREATED, StatusCode::OK)
    );
    assert_eq!(first, again);
    // Another request (a copy of the plan imported on another phone): a new plan, with
    // documents of its own.
    let (status, other) = attach(&app, &phone, 2).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(other.plan, first.plan);
    assert!(
        other
            .documents
            .iter()
            .all(|d| first.documents.iter().all(|f| f.id != d.id))
    );
    app.stop().await;
}

async fn sync_refuses_what_is_not_the_phones_own_to_send(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let alex = Person::new("alex", 0x21);
    let sam = Person::new("sam", 0x33);
    let first = signed_up(&app, &alex).await;
    let second = signed_in(&app, &alex).await;
    let sams = signed_up(&app, &sam).await;
    let (_, plan) = attach(&app, &first, 1).await;
    let safety = document(&plan, "safety_plan");
    let push = |envelopes: Vec<Vec<u8>>| {
        [DocumentRequest {
            document: safety,
            after: 0,
            push: envelopes,
        }]
    };

    // Without a session: 401.
    let response = sync_raw(&app, None, write_request(&push(Vec::new()))).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    // Someone else's document answers exactly as one that does not exist.
    let foreign = envelope(&sam.keys, safety, &sams, 0, b"hello");
    let answer = sync(&app, &sams, &push(vec![foreign])).await;
    assert!(answer.is_empty());
    let unknown = [DocumentRequest {
        document: [9; 16],
        after: 0,
        push: Vec::new(),
    }];
    assert!(sync(&app, &sams, &unknown).await.is_empty());

    // Pretending to be the account's other phone, or signed by other keys: refused.
    let as_other_phone = envelope(&alex.keys, safety, &first, 0, b"a");
    let other_keys = envelope(&sam.keys, safety, &second, 0, b"b");
    let wrong_document = envelope(&alex.keys, [9; 16], &second, 1, b"c");
    let first_range = envelope_in(&alex.keys, safety, second.id, first.range, 2, b"f");
    let answer = sync(
        &app,
        &second,
        &push(vec![
            as_other_phone,
            other_keys,
            wrong_document,
            first_range,
        ]),
    )
    .await;
    assert_eq!(
        answer[0].pushed,
        [
            PushAnswer::Refused { counter: 0 },
            PushAnswer::Refused { counter: 0 },
            PushAnswer::Refused { counter: 1 },
            PushAnswer::Refused { counter: 2 },
        ]
    );
    assert_eq!(answer[0].head, 0, "nothing stored");

    // A replay is stored once; a reused counter with other bytes is refused.
    let good = envelope(&alex.keys, safety, &second, 0, b"d");
    let answer = sync(&app, &second, &push(vec![good.clone(), good.clone()])).await;
    assert_eq!(
        answer[0].pushed,
        [
            PushAnswer::Stored { counter: 0, seq: 1 },
            PushAnswer::Stored { counter: 0, seq: 1 },
        ]
    );
    let reused = envelope(&alex.keys, safety, &second, 0, b"e");
    let answer = sync(&app, &second, &push(vec![reused])).await;
    assert_eq!(answer[0].pushed, [PushAnswer::CounterReused { counter: 0 }]);
    assert_eq!(answer[0].head, 1);

    // Malformed and oversized bodies.
    let response = sync_raw(&app, Some(&second.cookie), b"CY\x01\x00\x01".to_vec()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = sync_raw(&app, Some(&second.cookie), vec![0; SYNC_BODY_MAX_BYTES + 1]).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Every decision is in the audit trail, and never a word of content.
    let signed = app.db.audit_trail(&sams.account).await.unwrap();
    assert!(
        signed
            .iter()
            .any(|row| row.action == "sync" && !row.allowed)
    );
    assert!(signed.iter().all(|row| !row.target.contains("hello")));
    app.stop().await;
}

async fn leaving_takes_everything_the_server_holds_then_deletes_it(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let alex = Person::new("alex", 0x21);
    let sam = Person::new("sam", 0x33);
    let alexs = signed_up(&app, &alex).await;
    let sams = signed_up(&app, &sam).await;
    let (_, alex_plan) = attach(&app, &alexs, 1).await;
    let (_, sam_plan) = attach(&app, &sams, 1).await;
    let alex_safety = document(&alex_plan, "safety_plan");
    let sam_safety = document(&sam_plan, "safety_plan");
    let sealed = envelope(&alex.keys, alex_safety, &alexs, 0, WORDS);
    sync(&app, &alexs, &push(alex_safety, sealed.clone())).await;
    let sams_words = envelope(&sam.keys, sam_safety, &sams, 0, b"sam's words");
    sync(&app, &sams, &push(sam_safety, sams_words.clone())).await;

    // Everything about Alex, and nothing about Sam.
    let get = |path: &str, cookie: &str| {
        app.client
            .get(app.url(path))
            .header("cookie", format!("__Host-coplan_session={cookie}"))
            .send()
    };
    let export: coplan_domain::wire::Export = get("/api/v1/account/export", &alexs.cookie)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(export.username, "alex");
    assert_eq!(export.signing.0, alex.keys.public().signing);
    assert_eq!(export.plans.len(), 1);
    assert_eq!(export.plans[0].plan, alex_plan.plan);
    let safety = export.plans[0]
        .documents
        .iter()
        .find(|d| d.section == "safety_plan")
        .unwrap();
    assert_eq!(safety.envelopes.len(), 1);
    assert_eq!(safety.envelopes[0].sealed.as_slice(), sealed.as_slice());
    assert!(
        export
            .audit
            .iter()
            .any(|line| line.action == "sync" && line.allowed)
    );
    let text = serde_json::to_string(&export).unwrap();
    assert!(!text.contains(&sam_plan.plan));

    // Deleting needs Coplan's header and a recent sign-in.
    let delete = |cookie: String, header: bool| {
        let mut request = app
            .client
            .delete(app.url("/api/v1/account"))
            .header("cookie", format!("__Host-coplan_session={cookie}"));
        if header {
            request = request.header("x-coplan", "1");
        }
        request.send()
    };
    let response = delete(alexs.cookie.clone(), false).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    app.advance(16 * 60 * 1000);
    let response = delete(alexs.cookie.clone(), true).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let fresh = signed_in(&app, &alex).await;
    let response = delete(fresh.cookie.clone(), true).await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );

    // Alex is gone from the server: account, phones, plan, envelopes and audit trail.
    let body = SignIn {
        username: "alex".into(),
        verifier: Bytes([7; 32]),
        phone_name: "Again".into(),
        range_start: 3 * 4096,
        code: None,
    };
    let response = json_post(&app, "/api/v1/sessions", &body, None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        get("/api/v1/account", &alexs.cookie)
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(app.db.head(&id_text(&alex_safety)).await.unwrap().is_none());
    assert!(
        app.db
            .pull(&id_text(&alex_safety), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(app.db.audit_trail(&alexs.account).await.unwrap().is_empty());
    // Sam's plan is untouched.
    let answer = sync(
        &app,
        &sams,
        &[DocumentRequest {
            document: sam_safety,
            after: 0,
            push: Vec::new(),
        }],
    )
    .await;
    assert_eq!(answer[0].pulled[0].envelope, sams_words);
    app.stop().await;
}

pub fn key_for(
    person: &Person,
    plan: &AttachedPlan,
    section: &str,
    recipient: &AccountKeys,
    fresh: u8,
) -> Vec<u8> {
    key_to(
        &plan.plan,
        document(plan, section),
        &person.keys,
        recipient,
        fresh,
    )
}

/// A key (all `fresh` bytes) for a document of `plan` by its id, wrapped to `to` and
/// signed by `by`, at epoch 0.
pub fn key_to(
    plan: &str,
    document: [u8; 16],
    by: &AccountKeys,
    to: &AccountKeys,
    fresh: u8,
) -> Vec<u8> {
    key_at(plan, (document, 0), by, to, fresh)
}

/// As [`key_to`], at key epoch `epoch`.
pub fn key_at(
    plan: &str,
    (document, epoch): ([u8; 16], u32),
    by: &AccountKeys,
    to: &AccountKeys,
    fresh: u8,
) -> Vec<u8> {
    use coplan_domain::key_envelope::{KeyAddress, seal_key};
    seal_key(
        &KeyAddress {
            plan: id_bytes(plan),
            document,
            epoch,
        },
        &[fresh; 32],
        &to.public().receiving,
        &[fresh; 32],
        &[fresh; 24],
        by,
    )
}

pub async fn put_keys(app: &TestApp, phone: &Phone, plan: &str, keys: &[Vec<u8>]) -> StatusCode {
    let body = coplan_domain::wire::KeyEnvelopes {
        envelopes: keys.iter().map(|k| Blob::new(k.clone()).unwrap()).collect(),
    };
    app.client
        .put(app.url(&format!("/api/v1/plans/{plan}/keys")))
        .header("x-coplan", "1")
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
}

pub async fn get_keys(app: &TestApp, phone: &Phone, plan: &str) -> (StatusCode, Vec<Vec<u8>>) {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/plans/{plan}/keys")))
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .send()
        .await
        .unwrap();
    let status = response.status();
    if status != StatusCode::OK {
        return (status, Vec::new());
    }
    let keys: coplan_domain::wire::KeyEnvelopes = response.json().await.unwrap();
    (
        status,
        keys.envelopes
            .iter()
            .map(|b| b.as_slice().to_vec())
            .collect(),
    )
}

/// The phone that attached the plan stores its sections' keys, wrapped to the person;
/// the person's next phone fetches and opens them; another account finds no such plan.
async fn the_plans_keys_reach_the_accounts_other_phone_and_nobody_elses(db: Db) {
    use coplan_domain::key_envelope::KeyEnvelope;
    let (app, _database, _dist) = start(db).await;
    let person = Person::new("river.walker", 1);
    let first = signed_up(&app, &person).await;
    let (_, plan) = attach(&app, &first, 1).await;
    let keys: Vec<Vec<u8>> = ["about_me", "safety_plan"]
        .iter()
        .enumerate()
        .map(|(i, section)| key_for(&person, &plan, section, &person.keys, 10 + i as u8))
        .collect();
    assert_eq!(
        put_keys(&app, &first, &plan.plan, &keys).await,
        StatusCode::NO_CONTENT
    );
    // A retry of the same bytes is harmless.
    assert_eq!(
        put_keys(&app, &first, &plan.plan, &keys).await,
        StatusCode::NO_CONTENT
    );

    let second = signed_in(&app, &person).await;
    let (status, fetched) = get_keys(&app, &second, &plan.plan).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched.len(), 2);
    let mut opened: Vec<[u8; 32]> = fetched
        .iter()
        .map(|k| {
            KeyEnvelope::read(k)
                .unwrap()
                .open(&person.keys.public().signing, &person.keys)
                .unwrap()
        })
        .collect();
    opened.sort();
    assert_eq!(opened, vec![[10; 32], [11; 32]]);

    // Another person: the plan answers as one that does not exist.
    let stranger = Person::new("someone.else", 2);
    let theirs = signed_up(&app, &stranger).await;
    assert_eq!(
        get_keys(&app, &theirs, &plan.plan).await.0,
        StatusCode::NOT_FOUND
    );
    let forged = key_for(&stranger, &plan, "about_me", &stranger.keys, 30);
    assert_eq!(
        put_keys(&app, &theirs, &plan.plan, &[forged]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_keys(&app, &theirs, &"0".repeat(32)).await.0,
        StatusCode::NOT_FOUND
    );
    // And the server holds those two keys only.
    assert_eq!(get_keys(&app, &first, &plan.plan).await.1.len(), 2);
}

/// Keys signed by someone else, wrapped to someone else, for another plan's document or
/// a later epoch, damaged, or a second key for a place already keyed: refused, and none
/// of the request is stored.
async fn keys_not_the_owners_to_store_are_refused_with_nothing_stored(db: Db) {
    use coplan_domain::key_envelope::{KeyAddress, seal_key};
    let (app, _database, _dist) = start(db).await;
    let person = Person::new("river.walker", 1);
    let phone = signed_up(&app, &person).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    let (_, other_plan) = attach(&app, &phone, 2).await;
    let good = key_for(&person, &plan, "about_me", &person.keys, 10);
    let stranger = AccountKeys::from_random(&[9; 64]);
    let signed_by_stranger = {
        let impostor = Person {
            keys: AccountKeys::from_random(&[9; 64]),
            name: "x",
        };
        key_for(&impostor, &plan, "care_plan", &person.keys, 11)
    };
    let for_stranger = key_for(&person, &plan, "care_plan", &stranger, 12);
    let other_plans_document = key_for(&person, &other_plan, "care_plan", &person.keys, 13);
    let later_epoch = seal_key(
        &KeyAddress {
            plan: id_bytes(&plan.plan),
            document: document(&plan, "care_plan"),
            epoch: 1,
        },
        &[14; 32],
        &person.keys.public().receiving,
        &[14; 32],
        &[14; 24],
        &person.keys,
    );
    let mut damaged = key_for(&person, &plan, "care_plan", &person.keys, 15);
    damaged[120] ^= 1;
    for bad in [
        signed_by_stranger,
        for_stranger,
        other_plans_document,
        later_epoch,
        damaged,
    ] {
        assert_eq!(
            put_keys(&app, &phone, &plan.plan, &[good.clone(), bad]).await,
            StatusCode::BAD_REQUEST
        );
    }
    assert!(
        get_keys(&app, &phone, &plan.plan).await.1.is_empty(),
        "nothing stored"
    );
    assert_eq!(
        put_keys(&app, &phone, &plan.plan, &[]).await,
        StatusCode::BAD_REQUEST
    );

    assert_eq!(
        put_keys(&app, &phone, &plan.plan, std::slice::from_ref(&good)).await,
        StatusCode::NO_CONTENT
    );
    // Another key for the same place: the first stands, and the rest of the request waits.
    let second_key = key_for(&person, &plan, "about_me", &person.keys, 16);
    let care = key_for(&person, &plan, "care_plan", &person.keys, 17);
    assert_eq!(
        put_keys(&app, &phone, &plan.plan, &[care, second_key]).await,
        StatusCode::CONFLICT
    );
    assert_eq!(get_keys(&app, &phone, &plan.plan).await.1, vec![good]);
}

async fn wait_raw(
    app: &TestApp,
    phone: &Phone,
    requests: &[DocumentRequest],
    seconds: u64,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/sync/wait?seconds={seconds}")))
        .header("x-coplan", "1")
        .header("content-type", "application/octet-stream")
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .body(write_request(requests))
        .send()
        .await
        .unwrap()
}

async fn wait(
    app: &TestApp,
    phone: &Phone,
    requests: &[DocumentRequest],
    seconds: u64,
) -> Vec<DocumentResponse> {
    let response = wait_raw(app, phone, requests, seconds).await;
    assert_eq!(response.status(), StatusCode::OK);
    read_response(&response.bytes().await.unwrap()).unwrap()
}

/// One envelope for `document`, from a phone that has pulled nothing.
fn push(document: [u8; 16], envelope: Vec<u8>) -> Vec<DocumentRequest> {
    vec![DocumentRequest {
        document,
        after: 0,
        push: vec![envelope],
    }]
}

fn cursor(document: [u8; 16], after: u64) -> Vec<DocumentRequest> {
    vec![DocumentRequest {
        document,
        after,
        push: Vec::new(),
    }]
}

/// Two phones of one account with a plan attached, and its safety plan's document.
async fn two_phones(app: &TestApp, alex: &Person) -> (Phone, Phone, [u8; 16]) {
    let first = signed_up(app, alex).await;
    let (_, plan) = attach(app, &first, 1).await;
    let second = signed_in(app, alex).await;
    (first, second, document(&plan, "safety_plan"))
}

async fn a_parked_wait_answers_when_another_phone_pushes(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let alex = Person::new("alex", 0x21);
    let (first, second, safety) = two_phones(&app, &alex).await;
    let app = std::sync::Arc::new(app);
    let parked = {
        let app = app.clone();
        tokio::spawn(async move { wait(&app, &second, &cursor(safety, 0), 25).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!parked.is_finished(), "nothing new: the wait stays parked");
    let started = std::time::Instant::now();
    let sealed = envelope(&alex.keys, safety, &first, 0, WORDS);
    sync(&app, &first, &push(safety, sealed)).await;
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), parked)
        .await
        .expect("the wait answers soon after the push")
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(answer.len(), 1);
    assert_eq!(answer[0].head, 1);
    assert!(answer[0].pulled.is_empty(), "a wait only tells; sync pulls");
}

async fn a_wait_answers_at_once_with_news_and_with_heads_when_it_runs_out(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let alex = Person::new("alex", 0x21);
    let (first, second, safety) = two_phones(&app, &alex).await;
    sync(
        &app,
        &first,
        &push(safety, envelope(&alex.keys, safety, &first, 0, WORDS)),
    )
    .await;
    // Behind the head: at once.
    let started = std::time::Instant::now();
    let answer = wait(&app, &second, &cursor(safety, 0), 25).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(answer[0].head, 1);
    // Ahead of the head (the server was restored from an older backup): at once too.
    let answer = wait(&app, &second, &cursor(safety, 7), 25).await;
    assert_eq!(answer[0].head, 1);
    // Up to date: after the wait asked for, with the head.
    let started = std::time::Instant::now();
    let answer = wait(&app, &second, &cursor(safety, 1), 1).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert_eq!(answer[0].head, 1);
}

async fn a_wait_is_refused_a_push_and_never_tells_of_anothers_documents(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let alex = Person::new("alex", 0x21);
    let (first, _second, safety) = two_phones(&app, &alex).await;
    let sealed = envelope(&alex.keys, safety, &first, 0, WORDS);
    let response = wait_raw(&app, &first, &push(safety, sealed.clone()), 1).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(
        app.db
            .pull(&id_text(&safety), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    sync(&app, &first, &push(safety, sealed)).await;
    let sam = Person::new("sam", 0x22);
    let sams = signed_up(&app, &sam).await;
    let answer = wait(&app, &sams, &cursor(safety, 0), 1).await;
    assert!(
        answer.is_empty(),
        "another account's document is not answered for"
    );
}

async fn a_phone_signed_out_while_waiting_is_told_to_sign_in(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let alex = Person::new("alex", 0x21);
    let (first, second, safety) = two_phones(&app, &alex).await;
    let second_id = coplan_domain::sync::id_to_hex(&second.id);
    let app = std::sync::Arc::new(app);
    let parked = {
        let app = app.clone();
        tokio::spawn(async move {
            wait_raw(&app, &second, &cursor(safety, 0), 25)
                .await
                .status()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let removed = app
        .client
        .delete(app.url(&format!("/api/v1/phones/{second_id}")))
        .header("x-coplan", "1")
        .header("cookie", format!("__Host-coplan_session={}", first.cookie))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    sync(
        &app,
        &first,
        &push(safety, envelope(&alex.keys, safety, &first, 0, WORDS)),
    )
    .await;
    let status = tokio::time::timeout(std::time::Duration::from_secs(5), parked)
        .await
        .expect("the wait ends")
        .unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn two_of_the_largest_changes_a_phone_may_send_are_stored_in_one_request(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let alex = Person::new("alex", 0x21);
    let (first, _second, safety) = two_phones(&app, &alex).await;
    let largest = vec![b'w'; coplan_domain::limits::REMOTE_UPDATE_MAX_BYTES];
    let requests = [DocumentRequest {
        document: safety,
        after: 0,
        push: vec![
            envelope(&alex.keys, safety, &first, 0, &largest),
            envelope(&alex.keys, safety, &first, 1, &largest),
        ],
    }];
    let body = write_request(&requests);
    assert!(body.len() <= SYNC_BODY_MAX_BYTES, "{} bytes", body.len());
    let response = sync_raw(&app, Some(&first.cookie), body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer = read_response(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(
        answer[0].pushed,
        [
            PushAnswer::Stored { counter: 0, seq: 1 },
            PushAnswer::Stored { counter: 1, seq: 2 }
        ]
    );
}

/// The plan's membership log as the server holds it, and what appending answers.
pub async fn members(app: &TestApp, phone: &Phone, plan: &str) -> (StatusCode, Vec<Vec<u8>>) {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/plans/{plan}/members")))
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .send()
        .await
        .unwrap();
    let status = response.status();
    if status != StatusCode::OK {
        return (status, Vec::new());
    }
    let log: coplan_domain::wire::MembershipLog = response.json().await.unwrap();
    let entries = log.entries.iter().map(|e| e.as_slice().to_vec()).collect();
    (status, entries)
}

pub async fn append(
    app: &TestApp,
    phone: &Phone,
    plan: &str,
    after: u32,
    entries: &[Vec<u8>],
) -> StatusCode {
    append_with_keys(app, phone, plan, after, entries, &[]).await
}

/// Appends `entries` with the key envelopes of the epochs they start.
pub async fn append_with_keys(
    app: &TestApp,
    phone: &Phone,
    plan: &str,
    after: u32,
    entries: &[Vec<u8>],
    keys: &[Vec<u8>],
) -> StatusCode {
    let body = coplan_domain::wire::AppendMembership {
        after,
        entries: entries
            .iter()
            .map(|e| Blob::new(e.clone()).unwrap())
            .collect(),
        keys: keys.iter().map(|k| Blob::new(k.clone()).unwrap()).collect(),
    };
    json_post(
        app,
        &format!("/api/v1/plans/{plan}/members"),
        &body,
        Some(&phone.cookie),
    )
    .await
    .status()
}

async fn the_membership_log_takes_the_owner_and_their_phones_in_order_and_nothing_else(db: Db) {
    use coplan_domain::membership::{Membership, Op, Right, Role, entry_hash, sign_entry};
    let (app, _database, _dist) = start(db).await;
    let person = Person::new("kestrel.bay", 3);
    let first = signed_up(&app, &person).await;
    let second = signed_in(&app, &person).await;
    let (_, plan) = attach(&app, &first, 1).await;
    let plan_id = id_bytes(&plan.plan);
    let me = person.keys.public().signing;
    let entry = |number: u32, previous: &[u8; 32], op: Op, signer: &AccountKeys| {
        sign_entry(&plan_id, number, previous, 1_000, &op, signer)
    };
    let genesis = entry(
        0,
        &[0; 32],
        Op::AddMember {
            signing: me,
            receiving: person.keys.public().receiving,
            role: Role::Person,
            rights: [Right::Edit; 5],
        },
        &person.keys,
    );
    let add = |number: u32, previous: &[u8], phone: [u8; 16], range_start: u32| {
        entry(
            number,
            &entry_hash(previous),
            Op::AddPhone {
                member: me,
                phone,
                range_start,
            },
            &person.keys,
        )
    };
    let first_phone = add(1, &genesis, first.id, first.range);
    assert_eq!(
        members(&app, &first, &plan.plan).await,
        (StatusCode::OK, Vec::new())
    );

    // Refused, with nothing stored: a phone with a range it did not register, a phone of
    // nobody's, an entry signed by someone else, one out of the chain, none at all.
    let stranger = AccountKeys::from_random(&[0x5a; 64]);
    let not_their_range = add(1, &genesis, first.id, 5 * 4096);
    let nobodys_phone = add(1, &genesis, [0xee; 16], 3 * 4096);
    let mut signed_by_stranger = genesis.clone();
    signed_by_stranger.truncate(genesis.len() - 64);
    signed_by_stranger.extend_from_slice(&stranger.sign(&genesis[..genesis.len() - 64]));
    let out_of_chain = entry(
        1,
        &[7; 32],
        Op::AddPhone {
            member: me,
            phone: first.id,
            range_start: first.range,
        },
        &person.keys,
    );
    for bad in [
        vec![genesis.clone(), not_their_range],
        vec![genesis.clone(), nobodys_phone],
        vec![signed_by_stranger],
        vec![genesis.clone(), out_of_chain],
        vec![],
    ] {
        assert_eq!(
            append(&app, &first, &plan.plan, 0, &bad).await,
            StatusCode::BAD_REQUEST
        );
    }
    assert!(members(&app, &first, &plan.plan).await.1.is_empty());

    // The owner and this phone, then the second phone from the second phone.
    assert_eq!(
        append(
            &app,
            &first,
            &plan.plan,
            0,
            &[genesis.clone(), first_phone.clone()]
        )
        .await,
        StatusCode::NO_CONTENT
    );
    let second_phone = add(2, &first_phone, second.id, second.range);
    // Appending after a log that has moved on is refused; the phone fetches and tries again.
    assert_eq!(
        append(
            &app,
            &second,
            &plan.plan,
            1,
            std::slice::from_ref(&second_phone)
        )
        .await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        append(
            &app,
            &second,
            &plan.plan,
            2,
            std::slice::from_ref(&second_phone)
        )
        .await,
        StatusCode::NO_CONTENT
    );
    let (status, log) = members(&app, &second, &plan.plan).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log, vec![genesis, first_phone, second_phone]);
    // The person's export holds it too.
    let export: coplan_domain::wire::Export = app
        .client
        .get(app.url("/api/v1/account/export"))
        .header("cookie", format!("__Host-coplan_session={}", first.cookie))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let exported: Vec<Vec<u8>> = export.plans[0]
        .members
        .iter()
        .map(|e| e.as_slice().to_vec())
        .collect();
    assert_eq!(exported, log);
    let membership = Membership::verify(&me, &plan_id, &log).unwrap();
    assert_eq!(
        membership.members[&me].phones,
        vec![(first.id, first.range), (second.id, second.range)]
    );

    // Another account's phone learns nothing of the plan, and adds nothing to it.
    let other = Person::new("someone.else", 4);
    let theirs = signed_up(&app, &other).await;
    assert_eq!(
        members(&app, &theirs, &plan.plan).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        append(&app, &theirs, &plan.plan, 3, std::slice::from_ref(&log[0])).await,
        StatusCode::NOT_FOUND
    );
}
