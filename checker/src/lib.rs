//! The checker of untrusted input, built to its own small WebAssembly module and run in a
//! Web Worker (`checker/worker.js`): the page hands it a plan file's bytes, it does
//! everything the app would do with them before storing them (`coplan_domain::plan::file::
//! check`), and answers with a verdict. Its memory is capped when it is built
//! (`xtask/src/wasm.rs`, `CHECKER_MEMORY`) and the page ends it after a time limit, so a
//! file crafted to reserve huge amounts of memory, to run for ever, or to hit a panic (which
//! aborts a WebAssembly instance) takes down only the worker, never the app. Changes from
//! other phones come through here too, before the app decodes them.
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;

/// Checks a plan file's bytes: `ok`, or the code of why it would not load
/// (`coplan_domain::plan::file::verdict`).
#[wasm_bindgen]
pub fn check_plan_file(bytes: &[u8]) -> String {
    use coplan_domain::plan::file::{check, verdict};
    verdict(&check(bytes))
}

/// Checks changes from another phone to one document (`kind`: a section's code, or the
/// code of a member's suggestions to one), given this phone's state of it: `updates` holds them one after another, each framed with the range its
/// ids must come from (`coplan_domain::sync::incoming::frame`), `lengths` their sizes (4
/// bytes each, big-endian). Answers one verdict per change, joined by commas
/// (`coplan_domain::plan::file::verdicts`).
#[wasm_bindgen]
pub fn check_updates(kind: u8, state: &[u8], updates: &[u8], lengths: &[u8]) -> String {
    use coplan_domain::plan::file::{FileError, verdicts};
    use coplan_domain::sync::incoming::check_document;
    let count = lengths.len() / 4;
    let refuse = |why: FileError| verdicts(&vec![Err(why); count]);
    let mut parts = Vec::with_capacity(count);
    let mut rest = updates;
    for length in lengths.chunks_exact(4) {
        let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]);
        let Some((part, after)) = rest.split_at_checked(length as usize) else {
            return refuse(FileError::Damaged);
        };
        parts.push(part);
        rest = after;
    }
    verdicts(&check_document(kind, state, &parts))
}
