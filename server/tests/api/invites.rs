//! Invites in the room, over real HTTP on both databases: the person's phone opens an
//! invite; of several accounts redeeming it at once exactly one gets through; each side
//! reads only its own invites; the nonces go in their order; an invite runs out after
//! 15 minutes, can be ended, and a plan has at most five open.

use coplan_domain::invite::{Exchange, InviteId, Secret, TypedCode, commitment, proof_holds};
use coplan_domain::keys::PublicKeys;
use coplan_domain::wire::{Bytes, InviteOpened, InviteState};
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::on_both_databases;
use crate::phones::{Person, Phone, attach, document, envelope, json_post, signed_up, sync};
use crate::second_factor::enrolled;

on_both_databases!(
    an_invite_is_redeemed_once_however_many_try_at_once_and_each_side_reads_only_its_own,
    an_invite_runs_out_can_be_ended_and_a_plan_has_at_most_five_open,
    tries_at_redeeming_are_limited_per_invite_id_and_per_address,
    invites_open_and_end_while_the_plans_phones_send_changes,
);

const JOINERS: [&str; 4] = ["joiner.a", "joiner.b", "joiner.c", "joiner.d"];
/// Redemptions of one invite raced at once.
const TRIES: usize = 1_000;

/// `GET path` as the account signed in on `phone`.
pub async fn get(app: &TestApp, path: &str, phone: &Phone) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .send()
        .await
        .unwrap()
}

pub(crate) async fn delete(app: &TestApp, path: &str, phone: &Phone) -> reqwest::Response {
    app.client
        .delete(app.url(path))
        .header("x-coplan", "1")
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .send()
        .await
        .unwrap()
}

pub(crate) fn redemption(commitment: [u8; 32], proof: [u8; 32]) -> serde_json::Value {
    serde_json::json!({
        "commitment": Bytes(commitment),
        "proof": Bytes(proof),
        "scanned": false,
    })
}

