//! Quick hide: a button on every screen, and Escape pressed twice, replace Coplan at once
//! with a neutral page. The choice is kept for this tab (a flag in session storage, never
//! plan text), so Back, a reload, or a restore from the back/forward cache shows the
//! neutral page too, until the person chooses to return.

use std::cell::Cell;

use leptos::ev;
use leptos::prelude::*;

use crate::i18n::{Text, t};
use crate::lock::AppLock;

/// The session-storage key holding "1" while Coplan is hidden in this tab.
const FLAG: &str = "coplan-hidden";
/// Two presses of Escape this close together hide Coplan.
const DOUBLE_PRESS_MS: f64 = 1_000.0;

/// Whether Coplan is hidden in this tab, shared by the frame and the hide button; hiding
/// also locks, when a lock is set.
#[derive(Clone, Copy)]
pub struct QuickHide(pub RwSignal<bool>, AppLock);

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn flagged() -> bool {
    session_storage()
        .and_then(|s| s.get_item(FLAG).ok().flatten())
        .is_some()
}

fn set_title(hidden: bool) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(if hidden {
            t(Text::NeutralTitle)
        } else {
            t(Text::AppName)
        });
    }
}

impl QuickHide {
    /// Starts hidden if this tab was hidden before, and listens for Escape twice and for
    /// pages restored from the back/forward cache.
    pub fn install(lock: AppLock) -> Self {
        let hidden = RwSignal::new(flagged());
        set_title(hidden.get_untracked());
        let quick = Self(hidden, lock);
        let last_escape = std::rc::Rc::new(Cell::new(f64::NEG_INFINITY));
        let on_key = window_event_listener(ev::keydown, move |event| {
            if event.key() != "Escape" {
                return;
            }
            let now = js_sys::Date::now();
            if now - last_escape.get() <= DOUBLE_PRESS_MS {
                quick.hide();
            }
            last_escape.set(now);
        });
        let on_show = window_event_listener(ev::pageshow, move |_| {
            if flagged() {
                hidden.set(true);
                set_title(true);
            }
        });
        on_cleanup(move || {
            on_key.remove();
            on_show.remove();
        });
        provide_context(quick);
        quick
    }

    pub fn hide(self) {
        if let Some(storage) = session_storage() {
            let _ = storage.set_item(FLAG, "1");
        }
        set_title(true);
        // The address bar and this history entry say nothing of the screen that showed.
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/"));
        }
        self.0.set(true);
        self.1.lock_now();
        // Nothing of the page that was showing stays in the accessibility tree or focus.
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = element.blur();
        }
    }

    pub fn show(self) {
        if let Some(storage) = session_storage() {
            let _ = storage.remove_item(FLAG);
        }
        set_title(false);
        self.0.set(false);
    }
}

/// The button in the header of every screen.
#[component]
pub fn HideButton() -> impl IntoView {
    let quick = use_context::<QuickHide>();
    view! {
        <button
            class="app-header__hide"
            type="button"
            on:click=move |_| {
                if let Some(quick) = quick {
                    quick.hide();
                }
            }
        >
            {t(Text::QuickHide)}
        </button>
    }
}

/// What shows instead of Coplan: nothing about plans, health or safety.
#[component]
pub fn NeutralPage() -> impl IntoView {
    let quick = use_context::<QuickHide>();
    view! {
        <main class="app-neutral" id="main">
            <h1>{t(Text::NeutralTitle)}</h1>
            <p>{t(Text::NeutralBody)}</p>
            <button
                class="app-neutral__return"
                type="button"
                on:click=move |_| {
                    if let Some(quick) = quick {
                        quick.show();
                    }
                }
            >
                {t(Text::NeutralReturn)}
            </button>
        </main>
    }
}
