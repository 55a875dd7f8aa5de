//! Plan sections in IndexedDB: a compacted snapshot per section plus an append-only log
//! of the changes since, so each keystroke writes one small record.
//!
//! Log keys are `[plan, section, writer, sequence]`, where the writer is a fresh number
//! for each writing session (not its CRDT client id, which a tab reuses from visit to
//! visit): two sessions or tabs of the same plan never overwrite each other's records.
//! Every record is sealed (encrypted at rest, `crypto.rs`), and a transaction closes if it
//! waits on anything but IndexedDB, so records are sealed before a write and opened after
//! a read. Compaction therefore reads the snapshot and the whole log (whoever wrote it),
//! opens and merges them into the caller's document, and then, in a second transaction,
//! writes the result as the new snapshot and drops exactly the records it read, but only
//! if the snapshot is still the one it read (another tab may have compacted meanwhile;
//! then it starts again). Records written meanwhile stay in the log, so nothing is
//! dropped that the snapshot does not hold; after a crash either the old snapshot and its
//! log or the new snapshot is there, never a gap.

use coplan_domain::PlanId;
use coplan_domain::plan::SectionKind;
use indexed_db_futures::KeyRange;
use indexed_db_futures::error::Error as IdbError;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use coplan_domain::plan::snapshot::{self, Snapshot};
use coplan_domain::sealed::Place;

use super::crypto::key_text;
use super::{
    DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES, SYNC, Storage, StorageError, read_failed,
    write_failed,
};
use crate::platform::{deflate_raw, inflate_raw};

/// What is stored for one section, opened: its snapshot (if ever compacted) and the
/// changes since. Records that failed to open (damaged) are counted, not shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredSection {
    pub snapshot: Option<Vec<u8>>,
    pub updates: Vec<Vec<u8>>,
    /// Log records that could not be opened: left in place, never merged.
    pub damaged: usize,
}

impl StoredSection {
    /// How many bytes it takes: at least the size of the state they merge into (records
    /// not yet folded into the snapshot may repeat some of it).
    pub fn bytes(&self) -> usize {
        self.snapshot.as_ref().map_or(0, Vec::len)
            + self.updates.iter().map(Vec::len).sum::<usize>()
    }

    /// Everything stored, snapshot first, ready to apply to a fresh document. CRDT
    /// updates merge in any order, so the log's order across writers does not matter.
    pub fn all_updates(&self) -> impl Iterator<Item = &[u8]> {
        self.snapshot
            .iter()
            .chain(self.updates.iter())
            .map(Vec::as_slice)
    }
}

/// A section's records as read, still sealed.
#[derive(Debug, Clone, Default)]
pub(crate) struct SealedSection {
    snapshot: Option<Vec<u8>>,
    updates: Vec<(JsValue, Vec<u8>)>,
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

async fn read_snapshot(
    tx: &Transaction<'_>,
    plan: &PlanId,
    kind: SectionKind,
) -> Result<Option<Vec<u8>>, IdbError> {
    let snapshot: Option<JsValue> = tx
        .object_store(SECTION_SNAPSHOTS)?
        .get(section_key(plan, kind))
        .primitive()?
        .await?;
    Ok(snapshot.map(|v| Uint8Array::new(&v).to_vec()))
}

pub(crate) async fn read_section(
    tx: &Transaction<'_>,
    plan: &PlanId,
    kind: SectionKind,
) -> Result<SealedSection, IdbError> {
    let snapshot = read_snapshot(tx, plan, kind).await?;
    let store = tx.object_store(SECTION_UPDATES)?;
    let keys: Vec<JsValue> = store
        .get_all_keys::<JsValue>()
        .with_query::<JsValue, _>(log_range(plan, kind))
        .primitive()?
        .await?
        .collect::<Result<_, _>>()?;
    let values: Vec<Vec<u8>> = store
        .get_all::<JsValue>()
        .with_query::<JsValue, _>(log_range(plan, kind))
        .primitive()?
        .await?
        .map(|value| value.map(|v| Uint8Array::new(&v).to_vec()))
        .collect::<Result<_, _>>()?;
    Ok(SealedSection {
        snapshot,
        updates: keys.into_iter().zip(values).collect(),
    })
}

impl Storage {
    /// Opens a section's sealed records. A damaged snapshot makes the section unreadable
    /// (said plainly); a damaged log record is left out and counted, the rest still reads.
    pub(crate) async fn open_section(
        &self,
        plan: &PlanId,
        kind: SectionKind,
        sealed: &SealedSection,
    ) -> Result<(StoredSection, Vec<JsValue>), StorageError> {
        let snapshot = match &sealed.snapshot {
            Some(bytes) => {
                let key = key_text(&section_key(plan, kind));
                let place = Place {
                    store: SECTION_SNAPSHOTS,
                    key: &key,
                };
                Some(unpacked(self.key.open(bytes, place).await?).await?)
            }
            None => None,
        };
        let mut opened = StoredSection {
            snapshot,
            ..StoredSection::default()
        };
        let mut opened_keys = Vec::new();
        for (key, bytes) in &sealed.updates {
            let text = key_text(key);
            let place = Place {
                store: SECTION_UPDATES,
                key: &text,
            };
            match self.key.open(bytes, place).await {
                Ok(update) => {
                    opened.updates.push(update);
                    opened_keys.push(key.clone());
                }
                Err(_) => opened.damaged += 1,
            }
        }
        Ok((opened, opened_keys))
    }

