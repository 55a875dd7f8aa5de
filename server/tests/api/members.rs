//! Rights per member and section, enforced by the server (SHARING decision 4), over real
//! HTTP on both databases: the person adds a worker and a carer to the membership log
//! with their role's rights, and each then reaches each section exactly as far as the log
//! lets them: read to pull, edit to push, nothing else; a change of rights or a removal
//! takes effect on the next request. Members are only accounts on this server, with the
//! keys it holds for them.

use coplan_domain::keys::AccountKeys;
use coplan_domain::membership::{Op, Right, Role, entry_hash, sign_entry};
use coplan_domain::plan::SectionKind;
use coplan_domain::sync::{DocumentRequest, PushAnswer};
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::invites::get;
use crate::on_both_databases;
use crate::phones::{
    Person, Phone, attach, document, envelope, id_bytes, json_post, signed_up, sync,
};
use crate::sync::{append, get_keys, key_for, key_to, members, put_keys};

on_both_databases!(
    a_member_reaches_each_section_as_far_as_the_log_lets_them_and_no_further,
    a_removed_members_parked_wait_is_answered_at_once_without_the_plan,
    keys_go_only_to_members_who_may_read_and_members_fetch_their_own_and_the_log,
    a_members_suggestions_document_is_theirs_and_the_persons_alone,
    the_access_log_tells_the_person_what_members_did_and_no_one_else,
    a_member_removed_mid_flight_gets_nothing_once_the_removal_is_acknowledged,
);

/// The person's membership log as their phone writes it: each entry signed and chained.
pub(crate) struct Log<'a> {
    pub person: &'a Person,
    pub plan: [u8; 16],
    pub entries: Vec<Vec<u8>>,
}

impl Log<'_> {
    /// The entry `op` would be next.
    pub fn next(&self, op: Op) -> Vec<u8> {
        let previous = self.entries.last().map_or([0; 32], |e| entry_hash(e));
        let number = self.entries.len() as u32;
        sign_entry(&self.plan, number, &previous, 1_000, &op, &self.person.keys)
    }

    /// Signs `op` onto the log and gives the entry.
    pub fn add(&mut self, op: Op) -> Vec<u8> {
        let entry = self.next(op);
        self.entries.push(entry.clone());
        entry
    }
}

/// `who` joins in `role`, with that role's rights.
fn joins(who: &AccountKeys, role: Role) -> Op {
    Op::AddMember {
        signing: who.public().signing,
        receiving: who.public().receiving,
        role,
        rights: role.default_rights(),
    }
}

/// The person's log, the person first, then each of `members`, stored on the server.
pub(crate) async fn shared_with<'a>(
    app: &TestApp,
    phone: &Phone,
    person: &'a Person,
    plan: &str,
    members: &[(&Person, Role)],
) -> Log<'a> {
    let mut log = Log {
        person,
        plan: id_bytes(plan),
        entries: Vec::new(),
    };
    log.add(joins(&person.keys, Role::Person));
    for (member, role) in members {
        log.add(joins(&member.keys, *role));
    }
    assert_eq!(
        append(app, phone, plan, 0, &log.entries).await,
        StatusCode::NO_CONTENT
    );
    log
}

/// `phone` parks a 25-second wait on `document`, with nothing new: checked parked.
pub(crate) async fn park(
    app: &TestApp,
    phone: &Phone,
    document: [u8; 16],
) -> tokio::task::JoinHandle<reqwest::Result<reqwest::Response>> {
    let body = coplan_domain::sync::wire::write_request(&[DocumentRequest {
        document,
        after: 0,
        push: Vec::new(),
    }]);
    let parked = app
        .client
        .post(app.url("/api/v1/sync/wait?seconds=25"))
        .header("x-coplan", "1")
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .body(body)
        .send();
    let parked = tokio::spawn(parked);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!parked.is_finished(), "nothing new: the wait is parked");
    parked
}

/// A wait [`park`]ed, answered well before its 25 s ran out, without the document.
pub(crate) async fn answered_without_the_plan(
    parked: tokio::task::JoinHandle<reqwest::Result<reqwest::Response>>,
) {
    let answer = tokio::time::timeout(std::time::Duration::from_secs(10), parked)
        .await
        .expect("answered well before its 25 s ran out")
        .unwrap()
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let heads = coplan_domain::sync::wire::read_response(&answer.bytes().await.unwrap()).unwrap();
    assert!(heads.is_empty(), "the document is no longer in the answer");
}

