//! Editing a section's own fields and picks: words in a box, a 1–7 rating or a stage
//! picked from a short list (always with "Not saying"), a date.

use coplan_domain::plan::schema::Choice;
use leptos::prelude::*;

use super::editing::Editing;
use super::text_box::{BoxKind, TextBox};
use crate::i18n::{choice_label, words};

/// Fields longer than this get a paragraph box.
const LINE_CHARS: u32 = 500;

#[component]
pub fn FieldEditor(
    editing: Editing,
    field: &'static str,
    /// Overrides the field's own title (a life area's "What I would like to be different").
    #[prop(optional)]
    title: Option<&'static str>,
) -> impl IntoView {
    let kind = editing.kind;
    let Some(spec) = kind.spec().field(field) else {
        return ().into_any();
    };
    let said = words(kind, field);
    let label = title.unwrap_or(said.title).to_string();
    let value = Signal::derive(move || editing.view.with(|v| v.field(field).to_string()));
    let on_input = Callback::new(move |text: String| editing.set_field(field, text));
    let box_kind = if spec.max_chars > LINE_CHARS {
        BoxKind::Paragraph
    } else {
        BoxKind::Line
    };
    view! {
        <TextBox
            id=format!("field-{field}")
            kind=box_kind
            label=label
            hint=said.hint
            value=value
            on_input=on_input
            max_chars=spec.max_chars
        />
    }
    .into_any()
}

/// A whole-section pick: radio buttons for a short list, a date box for a date.
#[component]
pub fn ChoiceEditor(
    editing: Editing,
    name: &'static str,
    /// The words to use (a life area's rating uses the shared rating words).
    #[prop(optional)]
    words_of: Option<&'static str>,
    /// What the question is about, for screen readers ("My mental health").
    #[prop(optional)]
    about: Option<&'static str>,
) -> impl IntoView {
    let kind = editing.kind;
    let Some(spec) = kind.spec().choice(name) else {
        return ().into_any();
    };
    let said = words(kind, words_of.unwrap_or(name));
    let value = Signal::derive(move || editing.view.with(|v| v.choice(name).to_string()));
    let pick = move |value: String| {
        editing.edit(coplan_domain::plan::Edit::SetChoice { name, value });
    };
    match spec.kind {
        Choice::Date => view! {
            <TextBox
                id=format!("choice-{name}")
                kind=BoxKind::Date
                label=said.title.to_string()
                hint=said.hint
                value=value
                on_input=Callback::new(pick)
            />
        }
        .into_any(),
        Choice::OneOf(values) => {
            let hint_id = format!("choice-{name}-hint");
            let legend = match about {
                Some(about) => view! {
                    <legend class="app-field__label">
                        {said.title}<span class="app-visually-hidden">" ("{about}")"</span>
                    </legend>
                }
                .into_any(),
                None => view! { <legend class="app-field__label">{said.title}</legend> }.into_any(),
            };
            let options = values.iter().copied().chain([""]).map(|option| {
                let id = format!("choice-{name}-{}", if option.is_empty() { "none" } else { option });
                view! {
                    <div class="app-radio">
                        <input
                            class="app-radio__input"
                            type="radio"
                            id=id.clone()
                            name=format!("choice-{name}")
                            prop:checked=move || value.get() == option
                            on:change=move |_| pick(option.to_string())
                        />
                        <label class="app-radio__label" for=id>{choice_label(name_for_words(name), option)}</label>
                    </div>
                }
            });
            view! {
                <fieldset
                    class="app-field app-choice"
                    aria-describedby=(!said.hint.is_empty()).then(|| hint_id.clone())
                >
                    {legend}
                    {(!said.hint.is_empty()).then(|| view! { <span class="app-field__hint" id=hint_id.clone()>{said.hint}</span> })}
                    <div class="app-choice__options">{options.collect_view()}</div>
                </fieldset>
            }
            .into_any()
        }
        Choice::ItemRef | Choice::Copied(_) | Choice::Shown => ().into_any(),
    }
}

/// Ratings of every life area share their words.
fn name_for_words(name: &'static str) -> &'static str {
    if name.starts_with("rating_") {
        "rating"
    } else {
        name
    }
}
