//! The sync engine's phone side, as a pure state machine (issue 12): it holds, per
//! document, where the phone's copy stands against the server's cursor log (SHARING
//! decision 2) and what waits to be sent, and turns each answer into what to apply and
//! what to keep. It never touches a clock, the network, storage or the CRDT: the browser
//! layer (and the convergence harness, `server/tests/api/convergence.rs`) drives it and
//! stores [`DocumentSync`] whole after each step.
//!
//! The rules that keep every word:
//! - A change is sealed into an envelope and put in the outbox, with the phone's next
//!   counter for the document, before anything is sent; the same bytes are sent until the
//!   server says it has them, so a repeat is harmless (pushes are idempotent on
//!   device and counter).
//! - What the server sends is applied and stored first; only then does the cursor move
//!   ([`DocumentSync::stored`]), so a crash in between pulls it again.
//! - Log numbers arrive with no gaps: a gap stops the pull there, to be asked again.
//! - A different `log_id`, or a head below the cursor, means the server's log was reset or
//!   restored from a backup: the cursor starts again from 0 and the phone sends its whole
//!   state as one change, so whatever the server lost comes back. (With members other
//!   than the person's own phones, a whole state holds others' words, which a change may
//!   not carry (`membership::Membership::check_update`): it then goes as a snapshot, which
//!   issue 13's checks admit.)

pub mod compaction;
pub mod history;
pub mod incoming;
pub mod outgoing;
pub mod record;
pub mod wire;

use std::collections::BTreeMap;

use crate::envelope::{Envelope, What};

/// A document's id on the server.
pub type DocumentId = [u8; 16];

/// A 16-byte id (plan, document, phone) as the server writes it in JSON and paths: 32
/// lowercase hex digits.
pub fn id_to_hex(id: &[u8; 16]) -> String {
    to_hex(id)
}

/// Bytes as lowercase hex digits, two to a byte.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads an id written by [`id_to_hex`]; None for anything else.
pub fn id_from_hex(text: &str) -> Option<[u8; 16]> {
    from_hex(text)
}

/// Reads `N` bytes written by [`to_hex`] (lowercase hex digits only); None for anything
/// else.
pub fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let digit = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    let mut bytes = [0u8; N];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(bytes)
}
/// A phone's id on the server.
pub type DeviceId = [u8; 16];

/// What one sync request asks about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRequest {
    pub document: DocumentId,
    /// The phone's cursor: send what is numbered after this.
    pub after: u64,
    /// Envelopes to add to the log, in counter order.
    pub push: Vec<Vec<u8>>,
}

/// The server's answer about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentResponse {
    pub document: DocumentId,
    pub log_id: String,
    /// The log's last number.
    pub head: u64,
    /// What became of each pushed envelope, in the order sent.
    pub pushed: Vec<PushAnswer>,
    /// Envelopes numbered after the cursor, in order (perhaps not all of them).
    pub pulled: Vec<Pulled>,
}

/// What became of one pushed envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushAnswer {
    /// In the log (now, or from an earlier try of the same bytes) as number `seq`.
    Stored { counter: u64, seq: u64 },
    /// The server holds other bytes under this counter: this change needs a new one.
    CounterReused { counter: u64 },
    /// Refused for good (damaged, not this phone's, not allowed): never sent again.
    Refused { counter: u64 },
    /// Sealed under a key epoch the document has moved past (someone who could read it
    /// was removed): nothing stored. The change waits, to be sealed again under the new
    /// epoch's key once this phone has it ([`DocumentSync::sealed_before`]).
    StaleEpoch { counter: u64 },
}

/// One envelope from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    pub seq: u64,
    /// When the server received it (milliseconds since 1970), for history.
    pub received_ms: u64,
    pub envelope: Vec<u8>,
}

/// A change waiting to be sent: its payload (to seal again under a new counter if need
/// be) and the sealed envelope that goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub payload: Vec<u8>,
    pub sealed: Vec<u8>,
}

/// Where one document stands on this phone. Stored whole after every step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSync {
    pub document: DocumentId,
    pub device: DeviceId,
    /// The log this cursor belongs to; None before the first answer.
    pub log_id: Option<String>,
    /// Every envelope numbered up to here is applied and stored.
    pub cursor: u64,
    /// The counter the next change gets.
    pub next_counter: u64,
    /// Changes waiting, by counter.
    pub outbox: BTreeMap<u64, Waiting>,
    /// The server lost part of its log: the whole state must be sent as a change.
    pub send_whole_state: bool,
    /// What the log holds past its last snapshot, for compaction ([`compaction`]).
    pub tail: compaction::Tail,
}

