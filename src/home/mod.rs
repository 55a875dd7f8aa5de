//! The home screen: start a plan, and write what you like to be called. Every keystroke
//! is saved to IndexedDB as it is typed; a failed save is shown plainly, the words stay
//! on screen, and saving is retried.

mod draft_saver;

use coplan_domain::{PlanDraft, PlanId, PreferredName};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::save_status::SaveStatusLine;
use crate::i18n::{Text, t};
use crate::platform::{now_ms, random_id};
use crate::storage::{Storage, StorageError};
use draft_saver::DraftSaver;

/// What the screen is showing.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Opening,
    NoPlan,
    Writing,
    CannotOpen(StorageError),
}

#[component]
pub fn HomePage() -> impl IntoView {
    let phase = RwSignal::new(Phase::Opening);
    let draft = RwSignal::new(None::<PlanDraft>);
    let saver = DraftSaver::new(draft);
    let name_input = NodeRef::<html::Input>::new();

    spawn_local(async move {
        let opened = match Storage::shared().await {
            Ok(storage) => storage.current_draft().await,
            Err(e) => Err(e),
        };
        match opened {
            Ok(Some(found)) => {
                draft.set(Some(found));
                phase.set(Phase::Writing);
            }
            Ok(None) => phase.set(Phase::NoPlan),
            Err(e) => {
                web_sys::console::warn_1(&format!("coplan storage: {}", e.detail()).into());
                phase.set(Phase::CannotOpen(e));
            }
        }
    });

    let start = move |_| {
        let Ok(id) = PlanId::parse(&random_id()) else {
            return;
        };
        draft.set(Some(PlanDraft::new(id, now_ms())));
        phase.set(Phase::Writing);
        saver.save();
        // Take the person straight to the first question.
        request_animation_frame(move || {
            if let Some(input) = name_input.get() {
                let _ = input.focus();
            }
        });
    };

    let on_name_input = move |ev| {
        let text = event_target_value(&ev);
        let mut changed = false;
        draft.update(|d| {
            if let Some(d) = d {
                changed = d.set_preferred_name(&text, now_ms()).is_ok();
            }
        });
        if changed {
            saver.save();
        }
    };

    view! {
        <h1>{t(Text::HomeHeading)}</h1>
        <p>{t(Text::HomeIntro)}</p>
        {move || match phase.get() {
            Phase::Opening => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Phase::NoPlan => view! {
                <button class="app-button" type="button" on:click=start>{t(Text::HomeStart)}</button>
            }
            .into_any(),
            Phase::CannotOpen(error) => view! { <StorageProblem error=error/> }.into_any(),
            Phase::Writing => view! {
                <div class="app-field">
                    <label class="app-field__label" for="preferred-name">{t(Text::PreferredNameLabel)}</label>
                    <span class="app-field__hint" id="preferred-name-hint">{t(Text::PreferredNameHint)}</span>
                    <input
                        class="app-field__input"
                        id="preferred-name"
                        name="preferred-name"
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        maxlength=PreferredName::MAX_CHARS
                        aria-describedby="preferred-name-hint"
                        node_ref=name_input
                        prop:value=move || {
                            draft.with(|d| d.as_ref().map(|d| d.preferred_name.as_str().to_string()).unwrap_or_default())
                        }
                        on:input=on_name_input
                    />
                </div>
            }
            .into_any(),
        }}
        <SaveStatusLine status=saver.status() writing=saver.writing()/>
    }
}

#[component]
fn StorageProblem(error: StorageError) -> impl IntoView {
    view! {
        <div class="app-problem" role="alert" aria-labelledby="storage-problem-heading">
            <h2 id="storage-problem-heading">{t(Text::StorageProblemHeading)}</h2>
            <p>{error.to_string()}</p>
        </div>
    }
}
