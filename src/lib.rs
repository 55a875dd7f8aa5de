//! Coplan in the browser: the person's plan, written on their phone, kept in IndexedDB.
//!
//! Features live in their own folders (`plan/` for the overview, the plan list and the
//! shared section editors; `safety_plan/`, `care_plan/`, `check_ins/`, `privacy/`); shared pieces
//! in `components/`; all words in `i18n/`; all IndexedDB access in `storage/`. Start
//! reading at [`app::App`].
// Denied everywhere but `parts`, whose split macro declares imports and exports.
#![deny(unsafe_code)]

pub mod account;
pub mod app;
pub mod care_plan;
pub mod check_ins;
pub mod checker;
pub mod components;
pub mod i18n;
pub mod lock;
pub mod page_shell;
pub mod paper;
pub mod parts;
pub mod plan;
pub mod platform;
pub mod privacy;
pub mod quick_hide;
pub mod route;
pub mod safety_plan;
pub mod storage;

/// Starts the app: takes over from the plain-HTML fallback in index.html.
pub fn start() {
    page_shell::install_panic_hook();
    page_shell::set_language(i18n::locale());
    let Some(root) = page_shell::app_root() else {
        return;
    };
    leptos::mount::mount_to(root, app::App).forget();
    page_shell::hide_fallback();
}
