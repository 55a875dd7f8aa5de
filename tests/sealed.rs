//! Encryption at rest against the browser's real WebCrypto (headless Chromium): the
//! known-answer vector shared with the domain's native test, fresh nonces, tamper
//! detection that leaves the rest readable, no plaintext in IndexedDB, and records from
//! before encryption sealed on the way in.
#![cfg(target_arch = "wasm32")]

use coplan_app::storage::{DataKey, Storage};
use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp};
use coplan_domain::sealed::{self, SealError, associated_data, known_answer as kat};
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
    let client = 10 + id.bytes().map(u64::from).sum::<u64>();
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

#[wasm_bindgen_test]
async fn webcrypto_gives_the_known_answer_and_opens_it() {
    let key = DataKey::from_raw_for_tests(&kat::KEY).await.unwrap();
    let aad = associated_data(kat::STORE, kat::RECORD_KEY);
    let stored = key
        .seal_with_nonce(kat::PLAINTEXT, &aad, &kat::NONCE)
        .await
        .unwrap();
    assert_eq!(stored, sealed::to_stored(&kat::NONCE, kat::CIPHERTEXT));
    assert_eq!(key.open(&stored, &aad).await.unwrap(), kat::PLAINTEXT);
}

#[wasm_bindgen_test]
async fn every_seal_uses_a_fresh_nonce() {
    let key = DataKey::generate().await.unwrap();
    let mut nonces = std::collections::HashSet::new();
    for _ in 0..200 {
        let stored = key.seal(b"same words", b"same place").await.unwrap();
        assert!(nonces.insert(sealed::from_stored(&stored).unwrap().nonce.to_vec()));
    }
}

#[wasm_bindgen_test]
async fn a_flipped_byte_or_a_moved_record_is_refused() {
    let key = DataKey::generate().await.unwrap();
    let stored = key.seal(b"my reasons", b"here").await.unwrap();
    for at in [3, 10, 15, 20, stored.len() - 1] {
        let mut changed = stored.clone();
        changed[at] ^= 0x40;
        assert_eq!(
            key.open(&changed, b"here").await,
            Err(SealError::Damaged),
            "byte {at}"
        );
    }
    assert_eq!(
        key.open(&stored, b"elsewhere").await,
        Err(SealError::Damaged)
    );
    let other = DataKey::generate().await.unwrap();
    assert_eq!(other.open(&stored, b"here").await, Err(SealError::Damaged));
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
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 9);
    for update in stored.all_updates() {
        doc.apply_update(update).unwrap();
    }
    let reasons: Vec<String> = doc
        .view()
        .items("reasons_for_living")
        .iter()
        .map(|i| i.part("text").to_string())
        .collect();
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
    tx.object_store("meta")
        .unwrap()
        .delete("records_sealed")
        .await
        .unwrap();
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