    /// Reads and opens a section's snapshot and log.
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
        let sealed = read_section(&tx, plan, kind).await.map_err(read_failed)?;
        drop(tx);
        Ok(self.open_section(plan, kind, &sealed).await?.0)
    }

    /// An update sealed for its place in the log.
    pub(crate) async fn seal_update(
        &self,
        key: &JsValue,
        update: &[u8],
    ) -> Result<JsValue, StorageError> {
        let key = key_text(key);
        let place = Place {
            store: SECTION_UPDATES,
            key: &key,
        };
        Ok(bytes(&self.key.seal(update, place).await?))
    }

    /// Appends one change, written by the session named `writer` as its `seq`th.
    /// Resolves once the transaction completes: the words are on disk.
    pub async fn append_update(
        &self,
        plan: &PlanId,
        kind: SectionKind,
        writer: u64,
        seq: u32,
        update: &[u8],
    ) -> Result<(), StorageError> {
        let key = update_key(plan, kind, writer, seq);
        let sealed = self.seal_update(&key, update).await?;
        let tx = self.readwrite([DRAFTS, SECTION_UPDATES, SYNC])?;
        plan_still_there(&tx, plan).await?;
        tx.object_store(SECTION_UPDATES)
            .map_err(write_failed)?
            .put(sealed)
            .with_key(key)
            .without_key_type()
            .await
            .map_err(write_failed)?;
        super::account::case_changed(&tx.object_store(SYNC).map_err(write_failed)?, plan).await?;
        tx.commit().await.map_err(write_failed)
    }

    /// Compacts a section: `merge` receives everything stored (from every tab), merges it
    /// into its document and returns the whole state, which replaces the snapshot while
    /// the log records it was given are dropped (see the module's note on tabs).
    pub async fn compact_section(
        &self,
        plan: &PlanId,
        kind: SectionKind,
        merge: impl Fn(&StoredSection) -> Vec<u8>,
    ) -> Result<(), StorageError> {
        self.compact(plan, kind, None, None, merge)
            .await
            .map(|_| ())
    }

    /// Compacts only `writer`'s own log records into the snapshot: the caller's document
    /// already holds every change that writer made, so only the snapshot is opened (one
    /// decryption rather than one per record, which would queue ahead of the next
    /// keystroke's encryption). Other writers' records stay in the log.
    ///
    /// `known_snapshot` is the sealed snapshot this writer last wrote: if it is still the
    /// one stored, the document already holds it and it is not opened or merged again.
    /// Returns the sealed snapshot written, to pass next time.
    pub async fn compact_own_changes(
        &self,
        plan: &PlanId,
        kind: SectionKind,
        writer: u64,
        known_snapshot: Option<&[u8]>,
        merge: impl Fn(&StoredSection) -> Vec<u8>,
    ) -> Result<Vec<u8>, StorageError> {
        self.compact(plan, kind, Some(writer), known_snapshot, merge)
            .await
    }

