//! The app lock in IndexedDB: setting, changing and removing it (each re-wraps the data
//! key, `keys.rs`), unlocking with wrong tries counted in the database (so a reload or a
//! second tab does not reset them, and a try is counted before it is checked), and the
//! copies of safety plans that open without the PIN.

use coplan_domain::PlanId;
use coplan_domain::lock::{self, LockRecord, LockRecordError, SecretKind};
use coplan_domain::plan::{SectionDoc, SectionKind};
use coplan_domain::sealed::Place;
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use super::crypto::{DataKey, normalised};
use super::keys::{self, KEY_BY_DEVICE, LOCK, lock_record, readwrite, wrapped_place};
use super::{META, OPEN_COPIES, Storage, StorageError, read_failed, write_failed};

/// Wrong tries in a row, and the time (ms since 1970) before which no try is taken.
const FAILED_TRIES: &str = "lock_failed_tries";
const NEXT_TRY_AT: &str = "lock_next_try_at";

/// Why an unlock did not happen.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnlockError {
    /// The PIN or passphrase was wrong; the next try waits this long (ms). With removal
    /// after wrong tries on, `tries_left` says how many remain before it.
    #[error("wrong secret (wait {wait_ms} ms)")]
    Wrong {
        wait_ms: u64,
        tries_left: Option<u32>,
    },
    /// Too soon after wrong tries; try again in this long (ms).
    #[error("too soon (wait {wait_ms} ms)")]
    TooSoon { wait_ms: u64 },
    /// The person chose to remove everything after this many wrong tries, and it was.
    #[error("removed after wrong tries")]
    Removed,
    #[error("{0}")]
    Record(#[from] LockRecordError),
    #[error("{0}")]
    Storage(#[from] StorageError),
}

/// The lock screen's part of the database: what can be read without the PIN.
pub struct Locked {
    db: Database,
    device: Option<DataKey>,
}

fn copy_place(plan: &str) -> Place<'_> {
    Place {
        store: OPEN_COPIES,
        key: plan,
    }
}

async fn put_bytes(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    store: &str,
    name: &str,
    bytes: &[u8],
) -> Result<(), StorageError> {
    tx.object_store(store)
        .map_err(write_failed)?
        .put(JsValue::from(Uint8Array::from(bytes)))
        .with_key(name)
        .without_key_type()
        .await
        .map_err(write_failed)
}

async fn put_number(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    name: &str,
    value: f64,
) -> Result<(), StorageError> {
    tx.object_store(META)
        .map_err(write_failed)?
        .put(value)
        .with_key(name)
        .without_key_type()
        .await
        .map_err(write_failed)
}

/// The data key, unwrapped with the key from `secret` (normalised; for a lock set before
/// secrets were, as typed too). The inner error is a wrong secret.
async fn unwrap_with(
    secret: &str,
    record: &LockRecord,
    extractable: bool,
) -> Result<Result<DataKey, ()>, StorageError> {
    let place = wrapped_place(LOCK);
    let key = DataKey::from_secret(secret, &record.salt, record.iterations).await?;
    if let Ok(data) = key.unwrap(&record.wrapped, place, extractable).await {
        return Ok(Ok(data));
    }
    if normalised(secret) == secret {
        return Ok(Err(()));
    }
    let key = DataKey::from_secret_as_typed(secret, &record.salt, record.iterations).await?;
    Ok(key
        .unwrap(&record.wrapped, place, extractable)
        .await
        .map_err(|_| ()))
}

/// A try at the PIN or passphrase, counted before it is checked.
struct Counted {
    /// The lock to check it against.
    record: LockRecord,
    /// Wrong tries in a row, this one included (until it proves right).
    failed: u32,
    /// How long the next try waits if this one is wrong.
    wait_ms: u64,
}

