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
fn random_bytes<const N: usize>() -> [u8; N] {
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
