//! The sync handler (SHARING decision 2): one request pushes a phone's waiting envelopes
//! and pulls what it has not seen, for each of its documents. Written against
//! [`CursorLog`] alone, so the same code runs on SQLite, PostgreSQL and, in the
//! convergence harness, on [`crate::storage::MemoryLog`].
//!
//! The handler never opens an envelope. It reads the header and checks that the envelope
//! is for this document, was sent by this phone and signed by its account's key; anything
//! else is refused with nothing stored. Who may sync which document is checked before
//! this is called.

use coplan_domain::envelope::{Envelope, What};
use coplan_domain::sync::{DeviceId, DocumentRequest, DocumentResponse, Pulled, PushAnswer};

use crate::storage::{CursorLog, Pushed, StoreError};

/// The most envelopes one answer pulls per document; the phone asks again for more.
pub const PULL_LIMIT: u32 = 100;

/// Who is syncing: the phone (from its session) and its account's signing key.
#[derive(Debug, Clone, Copy)]
pub struct Syncer {
    pub device: DeviceId,
    pub signing: [u8; 32],
    /// The first client id of the phone's registered range.
    pub range_start: u32,
}

/// A document or phone id as the database keeps it.
pub fn id_text(id: &[u8; 16]) -> String {
    coplan_domain::sync::id_to_hex(id)
}

/// Answers one phone's sync request. A document the server does not have is left out of
/// the answer (the caller has already refused documents the phone may not reach).
pub async fn sync<L: CursorLog>(
    log: &L,
    who: &Syncer,
    requests: &[DocumentRequest],
    now_ms: i64,
) -> Result<Vec<DocumentResponse>, StoreError> {
    let device = id_text(&who.device);
    let mut answers = Vec::with_capacity(requests.len());
    for request in requests {
        let document = id_text(&request.document);
        let Some(before) = log.head(&document).await? else {
            continue;
        };
        let mut pushed = Vec::with_capacity(request.push.len());
        for bytes in &request.push {
            let Ok(envelope) = Envelope::read(bytes) else {
                // Not an envelope at all: there is no counter to answer for.
                continue;
            };
            let header = envelope.header;
            let counter = header.counter;
            // A change may claim only the phone's own range (a snapshot carries everyone's
            // words, and every phone checks it covers what it claims); a snapshot may
            // claim to cover only what the log held before it.
            let fits = match header.what {
                What::Change => header.range_start == who.range_start,
                What::Snapshot => i64::try_from(header.covers).is_ok_and(|c| c <= before.head),
            };
            let ours = header.document == request.document
                && header.device == who.device
                && fits
                && envelope.signed_by(&who.signing);
            let covers = (header.what == What::Snapshot).then_some(header.covers as i64);
            let Ok(stored_counter) = i64::try_from(counter) else {
                pushed.push(PushAnswer::Refused { counter });
                continue;
            };
            if !ours {
                pushed.push(PushAnswer::Refused { counter });
                continue;
            }
            pushed.push(
                match log
                    .push(&document, &device, stored_counter, bytes, covers, now_ms)
                    .await?
                {
                    Pushed::Stored { seq } | Pushed::Repeated { seq } => PushAnswer::Stored {
                        counter,
                        seq: seq as u64,
                    },
                    Pushed::CounterReused => PushAnswer::CounterReused { counter },
                    Pushed::NoDocument | Pushed::UnknownEpoch => PushAnswer::Refused { counter },
                    Pushed::StaleEpoch => PushAnswer::StaleEpoch { counter },
                },
            );
        }
        let after = i64::try_from(request.after).unwrap_or(i64::MAX);
        let pulled = log
            .pull(&document, after, PULL_LIMIT)
            .await?
            .into_iter()
            .map(|logged| Pulled {
                seq: logged.seq as u64,
                received_ms: logged.received_ms.max(0) as u64,
                envelope: logged.body,
            })
            .collect();
        let head = log.head(&document).await?.unwrap_or_default();
        answers.push(DocumentResponse {
            document: request.document,
            log_id: head.log_id,
            head: head.head as u64,
            pushed,
            pulled,
        });
    }
    Ok(answers)
}

/// Each document's head, with nothing pushed or pulled (the answer to a wait). A
/// document the server does not have is left out, as in [`sync`].
pub async fn heads<L: CursorLog>(
    log: &L,
    requests: &[DocumentRequest],
) -> Result<Vec<DocumentResponse>, StoreError> {
    let mut answers = Vec::with_capacity(requests.len());
    for request in requests {
        let Some(head) = log.head(&id_text(&request.document)).await? else {
            continue;
        };
        answers.push(DocumentResponse {
            document: request.document,
            log_id: head.log_id,
            head: head.head as u64,
            pushed: Vec::new(),
            pulled: Vec::new(),
        });
    }
    Ok(answers)
}