/// Counts a try (and sets the next one's wait) before the secret is checked, wherever it
/// is typed (the lock screen, or changing or removing the lock), so closing the tab
/// mid-try never gives a free one. Too soon after wrong tries, nothing is counted. `None`
/// when no lock is set.
async fn count_try(db: &Database, now_ms: f64) -> Result<Option<Counted>, UnlockError> {
    let tx = readwrite(db, &[META])?;
    let meta = tx.object_store(META).map_err(write_failed)?;
    let failed: Option<f64> = meta.get(FAILED_TRIES).await.map_err(write_failed)?;
    let next_at: Option<f64> = meta.get(NEXT_TRY_AT).await.map_err(write_failed)?;
    let next_at = next_at.unwrap_or(0.0);
    if now_ms < next_at {
        // Never longer than the rule allows after the tries so far: a clock set back
        // would otherwise make the wait as long as the clock moved.
        let rule = lock::wait_after(failed.unwrap_or(0.0) as u32);
        let wait_ms = ((next_at - now_ms).ceil() as u64).min(rule);
        if wait_ms < (next_at - now_ms).ceil() as u64 {
            put_number(&tx, NEXT_TRY_AT, now_ms + wait_ms as f64).await?;
            tx.commit().await.map_err(write_failed)?;
        }
        return Err(UnlockError::TooSoon { wait_ms });
    }
    let Some(record) = lock_record(&tx).await.map_err(write_failed)? else {
        return Ok(None);
    };
    let record = record?;
    let failed = failed.unwrap_or(0.0) as u32 + 1;
    let wait_ms = lock::wait_after(failed);
    put_number(&tx, FAILED_TRIES, f64::from(failed)).await?;
    put_number(&tx, NEXT_TRY_AT, now_ms + wait_ms as f64).await?;
    tx.commit().await.map_err(write_failed)?;
    Ok(Some(Counted {
        record,
        failed,
        wait_ms,
    }))
}

/// After the right PIN or passphrase: the count starts again.
async fn reset_tries(db: &Database) -> Result<(), StorageError> {
    let tx = readwrite(db, &[META])?;
    put_number(&tx, FAILED_TRIES, 0.0).await?;
    put_number(&tx, NEXT_TRY_AT, 0.0).await?;
    tx.commit().await.map_err(write_failed)
}

/// A wrong try: the wait before the next, and with removal on, how many tries are left.
fn wrong(record: &LockRecord, failed: u32, wait_ms: u64) -> UnlockError {
    UnlockError::Wrong {
        wait_ms,
        tries_left: (record.wipe_after > 0).then(|| record.wipe_after.saturating_sub(failed)),
    }
}

impl Locked {
    pub(super) fn new(db: Database, device: Option<DataKey>) -> Self {
        Self { db, device }
    }

    /// Unlocks with the PIN or passphrase. The try is counted (and the next one's wait
    /// set) before the key is derived, so closing the tab mid-try never gives a free one.
    pub async fn unlock(&self, secret: &str, now_ms: f64) -> Result<Storage, UnlockError> {
        let Counted {
            record,
            failed,
            wait_ms,
        } = match count_try(&self.db, now_ms).await? {
            Some(counted) => counted,
            // The lock was removed (in another tab) while this screen waited: there is no
            // secret to check, so the phone opens as it does without a lock.
            None => {
                return match keys::prepare(&self.db, self.db.version() as u32).await? {
                    keys::Prepared::Open { data, device } => {
                        let storage = Storage {
                            db: self.db.clone(),
                            key: data,
                            device,
                        };
                        storage.make_shared();
                        Ok(storage)
                    }
                    // Set again meanwhile: this try is not counted against it.
                    keys::Prepared::Locked { .. } => Err(UnlockError::Wrong {
                        wait_ms: 0,
                        tries_left: None,
                    }),
                };
            }
        };
        match unwrap_with(secret, &record, false).await? {
            Ok(data) => {
                reset_tries(&self.db).await?;
                let (device, copies) = match self.device.clone() {
                    Some(device) => (device, Vec::new()),
                    None => keys::replace_device_key(&self.db).await?,
                };
                let storage = Storage {
                    db: self.db.clone(),
                    key: data,
                    device,
                };
                for plan in copies.iter().filter_map(JsValue::as_string) {
                    if let Ok(plan) = PlanId::parse(&plan) {
                        storage.set_opens_without_pin(&plan, true).await?;
                    }
                }
                storage.make_shared();
                Ok(storage)
            }
            Err(_) if record.wipe_after > 0 && failed >= record.wipe_after => {
                let name = self.db.name();
                self.db.clone().close();
                Storage::forget_plans(&name).await?;
                Err(UnlockError::Removed)
            }
            Err(_) => Err(wrong(&record, failed, wait_ms)),
        }
    }

    /// Whether the lock is a PIN or a passphrase (so the right keyboard shows).
    pub async fn secret_kind(&self) -> Option<SecretKind> {
        let tx = self.db.transaction(META).build().ok()?;
        let record = lock_record(&tx).await.ok()??.ok()?;
        Some(record.kind)
    }

    /// The safety plans that open without the PIN: each plan's whole safety-plan state.
    /// One that cannot be opened is left out.
    pub async fn open_copies(&self) -> Result<Vec<Vec<u8>>, StorageError> {
        let Some(device) = &self.device else {
            return Ok(Vec::new());
        };
        let tx = self
            .db
            .transaction(OPEN_COPIES)
            .build()
            .map_err(read_failed)?;
        let sealed = keys::records(&tx, OPEN_COPIES).await.map_err(read_failed)?;
        drop(tx);
        let mut copies = Vec::new();
        for (plan, bytes) in sealed {
            let plan = plan.as_string().unwrap_or_default();
            let bytes = Uint8Array::new(&bytes).to_vec();
            if let Ok(state) = device.open(&bytes, copy_place(&plan)).await {
                copies.push(state);
            }
        }
        Ok(copies)
    }
}

