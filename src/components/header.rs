//! The header on every screen: the app's name and the safety plan button; and the main
//! navigation below it.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Text, t};
use crate::quick_hide::HideButton;

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="app-header">
            <a class="app-skip-link" href="#main">{t(Text::SkipToContent)}</a>
            <A href="/" attr:class="app-header__name">{t(Text::AppName)}</A>
            <span class="app-header__actions">
                <HideButton/>
                <A href="/safety-plan" attr:class="app-header__safety">{t(Text::SafetyPlanButton)}</A>
            </span>
        </header>
    }
}

#[component]
pub fn MainNav() -> impl IntoView {
    view! {
        <nav class="app-nav" aria-label=t(Text::MainNavigation)>
            <A href="/" attr:class="app-nav__link">{t(Text::NavHome)}</A>
            <A href="/privacy" attr:class="app-nav__link">{t(Text::NavAbout)}</A>
        </nav>
    }
}