/// A change to seal again ([`DocumentSync::reseal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resealed {
    pub counter: u64,
    pub what: What,
    pub covers: u64,
    pub payload: Vec<u8>,
}

/// What an answer asks of the phone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// Envelopes from other phones, in log order, to check, open and apply; then call
    /// [`DocumentSync::stored`] with `up_to`.
    pub to_apply: Vec<Pulled>,
    /// The last number this answer brings the cursor to once `to_apply` is stored.
    pub up_to: u64,
    /// Changes to seal again under a new counter ([`DocumentSync::reseal`]).
    pub to_reseal: Vec<u64>,
    /// Changes the server refused for good (said to the person, never lost silently:
    /// their payload is still in the CRDT document).
    pub refused: Vec<u64>,
    /// The log was reset or restored.
    pub restored: bool,
    /// A change was sealed under an epoch the document has moved past: fetch the
    /// membership log and the new key, then seal the waiting changes again.
    pub stale_epoch: bool,
    /// The server has more after this answer: ask again now.
    pub more: bool,
}

impl DocumentSync {
    pub fn new(document: DocumentId, device: DeviceId) -> Self {
        Self {
            document,
            device,
            log_id: None,
            cursor: 0,
            next_counter: 0,
            outbox: BTreeMap::new(),
            send_whole_state: false,
            tail: compaction::Tail::default(),
        }
    }

    /// Takes the counter for a new change: seal the change with it, then [`Self::queue`].
    pub fn take_counter(&mut self) -> u64 {
        let counter = self.next_counter;
        self.next_counter += 1;
        counter
    }

    /// Puts a sealed change in the outbox (stored before anything is sent).
    pub fn queue(&mut self, counter: u64, waiting: Waiting) {
        self.outbox.insert(counter, waiting);
    }

    /// Moves a change the server would not take under its counter to a new one: the
    /// caller seals `payload` again with the counter returned, as the same kind of
    /// envelope claiming to cover what the first one did (a snapshot holds the document
    /// as it was when first sealed, so it covers no more now).
    pub fn reseal(&mut self, old: u64) -> Option<Resealed> {
        let waiting = self.outbox.remove(&old)?;
        let header = Envelope::read(&waiting.sealed).ok().map(|e| e.header);
        Some(Resealed {
            counter: self.take_counter(),
            what: header.map_or(What::Change, |h| h.what),
            covers: header.map_or(0, |h| h.covers),
            payload: waiting.payload,
        })
    }

    /// The waiting changes sealed under an epoch before `epoch`, which the server would
    /// refuse as stale: each to go again through [`Self::reseal`] under the new key (a
    /// new counter too, in case an earlier try did arrive before the epoch moved on: the
    /// same words twice change nothing).
    pub fn sealed_before(&self, epoch: u32) -> Vec<u64> {
        self.outbox
            .iter()
            .filter(|(_, w)| Envelope::read(&w.sealed).is_ok_and(|e| e.header.epoch < epoch))
            .map(|(counter, _)| *counter)
            .collect()
    }

    /// Whether there is anything to send.
    pub fn has_waiting(&self) -> bool {
        !self.outbox.is_empty()
    }

    /// The request for this document: the cursor, and up to `max_push` waiting changes.
    pub fn request(&self, max_push: usize) -> DocumentRequest {
        DocumentRequest {
            document: self.document,
            after: self.cursor,
            push: self
                .outbox
                .values()
                .take(max_push)
                .map(|w| w.sealed.clone())
                .collect(),
        }
    }

