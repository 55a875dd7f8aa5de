//! Accounts without email, sessions and phones (docs/accounts.md), over real HTTP on both
//! databases: what is refused is refused with nothing stored, answers say nothing about
//! whether an account exists, guessing is slowed and never locks anyone out.

use coplan_domain::wire::{
    Account, AccountKeys, Blob, Bytes, Cost, NewPassphrase, RecoveryKeys, SignIn, SignUp, SignedIn,
};
use reqwest::StatusCode;
use serde::Serialize;

use crate::helpers::{Db, TestApp, TestDatabase, fake_dist};
use crate::on_both_databases;

on_both_databases!(
    sign_up_then_sign_in_on_another_phone,
    a_phone_cannot_take_a_range_another_phone_of_the_account_holds,
    a_wrong_passphrase_and_an_unknown_name_get_the_same_answer,
    a_taken_name_is_said_and_nothing_changes,
    a_request_without_coplans_header_is_refused_with_nothing_stored,
    the_recovery_code_signs_in_once_and_a_new_one_replaces_it,
    the_recovery_code_signs_in_once_however_many_try_at_once,
    changing_the_passphrase_needs_a_recent_sign_in_or_the_passphrase_in_use,
    sessions_end_when_unused_for_90_days_and_after_365,
    signing_out_and_signing_another_phone_out,
    guessing_is_slowed_per_name_and_address_and_never_locks_the_person_out,
    bad_input_is_refused_plainly_with_nothing_stored,
    the_limits_forget_after_a_day_and_the_audit_trail_after_a_year,
);

const DAY: i64 = 24 * 60 * 60 * 1000;

/// The cost a phone stretches a new passphrase with: the one the server gives out.
fn todays_cost() -> Cost {
    coplan_server::api::v1::ACCOUNT_COST.into()
}

/// A sign-up whose secrets are all made from `secret`.
pub(crate) fn sign_up(name: &str, secret: u8) -> SignUp {
    SignUp {
        username: name.to_string(),
        verifier: Bytes([secret; 32]),
        cost: todays_cost(),
        keys: AccountKeys {
            signing: Bytes([1; 32]),
            receiving: Bytes([2; 32]),
            wrapped: Blob::new(vec![secret; 72]).unwrap(),
        },
        recovery: RecoveryKeys {
            verifier: Bytes([secret.wrapping_add(100); 32]),
            wrapped: Blob::new(vec![secret.wrapping_add(100); 72]).unwrap(),
        },
        phone_name: "Alex's phone".to_string(),
        range_start: 4096,
    }
}

/// A sign-in from a phone of its own range (each call a new one).
pub(crate) fn sign_in(name: &str, verifier: u8, phone: &str) -> SignIn {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(2);
    SignIn {
        username: name.to_string(),
        verifier: Bytes([verifier; 32]),
        phone_name: phone.to_string(),
        range_start: NEXT.fetch_add(1, Ordering::Relaxed) * 4096,
        code: None,
    }
}

/// Sends `body` as JSON the way the app does (with `X-Coplan: 1`), with a session cookie
/// when given.
pub(crate) async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<&impl Serialize>,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .header("x-coplan", "1");
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("__Host-coplan_session={cookie}"));
    }
    request.send().await.expect("request sent")
}

pub(crate) async fn post(app: &TestApp, path: &str, body: &impl Serialize) -> reqwest::Response {
    send(app, reqwest::Method::POST, path, Some(body), None).await
}

pub(crate) async fn get_account(app: &TestApp, cookie: &str) -> reqwest::Response {
    send(
        app,
        reqwest::Method::GET,
        "/api/v1/account",
        None::<&()>,
        Some(cookie),
    )
    .await
}

/// The session token the answer's cookie carries, after checking the cookie's attributes.
pub(crate) fn session_cookie(response: &reqwest::Response) -> String {
    let set = response
        .headers()
        .get("set-cookie")
        .expect("a session cookie")
        .to_str()
        .unwrap();
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(
            set.split("; ").any(|a| a == attribute),
            "{attribute} in {set}"
        );
    }
    let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
    assert_eq!(name, "__Host-coplan_session");
    assert!(value.len() >= 43, "{value}");
    value.to_string()
}

pub(crate) async fn error_code(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.unwrap();
    body["error"]["code"].as_str().unwrap().to_string()
}

pub(crate) async fn start(db: Db) -> (TestApp, TestDatabase, tempfile::TempDir) {
    start_with(db, |_| {}).await
}