/// How a new lock starts, as the person chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockChoices {
    pub kind: SecretKind,
    pub wipe_after: u32,
    pub background_grace_s: u32,
    pub idle_s: u32,
}

impl Storage {
    /// The lock, if one is set (its choices: grace, idle time, wipe).
    pub async fn lock(&self) -> Result<Option<LockRecord>, StorageError> {
        let tx = self.db.transaction(META).build().map_err(read_failed)?;
        let found = lock_record(&tx).await.map_err(read_failed)?;
        Ok(found.and_then(Result::ok))
    }

    /// Sets a lock: the data key is wrapped under the key from `secret`, and no longer
    /// under the device key. With one plan on the phone, its safety plan opens without
    /// the PIN (the person can turn that off); with several, none does until chosen.
    pub async fn set_lock(&self, secret: &str, choices: LockChoices) -> Result<(), StorageError> {
        let tx = self.db.transaction(META).build().map_err(read_failed)?;
        let by_device = keys::stored_bytes(&tx, META, KEY_BY_DEVICE)
            .await
            .map_err(read_failed)?;
        drop(tx);
        let by_device = by_device.ok_or(StorageError::Locked)?;
        let data = self
            .device
            .unwrap(&by_device, wrapped_place(KEY_BY_DEVICE), true)
            .await?;
        let plans = self.all_plans().await?;
        let copy = match plans.as_slice() {
            [only] => Some((only.id.clone(), self.seal_copy(&only.id).await?)),
            _ => None,
        };
        let record = self.wrap_for(secret, &data, choices).await?;
        let tx = readwrite(&self.db, &[META, OPEN_COPIES])?;
        put_bytes(&tx, META, LOCK, &record.to_stored()).await?;
        let meta = tx.object_store(META).map_err(write_failed)?;
        meta.delete(KEY_BY_DEVICE).await.map_err(write_failed)?;
        if let Some((plan, sealed)) = copy {
            put_bytes(&tx, OPEN_COPIES, plan.as_str(), &sealed).await?;
        }
        put_number(&tx, FAILED_TRIES, 0.0).await?;
        put_number(&tx, NEXT_TRY_AT, 0.0).await?;
        tx.commit().await.map_err(write_failed)
    }

    /// A lock record holding `data` wrapped under a fresh salt and the key from `secret`.
    async fn wrap_for(
        &self,
        secret: &str,
        data: &DataKey,
        choices: LockChoices,
    ) -> Result<LockRecord, StorageError> {
        let mut salt = [0u8; lock::SALT_BYTES];
        crate::platform::fill_random(&mut salt).ok_or(StorageError::NotProtected)?;
        let from_secret = DataKey::from_secret(secret, &salt, lock::ITERATIONS).await?;
        Ok(LockRecord {
            kind: choices.kind,
            iterations: lock::ITERATIONS,
            salt,
            wrapped: from_secret.wrap(data, wrapped_place(LOCK)).await?,
            wipe_after: choices.wipe_after,
            background_grace_s: choices.background_grace_s,
            idle_s: choices.idle_s,
        })
    }

    /// The lock and the data key (wrappable), if `secret` is this phone's PIN or
    /// passphrase. The try is counted and waits as on the lock screen, so a phone left
    /// open gives no faster way to guess; a wrong one here never removes anything, but
    /// counts towards removal on the lock screen.
    async fn data_key_for(
        &self,
        secret: &str,
        now_ms: f64,
    ) -> Result<(LockRecord, DataKey), UnlockError> {
        let Some(Counted {
            record,
            failed,
            wait_ms,
        }) = count_try(&self.db, now_ms).await?
        else {
            // Removed in another tab meanwhile: there is nothing to change.
            return Err(UnlockError::Wrong {
                wait_ms: 0,
                tries_left: None,
            });
        };
        match unwrap_with(secret, &record, true).await? {
            Ok(data) => {
                reset_tries(&self.db).await?;
                Ok((record, data))
            }
            Err(()) => Err(wrong(&record, failed, wait_ms)),
        }
    }

