//! Writing the safety plan: every step, its items as fields (contacts as a name and a
//! number), add, move up or down (no dragging needed), remove with undo, hide a step.

use coplan_domain::plan::{SAFETY_PLAN_STEPS, SectionKind};
use leptos::prelude::*;

use crate::i18n::{Text, t};
use crate::plan::{Editing, EditorFrame, ListEditor};

#[component]
pub fn SafetyPlanEditorPage() -> impl IntoView {
    let editing = Editing::open(SectionKind::SafetyPlan);
    view! {
        <h1>{t(Text::EditSafetyPlanHeading)}</h1>
        <p>{t(Text::EditSafetyPlanIntro)}</p>
        <p><a href="/safety-plan">{t(Text::BackToSafetyPlan)}</a></p>
        <EditorFrame editing=editing>
            {SAFETY_PLAN_STEPS
                .iter()
                .map(|step| view! { <ListEditor editing=editing list=step hideable=true/> })
                .collect_view()}
        </EditorFrame>
    }
}
