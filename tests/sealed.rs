//! Encryption at rest and the app lock against the browser's real WebCrypto (headless
//! Chromium): the known-answer vector shared with the domain's native test, fresh nonces,
//! tamper detection that leaves the rest readable, no plaintext in IndexedDB, records from
//! before encryption (or under the old whole key) sealed on the way in, and the lock:
//! wrapping, re-wrapping, wrong tries counted across connections, the copies of the
//! safety plan that open without the PIN, and removing everything after chosen tries.
#![cfg(target_arch = "wasm32")]

use coplan_app::storage::{
    DataKey, LockChoices, Locked, Opened, Storage, StorageError, UnlockError,
};
use coplan_domain::lock::SecretKind;
use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp};
use coplan_domain::sealed::{self, KeyId, Place, SealError, known_answer as kat};
use coplan_domain::{PlanDraft, PlanId};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn random_name() -> String {
    format!("coplan-sealed-{}", js_sys::Math::random().to_bits())
}

/// One change, made by its own copy (each copy needs its own client id).
fn reason_update(id: &str, text: &str) -> Vec<u8> {
    let client = 10 + id.bytes().map(u32::from).sum::<u32>();
    SectionDoc::new(SectionKind::SafetyPlan, client)
        .apply(
            &Edit::AddItem {
                list: "reasons_for_living",
                id: ItemId::parse(id).unwrap(),
                parts: vec![("text", text.into())],
            },
            &Stamp {
                author: AuthorId::parse("phone-1").unwrap(),
                at_ms: 1,
            },
        )
        .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every value of every plan store, as raw bytes (strings as UTF-8).
async fn raw_values(name: &str) -> Vec<Vec<u8>> {
    let db = Database::open(name).await.unwrap();
    let stores = ["drafts", "section_snapshots", "section_updates"];
    let tx = db.transaction(stores).build().unwrap();
    let mut all = Vec::new();
    for store in stores {
        let values: Vec<JsValue> = tx
            .object_store(store)
            .unwrap()
            .get_all::<JsValue>()
            .primitive()
            .unwrap()
            .await
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for value in values {
            all.push(match value.as_string() {
                Some(text) => text.into_bytes(),
                None => Uint8Array::new(&value).to_vec(),
            });
        }
    }
    drop(tx);
    db.close();
    all
}

fn log_key(plan: &str, writer: u64, seq: u32) -> JsValue {
    let key = Array::of2(&plan.into(), &"safety_plan".into());
    key.push(&(writer as f64).into());
    key.push(&f64::from(seq).into());
    key.into()
}

const HERE: Place<'static> = Place {
    store: "drafts",
    key: "here",
};

#[wasm_bindgen_test]
async fn webcrypto_gives_the_known_answer_and_opens_version_1_too() {
    let key = DataKey::from_raw_for_tests(&kat::KEY).await.unwrap();
    let stored = key
        .seal_with_nonce(kat::PLAINTEXT, kat::PLACE, &kat::NONCE)
        .await
        .unwrap();
    assert_eq!(
        stored,
        sealed::to_stored(KeyId::DATA, &kat::NONCE, kat::CIPHERTEXT)
    );
    assert_eq!(key.open(&stored, kat::PLACE).await.unwrap(), kat::PLAINTEXT);
    // As a build before key ids wrote it.
    let mut v1 = b"CS\x01".to_vec();
    v1.extend_from_slice(&kat::NONCE);
    v1.extend_from_slice(kat::CIPHERTEXT_V1);
    assert_eq!(key.open(&v1, kat::PLACE).await.unwrap(), kat::PLAINTEXT);
}

#[wasm_bindgen_test]
async fn every_seal_uses_a_fresh_nonce() {
    let key = DataKey::generate().await.unwrap();
    let mut nonces = std::collections::HashSet::new();
    for _ in 0..200 {
        let stored = key.seal(b"same words", HERE).await.unwrap();
        assert!(nonces.insert(sealed::from_stored(&stored).unwrap().nonce.to_vec()));
    }
}

