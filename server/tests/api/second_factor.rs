//! The second factor (issue 14 item 10), over real HTTP on both databases: an account
//! given a time-based code's secret then signs in and recovers only with the code its
//! app shows now, each code taken once; wrong codes count with the sign-in tries; the
//! secret is added, replaced or taken away only from a fresh sign-in; and an account that may
//! reach someone else's plan keeps it.

use coplan_domain::invite::InviteId;
use coplan_domain::membership::Role;
use coplan_domain::totp;
use coplan_domain::wire::{Account, Bytes, NewSecondFactor, SignIn};
use reqwest::{Method, StatusCode};

use crate::accounts::{error_code, get_account, post, send, sign_in, signed_up, start};
use crate::helpers::{Db, TestApp};
use crate::members::shared_with;
use crate::on_both_databases;
use crate::phones::{self, Person, attach, json_post};

on_both_databases!(
    an_account_with_a_second_factor_signs_in_and_recovers_only_with_a_fresh_code,
    the_second_factor_is_added_replaced_or_taken_away_only_from_a_fresh_sign_in,
    a_member_of_someone_elses_plan_keeps_their_second_factor,
);

const SECRET: [u8; totp::SECRET_BYTES] = [0x5a; totp::SECRET_BYTES];
const FIFTEEN_MINUTES: i64 = 15 * 60 * 1000;

/// The code `secret`'s app shows at the server's time now, `steps` steps on.
fn code_now(app: &TestApp, secret: &[u8; totp::SECRET_BYTES], steps: i64) -> String {
    let ms = app.now_ms() + steps * 30_000;
    totp::code(secret, totp::step_at(ms as u64))
}

async fn set(app: &TestApp, cookie: &str, secret: [u8; 20], code: String) -> reqwest::Response {
    let body = NewSecondFactor {
        secret: Bytes(secret),
        code,
    };
    send(
        app,
        Method::PUT,
        "/api/v1/account/second-factor",
        Some(&body),
        Some(cookie),
    )
    .await
}

async fn remove(app: &TestApp, cookie: &str) -> reqwest::Response {
    send(
        app,
        Method::DELETE,
        "/api/v1/account/second-factor",
        None::<&()>,
        Some(cookie),
    )
    .await
}

fn with_code(mut body: SignIn, code: &str) -> SignIn {
    body.code = Some(code.to_string());
    body
}

async fn has_second_factor(app: &TestApp, cookie: &str) -> bool {
    let account: Account = get_account(app, cookie).await.json().await.unwrap();
    account.second_factor
}

async fn an_account_with_a_second_factor_signs_in_and_recovers_only_with_a_fresh_code(db: Db) {
    let (app, _database, _dist) = start(db).await;
    let cookie = signed_up(&app, "sam.worker", 7).await;
    // Without one, the account's answer does not mention it (an older build reads it).
    let plain = get_account(&app, &cookie).await.text().await.unwrap();
    assert!(!plain.contains("second_factor"), "{plain}");

    // The code must be the app's for this secret, now.
    let wrong = set(&app, &cookie, SECRET, code_now(&app, &[1; 20], 0)).await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(wrong).await, "second_factor_wrong");
    assert!(!has_second_factor(&app, &cookie).await);
    let enrolled = code_now(&app, &SECRET, 0);
    let response = set(&app, &cookie, SECRET, enrolled.clone()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(has_second_factor(&app, &cookie).await);

    // The passphrase alone is no longer enough; a wrong passphrase says only that.
    let response = post(&app, "/api/v1/sessions", &sign_in("sam.worker", 7, "P")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(response).await, "second_factor_needed");
    let response = post(
        &app,
        "/api/v1/sessions",
        &with_code(sign_in("sam.worker", 8, "P"), &enrolled),
    )
    .await;
    assert_eq!(error_code(response).await, "sign_in_failed");
    // The code taken when it was set is not taken again, nor a made-up one.
    for code in [enrolled.as_str(), "000000", "12345", "1234567890123456789"] {
        let body = with_code(sign_in("sam.worker", 7, "P"), code);
        let response = post(&app, "/api/v1/sessions", &body).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{code}");
        assert_eq!(error_code(response).await, "second_factor_wrong", "{code}");
    }
    // Thirty seconds on, the app's next code signs in, once.
    app.advance(30_000);
    let next = code_now(&app, &SECRET, 0);
    let body = with_code(sign_in("sam.worker", 7, "P"), &next);
    let response = post(&app, "/api/v1/sessions", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = post(&app, "/api/v1/sessions", &body).await;
    assert_eq!(error_code(response).await, "second_factor_wrong");
    // A phone's clock a step ahead is fine.
    let ahead = code_now(&app, &SECRET, 1);
    let body = with_code(sign_in("sam.worker", 7, "P"), &ahead);
    assert_eq!(
        post(&app, "/api/v1/sessions", &body).await.status(),
        StatusCode::OK
    );

    // Recovery asks for it too, before the recovery code is used up.
    let recovery = sign_in("sam.worker", 107, "R");
    let response = post(&app, "/api/v1/sessions/recovery", &recovery).await;
    assert_eq!(error_code(response).await, "second_factor_needed");
    app.advance(60_000);
    let code = code_now(&app, &SECRET, 0);
    let response = post(
        &app,
        "/api/v1/sessions/recovery",
        &with_code(recovery, &code),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);

    // Wrong codes count with the sign-in tries: the right passphrase and a code is then
    // made to wait.
    app.advance(60_000);
    let mut slowed = false;
    for _ in 0..12 {
        let body = with_code(sign_in("sam.worker", 7, "P"), "999999");
        let response = post(&app, "/api/v1/sessions", &body).await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            slowed = true;
            break;
        }
        assert_eq!(error_code(response).await, "second_factor_wrong");
    }
    assert!(slowed, "guessing codes is slowed like guessing passphrases");
}

