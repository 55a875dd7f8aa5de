//! The stored snapshot's framing (`coplan_domain::plan::snapshot`), pinned: what the
//! phone wrote yesterday must read tomorrow.

use std::io::{Read, Write};

use coplan_domain::plan::snapshot::{self, DEFLATED, Snapshot, SnapshotError};
use coplan_domain::plan::workload::{mixed, plain_typing};
use coplan_domain::plan::{SectionDoc, SectionKind};
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

/// DEFLATE as the browser's `CompressionStream("deflate-raw")` writes it (zlib's default
/// level, no header).
fn deflate_raw(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// The safety plan state pinned in `plan_section.rs`.
const PINNED_SAFETY_PLAN: &str = "0108010007010f6c2e7761726e696e675f7369676e73012800010002696401770277312800010003706f73017c0000000028000100026174017c3f8000002700010006702e7465787402040001040c6e6f7420736c656570696e672801046d65746106736368656d61017c3f8000002801046d6574611268696464656e2e73616665725f706c616365017800";

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn the_deflated_format_is_pinned() {
    assert_eq!(DEFLATED, 1);
    assert_eq!(snapshot::deflated(&[9, 8, 7]), [0, b'C', b'Z', 1, 9, 8, 7]);
    assert_eq!(
        snapshot::read(&[0, b'C', b'Z', 1, 9, 8, 7]),
        Ok(Snapshot::Deflated(&[9, 8, 7]))
    );
}

#[test]
fn plain_states_written_before_compression_still_read_as_plain() {
    let empty = SectionDoc::new(SectionKind::SafetyPlan, 1).encode_state();
    assert_eq!(empty, [0, 0]);
    let mut states = vec![empty];
    states.extend(mixed(3).states.into_iter().map(|(_, state)| state));
    states.extend(plain_typing(200).states.into_iter().map(|(_, state)| state));
    // Sections stored by earlier builds (`plan_section.rs` opens the same fixture).
    let fixture = include_str!("fixtures/sections-stamped-v1.txt");
    for line in fixture.lines().filter(|line| !line.starts_with('#')) {
        let hex = line.split_once(' ').unwrap().1;
        states.push(self::hex(hex));
    }
    states.push(hex(PINNED_SAFETY_PLAN));
    for state in &states {
        assert_eq!(snapshot::read(state), Ok(Snapshot::Plain(state)));
    }
}

#[test]
fn a_deflated_snapshot_inflates_to_the_state_it_was_made_from() {
    for (kind, state) in mixed(5).states {
        let stored = snapshot::deflated(&deflate_raw(&state));
        assert!(stored.len() < state.len(), "{kind:?}: {}", stored.len());
        let Ok(Snapshot::Deflated(raw)) = snapshot::read(&stored) else {
            panic!("{kind:?} did not read as deflated");
        };
        let mut inflated = Vec::new();
        DeflateDecoder::new(raw).read_to_end(&mut inflated).unwrap();
        assert_eq!(inflated, state);
        let doc = SectionDoc::load(kind, 5, &inflated).unwrap();
        assert_eq!(doc.encode_state(), state);
    }
}

#[test]
fn a_newer_or_cut_short_snapshot_is_refused_not_misread() {
    assert_eq!(
        snapshot::read(&[0, b'C', b'Z', 2, 1]),
        Err(SnapshotError::NewerFormat { found: 2 })
    );
    assert_eq!(
        snapshot::read(&[0, b'C', b'Z']),
        Err(SnapshotError::Damaged)
    );
    assert_eq!(
        snapshot::read(&[0, b'C', b'Z', 0, 1]),
        Err(SnapshotError::Damaged)
    );
}
