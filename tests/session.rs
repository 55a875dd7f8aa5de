//! Opening a section on a phone with no plan yet, in headless Chromium: two screens (or
//! two tabs) that open at once start one plan between them, never two (review 1.11).
#![cfg(target_arch = "wasm32")]

use coplan_app::components::save_status::SaveStatus;
use coplan_app::plan::SectionSession;
use coplan_app::storage::Storage;
use coplan_domain::plan::{SectionKind, SectionView};
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
