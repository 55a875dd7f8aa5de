//! The authorisation matrix (issue 14), over real HTTP on both databases: every endpoint
//! that names a plan, its documents or its invites, asked by each kind of caller, about
//! the person's plan and about another person's plan. What each cell must answer is
//! written out below as a literal table, not worked out by the code under test; and every
//! cell that is refused, or allowed without a change, is checked to have changed nothing
//! on the server, and every read that is allowed to have handed over nothing that is not
//! the caller's.
//!
//! The disabled account is a worker who may edit, whose account the service then turned
//! off (`coplan-server disable`): refused everywhere with 403 `account_disabled`.

use coplan_domain::key_envelope::KeyEnvelope;
use coplan_domain::keys::AccountKeys;
use coplan_domain::membership::{Op, Right, Role, entry_hash, sign_entry};
use coplan_domain::sync::wire::{read_response, write_request};
use coplan_domain::sync::{DocumentRequest, PushAnswer};
use coplan_domain::wire::{AttachedPlan, Bytes};
use coplan_server::storage::Store as _;
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::on_both_databases;
use crate::phones::{
    Person, Phone, attach, document, envelope, id_bytes, json_post, signed_in, signed_up,
};
use crate::sync::key_to;

on_both_databases!(every_endpoint_answers_each_caller_as_the_table_says_and_nothing_leaks);

/// Who asks, in the order each row is asked (the owner last: some of its cells change
/// what the ones before would see).
const CALLERS: [&str; 9] = [
    "no session",
    "member of another plan",
    "removed member",
    "carer without the safety plan",
    "carer with the safety plan",
    "worker who may only read",
    "worker who may edit",
    "disabled account",
    "the person",
];

/// Each endpoint, and what each caller must be answered, about the person's plan and
/// about the other plan. A status, or for a sync: `in` (the document is in the answer),
/// `out` (left out, as for a document that does not exist), `stored` or `refused`.
#[rustfmt::skip]
const TABLE: [(&str, [&str; 9], [&str; 9]); 20] = [
    ("GET /plans/{plan}",
        ["401", "404", "404", "200", "200", "200", "200", "403", "200"],
        ["401", "200", "404", "404", "404", "404", "404", "403", "404"]),
    ("GET /plans/{plan}/people",
        ["401", "404", "404", "404", "404", "404", "404", "403", "200"],
        ["401", "404", "404", "404", "404", "404", "404", "403", "404"]),
    ("GET /plans/{plan}/access",
        ["401", "404", "404", "404", "404", "404", "404", "403", "200"],
        ["401", "404", "404", "404", "404", "404", "404", "403", "404"]),
    ("GET /plans/{plan}/keys",
        ["401", "404", "404", "200", "200", "200", "200", "403", "200"],
        ["401", "200", "404", "404", "404", "404", "404", "403", "404"]),
    ("PUT /plans/{plan}/keys",
        ["401", "404", "404", "404", "404", "404", "404", "403", "409"],
        ["401", "404", "404", "404", "404", "404", "404", "403", "404"]),
    ("GET /plans/{plan}/members",
        ["401", "404", "404", "200", "200", "200", "200", "403", "200"],
        ["401", "200", "404", "404", "404", "404", "404", "403", "404"]),
    ("POST /plans/{plan}/members",
        ["401", "404", "404", "404", "404", "404", "404", "403", "409"],
        ["401", "404", "404", "404", "404", "404", "404", "403", "404"]),
    ("POST /plans/{plan}/invites",
        ["401", "404", "404", "404", "404", "404", "404", "403", "409"],
        ["401", "404", "404", "404", "404", "404", "404", "403", "404"]),
    ("GET /plans/{plan}/invites/{id}",
        ["401", "404", "404", "404", "404", "404", "404", "403", "200"],
        ["401", "404", "404", "404", "404", "404", "404", "403", "404"]),
    ("POST /plans/{plan}/invites/{id}/nonce",
        ["401", "404", "404", "404", "404", "404", "404", "403", "204"],
        ["401", "404", "404", "404", "404", "404", "404", "403", "404"]),
    ("POST /sync: pull the safety plan",
        ["401", "out", "out", "out", "in", "in", "in", "403", "in"],
        ["401", "in", "out", "out", "out", "out", "out", "403", "out"]),
    ("POST /sync: push to the care plan",
        ["401", "refused", "refused", "refused", "refused", "refused", "stored", "403", "stored"],
        ["401", "refused", "refused", "refused", "refused", "refused", "refused", "403", "refused"]),
    ("POST /sync: pull a member's suggestions",
        ["401", "out", "out", "out", "out", "out", "in", "403", "in"],
        ["401", "in", "out", "out", "out", "out", "out", "403", "out"]),
    ("POST /sync: push to a member's suggestions",
        ["401", "refused", "refused", "refused", "refused", "refused", "stored", "403", "stored"],
        ["401", "stored", "refused", "refused", "refused", "refused", "refused", "403", "refused"]),
    ("POST /sync: pull the plan's card",
        ["401", "out", "out", "in", "in", "in", "in", "403", "in"],
        ["401", "in", "out", "out", "out", "out", "out", "403", "out"]),
    ("POST /sync: push to the plan's card",
        ["401", "refused", "refused", "refused", "refused", "refused", "refused", "403", "stored"],
        ["401", "refused", "refused", "refused", "refused", "refused", "refused", "403", "refused"]),
    ("POST /sync/wait: the safety plan",
        ["401", "out", "out", "out", "in", "in", "in", "403", "in"],
        ["401", "in", "out", "out", "out", "out", "out", "403", "out"]),
    ("POST /documents/{document}/reports/2: the safety plan",
        ["401", "404", "404", "404", "204", "204", "204", "403", "204"],
        ["401", "204", "404", "404", "404", "404", "404", "403", "404"]),
    ("DELETE /plans/{plan}/invites/{id}",
        ["401", "404", "404", "404", "404", "404", "404", "403", "204"],
        ["401", "404", "404", "404", "404", "404", "404", "403", "404"]),
    // Last: every member who may still do something leaves.
    ("DELETE /plans/{plan}/membership",
        ["401", "404", "404", "204", "204", "204", "204", "403", "409"],
        ["401", "204", "404", "404", "404", "404", "404", "403", "404"]),
];