    /// Changes the PIN or passphrase: the data key is re-wrapped, nothing else changes.
    pub async fn change_lock(
        &self,
        current: &str,
        new: &str,
        kind: SecretKind,
        now_ms: f64,
    ) -> Result<(), UnlockError> {
        let (old, data) = self.data_key_for(current, now_ms).await?;
        let choices = LockChoices {
            kind,
            wipe_after: old.wipe_after,
            background_grace_s: old.background_grace_s,
            idle_s: old.idle_s,
        };
        let record = self.wrap_for(new, &data, choices).await?;
        let tx = readwrite(&self.db, &[META])?;
        put_bytes(&tx, META, LOCK, &record.to_stored()).await?;
        tx.commit().await.map_err(write_failed)?;
        Ok(())
    }

    /// Turns the lock off, only when the person asks and gives the PIN: the data key goes
    /// back under the device key, and the copies for the lock screen are removed.
    pub async fn remove_lock(&self, current: &str, now_ms: f64) -> Result<(), UnlockError> {
        let (_, data) = self.data_key_for(current, now_ms).await?;
        let wrapped = self
            .device
            .wrap(&data, wrapped_place(KEY_BY_DEVICE))
            .await?;
        let tx = readwrite(&self.db, &[META, OPEN_COPIES])?;
        put_bytes(&tx, META, KEY_BY_DEVICE, &wrapped).await?;
        tx.object_store(META)
            .map_err(write_failed)?
            .delete(LOCK)
            .await
            .map_err(write_failed)?;
        tx.object_store(OPEN_COPIES)
            .map_err(write_failed)?
            .clear()
            .map_err(write_failed)?
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)?;
        Ok(())
    }

    /// Changes the auto-lock and wipe choices of the lock that is set.
    pub async fn set_lock_choices(
        &self,
        change: impl FnOnce(&mut LockRecord),
    ) -> Result<(), StorageError> {
        let tx = readwrite(&self.db, &[META])?;
        let Some(Ok(mut record)) = lock_record(&tx).await.map_err(write_failed)? else {
            return Ok(());
        };
        change(&mut record);
        put_bytes(&tx, META, LOCK, &record.to_stored()).await?;
        tx.commit().await.map_err(write_failed)
    }

    /// Whether this plan's safety plan opens without the PIN.
    pub async fn opens_without_pin(&self, plan: &PlanId) -> Result<bool, StorageError> {
        let tx = self
            .db
            .transaction(OPEN_COPIES)
            .build()
            .map_err(read_failed)?;
        let found = keys::stored_bytes(&tx, OPEN_COPIES, plan.as_str())
            .await
            .map_err(read_failed)?;
        Ok(found.is_some())
    }

    /// Lets this plan's safety plan open without the PIN, or stops it.
    pub async fn set_opens_without_pin(&self, plan: &PlanId, on: bool) -> Result<(), StorageError> {
        let sealed = if on {
            Some(self.seal_copy(plan).await?)
        } else {
            None
        };
        let tx = readwrite(&self.db, &[OPEN_COPIES])?;
        match sealed {
            Some(sealed) => put_bytes(&tx, OPEN_COPIES, plan.as_str(), &sealed).await?,
            None => tx
                .object_store(OPEN_COPIES)
                .map_err(write_failed)?
                .delete(plan.as_str())
                .await
                .map_err(write_failed)?,
        }
        tx.commit().await.map_err(write_failed)
    }

    /// Brings the copy of this plan's safety plan up to the state `state` gives, if it
    /// opens without the PIN (checked again in the same transaction as the write). The
    /// state is only encoded when there is a copy to refresh.
    pub async fn refresh_open_copy(
        &self,
        plan: &PlanId,
        state: impl FnOnce() -> Vec<u8>,
    ) -> Result<(), StorageError> {
        if !self.opens_without_pin(plan).await? {
            return Ok(());
        }
        let sealed = self
            .device
            .seal(&state(), copy_place(plan.as_str()))
            .await?;
        let tx = readwrite(&self.db, &[OPEN_COPIES])?;
        if keys::stored_bytes(&tx, OPEN_COPIES, plan.as_str())
            .await
            .map_err(write_failed)?
            .is_some()
        {
            put_bytes(&tx, OPEN_COPIES, plan.as_str(), &sealed).await?;
        }
        tx.commit().await.map_err(write_failed)
    }

    /// This plan's safety plan as it is stored now, sealed for the lock screen.
    async fn seal_copy(&self, plan: &PlanId) -> Result<Vec<u8>, StorageError> {
        let stored = self.load_section(plan, SectionKind::SafetyPlan).await?;
        let doc = SectionDoc::new(SectionKind::SafetyPlan, crate::platform::fresh_client_id());
        for update in stored.all_updates() {
            // A damaged record is left out here as everywhere; the rest is copied.
            let _ = doc.apply_stored(update);
        }
        self.device
            .seal(&doc.encode_state(), copy_place(plan.as_str()))
            .await
    }
}