#[wasm_bindgen_test]
async fn a_flipped_byte_a_moved_record_or_another_keys_id_is_refused() {
    let key = DataKey::generate().await.unwrap();
    let stored = key.seal(b"my reasons", HERE).await.unwrap();
    for at in [2, 3, 6, 10, 15, 20, stored.len() - 1] {
        let mut changed = stored.clone();
        changed[at] ^= 0x01;
        assert!(key.open(&changed, HERE).await.is_err(), "byte {at}");
    }
    let elsewhere = Place {
        store: "drafts",
        key: "elsewhere",
    };
    assert_eq!(key.open(&stored, elsewhere).await, Err(SealError::Damaged));
    let other = DataKey::generate().await.unwrap();
    assert_eq!(other.open(&stored, HERE).await, Err(SealError::Damaged));
    // The key id says which key sealed it, and is bound: naming another is refused.
    let mut renamed = stored.clone();
    renamed[6] = 2;
    assert_eq!(key.open(&renamed, HERE).await, Err(SealError::Damaged));
    // And read as version 1 (dropping the key id), it fails authentication.
    let mut as_v1 = b"CS\x01".to_vec();
    as_v1.extend_from_slice(&stored[7..]);
    assert_eq!(key.open(&as_v1, HERE).await, Err(SealError::Damaged));
}

#[wasm_bindgen_test]
async fn indexed_db_holds_no_plaintext_and_a_damaged_record_leaves_the_rest_readable() {
    let name = random_name();
    let storage = Storage::open(&name).await.unwrap();
    let mut plan = PlanDraft::new(PlanId::parse("plan-1").unwrap(), 1);
    plan.set_preferred_name("Samira Okafor", 2).unwrap();
    storage.save_draft(&plan).await.unwrap();
    for (seq, words) in ["the sea", "my niece", "my allotment"].iter().enumerate() {
        let update = reason_update(&format!("r{seq}"), words);
        storage
            .append_update(&plan.id, SectionKind::SafetyPlan, 8, seq as u32, &update)
            .await
            .unwrap();
    }
    for value in raw_values(&name).await {
        for words in [&b"Samira"[..], b"the sea", b"my niece", b"allotment"] {
            assert!(!contains(&value, words), "plaintext found in IndexedDB");
        }
    }

    // Flip one byte of the second change, as damage on disk would.
    let db = Database::open(&name).await.unwrap();
    let tx = db
        .transaction("section_updates")
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let store = tx.object_store("section_updates").unwrap();
    let found: Option<JsValue> = store
        .get(log_key("plan-1", 8, 1))
        .primitive()
        .unwrap()
        .await
        .unwrap();
    let mut bytes = Uint8Array::new(&found.unwrap()).to_vec();
    bytes[20] ^= 1;
    store
        .put(JsValue::from(Uint8Array::from(bytes.as_slice())))
        .with_key(log_key("plan-1", 8, 1))
        .without_key_type()
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close();

    let stored = storage
        .load_section(&plan.id, SectionKind::SafetyPlan)
        .await
        .unwrap();
    assert_eq!(stored.damaged, 1);
    let reasons = reasons_in(&storage, &plan.id).await;
    assert_eq!(reasons, ["the sea", "my allotment"]);
    assert_eq!(
        storage
            .current_draft()
            .await
            .unwrap()
            .unwrap()
            .preferred_name
            .as_str(),
        "Samira Okafor"
    );

    // Compacting folds in what opened and leaves the damaged record where it was.
    storage
        .compact_section(&plan.id, SectionKind::SafetyPlan, |stored| {
            let doc = SectionDoc::new(SectionKind::SafetyPlan, 11);
            for update in stored.all_updates() {
                doc.apply_update(update).unwrap();
            }
            doc.encode_state()
        })
        .await
        .unwrap();
    let after = storage
        .load_section(&plan.id, SectionKind::SafetyPlan)
        .await
        .unwrap();
    assert!(after.snapshot.is_some());
    assert_eq!((after.updates.len(), after.damaged), (0, 1));
}

