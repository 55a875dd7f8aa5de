//! The phone's history store (docs/history.md §2): each change received for a document,
//! kept as the server sent it (still sealed under the section key and signed), with its
//! number in the document's log and the server's time of receipt; and the sealed payload
//! of a change, which carries when it was written.
//!
//! Stored entry, version 1 (pinned by `domain/tests/sync_history.rs`): the version byte,
//! the log number and the received time (milliseconds since 1970), each 8 bytes
//! big-endian, then the envelope's bytes.
//!
//! Change payload, version 1 (the envelope's version 1, what "change"): the written time
//! (8 bytes, milliseconds since 1970, big-endian), then the Yrs update (v1 encoding). The
//! time is inside the sealed payload, so the server never learns when someone typed.

/// The entry format this build writes.
pub const HISTORY_ENTRY_VERSION: u8 = 1;
/// Bytes of an entry before its envelope.
const ENTRY_HEAD: usize = 1 + 8 + 8;
/// Bytes of a change payload before its update.
const WRITTEN_BYTES: usize = 8;

/// One change in a document's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Its number in the document's log.
    pub seq: u64,
    /// When the server received it, by the server's clock.
    pub received_ms: u64,
    /// The envelope, exactly as the server sent it.
    pub envelope: Vec<u8>,
}

/// Why stored bytes are not a history entry this build reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("history entry damaged")]
    Damaged,
    #[error("history entry from a newer build: {found}")]
    Newer { found: u8 },
}

impl HistoryEntry {
    pub fn to_stored(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(ENTRY_HEAD + self.envelope.len());
        out.push(HISTORY_ENTRY_VERSION);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.received_ms.to_be_bytes());
        out.extend_from_slice(&self.envelope);
        out
    }

    pub fn from_stored(bytes: &[u8]) -> Result<Self, HistoryError> {
        let (&version, rest) = bytes.split_first().ok_or(HistoryError::Damaged)?;
        if version > HISTORY_ENTRY_VERSION {
            return Err(HistoryError::Newer { found: version });
        }
        if version != HISTORY_ENTRY_VERSION || rest.len() < ENTRY_HEAD - 1 {
            return Err(HistoryError::Damaged);
        }
        let (seq, rest) = rest.split_at(8);
        let (received, envelope) = rest.split_at(8);
        Ok(Self {
            seq: u64::from_be_bytes(seq.try_into().map_err(|_| HistoryError::Damaged)?),
            received_ms: u64::from_be_bytes(
                received.try_into().map_err(|_| HistoryError::Damaged)?,
            ),
            envelope: envelope.to_vec(),
        })
    }
}

/// A change's sealed payload: when it was written, then the update.
pub fn change_payload(written_ms: u64, update: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(WRITTEN_BYTES + update.len());
    out.extend_from_slice(&written_ms.to_be_bytes());
    out.extend_from_slice(update);
    out
}

/// The written time and the update of a change's opened payload; None when too short.
pub fn read_change_payload(payload: &[u8]) -> Option<(u64, &[u8])> {
    if payload.len() < WRITTEN_BYTES {
        return None;
    }
    let (written, update) = payload.split_at(WRITTEN_BYTES);
    Some((u64::from_be_bytes(written.try_into().ok()?), update))
}
