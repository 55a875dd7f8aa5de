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
//! Every id this phone writes under comes from its own range of [`RANGE`] ids, taken in
//! turn (`coplan:writer-range` and `coplan:writer-next`), so that with sync the phone
//! registers one range in the plan's membership log (SHARING decision 3) rather than each
//! id; a used-up range is followed by a fresh random one. Each slot's id is kept under
//! `coplan:writer:<slot>`. All are numbers in `localStorage`, not plan text, read without
//! waiting, and cleared with everything else when the phone is forgotten; whatever is
//! missing is simply taken fresh. Without Web Locks, or with every slot held, a tab takes
//! an id of its own from the range; without `localStorage`, a random one.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use coplan_domain::plan::SectionKind;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::platform::{claim_writer_slot, fresh_client_id};

/// How many tabs of one phone can each hold a slot; any more take ids of their own.
pub const SLOTS: u32 = 16;
/// How many ids a range holds: one per slot, and one for each retirement and one-off.
pub const RANGE: u32 = 4096;
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
    let id = if busy { next_id() } else { tab_id().await };
    (id, Live(token))
}

/// A write failed: sessions opened from now on write under a fresh id.
pub fn retire_after_failure() {
    TAB.with_borrow_mut(|tab| {
        tab.id = Some(match tab.slot.flatten() {
            Some(slot) => retire_slot(slot),
            None => next_id(),
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

/// Gives slot `slot` the next id of the range and returns it.
pub fn retire_slot(slot: u32) -> u32 {
    let id = next_id();
    if let Some(store) = local_storage() {
        let _ = store.set_item(&slot_key(slot), &id.to_string());
    }
    id
}

/// The first id of this phone's range (a multiple of [`RANGE`], never 0), made when
/// first asked.
pub fn range_start() -> Option<u32> {
    let store = local_storage()?;
    if let Some(start) = read_number(&store, RANGE_KEY).filter(|s| *s != 0 && s % RANGE == 0) {
        return Some(start);
    }
    Some(new_range(&store))
}

/// The next unused id of this phone's range (a fresh range once it is used up); a random
/// id without `localStorage`.
fn next_id() -> u32 {
    let (Some(store), Some(mut start)) = (local_storage(), range_start()) else {
        return fresh_client_id();
    };
    let mut next = read_number(&store, NEXT_KEY).unwrap_or(0);
    if next >= RANGE {
        start = new_range(&store);
        next = 0;
    }
    let _ = store.set_item(NEXT_KEY, &(next + 1).to_string());
    start + next
}

/// Starts a fresh random range, from its first id.
fn new_range(store: &web_sys::Storage) -> u32 {
    let start = loop {
        let start = fresh_client_id() & !(RANGE - 1);
        if start != 0 {
            break start;
        }
    };
    let _ = store.set_item(RANGE_KEY, &start.to_string());
    let _ = store.set_item(NEXT_KEY, "0");
    start
}

const RANGE_KEY: &str = "coplan:writer-range";
const NEXT_KEY: &str = "coplan:writer-next";

fn read_number(store: &web_sys::Storage, key: &str) -> Option<u32> {
    store.get_item(key).ok()??.parse().ok()
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
            Some(slot) => slot_id(slot),
            None => next_id(),
        })
    })
}

fn slot_key(slot: u32) -> String {
    format!("coplan:writer:{slot}")
}

fn stored_id(slot: u32) -> Option<u32> {
    read_number(&local_storage()?, &slot_key(slot)).filter(|id| *id != 0)
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
