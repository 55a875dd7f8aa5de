//! The IndexedDB storage module in a real browser (headless Chromium, through
//! wasm-bindgen-test): a randomly named database per test.
#![cfg(target_arch = "wasm32")]

use coplan_app::storage::{SCHEMA_VERSION, Storage, StorageError};
use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp};
use coplan_domain::sync::history::HistoryEntry;
use coplan_domain::{PlanDraft, PlanId};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn random_name() -> String {
    format!("coplan-test-{}", js_sys::Math::random().to_bits())
}

fn draft(name: &str) -> PlanDraft {
    let mut d = PlanDraft::new(PlanId::parse("plan-1").unwrap(), 1_000);
    d.set_preferred_name(name, 2_000).unwrap();
    d
}

#[wasm_bindgen_test]
async fn a_new_database_starts_empty_at_the_current_schema() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let mut stores = storage.store_names();
    stores.sort();
    assert_eq!(
        stores,
        [
            "account",
            "drafts",
            "history",
            "meta",
            "open_copies",
            "section_snapshots",
            "section_updates",
            "sync"
        ]
    );
    assert_eq!(storage.current_draft().await.unwrap(), None);
    assert_eq!(SCHEMA_VERSION, 7);
}

#[wasm_bindgen_test]
async fn a_saved_draft_survives_closing_and_reopening() {
    let name = random_name();
    let storage = Storage::open(&name).await.unwrap();
    storage.save_draft(&draft("Sam")).await.unwrap();
    storage.save_draft(&draft("Samira")).await.unwrap();
    storage.close();

    let reopened = Storage::open(&name).await.unwrap();
    assert_eq!(
        reopened.current_draft().await.unwrap(),
        Some(draft("Samira"))
    );
}

#[wasm_bindgen_test]
async fn deleting_a_draft_forgets_it() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let d = draft("Sam");
    storage.save_draft(&d).await.unwrap();
    storage.delete_draft(&d.id).await.unwrap();
    assert_eq!(storage.current_draft().await.unwrap(), None);
}

#[wasm_bindgen_test]
async fn a_database_from_a_newer_version_is_refused_plainly() {
    let name = random_name();
    // A later build upgraded this phone's database; this build must not touch it.
    Storage::open_at(&name, SCHEMA_VERSION + 1)
        .await
        .unwrap()
        .close();
    match Storage::open(&name).await {
        Err(StorageError::NewerVersion) => {}
        Err(other) => panic!("expected NewerVersion, got {other:?}"),
        Ok(_) => panic!("a newer database was opened by an older build"),
    }
}

#[wasm_bindgen_test]
async fn an_upgrade_keeps_what_an_earlier_version_saved() {
    let name = random_name();
    let storage = Storage::open(&name).await.unwrap();
    storage.save_draft(&draft("Sam")).await.unwrap();
    storage.close();
    // The upgrade path runs from the stored version to a later one without losing data.
    let upgraded = Storage::open_at(&name, SCHEMA_VERSION + 1).await.unwrap();
    assert_eq!(upgraded.current_draft().await.unwrap(), Some(draft("Sam")));
}

#[wasm_bindgen_test]
async fn a_version_1_database_upgrades_and_keeps_its_draft() {
    let name = random_name();
    let v1 = Storage::open_at(&name, 1).await.unwrap();
    assert_eq!(v1.store_names().len(), 2);
    v1.save_draft(&draft("Sam")).await.unwrap();
    v1.close();
    let now = Storage::open(&name).await.unwrap();
    assert_eq!(now.store_names().len(), 8);
    assert_eq!(now.current_draft().await.unwrap(), Some(draft("Sam")));
}

fn reason(doc: &SectionDoc, id: &str, text: &str) -> Vec<u8> {
    let stamp = Stamp {
        author: AuthorId::parse("person").unwrap(),
        at_ms: 1,
    };
    let edit = Edit::AddItem {
        list: "reasons_for_living",
        id: ItemId::parse(id).unwrap(),
        parts: vec![("text", text.to_string())],
    };
    doc.apply(&edit, &stamp).unwrap()
}