#[wasm_bindgen_test]
async fn records_from_before_encryption_are_sealed_when_the_database_opens() {
    let name = random_name();
    Storage::open(&name).await.unwrap().close();
    // Write records as schema 2 did, in plain, and clear the "sealed" flag.
    let plain_draft = r#"{"schema_version":1,"id":"plan-1","preferred_name":"Ade","created_at_ms":1,"updated_at_ms":2}"#;
    let update = reason_update("r1", "the sea");
    let db = Database::open(&name).await.unwrap();
    let tx = db
        .transaction(["meta", "drafts", "section_updates"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    tx.object_store("drafts")
        .unwrap()
        .put(plain_draft.to_string())
        .with_key("plan-1".to_string())
        .without_key_type()
        .await
        .unwrap();
    tx.object_store("meta")
        .unwrap()
        .put("plan-1".to_string())
        .with_key("current_plan")
        .without_key_type()
        .await
        .unwrap();
    tx.object_store("section_updates")
        .unwrap()
        .put(JsValue::from(Uint8Array::from(update.as_slice())))
        .with_key(log_key("plan-1", 5, 0))
        .without_key_type()
        .await
        .unwrap();
    // A phone from before encryption had no keys and no "sealed" flag.
    for name in ["records_sealed", "device_key", "data_key_by_device"] {
        tx.object_store("meta").unwrap().delete(name).await.unwrap();
    }
    tx.commit().await.unwrap();
    db.close();

    let storage = Storage::open(&name).await.unwrap();
    assert_eq!(
        storage
            .current_draft()
            .await
            .unwrap()
            .unwrap()
            .preferred_name
            .as_str(),
        "Ade"
    );
    let stored = storage
        .load_section(&PlanId::parse("plan-1").unwrap(), SectionKind::SafetyPlan)
        .await
        .unwrap();
    assert_eq!((stored.updates.len(), stored.damaged), (1, 0));
    storage.close();
    for value in raw_values(&name).await {
        assert!(
            !contains(&value, b"the sea") && !contains(&value, b"Ade"),
            "sealed"
        );
    }
}

/// Writes a legacy phone: its data key kept whole (non-extractable, as before the lock),
/// one record sealed under it, and no device key.
#[wasm_bindgen_test]
async fn a_phone_with_the_old_whole_key_is_sealed_again_under_a_wrapped_key() {
    let name = random_name();
    Storage::open(&name).await.unwrap().close();
    let old = DataKey::generate().await.unwrap();
    let key = log_key("plan-1", 5, 0);
    let place = Place {
        store: "section_updates",
        key: "plan-1/safety_plan/5/0",
    };
    let sealed_old = old
        .seal(&reason_update("r1", "the harbour"), place)
        .await
        .unwrap();
    let db = Database::open(&name).await.unwrap();
    let tx = db
        .transaction(["meta", "section_updates"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let meta = tx.object_store("meta").unwrap();
    for name in ["device_key", "data_key_by_device"] {
        meta.delete(name).await.unwrap();
    }
    meta.put(old.as_stored().clone())
        .with_key("data_key")
        .without_key_type()
        .await
        .unwrap();
    tx.object_store("section_updates")
        .unwrap()
        .put(JsValue::from(Uint8Array::from(sealed_old.as_slice())))
        .with_key(key)
        .without_key_type()
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close();

    let storage = Storage::open(&name).await.unwrap();
    let stored = storage
        .load_section(&PlanId::parse("plan-1").unwrap(), SectionKind::SafetyPlan)
        .await
        .unwrap();
    assert_eq!((stored.updates.len(), stored.damaged), (1, 0));
    storage.close();
    // The record was sealed again: the old key no longer opens it, and is gone.
    let values = raw_values(&name).await;
    assert_eq!(values.len(), 1);
    assert!(old.open(&values[0], place).await.is_err());
    let db = Database::open(&name).await.unwrap();
    let tx = db.transaction("meta").build().unwrap();
    let gone: Option<JsValue> = tx
        .object_store("meta")
        .unwrap()
        .get("data_key")
        .primitive()
        .unwrap()
        .await
        .unwrap();
    assert!(gone.is_none());
}

const PIN: &str = "482913";

fn choices(wipe_after: u32) -> LockChoices {
    LockChoices {
        kind: SecretKind::Pin,
        wipe_after,
        background_grace_s: 60,
        idle_s: 900,
    }
}

/// A phone with one plan holding one reason in its safety plan.
async fn phone_with_a_plan(name: &str) -> (Storage, PlanId) {
    let storage = Storage::open(name).await.unwrap();
    let plan = storage.start_plan().await.unwrap();
    storage
        .append_update(
            &plan,
            SectionKind::SafetyPlan,
            21,
            0,
            &reason_update("r1", "my dog Biscuit"),
        )
        .await
        .unwrap();
    (storage, plan)
}

async fn locked(name: &str) -> Locked {
    match Storage::open_any(name, coplan_app::storage::SCHEMA_VERSION)
        .await
        .unwrap()
    {
        Opened::Locked(locked) => locked,
        Opened::Open(_) => panic!("the phone opened without its PIN"),
    }
}

async fn reasons_in(storage: &Storage, plan: &PlanId) -> Vec<String> {
    let stored = storage
        .load_section(plan, SectionKind::SafetyPlan)
        .await
        .unwrap();
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 31);
    for update in stored.all_updates() {
        doc.apply_update(update).unwrap();
    }
    doc.view()
        .items("reasons_for_living")
        .iter()
        .map(|i| i.part("text").to_string())
        .collect()
}

#[wasm_bindgen_test]
async fn a_lock_wraps_the_data_key_and_changing_it_rewraps_only_the_key() {
    let name = random_name();
    let (storage, plan) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(0)).await.unwrap();
    storage.close();
    assert!(matches!(
        Storage::open(&name).await,
        Err(StorageError::Locked)
    ));
    let lock = locked(&name).await;
    assert!(matches!(
        lock.unlock("000000", 0.0).await,
        Err(UnlockError::Wrong { wait_ms: 0, .. })
    ));
    let storage = lock.unlock(PIN, 1.0).await.unwrap();
    assert_eq!(reasons_in(&storage, &plan).await, ["my dog Biscuit"]);

    let records_before = raw_values(&name).await;
    assert!(matches!(
        storage
            .change_lock("111111", "7777777", SecretKind::Pin, 4.0)
            .await,
        Err(UnlockError::Wrong { .. })
    ));
    storage
        .change_lock(PIN, "7777777", SecretKind::Pin, 5.0)
        .await
        .unwrap();
    assert_eq!(
        raw_values(&name).await,
        records_before,
        "no record sealed again"
    );
    storage.close();
    let lock = locked(&name).await;
    assert!(matches!(
        lock.unlock(PIN, 2.0).await,
        Err(UnlockError::Wrong { .. })
    ));
    let storage = lock.unlock("7777777", 3.0).await.unwrap();
    assert_eq!(reasons_in(&storage, &plan).await, ["my dog Biscuit"]);

    // Only the person's explicit choice, with the PIN, turns it off.
    assert!(storage.remove_lock(PIN, 6.0).await.is_err());
    storage.remove_lock("7777777", 7.0).await.unwrap();
    storage.close();
    let storage = Storage::open(&name).await.unwrap();
    assert_eq!(reasons_in(&storage, &plan).await, ["my dog Biscuit"]);
}

#[wasm_bindgen_test]
async fn wrong_tries_are_counted_in_the_database_so_another_connection_waits_too() {
    let name = random_name();
    let (storage, _) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(0)).await.unwrap();
    storage.close();
    let first = locked(&name).await;
    let mut waits = Vec::new();
    let mut now = 0.0;
    for _ in 0..4 {
        match first.unlock("000000", now).await {
            Err(UnlockError::Wrong { wait_ms, .. }) => {
                waits.push(wait_ms);
                now += wait_ms as f64;
            }
            other => panic!("expected a wrong try, got {:?}", other.err()),
        }
    }
    assert_eq!(waits, [0, 0, 5_000, 10_000]);
    // A second tab (its own connection) is held to the same wait, even with the PIN.
    let second = locked(&name).await;
    assert!(matches!(
        second.unlock(PIN, now - 1.0).await,
        Err(UnlockError::TooSoon { wait_ms: 1 })
    ));
    assert!(second.unlock(PIN, now).await.is_ok());
}

/// Guessing through the settings (changing or removing the lock on a phone left open) is
/// held to the same count and waits as the lock screen (review 2.2).
#[wasm_bindgen_test]
async fn wrong_tries_in_the_lock_settings_are_counted_and_wait_like_the_lock_screen() {
    let name = random_name();
    let (storage, _) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(0)).await.unwrap();
    let mut waits = Vec::new();
    let mut now = 0.0;
    for attempt in 0..4 {
        let result = if attempt % 2 == 0 {
            storage
                .change_lock("000000", "7777777", SecretKind::Pin, now)
                .await
        } else {
            storage.remove_lock("000000", now).await
        };
        match result {
            Err(UnlockError::Wrong { wait_ms, .. }) => {
                waits.push(wait_ms);
                now += wait_ms as f64;
            }
            other => panic!("expected a wrong try, got {other:?}"),
        }
    }
    assert_eq!(waits, [0, 0, 5_000, 10_000]);
    // Too soon, even with the right PIN, here and on the lock screen.
    assert!(matches!(
        storage.remove_lock(PIN, now - 1.0).await,
        Err(UnlockError::TooSoon { wait_ms: 1 })
    ));
    assert!(matches!(
        locked(&name).await.unlock(PIN, now - 1.0).await,
        Err(UnlockError::TooSoon { wait_ms: 1 })
    ));
    // In time, the right one works and the count starts again.
    storage
        .change_lock(PIN, "7777777", SecretKind::Pin, now)
        .await
        .unwrap();
    assert!(matches!(
        storage.remove_lock("000000", now).await,
        Err(UnlockError::Wrong { wait_ms: 0, .. })
    ));
}

