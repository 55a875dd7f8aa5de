//! Writing the safety plan: every step, its items as fields (contacts as a name and a
//! number), add, move up or down (no dragging needed), remove with undo, hide a step.

use std::rc::Rc;
use std::time::Duration;

use coplan_domain::plan::safety_plan::contact_phone;
use coplan_domain::plan::{Edit, ItemId, SAFETY_PLAN_STEPS, SectionKind, SectionView, Toward};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::{SectionSession, is_contact_step};
use crate::components::save_status::{SaveStatus, SaveStatusLine};
use crate::i18n::{StepText, Text, step_text, t};
use crate::platform::random_id;

/// How long "Removed. Undo" stays on screen.
const UNDO_FOR: Duration = Duration::from_secs(12);

/// What was removed, so Undo can put it back where it was.
#[derive(Debug, Clone, PartialEq)]
struct Removed {
    list: &'static str,
    id: String,
    parts: Vec<(&'static str, String)>,
    index: usize,
}

#[component]
pub fn SafetyPlanEditorPage() -> impl IntoView {
    let view = RwSignal::new(SectionView::default());
    let status = RwSignal::new(SaveStatus::Idle);
    let writing = RwSignal::new(0u32);
    let problem = RwSignal::new(None::<String>);
    let removed = RwSignal::new(None::<Removed>);
    let session = StoredValue::new_local(None::<Rc<SectionSession>>);
    let ready = RwSignal::new(false);

    spawn_local(async move {
        match SectionSession::open(SectionKind::SafetyPlan, view, status, writing).await {
            Ok(opened) => {
                session.set_value(Some(opened));
                ready.set(true);
            }
            Err(e) => problem.set(Some(e.to_string())),
        }
    });

    let edit = Callback::new(move |edit: Edit| {
        if let Some(s) = session.get_value() {
            match s.edit(edit) {
                Ok(()) => problem.set(None),
                Err(e) => problem.set(Some(e.to_string())),
            }
        }
    });

    let remove = Callback::new(move |(list, id): (&'static str, String)| {
        let before = view.get_untracked();
        let Some(items) = before.lists.get(list).map(|l| l.items.clone()) else {
            return;
        };
        let Some(index) = items.iter().position(|i| i.id == id) else {
            return;
        };
        let Ok(item_id) = ItemId::parse(&id) else {
            return;
        };
        let parts = items[index]
            .parts
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        edit.run(Edit::RemoveItem { list, id: item_id });
        let gone = Removed {
            list,
            id,
            parts,
            index,
        };
        removed.set(Some(gone.clone()));
        set_timeout(
            move || {
                if removed.get_untracked().as_ref() == Some(&gone) {
                    removed.set(None);
                }
            },
            UNDO_FOR,
        );
    });

    let undo = move |_| {
        let Some(gone) = removed.get_untracked() else {
            return;
        };
        removed.set(None);
        let Ok(id) = ItemId::parse(&gone.id) else {
            return;
        };
        edit.run(Edit::AddItem {
            list: gone.list,
            id: id.clone(),
            parts: gone.parts.clone(),
        });
        let count = view
            .get_untracked()
            .lists
            .get(gone.list)
            .map(|l| l.items.len())
            .unwrap_or(0);
        for _ in gone.index + 1..count {
            edit.run(Edit::MoveItem {
                list: gone.list,
                id: id.clone(),
                toward: Toward::Start,
            });
        }
    };

    view! {
        <h1>{t(Text::EditSafetyPlanHeading)}</h1>
        <p>{t(Text::EditSafetyPlanIntro)}</p>
        <p><a href="/safety-plan">{t(Text::BackToSafetyPlan)}</a></p>
        {move || problem.get().map(|message| view! {
            <div class="app-problem" role="alert">
                <p><span class="app-visually-hidden">{t(Text::ErrorPrefix)}" "</span>{message}</p>
            </div>
        })}
        // The fields appear once the plan is open, so nothing typed can go nowhere.
        <Show when=move || ready.get() fallback=|| view! { <p role="status">{t(Text::HomeLoading)}</p> }>
            {SAFETY_PLAN_STEPS
                .iter()
                .map(|step| view! { <StepEditor step=*step view=view edit=edit remove=remove/> })
                .collect_view()}
        </Show>
        <SaveStatusLine status=status.read_only() writing=writing.read_only()/>
        {move || removed.get().map(|_| view! {
            <div class="app-undo" role="status">
                <span>{t(Text::RemovedItem)}</span>
                <button class="app-button" type="button" on:click=undo>{t(Text::Undo)}</button>
            </div>
        })}
    }
}

#[component]
fn StepEditor(
    step: &'static str,
    view: RwSignal<SectionView>,
    edit: Callback<Edit>,
    remove: Callback<(&'static str, String)>,
) -> impl IntoView {
    let hidden = move || view.with(|v| v.lists.get(step).is_some_and(|l| l.hidden));
    let ids = move || {
        view.with(|v| {
            v.lists
                .get(step)
                .map(|l| l.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let heading_id = format!("step-{step}");
    let add = move |_| {
        let Ok(id) = ItemId::parse(&random_id()) else {
            return;
        };
        let first_part = if is_contact_step(step) {
            "name"
        } else {
            "text"
        };
        let field_id = format!("item-{}-{first_part}", id.as_str());
        edit.run(Edit::AddItem {
            list: step,
            id,
            parts: Vec::new(),
        });
        request_animation_frame(move || focus(&field_id));
    };
    view! {
        <section class="app-step" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{step_text(step, StepText::Title)}</h2>
            <p class="app-field__hint">{step_text(step, StepText::Hint)}</p>
            <Show
                when=move || !hidden()
                fallback=|| view! { <p class="app-step__hidden">{t(Text::StepHiddenNote)}</p> }
            >
                <ol class="app-plan-list">
                    <For each=ids key=|id| id.clone() let:id>
                        <ItemEditor step=step id=id view=view edit=edit remove=remove/>
                    </For>
                </ol>
                <button class="app-button app-button--secondary" type="button" on:click=add>
                    {step_text(step, StepText::Add)}
                </button>
            </Show>
            <button
                class="app-button app-button--quiet"
                type="button"
                on:click=move |_| edit.run(Edit::SetHidden { list: step, hidden: !hidden() })
            >
                {move || if hidden() { t(Text::ShowStep) } else { t(Text::HideStep) }}
            </button>
        </section>
    }
}

#[component]
fn ItemEditor(
    step: &'static str,
    id: String,
    view: RwSignal<SectionView>,
    edit: Callback<Edit>,
    remove: Callback<(&'static str, String)>,
) -> impl IntoView {
    let number = {
        let id = id.clone();
        move || {
            view.with(|v| {
                v.lists
                    .get(step)
                    .and_then(|l| l.items.iter().position(|i| i.id == id))
                    .map(|n| n + 1)
                    .unwrap_or(0)
            })
        }
    };
    let label = Memo::new(move |_| format!("{} {}", step_text(step, StepText::Item), number()));
    let parts: &'static [&'static str] = if is_contact_step(step) {
        &["name", "phone"]
    } else {
        &["text"]
    };
    let id_for_move = id.clone();
    let mover = move |toward: Toward| {
        let id = id_for_move.clone();
        move |_| {
            if let Ok(id) = ItemId::parse(&id) {
                edit.run(Edit::MoveItem {
                    list: step,
                    id,
                    toward,
                });
            }
        }
    };
    let id_for_remove = id.clone();
    view! {
        <li class="app-plan-list__item app-item">
            {if parts.len() == 1 {
                view! { <PartField step=step id=id.clone() part=parts[0] label=label view=view edit=edit/> }.into_any()
            } else {
                view! {
                    <fieldset class="app-item__fields">
                        <legend class="app-item__legend">{label}</legend>
                        {parts
                            .iter()
                            .map(|part| view! { <PartField step=step id=id.clone() part=*part label=label view=view edit=edit/> })
                            .collect_view()}
                    </fieldset>
                }
                .into_any()
            }}
            <div class="app-item__actions">
                <button
                    class="app-button app-button--quiet"
                    type="button"
                    aria-label=move || format!("{} {}", t(Text::MoveUp), label.get())
                    on:click=mover(Toward::Start)
                >
                    {t(Text::MoveUp)}
                </button>
                <button
                    class="app-button app-button--quiet"
                    type="button"
                    aria-label=move || format!("{} {}", t(Text::MoveDown), label.get())
                    on:click=mover(Toward::End)
                >
                    {t(Text::MoveDown)}
                </button>
                <button
                    class="app-button app-button--quiet"
                    type="button"
                    aria-label=move || format!("{} {}", t(Text::Remove), label.get())
                    on:click=move |_| remove.run((step, id_for_remove.clone()))
                >
                    {t(Text::Remove)}
                </button>
            </div>
        </li>
    }
}

#[component]
fn PartField(
    step: &'static str,
    id: String,
    part: &'static str,
    /// The item's numbered label ("Reason 2"), used when the item has one part.
    label: Memo<String>,
    view: RwSignal<SectionView>,
    edit: Callback<Edit>,
) -> impl IntoView {
    let field_id = format!("item-{id}-{part}");
    let error_id = format!("{field_id}-error");
    let item = {
        let id = id.clone();
        move || {
            view.with(|v| {
                v.lists
                    .get(step)
                    .and_then(|l| l.items.iter().find(|i| i.id == id).cloned())
            })
        }
    };
    let value = {
        let item = item.clone();
        move || item().map(|i| i.part(part).to_string()).unwrap_or_default()
    };
    let phone_problem = move || {
        if part != "phone" {
            return None;
        }
        item()
            .and_then(|i| contact_phone(&i))
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    let label = move || match part {
        "name" => t(Text::ContactName).to_string(),
        "phone" => t(Text::ContactPhone).to_string(),
        _ => label.get(),
    };
    let on_input = move |ev| {
        let text = event_target_value(&ev);
        if let Ok(id) = ItemId::parse(&id) {
            edit.run(Edit::SetPart {
                list: step,
                id,
                part,
                text,
            });
        }
    };
    let described_by = {
        let error_id = error_id.clone();
        let phone_problem = phone_problem.clone();
        move || phone_problem().map(|_| error_id.clone())
    };
    view! {
        <div class="app-field">
            <label class="app-field__label" for=field_id.clone()>{label}</label>
            {
                let error_id = error_id.clone();
                move || phone_problem().map(|message| view! {
                    <span class="app-field__error" id=error_id.clone()>
                        <span class="app-visually-hidden">{t(Text::ErrorPrefix)}" "</span>{message}
                    </span>
                })
            }
            <input
                class="app-field__input"
                id=field_id
                type=if part == "phone" { "tel" } else { "text" }
                autocomplete="off"
                aria-describedby=described_by
                prop:value=value
                on:input=on_input
            />
        </div>
    }
}

fn focus(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
