//! The data key, made once per phone and kept by the browser; and the one-time sealing of
//! records written before encryption at rest, in one transaction guarded by a flag so two
//! tabs never seal (and overwrite) the same records twice.

use coplan_domain::sealed::associated_data;
use indexed_db_futures::database::Database;
use indexed_db_futures::error::Error as IdbError;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use super::crypto::{DataKey, key_text};
use super::{
    DRAFTS, META, SECTION_SNAPSHOTS, SECTION_UPDATES, StorageError, read_failed, write_failed,
};

const DATA_KEY: &str = "data_key";
/// Set once every record in the database is sealed.
const SEALED: &str = "records_sealed";
const PLAN_STORES: [&str; 3] = [DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES];

fn readwrite<'a>(db: &'a Database, stores: &[&str]) -> Result<Transaction<'a>, StorageError> {
    db.transaction(stores.to_vec())
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(write_failed)
}

async fn stored_key(tx: &Transaction<'_>) -> Result<Option<DataKey>, IdbError> {
    let found: Option<JsValue> = tx.object_store(META)?.get(DATA_KEY).primitive()?.await?;
    Ok(found.and_then(DataKey::from_stored))
}

/// The data key, with every record sealed: usually one small read (the key and the flag
/// together), since opening the database is on the way to showing a plan.
pub(super) async fn prepare(db: &Database, version: u32) -> Result<DataKey, StorageError> {
    let tx = db.transaction(META).build().map_err(read_failed)?;
    let key = stored_key(&tx).await.map_err(read_failed)?;
    let sealed = is_sealed(&tx).await.map_err(read_failed)?;
    drop(tx);
    if let Some(key) = key
        && (sealed || version < 2)
    {
        return Ok(key);
    }
    let key = data_key(db).await?;
    if version >= 2 {
        seal_plain_records(db, &key).await?;
    }
    Ok(key)
}

/// This phone's data key: read, or made and kept the first time (if two tabs make one at
/// once, the first kept wins and the other is never used).
async fn data_key(db: &Database) -> Result<DataKey, StorageError> {
    let tx = db.transaction(META).build().map_err(read_failed)?;
    if let Some(key) = stored_key(&tx).await.map_err(read_failed)? {
        return Ok(key);
    }
    drop(tx);
    let candidate = DataKey::generate().await?;
    let tx = readwrite(db, &[META])?;
    if let Some(key) = stored_key(&tx).await.map_err(write_failed)? {
        return Ok(key);
    }
    tx.object_store(META)
        .map_err(write_failed)?
        .put(candidate.as_stored().clone())
        .with_key(DATA_KEY)
        .without_key_type()
        .await
        .map_err(write_failed)?;
    tx.commit().await.map_err(write_failed)?;
    Ok(candidate)
}

async fn is_sealed(tx: &Transaction<'_>) -> Result<bool, IdbError> {
    let flag: Option<bool> = tx.object_store(META)?.get(SEALED).await?;
    Ok(flag == Some(true))
}

/// Every record of a store, with its key.
async fn records(tx: &Transaction<'_>, store: &str) -> Result<Vec<(JsValue, JsValue)>, IdbError> {
    let object_store = tx.object_store(store)?;
    let keys: Vec<JsValue> = object_store
        .get_all_keys::<JsValue>()
        .primitive()?
        .await?
        .collect::<Result<_, _>>()?;
    let values: Vec<JsValue> = object_store
        .get_all::<JsValue>()
        .primitive()?
        .await?
        .collect::<Result<_, _>>()?;
    Ok(keys.into_iter().zip(values).collect())
}

/// Seals, once, every record written before encryption at rest (schemas 1 and 2 stored
/// drafts as JSON text and sections as plain bytes). A record that already opens with the
/// data key is left alone; plain JSON or a Yrs update never authenticates.
async fn seal_plain_records(db: &Database, key: &DataKey) -> Result<(), StorageError> {
    let stores = [META, DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES];
    let tx = db.transaction(stores).build().map_err(read_failed)?;
    if is_sealed(&tx).await.map_err(read_failed)? {
        return Ok(());
    }
    let mut plain = Vec::new();
    for store in PLAN_STORES {
        for (record_key, value) in records(&tx, store).await.map_err(read_failed)? {
            let bytes = match value.as_string() {
                Some(text) => text.into_bytes(),
                None => Uint8Array::new(&value).to_vec(),
            };
            plain.push((store, record_key, bytes));
        }
    }
    drop(tx);
    let mut sealed = Vec::with_capacity(plain.len());
    for (store, record_key, bytes) in plain {
        let aad = associated_data(store, &key_text(&record_key));
        // Already sealed (written by this build before the flag was set): keep as is.
        if key.open(&bytes, &aad).await.is_ok() {
            continue;
        }
        let bytes = key.seal(&bytes, &aad).await?;
        sealed.push((store, record_key, Uint8Array::from(bytes.as_slice())));
    }
    let tx = readwrite(db, &stores)?;
    // Another tab sealed them first: its records stand, and may already have changed.
    if is_sealed(&tx).await.map_err(write_failed)? {
        return Ok(());
    }
    for (store, record_key, bytes) in sealed {
        tx.object_store(store)
            .map_err(write_failed)?
            .put(JsValue::from(bytes))
            .with_key(record_key)
            .without_key_type()
            .await
            .map_err(write_failed)?;
    }
    tx.object_store(META)
        .map_err(write_failed)?
        .put(true)
        .with_key(SEALED)
        .without_key_type()
        .await
        .map_err(write_failed)?;
    tx.commit().await.map_err(write_failed)
}
