//! The keys behind encryption at rest, set up once per phone.
//!
//! - The **device key**: random, non-extractable, kept by the browser in IndexedDB. It
//!   wraps the data key while no lock is set, and seals the copies of safety plans the
//!   person chose to open without the PIN.
//! - The **data key**: random; seals every plan record. It is only ever stored wrapped:
//!   under the device key (no lock), or under the key from the PIN or passphrase (`lock`,
//!   and then never under the device key). Setting, changing or removing a lock re-wraps
//!   it; no record is sealed again.
//!
//! A phone from before this (a non-extractable data key kept whole, or records from
//! before encryption) gets both keys and every record sealed under the new data key in
//! one transaction, guarded so two tabs never do it twice.

use coplan_domain::lock::LockRecord;
use coplan_domain::sealed::{KeyId, Place};
use indexed_db_futures::database::Database;
use indexed_db_futures::error::Error as IdbError;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use super::crypto::{DataKey, KeyUse, key_text};
use super::{
    DRAFTS, META, OPEN_COPIES, SECTION_SNAPSHOTS, SECTION_UPDATES, StorageError, read_failed,
    write_failed,
};

pub(super) const DEVICE_KEY: &str = "device_key";
pub(super) const KEY_BY_DEVICE: &str = "data_key_by_device";
pub(super) const LOCK: &str = "lock";
/// The data key as phones kept it before the app lock: non-extractable, whole.
const OLD_DATA_KEY: &str = "data_key";
/// Set once every record in the database is sealed.
const SEALED: &str = "records_sealed";
const PLAN_STORES: [&str; 3] = [DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES];

/// Where a wrapped data key is kept, bound into its sealing.
pub(super) fn wrapped_place(name: &str) -> Place<'_> {
    Place {
        store: META,
        key: name,
    }
}

/// What opening the database found.
pub(super) enum Prepared {
    Open {
        data: DataKey,
        device: DataKey,
    },
    /// A lock is set: only the device key (for safety plans the person chose to open
    /// without the PIN) is at hand until the PIN or passphrase is given.
    Locked {
        device: Option<DataKey>,
    },
}

pub(super) fn readwrite<'a>(
    db: &'a Database,
    stores: &[&str],
) -> Result<Transaction<'a>, StorageError> {
    db.transaction(stores.to_vec())
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(write_failed)
}

/// A key kept whole under `name`: the device key, or the old whole data key.
async fn stored_key(tx: &Transaction<'_>, name: &str) -> Result<Option<DataKey>, IdbError> {
    let found: Option<JsValue> = tx.object_store(META)?.get(name).primitive()?.await?;
    let id = if name == DEVICE_KEY {
        KeyId::DEVICE
    } else {
        KeyId::DATA
    };
    Ok(found.and_then(|value| DataKey::from_stored(value, id)))
}

pub(super) async fn stored_bytes(
    tx: &Transaction<'_>,
    store: &str,
    name: &str,
) -> Result<Option<Vec<u8>>, IdbError> {
    let found: Option<JsValue> = tx.object_store(store)?.get(name).primitive()?.await?;
    Ok(found.map(|v| Uint8Array::new(&v).to_vec()))
}

