//! The safety plan: the 24/7 lines first, then the person's own steps in order, each
//! contact one tap to call or text; and the screen to write and change it.

mod editor;

use coplan_domain::plan::safety_plan::{SafetyPlan, SafetyStep, contact_phone};
use coplan_domain::plan::{SectionKind, SectionView};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::crisis_lines::CrisisLines;
use crate::i18n::{Text, fill, step_words, t};
use crate::plan::SectionSession;
pub use editor::SafetyPlanEditorPage;

/// Steps that hold a contact (a name and a number) rather than a line of text.
pub fn is_contact_step(step: &str) -> bool {
    matches!(step, "ask_for_help" | "professionals")
}

#[component]
pub fn SafetyPlanPage() -> impl IntoView {
    let view = RwSignal::new(None::<SectionView>);
    spawn_local(async move {
        match SectionSession::read(SectionKind::SafetyPlan).await {
            Ok(found) => view.set(found),
            // The 24/7 lines above still show; the reason goes to the console.
            Err(e) => web_sys::console::warn_1(&format!("coplan: {}", e.detail()).into()),
        }
    });

    view! {
        <h1>{t(Text::SafetyPlanHeading)}</h1>
        <CrisisLines/>
        <section aria-labelledby="my-safety-plan-heading">
            <h2 id="my-safety-plan-heading">{t(Text::MySafetyPlanHeading)}</h2>
            {move || steps_to_read(view.get())}
            <p class="app-no-print">
                <a class="app-button app-button--secondary" href="/safety-plan/edit">{t(Text::ChangeSafetyPlan)}</a>
            </p>
            <p class="app-no-print">
                <button class="app-button app-button--quiet" type="button" data-steps-out="" on:click=|_| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.print();
                    }
                }>{t(Text::PrintSafetyPlan)}</button>
            </p>
        </section>
    }
}

/// The person's own steps, in order, as they read them (also on the lock screen, for a
/// safety plan that opens without the PIN); or a plain note when there are none yet.
pub fn steps_to_read(view: Option<SectionView>) -> AnyView {
    match view.map(|v| SafetyPlan::from_view(&v)) {
        Some(plan) if plan.shown_item_count() > 0 => plan
            .steps
            .into_iter()
            .filter(|step| !step.hidden && !step.items.is_empty())
            .map(|step| view! { <StepReading step=step/> })
            .collect_view()
            .into_any(),
        _ => view! { <p>{t(Text::SafetyPlanEmpty)}</p> }.into_any(),
    }
}

/// One step as the person reads it in a hard moment.
#[component]
fn StepReading(step: SafetyStep) -> impl IntoView {
    let contacts = is_contact_step(step.key);
    view! {
        <h3>{step_words(step.key).title}</h3>
        <ul class="app-plan-list">
            {step
                .items
                .into_iter()
                .map(|item| {
                    if contacts {
                        let name = item.part("name").to_string();
                        let links = match contact_phone(&item) {
                            Some(Ok(phone)) => view! {
                                <a class="app-contact__link" href=phone.tel_href()>{fill(t(Text::CallContact), &[("name", &name)])}</a>
                                <a class="app-contact__link" href=phone.sms_href()>{fill(t(Text::TextContact), &[("name", &name)])}</a>
                            }
                            .into_any(),
                            _ => view! { <span>{item.part("phone").to_string()}</span> }.into_any(),
                        };
                        view! {
                            <li class="app-plan-list__item app-contact">
                                <span class="app-contact__name">{name.clone()}</span>
                                {links}
                            </li>
                        }
                        .into_any()
                    } else {
                        view! { <li class="app-plan-list__item">{item.part("text").to_string()}</li> }.into_any()
                    }
                })
                .collect_view()}
        </ul>
    }
}
