//! Building a part's history from what the history store holds, in a real browser
//! (headless Chromium, through wasm-bindgen-test): a safety plan written by three people,
//! each change sealed and signed as their phones send it, kept in IndexedDB as the sync
//! driver keeps it, then read back, checked against the membership log, opened and built
//! by the app's own code (`account::history::open_kept`, `plan::history::build_on`).
//!
//! As a test (`cargo xtask test`), 90 changes: each is told as its writer's. As the bench
//! (`cargo xtask bench`, built with `COPLAN_BENCH_HISTORY=10000`), it waits for the bench
//! page to slow the CPU down 4× (`tests/e2e/bench-wasm.mjs`), then prints how long
//! each step took.
#![cfg(target_arch = "wasm32")]

mod bench;

use coplan_app::account::history::{KEEP_UP_AFTER, Opened, Part, carry_on, open_kept};
use coplan_app::storage::Storage;
use coplan_domain::envelope::{Encoding, Header, What, seal};
use coplan_domain::keys::AccountKeys;
use coplan_domain::keys::forget_verified;
use coplan_domain::membership::{
    CLIENT_RANGE, Membership, Op, Right, Role, entry_hash, sign_entry,
};
use coplan_domain::plan::history::{self, Signed, Who};
use coplan_domain::plan::{SectionKind, workload};
use coplan_domain::sync::compaction;
use coplan_domain::sync::history::{HistoryEntry, change_payload};
use coplan_domain::sync::id_to_hex;
use coplan_domain::{PlanDraft, PlanId};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const PLAN: [u8; 16] = [0x11; 16];
const DOCUMENT: [u8; 16] = [0x22; 16];
const KEY: [u8; 32] = [0x33; 32];
const KIND: SectionKind = SectionKind::SafetyPlan;

/// How many changes: 10,000 for the bench, fewer as a test.
fn changes() -> usize {
    option_env!("COPLAN_BENCH_HISTORY")
        .and_then(|n| n.parse().ok())
        .unwrap_or(90)
}

/// The person, a worker and a carer, each with edit on the safety plan.
struct People {
    keys: [AccountKeys; 3],
    log: Vec<Vec<u8>>,
}

impl People {
    fn new() -> Self {
        let keys = [1u8, 2, 3].map(|n| AccountKeys::from_random(&[n; 64]));
        let person = keys[0].public();
        let mut log = Vec::new();
        let mut add = |op: Op| {
            let previous = log.last().map_or([0; 32], |e: &Vec<u8>| entry_hash(e));
            let entry = sign_entry(
                &PLAN,
                log.len() as u32,
                &previous,
                1_000 + log.len() as u64,
                &op,
                &keys[0],
            );
            log.push(entry);
        };
        add(Op::AddMember {
            signing: person.signing,
            receiving: person.receiving,
            role: Role::Person,
            rights: [Right::Edit; 5],
        });
        for (n, role) in [(0, Role::Person), (1, Role::Worker), (2, Role::Carer)] {
            let public = keys[n].public();
            if n > 0 {
                let mut rights = role.default_rights();
                rights[2] = Right::Edit;
                add(Op::AddMember {
                    signing: public.signing,
                    receiving: public.receiving,
                    role,
                    rights,
                });
            }
            add(Op::AddPhone {
                member: public.signing,
                phone: phone(n),
                range_start: range(n),
            });
        }
        Self { keys, log }
    }

    fn signing(&self, n: usize) -> [u8; 32] {
        self.keys[n].public().signing
    }

    /// Each change sealed and signed by its writer's phone, as the server numbers them.
    fn sealed(&self, written: &[workload::Written]) -> Vec<HistoryEntry> {
        written
            .iter()
            .enumerate()
            .map(|(at, change)| {
                let seq = at as u64 + 1;
                let header = Header {
                    what: What::Change,
                    encoding: Encoding::Yrs,
                    kind: KIND.code(),
                    plan: PLAN,
                    document: DOCUMENT,
                    epoch: 0,
                    device: phone(change.who),
                    counter: seq,
                    range_start: range(change.who),
                    covers: 0,
                };
                let mut nonce = [0u8; 24];
                nonce[..8].copy_from_slice(&seq.to_be_bytes());
                let payload = change_payload(change.at_ms, &change.update);
                HistoryEntry {
                    seq,
                    received_ms: change.at_ms + 1_000,
                    envelope: seal(&header, &payload, &KEY, &nonce, &self.keys[change.who])
                        .expect("a change seals"),
                }
            })
            .collect()
    }
}

fn phone(n: usize) -> [u8; 16] {
    [n as u8 + 1; 16]
}

/// Writer `n`'s range: `workload::three_writers` writes under `(n + 1) * 4096`.
fn range(n: usize) -> u32 {
    (n as u32 + 1) * CLIENT_RANGE
}

