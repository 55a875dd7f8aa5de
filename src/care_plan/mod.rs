//! The care and support plan: each part of life with how happy the person is with it
//! (1–7, optional), what they would like to be different and their goals, each goal with
//! its steps (who does what, by when, done); who supports them; the support they get now;
//! and when the plan will next be looked at together.

use coplan_domain::plan::schema::{area_different_field, area_rating_choice};
use coplan_domain::plan::{LIFE_AREAS, SectionKind};
use leptos::prelude::*;

use crate::i18n::{Text, t, words};
use crate::plan::{ChoiceEditor, Editing, EditorFrame, FieldEditor, ListEditor};

#[component]
pub fn CarePlanPage() -> impl IntoView {
    let editing = Editing::open(SectionKind::CarePlan);
    view! {
        <h1>{t(Text::CarePlanHeading)}</h1>
        <p>{t(Text::CarePlanIntro)}</p>
        <EditorFrame editing=editing>
            {LIFE_AREAS.iter().map(|area| view! { <LifeAreaEditor editing=editing area=area/> }).collect_view()}
            <ListEditor editing=editing list="support_network"/>
            <section class="app-step" aria-labelledby="care-plan-support-now">
                <h2 id="care-plan-support-now">{t(Text::CarePlanSupportHeading)}</h2>
                <ChoiceEditor editing=editing name="continuum"/>
                <ChoiceEditor editing=editing name="next_review"/>
            </section>
        </EditorFrame>
    }
}

#[component]
fn LifeAreaEditor(editing: Editing, area: &'static str) -> impl IntoView {
    let title = words(SectionKind::CarePlan, area).title;
    let heading_id = format!("area-{area}");
    let (Some(rating), Some(different)) = (area_rating_choice(area), area_different_field(area))
    else {
        return ().into_any();
    };
    let different_title = words(SectionKind::CarePlan, "different").title;
    view! {
        <section class="app-step" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{title}</h2>
            <ChoiceEditor editing=editing name=rating words_of="rating" about=title/>
            <FieldEditor editing=editing field=different title=different_title/>
            <ListEditor
                editing=editing
                list="goals"
                only=("area", area.to_string())
                dependents=("actions", "goal")
                level=3
                below=goal_steps
            />
        </section>
    }
    .into_any()
}

/// Under each goal: its steps.
fn goal_steps(editing: Editing, goal: String) -> AnyView {
    view! { <ListEditor editing=editing list="actions" only=("goal", goal) level=4/> }.into_any()
}