#[wasm_bindgen_test]
async fn the_safety_plan_opens_without_the_pin_only_while_its_option_is_on() {
    let name = random_name();
    let (storage, plan) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(0)).await.unwrap();
    // One plan on the phone: on by default.
    assert!(storage.opens_without_pin(&plan).await.unwrap());
    let copies = locked(&name).await.open_copies().await.unwrap();
    assert_eq!(copies.len(), 1);
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 41);
    doc.apply_update(&copies[0]).unwrap();
    assert_eq!(
        doc.view().items("reasons_for_living")[0].part("text"),
        "my dog Biscuit"
    );
    // The copy keeps up with changes, and is sealed (never plain).
    let later = SectionDoc::new(SectionKind::SafetyPlan, 42);
    later.apply_update(&copies[0]).unwrap();
    let state = {
        let _ = later.apply(
            &Edit::AddItem {
                list: "reasons_for_living",
                id: ItemId::parse("r2").unwrap(),
                parts: vec![("text", "the allotment".into())],
            },
            &Stamp {
                author: AuthorId::parse("phone-1").unwrap(),
                at_ms: 5,
            },
        );
        later.encode_state()
    };
    storage
        .refresh_open_copy(&plan, || state.clone())
        .await
        .unwrap();
    let copies = locked(&name).await.open_copies().await.unwrap();
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 43);
    doc.apply_update(&copies[0]).unwrap();
    assert_eq!(doc.view().items("reasons_for_living").len(), 2);
    for value in raw_values(&name).await {
        assert!(!contains(&value, b"Biscuit") && !contains(&value, b"allotment"));
    }

    storage.set_opens_without_pin(&plan, false).await.unwrap();
    assert!(locked(&name).await.open_copies().await.unwrap().is_empty());
    // Refreshing never brings back a copy the person turned off.
    storage
        .refresh_open_copy(&plan, || state.clone())
        .await
        .unwrap();
    assert!(locked(&name).await.open_copies().await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn the_first_plan_started_on_a_locked_phone_opens_without_the_pin_and_a_second_does_not() {
    let name = random_name();
    let storage = Storage::open(&name).await.unwrap();
    storage.set_lock(PIN, choices(0)).await.unwrap();
    let first = storage.start_plan().await.unwrap();
    let second = storage.start_plan().await.unwrap();
    assert!(storage.opens_without_pin(&first).await.unwrap());
    assert!(!storage.opens_without_pin(&second).await.unwrap());
}

#[wasm_bindgen_test]
async fn with_two_plans_no_safety_plan_opens_without_the_pin_until_chosen() {
    let name = random_name();
    let (storage, first) = phone_with_a_plan(&name).await;
    let second = storage.start_plan().await.unwrap();
    storage.set_lock(PIN, choices(0)).await.unwrap();
    assert!(!storage.opens_without_pin(&first).await.unwrap());
    assert!(!storage.opens_without_pin(&second).await.unwrap());
    assert!(locked(&name).await.open_copies().await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn after_the_chosen_number_of_wrong_tries_everything_is_removed() {
    let name = random_name();
    let (storage, _) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(3)).await.unwrap();
    storage.close();
    let lock = locked(&name).await;
    for _ in 0..2 {
        assert!(matches!(
            lock.unlock("000000", 0.0).await,
            Err(UnlockError::Wrong { .. })
        ));
    }
    assert!(matches!(
        lock.unlock("000000", 0.0).await,
        Err(UnlockError::Removed)
    ));
    let fresh = Storage::open(&name).await.unwrap();
    assert!(fresh.all_plans().await.unwrap().is_empty());
}

/// Deletes one META entry straight from IndexedDB, as a browser clean-up might.
async fn delete_meta(name: &str, entry: &str) {
    let db = Database::open(name).await.unwrap();
    let tx = db
        .transaction("meta")
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    tx.object_store("meta")
        .unwrap()
        .delete(entry)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.close();
}

/// The wrapped data key as stored, if there is one.
async fn wrapped_data_key(name: &str) -> Option<Vec<u8>> {
    stored_bytes(name, "meta", "data_key_by_device").await
}

/// One record's bytes as stored, if it is there.
async fn stored_bytes(name: &str, store: &str, key: &str) -> Option<Vec<u8>> {
    let db = Database::open(name).await.unwrap();
    let tx = db.transaction(store).build().unwrap();
    let found: Option<JsValue> = tx
        .object_store(store)
        .unwrap()
        .get(key)
        .primitive()
        .unwrap()
        .await
        .unwrap();
    drop(tx);
    db.close();
    found.map(|v| Uint8Array::new(&v).to_vec())
}

/// Review 1.3: new keys over sealed records would make every record unreadable for good.
/// With the device key gone, opening stops and changes nothing, so the records can still
/// be read if the key comes back (a restored profile).
#[wasm_bindgen_test]
async fn a_missing_device_key_never_makes_new_keys_over_sealed_records() {
    let name = random_name();
    let (storage, _plan) = phone_with_a_plan(&name).await;
    storage.close();
    let records = raw_values(&name).await;
    let wrapped = wrapped_data_key(&name).await;
    assert!(wrapped.is_some());
    delete_meta(&name, "device_key").await;

    assert!(matches!(
        Storage::open(&name).await,
        Err(StorageError::KeysMissing)
    ));
    assert_eq!(raw_values(&name).await, records, "no record sealed again");
    assert_eq!(wrapped_data_key(&name).await, wrapped, "the data key kept");
}

/// With a lock, the PIN unwraps the data key without the device key, so the right PIN
/// opens the plan, and a new device key takes the old one's place.
#[wasm_bindgen_test]
async fn a_locked_phone_without_its_device_key_opens_with_the_right_pin() {
    let name = random_name();
    let (storage, plan) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(0)).await.unwrap();
    storage.close();
    delete_meta(&name, "device_key").await;

    let storage = locked(&name).await.unlock(PIN, 1.0).await.unwrap();
    assert_eq!(reasons_in(&storage, &plan).await, ["my dog Biscuit"]);
    storage.close();
    let storage = locked(&name).await.unlock(PIN, 2.0).await.unwrap();
    assert_eq!(reasons_in(&storage, &plan).await, ["my dog Biscuit"]);
}

/// Review 1.7d: the wait after wrong tries is counted from the stored time of the next
/// allowed try, so a clock set back made it as long as the clock moved. It is never
/// longer than the rule allows.
#[wasm_bindgen_test]
async fn a_clock_set_back_never_makes_the_wait_longer_than_the_rule() {
    let name = random_name();
    let (storage, _) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(0)).await.unwrap();
    storage.close();
    let lock = locked(&name).await;
    let now = 1_800_000_000_000.0;
    let wait = loop {
        match lock.unlock("000000", now).await {
            Err(UnlockError::Wrong { wait_ms: 0, .. }) => {}
            Err(UnlockError::Wrong { wait_ms, .. }) => break wait_ms,
            _ => panic!("a wrong PIN was not counted"),
        }
    };
    let a_day_earlier = now - 86_400_000.0;
    match lock.unlock("000000", a_day_earlier).await {
        Err(UnlockError::TooSoon { wait_ms }) => {
            assert!(
                wait_ms <= wait,
                "waits {wait_ms} ms, the rule allows {wait}"
            )
        }
        _ => panic!("the wait was skipped"),
    }
}

