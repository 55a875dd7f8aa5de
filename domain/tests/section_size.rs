//! What a section costs to keep: the budgets for stored bytes per keystroke (PRODUCT.md),
//! and a section this phone wrote opens whatever its size.

use coplan_domain::plan::workload::{mixed, plain_typing, written_per_keystroke};
use coplan_domain::plan::{
    AuthorId, Edit, ItemId, MAX_UPDATE_BYTES, PlanError, SectionDoc, SectionKind, Stamp,
};

#[test]
fn plain_typing_stores_at_most_two_bytes_a_keystroke_once_compacted() {
    let stored = plain_typing(5_000);
    assert!(
        stored.per_keystroke() <= 2.0,
        "{} bytes for {} keystrokes",
        stored.bytes(),
        stored.keystrokes
    );
}

/// The budget is 4 bytes a keystroke (PRODUCT.md) and it is not met yet: with the
/// stamps gone this workload stores 6.07 (check-ins cost about 370 bytes each in Yrs's
/// version 1 encoding; typing with corrections about 3.6 a letter). The same states in
/// Yrs's version 2 encoding measure 4.23; storing snapshots that way changes what a record
/// means, so it waits for the database version bump that old tabs survive (review 1.4).
/// Until then this holds the line where it is.
const MIXED_CEILING: f64 = 6.2;

#[test]
fn months_of_mixed_editing_stay_within_what_they_store_today() {
    let stored = mixed(50);
    assert!(stored.keystrokes > 10_000, "{}", stored.keystrokes);
    assert!(
        stored.per_keystroke() <= MIXED_CEILING,
        "{} bytes for {} keystrokes",
        stored.bytes(),
        stored.keystrokes
    );
}

#[test]
fn a_keystroke_writes_as_much_in_an_old_section_as_in_a_new_one() {
    let young = written_per_keystroke(100, 200);
    let old = written_per_keystroke(20_000, 200);
    assert!(
        (old - young).abs() <= young * 0.1,
        "young {young:.1} bytes, old {old:.1} bytes a keystroke"
    );
}

/// The 1 MiB cap is for what arrives from elsewhere (a file, another tab, later another
/// phone). The phone's own sealed state opens whatever its size: refusing it would hide
/// every word in the section, the safety plan included.
#[test]
fn a_section_this_phone_wrote_opens_even_past_the_cap_for_incoming_updates() {
    let doc = SectionDoc::new(SectionKind::CheckIns, 77);
    let stamp = Stamp {
        author: AuthorId::parse("phone-1").unwrap(),
        at_ms: 1,
    };
    // A thousand check-ins with full notes, in letters that take four bytes each.
    let note: String = "\u{1F33F}".repeat(500);
    for n in 0..1_000 {
        let id = ItemId::parse(&format!("c{n}")).unwrap();
        doc.apply(
            &Edit::AddItem {
                list: "check_ins",
                id: id.clone(),
                parts: vec![("note", note.clone())],
            },
            &stamp,
        )
        .unwrap();
    }
    let state = doc.encode_state();
    assert!(state.len() > MAX_UPDATE_BYTES, "{}", state.len());

    let opened = SectionDoc::load(SectionKind::CheckIns, 78, &state).unwrap();
    assert_eq!(opened.view().lists["check_ins"].items.len(), 1_000);
    // The same bytes from elsewhere are still refused, and change nothing.
    let other = SectionDoc::new(SectionKind::CheckIns, 79);
    assert_eq!(other.apply_update(&state), Err(PlanError::BadUpdate));
    assert!(other.view().lists["check_ins"].items.is_empty());
}
