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
use crate::paper::{CrisisCardPage, PrintPlanPage};
use crate::plan::{AboutMePage, CrisisWishesPage, OverviewPage, PlansPage};
use crate::privacy::{ForgottenPage, PrivacyPage};
use crate::quick_hide::{NeutralPage, QuickHide};
use crate::safety_plan::{SafetyPlanEditorPage, SafetyPlanPage};

#[component]
pub fn App() -> impl IntoView {
    let quick = QuickHide::install();
    view! {
        <Router>
          <Show when=move || !quick.0.get() fallback=|| view! { <NeutralPage/> }>
            <Header/>
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
          </Show>
        </Router>
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
