//! Plan sections in IndexedDB: a compacted snapshot per section plus an append-only log
//! of the changes since, so each keystroke writes one small record. Compaction writes the
//! new snapshot and drops the log it covers in one transaction: after a crash, either the
//! old snapshot and its log or the new snapshot is there, never a gap.

use coplan_domain::PlanId;
use coplan_domain::plan::SectionKind;
use indexed_db_futures::KeyRange;
use indexed_db_futures::error::Error as IdbError;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::{SECTION_SNAPSHOTS, SECTION_UPDATES, Storage, StorageError, describe};

/// What is stored for one section: its snapshot (if ever compacted) and the changes since,
/// in order, with the sequence number the next change should use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredSection {
    pub snapshot: Option<Vec<u8>>,
    pub updates: Vec<Vec<u8>>,
    pub next_seq: u32,
}

impl StoredSection {
    /// Everything stored, oldest first, ready to apply to a fresh document.
    pub fn all_updates(&self) -> impl Iterator<Item = &[u8]> {
        self.snapshot
            .iter()
            .chain(self.updates.iter())
            .map(Vec::as_slice)
    }
}

fn section_key(plan: &PlanId, kind: SectionKind) -> JsValue {
    Array::of2(&plan.as_str().into(), &kind.key().into()).into()
}

fn update_key(plan: &PlanId, kind: SectionKind, seq: f64) -> JsValue {
    Array::of3(&plan.as_str().into(), &kind.key().into(), &seq.into()).into()
}

/// All of one section's log: sequence numbers from 0 up.
fn log_range(plan: &PlanId, kind: SectionKind) -> KeyRange<JsValue> {
    KeyRange::Bound(
        update_key(plan, kind, 0.0),
        false,
        update_key(plan, kind, f64::MAX),
        false,
    )
}

fn bytes(value: &[u8]) -> JsValue {
    Uint8Array::from(value).into()
}

impl Storage {
    /// Reads a section's snapshot and log.
    pub async fn load_section(
        &self,
        plan: &PlanId,
        kind: SectionKind,
    ) -> Result<StoredSection, StorageError> {
        let read = |e: IdbError| StorageError::ReadFailed {
            detail: describe(&e),
        };
        let tx = self
            .db
            .transaction([SECTION_SNAPSHOTS, SECTION_UPDATES])
            .build()
            .map_err(read)?;
        let snapshot: Option<JsValue> = tx
            .object_store(SECTION_SNAPSHOTS)
            .map_err(read)?
            .get(section_key(plan, kind))
            .primitive()
            .map_err(read)?
            .await
            .map_err(read)?;
        let log = tx.object_store(SECTION_UPDATES).map_err(read)?;
        let updates: Vec<Vec<u8>> = log
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(log_range(plan, kind))
            .primitive()
            .map_err(read)?
            .await
            .map_err(read)?
            .map(|value| value.map(|v| Uint8Array::new(&v).to_vec()))
            .collect::<Result<_, _>>()
            .map_err(read)?;
        let keys: Vec<JsValue> = log
            .get_all_keys::<JsValue>()
            .with_query::<JsValue, _>(log_range(plan, kind))
            .primitive()
            .map_err(read)?
            .await
            .map_err(read)?
            .collect::<Result<_, _>>()
            .map_err(read)?;
        let next_seq = keys
            .last()
            .and_then(|key| Array::from(key).get(2).as_f64())
            .map(|seq| seq as u32 + 1)
            .unwrap_or(0);
        Ok(StoredSection {
            snapshot: snapshot.map(|v| Uint8Array::new(&v).to_vec()),
            updates,
            next_seq,
        })
    }

    /// Appends one change to a section's log. Resolves once the transaction completes:
    /// the words are on disk.
    pub async fn append_update(
        &self,
        plan: &PlanId,
        kind: SectionKind,
        seq: u32,
        update: &[u8],
    ) -> Result<(), StorageError> {
        let write = |e: IdbError| StorageError::WriteFailed {
            detail: describe(&e),
        };
        let tx = self
            .db
            .transaction(SECTION_UPDATES)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(write)?;
        tx.object_store(SECTION_UPDATES)
            .map_err(write)?
            .put(bytes(update))
            .with_key(update_key(plan, kind, f64::from(seq)))
            .without_key_type()
            .await
            .map_err(write)?;
        tx.commit().await.map_err(write)
    }

    /// Replaces a section's snapshot with `state` and drops the log entries it covers
    /// (sequence numbers below `covers_below`), in one transaction.
    pub async fn compact_section(
        &self,
        plan: &PlanId,
        kind: SectionKind,
        state: &[u8],
        covers_below: u32,
    ) -> Result<(), StorageError> {
        let write = |e: IdbError| StorageError::WriteFailed {
            detail: describe(&e),
        };
        let tx = self
            .db
            .transaction([SECTION_SNAPSHOTS, SECTION_UPDATES])
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(write)?;
        tx.object_store(SECTION_SNAPSHOTS)
            .map_err(write)?
            .put(bytes(state))
            .with_key(section_key(plan, kind))
            .without_key_type()
            .await
            .map_err(write)?;
        if covers_below > 0 {
            let covered = KeyRange::Bound(
                update_key(plan, kind, 0.0),
                false,
                update_key(plan, kind, f64::from(covers_below)),
                true,
            );
            tx.object_store(SECTION_UPDATES)
                .map_err(write)?
                .delete::<JsValue, _>(covered)
                .await
                .map_err(write)?;
        }
        tx.commit().await.map_err(write)
    }
}