/// The keys, in one small read on the way to showing a plan. A lock, once set, is never
/// passed over: whatever else is stored, a phone with a lock record opens locked.
pub(super) async fn prepare(db: &Database, version: u32) -> Result<Prepared, StorageError> {
    for _ in 0..3 {
        let tx = db.transaction(META).build().map_err(read_failed)?;
        let device = stored_key(&tx, DEVICE_KEY).await.map_err(read_failed)?;
        let locked = tx
            .object_store(META)
            .map_err(read_failed)?
            .get::<JsValue, _, _>(LOCK)
            .primitive()
            .map_err(read_failed)?
            .await
            .map_err(read_failed)?
            .is_some();
        let by_device = stored_bytes(&tx, META, KEY_BY_DEVICE)
            .await
            .map_err(read_failed)?;
        let sealed_before = sealed_under_lost_key(&tx).await.map_err(read_failed)?;
        drop(tx);
        if locked {
            return Ok(Prepared::Locked { device });
        }
        match (device, by_device) {
            (Some(device), Some(wrapped)) => {
                let data = device
                    .unwrap(&wrapped, wrapped_place(KEY_BY_DEVICE), false)
                    .await?;
                return Ok(Prepared::Open { data, device });
            }
            // Keys half there are never replaced: that would leave every record unreadable.
            (Some(_), None) => {
                return Err(StorageError::ReadFailed {
                    detail: "the data key is missing".into(),
                });
            }
            // Records sealed under keys that are gone: new keys would make them
            // unreadable for good, so nothing is changed (H20).
            (None, Some(_)) => return Err(StorageError::KeysMissing),
            (None, None) if sealed_before => return Err(StorageError::KeysMissing),
            (None, None) => set_up_keys(db, version).await?,
        }
    }
    Err(StorageError::ReadFailed {
        detail: "keys still changing".into(),
    })
}

/// Whether records were sealed under a data key this phone no longer has: the flag says
/// they were sealed, and neither the wrapped key nor the old whole key (which set-up
/// seals again) is there.
async fn sealed_under_lost_key(tx: &Transaction<'_>) -> Result<bool, IdbError> {
    let flag: Option<bool> = tx.object_store(META)?.get(SEALED).await?;
    let old = tx
        .object_store(META)?
        .get::<JsValue, _, _>(OLD_DATA_KEY)
        .primitive()?
        .await?;
    Ok(flag == Some(true) && old.is_none())
}

/// A new device key in place of a lost one, once the PIN has opened the data key: the
/// copies of safety plans sealed under the lost one cannot be opened and are removed
/// (the caller seals them again). If another tab stored one first, that one is used.
pub(super) async fn replace_device_key(
    db: &Database,
) -> Result<(DataKey, Vec<JsValue>), StorageError> {
    let device = DataKey::generate_for(KeyUse::Device, false).await?;
    let tx = readwrite(db, &[META, OPEN_COPIES])?;
    if let Some(stored) = stored_key(&tx, DEVICE_KEY).await.map_err(write_failed)? {
        return Ok((stored, Vec::new()));
    }
    let copies = tx.object_store(OPEN_COPIES).map_err(write_failed)?;
    let plans: Vec<JsValue> = copies
        .get_all_keys::<JsValue>()
        .primitive()
        .map_err(write_failed)?
        .await
        .map_err(write_failed)?
        .collect::<Result<_, _>>()
        .map_err(write_failed)?;
    copies
        .clear()
        .map_err(write_failed)?
        .await
        .map_err(write_failed)?;
    tx.object_store(META)
        .map_err(write_failed)?
        .put(device.as_stored().clone())
        .with_key(DEVICE_KEY)
        .without_key_type()
        .await
        .map_err(write_failed)?;
    tx.commit().await.map_err(write_failed)?;
    Ok((device, plans))
}

/// Makes the device and data keys, sealing every record under the new data key (from
/// the old whole key, or from plain records written before encryption). Another tab that
/// set up first wins; the caller then reads its keys.
async fn set_up_keys(db: &Database, version: u32) -> Result<(), StorageError> {
    let device = DataKey::generate_for(KeyUse::Device, false).await?;
    let data = DataKey::generate_for(KeyUse::Records, true).await?;
    let wrapped = device.wrap(&data, wrapped_place(KEY_BY_DEVICE)).await?;
    let resealed = if version >= 2 {
        reseal_records(db, &data).await?
    } else {
        Vec::new()
    };
    let tx = readwrite(
        db,
        &[META, DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES][..stores(version)],
    )?;
    if stored_key(&tx, DEVICE_KEY)
        .await
        .map_err(write_failed)?
        .is_some()
    {
        return Ok(());
    }
    for (store, record_key, bytes) in resealed {
        tx.object_store(store)
            .map_err(write_failed)?
            .put(JsValue::from(Uint8Array::from(bytes.as_slice())))
            .with_key(record_key)
            .without_key_type()
            .await
            .map_err(write_failed)?;
    }
    let meta = tx.object_store(META).map_err(write_failed)?;
    for (name, value) in [
        (DEVICE_KEY, device.as_stored().clone()),
        (KEY_BY_DEVICE, Uint8Array::from(wrapped.as_slice()).into()),
        (SEALED, JsValue::TRUE),
    ] {
        meta.put(value)
            .with_key(name)
            .without_key_type()
            .await
            .map_err(write_failed)?;
    }
    meta.delete(OLD_DATA_KEY).await.map_err(write_failed)?;
    tx.commit().await.map_err(write_failed)
}

