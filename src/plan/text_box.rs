//! A labelled text box bound to CRDT words. The box shows the section's words as they
//! change (typed here, or arriving from another tab), and keeps the caret where the
//! person was typing when someone else's words land elsewhere in the same field.

use coplan_domain::plan::text_splice::moved_caret;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What kind of box: one line, a paragraph, a phone number, a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxKind {
    Line,
    Paragraph,
    Phone,
    Date,
}

#[component]
pub fn TextBox(
    /// The element id (also used for `{id}-hint` and `{id}-error`).
    id: String,
    #[prop(into)] label: Signal<String>,
    #[prop(optional)] hint: &'static str,
    kind: BoxKind,
    /// The words as stored.
    #[prop(into)]
    value: Signal<String>,
    /// A problem with the words (a half-typed phone number), shown but never blocking.
    #[prop(optional, into)]
    problem: Option<Signal<Option<String>>>,
    on_input: Callback<String>,
    #[prop(optional)] max_chars: u32,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let problem = problem.unwrap_or_else(|| Signal::derive(|| None));
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if problem.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    {
        let id = id.clone();
        Effect::new(move |_| {
            let words = value.get();
            show_keeping_caret(&id, &words);
        });
    }
    let input = move |ev| on_input.run(event_target_value(&ev));
    let max = (max_chars > 0).then_some(max_chars);
    let field = match kind {
        BoxKind::Paragraph => view! {
            <textarea
                class="app-field__input app-field__input--long"
                id=id.clone()
                rows="4"
                autocomplete="off"
                maxlength=max
                aria-describedby=described_by
                on:input=input
            ></textarea>
        }
        .into_any(),
        _ => view! {
            <input
                class="app-field__input"
                id=id.clone()
                type=match kind { BoxKind::Phone => "tel", BoxKind::Date => "date", _ => "text" }
                autocomplete="off"
                maxlength=max
                aria-describedby=described_by
                on:input=input
            />
        }
        .into_any(),
    };
    view! {
        <div class="app-field">
            <label class="app-field__label" for=id.clone()>{label}</label>
            {(!hint.is_empty()).then(|| view! { <span class="app-field__hint" id=hint_id>{hint}</span> })}
            {move || problem.get().map(|message| view! {
                <span class="app-field__error" id=error_id.clone()>
                    <span class="app-visually-hidden">{crate::i18n::t(crate::i18n::Text::ErrorPrefix)}" "</span>{message}
                </span>
            })}
            {field}
        </div>
    }
}

/// Puts `words` into the box with this id. When the box has focus and the words changed
/// elsewhere in it, the caret moves with the text around it rather than jumping.
fn show_keeping_caret(id: &str, words: &str) {
    let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return;
    };
    let focused = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .is_some_and(|active| active == element);
    if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
        let old = input.value();
        if old == words {
            return;
        }
        let caret = focused
            .then(|| input.selection_start().ok().flatten())
            .flatten();
        input.set_value(words);
        if let Some(caret) = caret {
            let at = moved_caret(&old, words, caret);
            let _ = input.set_selection_range(at, at);
        }
    } else if let Some(area) = element.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        let old = area.value();
        if old == words {
            return;
        }
        let caret = focused
            .then(|| area.selection_start().ok().flatten())
            .flatten();
        area.set_value(words);
        if let Some(caret) = caret {
            let at = moved_caret(&old, words, caret);
            let _ = area.set_selection_range(at, at);
        }
    }
}
