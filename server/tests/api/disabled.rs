//! A service turns off the account of someone who left (issue 14 item 11), over real HTTP
//! on both databases: from the next request every session of it is refused with 403
//! `account_disabled`, and so is a sign-in, but only once the passphrase is right (a wrong
//! one is told only that it is wrong); the person whose plan it was a member of sees it
//! marked, to remove it. The `coplan-server disable` command is this store call and a
//! message (`server/src/main.rs`).

use coplan_domain::membership::Role;
use coplan_domain::wire::{Bytes, People, SignIn};
use coplan_server::storage::Store as _;
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::invites::get;
use crate::members::shared_with;
use crate::on_both_databases;
use crate::phones::{Person, attach, json_post, signed_up, sync_raw};

on_both_databases!(a_disabled_account_is_refused_everywhere_and_the_person_is_told,);

async fn a_disabled_account_is_refused_everywhere_and_the_person_is_told(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let person = Person::new("the.person", 1);
    let worker = Person::new("sam.worker", 2);
    let phone = signed_up(&app, &person).await;
    let worker_phone = signed_up(&app, &worker).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    shared_with(
        &app,
        &phone,
        &person,
        &plan.plan,
        &[(&worker, Role::Worker)],
    )
    .await;
    let plan_path = format!("/api/v1/plans/{}", plan.plan);
    assert_eq!(
        get(&app, &plan_path, &worker_phone).await.status(),
        StatusCode::OK
    );
    let people_path = format!("/api/v1/plans/{}/people", plan.plan);
    let people: People = get(&app, &people_path, &phone).await.json().await.unwrap();
    assert!(!people.people[0].disabled);
    assert_eq!(crate::leaving::to_remove(&app, &phone, &plan.plan).await, 0);

    let id = app
        .db
        .disable_account("sam.worker", app.now_ms())
        .await
        .unwrap();
    assert_eq!(id.as_deref(), Some(worker_phone.account.as_str()));
    // Again: still the same account, still off. No such account: none.
    assert!(
        app.db
            .disable_account("sam.worker", app.now_ms())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        app.db
            .disable_account("no.one", app.now_ms())
            .await
            .unwrap(),
        None
    );

    let code = |response: reqwest::Response| async move {
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        (status, body["error"]["code"].as_str().unwrap().to_string())
    };
    let disabled = (StatusCode::FORBIDDEN, "account_disabled".to_string());
    for path in ["/api/v1/account", "/api/v1/plans", plan_path.as_str()] {
        assert_eq!(
            code(get(&app, path, &worker_phone).await).await,
            disabled,
            "{path}"
        );
    }
    let body = coplan_domain::sync::wire::write_request(&[]);
    assert_eq!(
        code(sync_raw(&app, Some(&worker_phone.cookie), body).await).await,
        disabled
    );
    // Signing in: the right passphrase is told the account is off; a wrong one only that
    // it is wrong.
    let sign_in = |verifier: u8| SignIn {
        username: "sam.worker".into(),
        verifier: Bytes([verifier; 32]),
        phone_name: "Another".into(),
        range_start: 3 * 4096,
        code: None,
    };
    assert_eq!(
        code(json_post(&app, "/api/v1/sessions", &sign_in(7), None).await).await,
        disabled
    );
    assert_eq!(
        code(json_post(&app, "/api/v1/sessions", &sign_in(9), None).await).await,
        (StatusCode::UNAUTHORIZED, "sign_in_failed".to_string())
    );
    assert_eq!(
        code(json_post(&app, "/api/v1/sessions/recovery", &sign_in(8), None).await).await,
        disabled
    );
    // The person still reaches their plan, and sees the worker's account marked as off.
    let people: People = get(&app, &people_path, &phone).await.json().await.unwrap();
    assert_eq!(people.people.len(), 1);
    assert!(people.people[0].disabled);
    assert_eq!(crate::leaving::to_remove(&app, &phone, &plan.plan).await, 1);
    assert_eq!(get(&app, &plan_path, &phone).await.status(), StatusCode::OK);
    app.stop().await;
}
