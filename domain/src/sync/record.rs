//! What a phone keeps about one attached plan's sync (stored sealed, like every record):
//! the plan's id on the server, each section's document, its key, what this phone has
//! already put in the outbox ([`Sent`]: a state vector and a count of deleted items), and
//! the engine's state ([`super::DocumentSync`]).
//!
//! Stored format, version 3: JSON, bytes as unpadded base64url. Version 2 added
//! `sent_deleted` (a version 1 record reads with 0 there: its next round then sends the
//! section's delete set once more, which is harmless) and `held` (changes waiting for
//! earlier ones, [`super::incoming`]; left out when there are none). Version 3 added
//! `tail` (what the log holds past its last snapshot, [`super::compaction::Tail`]; left
//! out when all of it is 0: an older record reads as an empty tail, which only puts off
//! its first snapshot). Version 4 added `person`: the signing key of the person whose plan
//! it is, pinned in the room, for a plan shared with this account (written only then; an
//! own plan's record is still version 3). Version 5 added `suggestions`: members'
//! suggestions documents, each with `member`, `state` (the whole document, absent while
//! empty) and `document` (its sync, as a section's); written only when there are any.
//! Version 6 added each document's key `epoch` (left out at 0) and `earlier`, the keys of
//! its earlier epochs (`epoch` and `key`, left out when there are none), so that changes
//! sealed before a member was removed still open; written only once a document has
//! moved past epoch 0. Pinned by `domain/tests/sync_record.rs`.

use serde::{Deserialize, Serialize};

use super::compaction::Tail;
use super::outgoing::Sent;
use super::{DocumentSync, Waiting};
use crate::limits::ENVELOPE_MAX_BYTES;
use crate::wire::{Blob, Bytes};

/// The record format this build writes for a plan with a document past key epoch 0; a
/// plan with suggestions documents is still written as version 5, a plan shared with
/// this account without any as version 4, and the account's own plans without any as
/// version 3, which older builds read.
pub const SYNC_RECORD_VERSION: u32 = 6;
const SUGGESTIONS_VERSION: u32 = 5;
const SHARED_PLAN_VERSION: u32 = 4;
const OWN_PLAN_VERSION: u32 = 3;

/// One plan's sync, on this phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSync {
    /// The attach request's id, kept until the server answers (a retry gets the same plan).
    pub request: [u8; 16],
    /// The plan's id on the server, once attached.
    pub plan: Option<[u8; 16]>,
    /// For a plan shared with this account (not its own): the person's signing key, as
    /// pinned in the room. Their membership log, key envelopes and snapshots are checked
    /// against it.
    pub person: Option<[u8; 32]>,
    /// Whether the server holds this plan's key envelopes.
    pub keys_stored: bool,
    pub documents: Vec<SectionSync>,
    /// Members' suggestions documents: on the person's phones, one for each member and
    /// section they may suggest to; on a member's phone, their own.
    pub suggestions: Vec<SuggestionsSync>,
}

/// A member's suggestions to one section, as this phone keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionsSync {
    /// The member whose suggestions they are.
    pub member: [u8; 32],
    /// The whole document as this phone holds it (small: a member's waiting suggestions
    /// are capped, `plan::suggestions::MAX_WAITING`); empty before the first.
    pub state: Vec<u8>,
    /// The document's sync, as for a section (`section` names the section suggested to).
    pub sync: SectionSync,
}

impl PlanSync {
    /// This phone no longer has the plan (the person deleted it here): its keys and
    /// documents are forgotten, and only the server's id stays, so that the plan is not
    /// taken in again from the account. Stored in the same format (no documents, keys
    /// stored).
    pub fn leave(&mut self) {
        self.documents.clear();
        self.suggestions.clear();
        self.keys_stored = true;
    }

    /// Whether [`Self::leave`] was called: nothing more to sync.
    pub fn is_left(&self) -> bool {
        self.keys_stored && self.documents.is_empty()
    }
}