    async fn compact(
        &self,
        plan: &PlanId,
        kind: SectionKind,
        only_writer: Option<u64>,
        known_snapshot: Option<&[u8]>,
        merge: impl Fn(&StoredSection) -> Vec<u8>,
    ) -> Result<Vec<u8>, StorageError> {
        const ATTEMPTS: usize = 3;
        for _ in 0..ATTEMPTS {
            let tx = self
                .db
                .transaction([SECTION_SNAPSHOTS, SECTION_UPDATES])
                .build()
                .map_err(read_failed)?;
            let mut sealed = read_section(&tx, plan, kind).await.map_err(read_failed)?;
            drop(tx);
            // In the own-changes mode, the writer's records are dropped unopened.
            let own_keys = only_writer.map(|writer| {
                let keys = sealed
                    .updates
                    .iter()
                    .map(|(key, _)| key)
                    .filter(|key| {
                        key.dyn_ref::<Array>()
                            .and_then(|k| k.get(2).as_f64())
                            .is_some_and(|w| w == writer as f64)
                    })
                    .cloned()
                    .collect::<Vec<_>>();
                sealed.updates.clear();
                keys
            });
            let unchanged =
                known_snapshot.is_some() && known_snapshot == sealed.snapshot.as_deref();
            let read_snapshot_bytes = sealed.snapshot.clone();
            if unchanged {
                sealed.snapshot = None;
            }
            let (stored, opened_keys) = self.open_section(plan, kind, &sealed).await?;
            let merged_keys = own_keys.unwrap_or(opened_keys);
            let state = packed(&merge(&stored)).await;
            let key = key_text(&section_key(plan, kind));
            let place = Place {
                store: SECTION_SNAPSHOTS,
                key: &key,
            };
            let snapshot = bytes(&self.key.seal(&state, place).await?);

            let tx = self.readwrite([DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES])?;
            plan_still_there(&tx, plan).await?;
            if read_snapshot(&tx, plan, kind).await.map_err(write_failed)? != read_snapshot_bytes {
                // Another tab compacted meanwhile: start again from what it wrote.
                continue;
            }
            let written = Uint8Array::new(&snapshot).to_vec();
            tx.object_store(SECTION_SNAPSHOTS)
                .map_err(write_failed)?
                .put(snapshot)
                .with_key(section_key(plan, kind))
                .without_key_type()
                .await
                .map_err(write_failed)?;
            // One request per run of a writer's records (later ones have higher numbers and
            // are kept). A request per record would hold this transaction, and so the next
            // keystroke's write, for a long time on a slow phone.
            let log = tx.object_store(SECTION_UPDATES).map_err(write_failed)?;
            for (writer, low, high) in writer_spans(&merged_keys) {
                let range = KeyRange::Bound(
                    update_key(plan, kind, writer, low),
                    false,
                    update_key(plan, kind, writer, high),
                    false,
                );
                log.delete::<JsValue, _>(range)
                    .await
                    .map_err(write_failed)?;
            }
            tx.commit().await.map_err(write_failed)?;
            return Ok(written);
        }
        Err(StorageError::WriteFailed {
            detail: "the snapshot kept changing while it was compacted".into(),
        })
    }
}

/// A section's whole state as its snapshot keeps it: deflated by the browser where it
/// can (about a quarter of the size), else plain (`coplan_domain::plan::snapshot`).
async fn packed(state: &[u8]) -> Vec<u8> {
    match deflate_raw(state).await {
        Some(deflated) => snapshot::deflated(&deflated),
        None => state.to_vec(),
    }
}

/// A snapshot as kept, back to the section's whole state.
async fn unpacked(kept: Vec<u8>) -> Result<Vec<u8>, StorageError> {
    let damaged = |detail: &str| StorageError::ReadFailed {
        detail: format!("snapshot: {detail}"),
    };
    match snapshot::read(&kept) {
        Ok(Snapshot::Plain(_)) => Ok(kept),
        Ok(Snapshot::Deflated(deflated)) => inflate_raw(deflated)
            .await
            .map_err(|_| damaged("does not inflate")),
        Err(error) => Err(damaged(&error.to_string())),
    }
}

