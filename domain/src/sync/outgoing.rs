//! What a phone sends of one document: everything its copy holds beyond what it already
//! put in its outbox or took in from the server. The app's sync driver
//! (`src/account/sync.rs`) and the convergence harness (`server/tests/api/convergence.rs`)
//! both decide with these, so the harness checks the rule the phones use.

use crate::plan::{PlanError, SectionDoc};

/// The change to put in the outbox for `doc`: everything it holds beyond `sent` (the whole
/// state when nothing was sent yet, or when `whole` asks for it, after the server lost part
/// of its log), or None when there is nothing new. `sent` then covers what is returned.
pub fn next_change(
    doc: &SectionDoc,
    sent: &mut Option<Vec<u8>>,
    whole: bool,
) -> Result<Option<Vec<u8>>, PlanError> {
    let now = doc.state_vector();
    if !whole && (sent.as_ref() == Some(&now) || doc.writers().is_empty()) {
        return Ok(None);
    }
    let update = match (sent.as_deref(), whole) {
        (Some(sent), false) => doc.diff_since(sent)?,
        _ => doc.encode_state(),
    };
    *sent = Some(now);
    Ok(Some(update))
}

/// What `doc` has sent or taken in so far, taken before a remote change is applied to it.
pub fn mark(doc: &SectionDoc) -> Vec<u8> {
    doc.state_vector()
}

/// A remote change was applied to `doc` (which stood at `before`): when nothing of this
/// phone's own waited behind it, what arrived is not this phone's to send back.
pub fn took_in(doc: &SectionDoc, sent: &mut Option<Vec<u8>>, before: &[u8]) {
    if sent.is_none() || sent.as_deref() == Some(before) {
        *sent = Some(doc.state_vector());
    }
}
