//! What ends the syncing tab's wait between rounds early: a change written on this phone
//! (heard on the tab relay's channels, which every open section posts to), the browser
//! coming back online, the app being shown again, or this tab asking ([`now`], after it
//! took in a plan shared with it); or, at the latest, a timer.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// Each live wait's way to end, by a number of its own: what [`now`] calls.
    static LIVE: RefCell<Vec<(u32, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
    static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Ends every wait in this tab now: something changed that sync should see at once.
pub fn now() {
    let live: Vec<js_sys::Function> =
        LIVE.with_borrow(|live| live.iter().map(|(_, f)| f.clone()).collect());
    for fire in live {
        let _ = fire.call0(&wasm_bindgen::JsValue::NULL);
    }
}

/// A wait for the first of those; everything it listens to is let go when it drops.
pub struct Wake {
    id: u32,
    woken: Promise,
    fire: Closure<dyn FnMut()>,
    /// Requests to give up when woken; None once woken.
    abort: Rc<RefCell<Option<Vec<web_sys::AbortController>>>>,
    channels: Vec<web_sys::BroadcastChannel>,
    timer: Option<i32>,
}

/// Window and document events that end a wait.
const WINDOW_EVENTS: [&str; 2] = ["online", "focus"];
const DOCUMENT_EVENT: &str = "visibilitychange";

impl Wake {
    /// Starts listening on `channels` (by name) and the window, for at most `ms`.
    pub fn new(channels: &[String], ms: i32) -> Self {
        let mut resolve = None;
        let woken = Promise::new(&mut |done, _| resolve = Some(done));
        let resolve = resolve.expect("a promise calls its executor at once");
        let abort = Rc::new(RefCell::new(Some(Vec::<web_sys::AbortController>::new())));
        let fire = {
            let abort = Rc::clone(&abort);
            Closure::<dyn FnMut()>::new(move || {
                for controller in abort.borrow_mut().take().unwrap_or_default() {
                    controller.abort();
                }
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            })
        };
        let callback: &js_sys::Function = fire.as_ref().unchecked_ref();
        let channels = channels
            .iter()
            .filter_map(|name| web_sys::BroadcastChannel::new(name).ok())
            .collect::<Vec<_>>();
        for channel in &channels {
            channel.set_onmessage(Some(callback));
        }
        let window = web_sys::window();
        if let Some(window) = &window {
            for event in WINDOW_EVENTS {
                let _ = window.add_event_listener_with_callback(event, callback);
            }
            if let Some(document) = window.document() {
                let _ = document.add_event_listener_with_callback(DOCUMENT_EVENT, callback);
            }
        }
        let timer = window.and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(callback, ms)
                .ok()
        });
        let id = NEXT.replace(NEXT.get().wrapping_add(1));
        LIVE.with_borrow_mut(|live| live.push((id, callback.clone())));
        Self {
            id,
            woken,
            fire,
            abort,
            channels,
            timer,
        }
    }

    /// Aborts `controller`'s request when this wakes (at once if it has).
    pub fn abort_on_wake(&self, controller: &web_sys::AbortController) {
        match self.abort.borrow_mut().as_mut() {
            Some(waiting) => waiting.push(controller.clone()),
            None => controller.abort(),
        }
    }

    /// Whether it has woken.
    pub fn has_woken(&self) -> bool {
        self.abort.borrow().is_none()
    }

    /// Resolves once woken.
    pub async fn woken(&self) {
        let _ = JsFuture::from(self.woken.clone()).await;
    }
}

impl Drop for Wake {
    fn drop(&mut self) {
        LIVE.with_borrow_mut(|live| live.retain(|(id, _)| *id != self.id));
        let callback: &js_sys::Function = self.fire.as_ref().unchecked_ref();
        for channel in &self.channels {
            channel.set_onmessage(None);
            channel.close();
        }
        if let Some(window) = web_sys::window() {
            for event in WINDOW_EVENTS {
                let _ = window.remove_event_listener_with_callback(event, callback);
            }
            if let Some(document) = window.document() {
                let _ = document.remove_event_listener_with_callback(DOCUMENT_EVENT, callback);
            }
            if let Some(timer) = self.timer {
                window.clear_timeout_with_handle(timer);
            }
        }
    }
}
