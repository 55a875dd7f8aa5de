//! A worker's caseload from what the phone holds, in a real browser (headless Chromium,
//! through wasm-bindgen-test): plans shared with the worker, each with its card, a care
//! plan the person and the worker marked agreed (half of them changed since), the
//! worker's suggestion waiting, and the membership log kept beside its sync record, as
//! the sync driver leaves them; listed by the app's own code (`account::caseload::cases`).
//!
//! As a test (`cargo xtask test`), 3 plans: each says what is waiting, what is due first.
//! As the bench (`cargo xtask bench`, built with `COPLAN_BENCH_CASELOAD=30`), it waits for
//! the bench page to slow the CPU down 4× (`tests/e2e/bench-wasm.mjs`), then prints how
//! long opening the caseload took.
#![cfg(target_arch = "wasm32")]

mod bench;

use coplan_app::account::caseload::{Due, SUMMARY_VERSION, Summary, cases};
use coplan_app::storage::Storage;
use coplan_domain::account::Username;
use coplan_domain::keys::{AccountKeys, AccountRecord};
use coplan_domain::membership::{CLIENT_RANGE, Op, Right, Role, entry_hash, sign_entry};
use coplan_domain::plan::agreement::{Mark, Statement, view_hash};
use coplan_domain::plan::suggestions::{Change, SuggestionsDoc};
use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp};
use coplan_domain::sync::DocumentSync;
use coplan_domain::sync::record::{PlanSync, SectionSync, SuggestionsSync};
use coplan_domain::wire::{Blob, MembershipLog};
use coplan_domain::{PlanDraft, PlanId};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const WORKER_PHONE: [u8; 16] = [0xbb; 16];
const PERSON_PHONE: [u8; 16] = [0xaa; 16];

/// How many plans: 30 for the bench, fewer as a test.
fn plans() -> usize {
    option_env!("COPLAN_BENCH_CASELOAD")
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}

fn stamp(at_ms: u64) -> Stamp {
    Stamp {
        author: AuthorId::parse("someone").expect("valid"),
        at_ms,
    }
}

/// A day as the card keeps it (`2027-03-03`).
fn day(ms: u64) -> String {
    let date = js_sys::Date::new(&(ms as f64).into());
    format!(
        "{:04}-{:02}-{:02}",
        date.get_utc_full_year(),
        date.get_utc_month() + 1,
        date.get_utc_date()
    )
}

/// The person's membership log: them, their phone, the worker and the worker's phone.
fn log(plan: &[u8; 16], person: &AccountKeys, worker: &AccountKeys) -> Vec<Vec<u8>> {
    let mut entries: Vec<Vec<u8>> = Vec::new();
    let (me, them) = (person.public(), worker.public());
    for op in [
        Op::AddMember {
            signing: me.signing,
            receiving: me.receiving,
            role: Role::Person,
            rights: [Right::Edit; 5],
        },
        Op::AddPhone {
            member: me.signing,
            phone: PERSON_PHONE,
            range_start: CLIENT_RANGE,
        },
        Op::AddMember {
            signing: them.signing,
            receiving: them.receiving,
            role: Role::Worker,
            rights: Role::Worker.default_rights(),
        },
        Op::AddPhone {
            member: them.signing,
            phone: WORKER_PHONE,
            range_start: 2 * CLIENT_RANGE,
        },
    ] {
        let previous = entries.last().map_or([0; 32], |e| entry_hash(e));
        let entry = sign_entry(plan, entries.len() as u32, &previous, 1_000, &op, person);
        entries.push(entry);
    }
    entries
}

