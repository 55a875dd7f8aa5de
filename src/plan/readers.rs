//! Who can see and change each part of the open plan, in words (issue 14 item 6): worked
//! out by the account part's sync after each round, from the verified membership log
//! (and, on the person's phone, the members' usernames), and shown above the fields of
//! every writing screen, so the person knows at the moment of writing who will read it.
//! Kept in this tab's memory, and sealed beside the plan's sync record (never in site
//! storage: the lines hold names), so a screen opened offline, before any round, says
//! what the last round worked out.

use std::cell::RefCell;
use std::collections::BTreeMap;

use coplan_domain::plan::SectionKind;
use leptos::prelude::*;

thread_local! {
    static LINES: RefCell<BTreeMap<SectionKind, String>> = const { RefCell::new(BTreeMap::new()) };
    static CHANGED: ArcRwSignal<u32> = ArcRwSignal::new(0);
}

/// The open plan's lines, each part's (an empty map: none known, say nothing). Whether
/// they changed.
pub fn set(lines: BTreeMap<SectionKind, String>) -> bool {
    let same = LINES.with_borrow(|now| *now == lines);
    if !same {
        LINES.set(lines);
        CHANGED.with(|changed| changed.update(|n| *n = n.wrapping_add(1)));
    }
    !same
}

/// Whether any line is known in this tab.
pub fn known() -> bool {
    LINES.with_borrow(|lines| !lines.is_empty())
}

/// The line for `kind` of the open plan, if known; tracked, so a screen shows a new one.
pub fn line(kind: SectionKind) -> Option<String> {
    CHANGED.with(|changed| changed.track());
    LINES.with_borrow(|lines| lines.get(&kind).cloned())
}
