//! The page's side of the checker (`checker/`): untrusted bytes are checked in a Web
//! Worker, never in the app, before anything is stored. The worker's memory is capped
//! when it is built, and the page ends it after an answer or after [`TIME_LIMIT`], so a
//! crafted file can take down only the worker. Where the build put the worker comes from
//! the page (`<meta name="coplan-checker">`, written by `xtask/src/wasm.rs`), so a page
//! only ever uses its own build's checker.

use std::time::Duration;

use coplan_domain::plan::file::{FileError, from_verdict};
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The longest a check may take: the largest file on a cheap phone takes a few seconds.
const TIME_LIMIT: Duration = Duration::from_secs(30);

/// Why a plan file will not be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The check finished: the file would not load, for this reason.
    File(FileError),
    /// The check did not finish (the worker stopped, ran out of time or could not start):
    /// the file may be crafted to harm, and is treated as not loadable.
    Unchecked,
}

/// Checks a plan file's bytes in the worker: `Ok` only if it would load whole.
pub async fn check_plan_file(bytes: &[u8]) -> Result<(), Refused> {
    let worker = start().ok_or(Refused::Unchecked)?;
    let answer = ask(&worker, bytes).await;
    worker.terminate();
    match answer {
        Some(verdict) => from_verdict(&verdict).map_err(Refused::File),
        None => Err(Refused::Unchecked),
    }
}

/// The worker of this page's build, started as a module worker.
fn start() -> Option<web_sys::Worker> {
    let url = web_sys::window()?
        .document()?
        .query_selector("meta[name='coplan-checker']")
        .ok()??
        .get_attribute("content")?;
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    web_sys::Worker::new_with_options(&url, &options).ok()
}

/// Sends the bytes and waits for the answer: `None` if the worker fails (an error, a
/// panic, memory it could not get) or takes longer than [`TIME_LIMIT`].
async fn ask(worker: &web_sys::Worker, bytes: &[u8]) -> Option<String> {
    let window = web_sys::window()?;
    let mut timer = None;
    let answered = Promise::new(&mut |resolve, reject| {
        worker.set_onmessage(Some(&resolve));
        worker.set_onerror(Some(&reject));
        worker.set_onmessageerror(Some(&reject));
        timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                &reject,
                TIME_LIMIT.as_millis() as i32,
            )
            .ok();
    });
    let buffer = Uint8Array::from(bytes).buffer();
    worker
        .post_message_with_transfer(&buffer, &Array::of1(&buffer))
        .ok()?;
    let result = JsFuture::from(answered).await;
    if let Some(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }
    let event: web_sys::MessageEvent = result.ok()?.dyn_into().ok()?;
    event.data().as_string()
}