/// One section's document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSync {
    /// The section's stored name (`about_me`, …).
    pub section: String,
    /// The document's key at its current epoch.
    pub key: [u8; 32],
    /// The document's current key epoch, as this phone knows it (0 until someone who
    /// could read it was removed).
    pub epoch: u32,
    /// The keys of earlier epochs, oldest first, for what was sealed under them.
    pub earlier: Vec<(u32, [u8; 32])>,
    /// How far the section had got when this phone last put a change in the outbox or
    /// took one in: the next change is what it holds beyond that. None before the first.
    pub sent: Option<Sent>,
    /// Changes from the server waiting for changes they build on ([`super::incoming`]).
    pub held: Vec<Vec<u8>>,
    pub engine: DocumentSync,
}

/// A document's keys, each with its epoch.
pub type EpochKeys = Vec<(u32, [u8; 32])>;

impl SectionSync {
    /// A document at epoch 0, before anything was sent or taken in.
    pub fn new(section: String, key: [u8; 32], engine: DocumentSync) -> Self {
        Self {
            section,
            key,
            epoch: 0,
            earlier: Vec::new(),
            sent: None,
            held: Vec::new(),
            engine,
        }
    }

    /// The key an envelope sealed at `epoch` opens with, if this phone holds it.
    pub fn key_at(&self, epoch: u32) -> Option<&[u8; 32]> {
        if epoch == self.epoch {
            return Some(&self.key);
        }
        self.earlier
            .iter()
            .find(|(e, _)| *e == epoch)
            .map(|(_, key)| key)
    }

    /// Every key this phone holds for the document, by epoch, oldest first.
    pub fn keys(&self) -> EpochKeys {
        let mut keys = self.earlier.clone();
        keys.push((self.epoch, self.key));
        keys
    }

    /// Moves to the next epoch's key (the one after [`Self::epoch`]); the current key is
    /// kept among the earlier ones.
    pub fn next_epoch(&mut self, key: [u8; 32]) {
        self.earlier.push((self.epoch, self.key));
        self.epoch += 1;
        self.key = key;
    }
}

/// Why a stored record does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SyncRecordError {
    #[error("sync record damaged")]
    Damaged,
    #[error("sync record from a newer build: {found}")]
    Newer { found: u32 },
}