fn reasons(doc: &SectionDoc) -> Vec<String> {
    doc.view().lists["reasons_for_living"]
        .items
        .iter()
        .map(|i| i.part("text").to_string())
        .collect()
}

/// What a tab does when it compacts: merge everything stored into its own document.
fn merge_into(doc: &SectionDoc) -> impl Fn(&coplan_app::storage::StoredSection) -> Vec<u8> + '_ {
    move |stored| {
        for update in stored.all_updates() {
            doc.apply_update(update).unwrap();
        }
        doc.encode_state()
    }
}

fn replay(stored: &coplan_app::storage::StoredSection) -> SectionDoc {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 77);
    for update in stored.all_updates() {
        doc.apply_update(update).unwrap();
    }
    doc
}

#[wasm_bindgen_test]
async fn two_tabs_writing_one_section_never_lose_each_others_changes() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let plan = PlanId::parse("plan-1").unwrap();
    storage
        .save_draft(&PlanDraft::new(plan.clone(), 1_000))
        .await
        .unwrap();
    let kind = SectionKind::SafetyPlan;
    // Two tabs of the same plan, each with its own CRDT client id, both counting from 0.
    let (tab_a, tab_b) = (SectionDoc::new(kind, 5), SectionDoc::new(kind, 6));
    storage
        .append_update(&plan, kind, 5, 0, &reason(&tab_a, "a0", "my cat"))
        .await
        .unwrap();
    storage
        .append_update(&plan, kind, 6, 0, &reason(&tab_b, "b0", "the sea"))
        .await
        .unwrap();
    storage
        .append_update(&plan, kind, 5, 1, &reason(&tab_a, "a1", "my sister"))
        .await
        .unwrap();
    let stored = storage.load_section(&plan, kind).await.unwrap();
    assert_eq!((stored.snapshot.is_none(), stored.updates.len()), (true, 3));

    // Tab A compacts: the snapshot holds tab B's change too, and the log is empty.
    storage
        .compact_section(&plan, kind, merge_into(&tab_a))
        .await
        .unwrap();
    let stored = storage.load_section(&plan, kind).await.unwrap();
    assert_eq!((stored.snapshot.is_some(), stored.updates.len()), (true, 0));
    assert_eq!(
        reasons(&replay(&stored)),
        ["my cat", "the sea", "my sister"]
    );

    // Tab B never saw tab A's words; its own compaction must not drop them.
    storage
        .append_update(&plan, kind, 6, 1, &reason(&tab_b, "b1", "football"))
        .await
        .unwrap();
    storage
        .compact_section(&plan, kind, merge_into(&tab_b))
        .await
        .unwrap();
    let stored = storage.load_section(&plan, kind).await.unwrap();
    let mut all = reasons(&replay(&stored));
    all.sort();
    assert_eq!(all, ["football", "my cat", "my sister", "the sea"]);

    // Another plan's section is untouched by all this.
    let other = storage
        .load_section(&PlanId::parse("plan-2").unwrap(), kind)
        .await
        .unwrap();
    assert_eq!(other, Default::default());
}

fn about_me_name(stored: &coplan_app::storage::StoredSection) -> String {
    let doc = SectionDoc::new(SectionKind::AboutMe, 99);
    for update in stored.all_updates() {
        doc.apply_update(update).unwrap();
    }
    doc.view().field("called").to_string()
}

fn name_update(name: &str) -> Vec<u8> {
    SectionDoc::new(SectionKind::AboutMe, 5)
        .apply(
            &Edit::SetField {
                field: "called",
                text: name.into(),
            },
            &Stamp {
                author: AuthorId::parse("phone-1").unwrap(),
                at_ms: 2_000,
            },
        )
        .unwrap()
}

