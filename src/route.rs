//! Coplan's own small router. The address's path is a signal; a tap on a link within
//! the app changes it with `history.pushState` (no reload, no download); Back and Forward
//! follow `popstate`. Coplan's addresses are a dozen fixed paths with no parameters, so
//! this replaces a general router and the bytes it cost every first visit.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The path the app shows, shared by every screen.
#[derive(Clone, Copy)]
pub struct Route(RwSignal<String>);

fn current_path() -> String {
    web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_else(|| "/".into())
}

impl Route {
    /// Reads the address, and follows links and Back/Forward from now on.
    pub fn install() -> Self {
        let route = Self(RwSignal::new(current_path()));
        provide_context(route);
        let _ = window_event_listener_untyped("popstate", move |_| route.0.set(current_path()));
        let _ = window_event_listener(leptos::ev::click, move |event| route.follow(&event));
        route
    }

    /// The path shown now (tracked).
    pub fn path(self) -> String {
        self.0.get()
    }

    /// Shows `path`, as a new history entry.
    pub fn go(self, path: &str) {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path));
        }
        self.0.set(current_path());
        if let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    }

    /// A plain left tap on a link to another page of this app is followed in place;
    /// anything else (a new tab, a download, `tel:`, another site, `#main`) is the
    /// browser's.
    fn follow(self, event: &web_sys::MouseEvent) {
        if event.default_prevented()
            || event.button() != 0
            || event.meta_key()
            || event.ctrl_key()
            || event.shift_key()
            || event.alt_key()
        {
            return;
        }
        let Some(link) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
        else {
            return;
        };
        let Some(location) = web_sys::window().map(|w| w.location()) else {
            return;
        };
        let same_origin = location.origin().ok() == Some(link.origin());
        let same_page = link.pathname() == current_path() && !link.hash().is_empty();
        if !same_origin || same_page || !link.target().is_empty() || link.has_attribute("download")
        {
            return;
        }
        event.prevent_default();
        self.go(&link.pathname());
    }
}

/// The router, for screens that move the person on (after starting a plan, say).
pub fn use_route() -> Route {
    expect_context::<Route>()
}
