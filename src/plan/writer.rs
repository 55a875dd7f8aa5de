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
//!   tab (its last writes may still be on their way) gets the slot's next id, which the
//!   tab keeps from then on;
//! - after a failed write, this tab's slot gets a fresh id for the sessions that follow;
//! - after a plan comes back from a file (it may hold changes made under an id that this
//!   phone's records no longer do), every slot gets a fresh id, in every tab.
//!
//! Every id this phone writes under comes from its own range of [`RANGE`] ids
//! (`coplan:writer-range`), so that with sync the phone registers one range in the plan's
//! membership log (SHARING decision 3) rather than each id. Each slot owns its own part of
//! the range and keeps its current id (`coplan:writer:<slot>`); only the tab holding the
//! slot ever writes it, so two tabs never race for an id. A retired id is followed by the
//! next in the slot's part; a plan brought back from a file starts a fresh random range for
//! every slot. All are numbers in `localStorage`, not plan text, read without waiting, and
//! cleared with everything else when the phone is forgotten; whatever is missing is taken
//! fresh. A tab without a slot (no Web Locks, or every slot held) takes a random id.
//! Over time a phone uses several ranges; sync registers what its documents hold
//! (`SectionDoc::writers`).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use coplan_domain::plan::SectionKind;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use crate::platform::{claim_writer_slot, fresh_client_id};

/// How many tabs of one phone can each hold a slot; any more take random ids.
pub const SLOTS: u32 = 16;
/// How many ids a range holds: [`PER_SLOT`] for each slot.
pub const RANGE: u32 = 4096;
/// Each slot's part of the range: its first id, and one for each retirement after it.
pub const PER_SLOT: u32 = RANGE / SLOTS;
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
    let id = if busy { one_off() } else { tab_id().await };
    (id, Live(token))
}

/// An id for a session that cannot share the tab's: the slot's next, which the tab then
/// writes under from now on (the live session keeps the one it has).
fn one_off() -> u32 {
    TAB.with_borrow_mut(|tab| match tab.slot.flatten() {
        Some(slot) => {
            let id = retire_slot(slot);
            tab.id = Some(id);
            id
        }
        None => fresh_client_id(),
    })
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

/// A plan came back from a file: a fresh range, so every slot's id is retired, and every
/// tab takes its slot's id in the new range for the sessions it opens next.
pub fn retire_everywhere() {
    if let Some(store) = local_storage() {
        new_range(&store);
    }
    TAB.with_borrow_mut(|tab| {
        tab.id = None;
        if let Some(channel) = &tab.channel {
            let _ = channel.post_message(&"retired".into());
        }
    });
}

/// Slot `slot`'s id: the one it has in the current range, or its part's first.
pub fn slot_id(slot: u32) -> u32 {
    let Some((store, start)) = range() else {
        return fresh_client_id();
    };
    let part = slot_part(start, slot);
    match read_number(&store, &slot_key(slot)).filter(|id| part.contains(id)) {
        Some(id) => id,
        None => {
            let _ = store.set_item(&slot_key(slot), &part.start.to_string());
            part.start
        }
    }
}

/// Retires slot `slot`'s id and returns the next of its part (starting a fresh range when
/// the part is used up). Only the tab holding the slot may call this.
pub fn retire_slot(slot: u32) -> u32 {
    let current = slot_id(slot);
    let Some((store, start)) = range() else {
        return fresh_client_id();
    };
    let next = current.wrapping_add(1);
    let id = if slot_part(start, slot).contains(&next) {
        next
    } else {
        slot_part(new_range(&store), slot).start
    };
    let _ = store.set_item(&slot_key(slot), &id.to_string());
    id
}

/// The first id of this phone's range (a multiple of [`RANGE`], never 0), made when
/// first asked.
pub fn range_start() -> Option<u32> {
    range().map(|(_, start)| start)
}

fn range() -> Option<(web_sys::Storage, u32)> {
    let store = local_storage()?;
    let start = match read_number(&store, RANGE_KEY).filter(|s| whole_range(*s)) {
        Some(start) => start,
        None => new_range(&store),
    };
    Some((store, start))
}

fn slot_part(start: u32, slot: u32) -> std::ops::Range<u32> {
    let first = start + slot * PER_SLOT;
    first..first + PER_SLOT
}

/// Starts a fresh random range and returns its first id.
fn new_range(store: &web_sys::Storage) -> u32 {
    let start = loop {
        let start = fresh_client_id() & !(RANGE - 1);
        if whole_range(start) {
            break start;
        }
    };
    let _ = store.set_item(RANGE_KEY, &start.to_string());
    start
}

/// Whether a range can start at `start`: a multiple of [`RANGE`], never 0, and with all its
/// ids below 2^32.
fn whole_range(start: u32) -> bool {
    start != 0 && start.is_multiple_of(RANGE) && start.checked_add(RANGE).is_some()
}

const RANGE_KEY: &str = "coplan:writer-range";

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
            None => fresh_client_id(),
        })
    })
}

fn slot_key(slot: u32) -> String {
    format!("coplan:writer:{slot}")
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
