//! The lock screen: the 24/7 lines first, always; the safety plans the person chose to
//! open without the PIN (one tap, from here or the header's Safety plan button); then
//! the PIN or passphrase. No plan's name shows here.

use crate::route::use_route;
use coplan_domain::lock::SecretKind;
use coplan_domain::plan::{SectionDoc, SectionKind, SectionView};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{AppLock, secret_label};
use crate::components::crisis_lines::CrisisLines;
use crate::i18n::{Say, Text, fill, t};
use crate::platform::fresh_client_id;
use crate::safety_plan::steps_to_read;
use crate::storage::UnlockError;

#[component]
pub fn LockScreen() -> impl IntoView {
    let lock = expect_context::<AppLock>();
    let copies = RwSignal::new(Vec::<SectionView>::new());
    let kind = RwSignal::new(None::<SecretKind>);
    if let Some(locked) = lock.locked_part() {
        spawn_local(async move {
            kind.set(locked.secret_kind().await);
            let states = locked.open_copies().await.unwrap_or_default();
            copies.set(
                states
                    .iter()
                    .filter_map(|state| {
                        let doc = SectionDoc::new(SectionKind::SafetyPlan, fresh_client_id());
                        doc.apply_stored(state).ok().map(|()| doc.view())
                    })
                    .collect(),
            );
        });
    }
    let route = use_route();
    let reading = move || route.path() == "/safety-plan";
    let secret = RwSignal::new(String::new());
    let said = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let try_unlock = move || {
        if busy.get_untracked() {
            return;
        }
        let typed = secret.get_untracked();
        secret.set(String::new());
        busy.set(true);
        said.set(Some(t(Text::LockChecking).to_string()));
        spawn_local(async move {
            let result = lock.unlock(&typed).await;
            busy.set(false);
            match result {
                Ok(()) => {}
                Err(UnlockError::Removed) => lock.removed(),
                Err(e) => said.set(Some(try_problem(
                    &e,
                    Text::UnlockWrong,
                    Text::UnlockWrongWait,
                ))),
            }
        });
    };

    view! {
        <h1>{move || t(if reading() { Text::SafetyPlanHeading } else { Text::LockedHeading })}</h1>
        <CrisisLines/>
        {move || {
            let found = copies.get();
            if reading() && found.is_empty() {
                view! { <p>{t(Text::LockedSafetyPlanAfterUnlock)}</p> }.into_any()
            } else if reading() {
                let several = found.len() > 1;
                found
                    .into_iter()
                    .enumerate()
                    .map(|(i, view)| {
                        let heading = if several {
                            fill(t(Text::LockedSafetyPlanNumbered), &[("n", &(i + 1).to_string())])
                        } else {
                            t(Text::MySafetyPlanHeading).to_string()
                        };
                        view! {
                            <section class="app-step">
                                <h2>{heading}</h2>
                                {steps_to_read(Some(view))}
                            </section>
                        }
                    })
                    .collect_view()
                    .into_any()
            } else if found.is_empty() {
                ().into_any()
            } else {
                view! {
                    <p><a class="app-button" href="/safety-plan">{t(Text::LockedOpenSafetyPlan)}</a></p>
                }
                .into_any()
            }
        }}
        <section class="app-step" aria-labelledby="unlock-heading">
            <h2 id="unlock-heading">{t(Text::UnlockHeading)}</h2>
            <label class="app-field__label" for="unlock-secret">{move || t(secret_label(kind.get()))}</label>
            <input
                id="unlock-secret"
                class="app-field__input"
                type="password"
                autocomplete="current-password"
                inputmode=move || (kind.get() == Some(SecretKind::Pin)).then_some("numeric")
                maxlength="200"
                prop:value=move || secret.get()
                on:input=move |ev| secret.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        try_unlock();
                    }
                }
            />
            <button class="app-button" type="button" on:click=move |_| try_unlock()>{t(Text::UnlockButton)}</button>
            <p id="unlock-status" role="status" aria-live="polite">{move || said.get()}</p>
        </section>
    }
}

/// What a try at the PIN or passphrase that did not get through says (here or in the lock
/// settings): `wrong`, or `wrong_wait` with its `{wait}` in whole seconds or minutes, then
/// any tries left.
pub(crate) fn try_problem(error: &UnlockError, wrong: Text, wrong_wait: Text) -> String {
    let wait = crate::i18n::wait_words;
    let left = |tries_left: &Option<u32>| match tries_left {
        None => String::new(),
        Some(1) => format!(" {}", t(Text::OneTryLeft)),
        Some(n) => format!(" {}", fill(t(Text::TriesLeft), &[("n", &n.to_string())])),
    };
    match error {
        UnlockError::Wrong {
            wait_ms: 0,
            tries_left,
        } => format!("{}{}", t(wrong), left(tries_left)),
        UnlockError::Wrong {
            wait_ms,
            tries_left,
        } => format!(
            "{}{}",
            fill(t(wrong_wait), &[("wait", &wait(*wait_ms))]),
            left(tries_left)
        ),
        UnlockError::TooSoon { wait_ms } => {
            fill(t(Text::UnlockTooSoon), &[("wait", &wait(*wait_ms))])
        }
        other => other.say(),
    }
}
