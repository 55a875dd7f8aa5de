//! Whether this browser may clear the plan when the phone runs short of space: Coplan asks
//! for persistent storage, and says plainly what the answer means and how to keep the plan
//! (add it to the home screen, save a copy). On iPhones and iPads it says what Safari does.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{Text, t};

/// Asks the browser to keep Coplan's storage, and reports whether it will.
pub async fn ask_to_keep() -> Option<bool> {
    let storage = web_sys::window()?.navigator().storage();
    if let Some(kept) = JsFuture::from(storage.persisted().ok()?)
        .await
        .ok()?
        .as_bool()
        && kept
    {
        return Some(true);
    }
    JsFuture::from(storage.persist().ok()?)
        .await
        .ok()?
        .as_bool()
}

fn on_apple_mobile() -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let agent = navigator.user_agent().unwrap_or_default();
    agent.contains("iPhone")
        || agent.contains("iPad")
        || (agent.contains("Macintosh") && navigator.max_touch_points() > 1)
}

#[component]
pub fn StorageKeeping() -> impl IntoView {
    let kept = RwSignal::new(None::<bool>);
    spawn_local(async move { kept.set(Some(ask_to_keep().await.unwrap_or(false))) });
    view! {
        <section class="app-step" aria-labelledby="keeping-heading">
            <h2 id="keeping-heading">{t(Text::KeepingHeading)}</h2>
            {move || kept.get().map(|kept| view! {
                <p>{if kept { t(Text::KeepingYes) } else { t(Text::KeepingMaybe) }}</p>
            })}
            {on_apple_mobile().then(|| view! { <p>{t(Text::KeepingApple)}</p> })}
        </section>
    }
}
