//! What a phone does with changes from the server that build on changes it has not
//! received yet. That happens after the server lost the end of its log (restored from a
//! backup): a phone's change sent before it heard of the loss builds on words that come
//! back only later, in some phone's whole state. Such a change is checked
//! ([`crate::plan::file::check_updates`] says [`FileError::Waits`]) and held outside the
//! document, in the sync record, and tried again after the changes that come after it:
//! Yrs would keep it pending inside the document, and yrs 0.28.1 can panic integrating a
//! later change beside a pending one. The app's sync driver and the convergence harness
//! both sort changes with these.

use crate::plan::file::FileError;

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
