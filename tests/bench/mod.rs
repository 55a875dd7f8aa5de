//! What the wasm benches share: a clock, a way to tell the bench page what they
//! measured, and waiting for it to slow the CPU down (`tests/e2e/bench-wasm.mjs`).

use wasm_bindgen::JsCast;

pub fn now() -> f64 {
    web_sys::window()
        .expect("a window")
        .performance()
        .expect("performance")
        .now()
}

/// Tells the bench page something (`window.__coplanBench`, an array of lines: the test
/// runner keeps the console's output to itself).
pub fn tell(line: &str) {
    let window = web_sys::window().expect("a window");
    let lines = js_sys::Reflect::get(&window, &"__coplanBench".into())
        .ok()
        .and_then(|lines| lines.dyn_into::<js_sys::Array>().ok())
        .unwrap_or_else(|| {
            let lines = js_sys::Array::new();
            js_sys::Reflect::set(&window, &"__coplanBench".into(), &lines).expect("a global");
            lines
        });
    lines.push(&line.into());
}

/// Waits until the bench page has slowed the CPU down (it sets `__coplanGo`).
pub async fn go_ahead() {
    tell("ready");
    loop {
        let window = web_sys::window().expect("a window");
        if js_sys::Reflect::get(&window, &"__coplanGo".into())
            .ok()
            .is_some_and(|go| go.is_truthy())
        {
            return;
        }
        let wait = js_sys::Promise::new(&mut |resolve, _| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 50)
                .expect("a timer");
        });
        wasm_bindgen_futures::JsFuture::from(wait)
            .await
            .expect("a timer");
    }
}
