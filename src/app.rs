//! The app's frame: skip link, header with the safety plan button, navigation, and the
//! routes. Every screen is drawn inside this frame, so the safety plan is always one tap
//! away.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::care_plan::CarePlanPage;
use crate::check_ins::CheckInsPage;
use crate::components::header::{Header, MainNav};
use crate::i18n::{Text, t};
use crate::lock::{AppLock, Gate, LockScreen};
use crate::paper::{CrisisCardPage, PrintPlanPage};
use crate::plan::{AboutMePage, CrisisWishesPage, OverviewPage, PlansPage};
use crate::privacy::{ForgottenPage, PrivacyPage};
use crate::quick_hide::{NeutralPage, QuickHide};
use crate::safety_plan::{SafetyPlanEditorPage, SafetyPlanPage};

#[component]
pub fn App() -> impl IntoView {
    let lock = AppLock::install();
    let quick = QuickHide::install(lock);
    view! {
        <Router>
          <Show when=move || !quick.0.get() fallback=|| view! { <NeutralPage/> }>
            <Header/>
            {move || match lock.gate.get() {
                Gate::Opening => ().into_any(),
                Gate::Locked => view! {
                    <main id="main" class="app-main" tabindex="-1"><LockScreen/></main>
                }
                .into_any(),
                Gate::Open => view! { <Screens/> }.into_any(),
            }}
          </Show>
        </Router>
    }
}

/// Every screen, once Coplan is open (and unlocked, when a lock is set).
#[component]
fn Screens() -> impl IntoView {
    view! {
            <MainNav/>
            <main id="main" class="app-main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=OverviewPage/>
                    <Route path=path!("/plans") view=PlansPage/>
                    <Route path=path!("/about-me") view=AboutMePage/>
                    <Route path=path!("/care-plan") view=CarePlanPage/>
                    <Route path=path!("/safety-plan") view=SafetyPlanPage/>
                    <Route path=path!("/safety-plan/edit") view=SafetyPlanEditorPage/>
                    <Route path=path!("/crisis") view=CrisisWishesPage/>
                    <Route path=path!("/check-ins") view=CheckInsPage/>
                    <Route path=path!("/privacy") view=PrivacyPage/>
                    <Route path=path!("/forgotten") view=ForgottenPage/>
                    <Route path=path!("/print") view=PrintPlanPage/>
                    <Route path=path!("/crisis-card") view=CrisisCardPage/>
                </Routes>
            </main>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <h1>{t(Text::NotFoundHeading)}</h1>
        <p>{t(Text::NotFoundBody)}</p>
        <p><a href="/">{t(Text::NotFoundHome)}</a></p>
    }
}
