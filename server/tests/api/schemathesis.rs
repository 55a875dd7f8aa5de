//! schemathesis (PyPI, the version `cargo xtask test` pins and installs) against the
//! OpenAPI description, over real HTTP to a server on each database, once as each of
//! the person, a worker and a carer of one shared plan (each session passed explicitly:
//! a cookie jar would not send a `Secure` cookie over plain http). All four of its
//! phases run, stateful included. The server's state holds what each caller may reach
//! (a shared plan with keys, a stored change and snapshot, invites at every step), and
//! the hooks (`server/tests/schemathesis/hooks.py`) send every other request of each
//! operation as one that is valid for that caller, so every operation is reached past
//! its checks while schemathesis's own data probes the rest.
//!
//! It passes when schemathesis finds no server error and no answer the description does
//! not allow (status, content type, body), and every operation answered 2xx at least
//! once; it prints per operation and caller the number of 2xx answers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use coplan_domain::invite::TypedCode;
use coplan_domain::membership::{Op, Role};
use coplan_domain::sync::wire::write_request;
use coplan_domain::sync::{DocumentRequest, id_to_hex};
use coplan_domain::totp;
use coplan_domain::wire::{
    Blob, Bytes, Cost, NewPassphrase, NewSecondFactor, RecoveryKeys, SignIn,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::invites::redemption;
use crate::members::shared_with;
use crate::on_both_databases;
use crate::phones::{
    Person, Phone, attach, document, envelope, json_post, signed_in_as, signed_up, sync,
};
use crate::sync::{key_for, put_keys};

/// Test cases per operation and phase: enough to probe every field, within minutes.
const MAX_EXAMPLES: &str = "10";

/// Where the hooks are, from the server crate.
fn hooks_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis")
}

fn description() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