#[wasm_bindgen_test]
async fn a_draft_name_moves_into_about_me_once() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let d = draft("Sam");
    storage.save_draft(&d).await.unwrap();
    storage.move_draft_name(&d, name_update).await.unwrap();
    let stored = storage
        .load_section(&d.id, SectionKind::AboutMe)
        .await
        .unwrap();
    assert_eq!(about_me_name(&stored), "Sam");
    let after = storage.current_draft().await.unwrap().unwrap();
    assert_eq!(
        after.preferred_name.as_str(),
        "",
        "the draft no longer holds the name"
    );
    // A second run finds nothing to move and writes nothing more.
    storage
        .move_draft_name(&after, |_| panic!("nothing left to move"))
        .await
        .unwrap();
    let again = storage
        .load_section(&d.id, SectionKind::AboutMe)
        .await
        .unwrap();
    assert_eq!(again.updates.len(), 1);
}

#[wasm_bindgen_test]
async fn deleting_a_plan_removes_all_it_holds_and_nothing_of_another() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let (one, two) = (draft("One"), {
        let mut d = PlanDraft::new(PlanId::parse("plan-2").unwrap(), 3_000);
        d.set_preferred_name("Two", 3_000).unwrap();
        d
    });
    for d in [&one, &two] {
        storage.save_draft(d).await.unwrap();
        storage.move_draft_name(d, name_update).await.unwrap();
        storage
            .compact_section(&d.id, SectionKind::AboutMe, |s| {
                let doc = SectionDoc::new(SectionKind::AboutMe, 7);
                for u in s.all_updates() {
                    doc.apply_update(u).unwrap();
                }
                doc.encode_state()
            })
            .await
            .unwrap();
        storage
            .append_update(&d.id, SectionKind::SafetyPlan, 9, 0, &[0, 0])
            .await
            .unwrap();
    }
    storage.delete_plan(&two.id).await.unwrap();
    let left = storage.all_plans().await.unwrap();
    assert_eq!(
        left.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
        vec![one.id.clone()]
    );
    for kind in [SectionKind::AboutMe, SectionKind::SafetyPlan] {
        let gone = storage.load_section(&two.id, kind).await.unwrap();
        assert_eq!(gone, Default::default(), "{kind:?} of the deleted plan");
        let kept = storage.load_section(&one.id, kind).await.unwrap();
        assert_ne!(kept, Default::default(), "{kind:?} of the other plan");
    }
    assert_eq!(
        storage.current_draft().await.unwrap(),
        None,
        "the open plan was deleted"
    );
}

#[wasm_bindgen_test]
async fn an_import_joins_what_is_stored_and_opens_the_plan() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let d = draft("Sam");
    storage.save_draft(&d).await.unwrap();
    storage.move_draft_name(&d, name_update).await.unwrap();
    let other = PlanDraft::new(PlanId::parse("plan-9").unwrap(), 5);
    storage.save_draft(&other).await.unwrap();
    // A file of plan-1 whose safety plan holds a reason: it joins plan-1, name kept.
    let reason_doc = SectionDoc::new(SectionKind::SafetyPlan, 31);
    reason(&reason_doc, "r1", "the sea");
    let sections = vec![(SectionKind::SafetyPlan, reason_doc.encode_state())];
    storage.import_plan(&d, &sections, 4242).await.unwrap();
    assert_eq!(storage.current_draft().await.unwrap().unwrap().id, d.id);
    let safety = storage
        .load_section(&d.id, SectionKind::SafetyPlan)
        .await
        .unwrap();
    assert_eq!(reasons(&replay(&safety)), ["the sea"]);
    let about = storage
        .load_section(&d.id, SectionKind::AboutMe)
        .await
        .unwrap();
    assert_eq!(about_me_name(&about), "Sam", "what was stored is kept");
    assert_eq!(storage.all_plans().await.unwrap().len(), 2);
}