/// Stores plan `n` as a worker's phone holds it after a round: its card (the person's
/// name, a review `review_in_days` from now), a care plan both marked agreed (and, for
/// `changed`, a goal added since), the worker's suggestion to About me waiting, the
/// membership log kept, and the sync record naming the person.
async fn hold_plan(
    storage: &Storage,
    worker: &AccountKeys,
    n: usize,
    review_in_days: i64,
    changed: bool,
) {
    let now = js_sys::Date::now() as u64;
    let person = AccountKeys::from_random(&[n as u8 + 10; 64]);
    let plan = [n as u8 + 1; 16];
    let local = PlanId::parse(&format!("plan-{n}")).expect("an id");
    storage
        .save_draft(&PlanDraft::new(local.clone(), 1_000))
        .await
        .unwrap();
    let store = |kind: SectionKind, doc: SectionDoc| {
        let local = local.clone();
        async move {
            storage
                .append_update(&local, kind, 7, 1, &doc.encode_state())
                .await
                .unwrap();
        }
    };

    let card = SectionDoc::new(SectionKind::Card, CLIENT_RANGE);
    for (name, value) in [
        ("called", format!("Person {n}")),
        (
            "next_review",
            day(now.saturating_add_signed(review_in_days * DAY_MS as i64)),
        ),
    ] {
        card.apply(&Edit::SetChoice { name, value }, &stamp(now))
            .unwrap();
    }
    store(SectionKind::Card, card).await;

    let care = SectionDoc::new(SectionKind::CarePlan, CLIENT_RANGE);
    let goal = |id: &str, words: &str| Edit::AddItem {
        list: "goals",
        id: ItemId::parse(id).expect("an id"),
        parts: vec![("text", words.into())],
    };
    care.apply(&goal("g1", "Back to the allotment"), &stamp(now))
        .unwrap();
    let statement = Statement {
        plan,
        section: SectionKind::CarePlan,
        state: care.agreement_state(),
        view_hash: view_hash(&care.view()),
    };
    let agreed_at = now - 3 * DAY_MS;
    for keys in [&person, worker] {
        let mark = Mark::sign(statement.clone(), keys, agreed_at);
        care.add_mark(&mark, &care.view()).unwrap();
    }
    if changed {
        care.apply(&goal("g2", "Sleep before midnight"), &stamp(now))
            .unwrap();
    }
    store(SectionKind::CarePlan, care).await;

    let about = SectionDoc::new(SectionKind::AboutMe, CLIENT_RANGE);
    let suggestions = SuggestionsDoc::new(SectionKind::AboutMe, 2 * CLIENT_RANGE);
    suggestions
        .suggest(
            &ItemId::parse("s1").expect("an id"),
            &Change::Field {
                field: "what_matters",
                text: "Long walks by the river".into(),
            },
            &about.view(),
            now,
        )
        .unwrap();

    let entries = log(&plan, &person, worker);
    let kept = MembershipLog {
        entries: entries
            .into_iter()
            .map(|e| Blob::new(e).expect("within bounds"))
            .collect(),
    };
    storage
        .keep_members_copy(&local, &serde_json::to_vec(&kept).unwrap())
        .await
        .unwrap();
    let section = |name: &str, document: u8| {
        SectionSync::new(
            name.into(),
            [document; 32],
            DocumentSync::new([document; 16], WORKER_PHONE),
        )
    };
    let record = PlanSync {
        request: [n as u8; 16],
        plan: Some(plan),
        person: Some(person.public().signing),
        keys_stored: true,
        documents: vec![
            section("card", 1),
            section("about_me", 2),
            section("care_plan", 3),
        ],
        suggestions: vec![SuggestionsSync {
            member: worker.public().signing,
            state: suggestions.encode_state(),
            sync: section("about_me", 4),
        }],
    };
    storage.save_sync_record(&local, &record).await.unwrap();
}