async fn an_invite_is_redeemed_once_however_many_try_at_once_and_each_side_reads_only_its_own(
    db: Db,
) {
    let database = TestDatabase::new(db).await;
    // The limits on tries and on requests at once raised, to race 1,000 redemptions (the
    // limits have their own test below).
    let app = TestApp::spawn_with(&database, std::path::Path::new("no-dist"), |config| {
        let open = coplan_server::storage::Bucket {
            capacity: 5_000.0,
            per_ms: 1.0,
        };
        config.invite_limits = coplan_server::auth::InviteLimits {
            per_address: open,
            per_id: open,
        };
        config.max_in_flight = 5_000;
    })
    .await;
    let person = Person::new("the.person", 1);
    let phone = signed_up(&app, &person).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    let code = TypedCode::parse("1AQK-FFM9-38NKR").unwrap();
    let id = code.id().to_text();
    let invites = format!("/api/v1/plans/{}/invites", plan.plan);
    let body = serde_json::json!({ "id": id });
    let opened = json_post(&app, &invites, &body, Some(&phone.cookie)).await;
    assert_eq!(opened.status(), StatusCode::CREATED);
    let opened: InviteOpened = opened.json().await.unwrap();
    // The same id again is taken; an id not as the phone writes it is refused.
    let again = json_post(&app, &invites, &body, Some(&phone.cookie)).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let bad = serde_json::json!({ "id": "1aqkff" });
    let bad = json_post(&app, &invites, &bad, Some(&phone.cookie)).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    // Every joiner redeems at once, each with its own keys and commitment.
    let people: Vec<Person> = JOINERS
        .iter()
        .enumerate()
        .map(|(n, name)| Person::new(name, 10 + n as u8))
        .collect();
    let mut phones = Vec::new();
    for joiner in &people {
        let phone = signed_up(&app, joiner).await;
        enrolled(&app, &phone).await;
        phones.push(phone);
    }
    let path = format!("/api/v1/invites/{id}/redemption");
    // 1,000 redemptions at once: each account tries 250 times, each with a commitment of
    // its own. Exactly one gets through; every other is told the invite is used.
    let commitment_of = |n: usize, k: usize| {
        let mut c = [0u8; 32];
        c[0] = n as u8;
        c[1..3].copy_from_slice(&(k as u16).to_be_bytes());
        c
    };
    let tries = (0..TRIES).map(|t| {
        let (n, k) = (t % phones.len(), t / phones.len());
        let (app, path, joiner) = (&app, &path, &phones[n]);
        async move {
            let body = redemption(commitment_of(n, k), [0x70 + n as u8; 32]);
            let answer = json_post(app, path, &body, Some(&joiner.cookie)).await;
            let status = answer.status();
            let code = answer
                .json::<serde_json::Value>()
                .await
                .ok()
                .and_then(|v| v["error"]["code"].as_str().map(str::to_owned));
            (n, k, status, code)
        }
    });
    let answers = futures::future::join_all(tries).await;
    let through: Vec<(usize, usize)> = answers
        .iter()
        .filter(|(.., status, _)| *status == StatusCode::NO_CONTENT)
        .map(|(n, k, ..)| (*n, *k))
        .collect();
    assert_eq!(through.len(), 1, "{through:?}");
    let used = answers
        .iter()
        .filter(|(.., status, code)| {
            *status == StatusCode::CONFLICT && code.as_deref() == Some("invite_used")
        })
        .count();
    assert_eq!(used, TRIES - 1);
    let (winner, winning_try) = through[0];
    // The same redemption again (an answer lost on the way) is no change.
    let again = redemption(
        commitment_of(winner, winning_try),
        [0x70 + winner as u8; 32],
    );
    let again = json_post(&app, &path, &again, Some(&phones[winner].cookie)).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    let (joiner, joiner_phone) = (&people[winner], &phones[winner]);

    // The person reads who redeemed it; the joiner reads the person's keys; nobody else
    // reads anything, and an invite of another plan or no invite answers the same.
    let mine = format!("{invites}/{id}");
    let seen: InviteState = get(&app, &mine, &phone).await.json().await.unwrap();
    let redeemed = seen.joiner.as_ref().expect("redeemed");
    assert_eq!(redeemed.username, JOINERS[winner]);
    assert_eq!(redeemed.signing.0, joiner.keys.public().signing);
    assert_eq!(redeemed.commitment.0, commitment_of(winner, winning_try));
    // The phone that redeemed it, with its range: the person's phone adds that to the log.
    assert_eq!(
        redeemed.phone,
        coplan_domain::sync::id_to_hex(&joiner_phone.id)
    );
    assert_eq!(redeemed.range_start, joiner_phone.range);
    assert_eq!(seen.plan, plan.plan);
    assert_eq!(seen.expires_ms, opened.expires_ms);
    assert_eq!(seen.person_nonce, None);
    let theirs = format!("/api/v1/invites/{id}");
    let on_joiner: InviteState = get(&app, &theirs, joiner_phone).await.json().await.unwrap();
    assert_eq!(on_joiner.signing.0, person.keys.public().signing);
    assert_eq!(on_joiner.receiving.0, person.keys.public().receiving);
    assert_eq!(on_joiner.plan, plan.plan);
    let loser = &phones[(winner + 1) % phones.len()];
    assert_eq!(
        get(&app, &theirs, loser).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, &mine, loser).await.status(),
        StatusCode::NOT_FOUND
    );
    let unknown = format!("/api/v1/invites/{}", InviteId::new(7).unwrap().to_text());
    assert_eq!(
        get(&app, &unknown, joiner_phone).await.status(),
        StatusCode::NOT_FOUND
    );

    // The nonces, in their order: the joiner's only after the person's; the same nonce
    // again is harmless, another is refused.
    let joiner_nonce = format!("/api/v1/invites/{id}/nonce");
    let person_nonce = format!("{mine}/nonce");
    let nonce = |byte: u8| serde_json::json!({ "nonce": Bytes([byte; 32]) });
    let early = json_post(&app, &joiner_nonce, &nonce(6), Some(&joiner_phone.cookie)).await;
    assert_eq!(early.status(), StatusCode::NOT_FOUND);
    for (body, status) in [
        (nonce(7), StatusCode::NO_CONTENT),
        (nonce(7), StatusCode::NO_CONTENT),
        (nonce(8), StatusCode::NOT_FOUND),
    ] {
        let answer = json_post(&app, &person_nonce, &body, Some(&phone.cookie)).await;
        assert_eq!(answer.status(), status);
    }
    let stolen = json_post(&app, &joiner_nonce, &nonce(6), Some(&loser.cookie)).await;
    assert_eq!(stolen.status(), StatusCode::NOT_FOUND);
    let revealed = json_post(&app, &joiner_nonce, &nonce(6), Some(&joiner_phone.cookie)).await;
    assert_eq!(revealed.status(), StatusCode::NO_CONTENT);

    // Both phones now hold the same exchange, so they show one check number.
    let person_sees: InviteState = get(&app, &mine, &phone).await.json().await.unwrap();
    let joiner_sees: InviteState = get(&app, &theirs, joiner_phone).await.json().await.unwrap();
    let number = |seen: &InviteState| {
        let j = seen.joiner.as_ref().unwrap();
        Exchange {
            id: code.id(),
            joiner: PublicKeys {
                signing: j.signing.0,
                receiving: j.receiving.0,
            },
            commitment: j.commitment.0,
            person: PublicKeys {
                signing: seen.signing.0,
                receiving: seen.receiving.0,
            },
            person_nonce: seen.person_nonce.as_ref().unwrap().0,
            joiner_nonce: seen.joiner_nonce.as_ref().unwrap().0,
        }
        .check_number()
    };
    assert_eq!(number(&person_sees), number(&joiner_sees));
    // What the server carried is only what the phones sent: a proof it cannot make.
    let sent = commitment(code.id(), &joiner.keys.public(), &[6; 32]);
    assert!(!proof_holds(
        &Secret::Typed(code),
        &joiner.keys.public(),
        &sent,
        &person_sees.joiner.unwrap().proof.0
    ));
    app.stop().await;
}

