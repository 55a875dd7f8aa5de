//! Key epochs (SHARING decision 3, issue 14 item 7), over real HTTP on both databases:
//! removing someone who could read a section starts its next epoch in the same commit as
//! the removal, with the new key wrapped to exactly the readers who remain; from that
//! commit on, a change sealed under the old key is answered "stale epoch" and stored
//! nowhere, so its phone seals it again under the new key; and no two appends can start
//! the same epoch.

use coplan_domain::membership::{Op, Role, epoch_key_digest};
use coplan_domain::sync::{DocumentRequest, PushAnswer};
use reqwest::StatusCode;

use crate::helpers::{Db, TestApp, TestDatabase};
use crate::members::{Log, shared_with};
use crate::on_both_databases;
use crate::phones::{Person, Phone, attach, document, envelope_at, signed_up, sync};
use crate::sync::{append_with_keys, get_keys, key_at, members, put_keys};

on_both_databases!(
    a_removal_starts_a_new_epoch_for_the_readers_who_remain_and_stale_changes_go_again,
);

/// What one push of `sealed` to `document` came to.
async fn pushed(app: &TestApp, phone: &Phone, document: [u8; 16], sealed: Vec<u8>) -> PushAnswer {
    let request = DocumentRequest {
        document,
        after: 0,
        push: vec![sealed],
    };
    let answer = sync(app, phone, &[request]).await;
    answer[0].pushed[0]
}

async fn a_removal_starts_a_new_epoch_for_the_readers_who_remain_and_stale_changes_go_again(
    db: Db,
) {
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
    let safety = document(&plan, "safety_plan");
    let mut log = shared_with(
        &app,
        &phone,
        &person,
        &plan.plan,
        &[(&worker, Role::Worker), (&carer, Role::Carer)],
    )
    .await;
    let worker_sends = |counter: u64, epoch: u32| {
        envelope_at(
            &worker.keys,
            safety,
            (worker_phone.id, worker_phone.range),
            counter,
            b"words",
            epoch,
        )
    };
    assert!(matches!(
        pushed(&app, &worker_phone, safety, worker_sends(0, 0)).await,
        PushAnswer::Stored { seq: 1, .. }
    ));

    // The person removes the carer, who could read the safety plan: its epoch 1 starts,
    // with the new key's digest in the log and the key wrapped to the person and the
    // worker, and to no one else.
    let new_key = [0x51; 32];
    let removal = {
        let mut next = Log {
            person: &person,
            plan: log.plan,
            entries: log.entries.clone(),
        };
        vec![
            next.add(Op::Remove {
                member: carer.keys.public().signing,
            }),
            next.add(Op::StartEpoch {
                document: safety,
                epoch: 1,
                key_digest: epoch_key_digest(&log.plan, &safety, 1, &new_key),
            }),
        ]
    };
    let key = |to: &Person, epoch: u32, by: &Person| {
        key_at(&plan.plan, (safety, epoch), &by.keys, &to.keys, 0x51)
    };
    let after = log.entries.len() as u32;
    let refused_keys: [(&str, Vec<Vec<u8>>); 6] = [
        ("no keys at all", vec![]),
        (
            "none for the worker, who may still read",
            vec![key(&person, 1, &person)],
        ),
        (
            "one for the carer, who is removed",
            vec![
                key(&person, 1, &person),
                key(&worker, 1, &person),
                key(&carer, 1, &person),
            ],
        ),
        (
            "an epoch the entries do not start",
            vec![key(&person, 2, &person), key(&worker, 2, &person)],
        ),
        (
            "signed by someone other than the person",
            vec![key(&person, 1, &worker), key(&worker, 1, &worker)],
        ),
        (
            "the worker's twice, the person's missing",
            vec![key(&worker, 1, &person), key(&worker, 1, &person)],
        ),
    ];
    for (why, keys) in refused_keys {
        assert_eq!(
            append_with_keys(&app, &phone, &plan.plan, after, &removal, &keys).await,
            StatusCode::BAD_REQUEST,
            "{why}"
        );
        assert_eq!(
            members(&app, &phone, &plan.plan).await.1.len(),
            after as usize,
            "{why}: nothing appended"
        );
    }
    // Nothing moved: the carer still reads, and the worker's epoch 0 still goes in.
    assert!(matches!(
        pushed(&app, &worker_phone, safety, worker_sends(1, 0)).await,
        PushAnswer::Stored { seq: 2, .. }
    ));
    let good = [key(&person, 1, &person), key(&worker, 1, &person)];
    assert_eq!(
        append_with_keys(&app, &phone, &plan.plan, after, &removal, &good).await,
        StatusCode::NO_CONTENT
    );
    for entry in &removal {
        log.entries.push(entry.clone());
    }

    // The worker fetches the new key (with the old one); the carer reaches nothing.
    let (status, worker_keys) = get_keys(&app, &worker_phone, &plan.plan).await;
    assert_eq!(status, StatusCode::OK);
    assert!(worker_keys.contains(&good[1]));
    assert_eq!(
        get_keys(&app, &carer_phone, &plan.plan).await.0,
        StatusCode::NOT_FOUND
    );

    // A change sealed under epoch 0 after the removal is stale and stored nowhere; a
    // repeat of one stored before is still the same entry; the same words sealed under
    // epoch 1 go in; an epoch not started is refused.
    assert_eq!(
        pushed(&app, &worker_phone, safety, worker_sends(2, 0)).await,
        PushAnswer::StaleEpoch { counter: 2 }
    );
    assert_eq!(
        pushed(&app, &worker_phone, safety, worker_sends(1, 0)).await,
        PushAnswer::Stored { counter: 1, seq: 2 }
    );
    assert_eq!(
        pushed(&app, &worker_phone, safety, worker_sends(2, 1)).await,
        PushAnswer::Stored { counter: 2, seq: 3 }
    );
    assert_eq!(
        pushed(&app, &worker_phone, safety, worker_sends(3, 2)).await,
        PushAnswer::Refused { counter: 3 }
    );

    // A key for an epoch the log has not started is refused on its own too; one for the
    // epochs it has, to a reader, is taken (a member let in later needs them all).
    assert_eq!(
        put_keys(&app, &phone, &plan.plan, &[key(&worker, 2, &person)]).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        put_keys(&app, &phone, &plan.plan, &[key(&worker, 0, &person)]).await,
        StatusCode::NO_CONTENT
    );

    // Two of the person's phones starting epoch 2 at once: exactly one does.
    let next_key = [0x52; 32];
    let start = log.next(Op::StartEpoch {
        document: safety,
        epoch: 2,
        key_digest: epoch_key_digest(&log.plan, &safety, 2, &next_key),
    });
    let after = log.entries.len() as u32;
    let keys = [key(&person, 2, &person), key(&worker, 2, &person)];
    let (one, two) = tokio::join!(
        append_with_keys(
            &app,
            &phone,
            &plan.plan,
            after,
            std::slice::from_ref(&start),
            &keys
        ),
        append_with_keys(
            &app,
            &phone,
            &plan.plan,
            after,
            std::slice::from_ref(&start),
            &keys
        ),
    );
    let mut answers = [one, two];
    answers.sort();
    assert_eq!(answers, [StatusCode::NO_CONTENT, StatusCode::CONFLICT]);
    assert_eq!(
        pushed(&app, &worker_phone, safety, worker_sends(4, 1)).await,
        PushAnswer::StaleEpoch { counter: 4 }
    );
    app.stop().await;
}