/// Each plan shared with the worker is listed by the person's name with what is waiting
/// on it, a passed review first, then a part changed since it was agreed, then a review
/// coming up; the worker's own waiting suggestion is counted on each.
#[wasm_bindgen_test]
async fn the_caseload_lists_each_shared_plan_with_what_is_waiting_most_pressing_first() {
    let count = plans();
    let storage = Storage::open(&format!(
        "coplan-caseload-{}",
        js_sys::Math::random().to_bits()
    ))
    .await
    .unwrap();
    let worker = AccountKeys::from_random(&[2; 64]);
    storage
        .save_account(&AccountRecord {
            server_id: "server".into(),
            username: Username::parse("sam.worker").unwrap(),
            account: "account".into(),
            phone: coplan_domain::sync::id_to_hex(&WORKER_PHONE),
            range_start: 2 * CLIENT_RANGE,
            keys: worker,
        })
        .await
        .unwrap();
    let worker = AccountKeys::from_random(&[2; 64]);
    for n in 0..count {
        // A third passed their review a week ago, a third have one in a week, a third in
        // two months; every other care plan changed since it was agreed.
        let review = [-7, 7, 60][n % 3];
        hold_plan(&storage, &worker, n, review, n % 2 == 1).await;
    }

    let listed = cases(Some(storage.clone())).await.unwrap();
    assert_eq!(listed.len(), count);
    for case in &listed {
        let n: usize = case.called["Person ".len()..].parse().unwrap();
        let says = case.waiting.join(" | ");
        assert!(
            says.contains("1 of your suggestions is waiting for them"),
            "{says}"
        );
        assert_eq!(
            n % 2 == 1,
            says.contains("has changed since it was agreed"),
            "{says}"
        );
        let due = match (n % 3, n % 2) {
            (0, _) => Due::ReviewPassed,
            (_, 1) => Due::Changed,
            (1, _) => Due::ReviewSoon,
            _ => Due::Suggestions,
        };
        assert_eq!(case.due, due, "{}: {says}", case.called);
    }
    assert!(listed.windows(2).all(|w| w[0].due <= w[1].due));

    // What was worked out is kept, and used while nothing it came from is written: a
    // summary kept under the current token is what the list then says...
    let first = PlanId::parse("plan-0").unwrap();
    let kept = Summary {
        v: SUMMARY_VERSION,
        called: "Kept name".into(),
        review: String::new(),
        changed: Vec::new(),
    };
    // (A new token first: what the listing above keeps in the background is then not
    // used, whenever it lands.)
    storage.case_changed(&first).await.unwrap();
    let token = storage.case_token(&first).await.unwrap();
    storage
        .keep_case_copies(&[(first.clone(), token, kept.to_bytes())])
        .await
        .unwrap();
    let called = |listed: &[coplan_app::account::caseload::Case]| {
        let mut names: Vec<String> = listed.iter().map(|c| c.called.clone()).collect();
        names.sort();
        names
    };
    assert!(called(&cases(Some(storage.clone())).await.unwrap()).contains(&"Kept name".into()));
    // ...until a part of the plan is written: the worker changes plan 0's agreed care
    // plan (as typing, or a change taken in from the server, does), and the list says
    // so at once (it kept saying "Kept name", and nothing changed, before).
    let care = SectionDoc::new(SectionKind::CarePlan, 2 * CLIENT_RANGE);
    care.apply(
        &Edit::AddItem {
            list: "goals",
            id: ItemId::parse("g9").unwrap(),
            parts: vec![("text", "Cook on Sundays".into())],
        },
        &stamp(js_sys::Date::now() as u64),
    )
    .unwrap();
    storage
        .append_update(&first, SectionKind::CarePlan, 8, 1, &care.encode_state())
        .await
        .unwrap();
    let listed = cases(Some(storage.clone())).await.unwrap();
    let zero = listed.iter().find(|c| c.local == first).unwrap();
    assert_eq!(zero.called, "Person 0");
    assert!(
        zero.waiting
            .iter()
            .any(|w| w.contains("has changed since it was agreed")),
        "{:?}",
        zero.waiting
    );

    if option_env!("COPLAN_BENCH_CASELOAD").is_none() {
        return;
    }
    bench::go_ahead().await;
    let mut runs = [Vec::new(), Vec::new()];
    for kept in [false, true] {
        for _ in 0..5 {
            // What the last opening keeps in the background is done by now.
            coplan_app::platform::pause(1_000).await;
            if !kept {
                for n in 0..count {
                    let local = PlanId::parse(&format!("plan-{n}")).unwrap();
                    storage.case_changed(&local).await.unwrap();
                }
            }
            let started = bench::now();
            let listed = cases(Some(storage.clone())).await.unwrap();
            assert_eq!(listed.len(), count);
            runs[usize::from(kept)].push(bench::now() - started);
        }
    }
    for (times, what) in runs.iter_mut().zip([
        "every plan worked out again (as after a round changed each one)",
        "with what was worked out kept (as when nothing changed since)",
    ]) {
        times.sort_by(f64::total_cmp);
        bench::tell(&format!(
            "opening the caseload of a phone holding {count} shared plans (card, agreed care plan, a suggestion waiting, the kept membership log each), from IndexedDB to the list, {what}: median {:.0} ms, max {:.0} ms of 5 (budget 300 ms)",
            times[2], times[4]
        ));
    }
    bench::tell("done");
}

/// What the caseload keeps of a plan (on the phone, sealed) is pinned: version 1.
#[wasm_bindgen_test]
fn the_kept_case_format_is_pinned() {
    let summary = Summary {
        v: SUMMARY_VERSION,
        called: "Sam".into(),
        review: "2027-03-03".into(),
        changed: vec![("care_plan".into(), 5)],
    };
    let text = r#"{"v":1,"called":"Sam","review":"2027-03-03","changed":[["care_plan",5]]}"#;
    assert_eq!(String::from_utf8(summary.to_bytes()).unwrap(), text);
    assert_eq!(Summary::from_bytes(text.as_bytes()), Some(summary));
    assert_eq!(
        Summary::from_bytes(text.replace(r#""v":1"#, r#""v":2"#).as_bytes()),
        None
    );
}