/// A plan as the test knows it: its owner, the owner's phone, its documents, its log and
/// its open invite.
struct Plan<'a> {
    owner: &'a Person,
    phone: Phone,
    attached: AttachedPlan,
    entries: Vec<Vec<u8>>,
    invite: String,
    /// A member's suggestions to About me (the worker who edits, on the person's plan;
    /// the member of another plan, on theirs).
    suggestions: [u8; 16],
}

impl Plan<'_> {
    fn id(&self) -> &str {
        &self.attached.plan
    }

    fn add(&mut self, op: Op) -> Vec<u8> {
        let previous = self.entries.last().map_or([0; 32], |e| entry_hash(e));
        let number = self.entries.len() as u32;
        let entry = sign_entry(
            &id_bytes(self.id()),
            number,
            &previous,
            1_000,
            &op,
            &self.owner.keys,
        );
        self.entries.push(entry.clone());
        entry
    }
}

fn joins(who: &AccountKeys, role: Role, rights: [Right; 5]) -> Op {
    Op::AddMember {
        signing: who.public().signing,
        receiving: who.public().receiving,
        role,
        rights,
    }
}

/// One request as a caller (`None`: no session), with a JSON or binary body.
async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Body,
) -> (StatusCode, Vec<u8>) {
    let mut request = app
        .client
        .request(method.parse().unwrap(), app.url(&format!("/api/v1{path}")))
        .header("x-coplan", "1");
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("__Host-coplan_session={cookie}"));
    }
    request = match body {
        Body::None => request,
        Body::Json(value) => request.json(&value),
        Body::Bytes(bytes) => request
            .header("content-type", "application/octet-stream")
            .body(bytes),
    };
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

enum Body {
    None,
    Json(serde_json::Value),
    Bytes(Vec<u8>),
}

fn blobs(items: &[Vec<u8>]) -> serde_json::Value {
    use base64::Engine;
    let encode = |b: &Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    serde_json::Value::Array(items.iter().map(|b| encode(b).into()).collect())
}