/// Review 1.5: a tab that still has a deleted plan open (another tab deleted it) writes
/// nothing under it: no change and no snapshot is left behind (H14).
#[wasm_bindgen_test]
async fn a_deleted_plan_takes_no_more_writes_from_a_tab_that_still_has_it_open() {
    let name = random_name();
    let storage = Storage::open(&name).await.unwrap();
    let plan = draft("Sam");
    storage.save_draft(&plan).await.unwrap();
    let still_open = Storage::open(&name).await.unwrap();
    storage.delete_plan(&plan.id).await.unwrap();

    let doc = SectionDoc::new(SectionKind::SafetyPlan, 5);
    let appended = still_open
        .append_update(
            &plan.id,
            SectionKind::SafetyPlan,
            5,
            0,
            &reason(&doc, "r1", "my cat"),
        )
        .await;
    assert!(
        appended.is_err(),
        "a change was written under a deleted plan"
    );
    let compacted = still_open
        .compact_section(&plan.id, SectionKind::SafetyPlan, |_| doc.encode_state())
        .await;
    assert!(
        compacted.is_err(),
        "a snapshot was written under a deleted plan"
    );
    let left = storage
        .load_section(&plan.id, SectionKind::SafetyPlan)
        .await
        .unwrap();
    assert_eq!(left, Default::default());
}

/// Two tabs asking at once for this phone's author id get the same one, and it stays
/// (review 1.11: each read, found none, and wrote its own).
#[wasm_bindgen_test]
async fn two_connections_asking_at_once_get_one_author_for_the_phone() {
    let name = random_name();
    Storage::open(&name).await.unwrap().close();
    let first = Storage::open(&name).await.unwrap();
    let second = Storage::open(&name).await.unwrap();
    let (a, b) = futures::join!(first.local_author(), second.local_author());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    assert_eq!(first.local_author().await.unwrap(), a);
}

/// PRODUCT.md's budget for what a section costs to keep: months of mixed editing (typing
/// with corrections, list changes, check-ins, a new tab each session) store at most 4
/// bytes a keystroke once compacted. Measured on the sealed snapshots this phone writes
/// to IndexedDB, which must still read back as the very same states.
#[wasm_bindgen_test]
async fn months_of_mixed_editing_store_at_most_four_bytes_a_keystroke_once_compacted() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let plan = draft("");
    storage.save_draft(&plan).await.unwrap();
    let mixed = coplan_domain::plan::workload::mixed(50);
    let mut stored = 0;
    for (kind, state) in &mixed.states {
        let sealed = storage
            .compact_own_changes(&plan.id, *kind, 1, None, |_| state.clone())
            .await
            .unwrap();
        stored += sealed.len();
        let read = storage.load_section(&plan.id, *kind).await.unwrap();
        assert_eq!(read.snapshot.as_ref(), Some(state), "{kind:?}");
    }
    let per_keystroke = stored as f64 / mixed.keystrokes as f64;
    assert!(
        per_keystroke <= 4.0,
        "{stored} bytes stored for {} keystrokes: {per_keystroke:.2} a keystroke",
        mixed.keystrokes
    );
}

