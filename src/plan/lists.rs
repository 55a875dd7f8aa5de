//! Editing a list of a section: add, change, move up or down (buttons, no dragging),
//! remove with undo, and (for safety plan steps) hide the whole list. Each item's parts
//! are edited by what they hold: words, a phone number, a date, a tick, a pick.

use coplan_domain::plan::safety_plan::contact_phone;
use coplan_domain::plan::schema::{Choice, ListSpec, PartKind, PartSpec};
use coplan_domain::plan::{Edit, ItemId, ItemView, Toward};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::editing::Editing;
use super::text_box::{BoxKind, TextBox};
use crate::i18n::{Say, Text, part_label, t, words};
use crate::platform::random_id;

/// What to draw under an item (a goal's actions).
pub type Below = fn(Editing, String) -> AnyView;

#[component]
pub fn ListEditor(
    editing: Editing,
    list: &'static str,
    /// Only items whose part has this value (goals of one life area, actions of one goal);
    /// new items get it too.
    #[prop(optional)]
    only: Option<(&'static str, String)>,
    /// A list whose items point at this one's and go with them when one is removed.
    #[prop(optional)]
    dependents: Option<(&'static str, &'static str)>,
    /// Whether the person may hide the whole list (safety plan steps).
    #[prop(optional)]
    hideable: bool,
    /// Heading level: 2, or 3 inside a life area, 4 under a goal.
    #[prop(default = 2)]
    level: u8,
    #[prop(optional)] below: Option<Below>,
) -> impl IntoView {
    let kind = editing.kind;
    let Some(spec) = kind.spec().list(list) else {
        return ().into_any();
    };
    let said = words(kind, list);
    let only_for_ids = only.clone();
    let ids = move || {
        editing.view.with(|v| {
            v.items(list)
                .iter()
                .filter(|i| matches(i, &only_for_ids))
                .map(|i| i.id.clone())
                .collect::<Vec<_>>()
        })
    };
    let hidden = move || {
        editing
            .view
            .with(|v| v.lists.get(list).is_some_and(|l| l.hidden))
    };
    let scope = only.as_ref().map(|(_, v)| v.clone()).unwrap_or_default();
    let heading_id = format!("list-{list}-{scope}");
    let add = {
        let only = only.clone();
        move |_| {
            let Ok(id) = ItemId::parse(&random_id()) else {
                return;
            };
            let first = shown_parts(spec).next().map(|p| p.name).unwrap_or("text");
            let field_id = format!("item-{}-{first}", id.as_str());
            let parts = only.iter().map(|(p, v)| (*p, v.clone())).collect();
            editing.edit(Edit::AddItem { list, id, parts });
            request_animation_frame(move || focus(&field_id));
        }
    };
    let heading = match level {
        3 => view! { <h3 id=heading_id.clone()>{said.title}</h3> }.into_any(),
        4 => view! { <h4 id=heading_id.clone()>{said.title}</h4> }.into_any(),
        _ => view! { <h2 id=heading_id.clone()>{said.title}</h2> }.into_any(),
    };
    let only_for_items = StoredValue::new(only.clone());
    let body = view! {
            {heading}
            {(!said.hint.is_empty()).then(|| view! { <p class="app-field__hint">{said.hint}</p> })}
            <Show
                when=move || !hidden()
                fallback=|| view! { <p class="app-step__hidden">{t(Text::StepHiddenNote)}</p> }
            >
                <ol class="app-plan-list">
                    <For each=ids.clone() key=|id| id.clone() let:id>
                        <ItemEditor
                            editing=editing
                            spec=spec
                            id=id
                            only=only_for_items.get_value()
                            dependents=dependents
                            below=below
                        />
                    </For>
                </ol>
                <button class="app-button app-button--secondary" type="button" on:click=add.clone()>
                    {said.add}
                </button>
            </Show>
            {hideable.then(|| view! {
                <button
                    class="app-button app-button--quiet"
                    type="button"
                    on:click=move |_| editing.edit(Edit::SetHidden { list, hidden: !hidden() })
                >
                    {move || if hidden() { t(Text::ShowStep) } else { t(Text::HideStep) }}
                </button>
            })}
    };
    // A list inside a life area or a goal is part of that region, not a region of its
    // own (eleven regions all called "My goals" would confuse a screen reader).
    if level > 2 {
        view! { <div class="app-inner-list">{body}</div> }.into_any()
    } else {
        view! { <section class="app-step" aria-labelledby=heading_id.clone()>{body}</section> }
            .into_any()
    }
}

fn matches(item: &ItemView, only: &Option<(&'static str, String)>) -> bool {
    only.as_ref()
        .is_none_or(|(part, value)| item.part(part) == value)
}

/// The parts a person edits (an action's goal is set by where it was added).
fn shown_parts(spec: &'static ListSpec) -> impl Iterator<Item = &'static PartSpec> {
    spec.parts
        .iter()
        .filter(|p| !matches!(p.kind, PartKind::Choice(Choice::ItemRef)) && p.name != "area")
}

#[component]
fn ItemEditor(
    editing: Editing,
    spec: &'static ListSpec,
    id: String,
    only: Option<(&'static str, String)>,
    dependents: Option<(&'static str, &'static str)>,
    below: Option<Below>,
) -> impl IntoView {
    let kind = editing.kind;
    let list = spec.name;
    let number = {
        let (id, only) = (id.clone(), only.clone());
        move || {
            editing.view.with(|v| {
                v.items(list)
                    .iter()
                    .filter(|i| matches(i, &only))
                    .position(|i| i.id == id)
                    .map(|n| n + 1)
                    .unwrap_or(0)
            })
        }
    };
    let label = Memo::new(move |_| format!("{} {}", words(kind, list).item, number()));
    let parts: Vec<&'static PartSpec> = shown_parts(spec).collect();
    // Moving an item moves its element, which drops the focus: the button pressed gets
    // it back once the list is drawn again, so keyboard and screen-reader users keep
    // their place.
    let move_button = move |toward: Toward, id: &str| match toward {
        Toward::Start => format!("move-up-{list}-{id}"),
        Toward::End => format!("move-down-{list}-{id}"),
    };
    let mover = {
        let id = id.clone();
        move |toward: Toward| {
            let id = id.clone();
            move |_| {
                if let Ok(item) = ItemId::parse(&id) {
                    editing.edit(Edit::MoveItem {
                        list,
                        id: item,
                        toward,
                    });
                    let button = move_button(toward, &id);
                    request_animation_frame(move || focus(&button));
                }
            }
        }
    };
    let remove = {
        let id = id.clone();
        move |_| {
            let mut gone = vec![(list, id.clone())];
            if let Some((other, part)) = dependents {
                editing.view.with_untracked(|v| {
                    gone.extend(
                        v.items(other)
                            .iter()
                            .filter(|i| i.part(part) == id)
                            .map(|i| (other, i.id.clone())),
                    );
                });
            }
            editing.remove_items(&gone);
        }
    };
    let fields = if parts.len() == 1 {
        view! { <PartEditor editing=editing list=list id=id.clone() part=parts[0] label=label/> }
            .into_any()
    } else {
        view! {
            <fieldset class="app-item__fields">
                <legend class="app-item__legend">{label}</legend>
                {parts
                    .into_iter()
                    .map(|part| {
                        let named = Memo::new(move |_| part_label(kind, part.name).to_string());
                        view! { <PartEditor editing=editing list=list id=id.clone() part=part label=named/> }
                    })
                    .collect_view()}
            </fieldset>
        }
        .into_any()
    };
    let below = below.map(|draw| draw(editing, id.clone()));
    view! {
        <li class="app-plan-list__item app-item">
            {fields}
            <div class="app-item__actions">
                <button
                    class="app-button app-button--quiet"
                    type="button"
                    id=move_button(Toward::Start, &id)
                    aria-label=move || format!("{} {}", t(Text::MoveUp), label.get())
                    on:click=mover(Toward::Start)
                >
                    {t(Text::MoveUp)}
                </button>
                <button
                    class="app-button app-button--quiet"
                    type="button"
                    id=move_button(Toward::End, &id)
                    aria-label=move || format!("{} {}", t(Text::MoveDown), label.get())
                    on:click=mover(Toward::End)
                >
                    {t(Text::MoveDown)}
                </button>
                <button
                    class="app-button app-button--quiet"
                    type="button"
                    aria-label=move || format!("{} {}", t(Text::Remove), label.get())
                    on:click=remove
                >
                    {t(Text::Remove)}
                </button>
            </div>
            {below}
        </li>
    }
}

/// One part of an item, edited by what it holds.
#[component]
fn PartEditor(
    editing: Editing,
    list: &'static str,
    id: String,
    part: &'static PartSpec,
    label: Memo<String>,
) -> impl IntoView {
    let field_id = format!("item-{id}-{}", part.name);
    let item = {
        let id = id.clone();
        move || {
            editing
                .view
                .with(|v| v.items(list).iter().find(|i| i.id == id).cloned())
        }
    };
    let value = {
        let id = id.clone();
        Signal::derive(move || {
            editing
                .view
                .with(|v| v.part(list, &id, part.name).to_string())
        })
    };
    let on_input = {
        let id = id.clone();
        Callback::new(move |text: String| editing.set_part(list, &id, part.name, text))
    };
    match part.kind {
        PartKind::Text => view! {
            <TextBox id=field_id kind=BoxKind::Line label=label value=value on_input=on_input max_chars=part.max_chars/>
        }
        .into_any(),
        PartKind::Phone => {
            let problem = Signal::derive(move || {
                item().and_then(|i| contact_phone(&i)).and_then(|r| r.err()).map(|e| e.say())
            });
            view! {
                <TextBox id=field_id kind=BoxKind::Phone label=label value=value problem=problem on_input=on_input max_chars=part.max_chars/>
            }
            .into_any()
        }
        PartKind::Choice(Choice::Date) => view! {
            <TextBox id=field_id kind=BoxKind::Date label=label value=value on_input=on_input/>
        }
        .into_any(),
        PartKind::Choice(Choice::OneOf(values)) if values.len() == 1 => {
            let yes = values[0];
            view! {
                <div class="app-field app-check">
                    <input
                        class="app-check__box"
                        type="checkbox"
                        id=field_id.clone()
                        prop:checked=move || value.get() == yes
                        on:change=move |ev| {
                            let ticked = event_target_checked(&ev);
                            on_input.run(if ticked { yes.to_string() } else { String::new() });
                        }
                    />
                    <label class="app-check__label" for=field_id>{label}</label>
                </div>
            }
            .into_any()
        }
        PartKind::Choice(_) => ().into_any(),
    }
}

/// Focuses the first form control inside the element with this id.
pub fn focus_first_in(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("#{id} input, #{id} textarea"))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

pub fn focus(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