/// What the server holds that any write in the table could change, as each plan's owner
/// reads it: the log, the keys, the care plan's and safety plan's heads, the open invite,
/// the people (who left).
async fn held(app: &TestApp, plans: &[&Plan<'_>]) -> Vec<String> {
    let mut seen = Vec::new();
    for plan in plans {
        let cookie = Some(plan.phone.cookie.as_str());
        let id = plan.id();
        for path in [
            format!("/plans/{id}/members"),
            format!("/plans/{id}/keys"),
            format!("/plans/{id}/invites/{}", plan.invite),
            format!("/plans/{id}/people"),
        ] {
            let (status, body) = call(app, "GET", &path, cookie, Body::None).await;
            seen.push(format!(
                "{path}: {status} {}",
                String::from_utf8_lossy(&body)
            ));
        }
        let requests: Vec<DocumentRequest> = ["care_plan", "safety_plan"]
            .iter()
            .map(|section| DocumentRequest {
                document: document(&plan.attached, section),
                after: 0,
                push: Vec::new(),
            })
            .collect();
        let (_, body) = call(
            app,
            "POST",
            "/sync",
            cookie,
            Body::Bytes(write_request(&requests)),
        )
        .await;
        let heads: Vec<(u64, usize)> = read_response(&body)
            .unwrap()
            .iter()
            .map(|r| (r.head, r.pulled.len()))
            .collect();
        seen.push(format!("{id} heads {heads:?}"));
    }
    seen
}

async fn every_endpoint_answers_each_caller_as_the_table_says_and_nothing_leaks(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let people: Vec<Person> = [
        ("other.member", 11),
        ("removed.member", 12),
        ("carer.without", 13),
        ("carer.with", 14),
        ("worker.reads", 15),
        ("worker.edits", 16),
        ("worker.disabled", 20),
        ("the.person", 17),
    ]
    .into_iter()
    .map(|(name, seed)| Person::new(name, seed))
    .collect();
    let other_owner = Person::new("other.person", 18);
    let joiner = Person::new("a.joiner", 19);
    let mut phones = Vec::new();
    for person in &people {
        phones.push(signed_up(&app, person).await);
    }
    let joiner_phone = signed_up(&app, &joiner).await;
    crate::second_factor::enrolled(&app, &joiner_phone).await;
    let person = &people[7];
    let mut plans = Vec::new();
    // The person's plan is kept by a second phone of theirs (the first asks as a caller).
    for (n, owner, phone) in [
        (1u8, person, signed_in(&app, person).await),
        (2u8, &other_owner, signed_up(&app, &other_owner).await),
    ] {
        let (_, attached) = attach(&app, &phone, n).await;
        let invite = coplan_domain::invite::InviteId::new(u32::from(n))
            .unwrap()
            .to_text();
        let body = serde_json::json!({ "id": invite });
        let path = format!("/api/v1/plans/{}/invites", attached.plan);
        assert_eq!(
            json_post(&app, &path, &body, Some(&phone.cookie))
                .await
                .status(),
            StatusCode::CREATED
        );
        plans.push(Plan {
            owner,
            phone,
            attached,
            entries: Vec::new(),
            invite,
            suggestions: [0x50 + n; 16],
        });
    }
    let (mut mine, mut theirs) = {
        let mut it = plans.into_iter();
        (it.next().unwrap(), it.next().unwrap())
    };

    // The person's plan: a worker who edits (a worker's rights), a worker who only reads,
    // a carer with the safety plan (a carer's rights), one without it, and one removed.
    mine.add(joins(&person.keys, Role::Person, [Right::Edit; 5]));
    mine.add(joins(
        &people[5].keys,
        Role::Worker,
        Role::Worker.default_rights(),
    ));
    mine.add(joins(&people[4].keys, Role::Worker, [Right::Read; 5]));
    mine.add(joins(
        &people[3].keys,
        Role::Carer,
        Role::Carer.default_rights(),
    ));
    let without = [
        Right::Suggest,
        Right::None,
        Right::None,
        Right::None,
        Right::None,
    ];
    mine.add(joins(&people[2].keys, Role::Carer, without));
    mine.add(joins(
        &people[1].keys,
        Role::Worker,
        Role::Worker.default_rights(),
    ));
    mine.add(Op::Remove {
        member: people[1].keys.public().signing,
    });
    mine.add(joins(
        &people[6].keys,
        Role::Worker,
        Role::Worker.default_rights(),
    ));
    let suggests = |plan: &Plan, who: &Person| Op::AddSuggestions {
        member: who.keys.public().signing,
        document: plan.suggestions,
        section: coplan_domain::plan::SectionKind::AboutMe,
    };
    mine.add(suggests(&mine, &people[5]));
    // The other plan: its owner, and the member of another plan as a carer.
    theirs.add(joins(&other_owner.keys, Role::Person, [Right::Edit; 5]));
    theirs.add(joins(
        &people[0].keys,
        Role::Carer,
        Role::Carer.default_rights(),
    ));
    theirs.add(suggests(&theirs, &people[0]));
    for plan in [&mine, &theirs] {
        let body = serde_json::json!({ "after": 0, "entries": blobs(&plan.entries) });
        let path = format!("/api/v1/plans/{}/members", plan.id());
        assert_eq!(
            json_post(&app, &path, &body, Some(&plan.phone.cookie))
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        // The owner's own key for the safety plan, a first change in it, and a joiner who
        // redeemed the invite (so the owner may answer it).
        let safety = document(&plan.attached, "safety_plan");
        let key = key_to(plan.id(), safety, &plan.owner.keys, &plan.owner.keys, 1);
        let body = serde_json::json!({ "envelopes": blobs(&[key]) });
        let (status, _) = call(
            &app,
            "PUT",
            &format!("/plans/{}/keys", plan.id()),
            Some(&plan.phone.cookie),
            Body::Json(body),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        // A change, then a snapshot of the owner's covering it (which a reader may report).
        let snapshot = {
            use coplan_domain::envelope::{Encoding, Header, What, seal};
            let header = Header {
                what: What::Snapshot,
                encoding: Encoding::Yrs,
                kind: 3,
                plan: [0; 16],
                document: safety,
                epoch: 0,
                device: plan.phone.id,
                counter: 2,
                range_start: plan.phone.range,
                covers: 1,
            };
            let key = &crate::phones::KEY;
            seal(&header, b"all words", key, &[2; 24], &plan.owner.keys).unwrap()
        };
        // (The snapshot in a request of its own: it may cover only what the log held.)
        for (counter, push) in [
            (
                1,
                envelope(&plan.owner.keys, safety, &plan.phone, 1, b"words"),
            ),
            (2, snapshot),
        ] {
            let request = DocumentRequest {
                document: safety,
                after: 0,
                push: vec![push],
            };
            let (status, body) = call(
                &app,
                "POST",
                "/sync",
                Some(&plan.phone.cookie),
                Body::Bytes(write_request(&[request])),
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            let pushed = &read_response(&body).unwrap()[0].pushed;
            let stored =
                matches!(pushed.as_slice(), [PushAnswer::Stored { seq, .. }] if *seq == counter);
            assert!(stored, "{pushed:?}");
        }
        let redemption = crate::invites::redemption([1; 32], [2; 32]);
        let path = format!("/api/v1/invites/{}/redemption", plan.invite);
        assert_eq!(
            json_post(&app, &path, &redemption, Some(&joiner_phone.cookie))
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
    }
    // The person's safety plan key, wrapped to the carer who may read it, too.
    let carers = key_to(
        mine.id(),
        document(&mine.attached, "safety_plan"),
        &person.keys,
        &people[3].keys,
        2,
    );
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/plans/{}/keys", mine.id()),
        Some(&mine.phone.cookie),
        Body::Json(serde_json::json!({ "envelopes": blobs(&[carers]) })),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let cookies: Vec<Option<String>> = std::iter::once(None)
        .chain(phones.iter().map(|p| Some(p.cookie.clone())))
        .collect();
    let keys: Vec<Option<&AccountKeys>> = std::iter::once(None)
        .chain(people.iter().map(|p| Some(&p.keys)))
        .collect();
    // The service turns the disabled worker's account off.
    assert!(
        app.db
            .disable_account("worker.disabled", app.now_ms())
            .await
            .unwrap()
            .is_some()
    );
    let mut counters = [10u64; 9];
    for (endpoint, on_mine, on_theirs) in TABLE {
        for (plan, expected) in [(&mine, on_mine), (&theirs, on_theirs)] {
            for (at, caller) in CALLERS.iter().enumerate() {
                let before = held(&app, &[&mine, &theirs]).await;
                let cookie = cookies[at].as_deref();
                let id = plan.id();
                let safety = document(&plan.attached, "safety_plan");
                let care = document(&plan.attached, "care_plan");
                let card = document(&plan.attached, "card");
                let got = match endpoint {
                    "GET /plans/{plan}"
                    | "GET /plans/{plan}/people"
                    | "GET /plans/{plan}/access"
                    | "GET /plans/{plan}/members" => {
                        let path = endpoint.trim_start_matches("GET ").replace("{plan}", id);
                        call(&app, "GET", &path, cookie, Body::None)
                            .await
                            .0
                            .as_u16()
                            .to_string()
                    }
                    "GET /plans/{plan}/keys" => {
                        let (status, body) = call(
                            &app,
                            "GET",
                            &format!("/plans/{id}/keys"),
                            cookie,
                            Body::None,
                        )
                        .await;
                        if status == StatusCode::OK {
                            // Only what is wrapped to the caller.
                            let envelopes: coplan_domain::wire::KeyEnvelopes =
                                serde_json::from_slice(&body).unwrap();
                            let mine = keys[at].unwrap().public().receiving;
                            for blob in &envelopes.envelopes {
                                let envelope = KeyEnvelope::read(blob.as_slice()).unwrap();
                                assert_eq!(
                                    envelope.recipient, mine,
                                    "{endpoint}, {caller}: another's key"
                                );
                            }
                        }
                        status.as_u16().to_string()
                    }
                    "PUT /plans/{plan}/keys" => {
                        // Another key for a place that holds one, signed by the caller.
                        let signer = keys[at].unwrap_or(&plan.owner.keys);
                        let key = key_to(id, safety, signer, &plan.owner.keys, 3);
                        let body = serde_json::json!({ "envelopes": blobs(&[key]) });
                        call(
                            &app,
                            "PUT",
                            &format!("/plans/{id}/keys"),
                            cookie,
                            Body::Json(body),
                        )
                        .await
                        .0
                        .as_u16()
                        .to_string()
                    }
                    "POST /plans/{plan}/members" => {
                        // An entry after a log that has moved on, signed by the caller.
                        let signer = keys[at].unwrap_or(&plan.owner.keys);
                        let entry = sign_entry(
                            &id_bytes(id),
                            0,
                            &[0; 32],
                            1,
                            &Op::Remove { member: [9; 32] },
                            signer,
                        );
                        let body = serde_json::json!({ "after": 0, "entries": blobs(&[entry]) });
                        call(
                            &app,
                            "POST",
                            &format!("/plans/{id}/members"),
                            cookie,
                            Body::Json(body),
                        )
                        .await
                        .0
                        .as_u16()
                        .to_string()
                    }
                    "POST /plans/{plan}/invites" => {
                        // The id the plan's open invite already has.
                        let body = serde_json::json!({ "id": plan.invite });
                        call(
                            &app,
                            "POST",
                            &format!("/plans/{id}/invites"),
                            cookie,
                            Body::Json(body),
                        )
                        .await
                        .0
                        .as_u16()
                        .to_string()
                    }
                    "GET /plans/{plan}/invites/{id}" => call(
                        &app,
                        "GET",
                        &format!("/plans/{id}/invites/{}", plan.invite),
                        cookie,
                        Body::None,
                    )
                    .await
                    .0
                    .as_u16()
                    .to_string(),
                    "POST /plans/{plan}/invites/{id}/nonce" => {
                        let body = serde_json::json!({ "nonce": Bytes([4; 32]) });
                        call(
                            &app,
                            "POST",
                            &format!("/plans/{id}/invites/{}/nonce", plan.invite),
                            cookie,
                            Body::Json(body),
                        )
                        .await
                        .0
                        .as_u16()
                        .to_string()
                    }
                    "DELETE /plans/{plan}/membership" => call(
                        &app,
                        "DELETE",
                        &format!("/plans/{id}/membership"),
                        cookie,
                        Body::None,
                    )
                    .await
                    .0
                    .as_u16()
                    .to_string(),
                    "DELETE /plans/{plan}/invites/{id}" => call(
                        &app,
                        "DELETE",
                        &format!("/plans/{id}/invites/{}", plan.invite),
                        cookie,
                        Body::None,
                    )
                    .await
                    .0
                    .as_u16()
                    .to_string(),
                    "POST /sync: pull the safety plan"
                    | "POST /sync: pull a member's suggestions"
                    | "POST /sync: pull the plan's card"
                    | "POST /sync/wait: the safety plan" => {
                        let safety = if endpoint.contains("suggestions") {
                            plan.suggestions
                        } else if endpoint.contains("card") {
                            card
                        } else {
                            safety
                        };
                        let path = if endpoint.starts_with("POST /sync/wait") {
                            "/sync/wait?seconds=1"
                        } else {
                            "/sync"
                        };
                        let request = DocumentRequest {
                            document: safety,
                            after: 0,
                            push: Vec::new(),
                        };
                        let (status, body) = call(
                            &app,
                            "POST",
                            path,
                            cookie,
                            Body::Bytes(write_request(&[request])),
                        )
                        .await;
                        if status == StatusCode::OK {
                            let answer = read_response(&body).unwrap();
                            assert!(
                                answer.iter().all(|r| r.document == safety),
                                "{endpoint}, {caller}: another document"
                            );
                            if answer.is_empty() {
                                "out".into()
                            } else {
                                "in".into()
                            }
                        } else {
                            status.as_u16().to_string()
                        }
                    }
                    "POST /sync: push to the care plan"
                    | "POST /sync: push to a member's suggestions"
                    | "POST /sync: push to the plan's card" => {
                        let care = if endpoint.contains("suggestions") {
                            plan.suggestions
                        } else if endpoint.contains("card") {
                            card
                        } else {
                            care
                        };
                        counters[at] += 1;
                        let signer = keys[at].unwrap_or(&plan.owner.keys);
                        let phone = if at == 0 {
                            &plan.phone
                        } else {
                            &phones[at - 1]
                        };
                        let request = DocumentRequest {
                            document: care,
                            after: 0,
                            push: vec![envelope(signer, care, phone, counters[at], b"words")],
                        };
                        let (status, body) = call(
                            &app,
                            "POST",
                            "/sync",
                            cookie,
                            Body::Bytes(write_request(&[request])),
                        )
                        .await;
                        if status == StatusCode::OK {
                            let answer = read_response(&body).unwrap();
                            let stored = matches!(
                                answer.first().map(|r| r.pushed.as_slice()),
                                Some([PushAnswer::Stored { .. }])
                            );
                            if stored {
                                "stored".into()
                            } else {
                                "refused".into()
                            }
                        } else {
                            status.as_u16().to_string()
                        }
                    }
                    "POST /documents/{document}/reports/2: the safety plan" => {
                        let path = format!(
                            "/documents/{}/reports/2",
                            coplan_domain::sync::id_to_hex(&safety)
                        );
                        call(&app, "POST", &path, cookie, Body::None)
                            .await
                            .0
                            .as_u16()
                            .to_string()
                    }
                    other => panic!("no request for {other}"),
                };
                let mine_or_theirs = if std::ptr::eq(plan, &mine) {
                    "the person's plan"
                } else {
                    "another plan"
                };
                assert_eq!(got, expected[at], "{endpoint}, {caller}, {mine_or_theirs}");
                // Nothing changed, unless the cell is one that may change something.
                let changes = matches!(got.as_str(), "stored" | "204")
                    && !endpoint.starts_with("POST /documents");
                if !changes {
                    assert_eq!(
                        held(&app, &[&mine, &theirs]).await,
                        before,
                        "{endpoint}, {caller}, {mine_or_theirs}: something changed"
                    );
                }
            }
        }
    }
    app.stop().await;
}