async fn the_second_factor_is_added_replaced_or_taken_away_only_from_a_fresh_sign_in(db: Db) {
    let (app, _database, _dist) = start(db).await;
    // A phone left signed in cannot add one either: whoever holds it would lock the
    // person out of signing in, and recovering, anywhere else.
    let stale = signed_up(&app, "alex", 7).await;
    app.advance(FIFTEEN_MINUTES + 1);
    let response = set(&app, &stale, SECRET, code_now(&app, &SECRET, 0)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(response).await, "sign_in_again");
    assert!(!has_second_factor(&app, &stale).await);
    let response = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "P")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = crate::accounts::session_cookie(&response);
    let response = set(&app, &cookie, SECRET, code_now(&app, &SECRET, 0)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);

    // Later, the same session may neither replace it nor take it away.
    app.advance(FIFTEEN_MINUTES + 1);
    let other = [0x33; 20];
    let response = set(&app, &cookie, other, code_now(&app, &other, 0)).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(response).await, "sign_in_again");
    let response = remove(&app, &cookie).await;
    assert_eq!(error_code(response).await, "sign_in_again");
    assert!(has_second_factor(&app, &cookie).await);

    // A fresh sign-in (with the code) may replace it: then only the new one's codes work.
    let body = with_code(sign_in("alex", 7, "P"), &code_now(&app, &SECRET, 0));
    let response = post(&app, "/api/v1/sessions", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fresh = crate::accounts::session_cookie(&response);
    let response = set(&app, &fresh, other, code_now(&app, &other, 0)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    app.advance(30_000);
    let body = with_code(sign_in("alex", 7, "P"), &code_now(&app, &SECRET, 0));
    let response = post(&app, "/api/v1/sessions", &body).await;
    assert_eq!(error_code(response).await, "second_factor_wrong");
    let body = with_code(sign_in("alex", 7, "P"), &code_now(&app, &other, 0));
    let response = post(&app, "/api/v1/sessions", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let fresh = crate::accounts::session_cookie(&response);

    // And take it away: then the passphrase alone signs in again.
    assert_eq!(remove(&app, &fresh).await.status(), StatusCode::NO_CONTENT);
    assert!(!has_second_factor(&app, &fresh).await);
    let response = post(&app, "/api/v1/sessions", &sign_in("alex", 7, "P")).await;
    assert_eq!(response.status(), StatusCode::OK);
    // Without a session, neither is reached.
    let response = remove(&app, "no-such-session").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

async fn a_member_of_someone_elses_plan_keeps_their_second_factor(db: Db) {
    let (app, _database, _dist) = start(db).await;
    let person = Person::new("the.person", 1);
    let worker = Person::new("sam.worker", 2);
    let phone = phones::signed_up(&app, &person).await;
    let worker_phone = phones::signed_up(&app, &worker).await;
    let response = set(
        &app,
        &worker_phone.cookie,
        SECRET,
        code_now(&app, &SECRET, 0),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, plan) = attach(&app, &phone, 1).await;
    // Without one, an invite cannot be redeemed; with one it can.
    let id = InviteId::new(7).unwrap().to_text();
    let invites = format!("/api/v1/plans/{}/invites", plan.plan);
    let opened = json_post(
        &app,
        &invites,
        &serde_json::json!({ "id": id }),
        Some(&phone.cookie),
    )
    .await;
    assert_eq!(opened.status(), StatusCode::CREATED);
    let carer_phone = phones::signed_up(&app, &Person::new("jo.carer", 3)).await;
    let redeem = format!("/api/v1/invites/{id}/redemption");
    let body = crate::invites::redemption([1; 32], [2; 32]);
    let refused = json_post(&app, &redeem, &body, Some(&carer_phone.cookie)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(refused).await, "second_factor_required");
    enrolled(&app, &carer_phone).await;
    let redeemed = json_post(&app, &redeem, &body, Some(&carer_phone.cookie)).await;
    assert_eq!(redeemed.status(), StatusCode::NO_CONTENT);

    shared_with(
        &app,
        &phone,
        &person,
        &plan.plan,
        &[(&worker, Role::Worker)],
    )
    .await;

    let response = remove(&app, &worker_phone.cookie).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(response).await, "second_factor_in_use");
    assert!(has_second_factor(&app, &worker_phone.cookie).await);
    // The person, whose plan it is, may take their own away.
    let response = set(&app, &phone.cookie, SECRET, code_now(&app, &SECRET, 0)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        remove(&app, &phone.cookie).await.status(),
        StatusCode::NO_CONTENT
    );

    // Once the worker has left the plan, theirs may go too.
    let leave = format!("/api/v1/plans/{}/membership", plan.plan);
    let response = crate::invites::delete(&app, &leave, &worker_phone).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        remove(&app, &worker_phone.cookie).await.status(),
        StatusCode::NO_CONTENT
    );
}

/// Gives `phone`'s account a second factor, as a phone about to join someone else's plan
/// does (the server refuses a redemption without one).
pub(crate) async fn enrolled(app: &TestApp, phone: &phones::Phone) {
    let response = set(app, &phone.cookie, SECRET, code_now(app, &SECRET, 0)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}