/// Snapshots stored plain (by builds before compression, or by a browser without
/// `CompressionStream`) still open, beside deflated ones.
#[wasm_bindgen_test]
async fn a_snapshot_stored_plain_still_opens() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let plan = draft("");
    storage.save_draft(&plan).await.unwrap();
    let states = coplan_domain::plan::workload::mixed(2).states;
    let global = js_sys::global();
    let compression = js_sys::Reflect::get(&global, &"CompressionStream".into()).unwrap();
    let mut sizes = Vec::new();
    for (n, (kind, state)) in states.iter().enumerate() {
        // The first section is compacted as a browser without compression would.
        let without = n == 0;
        if without {
            js_sys::Reflect::delete_property(&global, &"CompressionStream".into()).unwrap();
        }
        let sealed = storage
            .compact_own_changes(&plan.id, *kind, 1, None, |_| state.clone())
            .await;
        if without {
            js_sys::Reflect::set(&global, &"CompressionStream".into(), &compression).unwrap();
        }
        sizes.push((sealed.unwrap().len(), state.len()));
    }
    // Sealing adds 35 bytes; the plain one kept its size, the others shrank.
    assert_eq!(sizes[0].0, sizes[0].1 + 35, "{sizes:?}");
    assert!(
        sizes[1..].iter().all(|(kept, state)| kept < state),
        "{sizes:?}"
    );
    for (kind, state) in &states {
        let read = storage.load_section(&plan.id, *kind).await.unwrap();
        assert_eq!(read.snapshot.as_ref(), Some(state), "{kind:?}");
    }
}

fn entry(seq: u64) -> HistoryEntry {
    HistoryEntry {
        seq,
        received_ms: 1_700_000_000_000 + seq,
        envelope: vec![seq as u8; 40],
    }
}

/// The history store (docs/history.md): each document's changes come back in log order,
/// apart from other documents' and plans'; they go when their plan is deleted, and a
/// plan deleted meanwhile takes none.
#[wasm_bindgen_test]
async fn history_is_kept_per_document_in_log_order_and_goes_with_its_plan() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let plan = draft("Sam");
    let other = PlanDraft::new(PlanId::parse("plan-2").unwrap(), 1_000);
    storage.save_draft(&plan).await.unwrap();
    storage.save_draft(&other).await.unwrap();
    storage
        .keep_history(&plan.id, "d0c1", &[entry(3), entry(1)])
        .await
        .unwrap();
    storage
        .keep_history(&plan.id, "d0c1", &[entry(2)])
        .await
        .unwrap();
    storage
        .keep_history(&plan.id, "d0c2", &[entry(9)])
        .await
        .unwrap();
    storage
        .keep_history(&other.id, "d0c1", &[entry(7)])
        .await
        .unwrap();
    assert_eq!(
        storage.history(&plan.id, "d0c1").await.unwrap(),
        [entry(1), entry(2), entry(3)]
    );
    // Only what came after a log number, for carrying on a history kept as built.
    assert_eq!(
        storage.history_after(&plan.id, "d0c1", 1).await.unwrap(),
        [entry(2), entry(3)]
    );
    assert_eq!(
        storage.history_after(&plan.id, "d0c1", 3).await.unwrap(),
        []
    );

    storage.delete_plan(&plan.id).await.unwrap();
    assert_eq!(storage.history(&plan.id, "d0c1").await.unwrap(), []);
    assert_eq!(storage.history(&plan.id, "d0c2").await.unwrap(), []);
    assert_eq!(
        storage.history(&other.id, "d0c1").await.unwrap(),
        [entry(7)]
    );
    assert_eq!(
        storage.keep_history(&plan.id, "d0c1", &[entry(4)]).await,
        Err(StorageError::PlanGone)
    );
    assert_eq!(storage.history(&plan.id, "d0c1").await.unwrap(), []);
}

