//! What a section costs to keep: the budgets for stored bytes per keystroke (PRODUCT.md),
//! and a section this phone wrote opens whatever its size.

use coplan_domain::plan::workload::{mixed, plain_typing, written_per_keystroke};
use coplan_domain::plan::{
    AuthorId, Edit, ItemId, MAX_UPDATE_BYTES, PlanError, SectionDoc, SectionKind, Stamp,
};

#[test]
fn plain_typing_stores_at_most_two_bytes_a_keystroke_once_compacted() {
    let stored = plain_typing(5_000);
    // Within budget even before compression.
    assert!(
        stored.per_keystroke() <= 2.0,
        "{} bytes for {} keystrokes",
        stored.bytes(),
        stored.keystrokes
    );
    assert!(kept_bytes(&stored) <= stored.bytes());
}

#[test]
fn months_of_mixed_editing_store_at_most_four_bytes_a_keystroke_once_compacted() {
    let stored = mixed(50);
    assert!(stored.keystrokes > 10_000, "{}", stored.keystrokes);
    let kept = kept_bytes(&stored);
    assert!(
        kept as f64 / stored.keystrokes as f64 <= 4.0,
        "{kept} bytes kept for {} keystrokes ({} before compression)",
        stored.keystrokes,
        stored.bytes()
    );
}

/// What the phone keeps for these states once compacted: each deflated as the browser's
/// `CompressionStream("deflate-raw")` does it (zlib's default level), in the snapshot
/// framing. The browser test `months_of_mixed_editing_store_at_most_four_bytes…` in
/// `tests/storage.rs` measures the real thing.
fn kept_bytes(stored: &coplan_domain::plan::workload::Stored) -> usize {
    use std::io::Write;
    stored
        .states
        .iter()
        .map(|(_, state)| {
            let mut encoder =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(state).unwrap();
            coplan_domain::plan::snapshot::deflated(&encoder.finish().unwrap()).len()
        })
        .sum()
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