    /// Reads the server's answer.
    pub fn receive(&mut self, answer: &DocumentResponse) -> Received {
        let mut received = Received::default();
        let moved = self.log_id.as_ref().is_some_and(|id| *id != answer.log_id);
        if moved || answer.head < self.cursor {
            // Whatever this answer pulled was numbered in another log: ask again from 0.
            self.log_id = Some(answer.log_id.clone());
            self.cursor = 0;
            self.send_whole_state = true;
            // A waiting snapshot claims to cover numbers of the old log: the server would
            // refuse it, and the whole state about to go holds all it holds.
            // What the tail knew was numbered in the old log.
            self.tail = compaction::Tail {
                due: self.tail.due,
                ..compaction::Tail::default()
            };
            self.outbox.retain(|_, waiting| {
                Envelope::read(&waiting.sealed)
                    .is_ok_and(|e| e.header.what == What::Change || e.header.covers == 0)
            });
            received.restored = true;
            received.more = true;
            return received;
        }
        self.log_id = Some(answer.log_id.clone());
        for pushed in &answer.pushed {
            match *pushed {
                PushAnswer::Stored { counter, .. } => {
                    self.outbox.remove(&counter);
                }
                PushAnswer::CounterReused { counter } => received.to_reseal.push(counter),
                PushAnswer::StaleEpoch { .. } => received.stale_epoch = true,
                // One no longer waiting (an answer to an earlier try, about a change
                // dropped since) says nothing.
                PushAnswer::Refused { counter } => {
                    if self.outbox.remove(&counter).is_some() {
                        received.refused.push(counter);
                    }
                }
            }
        }
        let mut next = self.cursor + 1;
        // A snapshot the server sent first, standing for the part of the log it covers
        // (which the server has dropped): it is numbered later, so it is passed over
        // when the log reaches it.
        let mut taken_early = None;
        for pulled in &answer.pulled {
            if taken_early == Some(next) {
                next += 1;
            }
            if pulled.seq < next || taken_early == Some(pulled.seq) {
                continue;
            }
            let header = Envelope::read(&pulled.envelope).ok().map(|e| e.header);
            if pulled.seq > next {
                let stands_for_gap = header.is_some_and(|h| {
                    h.what == What::Snapshot && h.covers + 1 >= next && h.covers < pulled.seq
                });
                if !stands_for_gap || taken_early.is_some() {
                    // A gap: stop here and ask again.
                    received.more = true;
                    break;
                }
                taken_early = Some(pulled.seq);
            }
            // This phone's own changes are in its copy already.
            if header.is_none_or(|h| h.device != self.device) {
                received.to_apply.push(pulled.clone());
            }
            self.tail.saw(header.as_ref(), pulled.envelope.len());
            next = match header {
                Some(h) if taken_early == Some(pulled.seq) => h.covers + 1,
                _ => next + 1,
            };
        }
        if taken_early == Some(next) {
            next += 1;
        }
        received.up_to = next - 1;
        if received.up_to < answer.head {
            received.more = true;
        }
        received
    }

    /// Everything up to `seq` is applied and stored: the cursor moves.
    pub fn stored(&mut self, seq: u64) {
        self.cursor = self.cursor.max(seq);
    }
}

/// One sync request: every document's cursor, with up to `max_push` of each one's
/// waiting changes, in order, for as long as the body stays within
/// [`crate::limits::SYNC_BODY_MAX_BYTES`] (what is left goes next round). The first
/// change always goes: one envelope is at most half a body.
pub fn requests<'a>(
    engines: impl IntoIterator<Item = &'a DocumentSync>,
    max_push: usize,
) -> Vec<DocumentRequest> {
    let mut all: Vec<DocumentRequest> = engines
        .into_iter()
        .map(|engine| engine.request(max_push))
        .collect();
    let mut room = crate::limits::SYNC_BODY_MAX_BYTES
        .saturating_sub(wire::REQUEST_HEAD_BYTES + all.len() * wire::DOCUMENT_HEAD_BYTES);
    let mut first = true;
    for request in &mut all {
        let mut fits = 0;
        for envelope in &request.push {
            let size = wire::ENVELOPE_HEAD_BYTES + envelope.len();
            if size > room && !first {
                break;
            }
            room = room.saturating_sub(size);
            fits += 1;
            first = false;
        }
        request.push.truncate(fits);
    }
    all
}

/// Several callers' requests (a round's plans, each with its sections and suggestions)
/// packed into as few bodies as the route takes: each body names at most
/// [`wire::MAX_DOCUMENTS`] documents in at most [`crate::limits::SYNC_BODY_MAX_BYTES`],
/// and one caller's requests always go in one body. The answer is, for each body, the
/// callers in it, in the order given. A caller whose requests alone are too large (never,
/// from [`requests`]) goes in a body of its own, for the server to refuse.
pub fn pack(callers: &[Vec<DocumentRequest>]) -> Vec<Vec<usize>> {
    let size = |requests: &[DocumentRequest]| -> usize {
        requests
            .iter()
            .map(|request| {
                wire::DOCUMENT_HEAD_BYTES
                    + request
                        .push
                        .iter()
                        .map(|envelope| wire::ENVELOPE_HEAD_BYTES + envelope.len())
                        .sum::<usize>()
            })
            .sum()
    };
    let mut bodies: Vec<Vec<usize>> = Vec::new();
    let (mut bytes, mut documents) = (0, 0);
    for (at, requests) in callers.iter().enumerate() {
        let (more_bytes, more_documents) = (size(requests), requests.len());
        let fits = bytes + more_bytes <= crate::limits::SYNC_BODY_MAX_BYTES
            && documents + more_documents <= wire::MAX_DOCUMENTS;
        match bodies.last_mut() {
            Some(body) if fits => body.push(at),
            _ => {
                bodies.push(vec![at]);
                (bytes, documents) = (wire::REQUEST_HEAD_BYTES, 0);
            }
        }
        bytes += more_bytes;
        documents += more_documents;
    }
    bodies
}
