//! The IndexedDB storage module in a real browser (headless Chromium, through
//! wasm-bindgen-test): a randomly named database per test.
#![cfg(target_arch = "wasm32")]

use coplan_app::storage::{SCHEMA_VERSION, Storage, StorageError};
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
    assert_eq!(stores, vec!["drafts".to_string(), "meta".to_string()]);
    assert_eq!(storage.current_draft().await.unwrap(), None);
    assert_eq!(SCHEMA_VERSION, 1);
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
