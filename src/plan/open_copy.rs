//! Keeps the copy of the safety plan that opens without the PIN (on the lock screen) up
//! to date with what is typed, at most once a burst of typing. The storage does nothing
//! when the plan has no such copy.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use coplan_domain::PlanId;
use coplan_domain::plan::SectionDoc;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::storage::Storage;

/// How soon after a change the copy catches up.
const COPY_AFTER: Duration = Duration::from_millis(800);

#[derive(Default)]
pub(super) struct OpenCopy {
    /// A refresh is waiting.
    pending: Rc<Cell<bool>>,
}

impl OpenCopy {
    /// Brings the copy up to `doc`'s state soon, unless a refresh is already waiting.
    pub(super) fn refresh_soon(&self, storage: &Storage, plan: &PlanId, doc: &Rc<SectionDoc>) {
        if self.pending.replace(true) {
            return;
        }
        let (pending, storage, plan, doc) = (
            Rc::clone(&self.pending),
            storage.clone(),
            plan.clone(),
            Rc::clone(doc),
        );
        set_timeout(
            move || {
                pending.set(false);
                spawn_local(async move {
                    let refreshed = storage.refresh_open_copy(&plan, move || doc.encode_state());
                    if let Err(e) = refreshed.await {
                        web_sys::console::warn_1(&format!("coplan copy: {}", e.detail()).into());
                    }
                });
            },
            COPY_AFTER,
        );
    }
}
