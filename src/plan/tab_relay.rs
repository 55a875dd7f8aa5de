//! Carries a section's stored changes to the other tabs of the same plan on this phone,
//! and merges theirs into this tab's document, over a `BroadcastChannel` named by plan and
//! section (ids only, never plan text).
//!
//! A change is posted only once it is stored, so a tab that hears one could also read it
//! from IndexedDB; merging a change twice is harmless.

use std::rc::Rc;

use coplan_domain::PlanId;
use coplan_domain::plan::{SectionDoc, SectionKind, SectionView};
use js_sys::Uint8Array;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

pub(super) struct TabRelay {
    channel: web_sys::BroadcastChannel,
    /// Kept while the relay lives, dropped with it.
    _on_message: Closure<dyn Fn(web_sys::MessageEvent)>,
}

/// The channel over which a phone's tabs tell each other of a section's stored changes
/// (sync listens too, and tells the tabs what arrives from other phones).
pub fn channel_name(plan: &PlanId, kind: SectionKind) -> String {
    format!("coplan:{}:{}", plan.as_str(), kind.key())
}

/// The channel on which a tab says another plan is open now (started or chosen): the
/// syncing tab was listening to the plan open before, and would not hear the new one's
/// first words until its next round.
pub const OPEN_PLAN_CHANNEL: &str = "coplan:open-plan";

/// Tells the phone's tabs (the syncing one among them) that another plan is open.
pub fn tell_plan_opened() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(OPEN_PLAN_CHANNEL) {
        let _ = channel.post_message(&wasm_bindgen::JsValue::NULL);
        channel.close();
    }
}

impl TabRelay {
    /// Starts hearing other tabs' changes to this section: each is merged into `doc`
    /// and shown in `view`. None where the browser has no BroadcastChannel (the other
    /// tabs' changes then show on the next reload).
    pub(super) fn listen(
        plan: &PlanId,
        kind: SectionKind,
        doc: &Rc<SectionDoc>,
        view: RwSignal<SectionView>,
    ) -> Option<Self> {
        let channel = web_sys::BroadcastChannel::new(&channel_name(plan, kind)).ok()?;
        let doc = Rc::clone(doc);
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let Ok(bytes) = event.data().dyn_into::<Uint8Array>() else {
                    return;
                };
                // A damaged message changes nothing.
                if doc.apply_update(&bytes.to_vec()).is_ok() {
                    view.set(doc.view());
                }
            });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Self {
            channel,
            _on_message: on_message,
        })
    }

    /// Tells the other tabs of a change this tab has stored.
    pub(super) fn post(&self, update: &[u8]) {
        let _ = self.channel.post_message(&Uint8Array::from(update));
    }
}

impl Drop for TabRelay {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