/// Review 2.3: the same passphrase typed on another keyboard may reach Coplan in another
/// Unicode form (é as one character or as e and an accent); it opens the lock either way.
#[wasm_bindgen_test]
async fn a_passphrase_opens_its_lock_whichever_unicode_form_it_is_typed_in() {
    let composed = "caf\u{e9} au lait for two of us";
    let decomposed = "cafe\u{301} au lait for two of us";
    let name = random_name();
    let (storage, plan) = phone_with_a_plan(&name).await;
    let passphrase = LockChoices {
        kind: SecretKind::Passphrase,
        ..choices(0)
    };
    storage.set_lock(decomposed, passphrase).await.unwrap();
    storage.close();
    let storage = locked(&name).await.unlock(composed, 1.0).await.unwrap();
    assert_eq!(reasons_in(&storage, &plan).await, ["my dog Biscuit"]);
}

/// Review 1.7e: removing everything after the chosen number of wrong tries removes the
/// plan, not the app: the offline copy of Coplan (and its 24/7 lines) stays.
#[wasm_bindgen_test]
async fn removal_after_wrong_tries_keeps_the_offline_copy_of_the_app() {
    use wasm_bindgen_futures::JsFuture;
    let caches = web_sys::window().unwrap().caches().unwrap();
    let shell = format!("coplan-shell-{}", js_sys::Math::random().to_bits());
    JsFuture::from(caches.open(&shell)).await.unwrap();
    let name = random_name();
    let (storage, _) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(1)).await.unwrap();
    storage.close();
    assert!(matches!(
        locked(&name).await.unlock("000000", 0.0).await,
        Err(UnlockError::Removed)
    ));
    let kept = JsFuture::from(caches.has(&shell)).await.unwrap();
    assert_eq!(kept.as_bool(), Some(true));
    let fresh = Storage::open(&name).await.unwrap();
    assert!(fresh.all_plans().await.unwrap().is_empty());
}

