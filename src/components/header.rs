//! The header on every screen: the app's name and the safety plan button; and the main
//! navigation below it.

use crate::route::Route;
use leptos::prelude::*;

use crate::i18n::{Text, t};
use crate::quick_hide::HideButton;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="app-header">
            <a class="app-skip-link" href="#main">{t(Text::SkipToContent)}</a>
            <a href="/" class="app-header__name">{t(Text::AppName)}</a>
            <span class="app-header__actions">
                <HideButton/>
                <a href="/safety-plan" class="app-header__safety" aria-current=here("/safety-plan")>{t(Text::SafetyPlanButton)}</a>
            </span>
        </header>
    }
}

#[component]
pub fn MainNav() -> impl IntoView {
    view! {
        <nav class="app-nav" aria-label=t(Text::MainNavigation)>
            <a href="/" class="app-nav__link" aria-current=here("/")>{t(Text::NavHome)}</a>
            <a href="/privacy" class="app-nav__link" aria-current=here("/privacy")>{t(Text::NavAbout)}</a>
        </nav>
    }
}

/// "page" on the link to the screen showing now.
fn here(path: &'static str) -> impl Fn() -> Option<&'static str> + Copy {
    let route = expect_context::<Route>();
    move || (route.path() == path).then_some("page")
}
