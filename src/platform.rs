//! The browser's clock and random source, in one place, so the domain crate can stay free
//! of both (it takes times and ids as arguments).

/// Milliseconds since 1970 (UTC).
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// The global scope's `crypto`: the window's on a page, the worker's in a Web Worker.
pub fn global_crypto() -> Option<web_sys::Crypto> {
    use wasm_bindgen::JsCast;
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    crypto.dyn_into().ok()
}

/// Fills `bytes` from the browser's cryptographic source; None if it is missing.
pub fn fill_random(bytes: &mut [u8]) -> Option<()> {
    global_crypto()?
        .get_random_values_with_u8_array(bytes)
        .ok()?;
    Some(())
}

/// Random bytes from the browser's cryptographic source (works without HTTPS too, and in
/// a Web Worker). Every browser that runs WebAssembly has one; if it is somehow missing,
/// this stops loudly rather than hand out ids that are all the same.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    fill_random(&mut bytes).expect("the browser gave no cryptographic random source");
    bytes
}

/// A random id of 32 hex digits, for plans, items and authors.
pub fn random_id() -> String {
    random_bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A fresh CRDT client id: random, non-zero, 32 bits (every reference to it in a
/// section costs about 4 bytes less than a 53-bit one). Never stored, so two tabs (or a
/// reload) never share one.
pub fn fresh_client_id() -> u32 {
    u32::from_le_bytes(random_bytes::<4>()).max(1)
}

/// Claims the first of `slots` writer slots that no other tab of this site holds, and
/// holds it until this page goes (the Web Locks API: a held lock is let go when its page
/// closes, crashes or is thrown away). None when the browser has no Web Locks, or every
/// slot is held.
pub async fn claim_writer_slot(slots: u32) -> Option<u32> {
    for slot in 0..slots {
        match hold_lock(&format!("coplan:writer:{slot}"), true).await? {
            true => return Some(slot),
            false => continue,
        }
    }
    None
}

/// Takes the Web Lock `name` and holds it for this page's life. With `if_free`, answers
/// at once whether it was taken; without, waits until it is free (another tab holding it
/// closed), then answers true. None when the browser has no Web Locks.
pub async fn hold_lock(name: &str, if_free: bool) -> Option<bool> {
    use js_sys::{Function, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};

    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    let request: Function = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let options = Object::new();
    Reflect::set(&options, &"ifAvailable".into(), &if_free.into()).ok()?;
    let name = JsValue::from(name);
    // Resolves with whether the lock was granted, or with nothing if the request itself
    // failed.
    let granted = Promise::new(&mut |resolve, _| {
        let answer = resolve.clone();
        let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
            let held = !lock.is_null();
            let _ = answer.call1(&JsValue::NULL, &held.into());
            if held {
                // Never settles: the lock is kept for the page's life.
                Promise::new(&mut |_, _| {}).into()
            } else {
                JsValue::UNDEFINED
            }
        });
        let failed = Closure::once_into_js(move |_: JsValue| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        match request.call3(&locks, &name, &options, &callback) {
            Ok(asked) => {
                if let Ok(catch) =
                    Reflect::get(&asked, &"catch".into()).and_then(|c| c.dyn_into::<Function>())
                {
                    let _ = catch.call1(&asked, &failed);
                }
            }
            Err(_) => {
                let _ = failed.unchecked_ref::<Function>().call0(&JsValue::NULL);
            }
        }
    });
    wasm_bindgen_futures::JsFuture::from(granted)
        .await
        .ok()?
        .as_bool()
}

/// Compresses `bytes` as raw DEFLATE (RFC 1951) with the browser's own
/// `CompressionStream`, so the app carries no compression code. None where the browser
/// has none, or none for "deflate-raw" (then the caller keeps the bytes as they are).
pub async fn deflate_raw(bytes: &[u8]) -> Option<Vec<u8>> {
    let compress = streams::Compression::new("deflate-raw").ok()?;
    streams::through(bytes, &compress).await.ok()
}

/// Undoes [`deflate_raw`]. Fails on a damaged stream, or in a browser without
/// `DecompressionStream`.
pub async fn inflate_raw(bytes: &[u8]) -> Result<Vec<u8>, wasm_bindgen::JsValue> {
    let inflate = streams::Decompression::new("deflate-raw")?;
    streams::through(bytes, &inflate).await
}

/// The few stream APIs [`deflate_raw`] needs (web-sys has the compression streams only
/// behind its unstable flag).
mod streams {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = CompressionStream)]
        pub type Compression;
        #[wasm_bindgen(constructor, catch)]
        pub fn new(format: &str) -> Result<Compression, JsValue>;

        #[wasm_bindgen(js_name = DecompressionStream)]
        pub type Decompression;
        #[wasm_bindgen(constructor, catch)]
        pub fn new(format: &str) -> Result<Decompression, JsValue>;

        #[wasm_bindgen(js_name = Response)]
        type Body;
        #[wasm_bindgen(constructor, catch)]
        fn new(body: &JsValue) -> Result<Body, JsValue>;
        #[wasm_bindgen(method, getter)]
        fn body(this: &Body) -> JsValue;
        #[wasm_bindgen(method, catch, js_name = arrayBuffer)]
        fn array_buffer(this: &Body) -> Result<js_sys::Promise, JsValue>;

        type Stream;
        #[wasm_bindgen(method, catch, js_name = pipeThrough)]
        fn pipe_through(this: &Stream, transform: &JsValue) -> Result<JsValue, JsValue>;
    }

    /// `bytes` piped through a transform stream, read to the end.
    pub async fn through(bytes: &[u8], transform: &JsValue) -> Result<Vec<u8>, JsValue> {
        let input = Body::new(&js_sys::Uint8Array::from(bytes).into())?;
        let piped = input
            .body()
            .unchecked_into::<Stream>()
            .pipe_through(transform)?;
        let buffer =
            wasm_bindgen_futures::JsFuture::from(Body::new(&piped)?.array_buffer()?).await?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

/// A day in words, like "3 November 2026", in the phone's time zone.
pub fn format_date(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    for (key, value) in [("day", "numeric"), ("month", "long"), ("year", "numeric")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    date.to_locale_date_string("en-GB", &options).into()
}

/// A named moment in the browser's performance timeline, read by `cargo xtask bench`.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Moves the app to `path` in place of the current history entry, without a reload
/// (a reload would start the offline copy, and a database, again).
pub fn replace_route(path: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
    }
    if let Ok(popstate) = web_sys::Event::new("popstate") {
        let _ = window.dispatch_event(&popstate);
    }
}

/// Waits `ms` milliseconds (from the global scope's timer, so in a worker too): lets the
/// page draw before work that holds it.
pub async fn pause(ms: i32) {
    use wasm_bindgen::JsCast;
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: Option<js_sys::Function> =
            js_sys::Reflect::get(&js_sys::global(), &"setTimeout".into())
                .ok()
                .and_then(|f| f.dyn_into().ok());
        match set_timeout {
            Some(set_timeout) => {
                let _ = set_timeout.call2(&js_sys::global(), &resolve, &ms.into());
            }
            None => {
                let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
            }
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