/// The app's steps, timed: the changes after `after` read from IndexedDB (each unsealed
/// from under the data key), checked and opened, then built on `kept`.
async fn build(
    storage: &Storage,
    plan: &PlanId,
    log: &Membership,
    person: &[u8; 32],
    kept: Option<&history::Kept>,
) -> (Vec<history::Entry>, history::Kept, [f64; 3]) {
    let started = bench::now();
    let after = kept.map_or(0, |k| k.after);
    let stored = storage
        .history_after(plan, &id_to_hex(&DOCUMENT), after)
        .await
        .expect("the history store reads");
    let read = bench::now();
    let (opened, complete) = open_kept(&stored, KIND, &DOCUMENT, &[(0, KEY)], log, person, None);
    assert!(complete, "every change's key is here");
    let checked = bench::now();
    let signed: Vec<Signed<'_>> = opened.iter().map(Opened::signed).collect();
    let (entries, keep) = history::build_on(KIND, kept, None, &signed).expect("a history");
    let built = bench::now();
    (
        entries,
        keep,
        [read - started, checked - read, built - checked],
    )
}

/// Each change is told as from the member who signed it, read back from IndexedDB
/// through the app's own checks; carried on from what was kept, the history is the same.
#[wasm_bindgen_test]
async fn a_history_kept_in_indexeddb_is_built_as_each_writer_wrote_it() {
    let count = changes();
    let people = People::new();
    let person = people.signing(0);
    let log = Membership::verify(&person, &PLAN, &people.log).expect("the log reads");
    let written = workload::three_writers(count);
    let sealed = people.sealed(&written);
    let storage = Storage::open(&format!(
        "coplan-history-{}",
        js_sys::Math::random().to_bits()
    ))
    .await
    .unwrap();
    let plan = PlanDraft::new(PlanId::parse("plan-1").unwrap(), 1_000);
    storage.save_draft(&plan).await.unwrap();
    for batch in sealed.chunks(500) {
        storage
            .keep_history(&plan.id, &id_to_hex(&DOCUMENT), batch)
            .await
            .unwrap();
    }

    let (whole, keep, _) = build(&storage, &plan.id, &log, &person, None).await;
    // Each writer's changes, and no one else's, are told as theirs.
    for n in 0..3 {
        let theirs = whole
            .iter()
            .filter(|e| e.who == Who::Member(people.signing(n)))
            .count();
        assert!(theirs > 0, "writer {n} is named");
    }
    assert!(
        whole
            .iter()
            .all(|e| (0..3).any(|n| e.who == Who::Member(people.signing(n)))),
        "every line names one of the three"
    );
    // (The last group may still grow, so it is kept open.)
    assert!(keep.after > 0 && keep.after <= count as u64);
    // The first `n` changes, checked and opened as the screen does.
    let open_first = |n: usize| {
        open_kept(
            &sealed[..n],
            KIND,
            &DOCUMENT,
            &[(0, KEY)],
            &log,
            &person,
            None,
        )
        .0
    };
    // Kept after all but the last 10, then carried on: the same history.
    let all_but = |n: usize| {
        let opened = open_first(n);
        let signed: Vec<Signed<'_>> = opened.iter().map(Opened::signed).collect();
        history::build_on(KIND, None, None, &signed)
            .expect("a history")
            .1
    };
    let kept = history::Kept::from_bytes(KIND, &all_but(count - 10).to_bytes()).expect("reads");
    let (carried, _, _) = build(&storage, &plan.id, &log, &person, Some(&kept)).await;
    assert_eq!(carried, whole);
    // Kept up a slice at a time (as the sync loop does once enough has arrived), the
    // history the screen then carries on with is the one built at once.
    let part = Part {
        local: &plan.id,
        kind: KIND,
        document: DOCUMENT,
        keys: vec![(0, KEY)],
        log: &log,
        person,
        joined_ms: None,
    };
    let mut slices = 0;
    loop {
        let carried = carry_on(&storage, &part, Some(25)).await.unwrap();
        slices += 1;
        if carried.reached || !carried.moved {
            assert!(carried.reached, "each slice of 25 moves on");
            break;
        }
    }
    assert!(slices > 1, "kept up in slices: {slices}");
    // (With more than a page of entries, as at the bench's 10,000 changes, the older
    // ones are read from their pages, newest first, as the screen does on asking.)
    let on_screen = carry_on(&storage, &part, None).await.unwrap();
    let mut read = on_screen.entries;
    for page in (0..on_screen.earlier).rev() {
        let bytes = storage
            .history_page(&plan.id, KIND.key(), page)
            .await
            .unwrap();
        read.extend(history::page_from_bytes(KIND, &bytes.expect("the page is kept")).unwrap());
    }
    assert_eq!(read, whole);

    if option_env!("COPLAN_BENCH_HISTORY").is_none() {
        return;
    }
    bench::go_ahead().await;
    let median = |mut runs: Vec<[f64; 3]>| {
        runs.sort_by(|a, b| a.iter().sum::<f64>().total_cmp(&b.iter().sum::<f64>()));
        let max: f64 = runs[runs.len() - 1].iter().sum();
        (runs[runs.len() / 2], max)
    };
    // Every signature checked afresh in each run (a phone remembers the ones it checked
    // lately: `keys::verify`).
    let mut fresh = Vec::new();
    for _ in 0..5 {
        forget_verified();
        fresh.push(build(&storage, &plan.id, &log, &person, None).await.2);
    }
    let bytes: usize = sealed.iter().map(|e| e.envelope.len()).sum();
    let ([read, checked, built], max) = median(fresh);
    bench::tell(&format!(
        "history of a safety plan, {count} changes by three people ({bytes} bytes sealed, {} lines), built from nothing: median {:.0} ms, max {max:.0} ms of 5 (read from IndexedDB and unsealed {read:.0} ms, signatures checked and opened {checked:.0} ms, built {built:.0} ms) (budget 200 ms)",
        whole.len(),
        read + checked + built
    ));
    // A new phone (or a member just let in) builds from nothing only what the server
    // still sends: the log's base snapshot, which a snapshot becomes only after a
    // fortnight unreported (the server's `COMPACTION_GRACE_MS`), and what follows it.
    // The person's phone seals a snapshot every 200 entries (about a busy week), so on a
    // busy plan that is about three thresholds' worth of changes; a phone that held
    // every change since the first has kept its history up as they came.
    let new_phone = (3 * compaction::THRESHOLD.changes as usize).min(count);
    let fresh_plan = PlanId::parse("plan-2").unwrap();
    storage
        .save_draft(&PlanDraft::new(fresh_plan.clone(), 1_000))
        .await
        .unwrap();
    storage
        .keep_history(&fresh_plan, &id_to_hex(&DOCUMENT), &sealed[..new_phone])
        .await
        .unwrap();
    let mut fresh = Vec::new();
    for _ in 0..5 {
        forget_verified();
        fresh.push(build(&storage, &fresh_plan, &log, &person, None).await.2);
    }
    let ([read, checked, built], max) = median(fresh);
    bench::tell(&format!(
        "history of a safety plan on a new phone, the {new_phone} changes a busy plan's log holds past its base snapshot, built from nothing, every signature checked afresh: median {:.0} ms, max {max:.0} ms of 5 (read and unsealed {read:.0} ms, signatures checked and opened {checked:.0} ms, built {built:.0} ms) (budget 200 ms)",
        read + checked + built
    ));
    // As the sync loop builds it: straight after the round that took those changes in
    // and checked their signatures (`history::keep_up`).
    forget_verified();
    let _ = open_first(new_phone);
    let mut warm = Vec::new();
    for _ in 0..5 {
        warm.push(build(&storage, &fresh_plan, &log, &person, None).await.2);
    }
    let ([read, checked, built], max) = median(warm);
    bench::tell(&format!(
        "the same, straight after the round that took them in (their signatures checked then): median {:.0} ms, max {max:.0} ms of 5 (read and unsealed {read:.0} ms, signatures looked up and opened {checked:.0} ms, built {built:.0} ms) (budget 200 ms)",
        read + checked + built
    ));
    // The screen's own step (`carry_on`): the kept history read (its state and newest
    // entries; older entries in pages it does not read), the changes after it read,
    // checked and opened, built on, and kept again. Behind by 10 changes, and by as many
    // as the sync loop lets it fall behind.
    for behind in [10, KEEP_UP_AFTER as usize] {
        let mut keep = all_but(count - behind);
        let pages = keep.page_out();
        for (page, entries) in &pages {
            storage
                .keep_history_page(
                    &plan.id,
                    KIND.key(),
                    *page,
                    &history::page_to_bytes(entries),
                )
                .await
                .unwrap();
        }
        let kept = keep.to_bytes();
        let mut runs = Vec::new();
        for _ in 0..5 {
            storage
                .keep_history_built(&plan.id, KIND.key(), &kept)
                .await
                .unwrap();
            // (Checked afresh: the phone may have checked them a round ago, or not.)
            forget_verified();
            let started = bench::now();
            let carried = carry_on(&storage, &part, None).await.unwrap();
            runs.push(bench::now() - started);
            assert_eq!(carried.earlier, keep.pages, "older pages are not read");
        }
        runs.sort_by(f64::total_cmp);
        bench::tell(&format!(
            "history of a safety plan, {count} changes by three people, carried on from the kept history with its last {behind} changes: median {:.0} ms, max {:.0} ms of 5 (the kept history {} bytes with {} of its {} entries, the rest in {} pages not read) (budget 200 ms)",
            runs[2],
            runs[4],
            kept.len(),
            keep.entries.len(),
            keep.entries.len() + pages.len() * history::PAGE_ENTRIES,
            pages.len(),
        ));
    }
    bench::tell("done");
}
