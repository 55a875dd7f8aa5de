//! The history store's entry and a change's payload, version 1, pinned: written exactly
//! so, read back the same, a newer or damaged entry refused plainly.

use coplan_domain::sync::history::{
    HistoryEntry, HistoryError, change_payload, read_change_payload,
};

#[test]
fn a_history_entry_is_written_exactly_as_version_1_and_reads_back() {
    let entry = HistoryEntry {
        seq: 0x0102,
        received_ms: 1_764_800_000_000,
        envelope: vec![0xce, 0x01, 0xee],
    };
    let stored = entry.to_stored();
    assert_eq!(
        stored,
        [
            1, // version
            0, 0, 0, 0, 0, 0, 1, 2, // log number
            0, 0, 0x01, 0x9a, 0xe6, 0x46, 0xf0, 0x00, // received, ms
            0xce, 0x01, 0xee, // the envelope
        ]
    );
    assert_eq!(HistoryEntry::from_stored(&stored), Ok(entry));
}

#[test]
fn a_newer_or_damaged_history_entry_is_refused_plainly() {
    let mut newer = HistoryEntry {
        seq: 1,
        received_ms: 2,
        envelope: vec![3],
    }
    .to_stored();
    newer[0] = 2;
    assert_eq!(
        HistoryEntry::from_stored(&newer),
        Err(HistoryError::Newer { found: 2 })
    );
    for damaged in [&[][..], &[1, 0, 0][..], &[0; 20][..]] {
        assert_eq!(
            HistoryEntry::from_stored(damaged),
            Err(HistoryError::Damaged)
        );
    }
}

#[test]
fn a_change_payload_carries_its_written_time_then_the_update() {
    let payload = change_payload(0x0a0b, b"yrs");
    assert_eq!(payload, [0, 0, 0, 0, 0, 0, 0x0a, 0x0b, b'y', b'r', b's']);
    assert_eq!(read_change_payload(&payload), Some((0x0a0b, &b"yrs"[..])));
    assert_eq!(read_change_payload(&payload[..7]), None);
}
