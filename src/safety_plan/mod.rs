//! The safety plan screen: for now the 24/7 lines, later the person's own steps.

use leptos::prelude::*;

use crate::components::crisis_lines::CrisisLines;
use crate::i18n::{Text, t};

#[component]
pub fn SafetyPlanPage() -> impl IntoView {
    view! {
        <h1>{t(Text::SafetyPlanHeading)}</h1>
        <CrisisLines/>
        <p>{t(Text::SafetyPlanYours)}</p>
    }
}
