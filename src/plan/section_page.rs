//! The sections that are the person's own words in fields and lists, drawn straight from
//! their schema: About me, and If I am in crisis.

use coplan_domain::plan::SectionKind;
use leptos::prelude::*;

use super::editing::Editing;
use super::fields::FieldEditor;
use super::frame::EditorFrame;
use super::lists::ListEditor;
use crate::i18n::{Text, t};

#[component]
pub fn AboutMePage() -> impl IntoView {
    view! { <WholeSection kind=SectionKind::AboutMe heading=Text::AboutMeHeading intro=Text::AboutMeIntro/> }
}

#[component]
pub fn CrisisWishesPage() -> impl IntoView {
    view! { <WholeSection kind=SectionKind::CrisisWishes heading=Text::CrisisWishesHeading intro=Text::CrisisWishesIntro/> }
}

/// Every field, then every list, of a section, in the schema's order.
#[component]
fn WholeSection(kind: SectionKind, heading: Text, intro: Text) -> impl IntoView {
    let editing = Editing::open(kind);
    let spec = kind.spec();
    view! {
        <h1>{t(heading)}</h1>
        <p>{t(intro)}</p>
        <p class="app-own-words">{t(Text::OwnWordsNote)}</p>
        <EditorFrame editing=editing>
            {spec.fields.iter().map(|f| view! { <FieldEditor editing=editing field=f.name/> }).collect_view()}
            {spec.lists.iter().map(|l| view! { <ListEditor editing=editing list=l.name/> }).collect_view()}
        </EditorFrame>
    }
}
