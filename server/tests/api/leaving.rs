//! A member leaves a plan on their own (issue 14 item 7, the member's own removal), over
//! real HTTP on both databases: from that request the server refuses them everything in
//! the plan and answers their parked wait at once; they stay refused when the person's
//! log grows, and once the person removes them; the person sees that they left (their
//! list of plans counts them to remove until they do, their people, their access log); the person cannot leave their own plan, and no one who is
//! not a member can leave it (the same 404 as for no plan).

use coplan_domain::membership::{Op, Right, Role};
use coplan_domain::wire::{AccessLog, People};
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::invites::{delete, get};
use crate::members::{answered_without_the_plan, park, pull, shared_with};
use crate::on_both_databases;
use crate::phones::{Person, Phone, attach, document, signed_up};
use crate::sync::append;

on_both_databases!(a_member_who_leaves_is_refused_at_once_until_removed_and_the_person_is_told,);

async fn a_member_who_leaves_is_refused_at_once_until_removed_and_the_person_is_told(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let person = Person::new("the.person", 1);
    let (worker, carer, stranger) = (
        Person::new("sam.worker", 2),
        Person::new("jo.carer", 3),
        Person::new("a.stranger", 4),
    );
    let phone = signed_up(&app, &person).await;
    let worker_phone = signed_up(&app, &worker).await;
    let carer_phone = signed_up(&app, &carer).await;
    let stranger_phone = signed_up(&app, &stranger).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    let safety = document(&plan, "safety_plan");
    let mut log = shared_with(
        &app,
        &phone,
        &person,
        &plan.plan,
        &[(&worker, Role::Worker), (&carer, Role::Carer)],
    )
    .await;
    let leave = format!("/api/v1/plans/{}/membership", plan.plan);
    let code = |response: reqwest::Response| async move {
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        (status, body["error"]["code"].as_str().unwrap().to_string())
    };
    let not_found = (StatusCode::NOT_FOUND, "not_found".to_string());
    assert_eq!(pull(&app, &worker_phone, safety).await, Some(0));
    assert_eq!(to_remove(&app, &phone, &plan.plan).await, 0);

    // Not a member: the same answer as for a plan that does not exist.
    assert_eq!(
        code(delete(&app, &leave, &stranger_phone).await).await,
        not_found
    );
    let nowhere = format!("/api/v1/plans/{}/membership", "ab".repeat(16));
    assert_eq!(
        code(delete(&app, &nowhere, &worker_phone).await).await,
        not_found
    );
    // The person may delete their plan, never leave it.
    assert_eq!(
        code(delete(&app, &leave, &phone).await).await,
        (StatusCode::CONFLICT, "own_plan".to_string())
    );

    // The worker's phone parks a wait on the safety plan, then the worker leaves.
    let parked = park(&app, &worker_phone, safety).await;
    assert_eq!(
        delete(&app, &leave, &worker_phone).await.status(),
        StatusCode::NO_CONTENT
    );
    answered_without_the_plan(parked).await;

    // Refused everything, as if the plan did not exist; the carer is not touched.
    refused(&app, &worker_phone, &plan.plan, safety, "once left").await;
    assert_eq!(pull(&app, &carer_phone, safety).await, Some(0));

    // The person sees it: among their people, and in their access log.
    let people_path = format!("/api/v1/plans/{}/people", plan.plan);
    let people: People = get(&app, &people_path, &phone).await.json().await.unwrap();
    let left: Vec<(&str, bool)> = people
        .people
        .iter()
        .map(|p| (p.username.as_str(), p.left))
        .collect();
    assert_eq!(left, [("jo.carer", false), ("sam.worker", true)]);
    assert_eq!(to_remove(&app, &phone, &plan.plan).await, 1);
    let access_path = format!("/api/v1/plans/{}/access", plan.plan);
    let access: AccessLog = get(&app, &access_path, &phone).await.json().await.unwrap();
    let lefts: Vec<_> = access
        .entries
        .iter()
        .filter(|e| e.action == "left")
        .map(|e| (e.who.0, e.target.as_str()))
        .collect();
    assert_eq!(lefts, [(worker.keys.public().signing, plan.plan.as_str())]);

    // The log grows (the carer may now read the care plan): the worker stays out.
    let mut rights = Role::Carer.default_rights();
    rights[1] = Right::Read;
    let changed = log.add(Op::ChangeRights {
        member: carer.keys.public().signing,
        rights,
    });
    assert_eq!(
        append(&app, &phone, &plan.plan, 3, &[changed]).await,
        StatusCode::NO_CONTENT
    );
    refused(
        &app,
        &worker_phone,
        &plan.plan,
        safety,
        "after the log grew",
    )
    .await;
    let people: People = get(&app, &people_path, &phone).await.json().await.unwrap();
    assert!(
        people
            .people
            .iter()
            .any(|p| p.username == "sam.worker" && p.left)
    );

    assert_eq!(to_remove(&app, &phone, &plan.plan).await, 1);

    // The person's phone removes them.
    let removal = log.add(Op::Remove {
        member: worker.keys.public().signing,
    });
    assert_eq!(
        append(&app, &phone, &plan.plan, 4, &[removal]).await,
        StatusCode::NO_CONTENT
    );
    refused(&app, &worker_phone, &plan.plan, safety, "once removed").await;
    // (A removed member stays among the people, with no right, no longer marked: the
    // phone reads the removal from the log.)
    let people: People = get(&app, &people_path, &phone).await.json().await.unwrap();
    assert!(
        people
            .people
            .iter()
            .any(|p| p.username == "sam.worker" && !p.left)
    );
    assert_eq!(to_remove(&app, &phone, &plan.plan).await, 0);
    app.stop().await;
}

/// Everything in the plan is refused to the member who left, as if it did not exist.
async fn refused(app: &TestApp, phone: &Phone, plan: &str, safety: [u8; 16], when: &str) {
    for path in [
        format!("/api/v1/plans/{plan}"),
        format!("/api/v1/plans/{plan}/keys"),
        format!("/api/v1/plans/{plan}/members"),
        format!("/api/v1/plans/{plan}/people"),
    ] {
        assert_eq!(
            get(app, &path, phone).await.status(),
            StatusCode::NOT_FOUND,
            "{when}: {path}"
        );
    }
    assert_eq!(pull(app, phone, safety).await, None, "{when}");
    let leave = format!("/api/v1/plans/{plan}/membership");
    assert_eq!(
        delete(app, &leave, phone).await.status(),
        StatusCode::NOT_FOUND,
        "{when}: leaving again"
    );
}

/// How many members of `plan` the person's list of plans says to remove.
pub(crate) async fn to_remove(app: &TestApp, phone: &Phone, plan: &str) -> u32 {
    let plans: coplan_domain::wire::Plans =
        get(app, "/api/v1/plans", phone).await.json().await.unwrap();
    plans
        .plans
        .iter()
        .find(|p| p.plan == plan)
        .map(|p| p.to_remove)
        .unwrap()
}
