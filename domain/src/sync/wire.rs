//! `POST /api/v1/sync`: one request pushes and pulls for all of a phone's documents, as
//! bytes (envelopes are binary, and base64 in JSON would cost a third more on a phone's
//! data plan). Version 1, numbers big-endian:
//!
//! A request: `CY`, the version byte 1, the number of documents (2 bytes), then for each:
//! the document's id (16 bytes), the cursor (8), the number of envelopes pushed (2), and
//! each envelope as its length (4) and bytes.
//!
//! An answer: `CY`, 1, the number of documents (2), then for each: the id (16), the
//! `log_id` as its length (1) and UTF-8 bytes, the head (8), the number of push answers
//! (2) and each as a kind byte (1 stored, 2 counter reused, 3 refused, 4 sealed under a
//! key epoch the document has moved past), the counter (8) and the log number (8, 0
//! unless stored); then the number of envelopes pulled (2) and
//! each as its log number (8), the time the server received it (8, milliseconds since
//! 1970), its length (4) and bytes.
//!
//! Reading refuses anything cut short, anything left over, and any length past the
//! caps of `crate::limits`, before allocating for it.

use crate::limits::{ENVELOPE_MAX_BYTES, SYNC_BODY_MAX_BYTES};
use crate::sync::{DocumentRequest, DocumentResponse, Pulled, PushAnswer};

/// The sync format this build speaks.
pub const SYNC_VERSION: u8 = 1;
const MAGIC: &[u8; 2] = b"CY";
/// The most documents one request may name (a plan's sections and suggestion documents,
/// for several plans).
pub const MAX_DOCUMENTS: usize = 512;

/// Why bytes are not a sync message this build reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SyncWireError {
    #[error("sync message: damaged")]
    Damaged,
    #[error("sync message: too large")]
    TooLarge,
    #[error("sync message: newer version {found}")]
    NewerVersion { found: u8 },
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SyncWireError> {
        if self.bytes.len() < n {
            return Err(SyncWireError::Damaged);
        }
        let (part, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(part)
    }

    fn u8(&mut self) -> Result<u8, SyncWireError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<usize, SyncWireError> {
        Ok(u16::from_be_bytes(self.take(2)?.try_into().expect("2")) as usize)
    }

    fn u32(&mut self) -> Result<usize, SyncWireError> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().expect("4")) as usize)
    }

    fn u64(&mut self) -> Result<u64, SyncWireError> {
        Ok(u64::from_be_bytes(self.take(8)?.try_into().expect("8")))
    }

    fn id(&mut self) -> Result<[u8; 16], SyncWireError> {
        Ok(self.take(16)?.try_into().expect("16"))
    }

    fn envelope(&mut self) -> Result<Vec<u8>, SyncWireError> {
        let len = self.u32()?;
        if len > ENVELOPE_MAX_BYTES {
            return Err(SyncWireError::TooLarge);
        }
        Ok(self.take(len)?.to_vec())
    }

    fn start(bytes: &'a [u8]) -> Result<(Self, usize), SyncWireError> {
        if bytes.len() > SYNC_BODY_MAX_BYTES {
            return Err(SyncWireError::TooLarge);
        }
        let mut reader = Self { bytes };
        if reader.take(2)? != MAGIC {
            return Err(SyncWireError::Damaged);
        }
        match reader.u8()? {
            SYNC_VERSION => {}
            found if found > SYNC_VERSION => return Err(SyncWireError::NewerVersion { found }),
            _ => return Err(SyncWireError::Damaged),
        }
        let count = reader.u16()?;
        if count > MAX_DOCUMENTS {
            return Err(SyncWireError::TooLarge);
        }
        Ok((reader, count))
    }

    fn finish<T>(self, value: T) -> Result<T, SyncWireError> {
        if self.bytes.is_empty() {
            Ok(value)
        } else {
            Err(SyncWireError::Damaged)
        }
    }
}

/// Bytes of a request before its documents: magic, version, count.
pub const REQUEST_HEAD_BYTES: usize = 2 + 1 + 2;
/// Bytes of each document's entry before its envelopes: id, cursor, count.
pub const DOCUMENT_HEAD_BYTES: usize = 16 + 8 + 2;
/// Bytes before each envelope: its length.
pub const ENVELOPE_HEAD_BYTES: usize = 4;

