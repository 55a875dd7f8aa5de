//! The page's side of the checker (`checker/`): untrusted bytes are checked in a Web
//! Worker, never in the app, before anything is stored. The worker's memory is capped
//! when it is built, and the page ends it after an answer or after [`TIME_LIMIT`], so a
//! crafted file can take down only the worker. Where the build put the worker comes from
//! the page (`<meta name="coplan-checker">`, written by `xtask/src/wasm.rs`), so a page
//! only ever uses its own build's checker.

use std::time::Duration;

use coplan_domain::plan::file::{FileError, from_verdict, from_verdicts};
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
    let buffer = Uint8Array::from(bytes).buffer();
    let answer = ask_once(&buffer, &Array::of1(&buffer)).await?;
    from_verdict(&answer).map_err(Refused::File)
}

/// Checks changes from another phone to a document (`kind`: a section's code, or that of
/// a member's suggestions to one) whose state here is `state`, each framed with the range
/// its ids must come from, in the worker (`coplan_domain::sync::incoming::check_document`): one result per change, or
/// [`Refused::Unchecked`] for them all when the check did not finish.
pub async fn check_updates(
    kind: u8,
    state: &[u8],
    updates: &[&[u8]],
) -> Result<Vec<Result<(), FileError>>, Refused> {
    let count = updates.len();
    let lengths: Vec<u8> = updates
        .iter()
        .flat_map(|u| (u.len() as u32).to_be_bytes())
        .collect();
    let buffers = [state.to_vec(), updates.concat(), lengths]
        .map(|b| Uint8Array::from(b.as_slice()).buffer());
    let message = js_sys::Object::new();
    let set = |key: &str, value: &wasm_bindgen::JsValue| {
        js_sys::Reflect::set(&message, &key.into(), value).is_ok()
    };
    let [state, updates, lengths] = &buffers;
    let all_set = set("kind", &kind.into())
        && set("state", state)
        && set("updates", updates)
        && set("lengths", lengths);
    if !all_set {
        return Err(Refused::Unchecked);
    }
    let answer = ask_once(&message, &Array::of3(state, updates, lengths)).await?;
    // (The buffers were handed to the worker: count from before.)
    from_verdicts(&answer, count).ok_or(Refused::Unchecked)
}

/// Starts a worker, asks it once, and ends it.
async fn ask_once(message: &wasm_bindgen::JsValue, transfer: &Array) -> Result<String, Refused> {
    let worker = start().ok_or(Refused::Unchecked)?;
    let answer = ask(&worker, message, transfer).await;
    worker.terminate();
    answer.ok_or(Refused::Unchecked)
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

/// Sends the message and waits for the answer: `None` if the worker fails (an error, a
/// panic, memory it could not get) or takes longer than [`TIME_LIMIT`].
async fn ask(
    worker: &web_sys::Worker,
    message: &wasm_bindgen::JsValue,
    transfer: &Array,
) -> Option<String> {
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
    worker.post_message_with_transfer(message, transfer).ok()?;
    let result = JsFuture::from(answered).await;
    if let Some(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }
    let event: web_sys::MessageEvent = result.ok()?.dyn_into().ok()?;
    event.data().as_string()
}
