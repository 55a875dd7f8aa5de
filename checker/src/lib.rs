//! The checker of untrusted input, built to its own small WebAssembly module and run in a
//! Web Worker (`checker/worker.js`): the page hands it a plan file's bytes, it does
//! everything the app would do with them before storing them (`coplan_domain::plan::file::
//! check`), and answers with a verdict. Its memory is capped when it is built
//! (`xtask/src/wasm.rs`, `CHECKER_MEMORY`) and the page ends it after a time limit, so a
//! file crafted to reserve huge amounts of memory, to run for ever, or to hit a panic (which
//! aborts a WebAssembly instance) takes down only the worker, never the app. Updates from
//! other phones will come through here too (the sync issue).
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;

/// Checks a plan file's bytes: `ok`, or the code of why it would not load
/// (`coplan_domain::plan::file::verdict`).
#[wasm_bindgen]
pub fn check_plan_file(bytes: &[u8]) -> String {
    use coplan_domain::plan::file::{check, verdict};
    verdict(&check(bytes))
}
