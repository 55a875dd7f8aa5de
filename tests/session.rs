//! Section sessions in headless Chromium: two screens (or two tabs) that open at once on
//! a phone with no plan start one plan between them, never two (review 1.11); and the
//! CRDT client ids a tab writes under (review 1, client ids).
#![cfg(target_arch = "wasm32")]

use coplan_app::components::save_status::SaveStatus;
use coplan_app::plan::SectionSession;
use coplan_app::plan::open_plan;
use coplan_app::storage::Storage;
use coplan_domain::plan::{Edit, SectionDoc, SectionKind, SectionView};
use leptos::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn two_sections_opening_at_once_on_a_new_phone_start_one_plan() {
    let open = |kind| {
        SectionSession::open(
            kind,
            RwSignal::new(SectionView::default()),
            RwSignal::new(SaveStatus::Idle),
            RwSignal::new(0),
            RwSignal::new(false),
        )
    };
    let (about, safety) = futures::join!(open(SectionKind::AboutMe), open(SectionKind::SafetyPlan));
    let (_about, _safety) = (about.unwrap(), safety.unwrap());
    let plans = Storage::shared().await.unwrap().all_plans().await.unwrap();
    assert_eq!(plans.len(), 1, "one plan, not one per screen");
}

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
