//! The CRDT client ids a tab writes plan sections under, in headless Chromium (review 1,
//! client ids): one per tab, reused from visit to visit, never shared by two tabs or two
//! live sessions of one section, and retired after a failed write or a plan brought back
//! from a file. Each test starts a plan of its own, so what it counts is its own.
#![cfg(target_arch = "wasm32")]

use coplan_app::components::save_status::SaveStatus;
use coplan_app::plan::{SectionSession, open_plan, writer};
use coplan_app::platform::claim_writer_slot;
use coplan_app::storage::Storage;
use coplan_domain::plan::{Edit, SectionDoc, SectionKind, SectionView};
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

struct Opened {
    kind: SectionKind,
    session: std::rc::Rc<SectionSession>,
    writing: RwSignal<u32>,
}

async fn open(kind: SectionKind) -> Opened {
    // Sessions write from tasks of their own: mounting (nothing) starts the executor, as
    // mounting the app does.
    leptos::mount::mount_to_body(|| ());
    let writing = RwSignal::new(0);
    let session = SectionSession::open(
        kind,
        RwSignal::new(SectionView::default()),
        RwSignal::new(SaveStatus::Idle),
        writing,
        RwSignal::new(false),
    )
    .await
    .unwrap();
    Opened {
        kind,
        session,
        writing,
    }
}

async fn pause(ms: i32) {
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(wait).await.unwrap();
}

impl Opened {
    /// Types `text` into the section's first field and waits until it is stored.
    async fn write(&self, text: &str) {
        let field = self.kind.spec().fields[0].name;
        self.session
            .edit(Edit::SetField {
                field,
                text: text.into(),
            })
            .unwrap();
        for _ in 0..500 {
            pause(10).await;
            if self.writing.get_untracked() == 0 {
                return;
            }
        }
        panic!("the change was never stored");
    }
}

/// Starts a plan of its own for a test, so that what it counts is its own.
async fn new_plan() {
    Storage::shared().await.unwrap().start_plan().await.unwrap();
}

/// The client ids whose changes the stored section holds.
async fn stored_writers(kind: SectionKind) -> Vec<u32> {
    let storage = Storage::shared().await.unwrap();
    let plan = open_plan(&storage).await.unwrap().unwrap();
    let stored = storage.load_section(&plan, kind).await.unwrap();
    let doc = SectionDoc::new(kind, 1);
    for update in stored.all_updates() {
        doc.apply_stored(update).unwrap();
    }
    doc.writers()
}

#[wasm_bindgen_test]
async fn a_section_visited_again_in_this_tab_is_written_under_the_same_client_id() {
    new_plan().await;
    let kind = SectionKind::CarePlan;
    let first = open(kind).await;
    first.write("A flat of my own").await;
    drop(first);
    pause(50).await;
    let again = open(kind).await;
    again.write("A flat of my own, near my sister").await;
    assert_eq!(
        stored_writers(kind).await.len(),
        1,
        "one writer for two visits"
    );
}

#[wasm_bindgen_test]
async fn while_a_session_of_a_section_lives_another_in_this_tab_writes_under_another_id() {
    // Its last writes may still be on their way: sharing its id would let two documents
    // make different changes under the same name.
    new_plan().await;
    let kind = SectionKind::CrisisWishes;
    let first = open(kind).await;
    let second = open(kind).await;
    first.write("No restraint, please").await;
    second
        .write("No restraint, please; my sister knows why")
        .await;
    assert_eq!(stored_writers(kind).await.len(), 2);
    drop((first, second));
}

#[wasm_bindgen_test]
async fn two_tabs_never_hold_the_same_writer_slot() {
    // Web Locks are held across every tab of the site, so two claims here stand for two
    // tabs.
    let one = claim_writer_slot(writer::SLOTS).await.expect("a slot");
    let other = claim_writer_slot(writer::SLOTS)
        .await
        .expect("another slot");
    assert_ne!(one, other);
    assert_ne!(writer::slot_id(one), writer::slot_id(other));
    // A slot keeps its id until it is retired.
    let kept = writer::slot_id(one);
    assert_eq!(writer::slot_id(one), kept);
    assert_ne!(writer::retire_slot(one), kept);
    assert_ne!(writer::slot_id(one), kept);
}

#[wasm_bindgen_test]
async fn after_a_plan_comes_back_from_a_file_this_tab_writes_under_a_fresh_id() {
    new_plan().await;
    let kind = SectionKind::AboutMe;
    let first = open(kind).await;
    first.write("I grew up by the sea").await;
    drop(first);
    pause(50).await;
    writer::retire_everywhere();
    let again = open(kind).await;
    again.write("I grew up by the sea, in Hull").await;
    assert_eq!(stored_writers(kind).await.len(), 2);
}

#[wasm_bindgen_test]
async fn after_a_failed_write_the_next_visit_writes_under_a_fresh_id() {
    new_plan().await;
    let kind = SectionKind::CarePlan;
    let first = open(kind).await;
    first.write("Pacing").await;
    // The next write to IndexedDB fails once, as when the phone is short of space for a
    // moment; the session tries it again and it is stored.
    js_sys::Function::new_no_args(
        "const put = IDBObjectStore.prototype.put; let failNext = true;
         IDBObjectStore.prototype.put = function (...args) {
           if (failNext) { failNext = false; throw new DOMException('full', 'QuotaExceededError'); }
           return put.apply(this, args);
         };",
    )
    .call0(&wasm_bindgen::JsValue::NULL)
    .unwrap();
    first.write("Pacing at").await;
    drop(first);
    pause(50).await;
    let again = open(kind).await;
    again.write("Pacing at night").await;
    assert_eq!(stored_writers(kind).await.len(), 2);
}

#[wasm_bindgen_test]
async fn every_id_this_phone_writes_under_is_in_its_own_range() {
    // With sync, the phone registers its range in the plan's membership log, and other
    // phones refuse changes under ids outside the ranges registered to their signer.
    new_plan().await;
    let start = writer::range_start().expect("a range");
    assert_eq!(start % writer::RANGE, 0);
    let inside = |start: u32, id: u32| (start..start + writer::RANGE).contains(&id);
    let kind = SectionKind::CarePlan;
    let first = open(kind).await;
    first.write("A garden").await;
    let second = open(kind).await;
    second.write("A garden, with beans").await;
    let writers = stored_writers(kind).await;
    assert_eq!(writers.len(), 2, "{writers:?}");
    assert!(
        writers.iter().all(|&id| inside(start, id)),
        "{writers:?} from {start}"
    );

    // A plan brought back from a file: a fresh range for every slot.
    writer::retire_everywhere();
    let fresh = writer::range_start().unwrap();
    assert_ne!(fresh, start);
    drop((first, second));
    pause(50).await;
    let third = open(kind).await;
    third.write("A garden, with beans and peas").await;
    let writers = stored_writers(kind).await;
    assert_eq!(writers.len(), 3, "{writers:?}");
    assert_eq!(writers.iter().filter(|&&id| inside(fresh, id)).count(), 1);

    // A slot's retirements stay in its own part of the range.
    let slot = claim_writer_slot(writer::SLOTS).await.expect("a slot");
    let id = writer::slot_id(slot);
    assert_eq!(id, fresh + slot * writer::PER_SLOT);
    assert_eq!(writer::retire_slot(slot), id + 1);
}