/// Review 1.7c: a lock screen left open in one tab while the lock is removed in another
/// opens with whatever is typed: there is no lock to check it against any more.
#[wasm_bindgen_test]
async fn a_lock_screen_opens_once_the_lock_was_removed_in_another_tab() {
    let name = random_name();
    let (storage, plan) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(0)).await.unwrap();
    storage.close();
    let waiting = locked(&name).await;
    let other = locked(&name).await.unlock(PIN, 1.0).await.unwrap();
    other.remove_lock(PIN, 0.0).await.unwrap();
    let storage = waiting.unlock("anything", 2.0).await.unwrap();
    assert_eq!(reasons_in(&storage, &plan).await, ["my dog Biscuit"]);
}

/// Review 1.11: a plan brought in from a file joins the plan on the phone, and the lock
/// screen's copy of its safety plan shows what the file added.
#[wasm_bindgen_test]
async fn an_import_brings_the_lock_screen_copy_up_to_date() {
    let name = random_name();
    let (storage, plan) = phone_with_a_plan(&name).await;
    storage.set_lock(PIN, choices(0)).await.unwrap();
    assert!(storage.opens_without_pin(&plan).await.unwrap());
    let draft = storage.all_plans().await.unwrap().remove(0);
    storage
        .import_plan(
            &draft,
            &[(
                SectionKind::SafetyPlan,
                reason_update("r9", "the allotment"),
            )],
            77,
        )
        .await
        .unwrap();
    let copies = locked(&name).await.open_copies().await.unwrap();
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 44);
    doc.apply_update(&copies[0]).unwrap();
    let mut reasons: Vec<String> = doc
        .view()
        .items("reasons_for_living")
        .iter()
        .map(|i| i.part("text").to_string())
        .collect();
    reasons.sort();
    assert_eq!(reasons, ["my dog Biscuit", "the allotment"]);
}

