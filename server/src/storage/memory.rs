//! A cursor log kept in memory, with the same promises as the databases' (numbers in
//! commit order with no gaps, pushes idempotent on device and counter, a reused counter
//! refused, compaction to a base snapshot): for the convergence harness, which runs
//! thousands of scenarios against the real sync handler, and which also restores it from
//! an earlier copy.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{Compacted, CursorLog, Head, Logged, Pushed, StoreError};

#[derive(Debug, Clone, Default)]
struct Document {
    log_id: String,
    head: i64,
    /// By number; compaction takes some out.
    envelopes: BTreeMap<i64, Entry>,
    by_sender: BTreeMap<(String, i64), i64>,
    base: Option<(i64, i64)>,
    dropped_counters: BTreeMap<String, i64>,
    /// The key epoch (moved on only by [`MemoryLog::start_epoch`]).
    epoch: i64,
}

#[derive(Debug, Clone)]
struct Entry {
    logged: Logged,
    covers: Option<i64>,
    reported: bool,
}

/// A copy of the log as it stands, for [`MemoryLog::restore`].
#[derive(Debug, Clone)]
pub struct Backup(BTreeMap<String, Document>);

/// The log, shared by clones (like a pool).
#[derive(Debug, Clone, Default)]
pub struct MemoryLog {
    documents: Arc<Mutex<BTreeMap<String, Document>>>,
}

impl MemoryLog {
    /// A copy of everything as it stands (a backup).
    pub fn backup(&self) -> Backup {
        Backup(self.documents.lock().expect("not poisoned").clone())
    }

    /// Puts a backup back, as the restore command does: every log gets a new `log_id`.
    pub fn restore(&self, backup: &Backup, new_log_id: &str) {
        let mut documents = self.documents.lock().expect("not poisoned");
        *documents = backup.0.clone();
        for document in documents.values_mut() {
            document.log_id = new_log_id.to_string();
        }
    }

    /// Moves `document` to its next key epoch, as a removal's log entry does.
    pub fn start_epoch(&self, document: &str) {
        let mut documents = self.documents.lock().expect("not poisoned");
        if let Some(doc) = documents.get_mut(document) {
            doc.epoch += 1;
        }
    }

    /// How many entries the log keeps for `document`, and their bytes.
    pub fn stored(&self, document: &str) -> (usize, usize) {
        let documents = self.documents.lock().expect("not poisoned");
        documents.get(document).map_or((0, 0), |d| {
            let bytes = d.envelopes.values().map(|e| e.logged.body.len()).sum();
            (d.envelopes.len(), bytes)
        })
    }
}

impl CursorLog for MemoryLog {
    async fn create_document(&self, id: &str, log_id: &str) -> Result<(), StoreError> {
        let mut documents = self.documents.lock().expect("not poisoned");
        documents.entry(id.to_string()).or_insert_with(|| Document {
            log_id: log_id.to_string(),
            ..Document::default()
        });
        Ok(())
    }

    async fn head(&self, id: &str) -> Result<Option<Head>, StoreError> {
        let documents = self.documents.lock().expect("not poisoned");
        Ok(documents.get(id).map(|d| Head {
            head: d.head,
            log_id: d.log_id.clone(),
        }))
    }

    async fn push(
        &self,
        document: &str,
        device: &str,
        counter: i64,
        body: &[u8],
        covers: Option<i64>,
        now_ms: i64,
    ) -> Result<Pushed, StoreError> {
        let mut documents = self.documents.lock().expect("not poisoned");
        let Some(doc) = documents.get_mut(document) else {
            return Ok(Pushed::NoDocument);
        };
        if let Some(seq) = doc.by_sender.get(&(device.to_string(), counter))
            && let Some(earlier) = doc.envelopes.get(seq)
        {
            return Ok(if earlier.logged.body == body {
                Pushed::Repeated { seq: *seq }
            } else {
                Pushed::CounterReused
            });
        }
        if let Some(refused) = super::wrong_epoch(body, doc.epoch) {
            return Ok(refused);
        }
        if doc
            .dropped_counters
            .get(device)
            .is_some_and(|highest| counter <= *highest)
        {
            return Ok(Pushed::CounterReused);
        }
        doc.head += 1;
        let seq = doc.head;
        doc.by_sender.insert((device.to_string(), counter), seq);
        let logged = Logged {
            seq,
            device: device.to_string(),
            counter,
            body: body.to_vec(),
            received_ms: now_ms,
        };
        doc.envelopes.insert(
            seq,
            Entry {
                logged,
                covers,
                reported: false,
            },
        );
        Ok(Pushed::Stored { seq })
    }

    async fn pull(
        &self,
        document: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Logged>, StoreError> {
        let documents = self.documents.lock().expect("not poisoned");
        let Some(doc) = documents.get(document) else {
            return Ok(Vec::new());
        };
        let mut pulled = Vec::new();
        let (mut after, mut skip) = (after, 0);
        if let Some((base_seq, base_covers)) = doc.base
            && after < base_covers
        {
            pulled.extend(doc.envelopes.get(&base_seq).map(|e| e.logged.clone()));
            (after, skip) = (base_covers, base_seq);
        }
        let room = (limit as usize).saturating_sub(pulled.len());
        pulled.extend(
            doc.envelopes
                .range(after + 1..)
                .filter(|(seq, _)| **seq != skip)
                .take(room)
                .map(|(_, e)| e.logged.clone()),
        );
        Ok(pulled)
    }

    async fn report(&self, document: &str, seq: i64) -> Result<bool, StoreError> {
        let mut documents = self.documents.lock().expect("not poisoned");
        let entry = documents
            .get_mut(document)
            .and_then(|d| d.envelopes.get_mut(&seq))
            .filter(|e| e.covers.is_some());
        Ok(entry.map(|e| e.reported = true).is_some())
    }

    async fn compact(&self, before_ms: i64) -> Result<Compacted, StoreError> {
        let mut documents = self.documents.lock().expect("not poisoned");
        let mut compacted = Compacted::default();
        for doc in documents.values_mut() {
            let base_covers = doc.base.map_or(0, |(_, covers)| covers);
            let best = doc
                .envelopes
                .values()
                .filter(|e| !e.reported && e.logged.received_ms <= before_ms)
                .filter_map(|e| Some((e.covers?, e.logged.seq)))
                .filter(|(covers, _)| *covers > base_covers)
                .max();
            let Some((covers, base_seq)) = best else {
                continue;
            };
            let gone: Vec<i64> = doc
                .envelopes
                .range(..=covers)
                .map(|(seq, _)| *seq)
                .filter(|seq| *seq != base_seq)
                .collect();
            for seq in &gone {
                let entry = doc.envelopes.remove(seq).expect("listed");
                let highest = doc
                    .dropped_counters
                    .entry(entry.logged.device.clone())
                    .or_insert(entry.logged.counter);
                *highest = (*highest).max(entry.logged.counter);
                doc.by_sender
                    .remove(&(entry.logged.device, entry.logged.counter));
            }
            doc.base = Some((base_seq, covers));
            compacted.documents += 1;
            compacted.dropped += gone.len() as u64;
        }
        Ok(compacted)
    }
}