async fn start_with(
    db: Db,
    tweak: impl FnOnce(&mut coplan_server::Config),
) -> (TestApp, TestDatabase, tempfile::TempDir) {
    let database = TestDatabase::new(db).await;
    let (dir, dist) = fake_dist();
    let app = TestApp::spawn_with(&database, &dist, tweak).await;
    (app, database, dir)
}

/// Signs up `name` and answers the session cookie.
pub(crate) async fn signed_up(app: &TestApp, name: &str, secret: u8) -> String {
    let response = post(app, "/api/v1/accounts", &sign_up(name, secret)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    session_cookie(&response)
}

async fn sign_up_then_sign_in_on_another_phone(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let info: serde_json::Value = app.get("/api/v1/server").await.json().await.unwrap();
    assert_eq!(info["api"], 1);
    assert!(info["server_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(info["cost"]["memory_kib"], 46 * 1024);
    assert_eq!(info["cost"]["passes"], 2);

    let response = post(&app, "/api/v1/accounts", &sign_up("alex", 7)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let first = session_cookie(&response);
    let signed_up: SignedIn = response.json().await.unwrap();

    let account: Account = get_account(&app, &first).await.json().await.unwrap();
    assert_eq!(account.username, "alex");
    assert!(account.has_recovery);
    assert_eq!(account.phones.len(), 1);
    assert!(account.phones[0].this_phone);
    assert_eq!(account.phones[0].name, "Alex's phone");

    app.advance(1_000);
    let response = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "Work phone")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let second = session_cookie(&response);
    assert_ne!(first, second);
    let signed_in: SignedIn = response.json().await.unwrap();
    assert_eq!(signed_in.account, signed_up.account);
    assert_ne!(signed_in.phone, signed_up.phone);
    assert_eq!(signed_in.keys, sign_up("alex", 7).keys);

    // Both phones are signed in; each sees the other, newest first.
    let account: Account = get_account(&app, &first).await.json().await.unwrap();
    let names: Vec<_> = account.phones.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Work phone", "Alex's phone"]);
    assert!(!account.phones[0].this_phone && account.phones[1].this_phone);

    // The sign-in cost is the account's.
    let cost: Cost = post(
        &app,
        "/api/v1/sign-in/cost",
        &serde_json::json!({"username": "alex"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(cost, todays_cost());
    app.stop().await;
}

async fn a_wrong_passphrase_and_an_unknown_name_get_the_same_answer(db: Db) {
    let (app, _db, _dir) = start(db).await;
    signed_up(&app, "alex", 7).await;
    let wrong = post(&app, "/api/v1/sessions", &sign_in("alex", 8, "Phone")).await;
    let unknown = post(&app, "/api/v1/sessions", &sign_in("nobody", 8, "Phone")).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get("set-cookie").is_none());
    assert_eq!(wrong.bytes().await.unwrap(), unknown.bytes().await.unwrap());
    // The same for the recovery code.
    let wrong = post(&app, "/api/v1/sessions/recovery", &sign_in("alex", 9, "P")).await;
    let unknown = post(
        &app,
        "/api/v1/sessions/recovery",
        &sign_in("nobody", 9, "P"),
    )
    .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.bytes().await.unwrap(), unknown.bytes().await.unwrap());
    // And the cost asked for an unknown name is today's, as for everyone.
    let cost: Cost = post(
        &app,
        "/api/v1/sign-in/cost",
        &serde_json::json!({"username": "nobody"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(cost, todays_cost());
    app.stop().await;
}

async fn a_taken_name_is_said_and_nothing_changes(db: Db) {
    let (app, _db, _dir) = start(db).await;
    signed_up(&app, "alex", 7).await;
    let again = post(&app, "/api/v1/accounts", &sign_up("alex", 9)).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.headers().get("set-cookie").is_none());
    assert_eq!(error_code(again).await, "name_taken");
    // The first account's passphrase still works, the second's does not.
    let response = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "Phone")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = post(&app, "/api/v1/sessions", &sign_in("alex", 9, "Phone")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn a_request_without_coplans_header_is_refused_with_nothing_stored(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let response = app
        .client
        .post(app.url("/api/v1/accounts"))
        .json(&sign_up("alex", 7))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(response).await, "cross_site");
    // Nothing was made: the name is still free.
    signed_up(&app, "alex", 8).await;
    // A signed-in phone's cookie does not help a request without the header.
    let cookie = signed_up(&app, "sam", 8).await;
    let response = app
        .client
        .delete(app.url("/api/v1/sessions/current"))
        .header("cookie", format!("__Host-coplan_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(get_account(&app, &cookie).await.status(), StatusCode::OK);
    app.stop().await;
}

fn new_passphrase(secret: u8) -> NewPassphrase {
    NewPassphrase {
        verifier: Bytes([secret; 32]),
        cost: todays_cost(),
        wrapped: Blob::new(vec![secret; 72]).unwrap(),
        recovery: RecoveryKeys {
            verifier: Bytes([secret.wrapping_add(100); 32]),
            wrapped: Blob::new(vec![secret.wrapping_add(100); 72]).unwrap(),
        },
        current: None,
    }
}

async fn the_recovery_code_signs_in_once_and_a_new_one_replaces_it(db: Db) {
    let (app, _db, _dir) = start(db).await;
    signed_up(&app, "alex", 7).await;
    // Lost the passphrase: the recovery code (verifier 107) signs in, once.
    let response = post(
        &app,
        "/api/v1/sessions/recovery",
        &sign_in("alex", 107, "New"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response);
    let recovered: SignedIn = response.json().await.unwrap();
    assert_eq!(recovered.keys.wrapped, Blob::new(vec![107; 72]).unwrap());
    let again = post(
        &app,
        "/api/v1/sessions/recovery",
        &sign_in("alex", 107, "New"),
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let account: Account = get_account(&app, &cookie).await.json().await.unwrap();
    assert!(!account.has_recovery);

    // A new passphrase (verifier 20) and recovery code (verifier 120), together.
    let response = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/account/passphrase",
        Some(&new_passphrase(20)),
        Some(&cookie),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let old = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "P")).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = post(&app, "/api/v1/sessions", &sign_in("alex", 20, "P")).await;
    assert_eq!(new.status(), StatusCode::OK);
    let signed_in: SignedIn = new.json().await.unwrap();
    assert_eq!(signed_in.keys.wrapped, Blob::new(vec![20; 72]).unwrap());
    let account: Account = get_account(&app, &cookie).await.json().await.unwrap();
    assert!(account.has_recovery);
    let recovered = post(
        &app,
        "/api/v1/sessions/recovery",
        &sign_in("alex", 120, "P"),
    )
    .await;
    assert_eq!(recovered.status(), StatusCode::OK);
    app.stop().await;
}

async fn the_recovery_code_signs_in_once_however_many_try_at_once(db: Db) {
    let (app, _db, _dir) = start(db).await;
    signed_up(&app, "alex", 7).await;
    let body = sign_in("alex", 107, "Phone");
    let tries = (0..8).map(|_| post(&app, "/api/v1/sessions/recovery", &body));
    let answers = futures::future::join_all(tries).await;
    let statuses: Vec<_> = answers.iter().map(reqwest::Response::status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    app.stop().await;
}

async fn changing_the_passphrase_needs_a_recent_sign_in_or_the_passphrase_in_use(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let cookie = signed_up(&app, "alex", 7).await;
    app.advance(16 * 60 * 1000);
    let response = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/account/passphrase",
        Some(&new_passphrase(20)),
        Some(&cookie),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(response).await, "sign_in_again");
    // Nothing changed.
    let old = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "P")).await;
    assert_eq!(old.status(), StatusCode::OK);

    // With the passphrase in use now as proof, later is fine; a wrong one is refused
    // (sooner too), counted with the sign-in tries.
    let change = |current: u8| NewPassphrase {
        current: Some(Bytes([current; 32])),
        ..new_passphrase(20)
    };
    let put = |body: NewPassphrase| {
        let cookie = cookie.clone();
        let app = &app;
        async move {
            send(
                app,
                reqwest::Method::PUT,
                "/api/v1/account/passphrase",
                Some(&body),
                Some(&cookie),
            )
            .await
        }
    };
    let wrong = put(change(8)).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(wrong).await, "sign_in_failed");
    let fresh = session_cookie(&old);
    let wrong_soon = send(
        &app,
        reqwest::Method::PUT,
        "/api/v1/account/passphrase",
        Some(&change(8)),
        Some(&fresh),
    )
    .await;
    assert_eq!(wrong_soon.status(), StatusCode::UNAUTHORIZED);
    let still = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "Q")).await;
    assert_eq!(still.status(), StatusCode::OK, "nothing changed");
    assert_eq!(put(change(7)).await.status(), StatusCode::NO_CONTENT);
    let old = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "R")).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = post(&app, "/api/v1/sessions", &sign_in("alex", 20, "S")).await;
    assert_eq!(new.status(), StatusCode::OK);
    app.stop().await;
}

async fn sessions_end_when_unused_for_90_days_and_after_365(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let idle = signed_up(&app, "alex", 7).await;
    let busy = session_cookie(&post(&app, "/api/v1/sessions", &sign_in("alex", 7, "B")).await);
    // The busy phone syncs every 80 days; the idle one never.
    for _ in 0..4 {
        app.advance(80 * DAY);
        assert_eq!(get_account(&app, &busy).await.status(), StatusCode::OK);
    }
    let response = get_account(&app, &idle).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(response).await, "sign_in_needed");
    // 320 days in, still fine; past 365 days from its sign-in, it ends however busy.
    app.advance(44 * DAY);
    assert_eq!(get_account(&app, &busy).await.status(), StatusCode::OK);
    app.advance(2 * DAY);
    assert_eq!(
        get_account(&app, &busy).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

async fn signing_out_and_signing_another_phone_out(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let first = signed_up(&app, "alex", 7).await;
    let second = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "Second")).await;
    let second = session_cookie(&second);
    let third = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "Third")).await;
    let third = session_cookie(&third);
    let sam = signed_up(&app, "sam", 9).await;

    // The second phone signs itself out: its cookie is cleared and no longer works.
    let response = send(
        &app,
        reqwest::Method::DELETE,
        "/api/v1/sessions/current",
        None::<&()>,
        Some(&second),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("__Host-coplan_session=;") && cleared.contains("Max-Age=0"));
    assert_eq!(
        get_account(&app, &second).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The first signs the third out.
    let account: Account = get_account(&app, &first).await.json().await.unwrap();
    let third_id = account
        .phones
        .iter()
        .find(|p| p.name == "Third")
        .unwrap()
        .id
        .clone();
    let path = format!("/api/v1/phones/{third_id}");
    // Someone else's session cannot.
    let response = send(
        &app,
        reqwest::Method::DELETE,
        &path,
        None::<&()>,
        Some(&sam),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(get_account(&app, &third).await.status(), StatusCode::OK);
    let response = send(
        &app,
        reqwest::Method::DELETE,
        &path,
        None::<&()>,
        Some(&first),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        get_account(&app, &third).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let account: Account = get_account(&app, &first).await.json().await.unwrap();
    assert_eq!(account.phones.len(), 1);
    app.stop().await;
}

async fn guessing_is_slowed_per_name_and_address_and_never_locks_the_person_out(db: Db) {
    let (app, _db, _dir) = start_with(db, |config| {
        config.trusted_proxy = Some("127.0.0.1".parse().unwrap());
    })
    .await;
    signed_up(&app, "alex", 7).await;
    let from = |address: &'static str, body: SignIn| {
        app.client
            .post(app.url("/api/v1/sessions"))
            .header("x-coplan", "1")
            .header("x-forwarded-for", address)
            .json(&body)
            .send()
    };
    // Ten wrong guesses from one address, then even the right passphrase waits there.
    for _ in 0..10 {
        let response = from("203.0.113.5", sign_in("alex", 8, "P")).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = from("203.0.113.5", sign_in("alex", 7, "P")).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "30");
    assert_eq!(error_code(response).await, "slow_down");
    // A name with no account is slowed just the same (the limit says nothing).
    for _ in 0..10 {
        from("203.0.113.5", sign_in("nobody", 8, "P"))
            .await
            .unwrap();
    }
    let response = from("203.0.113.5", sign_in("nobody", 8, "P"))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

    // The person, somewhere else, is not locked out by those guesses.
    let response = from("198.51.100.7", sign_in("alex", 7, "P")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    // And after 30 s the first address may try once more.
    app.advance(30_000);
    let response = from("203.0.113.5", sign_in("alex", 7, "P")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let response = from("203.0.113.5", sign_in("alex", 7, "P")).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);

    // A forwarded address from anyone but the trusted proxy is not believed: these
    // all count against the real peer, so the same peer cannot escape its limit.
    let (plain, _db2, _dir2) = start(db).await;
    signed_up(&plain, "alex", 7).await;
    for n in 0..10 {
        let response = plain
            .client
            .post(plain.url("/api/v1/sessions"))
            .header("x-coplan", "1")
            .header("x-forwarded-for", format!("192.0.2.{n}"))
            .json(&sign_in("alex", 8, "P"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let response = post(&plain, "/api/v1/sessions", &sign_in("alex", 7, "P")).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    plain.stop().await;
    app.stop().await;
}

async fn bad_input_is_refused_plainly_with_nothing_stored(db: Db) {
    let (app, _db, _dir) = start(db).await;
    let good = serde_json::to_value(sign_up("alex", 7)).unwrap();
    let mut bad = Vec::new();
    let mut with = |path: &[&str], value: serde_json::Value| {
        let mut body = good.clone();
        let mut at = &mut body;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        bad.push(body);
    };
    with(&["username"], "Alex".into()); // not in its normal form
    with(&["username"], "al".into());
    with(&["username"], "alex smith".into());
    with(&["verifier"], "AAAA".into()); // 3 bytes
    with(&["verifier"], "not base64!".into());
    with(&["cost", "memory_kib"], 1024.into()); // below the minimum
    with(&["keys", "wrapped"], "A".repeat(400).into()); // 300 bytes
    with(&["keys", "signing"], serde_json::Value::Null);
    with(&["phone_name"], "".into());
    with(&["phone_name"], "x".repeat(41).into());
    with(&["phone_name"], "a\u{7}b".into());
    with(&["range_start"], 0.into());
    with(&["range_start"], 4097.into()); // not on the grid of ranges
    with(&["range_start"], u32::MAX.into());
    with(&["surprise"], true.into()); // unknown field
    for body in &bad {
        let response = post(&app, "/api/v1/accounts", body).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(response).await, "bad_request");
    }
    let response = app
        .client
        .post(app.url("/api/v1/accounts"))
        .header("x-coplan", "1")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // None of those made an account.
    let response = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "P")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    signed_up(&app, "alex", 7).await;
    app.stop().await;
}

async fn a_phone_cannot_take_a_range_another_phone_of_the_account_holds(db: Db) {
    let (app, _db, _dir) = start(db).await;
    signed_up(&app, "alex", 7).await; // range 4096
    signed_up(&app, "sam", 9).await; // another account may use the same numbers
    let mut body = sign_in("alex", 7, "Second");
    body.range_start = 4096;
    let response = post(&app, "/api/v1/sessions", &body).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.headers().get("set-cookie").is_none());
    assert_eq!(error_code(response).await, "range_taken");
    // Nothing was made: the account still has one phone, and a free range works.
    body.range_start = 3 * 4096;
    let response = post(&app, "/api/v1/sessions", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = session_cookie(&response);
    let account: Account = get_account(&app, &cookie).await.json().await.unwrap();
    assert_eq!(account.phones.len(), 2);
    // Recovery from a phone claiming a held range fails without using the code.
    let mut recover = sign_in("alex", 107, "Third");
    recover.range_start = 4096;
    let response = post(&app, "/api/v1/sessions/recovery", &recover).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let account: Account = get_account(&app, &cookie).await.json().await.unwrap();
    assert!(account.has_recovery);
    app.stop().await;
}

async fn the_limits_forget_after_a_day_and_the_audit_trail_after_a_year(db: Db) {
    use coplan_server::retention::forget_old;
    use coplan_server::storage::{AuditEntry, Forgotten, Store};
    let (app, _db, _dir) = start(db).await;
    let response = post(&app, "/api/v1/accounts", &sign_up("alex", 7)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let alex: SignedIn = response.json().await.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // A bucket last used two days ago, and decisions from a year and a day ago and today.
    let bucket = coplan_server::auth::SIGN_IN_PER_NAME;
    app.db
        .take_token(b"an old try", bucket, now - 2 * DAY)
        .await
        .unwrap();
    for at_ms in [now - 366 * DAY, now] {
        let entry = AuditEntry {
            at_ms,
            account: Some(&alex.account),
            phone: None,
            action: "sync",
            target: "a document",
            allowed: true,
        };
        app.db.audit(&entry).await.unwrap();
    }

    let gone = forget_old(&app.db, now).await.unwrap();
    assert_eq!(
        gone,
        Forgotten {
            limits: 1,
            audit: 1
        }
    );
    let kept = app.db.audit_trail(&alex.account).await.unwrap();
    assert_eq!(kept.iter().map(|row| row.at_ms).collect::<Vec<_>>(), [now]);
    // Nothing more goes until it is old enough: the sign-up's own bucket after a day.
    let gone = forget_old(&app.db, now).await.unwrap();
    assert_eq!(
        gone,
        Forgotten {
            limits: 0,
            audit: 0
        }
    );
    let gone = forget_old(&app.db, now + DAY + 60_000).await.unwrap();
    assert_eq!(
        gone,
        Forgotten {
            limits: 1,
            audit: 0
        }
    );
    let gone = forget_old(&app.db, now + 365 * DAY + 60_000).await.unwrap();
    assert_eq!(
        gone,
        Forgotten {
            limits: 0,
            audit: 1
        }
    );
    assert!(app.db.audit_trail(&alex.account).await.unwrap().is_empty());
    app.stop().await;
}