/// What one phone gets back for one document: None when it is left out.
pub(crate) async fn pull(app: &TestApp, phone: &Phone, document: [u8; 16]) -> Option<u64> {
    let request = DocumentRequest {
        document,
        after: 0,
        push: Vec::new(),
    };
    sync(app, phone, &[request])
        .await
        .first()
        .map(|r| r.pulled.len() as u64)
}

async fn push(
    app: &TestApp,
    person: &Person,
    phone: &Phone,
    document: [u8; 16],
    counter: u64,
) -> bool {
    let sealed = envelope(&person.keys, document, phone, counter, b"words");
    let request = DocumentRequest {
        document,
        after: 0,
        push: vec![sealed],
    };
    let answer = sync(app, phone, &[request]).await;
    matches!(
        answer.first().map(|r| r.pushed.as_slice()),
        Some([PushAnswer::Stored { .. }])
    )
}

async fn a_member_reaches_each_section_as_far_as_the_log_lets_them_and_no_further(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let person = Person::new("the.person", 1);
    let (worker, carer, stranger) = (
        Person::new("sam.worker", 2),
        Person::new("jo.carer", 3),
        Person::new("a.stranger", 4),
    );
    let phone = signed_up(&app, &person).await;
    let (worker_phone, carer_phone, stranger_phone) = (
        signed_up(&app, &worker).await,
        signed_up(&app, &carer).await,
        signed_up(&app, &stranger).await,
    );
    let (_, plan) = attach(&app, &phone, 1).await;
    let plan_id = id_bytes(&plan.plan);
    let (safety, care, checks, card) = (
        document(&plan, "safety_plan"),
        document(&plan, "care_plan"),
        document(&plan, "check_ins"),
        document(&plan, "card"),
    );
    assert!(
        push(&app, &person, &phone, safety, 1).await,
        "the owner writes"
    );
    assert!(
        push(&app, &person, &phone, card, 1).await,
        "the owner writes the plan's card"
    );

    let mut log = Log {
        person: &person,
        plan: plan_id,
        entries: Vec::new(),
    };
    log.add(joins(&person.keys, Role::Person));
    // Keys no account here has, or an account's signing key with another receiving key,
    // are refused, and nothing is stored.
    let nobody = AccountKeys::from_random(&[0x99; 64]);
    let mixed = Op::AddMember {
        signing: worker.keys.public().signing,
        receiving: nobody.public().receiving,
        role: Role::Worker,
        rights: Role::Worker.default_rights(),
    };
    for bad in [joins(&nobody, Role::Worker), mixed] {
        let entries = [log.entries.clone(), vec![log.next(bad)]].concat();
        assert_eq!(
            append(&app, &phone, &plan.plan, 0, &entries).await,
            StatusCode::BAD_REQUEST
        );
    }
    // Before being added, the worker reaches nothing.
    assert_eq!(pull(&app, &worker_phone, safety).await, None);
    log.add(joins(&worker.keys, Role::Worker));
    log.add(joins(&carer.keys, Role::Carer));
    assert_eq!(
        append(&app, &phone, &plan.plan, 0, &log.entries).await,
        StatusCode::NO_CONTENT
    );
    // The person's phone adds the worker's phone with the range the server holds for it;
    // another range, or another account's phone, is refused.
    let worker_signing = worker.keys.public().signing;
    let phone_of = |phone: &Phone, range_start: u32| Op::AddPhone {
        member: worker_signing,
        phone: phone.id,
        range_start,
    };
    let after = log.entries.len() as u32;
    for bad in [
        phone_of(&worker_phone, worker_phone.range + 4096),
        phone_of(&stranger_phone, stranger_phone.range),
    ] {
        assert_eq!(
            append(&app, &phone, &plan.plan, after, &[log.next(bad)]).await,
            StatusCode::BAD_REQUEST
        );
    }
    let added = log.add(phone_of(&worker_phone, worker_phone.range));
    assert_eq!(
        append(&app, &phone, &plan.plan, after, &[added]).await,
        StatusCode::NO_CONTENT
    );

    // The worker edits the safety plan and reads the check-ins, but cannot write there.
    assert!(push(&app, &worker, &worker_phone, safety, 1).await);
    assert_eq!(pull(&app, &worker_phone, safety).await, Some(2));
    assert_eq!(pull(&app, &worker_phone, checks).await, Some(0));
    assert!(!push(&app, &worker, &worker_phone, checks, 2).await);
    // The carer reads the safety plan, cannot write in it, and cannot reach the care plan.
    assert_eq!(pull(&app, &carer_phone, safety).await, Some(2));
    assert!(!push(&app, &carer, &carer_phone, safety, 1).await);
    assert_eq!(pull(&app, &carer_phone, care).await, None);
    // Both read the plan's card (whose plan it is), and neither writes it.
    for (who, member_phone) in [(&worker, &worker_phone), (&carer, &carer_phone)] {
        assert_eq!(pull(&app, member_phone, card).await, Some(1));
        assert!(!push(&app, who, member_phone, card, 9).await);
    }
    // Someone never added reaches nothing.
    assert_eq!(pull(&app, &stranger_phone, safety).await, None);
    assert_eq!(pull(&app, &stranger_phone, card).await, None);

    // The carer's read of the safety plan taken away, the worker removed: at once.
    let mut fewer = Role::Carer.default_rights();
    fewer[2] = Right::None;
    let change = log.add(Op::ChangeRights {
        member: carer.keys.public().signing,
        rights: fewer,
    });
    let removal = log.add(Op::Remove {
        member: worker.keys.public().signing,
    });
    assert_eq!(
        append(&app, &phone, &plan.plan, 4, &[change, removal]).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(pull(&app, &carer_phone, safety).await, None);
    assert!(!push(&app, &worker, &worker_phone, safety, 3).await);
    assert_eq!(pull(&app, &worker_phone, checks).await, None);
    // The card goes with the last right: the carer still suggests to About me and reads
    // it; the worker, removed, does not.
    assert_eq!(pull(&app, &carer_phone, card).await, Some(1));
    assert_eq!(pull(&app, &worker_phone, card).await, None);
    // The owner still reaches everything.
    assert_eq!(pull(&app, &phone, safety).await, Some(2));
    app.stop().await;
}

async fn a_removed_members_parked_wait_is_answered_at_once_without_the_plan(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let person = Person::new("the.person", 1);
    let worker = Person::new("sam.worker", 2);
    let phone = signed_up(&app, &person).await;
    let worker_phone = signed_up(&app, &worker).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    let safety = document(&plan, "safety_plan");
    let mut log = shared_with(
        &app,
        &phone,
        &person,
        &plan.plan,
        &[(&worker, Role::Worker)],
    )
    .await;

    // The worker's phone parks a long-poll on the safety plan, with nothing new.
    let parked = park(&app, &worker_phone, safety).await;
    let removed = std::time::Instant::now();
    let removal = log.add(Op::Remove {
        member: worker.keys.public().signing,
    });
    assert_eq!(
        append(&app, &phone, &plan.plan, 2, &[removal]).await,
        StatusCode::NO_CONTENT
    );
    answered_without_the_plan(parked).await;
    assert!(removed.elapsed() < std::time::Duration::from_secs(10));
    app.stop().await;
}

async fn keys_go_only_to_members_who_may_read_and_members_fetch_their_own_and_the_log(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let person = Person::new("the.person", 1);
    let (carer, stranger) = (Person::new("jo.carer", 3), Person::new("a.stranger", 4));
    let phone = signed_up(&app, &person).await;
    let carer_phone = signed_up(&app, &carer).await;
    let stranger_phone = signed_up(&app, &stranger).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    shared_with(&app, &phone, &person, &plan.plan, &[(&carer, Role::Carer)]).await;
    // The carer may read the safety plan, not the care plan; the stranger nothing.
    let to =
        |section: &str, who: &Person, fresh: u8| key_for(&person, &plan, section, &who.keys, fresh);
    for refused in [
        to("care_plan", &carer, 2),
        to("safety_plan", &stranger, 3),
        to("card", &stranger, 5),
    ] {
        assert_eq!(
            put_keys(&app, &phone, &plan.plan, &[refused]).await,
            StatusCode::BAD_REQUEST
        );
    }
    // The plan's card goes to every member, whatever they may read.
    let carers = [to("safety_plan", &carer, 1), to("card", &carer, 6)];
    let stored = [
        carers[0].clone(),
        carers[1].clone(),
        to("safety_plan", &person, 4),
    ];
    assert_eq!(
        put_keys(&app, &phone, &plan.plan, &stored).await,
        StatusCode::NO_CONTENT
    );
    // Each member fetches only the keys wrapped to them, and the whole log.
    let (status, mut fetched) = get_keys(&app, &carer_phone, &plan.plan).await;
    let mut expected = carers.to_vec();
    fetched.sort();
    expected.sort();
    assert_eq!((status, fetched), (StatusCode::OK, expected));
    let (status, log) = members(&app, &carer_phone, &plan.plan).await;
    assert_eq!((status, log.len()), (StatusCode::OK, 2));
    assert_eq!(
        get_keys(&app, &stranger_phone, &plan.plan).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        members(&app, &stranger_phone, &plan.plan).await.0,
        StatusCode::NOT_FOUND
    );
    // The member learns the plan's documents (a phone let in from an invite has only the
    // plan's id); the stranger gets the same 404 as for no plan.
    let read_plan = format!("/api/v1/plans/{}", plan.plan);
    let seen = get(&app, &read_plan, &carer_phone).await;
    assert_eq!(seen.status(), StatusCode::OK);
    let seen: coplan_domain::wire::AttachedPlan = seen.json().await.unwrap();
    assert_eq!(seen, plan);
    assert_eq!(
        get(&app, &read_plan, &stranger_phone).await.status(),
        StatusCode::NOT_FOUND
    );
    // The person reads who the members are, by key and username; a member cannot.
    let people = format!("/api/v1/plans/{}/people", plan.plan);
    let seen: coplan_domain::wire::People = get(&app, &people, &phone).await.json().await.unwrap();
    let named: Vec<([u8; 32], String)> = seen
        .people
        .into_iter()
        .map(|p| (p.signing.0, p.username))
        .collect();
    assert_eq!(
        named,
        vec![(carer.keys.public().signing, "jo.carer".to_string())]
    );
    assert_eq!(
        get(&app, &people, &carer_phone).await.status(),
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

/// A member's suggestions document (SHARING decisions 2 and 4): named by the person in
/// the log, only for a section the member may suggest to; then only that member and the
/// person reach it, its key goes only to them, and the member's reach ends with their
/// right to suggest.
async fn a_members_suggestions_document_is_theirs_and_the_persons_alone(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let person = Person::new("the.person", 1);
    let (worker, carer) = (Person::new("sam.worker", 2), Person::new("jo.carer", 3));
    let phone = signed_up(&app, &person).await;
    let (worker_phone, carer_phone) = (
        signed_up(&app, &worker).await,
        signed_up(&app, &carer).await,
    );
    let (_, plan) = attach(&app, &phone, 1).await;
    let about = document(&plan, "about_me");
    let mut log = shared_with(
        &app,
        &phone,
        &person,
        &plan.plan,
        &[(&worker, Role::Worker), (&carer, Role::Carer)],
    )
    .await;
    let w = worker.keys.public().signing;
    let added = log.add(Op::AddPhone {
        member: w,
        phone: worker_phone.id,
        range_start: worker_phone.range,
    });
    assert_eq!(
        append(&app, &phone, &plan.plan, 3, &[added]).await,
        StatusCode::NO_CONTENT
    );
    let suggestions = [0x5a; 16];
    let names = |document: [u8; 16], section| Op::AddSuggestions {
        member: w,
        document,
        section,
    };
    // One for a section the worker edits, or under the id of a section's own document,
    // is refused, and nothing of it is stored.
    let after = log.entries.len() as u32;
    for bad in [
        names(suggestions, SectionKind::CarePlan),
        names(about, SectionKind::AboutMe),
    ] {
        assert_eq!(
            append(&app, &phone, &plan.plan, after, &[log.next(bad)]).await,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            members(&app, &phone, &plan.plan).await.1.len(),
            after as usize
        );
    }
    assert_eq!(pull(&app, &worker_phone, suggestions).await, None);
    let named = log.add(names(suggestions, SectionKind::AboutMe));
    assert_eq!(
        append(&app, &phone, &plan.plan, after, &[named]).await,
        StatusCode::NO_CONTENT
    );

    // The worker writes their suggestions there, not in About me itself; the person
    // reads them and may write there too; the carer reaches neither way.
    assert!(push(&app, &worker, &worker_phone, suggestions, 1).await);
    assert!(!push(&app, &worker, &worker_phone, about, 2).await);
    assert_eq!(pull(&app, &worker_phone, suggestions).await, Some(1));
    assert_eq!(pull(&app, &phone, suggestions).await, Some(1));
    assert!(push(&app, &person, &phone, suggestions, 1).await);
    assert_eq!(pull(&app, &carer_phone, suggestions).await, None);
    assert!(!push(&app, &carer, &carer_phone, suggestions, 1).await);
    // The plan's documents, as members learn them, are still its sections alone.
    let seen = get(&app, &format!("/api/v1/plans/{}", plan.plan), &worker_phone).await;
    let seen: coplan_domain::wire::AttachedPlan = seen.json().await.unwrap();
    assert_eq!(seen, plan);

    // Its key goes to the worker and the person, never the carer.
    assert_eq!(
        put_keys(
            &app,
            &phone,
            &plan.plan,
            &[key_to(
                &plan.plan,
                suggestions,
                &person.keys,
                &carer.keys,
                2
            )]
        )
        .await,
        StatusCode::BAD_REQUEST
    );
    let keys = [
        key_to(&plan.plan, suggestions, &person.keys, &worker.keys, 3),
        key_to(&plan.plan, suggestions, &person.keys, &person.keys, 4),
    ];
    assert_eq!(
        put_keys(&app, &phone, &plan.plan, &keys).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        get_keys(&app, &worker_phone, &plan.plan).await,
        (StatusCode::OK, vec![keys[0].clone()])
    );

    // With suggest on About me taken away, the worker reaches it no more; the person does.
    let mut rights = Role::Worker.default_rights();
    rights[0] = Right::Read;
    let after = log.entries.len() as u32;
    let change = log.add(Op::ChangeRights { member: w, rights });
    assert_eq!(
        append(&app, &phone, &plan.plan, after, &[change]).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(pull(&app, &worker_phone, suggestions).await, None);
    assert!(!push(&app, &worker, &worker_phone, suggestions, 2).await);
    assert_eq!(pull(&app, &phone, suggestions).await, Some(2));
    app.stop().await;
}

/// The access log (issue 14): the server tells the person, and no one else, whose phone
/// received which document's changes, sent changes to one, or fetched the plan's keys;
/// never the person's own, and never what was refused.
async fn the_access_log_tells_the_person_what_members_did_and_no_one_else(db: Db) {
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn(&database, std::path::Path::new("no-dist")).await;
    let person = Person::new("the.person", 1);
    let (worker, stranger) = (Person::new("sam.worker", 2), Person::new("a.stranger", 4));
    let phone = signed_up(&app, &person).await;
    let worker_phone = signed_up(&app, &worker).await;
    let stranger_phone = signed_up(&app, &stranger).await;
    let (_, plan) = attach(&app, &phone, 1).await;
    let (safety, care) = (document(&plan, "safety_plan"), document(&plan, "care_plan"));
    shared_with(
        &app,
        &phone,
        &person,
        &plan.plan,
        &[(&worker, Role::Worker)],
    )
    .await;
    assert!(push(&app, &person, &phone, safety, 1).await);
    // The worker's phone takes the safety plan in, writes in the care plan and fetches the
    // keys; asking for nothing new records nothing; the stranger is refused throughout.
    assert_eq!(pull(&app, &worker_phone, safety).await, Some(1));
    assert_eq!(pull(&app, &worker_phone, care).await, Some(0));
    assert!(push(&app, &worker, &worker_phone, care, 1).await);
    assert_eq!(
        get_keys(&app, &worker_phone, &plan.plan).await.0,
        StatusCode::OK
    );
    assert_eq!(pull(&app, &stranger_phone, safety).await, None);
    assert!(!push(&app, &stranger, &stranger_phone, care, 1).await);
    assert_eq!(pull(&app, &phone, safety).await, Some(1));

    let path = format!("/api/v1/plans/{}/access", plan.plan);
    let seen = get(&app, &path, &phone).await;
    assert_eq!(seen.status(), StatusCode::OK);
    let log: coplan_domain::wire::AccessLog = seen.json().await.unwrap();
    let hex = coplan_domain::sync::id_to_hex;
    let w = worker.keys.public().signing;
    let told: Vec<([u8; 32], String, String)> = log
        .entries
        .iter()
        .map(|e| (e.who.0, e.action.clone(), e.target.clone()))
        .collect();
    assert_eq!(
        told,
        vec![
            (w, "keys".to_string(), plan.plan.clone()),
            (w, "sent".to_string(), hex(&care)),
            (w, "received".to_string(), hex(&safety)),
        ]
    );
    assert!(log.entries.windows(2).all(|p| p[0].at_ms >= p[1].at_ms));
    // Nobody but the person reads it.
    for other in [&worker_phone, &stranger_phone] {
        assert_eq!(
            get(&app, &path, other).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    app.stop().await;
}

/// A member removed while their requests are in flight, 1,000 times: the worker's phone
/// keeps pulling the safety plan and pushing to the care plan, three requests at a time,
/// while the person removes them. Whatever was in flight may go either way; every
/// request sent after the removal was acknowledged gets nothing and stores nothing.
async fn a_member_removed_mid_flight_gets_nothing_once_the_removal_is_acknowledged(db: Db) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Instant;
    const TRIALS: u32 = 1_000;
    const AT_ONCE: usize = 3;
    let database = TestDatabase::new(db).await;
    let app = TestApp::spawn_with(&database, std::path::Path::new("no-dist"), |config| {
        config.max_in_flight = 1_000;
    })
    .await;
    let person = Person::new("the.person", 1);
    let worker = Arc::new(Person::new("sam.worker", 2));
    let phone = signed_up(&app, &person).await;
    let worker_phone = Arc::new(signed_up(&app, &worker).await);
    let counter = Arc::new(AtomicU64::new(1));
    let (mut after_ack, mut in_flight_got) = (0u32, 0u32);
    for trial in 0..TRIALS {
        let request: [u8; 16] = std::array::from_fn(|i| (trial >> (8 * (i % 4))) as u8);
        let body = serde_json::json!({ "request": coplan_domain::wire::Bytes(request) });
        let attached = json_post(&app, "/api/v1/plans", &body, Some(&phone.cookie)).await;
        let plan: coplan_domain::wire::AttachedPlan = attached.json().await.unwrap();
        let (safety, care) = (document(&plan, "safety_plan"), document(&plan, "care_plan"));
        let mut log = shared_with(
            &app,
            &phone,
            &person,
            &plan.plan,
            &[(&worker, Role::Worker)],
        )
        .await;
        assert!(push(&app, &person, &phone, safety, 1).await);
        // The worker's phone asks: each request pulls the safety plan and pushes to the
        // care plan, and says when it was sent and what it got.
        let ask = || {
            let (client, url) = (app.client.clone(), app.url("/api/v1/sync"));
            let (worker, worker_phone, counter) = (
                Arc::clone(&worker),
                Arc::clone(&worker_phone),
                Arc::clone(&counter),
            );
            async move {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let requests = [
                    DocumentRequest {
                        document: safety,
                        after: 0,
                        push: Vec::new(),
                    },
                    DocumentRequest {
                        document: care,
                        after: 0,
                        push: vec![envelope(&worker.keys, care, &worker_phone, n, b"words")],
                    },
                ];
                let sent = Instant::now();
                let answer = client
                    .post(url)
                    .header("x-coplan", "1")
                    .header("content-type", "application/octet-stream")
                    .header(
                        "cookie",
                        format!("__Host-coplan_session={}", worker_phone.cookie),
                    )
                    .body(coplan_domain::sync::wire::write_request(&requests))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(answer.status(), StatusCode::OK);
                let answer =
                    coplan_domain::sync::wire::read_response(&answer.bytes().await.unwrap())
                        .unwrap();
                let got = answer.iter().any(|r| {
                    !r.pulled.is_empty()
                        || r.pushed
                            .iter()
                            .any(|p| matches!(p, PushAnswer::Stored { .. }))
                });
                (sent, got)
            }
        };
        let asking: Vec<_> = (0..AT_ONCE).map(|_| tokio::spawn(ask())).collect();
        let removal = log.add(Op::Remove {
            member: worker.keys.public().signing,
        });
        let after = log.entries.len() as u32 - 1;
        assert_eq!(
            append(&app, &phone, &plan.plan, after, &[removal]).await,
            StatusCode::NO_CONTENT
        );
        let acknowledged = Instant::now();
        let mut answers = Vec::new();
        for asked in asking {
            answers.push(asked.await.unwrap());
        }
        // And one more, sent after the acknowledgement for certain.
        answers.push(ask().await);
        for (sent, got) in answers {
            if sent > acknowledged {
                after_ack += 1;
                assert!(
                    !got,
                    "trial {trial}: a request sent after the removal got something"
                );
            } else if got {
                in_flight_got += 1;
            }
        }
    }
    assert!(after_ack >= TRIALS);
    println!(
        "{db:?}: {TRIALS} removals; {after_ack} requests sent after the acknowledgement, none \
         served; {in_flight_got} in flight at the removal served"
    );
    app.stop().await;
}
