//! Whether what was typed is safely on the phone: one quiet line, the same on every screen.

use leptos::prelude::*;

use crate::i18n::{Say, Text, t};
use crate::storage::StorageError;

/// The last write's outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum SaveStatus {
    Idle,
    Saved,
    Failed(StorageError),
}

/// The quiet "Saved on this phone" line, announced politely; a failure is said plainly.
/// While writes are still on their way it is marked `aria-busy`, so screen readers wait
/// for the settled state instead of announcing every keystroke.
#[component]
pub fn SaveStatusLine(status: ReadSignal<SaveStatus>, writing: ReadSignal<u32>) -> impl IntoView {
    view! {
        <p
            aria-busy=move || { if writing.get() > 0 { "true" } else { "false" } }
            class=move || match status.get() {
                SaveStatus::Failed(_) => "app-save-status app-save-status--problem",
                _ => "app-save-status",
            }
            role="status"
        >
            {move || match status.get() {
                SaveStatus::Idle => String::new(),
                SaveStatus::Saved => t(Text::SavedOnPhone).to_string(),
                SaveStatus::Failed(error) => {
                    format!("{} {} {}", t(Text::NotSavedYet), error.say(), t(Text::TryingAgain))
                }
            }}
        </p>
    }
}
