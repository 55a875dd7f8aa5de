//! Saves the draft to IndexedDB on every change, in order, and keeps retrying after a
//! failure with the newest words, so nothing typed is lost to a passing problem.

use std::time::Duration;

use coplan_domain::PlanDraft;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::save_status::SaveStatus;
use crate::storage::Storage;

/// How long to wait before trying a failed save again.
const RETRY_AFTER: Duration = Duration::from_secs(2);

#[derive(Clone, Copy)]
pub struct DraftSaver {
    draft: RwSignal<Option<PlanDraft>>,
    status: RwSignal<SaveStatus>,
    /// Writes started and not yet finished.
    writing: RwSignal<u32>,
    retry_pending: RwSignal<bool>,
}

impl DraftSaver {
    pub fn new(draft: RwSignal<Option<PlanDraft>>) -> Self {
        Self {
            draft,
            status: RwSignal::new(SaveStatus::Idle),
            writing: RwSignal::new(0),
            retry_pending: RwSignal::new(false),
        }
    }

    pub fn status(&self) -> ReadSignal<SaveStatus> {
        self.status.read_only()
    }

    pub fn writing(&self) -> ReadSignal<u32> {
        self.writing.read_only()
    }

    /// Writes the draft as it is now. Transactions start in call order, so the newest
    /// words are always the last written.
    pub fn save(self) {
        let Some(draft) = self.draft.get_untracked() else {
            return;
        };
        self.writing.update(|n| *n += 1);
        spawn_local(async move {
            let result = match Storage::shared().await {
                Ok(storage) => storage.save_draft(&draft).await,
                Err(e) => Err(e),
            };
            self.writing.update(|n| *n = n.saturating_sub(1));
            match result {
                Ok(()) => self.status.set(SaveStatus::Saved),
                Err(e) => {
                    web_sys::console::warn_1(&format!("coplan save failed: {}", e.detail()).into());
                    self.status.set(SaveStatus::Failed(e));
                    self.retry_later();
                }
            }
        });
    }

    fn retry_later(self) {
        if self.retry_pending.get_untracked() {
            return;
        }
        self.retry_pending.set(true);
        set_timeout(
            move || {
                self.retry_pending.set(false);
                self.save();
            },
            RETRY_AFTER,
        );
    }
}