/// What the phone keeps beside a plan's sync record about who can see it (the writing
/// screens' lines, the access log in words, the membership log) names the plan's members: it opens again as
/// kept, and goes with the plan when the plan comes off the phone (removed from it, or
/// deleted here), so a removed member's phone keeps no names.
#[wasm_bindgen_test]
async fn what_is_kept_about_who_can_see_a_plan_goes_with_the_plan() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let plan = draft("Sam");
    storage.save_draft(&plan).await.unwrap();
    let other = PlanDraft::new(PlanId::parse("plan-2").unwrap(), 1_000);
    storage.save_draft(&other).await.unwrap();
    for id in [&plan.id, &other.id] {
        storage.keep_readers_copy(id, b"readers").await.unwrap();
        storage.keep_access_copy(id, b"access").await.unwrap();
        storage.keep_members_copy(id, b"members").await.unwrap();
        storage
            .keep_history_built(id, "safety_plan", b"built")
            .await
            .unwrap();
    }
    assert_eq!(
        storage
            .history_built(&plan.id, "safety_plan")
            .await
            .unwrap()
            .as_deref(),
        Some(&b"built"[..])
    );
    assert_eq!(
        storage.members_copy(&plan.id).await.unwrap().as_deref(),
        Some(&b"members"[..])
    );
    assert_eq!(
        storage.readers_copy(&plan.id).await.unwrap().as_deref(),
        Some(&b"readers"[..])
    );
    storage.delete_plan(&plan.id).await.unwrap();
    assert_eq!(storage.readers_copy(&plan.id).await.unwrap(), None);
    assert_eq!(storage.access_copy(&plan.id).await.unwrap(), None);
    assert_eq!(storage.members_copy(&plan.id).await.unwrap(), None);
    assert_eq!(
        storage
            .history_built(&plan.id, "safety_plan")
            .await
            .unwrap(),
        None,
        "a part's history as built goes with the plan too"
    );
    assert_eq!(
        storage.access_copy(&other.id).await.unwrap().as_deref(),
        Some(&b"access"[..]),
        "another plan's copies stay"
    );
}

/// A long history's older entries are kept in pages beside its kept form: each reads
/// back as kept; forgetting the part's history takes its pages too (and no other part's
/// or plan's); deleting the plan takes every page. None of it is read as a plan's sync
/// record.
#[wasm_bindgen_test]
async fn a_kept_historys_pages_read_back_and_go_with_it() {
    let storage = Storage::open(&random_name()).await.unwrap();
    let plan = draft("Sam");
    storage.save_draft(&plan).await.unwrap();
    let other = PlanDraft::new(PlanId::parse("plan-2").unwrap(), 1_000);
    storage.save_draft(&other).await.unwrap();
    for id in [&plan.id, &other.id] {
        for section in ["safety_plan", "care_plan"] {
            storage
                .keep_history_built(id, section, b"built")
                .await
                .unwrap();
            for page in 0..12u32 {
                let words = format!("{section} page {page}");
                storage
                    .keep_history_page(id, section, page, words.as_bytes())
                    .await
                    .unwrap();
            }
        }
    }
    assert_eq!(
        storage
            .history_page(&plan.id, "safety_plan", 11)
            .await
            .unwrap()
            .as_deref(),
        Some(&b"safety_plan page 11"[..])
    );
    assert_eq!(
        storage
            .history_page(&plan.id, "safety_plan", 12)
            .await
            .unwrap(),
        None
    );
    assert!(storage.sync_records().await.unwrap().is_empty());

    storage
        .forget_history_built(&plan.id, "safety_plan")
        .await
        .unwrap();
    assert_eq!(
        storage
            .history_built(&plan.id, "safety_plan")
            .await
            .unwrap(),
        None
    );
    for page in [0, 1, 2, 10, 11] {
        assert_eq!(
            storage
                .history_page(&plan.id, "safety_plan", page)
                .await
                .unwrap(),
            None,
            "page {page} is forgotten with it"
        );
    }
    assert_eq!(
        storage
            .history_page(&plan.id, "care_plan", 10)
            .await
            .unwrap()
            .as_deref(),
        Some(&b"care_plan page 10"[..]),
        "another part's pages stay"
    );
    storage.delete_plan(&plan.id).await.unwrap();
    for page in [0, 10] {
        assert_eq!(
            storage
                .history_page(&plan.id, "care_plan", page)
                .await
                .unwrap(),
            None
        );
    }
    assert_eq!(
        storage
            .history_page(&other.id, "safety_plan", 10)
            .await
            .unwrap()
            .as_deref(),
        Some(&b"safety_plan page 10"[..]),
        "another plan's pages stay"
    );
}