/// How many of META and the plan stores exist at `version` (1 had drafts only).
fn stores(version: u32) -> usize {
    if version >= 2 { 4 } else { 2 }
}

/// Every plan record, opened with the old whole key or read as plain, then sealed with
/// `data`. A record that is neither (damaged) is left as it is, and stays refused.
async fn reseal_records(
    db: &Database,
    data: &DataKey,
) -> Result<Vec<(&'static str, JsValue, Vec<u8>)>, StorageError> {
    let stores = [META, DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES];
    let tx = db.transaction(stores).build().map_err(read_failed)?;
    let old = stored_key(&tx, OLD_DATA_KEY).await.map_err(read_failed)?;
    let flag: Option<bool> = tx
        .object_store(META)
        .map_err(read_failed)?
        .get(SEALED)
        .await
        .map_err(read_failed)?;
    let were_sealed = flag == Some(true);
    let mut found = Vec::new();
    for store in PLAN_STORES {
        for (record_key, value) in records(&tx, store).await.map_err(read_failed)? {
            let bytes = match value.as_string() {
                Some(text) => text.into_bytes(),
                None => Uint8Array::new(&value).to_vec(),
            };
            found.push((store, record_key, bytes));
        }
    }
    drop(tx);
    let mut resealed = Vec::with_capacity(found.len());
    for (store, record_key, bytes) in found {
        let key = key_text(&record_key);
        let place = Place { store, key: &key };
        let plain = match &old {
            Some(old) => old.open(&bytes, place).await.ok(),
            None => None,
        };
        let plain = match plain {
            Some(plain) => plain,
            // Sealed by this phone's old key, but it did not open: damaged, kept as is.
            None if were_sealed => continue,
            None => bytes,
        };
        let sealed = data.seal(&plain, place).await?;
        resealed.push((store, record_key, sealed));
    }
    Ok(resealed)
}

/// The records of a store whose (string) key `wanted` takes, with their keys: the keys
/// are read first, then only those records, so a large record beside them (a kept
/// history) is not copied out of the database each time.
pub(super) async fn records_where(
    tx: &Transaction<'_>,
    store: &str,
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<(String, JsValue)>, IdbError> {
    let object_store = tx.object_store(store)?;
    let keys: Vec<String> = object_store
        .get_all_keys::<JsValue>()
        .primitive()?
        .await?
        .filter_map(|key| key.ok()?.as_string())
        .filter(|key| wanted(key))
        .collect();
    let mut found = Vec::with_capacity(keys.len());
    for key in keys {
        let value: Option<JsValue> = object_store.get(key.as_str()).primitive()?.await?;
        if let Some(value) = value {
            found.push((key, value));
        }
    }
    Ok(found)
}

/// Every record of a store, with its key.
pub(super) async fn records(
    tx: &Transaction<'_>,
    store: &str,
) -> Result<Vec<(JsValue, JsValue)>, IdbError> {
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

/// The lock record, if a lock is set.
pub(super) async fn lock_record(
    tx: &Transaction<'_>,
) -> Result<Option<Result<LockRecord, coplan_domain::lock::LockRecordError>>, IdbError> {
    Ok(stored_bytes(tx, META, LOCK)
        .await?
        .map(|bytes| LockRecord::from_stored(&bytes)))
}
