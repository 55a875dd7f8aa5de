//! What every writing screen shares: the problem line, who can see the part (once sync
//! has said), the fields once the section is open, the quiet save status, and the undo
//! bar.

use leptos::prelude::*;

use super::editing::Editing;
use crate::components::save_status::SaveStatusLine;
use crate::i18n::{Text, t};

/// The address of a part's page under `base` (`/history/safety-plan`).
fn address(base: &str, kind: coplan_domain::plan::SectionKind) -> String {
    let path = super::SECTIONS
        .iter()
        .find(|(k, ..)| *k == kind)
        .map_or("", |(_, _, href)| href);
    format!("{base}{path}")
}

#[component]
pub fn EditorFrame(editing: Editing, children: ChildrenFn) -> impl IntoView {
    // After another tab moved the database to a newer version nothing here can be saved:
    // the words stay on screen, and the fields stop taking edits until a reload.
    let elsewhere = RwSignal::from(crate::storage::updated_elsewhere());
    view! {
        {move || elsewhere.get().then(|| view! {
            <div class="app-problem" role="alert">
                <p>{t(Text::UpdatedElsewhere)}</p>
            </div>
        })}
        {move || editing.long.get().then(|| view! {
            <div class="app-note" role="status">
                <p>{t(Text::SectionGettingLong)}</p>
            </div>
        })}
        {move || editing.problem.get().map(|message| view! {
            <div class="app-problem" role="alert">
                <p><span class="app-visually-hidden">{t(Text::ErrorPrefix)}" "</span>{message}</p>
            </div>
        })}
        // Who can see and change this part, once sync has said (a shared plan).
        // And, then, what changed in it and who changed it.
        {move || super::readers::line(editing.kind).map(|line| view! {
            <p class="app-readers" data-testid="readers">{line}</p>
            <p class="app-readers"><a class="app-link" href=address("/history", editing.kind)>{t(Text::HistoryOpen)}</a></p>
        })}
        // Whether it is agreed, once a round has judged the marks (a shared plan).
        {move || super::agreed::line(editing.kind).map(|line| view! {
            <p class="app-readers" data-testid="agreed"><a class="app-link" href=address("/agree", editing.kind)>{line}</a></p>
        })}
        // The fields appear once the plan is open, so nothing typed can go nowhere.
        <Show when=move || editing.ready.get() fallback=|| view! { <p role="status">{t(Text::HomeLoading)}</p> }>
            <fieldset class="app-plain-group" disabled=move || elsewhere.get()>
                {children()}
            </fieldset>
        </Show>
        <SaveStatusLine status=editing.status.read_only() writing=editing.writing.read_only()/>
        {move || editing.undo.get().map(|undoable| view! {
            <div class="app-undo" role="status">
                <span>{t(undoable.said)}</span>
                <button class="app-button" type="button" on:click=move |_| editing.undo()>{t(Text::Undo)}</button>
            </div>
        })}
    }
}
