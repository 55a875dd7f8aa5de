//! Whether each part of the open plan is agreed, in words (issue 15 item 2): worked out by
//! the account part after each round of sync, and shown on the part's writing screen as a
//! link to where it is marked agreed ("Agreed by you and Sam on 3 May", "Changed since
//! …"). Kept in this tab's memory only: until a round has judged the marks against the
//! membership log, nothing is said.

use std::cell::RefCell;
use std::collections::BTreeMap;

use coplan_domain::plan::SectionKind;
use leptos::prelude::*;

thread_local! {
    static LINES: RefCell<BTreeMap<SectionKind, String>> = const { RefCell::new(BTreeMap::new()) };
    static CHANGED: ArcRwSignal<u32> = ArcRwSignal::new(0);
}

/// The open plan's lines, for the parts that can be agreed (an empty map: say nothing).
pub fn set(lines: BTreeMap<SectionKind, String>) {
    if LINES.with_borrow(|now| *now != lines) {
        LINES.set(lines);
        CHANGED.with(|changed| changed.update(|n| *n = n.wrapping_add(1)));
    }
}

/// The line for `kind`, if known; tracked, so a screen shows a new one.
pub fn line(kind: SectionKind) -> Option<String> {
    CHANGED.with(|changed| changed.track());
    LINES.with_borrow(|lines| lines.get(&kind).cloned())
}