/// Refuses a write under a plan that was deleted (perhaps by another tab that had it
/// open too), checked in the write's own transaction, so nothing is left behind (H14).
pub(super) async fn plan_still_there(
    tx: &Transaction<'_>,
    plan: &PlanId,
) -> Result<(), StorageError> {
    let found: Option<JsValue> = tx
        .object_store(DRAFTS)
        .map_err(write_failed)?
        .get(plan.as_str())
        .primitive()
        .map_err(write_failed)?
        .await
        .map_err(write_failed)?;
    match found {
        Some(_) => Ok(()),
        None => Err(StorageError::PlanGone),
    }
}

/// The log keys as runs of consecutive sequence numbers per writer: (writer, first,
/// last). A record left out (damaged, so not merged) splits a run, so deleting the runs
/// never drops it.
fn writer_spans(keys: &[JsValue]) -> Vec<(u64, u32, u32)> {
    let mut seqs: Vec<(u64, u32)> = keys
        .iter()
        .filter_map(|key| {
            let parts = key.dyn_ref::<Array>()?;
            Some((parts.get(2).as_f64()? as u64, parts.get(3).as_f64()? as u32))
        })
        .collect();
    seqs.sort_unstable();
    let mut spans: Vec<(u64, u32, u32)> = Vec::new();
    for (writer, seq) in seqs {
        match spans.last_mut() {
            Some((w, _, last)) if *w == writer && seq == *last + 1 => *last = seq,
            _ => spans.push((writer, seq, seq)),
        }
    }
    spans
}

/// What opening a section of the open plan needs, read in one transaction: which plan is
/// open, this phone's author id, and the section's snapshot and log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpenSection {
    pub draft: Option<coplan_domain::PlanDraft>,
    pub author: Option<String>,
    pub stored: StoredSection,
    /// The snapshot as stored (sealed), to tell later whether it has changed.
    pub sealed_snapshot: Option<Vec<u8>>,
}

impl Storage {
    /// Reads the open plan, the author and one of its sections in a single transaction
    /// (each transaction costs a round trip, which a cheap phone feels when a plan opens).
    /// `before_opening` runs with the plan's id as soon as the transaction's last read is
    /// in, before anything waits on opening the sealed records: a tab starts listening to
    /// other tabs there, so no change falls between what it read and what it hears.
    pub async fn read_open_section(
        &self,
        kind: SectionKind,
        before_opening: impl FnOnce(&PlanId),
    ) -> Result<OpenSection, StorageError> {
        use super::{CURRENT_PLAN, DRAFTS, LOCAL_AUTHOR, META};
        let tx = self
            .db
            .transaction([META, DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES])
            .build()
            .map_err(read_failed)?;
        let meta = tx.object_store(META).map_err(read_failed)?;
        let author: Option<String> = meta.get(LOCAL_AUTHOR).await.map_err(read_failed)?;
        let current: Option<String> = meta.get(CURRENT_PLAN).await.map_err(read_failed)?;
        let Some(id) = current.and_then(|id| PlanId::parse(&id).ok()) else {
            return Ok(OpenSection {
                author,
                ..OpenSection::default()
            });
        };
        let draft: Option<JsValue> = tx
            .object_store(DRAFTS)
            .map_err(read_failed)?
            .get(id.as_str())
            .primitive()
            .map_err(read_failed)?
            .await
            .map_err(read_failed)?;
        let Some(draft) = draft else {
            return Ok(OpenSection {
                author,
                ..OpenSection::default()
            });
        };
        let sealed = read_section(&tx, &id, kind).await.map_err(read_failed)?;
        drop(tx);
        before_opening(&id);
        let draft = self.open_draft(id.as_str(), &draft).await?;
        let (stored, _) = self.open_section(&id, kind, &sealed).await?;
        Ok(OpenSection {
            draft: Some(draft),
            author,
            stored,
            sealed_snapshot: sealed.snapshot,
        })
    }
}