type Envelope = Blob<ENVELOPE_MAX_BYTES>;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredPlan {
    v: u32,
    request: Bytes<16>,
    plan: Option<Bytes<16>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    person: Option<Bytes<32>>,
    keys_stored: bool,
    documents: Vec<StoredSection>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<StoredSuggestions>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredSuggestions {
    member: Bytes<32>,
    /// None (and left out) while the document is empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<Blob<{ crate::plan::MAX_UPDATE_BYTES }>>,
    document: StoredSection,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredSection {
    section: String,
    document: Bytes<16>,
    device: Bytes<16>,
    key: Bytes<32>,
    #[serde(default, skip_serializing_if = "is_zero")]
    epoch: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    earlier: Vec<StoredKey>,
    sent: Option<Envelope>,
    #[serde(default)]
    sent_deleted: u64,
    log_id: Option<String>,
    cursor: u64,
    next_counter: u64,
    outbox: Vec<StoredWaiting>,
    send_whole_state: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    held: Vec<Envelope>,
    #[serde(default, skip_serializing_if = "StoredTail::is_empty")]
    tail: StoredTail,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredKey {
    epoch: u32,
    key: Bytes<32>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[derive(Serialize, Deserialize, Default, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct StoredTail {
    changes: u64,
    bytes: u64,
    snapshot_bytes: u64,
    unopened: u64,
    due: bool,
    checked_seq: u64,
    checked_covers: u64,
}

impl StoredTail {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredWaiting {
    counter: u64,
    payload: Envelope,
    sealed: Envelope,
}

impl PlanSync {
    pub fn to_stored(&self) -> String {
        let stored = StoredPlan {
            v: if self
                .documents
                .iter()
                .chain(self.suggestions.iter().map(|s| &s.sync))
                .any(|d| d.epoch > 0)
            {
                SYNC_RECORD_VERSION
            } else if !self.suggestions.is_empty() {
                SUGGESTIONS_VERSION
            } else if self.person.is_some() {
                SHARED_PLAN_VERSION
            } else {
                OWN_PLAN_VERSION
            },
            request: Bytes(self.request),
            plan: self.plan.map(Bytes),
            person: self.person.map(Bytes),
            keys_stored: self.keys_stored,
            documents: self.documents.iter().map(stored_section).collect(),
            suggestions: self
                .suggestions
                .iter()
                .map(|s| StoredSuggestions {
                    member: Bytes(s.member),
                    state: Blob::new(s.state.clone()),
                    document: stored_section(&s.sync),
                })
                .collect(),
        };
        serde_json::to_string(&stored).expect("plain fields always serialise")
    }

    pub fn from_stored(text: &str) -> Result<Self, SyncRecordError> {
        #[derive(Deserialize)]
        struct Version {
            v: u32,
        }
        let version: Version = serde_json::from_str(text).map_err(|_| SyncRecordError::Damaged)?;
        if version.v > SYNC_RECORD_VERSION {
            return Err(SyncRecordError::Newer { found: version.v });
        }
        let stored: StoredPlan =
            serde_json::from_str(text).map_err(|_| SyncRecordError::Damaged)?;
        Ok(Self {
            request: stored.request.0,
            plan: stored.plan.map(|p| p.0),
            person: stored.person.map(|p| p.0),
            keys_stored: stored.keys_stored,
            documents: stored.documents.into_iter().map(section_from).collect(),
            suggestions: stored
                .suggestions
                .into_iter()
                .map(|s| SuggestionsSync {
                    member: s.member.0,
                    state: s.state.map(|b| b.as_slice().to_vec()).unwrap_or_default(),
                    sync: section_from(s.document),
                })
                .collect(),
        })
    }
}

fn stored_section(d: &SectionSync) -> StoredSection {
    let blob = |bytes: &[u8]| Blob::new(bytes.to_vec()).expect("within an envelope's size");
    StoredSection {
        section: d.section.clone(),
        document: Bytes(d.engine.document),
        device: Bytes(d.engine.device),
        key: Bytes(d.key),
        epoch: d.epoch,
        earlier: d
            .earlier
            .iter()
            .map(|(epoch, key)| StoredKey {
                epoch: *epoch,
                key: Bytes(*key),
            })
            .collect(),
        sent: d.sent.as_ref().map(|s| blob(&s.state_vector)),
        sent_deleted: d.sent.as_ref().map_or(0, |s| s.deleted),
        log_id: d.engine.log_id.clone(),
        cursor: d.engine.cursor,
        next_counter: d.engine.next_counter,
        outbox: d
            .engine
            .outbox
            .iter()
            .map(|(counter, w)| StoredWaiting {
                counter: *counter,
                payload: blob(&w.payload),
                sealed: blob(&w.sealed),
            })
            .collect(),
        send_whole_state: d.engine.send_whole_state,
        held: d.held.iter().map(|h| blob(h)).collect(),
        tail: StoredTail {
            changes: d.engine.tail.changes,
            bytes: d.engine.tail.bytes,
            snapshot_bytes: d.engine.tail.snapshot_bytes,
            unopened: d.engine.tail.unopened,
            due: d.engine.tail.due,
            checked_seq: d.engine.tail.checked_seq,
            checked_covers: d.engine.tail.checked_covers,
        },
    }
}

fn section_from(d: StoredSection) -> SectionSync {
    SectionSync {
        section: d.section,
        key: d.key.0,
        epoch: d.epoch,
        earlier: d.earlier.iter().map(|k| (k.epoch, k.key.0)).collect(),
        sent: d.sent.map(|s| Sent {
            state_vector: s.as_slice().to_vec(),
            deleted: d.sent_deleted,
        }),
        held: d.held.iter().map(|h| h.as_slice().to_vec()).collect(),
        engine: DocumentSync {
            document: d.document.0,
            device: d.device.0,
            log_id: d.log_id,
            cursor: d.cursor,
            next_counter: d.next_counter,
            outbox: d
                .outbox
                .into_iter()
                .map(|w| {
                    (
                        w.counter,
                        Waiting {
                            payload: w.payload.as_slice().to_vec(),
                            sealed: w.sealed.as_slice().to_vec(),
                        },
                    )
                })
                .collect(),
            send_whole_state: d.send_whole_state,
            tail: Tail {
                changes: d.tail.changes,
                bytes: d.tail.bytes,
                snapshot_bytes: d.tail.snapshot_bytes,
                unopened: d.tail.unopened,
                due: d.tail.due,
                checked_seq: d.tail.checked_seq,
                checked_covers: d.tail.checked_covers,
            },
        },
    }
}
