//! Two server processes on one PostgreSQL database share the work (SHARING decision 2):
//! a phone parked on one hears at once of a change pushed through the other, and a phone
//! signed out through one has its wait on the other ended. The word between them is
//! PostgreSQL's `NOTIFY` (`coplan_server::news`).

use std::time::{Duration, Instant};

use coplan_domain::sync::DocumentRequest;
use coplan_domain::sync::wire::{read_response, write_request};
use reqwest::StatusCode;

use crate::crash::ServerProcess;
use crate::helpers::{Db, TestDatabase, fake_dist};
use crate::phones::{
    Person, Phone, Served, attach, document, envelope, signed_in, signed_up, sync,
};

/// Changes pushed through one process while a phone waits on the other.
const ROUNDS: usize = 50;

async fn wait_on(
    server: &ServerProcess,
    phone: &Phone,
    document: [u8; 16],
    after: u64,
) -> reqwest::Response {
    server
        .client()
        .post(server.url("/api/v1/sync/wait?seconds=25"))
        .header("x-coplan", "1")
        .header("content-type", "application/octet-stream")
        .header("cookie", format!("__Host-coplan_session={}", phone.cookie))
        .body(write_request(&[DocumentRequest {
            document,
            after,
            push: Vec::new(),
        }]))
        .send()
        .await
        .unwrap()
}

/// Two server processes on one new PostgreSQL database, and Kit with a phone on each
/// and a plan attached through the first.
struct Setup {
    one: ServerProcess,
    two: ServerProcess,
    kit: Person,
    first: Phone,
    second: Phone,
    safety: [u8; 16],
    _database: TestDatabase,
    _dir: tempfile::TempDir,
}

impl Setup {
    async fn start() -> Self {
        let database = TestDatabase::new(Db::Postgres).await;
        let (dir, dist) = fake_dist();
        let one = ServerProcess::start(&database.url, &dist);
        let two = ServerProcess::start(&database.url, &dist);
        let kit = Person::new("kit", 0x4e);
        let first = signed_up(&one, &kit).await;
        let (status, plan) = attach(&one, &first, 5).await;
        assert_eq!(status, StatusCode::CREATED);
        let safety = document(&plan, "safety_plan");
        let second = signed_in(&two, &kit).await;
        Self {
            one,
            two,
            kit,
            first,
            second,
            safety,
            _database: database,
            _dir: dir,
        }
    }
}

#[tokio::test]
async fn a_phone_waiting_on_one_process_hears_at_once_of_a_push_through_another() {
    let setup = Setup::start().await;

    let mut heard_ms = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS as u64 {
        let parked = wait_on(&setup.two, &setup.second, setup.safety, round);
        let push = async {
            // Long enough for the wait to park on the other process.
            tokio::time::sleep(Duration::from_millis(100)).await;
            let sealed = envelope(
                &setup.kit.keys,
                setup.safety,
                &setup.first,
                round,
                b"a walk at noon",
            );
            sync(
                &setup.one,
                &setup.first,
                &[DocumentRequest {
                    document: setup.safety,
                    after: round + 1,
                    push: vec![sealed],
                }],
            )
            .await;
            Instant::now()
        };
        let (answer, pushed_at) = tokio::join!(parked, push);
        let heard = pushed_at.elapsed();
        assert_eq!(answer.status(), StatusCode::OK);
        let heads = read_response(&answer.bytes().await.unwrap()).unwrap();
        assert_eq!(heads[0].head, round + 1, "round {round}");
        // Far below the 25 s a wait lasts with no word: the word crossed between processes.
        assert!(
            heard < Duration::from_secs(2),
            "round {round}: heard after {heard:?}"
        );
        heard_ms.push(heard.as_secs_f64() * 1000.0);
    }
    heard_ms.sort_by(f64::total_cmp);
    let p99 = heard_ms[(ROUNDS * 99).div_ceil(100) - 1];
    println!(
        "a push through one process reached a wait parked on the other: p50 {:.1} ms, p99 \
         {p99:.1} ms over {ROUNDS} pushes",
        heard_ms[ROUNDS / 2]
    );
}

#[tokio::test]
async fn a_phone_signed_out_through_one_process_has_its_wait_on_another_ended() {
    let setup = Setup::start().await;
    let second_id = coplan_domain::sync::id_to_hex(&setup.second.id);

    let parked = wait_on(&setup.two, &setup.second, setup.safety, 0);
    let removal = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let removed = setup
            .one
            .client()
            .delete(setup.one.url(&format!("/api/v1/phones/{second_id}")))
            .header("x-coplan", "1")
            .header(
                "cookie",
                format!("__Host-coplan_session={}", setup.first.cookie),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        Instant::now()
    };
    let (answer, removed_at) = tokio::join!(parked, removal);
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let took = removed_at.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "the wait ended {took:?} after"
    );
}

#[tokio::test]
async fn an_account_turned_off_by_the_command_has_its_waits_on_every_process_ended() {
    // H46: the service's `coplan-server disable` is a process of its own; a wait parked
    // by the account on a running server is answered at once, not when it runs out.
    let setup = Setup::start().await;
    let parked = wait_on(&setup.two, &setup.second, setup.safety, 0);
    let command = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let url = setup._database.url.clone();
        let done = tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_coplan-server"))
                .args(["disable", "kit"])
                .env("DATABASE_URL", url)
                .env("COPLAN_LOG", "warn")
                .output()
                .expect("the command runs")
        })
        .await
        .unwrap();
        assert!(done.status.success(), "{done:?}");
        Instant::now()
    };
    let (answer, turned_off_at) = tokio::join!(parked, command);
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let took = turned_off_at.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "the wait ended {took:?} after"
    );
}