/// Every operation the description names, as "METHOD /path".
fn operations() -> Vec<String> {
    let text = std::fs::read_to_string(description()).unwrap();
    let spec: Value = serde_json::from_str(&text).unwrap();
    let mut all = Vec::new();
    for (path, methods) in spec["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                all.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    all
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn invite_id(seed: u8) -> String {
    TypedCode::from_random(&[seed; 9]).id().to_text()
}

/// One caller's fixture for the hooks: their session and the valid requests of each
/// operation.
struct Caller {
    name: &'static str,
    session: String,
    /// The session each operation that would end the caller's goes with, every time.
    own_session: BTreeMap<String, String>,
    /// Phones never signed out by id (whose sessions the run goes on with).
    kept_phones: Vec<String>,
    /// Plans never left (the caller's reads of them go on).
    kept_plans: Vec<String>,
    valid: BTreeMap<String, Vec<Value>>,
}

/// What would end the caller's session or account.
const ENDINGS: [&str; 3] = [
    "DELETE /api/v1/sessions/current",
    "DELETE /api/v1/account",
    "PUT /api/v1/account/passphrase",
];

impl Caller {
    /// `phone`'s session; the operations in [`ENDINGS`] with a session signed out.
    fn new(name: &'static str, phone: &Phone) -> Self {
        Self {
            name,
            session: phone.cookie.clone(),
            own_session: ENDINGS
                .iter()
                .map(|op| (op.to_string(), "signed-out".to_string()))
                .collect(),
            kept_phones: vec![id_to_hex(&phone.id)],
            kept_plans: Vec::new(),
            valid: BTreeMap::new(),
        }
    }

    /// `operation` goes, every time, with `phone`'s session.
    fn ends(&mut self, operation: &str, phone: &Phone) {
        self.own_session
            .insert(operation.to_string(), phone.cookie.clone());
    }

    fn valid(&mut self, operation: &str, request: Value) {
        self.valid
            .entry(operation.to_string())
            .or_default()
            .push(request);
    }

    /// The plan-wide reads and a sync of `document`, as any member makes them.
    fn reads(&mut self, plan: &str, document: [u8; 16]) {
        for path in [
            "/api/v1/plans/{plan}",
            "/api/v1/plans/{plan}/keys",
            "/api/v1/plans/{plan}/members",
        ] {
            self.valid(&format!("GET {path}"), json!({ "path": { "plan": plan } }));
        }
        let body = write_request(&[DocumentRequest {
            document,
            after: 0,
            push: Vec::new(),
        }]);
        self.valid("POST /api/v1/sync", json!({ "bytes": b64(&body) }));
        self.valid(
            "POST /api/v1/sync/wait",
            json!({ "query": { "seconds": 0 }, "bytes": b64(&body) }),
        );
    }
}

/// Runs schemathesis as `caller`; the statuses of its calls, by operation.
fn run_schemathesis(
    binary: &Path,
    app_url: &str,
    caller: &Caller,
    work: &Path,
) -> (bool, String, Vec<(String, u16)>) {
    let fixture = work.join(format!("{}.json", caller.name));
    let counts = work.join(format!("{}.counts", caller.name));
    std::fs::write(
        &fixture,
        serde_json::to_vec(&json!({
            "session": caller.session,
            "own_session": caller.own_session,
            "kept_phones": caller.kept_phones,
            "kept_plans": caller.kept_plans,
            "valid": caller.valid,
        }))
        .unwrap(),
    )
    .unwrap();
    let output = std::process::Command::new(binary)
        .args(["--no-color", "run"])
        .arg(description())
        .args([
            "--url",
            app_url,
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            "1",
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--suppress-health-check",
            "all",
        ])
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONPATH", hooks_dir())
        .env("COPLAN_ST_FIXTURE", &fixture)
        .env("COPLAN_ST_COUNTS", &counts)
        .current_dir(work)
        .output()
        .expect("schemathesis runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let calls = std::fs::read_to_string(&counts)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (operation, status) = line.split_once('\t')?;
            Some((operation.to_string(), status.parse().ok()?))
        })
        .collect();
    (output.status.success(), text, calls)
}

on_both_databases!(schemathesis_finds_no_server_error_and_no_answer_the_description_does_not_allow,);

async fn schemathesis_finds_no_server_error_and_no_answer_the_description_does_not_allow(db: Db) {
    let binary = std::env::var_os("COPLAN_SCHEMATHESIS")
        .map(PathBuf::from)
        .expect(
            "COPLAN_SCHEMATHESIS is not set: run `cargo xtask test`, which installs schemathesis",
        );
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn_with(&database, Path::new("no-dist"), |config| {
        // Each request names an address of its own (the hooks say why).
        config.trusted_proxy = Some(std::net::Ipv4Addr::LOCALHOST.into());
        // Redeeming invites is limited per address; schemathesis tries many.
        let open = coplan_server::storage::Bucket {
            capacity: 5_000.0,
            per_ms: 1.0,
        };
        config.invite_limits = coplan_server::auth::InviteLimits {
            per_address: open,
            per_id: open,
        };
    })
    .await;
    let person = Person::new("st.person", 1);
    let worker = Person::new("st.worker", 2);
    let carer = Person::new("st.carer", 3);
    let leaver = Person::new("st.leaver", 4);
    let signer = Person::new("st.signer", 5);
    let changer = Person::new("st.changer", 6);
    let phone = signed_up(&app, &person).await;
    let worker_phone = signed_up(&app, &worker).await;
    let carer_phone = signed_up(&app, &carer).await;
    // Members of someone else's plan sign in with a second factor (and redeem with one).
    crate::second_factor::enrolled(&app, &worker_phone).await;
    crate::second_factor::enrolled(&app, &carer_phone).await;
    let leaver_phone = signed_up(&app, &leaver).await;
    signed_up(&app, &signer).await;
    let changer_phone = signed_up(&app, &changer).await;
    // Two more of the person's phones: one to sign out by id, one that signs itself out.
    let second = signed_in_as(&app, &person, 2).await;
    let third = signed_in_as(&app, &person, 3).await;

    // A plan shared with the worker and the carer, its keys stored, a change and a
    // snapshot in its safety plan.
    let (_, plan) = attach(&app, &phone, 1).await;
    let safety = document(&plan, "safety_plan");
    let care = document(&plan, "care_plan");
    let log = shared_with(
        &app,
        &phone,
        &person,
        &plan.plan,
        &[(&worker, Role::Worker), (&carer, Role::Carer)],
    )
    .await;
    // Valid once, after the three entries above: the person names their phone.
    let add_phone = log.next(Op::AddPhone {
        member: person.keys.public().signing,
        phone: phone.id,
        range_start: phone.range,
    });
    let persons_key = key_for(&person, &plan, "safety_plan", &person.keys, 1);
    let keys = [
        persons_key.clone(),
        key_for(&person, &plan, "safety_plan", &worker.keys, 2),
        key_for(&person, &plan, "care_plan", &worker.keys, 3),
        key_for(&person, &plan, "safety_plan", &carer.keys, 4),
    ];
    assert_eq!(
        put_keys(&app, &phone, &plan.plan, &keys).await,
        StatusCode::NO_CONTENT
    );
    let pushed = sync(
        &app,
        &phone,
        &[DocumentRequest {
            document: safety,
            after: 0,
            push: vec![
                envelope(&person.keys, safety, &phone, 0, b"words"),
                crate::compaction::snapshot(&person.keys, safety, &phone, 1, 0),
            ],
        }],
    )
    .await;
    assert_eq!(pushed[0].head, 2);

    // Invites at each step, on a second and third plan (a plan has at most five open).
    let (_, plan_2) = attach(&app, &phone, 2).await;
    let (_, plan_3) = attach(&app, &phone, 3).await;
    // A plan shared with the carer alone, for the carer to leave.
    let (_, to_leave) = attach(&app, &phone, 4).await;
    shared_with(
        &app,
        &phone,
        &person,
        &to_leave.plan,
        &[(&carer, Role::Carer)],
    )
    .await;
    let open = |plan: String, seed: u8| {
        let (app, phone) = (&app, &phone);
        async move {
            let path = format!("/api/v1/plans/{plan}/invites");
            let id = invite_id(seed);
            let answer = json_post(app, &path, &json!({ "id": id }), Some(&phone.cookie)).await;
            assert_eq!(answer.status(), StatusCode::CREATED);
            id
        }
    };
    let shown = open(plan_2.plan.clone(), 11).await;
    let to_end = open(plan_2.plan.clone(), 12).await;
    let redeemed = open(plan_2.plan.clone(), 13).await;
    let nonced = open(plan_2.plan.clone(), 14).await;
    let to_redeem = open(plan_3.plan.clone(), 15).await;
    for id in [&redeemed, &nonced] {
        let path = format!("/api/v1/invites/{id}/redemption");
        let body = redemption([0x21; 32], [0x22; 32]);
        let answer = json_post(&app, &path, &body, Some(&worker_phone.cookie)).await;
        assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    }
    let nonce = json!({ "nonce": Bytes([0x31; 32]) });
    let path = format!("/api/v1/plans/{}/invites/{nonced}/nonce", plan_2.plan);
    let answer = json_post(&app, &path, &nonce, Some(&phone.cookie)).await;
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    let sign_in = |verifier: u8, nth: u32| SignIn {
        username: "st.signer".into(),
        verifier: Bytes([verifier; 32]),
        phone_name: "Schemathesis".into(),
        range_start: nth * 4096,
        code: None,
    };
    let mut newcomer = Person::new("st.newcomer", 7).sign_up();
    newcomer.range_start = 4096;
    let cost = Cost {
        memory_kib: 19 * 1024,
        passes: 2,
    };
    let passphrase = NewPassphrase {
        verifier: Bytes([9; 32]),
        cost,
        wrapped: Blob::new(vec![1; 105]).unwrap(),
        recovery: RecoveryKeys {
            verifier: Bytes([10; 32]),
            wrapped: Blob::new(vec![2; 105]).unwrap(),
        },
        current: Some(Bytes([7; 32])),
    };
    let plan_path = |plan: &str| json!({ "plan": plan });
    let mut as_person = Caller::new("person", &phone);
    as_person.ends("DELETE /api/v1/sessions/current", &third);
    as_person.ends("DELETE /api/v1/account", &leaver_phone);
    as_person.ends("PUT /api/v1/account/passphrase", &changer_phone);
    // The throwaway sessions are the person's and others' to end in their own operation.
    as_person.kept_phones.push(id_to_hex(&third.id));
    as_person.reads(&plan.plan, safety);
    for path in ["/api/v1/plans/{plan}/people", "/api/v1/plans/{plan}/access"] {
        as_person.valid(
            &format!("GET {path}"),
            json!({ "path": plan_path(&plan.plan) }),
        );
    }
    for (operation, request) in [
        ("POST /api/v1/accounts", json!({ "json": newcomer })),
        (
            "POST /api/v1/sign-in/cost",
            json!({ "json": { "username": "st.signer" } }),
        ),
        ("POST /api/v1/sessions", json!({ "json": sign_in(7, 2) })),
        (
            "POST /api/v1/sessions/recovery",
            json!({ "json": sign_in(8, 3) }),
        ),
        (
            "PUT /api/v1/account/passphrase",
            json!({ "json": passphrase }),
        ),
        // The server's clock stands still for the run, so this code stays the app's.
        (
            "PUT /api/v1/account/second-factor",
            json!({ "json": NewSecondFactor {
                secret: Bytes([5; 20]),
                code: totp::code(&[5; 20], totp::step_at(app.now_ms() as u64)),
            } }),
        ),
        (
            "DELETE /api/v1/phones/{id}",
            json!({ "path": { "id": id_to_hex(&second.id) } }),
        ),
        (
            "POST /api/v1/plans",
            json!({ "json": { "request": Bytes([1u8; 16]) } }),
        ),
        (
            "PUT /api/v1/plans/{plan}/keys",
            json!({ "path": plan_path(&plan.plan), "json": { "envelopes": [b64url(&persons_key)] } }),
        ),
        (
            "POST /api/v1/plans/{plan}/members",
            json!({
                "path": plan_path(&plan.plan),
                "json": { "after": 3, "entries": [b64url(&add_phone)] },
            }),
        ),
        (
            "POST /api/v1/plans/{plan}/invites",
            json!({ "path": plan_path(&plan.plan), "json": { "id": invite_id(16) } }),
        ),
        (
            "GET /api/v1/plans/{plan}/invites/{id}",
            json!({ "path": { "plan": plan_2.plan, "id": shown } }),
        ),
        (
            "DELETE /api/v1/plans/{plan}/invites/{id}",
            json!({ "path": { "plan": plan_2.plan, "id": to_end } }),
        ),
        (
            "POST /api/v1/plans/{plan}/invites/{id}/nonce",
            json!({ "path": { "plan": plan_2.plan, "id": redeemed }, "json": nonce }),
        ),
        (
            "POST /api/v1/documents/{document}/reports/{seq}",
            json!({ "path": { "document": id_to_hex(&safety), "seq": 2 } }),
        ),
    ] {
        as_person.valid(operation, request);
    }
    let mut as_worker = Caller::new("worker", &worker_phone);
    as_worker.reads(&plan.plan, care);
    as_worker.valid(
        "GET /api/v1/invites/{id}",
        json!({ "path": { "id": redeemed } }),
    );
    as_worker.valid(
        "POST /api/v1/invites/{id}/nonce",
        json!({ "path": { "id": nonced }, "json": { "nonce": Bytes([0x32u8; 32]) } }),
    );
    let mut as_carer = Caller::new("carer", &carer_phone);
    as_carer.reads(&plan.plan, safety);
    as_carer.valid(
        "DELETE /api/v1/plans/{plan}/membership",
        json!({ "path": plan_path(&to_leave.plan) }),
    );
    for caller in [&mut as_person, &mut as_worker, &mut as_carer] {
        caller.kept_plans.push(plan.plan.clone());
    }
    as_carer.valid(
        "POST /api/v1/invites/{id}/redemption",
        json!({ "path": { "id": to_redeem }, "json": redemption([0x41; 32], [0x42; 32]) }),
    );

    let work = tempfile::tempdir().unwrap();
    let base = app.url("");
    let base = base.trim_end_matches('/').to_string();
    let mut by_operation: BTreeMap<String, BTreeMap<&str, (u32, u32)>> = BTreeMap::new();
    let mut failed = Vec::new();
    for caller in [as_person, as_worker, as_carer] {
        let (binary, base, dir) = (binary.clone(), base.clone(), work.path().to_path_buf());
        let (passed, text, calls, caller) = tokio::task::spawn_blocking(move || {
            let (passed, text, calls) = run_schemathesis(&binary, &base, &caller, &dir);
            (passed, text, calls, caller)
        })
        .await
        .unwrap();
        for (operation, status) in calls {
            let counted = by_operation
                .entry(operation)
                .or_default()
                .entry(caller.name)
                .or_default();
            counted.0 += 1;
            counted.1 += u32::from((200..300).contains(&status));
        }
        if !passed {
            failed.push(format!("as the {}:\n{text}", caller.name));
        }
    }
    println!("schemathesis: 2xx answers / calls, per operation and caller");
    let mut unreached = Vec::new();
    for operation in operations() {
        let counted = by_operation.get(&operation);
        let cell = |who: &str| {
            counted
                .and_then(|c| c.get(who))
                .map_or("-".to_string(), |(calls, ok)| format!("{ok}/{calls}"))
        };
        println!(
            "{operation:<52} person {:>9}  worker {:>9}  carer {:>9}",
            cell("person"),
            cell("worker"),
            cell("carer")
        );
        if counted.is_none_or(|c| c.values().all(|(_, ok)| *ok == 0)) {
            unreached.push(operation);
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
    assert!(unreached.is_empty(), "never answered 2xx: {unreached:?}");
    app.stop().await;
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