fn account_record() -> coplan_domain::keys::AccountRecord {
    use coplan_domain::keys::{AccountKeys, AccountRecord, known_answer};
    AccountRecord {
        server_id: known_answer::SERVER.into(),
        username: coplan_domain::account::Username::parse("river.walker").unwrap(),
        account: "acc-1".into(),
        phone: "phone-1".into(),
        range_start: 8192,
        keys: AccountKeys::from_random(&known_answer::random()),
    }
}

#[wasm_bindgen_test]
async fn the_account_is_kept_sealed_and_signing_out_keeps_the_plan() {
    let name = random_name();
    let storage = Storage::open(&name).await.unwrap();
    storage.save_draft(&sam()).await.unwrap();
    assert!(storage.account().await.unwrap().is_none());
    storage.save_account(&account_record()).await.unwrap();
    storage.close();

    let reopened = Storage::open(&name).await.unwrap();
    let read = reopened.account().await.unwrap().expect("kept");
    assert_eq!(read.username.as_str(), "river.walker");
    assert_eq!(read.keys.public(), account_record().keys.public());
    // Nothing of the record is readable as stored: it is sealed like a plan record.
    let stored = stored_bytes(&name, "account", "this")
        .await
        .expect("one record");
    assert!(!contains(&stored, b"river.walker"));
    assert!(!contains(&stored, b"acc-1"));

    reopened.remove_account().await.unwrap();
    assert!(reopened.account().await.unwrap().is_none());
    assert_eq!(reopened.current_draft().await.unwrap(), Some(sam()));
}

fn sam() -> PlanDraft {
    let mut d = PlanDraft::new(PlanId::parse("plan-1").unwrap(), 1_000);
    d.set_preferred_name("Sam", 2_000).unwrap();
    d
}
