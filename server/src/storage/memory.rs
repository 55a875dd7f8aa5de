//! A cursor log kept in memory, with the same promises as the databases' (numbers in
//! commit order with no gaps, pushes idempotent on device and counter, a reused counter
//! refused): for the convergence harness, which runs thousands of scenarios against the
//! real sync handler, and which also restores it from an earlier copy.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{CursorLog, Head, Logged, Pushed, StoreError};

#[derive(Debug, Clone, Default)]
struct Document {
    log_id: String,
    envelopes: Vec<Logged>,
    by_sender: BTreeMap<(String, i64), usize>,
}

/// The log, shared by clones (like a pool).
#[derive(Debug, Clone, Default)]
pub struct MemoryLog {
    documents: Arc<Mutex<BTreeMap<String, Document>>>,
}

impl MemoryLog {
    /// A copy of everything as it stands (a backup).
    pub fn backup(&self) -> BTreeMap<String, (String, Vec<Logged>)> {
        let documents = self.documents.lock().expect("not poisoned");
        documents
            .iter()
            .map(|(id, d)| (id.clone(), (d.log_id.clone(), d.envelopes.clone())))
            .collect()
    }

    /// Puts a backup back, as the restore command does: every log gets a new `log_id`.
    pub fn restore(&self, backup: &BTreeMap<String, (String, Vec<Logged>)>, new_log_id: &str) {
        let mut documents = self.documents.lock().expect("not poisoned");
        *documents = backup
            .iter()
            .map(|(id, (_, envelopes))| {
                let by_sender = envelopes
                    .iter()
                    .enumerate()
                    .map(|(at, e)| ((e.device.clone(), e.counter), at))
                    .collect();
                let document = Document {
                    log_id: new_log_id.to_string(),
                    envelopes: envelopes.clone(),
                    by_sender,
                };
                (id.clone(), document)
            })
            .collect();
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
            head: d.envelopes.len() as i64,
            log_id: d.log_id.clone(),
        }))
    }

    async fn push(
        &self,
        document: &str,
        device: &str,
        counter: i64,
        body: &[u8],
        now_ms: i64,
    ) -> Result<Pushed, StoreError> {
        let mut documents = self.documents.lock().expect("not poisoned");
        let Some(doc) = documents.get_mut(document) else {
            return Ok(Pushed::NoDocument);
        };
        if let Some(&at) = doc.by_sender.get(&(device.to_string(), counter)) {
            let earlier = &doc.envelopes[at];
            return Ok(if earlier.body == body {
                Pushed::Repeated { seq: earlier.seq }
            } else {
                Pushed::CounterReused
            });
        }
        let seq = doc.envelopes.len() as i64 + 1;
        doc.by_sender
            .insert((device.to_string(), counter), doc.envelopes.len());
        doc.envelopes.push(Logged {
            seq,
            device: device.to_string(),
            counter,
            body: body.to_vec(),
            received_ms: now_ms,
        });
        Ok(Pushed::Stored { seq })
    }

    async fn pull(
        &self,
        document: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Logged>, StoreError> {
        let documents = self.documents.lock().expect("not poisoned");
        Ok(documents
            .get(document)
            .map(|d| {
                d.envelopes
                    .iter()
                    .skip(usize::try_from(after).unwrap_or(0))
                    .take(limit as usize)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default())
    }
}