async fn an_invite_runs_out_can_be_ended_and_a_plan_has_at_most_five_open(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let person = Person::new("the.person", 1);
    let phone = signed_up(&app, &person).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    let joiner = signed_up(&app, &Person::new("joiner.a", 2)).await;
    enrolled(&app, &joiner).await;
    // (The owner too, so that only its being their own plan refuses them below.)
    enrolled(&app, &phone).await;
    let invites = format!("/api/v1/plans/{}/invites", plan.plan);
    let open = |n: u32| {
        let body = serde_json::json!({ "id": InviteId::new(n).unwrap().to_text() });
        let (app, invites, phone) = (&app, &invites, &phone);
        async move {
            json_post(app, invites, &body, Some(&phone.cookie))
                .await
                .status()
        }
    };
    for n in 1..=5 {
        assert_eq!(open(n).await, StatusCode::CREATED);
    }
    assert_eq!(open(6).await, StatusCode::CONFLICT, "a sixth");
    // The owner cannot redeem their own invite.
    let first = InviteId::new(1).unwrap().to_text();
    let redeem = format!("/api/v1/invites/{first}/redemption");
    let body = redemption([1; 32], [2; 32]);
    let own = json_post(&app, &redeem, &body, Some(&phone.cookie)).await;
    assert_eq!(own.status(), StatusCode::NOT_FOUND);
    // Ended, it is gone; its place is free for another.
    let mine = format!("{invites}/{first}");
    assert_eq!(
        delete(&app, &mine, &phone).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        get(&app, &mine, &phone).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(open(6).await, StatusCode::CREATED);
    // After 15 minutes none works: not redeemed, not read; the ids can be opened again.
    app.advance(15 * 60 * 1000);
    let second = InviteId::new(2).unwrap().to_text();
    let late = json_post(
        &app,
        &format!("/api/v1/invites/{second}/redemption"),
        &body,
        Some(&joiner.cookie),
    )
    .await;
    assert_eq!(late.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, &format!("{invites}/{second}"), &phone)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    for n in 1..=5 {
        assert_eq!(open(n).await, StatusCode::CREATED, "{n} again");
    }
    // Ran out, they are forgotten by the hourly job.
    app.advance(16 * 60 * 1000);
    let gone = coplan_server::retention::forget_invites(&app.db, app.now_ms()).await;
    assert_eq!(gone.unwrap(), 6, "five opened again and the sixth");
    app.stop().await;
}

async fn tries_at_redeeming_are_limited_per_invite_id_and_per_address(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let guesser = signed_up(&app, &Person::new("a.guesser", 3)).await;
    enrolled(&app, &guesser).await;
    let try_at = |id: u32| {
        let path = format!(
            "/api/v1/invites/{}/redemption",
            InviteId::new(id).unwrap().to_text()
        );
        let (app, cookie) = (&app, guesser.cookie.clone());
        async move {
            json_post(app, &path, &redemption([1; 32], [2; 32]), Some(&cookie))
                .await
                .status()
        }
    };
    // One id (no such invite): 5 tries, then the 6th is told to slow down.
    for _ in 0..5 {
        assert_eq!(try_at(77).await, StatusCode::NOT_FOUND);
    }
    assert_eq!(try_at(77).await, StatusCode::TOO_MANY_REQUESTS);
    // Other ids from the same address: 10 tries in all, then slow down, whatever the id.
    for id in 78..82 {
        assert_eq!(try_at(id).await, StatusCode::NOT_FOUND);
    }
    assert_eq!(try_at(90).await, StatusCode::TOO_MANY_REQUESTS);
    // A minute later the address has one try again.
    app.advance(60_000);
    assert_eq!(try_at(91).await, StatusCode::NOT_FOUND);
    assert_eq!(try_at(92).await, StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

/// Opening and ending invites while phones send changes: each answered as if alone. (Stop
/// 30's CI: the person's "Make the invite" was answered 503, storage unavailable, because
/// SQLite's transaction read the open invites, then could not write once a push had been
/// committed meanwhile; the app told the person "Too many tries".)
async fn invites_open_and_end_while_the_plans_phones_send_changes(db: Db) {
    use coplan_domain::sync::{DocumentRequest, PushAnswer};
    const ROUNDS: u32 = 60;
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let person = Person::new("the.person", 1);
    let phone = signed_up(&app, &person).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    let invites = format!("/api/v1/plans/{}/invites", plan.plan);
    let done = std::sync::atomic::AtomicBool::new(false);
    let sending = |section: &'static str| {
        let (app, phone, person, done, plan) = (&app, &phone, &person, &done, &plan);
        async move {
            let id = document(plan, section);
            let mut counter = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let sealed = envelope(&person.keys, id, phone, counter, b"words");
                let request = DocumentRequest {
                    document: id,
                    after: 0,
                    push: vec![sealed],
                };
                let answer = sync(app, phone, &[request]).await;
                assert!(matches!(answer[0].pushed[..], [PushAnswer::Stored { .. }]));
                counter += 1;
            }
            counter
        }
    };
    let opening = async {
        let mut answers = Vec::new();
        for n in 1..=ROUNDS {
            let id = InviteId::new(n).unwrap().to_text();
            let body = serde_json::json!({ "id": id });
            let opened = json_post(&app, &invites, &body, Some(&phone.cookie)).await;
            let ended = delete(&app, &format!("{invites}/{id}"), &phone).await;
            answers.push((opened.status(), ended.status()));
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        answers
    };
    let (answers, sent, _, _) = tokio::join!(
        opening,
        sending("safety_plan"),
        sending("care_plan"),
        sending("about_me")
    );
    let refused: Vec<_> = answers
        .iter()
        .enumerate()
        .filter(|(_, answer)| **answer != (StatusCode::CREATED, StatusCode::NO_CONTENT))
        .collect();
    assert!(sent > 0, "changes were sent meanwhile");
    assert!(
        refused.is_empty(),
        "of {ROUNDS}, answered otherwise: {refused:?}"
    );
    app.stop().await;
}
