//! Plan sections in IndexedDB: a compacted snapshot per section plus an append-only log
//! of the changes since, so each keystroke writes one small record.
//!
//! Log keys are `[plan, section, writer, sequence]`, where the writer is the tab's fresh
//! CRDT client id: two tabs of the same plan never overwrite each other's records.
//! Compaction is a merge, in one transaction: it reads the snapshot and the whole log
//! (whoever wrote it), merges them into the caller's document, writes the result as the
//! new snapshot and drops the log it read. No other tab can write in between, so nothing
//! is dropped that the snapshot does not hold; after a crash either the old snapshot and
//! its log or the new snapshot is there, never a gap.

use coplan_domain::PlanId;
use coplan_domain::plan::SectionKind;
use indexed_db_futures::KeyRange;
use indexed_db_futures::error::Error as IdbError;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::JsValue;

use super::{SECTION_SNAPSHOTS, SECTION_UPDATES, Storage, StorageError, read_failed, write_failed};

/// What is stored for one section: its snapshot (if ever compacted) and the changes since.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredSection {
    pub snapshot: Option<Vec<u8>>,
    pub updates: Vec<Vec<u8>>,
}

impl StoredSection {
    /// Everything stored, snapshot first, ready to apply to a fresh document. CRDT
    /// updates merge in any order, so the log's order across writers does not matter.
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

pub(crate) fn update_key(plan: &PlanId, kind: SectionKind, writer: u64, seq: u32) -> JsValue {
    let key = Array::of2(&plan.as_str().into(), &kind.key().into());
    key.push(&(writer as f64).into());
    key.push(&f64::from(seq).into());
    key.into()
}

/// Every log record of one section: keys from `[plan, section]` up to, not including,
/// `[plan, section, []]` (an array sorts after every number).
fn log_range(plan: &PlanId, kind: SectionKind) -> KeyRange<JsValue> {
    let upper = Array::of3(
        &plan.as_str().into(),
        &kind.key().into(),
        &Array::new().into(),
    );
    KeyRange::Bound(section_key(plan, kind), false, upper.into(), true)
}

pub(crate) fn bytes(value: &[u8]) -> JsValue {
    Uint8Array::from(value).into()
}

pub(crate) async fn read_section(
    tx: &Transaction<'_>,
    plan: &PlanId,
    kind: SectionKind,
) -> Result<StoredSection, IdbError> {
    let snapshot: Option<JsValue> = tx
        .object_store(SECTION_SNAPSHOTS)?
        .get(section_key(plan, kind))
        .primitive()?
        .await?;
    let updates = tx
        .object_store(SECTION_UPDATES)?
        .get_all::<JsValue>()
        .with_query::<JsValue, _>(log_range(plan, kind))
        .primitive()?
        .await?
        .map(|value| value.map(|v| Uint8Array::new(&v).to_vec()))
        .collect::<Result<_, _>>()?;
    Ok(StoredSection {
        snapshot: snapshot.map(|v| Uint8Array::new(&v).to_vec()),
        updates,
    })
}

/// Writes `state` as the section's snapshot and drops its log, inside `tx`: the caller
/// has merged everything the log held into `state`.
pub(crate) async fn replace_section(
    tx: &Transaction<'_>,
    plan: &PlanId,
    kind: SectionKind,
    state: &[u8],
) -> Result<(), IdbError> {
    tx.object_store(SECTION_SNAPSHOTS)?
        .put(bytes(state))
        .with_key(section_key(plan, kind))
        .without_key_type()
        .await?;
    tx.object_store(SECTION_UPDATES)?
        .delete::<JsValue, _>(log_range(plan, kind))
        .await?;
    Ok(())
}

impl Storage {
    /// Reads a section's snapshot and log.
    pub async fn load_section(
        &self,
        plan: &PlanId,
        kind: SectionKind,
    ) -> Result<StoredSection, StorageError> {
        let tx = self
            .db
            .transaction([SECTION_SNAPSHOTS, SECTION_UPDATES])
            .build()
            .map_err(read_failed)?;
        read_section(&tx, plan, kind).await.map_err(read_failed)
    }

    /// Appends one change, written by `writer` (the tab's CRDT client id) as its `seq`th.
    /// Resolves once the transaction completes: the words are on disk.
    pub async fn append_update(
        &self,
        plan: &PlanId,
        kind: SectionKind,
        writer: u64,
        seq: u32,
        update: &[u8],
    ) -> Result<(), StorageError> {
        let tx = self.readwrite(SECTION_UPDATES)?;
        tx.object_store(SECTION_UPDATES)
            .map_err(write_failed)?
            .put(bytes(update))
            .with_key(update_key(plan, kind, writer, seq))
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }

    /// Compacts a section: `merge` receives everything stored (from every tab), merges it
    /// into its document and returns the whole state, which replaces the snapshot while
    /// the log it read is dropped, all in one transaction.
    pub async fn compact_section(
        &self,
        plan: &PlanId,
        kind: SectionKind,
        merge: impl FnOnce(&StoredSection) -> Vec<u8>,
    ) -> Result<(), StorageError> {
        let tx = self.readwrite([SECTION_SNAPSHOTS, SECTION_UPDATES])?;
        let stored = read_section(&tx, plan, kind).await.map_err(write_failed)?;
        let state = merge(&stored);
        replace_section(&tx, plan, kind, &state)
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }
}

/// What opening a section of the open plan needs, read in one transaction: which plan is
/// open, this phone's author id, and the section's snapshot and log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenSection {
    pub draft: Option<coplan_domain::PlanDraft>,
    pub author: Option<String>,
    pub stored: StoredSection,
}

impl Storage {
    /// Reads the open plan, the author and one of its sections in a single transaction
    /// (each transaction costs a round trip, which a cheap phone feels when a plan opens).
    pub async fn read_open_section(&self, kind: SectionKind) -> Result<OpenSection, StorageError> {
        use super::{CURRENT_PLAN, DRAFTS, LOCAL_AUTHOR, META};
        let tx = self
            .db
            .transaction([META, DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES])
            .build()
            .map_err(read_failed)?;
        let meta = tx.object_store(META).map_err(read_failed)?;
        let author: Option<String> = meta.get(LOCAL_AUTHOR).await.map_err(read_failed)?;
        let current: Option<String> = meta.get(CURRENT_PLAN).await.map_err(read_failed)?;
        let Some(id) = current else {
            return Ok(OpenSection {
                author,
                ..OpenSection::default()
            });
        };
        let json: Option<String> = tx
            .object_store(DRAFTS)
            .map_err(read_failed)?
            .get(id)
            .await
            .map_err(read_failed)?;
        let Some(draft) = json
            .map(|json| coplan_domain::PlanDraft::from_stored(&json))
            .transpose()?
        else {
            return Ok(OpenSection {
                author,
                ..OpenSection::default()
            });
        };
        let stored = read_section(&tx, &draft.id, kind)
            .await
            .map_err(read_failed)?;
        Ok(OpenSection {
            draft: Some(draft),
            author,
            stored,
        })
    }
}
