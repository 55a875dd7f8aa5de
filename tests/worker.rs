//! What must work inside a Web Worker (where there is no `window`), where the checker of
//! files and, later, sync run: randomness comes from the global scope, so ids made there
//! differ, and a missing source fails loudly instead of giving zeros.
#![cfg(target_arch = "wasm32")]

use coplan_app::platform::{fresh_client_id, random_id};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
fn ids_made_in_a_worker_differ() {
    assert!(
        web_sys::window().is_none(),
        "this test must run in a worker"
    );
    let ids: std::collections::HashSet<String> = (0..50).map(|_| random_id()).collect();
    assert_eq!(ids.len(), 50);
    assert!(ids.iter().all(|id| id.len() == 32 && id != &"0".repeat(32)));
    let clients: std::collections::HashSet<u32> = (0..50).map(|_| fresh_client_id()).collect();
    assert!(clients.len() > 45, "{clients:?}");
}

#[wasm_bindgen_test]
async fn a_worker_seals_and_opens_with_webcrypto() {
    use coplan_app::storage::DataKey;
    use coplan_domain::sealed::Place;
    let place = Place {
        store: "drafts",
        key: "plan-1",
    };
    let key = DataKey::generate().await.expect("WebCrypto in a worker");
    let sealed = key.seal(b"my reasons", place).await.unwrap();
    assert_eq!(key.open(&sealed, place).await.unwrap(), b"my reasons");
}
