//! The CRDT client id this tab writes plan sections under.
//!
//! A tab claims one of [`SLOTS`] writer slots for its whole life
//! (`platform::claim_writer_slot`, with the Web Locks API, so no two tabs ever hold the
//! same one) and writes under that slot's id, visit after visit, so a section written in
//! one tab after another, day after day, holds a handful of writers rather than one per
//! visit: every reference in a document stays small, and (with sync) a person's phone
//! needs only a small range of registered ids.
//!
//! Reuse is safe only while the document written holds every change ever made under the
//! id (the next change then carries on from the last one), so:
//! - a section opened while another session of the same section is still alive in this
//!   tab (its last writes may still be on their way) gets a one-off fresh id;
//! - after a failed write, this tab's slot gets a fresh id for the sessions that follow;
//! - after a plan comes back from a file (it may hold changes made under an id that this
//!   phone's records no longer do), every slot gets a fresh id, in every tab.
//!
//! Each slot's id is kept in `localStorage` under `coplan:writer:<slot>`: a number, not
//! plan text, read without waiting, and cleared with everything else when the phone is
//! forgotten. Whenever it is missing, the slot simply takes a fresh one. Without Web
//! Locks, or with every slot held, a tab takes one random id of its own.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use coplan_domain::plan::SectionKind;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::platform::{claim_writer_slot, fresh_client_id};

/// How many tabs of one phone can each hold a slot; any more take random ids.
pub const SLOTS: u32 = 16;
/// The channel a tab tells the others on that every slot's id was retired.
const CHANNEL: &str = "coplan:writers";

#[derive(Default)]
struct Tab {
    /// The slot this tab holds: None until asked, then Some(None) if it could not claim one.
    slot: Option<Option<u32>>,
    /// The id this tab writes under now, once known.
    id: Option<u32>,
    /// A token per section session alive in this tab.
    live: Vec<(SectionKind, Weak<()>)>,
    channel: Option<web_sys::BroadcastChannel>,
}

thread_local! {
    static TAB: RefCell<Tab> = RefCell::new(Tab::default());
}

/// Held by a section session for as long as it lives.
pub struct Live(#[allow(dead_code)] Rc<()>);

/// The client id for a new session of `kind`, and the token the session keeps.
pub async fn client_id(kind: SectionKind) -> (u32, Live) {
    let token = Rc::new(());
    let busy = TAB.with_borrow_mut(|tab| {
        tab.live.retain(|(_, alive)| alive.strong_count() > 0);
        let busy = tab.live.iter().any(|(k, _)| *k == kind);
        tab.live.push((kind, Rc::downgrade(&token)));
        busy
    });
    let id = if busy {
        fresh_client_id()
    } else {
        tab_id().await
    };
    (id, Live(token))
}

/// A write failed: sessions opened from now on write under a fresh id.
pub fn retire_after_failure() {
    TAB.with_borrow_mut(|tab| {
        tab.id = Some(match tab.slot.flatten() {
            Some(slot) => retire_slot(slot),
            None => fresh_client_id(),
        });
    });
}

/// A plan came back from a file: every slot's id is retired, and every tab takes its
/// slot's fresh id for the sessions it opens next.
pub fn retire_everywhere() {
    if let Some(store) = local_storage() {
        for slot in 0..SLOTS {
            let _ = store.remove_item(&slot_key(slot));
        }
    }
    TAB.with_borrow_mut(|tab| {
        tab.id = None;
        if let Some(channel) = &tab.channel {
            let _ = channel.post_message(&"retired".into());
        }
    });
}

/// Slot `slot`'s id, made the first time it is asked for.
pub fn slot_id(slot: u32) -> u32 {
    stored_id(slot).unwrap_or_else(|| retire_slot(slot))
}

/// Gives slot `slot` a fresh id (non-zero, and no other slot's) and returns it.
pub fn retire_slot(slot: u32) -> u32 {
    let taken: Vec<u32> = (0..SLOTS).filter_map(stored_id).collect();
    let id = loop {
        let id = fresh_client_id();
        if !taken.contains(&id) {
            break id;
        }
    };
    if let Some(store) = local_storage() {
        let _ = store.set_item(&slot_key(slot), &id.to_string());
    }
    id
}

async fn tab_id() -> u32 {
    if let Some(id) = TAB.with_borrow(|tab| tab.id) {
        return id;
    }
    if TAB.with_borrow(|tab| tab.slot.is_none()) {
        let claimed = claim_writer_slot(SLOTS).await;
        TAB.with_borrow_mut(|tab| {
            // Two sessions may have asked at once: the first claim stands (the other
            // slot stays held, unused, until the page goes).
            if tab.slot.is_none() {
                tab.slot = Some(claimed);
                tab.channel = listen();
            }
        });
    }
    TAB.with_borrow_mut(|tab| {
        let slot = tab.slot.flatten();
        *tab.id.get_or_insert_with(|| match slot {
            Some(slot) if local_storage().is_some() => slot_id(slot),
            _ => fresh_client_id(),
        })
    })
}

fn slot_key(slot: u32) -> String {
    format!("coplan:writer:{slot}")
}

fn stored_id(slot: u32) -> Option<u32> {
    local_storage()?
        .get_item(&slot_key(slot))
        .ok()??
        .parse()
        .ok()
        .filter(|id| *id != 0)
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Hears that another tab retired every slot's id.
fn listen() -> Option<web_sys::BroadcastChannel> {
    let channel = web_sys::BroadcastChannel::new(CHANNEL).ok()?;
    let on_message = Closure::<dyn Fn()>::new(|| TAB.with_borrow_mut(|tab| tab.id = None));
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Heard for as long as the page lives.
    on_message.forget();
    Some(channel)
}
