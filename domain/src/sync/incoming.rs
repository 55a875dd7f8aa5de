//! What a phone does with changes from the server that build on changes it has not
//! received yet. That happens after the server lost the end of its log (restored from a
//! backup): a phone's change sent before it heard of the loss builds on words that come
//! back only later, in some phone's whole state. Such a change is checked
//! ([`crate::plan::file::check_updates`] says [`FileError::Waits`]) and held outside the
//! document, in the sync record, and tried again after the changes that come after it:
//! Yrs would keep it pending inside the document, and yrs 0.28.1 can panic integrating a
//! later change beside a pending one. The app's sync driver and the convergence harness
//! both sort changes with these.
//!
//! Each change is checked and held framed ([`frame`]) with what its envelope's signed
//! header says about whose ids it may insert under, so that a change inserting words under
//! another phone's ids (claiming them as that phone's) is refused (SHARING decision 3).

use crate::envelope::What;
use crate::membership::inserts_only_in;
use crate::plan::SectionKind;
use crate::plan::file::{FileError, check_updates};

/// A change from the server as it is checked and held: the first client id of the range
/// its inserted blocks must come from (its envelope's header), or None for a snapshot (a
/// whole state signed by the person, which holds every phone's words); then the Yrs
/// update. Format: 4 bytes big-endian (0 for None: no range starts at 0), then the update.
pub fn frame(range_start: Option<u32>, update: &[u8]) -> Vec<u8> {
    let mut framed = Vec::with_capacity(4 + update.len());
    framed.extend_from_slice(&range_start.unwrap_or(0).to_be_bytes());
    framed.extend_from_slice(update);
    framed
}

/// How a change from the server is framed for its check, or None when it is left out: a
/// change only from a range the plan's membership log gives a phone of its signer
/// (`ranges`), to be checked against that range; a snapshot, signed by the person, as it
/// is. The app and the convergence harness both decide with this.
pub fn admit(what: What, range_start: u32, ranges: &[u32], update: &[u8]) -> Option<Vec<u8>> {
    match what {
        What::Snapshot => Some(frame(None, update)),
        What::Change => ranges
            .contains(&range_start)
            .then(|| frame(Some(range_start), update)),
    }
}

/// The range and the update a [`frame`] holds; None if it is too short.
pub fn unframe(framed: &[u8]) -> Option<(Option<u32>, &[u8])> {
    let (range, update) = framed.split_first_chunk::<4>()?;
    let range = u32::from_be_bytes(*range);
    Some(((range != 0).then_some(range), update))
}

/// Checks framed changes to one section, in order, against this phone's `state` of it:
/// one that inserts under ids outside its range is refused (as damaged), and the rest go
/// through [`check_updates`].
pub fn check(kind: SectionKind, state: &[u8], framed: &[&[u8]]) -> Vec<Result<(), FileError>> {
    let mut results = vec![Err(FileError::Damaged); framed.len()];
    let mut checked = Vec::with_capacity(framed.len());
    let mut updates = Vec::with_capacity(framed.len());
    for (at, bytes) in framed.iter().enumerate() {
        let Some((range, update)) = unframe(bytes) else {
            continue;
        };
        if range.is_none_or(|start| inserts_only_in(update, start)) {
            checked.push(at);
            updates.push(update);
        }
    }
    for (at, result) in checked
        .into_iter()
        .zip(check_updates(kind, state, &updates))
    {
        results[at] = result;
    }
    results
}

/// As [`check`], for the document whose envelope kind is `code`: a section's, or a
/// member's suggestions to one (`SectionKind::suggestions_code`).
pub fn check_document(code: u8, state: &[u8], framed: &[&[u8]]) -> Vec<Result<(), FileError>> {
    if let Some(kind) = SectionKind::from_code(code) {
        return check(kind, state, framed);
    }
    let Some(section) = SectionKind::from_suggestions_code(code) else {
        return vec![Err(FileError::NotAPlan); framed.len()];
    };
    let mut results = vec![Err(FileError::Damaged); framed.len()];
    let mut checked = Vec::with_capacity(framed.len());
    let mut updates = Vec::with_capacity(framed.len());
    for (at, bytes) in framed.iter().enumerate() {
        // A suggestions document has no snapshots: every change names its range.
        if let Some((Some(start), update)) = unframe(bytes)
            && inserts_only_in(update, start)
        {
            checked.push(at);
            updates.push(update);
        }
    }
    let verdicts = crate::plan::suggestions::check_updates(section, state, &updates);
    for (at, result) in checked.into_iter().zip(verdicts) {
        results[at] = result;
    }
    results
}

/// How many held changes a section keeps; past that the oldest goes (it is still in the
/// history store, which keeps every change pulled).
pub const HELD_MAX: usize = 256;

/// The changes to check next: those just pulled, in log order, then those held (which
/// may build on the new ones).
pub fn to_check(pulled: Vec<Vec<u8>>, held: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut all = pulled;
    all.extend_from_slice(held);
    all
}

/// Sorts checked changes (every held one among them) by their results: those that
/// passed come back, in order, to take in; those that wait become `held`; the rest are
/// left out for good.
pub fn sort(
    checked: Vec<Vec<u8>>,
    results: &[Result<(), FileError>],
    held: &mut Vec<Vec<u8>>,
) -> Vec<Vec<u8>> {
    held.clear();
    let mut passed = Vec::new();
    for (update, result) in checked.into_iter().zip(results) {
        match result {
            Ok(()) => passed.push(update),
            Err(FileError::Waits) => held.push(update),
            Err(_) => {}
        }
    }
    let over = held.len().saturating_sub(HELD_MAX);
    held.drain(..over);
    passed
}
