//! The page around the app: index.html's plain fallback (crisis lines that need no script)
//! is hidden once the app is running, and shown again if the app ever panics, so a crash
//! never leaves a blank screen.

use wasm_bindgen::JsCast;

use crate::i18n::Locale;

const FALLBACK_ID: &str = "app-fallback";
const STATUS_ID: &str = "app-status";
const ROOT_ID: &str = "app";

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// The element the app is mounted in.
pub fn app_root() -> Option<web_sys::HtmlElement> {
    document()?.get_element_by_id(ROOT_ID)?.dyn_into().ok()
}

/// Sets `<html lang>` and `dir` for the language in use.
pub fn set_language(locale: Locale) {
    if let Some(html) = document().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("lang", locale.tag());
        let _ = html.set_attribute("dir", locale.direction().as_str());
    }
}

/// Hides the fallback once the app has drawn itself.
pub fn hide_fallback() {
    if let Some(fallback) = document().and_then(|d| d.get_element_by_id(FALLBACK_ID)) {
        let _ = fallback.set_attribute("hidden", "");
    }
}

/// Logs panics to the console, and brings the fallback's crisis lines back into view.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let Some(doc) = document() else { return };
        if let Some(root) = doc.get_element_by_id(ROOT_ID) {
            let _ = root.set_attribute("hidden", "");
        }
        if let Some(status) = doc.get_element_by_id(STATUS_ID) {
            status.set_text_content(Some(
                "Something went wrong in Coplan. What was saved on this phone is still there. The phone lines below still work. Try closing and opening the page again.",
            ));
        }
        if let Some(fallback) = doc.get_element_by_id(FALLBACK_ID) {
            let _ = fallback.remove_attribute("hidden");
        }
    }));
}
