//! "Locked or open" has one answer on a page (review 8): once Coplan is locked, asking
//! for the database answers "locked" without opening IndexedDB again, until the right
//! PIN opens it. In headless Chromium, on the app's own database.
#![cfg(target_arch = "wasm32")]

use coplan_app::storage::{LockChoices, Storage, StorageError};
use coplan_domain::lock::SecretKind;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const PIN: &str = "482913";

/// Counts every `indexedDB.open` from now on, in `window.coplanOpens`.
fn count_opens() {
    js_sys::Function::new_no_args(
        "const open = IDBFactory.prototype.open; window.coplanOpens = 0;
         IDBFactory.prototype.open = function (...args) {
           window.coplanOpens += 1;
           return open.apply(this, args);
         };",
    )
    .call0(&JsValue::NULL)
    .unwrap();
}

fn opens() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"coplanOpens".into())
        .unwrap()
        .as_f64()
        .unwrap()
}

#[wasm_bindgen_test]
async fn once_locked_asking_for_the_database_opens_nothing_until_unlocked() {
    let storage = Storage::shared().await.unwrap();
    let choices = LockChoices {
        kind: SecretKind::Pin,
        wipe_after: 0,
        background_grace_s: 60,
        idle_s: 900,
    };
    storage.set_lock(PIN, choices).await.unwrap();
    drop(storage);
    let locked = Storage::lock_shared().expect("it was open");

    count_opens();
    for _ in 0..3 {
        assert_eq!(Storage::shared().await.err(), Some(StorageError::Locked));
    }
    assert_eq!(opens(), 0.0, "asked three times, opened nothing");

    locked.unlock(PIN, js_sys::Date::now()).await.unwrap();
    assert!(Storage::shared().await.is_ok());
    assert_eq!(
        opens(),
        0.0,
        "unlocking opens the connection it already had"
    );
}
