//! The app's frame: skip link, header with the safety plan button, navigation, and the
//! routes. Every screen is drawn inside this frame, so the safety plan is always one tap
//! away.

use leptos::prelude::*;

use crate::components::header::{Header, MainNav};
use crate::i18n::{Text, t};
use crate::lock::{AppLock, Gate, LockScreen};
use crate::parts::{Lazy, Part};
use crate::plan::{AboutMePage, OverviewPage};
use crate::privacy::ForgottenPage;
use crate::quick_hide::{NeutralPage, QuickHide};
use crate::route::Route;
use crate::safety_plan::{SafetyPlanEditorPage, SafetyPlanPage};

#[component]
pub fn App() -> impl IntoView {
    let route = Route::install();
    let lock = AppLock::install();
    let quick = QuickHide::install(lock);
    let open = move || !quick.0.get() && lock.gate.get() == Gate::Open;
    // While hidden: the neutral page. While opening: the header alone (its safety plan
    // button works at once). While locked: the lock screen.
    let not_open = move || {
        if quick.0.get() {
            return view! { <NeutralPage/> }.into_any();
        }
        let locked = lock.gate.get() == Gate::Locked;
        view! {
            <Header/>
            <main id="main" class="app-main" tabindex="-1">{locked.then(|| view! { <LockScreen/> })}</main>
        }
        .into_any()
    };
    view! {
        <Show when=open fallback=not_open>
            <Header/>
            <Screens route=route/>
        </Show>
    }
}

/// Every screen, once Coplan is open (and unlocked, when a lock is set).
#[component]
fn Screens(route: Route) -> impl IntoView {
    leptos::task::spawn_local(crate::parts::start_sync_if_signed_in());
    let screen = move || match route.path().as_str() {
        "/" => view! { <OverviewPage/> }.into_any(),
        "/plans" => view! { <Lazy part=Part::Plans/> }.into_any(),
        "/about-me" => view! { <AboutMePage/> }.into_any(),
        "/care-plan" => view! { <Lazy part=Part::CarePlan/> }.into_any(),
        "/safety-plan" => view! { <SafetyPlanPage/> }.into_any(),
        "/safety-plan/edit" => view! { <SafetyPlanEditorPage/> }.into_any(),
        "/crisis" => view! { <Lazy part=Part::CrisisWishes/> }.into_any(),
        "/check-ins" => view! { <Lazy part=Part::CheckIns/> }.into_any(),
        "/privacy" => view! { <Lazy part=Part::Privacy/> }.into_any(),
        "/account" | "/invite" | "/join" | "/people" | "/suggestions" | "/access" | "/leave"
        | "/second-factor" | "/caseload" => view! { <Lazy part=Part::Account/> }.into_any(),
        path if path.starts_with("/history/") => view! { <Lazy part=Part::Account/> }.into_any(),
        path if path.starts_with("/agree/") => view! { <Lazy part=Part::Account/> }.into_any(),
        "/forgotten" => view! { <ForgottenPage/> }.into_any(),
        "/print" => view! { <Lazy part=Part::PrintPlan/> }.into_any(),
        "/crisis-card" => view! { <Lazy part=Part::CrisisCard/> }.into_any(),
        _ => view! { <NotFound/> }.into_any(),
    };
    view! {
        <MainNav/>
        // Filled only by the account part (sync): plain text, never HTML.
        <div id="app-notice" class="app-notice" role="status"></div>
        <main id="main" class="app-main" tabindex="-1">{screen}</main>
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
