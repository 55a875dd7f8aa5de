//! Compaction by phones (issue 13; SHARING decisions 1 and 2). The server cannot read a
//! plan, so it cannot shorten a document's log: a phone does. Once the log past its last
//! snapshot is long ([`Threshold`]), a phone of the person's seals its whole copy as a
//! snapshot that says which part of the log it covers (everything up to its cursor). The
//! server keeps the snapshot as the log's next entry and, only after a grace period in
//! which no phone reported it, sends it instead of the entries it covers and drops them
//! (`server/src/storage/cursor_log.rs`).
//!
//! The rules that keep every word:
//! - Every phone that receives a snapshot checks it holds everything that phone received
//!   from the log up to what it claims to cover ([`covers`]); one that does not is
//!   reported to the server, which then never drops anything for it, and the phone sends
//!   its own snapshot, which does.
//! - A phone that could not open something in the log never claims to cover it: it
//!   cannot know the words in it. Until a snapshot it can check covers that entry, it
//!   sends its copy only as a snapshot covering nothing, which brings its words back to
//!   any phone that missed them and lets the server drop nothing ([`Tail::to_send`]).
//! - A phone merges a snapshot into its copy like any change, so its own changes not yet
//!   sent stay, on top.
//! - The app and the convergence harness (`server/tests/api/convergence.rs`) both decide
//!   with these.

use yrs::StateVector;
use yrs::updates::decoder::Decode;

use crate::envelope::{Header, What};
use crate::plan::{SectionDoc, SectionKind};

/// When a phone seals a snapshot: after `changes` entries past the last snapshot, or
/// once those entries' bytes pass both `bytes` and the last snapshot's size (a snapshot
/// costs about the size of the section; a tail bigger than it is worth replacing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threshold {
    pub changes: u64,
    pub bytes: u64,
}

/// The threshold the app uses. 200 entries is about a busy week of one person's typing
/// (a change goes out two seconds after typing stops); `cargo xtask bench` prints the
/// stored bytes per edit it leaves.
pub const THRESHOLD: Threshold = Threshold {
    changes: 200,
    bytes: 64 * 1024,
};

/// What a document's log holds past its last snapshot, as this phone has pulled it.
/// Kept in [`super::DocumentSync`], stored whole with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tail {
    /// Entries past the last snapshot that claims to cover something.
    pub changes: u64,
    /// Their envelopes' bytes.
    pub bytes: u64,
    /// That snapshot's envelope's bytes.
    pub snapshot_bytes: u64,
    /// The last log number this phone could not open (0: none since a snapshot covered it).
    pub unopened: u64,
    /// A snapshot of this phone's own is wanted now, whatever the threshold says
    /// ([`Self::snapshot_due`]).
    pub due: bool,
    /// The last snapshot that passed this phone's check: its log number and what it
    /// covers. A later one is checked only against what came after it.
    pub checked_seq: u64,
    pub checked_covers: u64,
}

impl Tail {
    /// An entry pulled from the log, in log order (this phone's own included).
    pub fn saw(&mut self, header: Option<&Header>, bytes: usize) {
        match header {
            Some(h) if h.what == What::Snapshot && h.covers > 0 => {
                self.changes = 0;
                self.bytes = 0;
                self.snapshot_bytes = bytes as u64;
            }
            _ => {
                self.changes += 1;
                self.bytes += bytes as u64;
            }
        }
    }

    /// The entry numbered `seq` did not open on this phone.
    pub fn not_opened(&mut self, seq: u64) {
        self.unopened = self.unopened.max(seq);
    }

    /// The snapshot numbered `seq`, covering up to `covers`, passed this phone's check
    /// ([`covers`]): what it covers no longer stops this phone claiming to cover it.
    pub fn checked(&mut self, seq: u64, covers: u64) {
        if self.unopened <= covers {
            self.unopened = 0;
        }
        if covers > self.checked_covers {
            (self.checked_seq, self.checked_covers) = (seq, covers);
        }
    }

    /// Which received entries a snapshot must be checked against, when it is to cover
    /// those numbered up to `upto`: those after `check_from()`. A snapshot that passed
    /// the check stands for what it covers, if it is itself among them.
    pub fn check_from(&self, upto: u64) -> u64 {
        if self.checked_seq != 0 && self.checked_seq <= upto {
            self.checked_covers
        } else {
            0
        }
    }

    /// A snapshot of this phone's own is wanted at its next round: one that reached it
    /// did not cover what it claimed, or did not open, or stood for entries this phone
    /// never received and left out words this phone holds.
    pub fn snapshot_due(&mut self) {
        self.due = true;
    }

    /// What a snapshot sealed now may claim to cover: this phone's `cursor`, unless
    /// something in the log did not open here or a change waits outside the document
    /// (`held`); then nothing (0).
    pub fn claim(&self, cursor: u64, held: bool) -> u64 {
        if self.unopened == 0 && !held {
            cursor
        } else {
            0
        }
    }

    /// Whether to send a snapshot now, and what it may claim to cover: `Some(cursor)`
    /// past the threshold or when one is due; `Some(0)` (covering nothing, so the server
    /// drops nothing for it) when one is due but something in the log did not open here;
    /// None otherwise. `waiting` says whether anything waits to be sent or to be taken in
    /// (then the copy is not yet what the log says, and the snapshot waits a round).
    pub fn to_send(&self, threshold: Threshold, cursor: u64, waiting: bool) -> Option<u64> {
        if waiting {
            return None;
        }
        let past = self.changes >= threshold.changes
            || (self.bytes >= threshold.bytes && self.bytes > self.snapshot_bytes);
        match (self.claim(cursor, false), self.due || past) {
            (_, false) => None,
            (0, true) => self.due.then_some(0),
            (claim, true) => Some(claim),
        }
    }

    /// A snapshot was sealed and put in the outbox.
    pub fn sent(&mut self) {
        self.changes = 0;
        self.bytes = 0;
        self.due = false;
    }
}

/// Whether `snapshot` (a section's whole state) holds everything in `received`: the
/// changes and snapshots this phone took in from the log up to what the snapshot claims
/// to cover. Each is merged into a copy of the snapshot; the snapshot covers them when
/// that adds no word and takes none out. One that does not apply at all (damaged) is
/// passed over: no phone took it in. A snapshot that does not itself apply covers
/// nothing.
pub fn covers(kind: SectionKind, snapshot: &[u8], received: &[&[u8]]) -> bool {
    let copy = SectionDoc::new(kind, 0);
    if copy.apply_update(snapshot).is_err() {
        return false;
    }
    let vector = |doc: &SectionDoc| StateVector::decode_v1(&doc.state_vector()).ok();
    let (before, deleted) = (vector(&copy), copy.deleted());
    for update in received {
        let _ = copy.apply_update(update);
    }
    before.is_some()
        && vector(&copy) == before
        && copy.deleted() == deleted
        && !copy.has_missing_updates()
}
