//! What a phone sends of one document: everything its copy holds beyond what it already
//! put in its outbox or took in from the server. The app's sync driver
//! (`src/account/sync.rs`) and the convergence harness (`server/tests/api/convergence.rs`)
//! both decide with these, so the harness checks the rule the phones use.
//!
//! What went out is remembered as a [`Sent`]: the document's state vector, which moves
//! when words are added, and how many of its items are deleted, which moves when words
//! are taken out (a deletion adds nothing to the state vector, and every change carries
//! the whole delete set).

use yrs::StateVector;
use yrs::updates::decoder::Decode;

use crate::envelope::What;
use crate::membership::inserts_only_in;
use crate::plan::{PlanError, SectionDoc};

/// How far a document had got when its last change went out (or a remote one came in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The document's state vector (Yrs, encoding v1).
    pub state_vector: Vec<u8>,
    /// [`SectionDoc::deleted`] then.
    pub deleted: u64,
}

impl Sent {
    /// Where `doc` stands now.
    pub fn of(doc: &SectionDoc) -> Self {
        Self {
            state_vector: doc.state_vector(),
            deleted: doc.deleted(),
        }
    }

    /// Whether the document held nothing, not even a deletion.
    fn is_empty(&self) -> bool {
        self.deleted == 0 && StateVector::decode_v1(&self.state_vector).is_ok_and(|v| v.is_empty())
    }

    /// Whether both say the same (state vectors compared by what they hold: two encodings
    /// of one vector may list its clients in different orders).
    fn same_as(&self, other: &Self) -> bool {
        let vector = |bytes: &[u8]| StateVector::decode_v1(bytes).ok();
        self.deleted == other.deleted
            && match (vector(&self.state_vector), vector(&other.state_vector)) {
                (Some(a), Some(b)) => a == b,
                _ => self.state_vector == other.state_vector,
            }
    }
}

/// The change to put in the outbox for `doc`: everything it holds beyond `sent` (the whole
/// state when nothing was sent yet, or when `whole` asks for it, after the server lost part
/// of its log), or None when there is nothing new. `sent` then covers what is returned.
pub fn next_change(
    doc: &SectionDoc,
    sent: &mut Option<Sent>,
    whole: bool,
) -> Result<Option<Vec<u8>>, PlanError> {
    let now = Sent::of(doc);
    let nothing_new = sent.as_ref().is_some_and(|s| s.same_as(&now)) || doc.writers().is_empty();
    if !whole && nothing_new {
        return Ok(None);
    }
    let update = match (sent.as_ref(), whole) {
        (Some(sent), false) => doc.diff_since(&sent.state_vector)?,
        _ => doc.encode_state(),
    };
    *sent = Some(now);
    Ok(Some(update))
}

/// A remote change took a document from `before` to `after`: when nothing of this phone's
/// own waited behind it (it had sent everything, or had nothing at all), what arrived is
/// not this phone's to send back.
pub fn took_in(sent: &mut Option<Sent>, before: &Sent, after: &Sent) {
    let nothing_waited = match sent {
        Some(sent) => sent.same_as(before),
        None => before.is_empty(),
    };
    if nothing_waited {
        *sent = Some(after.clone());
    }
}

/// How a change to `doc` goes out from the phone whose client ids start at `range_start`:
/// as a change when every block it inserts carries one of that range's ids (what every
/// other phone checks); otherwise, since it holds words written under other ids (another
/// phone's, taken in but not yet counted as sent; a plan from before the account or from a
/// file), the whole state goes, as a snapshot signed by the person.
pub fn shape(doc: &SectionDoc, update: Vec<u8>, range_start: u32) -> (What, Vec<u8>) {
    match what_for(&update, range_start) {
        What::Change => (What::Change, update),
        What::Snapshot => (What::Snapshot, doc.encode_state()),
    }
}

/// How a payload shaped by [`shape`] is sealed (again, under a new counter if need be).
pub fn what_for(update: &[u8], range_start: u32) -> What {
    if inserts_only_in(update, range_start) {
        What::Change
    } else {
        What::Snapshot
    }
}
