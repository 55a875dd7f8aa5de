//! Load for `cargo xtask bench` (issue 15): a phone holding 30 plans syncs every one of
//! their documents, through `POST /api/v1/sync` on a running server. Usage:
//! `sync_plans <base url>`.
//!
//! One account attaches 30 plans and puts `CHANGES` real sealed, signed changes in each
//! of their documents. Then, each five times: (1) every document of the 30 plans in one
//! request, catching up from nothing (every change pulled); (2) the same with nothing new
//! (each from its head: what most rounds are); and (3) and (4) those as the app's round
//! sends them today, one request per plan, one after another. This is the server's side
//! and the wire, natively: the phone's own work on the answer is not in it.

#[path = "load/mod.rs"]
mod load;

use std::time::{Duration, Instant};

use coplan_domain::plan::SectionKind;
use coplan_domain::sync::wire::{read_response, write_request};
use coplan_domain::sync::{DocumentRequest, DocumentResponse, PushAnswer};

use load::{Phone, run_id};

const PLANS: usize = 30;
const CHANGES: u64 = 20;

fn id(text: &str) -> [u8; 16] {
    std::array::from_fn(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex id"))
}

/// One sync request: the documents' answers, and how long it took.
async fn sync(
    phone: &Phone,
    base: &str,
    requests: &[DocumentRequest],
) -> (Vec<DocumentResponse>, Duration) {
    let started = Instant::now();
    let response = phone
        .client
        .post(format!("{base}/api/v1/sync"))
        .header("x-coplan", "1")
        .header("cookie", &phone.cookie)
        .body(write_request(requests))
        .send()
        .await
        .expect("sync");
    assert!(response.status().is_success(), "{}", response.status());
    let answer = read_response(&response.bytes().await.expect("body")).expect("answer");
    (answer, started.elapsed())
}

/// The median and the most of five, in milliseconds.
fn median_max(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (ms(times[times.len() / 2]), ms(times[times.len() - 1]))
}

#[tokio::main]
async fn main() {
    let base = std::env::args()
        .nth(1)
        .expect("usage: sync_plans <base url>");
    // From a loopback address of its own: sign-ups are limited per address, and the
    // bench's other loads sign up from 127.0.0.1.
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 99, 1]))
        .build()
        .expect("client");
    let phone = Phone::sign_up(&base, 0, run_id(), client).await;
    // The account's plans: the one it signed up with, and 29 more.
    let mut plans: Vec<Vec<([u8; 16], u8)>> = Vec::new();
    for n in 0..PLANS {
        let mut request = [0u8; 16];
        request[0] = n as u8;
        request[1] = 0xc0;
        let attached = load::attach(&phone.client, &base, &phone.cookie, request).await;
        plans.push(
            attached
                .documents
                .iter()
                .map(|d| {
                    let kind = SectionKind::DOCUMENTS
                        .into_iter()
                        .find(|k| k.key() == d.section)
                        .expect("a known section");
                    (id(&d.id), kind.code())
                })
                .collect(),
        );
    }
    let documents: usize = plans.iter().map(Vec::len).sum();

    // Each document's changes, pushed a plan at a time.
    let mut counter = 0u64;
    for documents in &plans {
        let requests: Vec<DocumentRequest> = documents
            .iter()
            .map(|&(document, kind)| DocumentRequest {
                document,
                after: u64::MAX >> 1,
                push: (0..CHANGES)
                    .map(|_| {
                        counter += 1;
                        phone.change(document, kind, counter, &[1; 60])
                    })
                    .collect(),
            })
            .collect();
        let (answer, _) = sync(&phone, &base, &requests).await;
        for response in &answer {
            assert!(
                response
                    .pushed
                    .iter()
                    .all(|p| matches!(p, PushAnswer::Stored { .. })),
                "every change is stored: {:?}",
                response.pushed.first()
            );
        }
    }

    let from = |heads: &[(usize, [u8; 16], u64)], plan: Option<usize>| -> Vec<DocumentRequest> {
        heads
            .iter()
            .filter(|(p, ..)| plan.is_none_or(|only| *p == only))
            .map(|&(_, document, after)| DocumentRequest {
                document,
                after,
                push: Vec::new(),
            })
            .collect()
    };
    let nothing: Vec<(usize, [u8; 16], u64)> = plans
        .iter()
        .enumerate()
        .flat_map(|(p, docs)| docs.iter().map(move |&(d, _)| (p, d, 0)))
        .collect();
    // Where each document's log stands, from one answer.
    let (answer, _) = sync(&phone, &base, &from(&nothing, None)).await;
    let pulled: usize = answer.iter().map(|r| r.pulled.len()).sum();
    let heads: Vec<(usize, [u8; 16], u64)> = nothing
        .iter()
        .map(|&(p, document, _)| {
            let head = answer
                .iter()
                .find(|r| r.document == document)
                .and_then(|r| r.pulled.last())
                .map_or(0, |e| e.seq);
            (p, document, head)
        })
        .collect();

    let mut lines = Vec::new();
    for (what, state) in [
        ("catching up from nothing", &nothing),
        ("nothing new (each from its head)", &heads),
    ] {
        let mut one = Vec::new();
        let mut each = Vec::new();
        for _ in 0..5 {
            one.push(sync(&phone, &base, &from(state, None)).await.1);
            let started = Instant::now();
            for plan in 0..PLANS {
                sync(&phone, &base, &from(state, Some(plan))).await;
            }
            each.push(started.elapsed());
        }
        let ((one_median, one_max), (each_median, each_max)) = (median_max(one), median_max(each));
        lines.push(format!(
            "  {what}: in one request {one_median:.1} ms median, {one_max:.1} ms max of 5; one request a plan (as a round sends them now) {each_median:.1} ms, {each_max:.1} ms"
        ));
    }
    println!(
        "syncing the {documents} documents of {PLANS} plans on one phone ({CHANGES} changes each, {pulled} envelopes in all), natively against the server:"
    );
    for line in lines {
        println!("{line}");
    }
}