fn start(out: &mut Vec<u8>, count: usize) {
    out.extend_from_slice(MAGIC);
    out.push(SYNC_VERSION);
    out.extend_from_slice(&(count as u16).to_be_bytes());
}

fn bytes(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value);
}

/// A request's bytes. At most [`MAX_DOCUMENTS`] documents and 65,535 envelopes each.
pub fn write_request(requests: &[DocumentRequest]) -> Vec<u8> {
    let mut out = Vec::new();
    start(&mut out, requests.len());
    for request in requests {
        out.extend_from_slice(&request.document);
        out.extend_from_slice(&request.after.to_be_bytes());
        out.extend_from_slice(&(request.push.len() as u16).to_be_bytes());
        for envelope in &request.push {
            bytes(&mut out, envelope);
        }
    }
    out
}

pub fn read_request(body: &[u8]) -> Result<Vec<DocumentRequest>, SyncWireError> {
    let (mut reader, count) = Reader::start(body)?;
    let mut requests = Vec::with_capacity(count);
    for _ in 0..count {
        let document = reader.id()?;
        let after = reader.u64()?;
        let pushes = reader.u16()?;
        let mut push = Vec::new();
        for _ in 0..pushes {
            push.push(reader.envelope()?);
        }
        requests.push(DocumentRequest {
            document,
            after,
            push,
        });
    }
    reader.finish(requests)
}

/// An answer's bytes.
pub fn write_response(responses: &[DocumentResponse]) -> Vec<u8> {
    let mut out = Vec::new();
    start(&mut out, responses.len());
    for response in responses {
        out.extend_from_slice(&response.document);
        let log_id = &response.log_id.as_bytes()[..response.log_id.len().min(255)];
        out.push(log_id.len() as u8);
        out.extend_from_slice(log_id);
        out.extend_from_slice(&response.head.to_be_bytes());
        out.extend_from_slice(&(response.pushed.len() as u16).to_be_bytes());
        for pushed in &response.pushed {
            let (kind, counter, seq) = match *pushed {
                PushAnswer::Stored { counter, seq } => (1, counter, seq),
                PushAnswer::CounterReused { counter } => (2, counter, 0),
                PushAnswer::Refused { counter } => (3, counter, 0),
                PushAnswer::StaleEpoch { counter } => (4, counter, 0),
            };
            out.push(kind);
            out.extend_from_slice(&counter.to_be_bytes());
            out.extend_from_slice(&seq.to_be_bytes());
        }
        out.extend_from_slice(&(response.pulled.len() as u16).to_be_bytes());
        for pulled in &response.pulled {
            out.extend_from_slice(&pulled.seq.to_be_bytes());
            out.extend_from_slice(&pulled.received_ms.to_be_bytes());
            bytes(&mut out, &pulled.envelope);
        }
    }
    out
}

pub fn read_response(body: &[u8]) -> Result<Vec<DocumentResponse>, SyncWireError> {
    let (mut reader, count) = Reader::start(body)?;
    let mut responses = Vec::with_capacity(count);
    for _ in 0..count {
        let document = reader.id()?;
        let log_len = reader.u8()? as usize;
        let log_id = std::str::from_utf8(reader.take(log_len)?)
            .map_err(|_| SyncWireError::Damaged)?
            .to_string();
        let head = reader.u64()?;
        let mut pushed = Vec::new();
        for _ in 0..reader.u16()? {
            let kind = reader.u8()?;
            let counter = reader.u64()?;
            let seq = reader.u64()?;
            pushed.push(match kind {
                1 => PushAnswer::Stored { counter, seq },
                2 => PushAnswer::CounterReused { counter },
                3 => PushAnswer::Refused { counter },
                4 => PushAnswer::StaleEpoch { counter },
                _ => return Err(SyncWireError::Damaged),
            });
        }
        let mut pulled = Vec::new();
        for _ in 0..reader.u16()? {
            let seq = reader.u64()?;
            let received_ms = reader.u64()?;
            let envelope = reader.envelope()?;
            pulled.push(Pulled {
                seq,
                received_ms,
                envelope,
            });
        }
        responses.push(DocumentResponse {
            document,
            log_id,
            head,
            pushed,
            pulled,
        });
    }
    reader.finish(responses)
}
