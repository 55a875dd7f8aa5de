//! A phone's sync record, version 3 (4 for a shared plan, 5 with suggestions, 6 past key
//! epoch 0), pinned: written exactly so, read back the same,
//! version 1 and 2 records still read, a newer or damaged one refused plainly.

use coplan_domain::sync::compaction::Tail;
use coplan_domain::sync::outgoing::Sent;
use coplan_domain::sync::record::{PlanSync, SectionSync, SuggestionsSync, SyncRecordError};
use coplan_domain::sync::{DocumentSync, Waiting};

const PINNED: &str = r#"{"v":3,"request":"AQEBAQEBAQEBAQEBAQEBAQ","plan":"AgICAgICAgICAgICAgICAg","keys_stored":true,"documents":[{"section":"about_me","document":"AwMDAwMDAwMDAwMDAwMDAw","device":"BAQEBAQEBAQEBAQEBAQEBA","key":"BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU","sent":"AQIDBA","sent_deleted":12,"log_id":"log-1","cursor":7,"next_counter":3,"outbox":[{"counter":2,"payload":"CQk","sealed":"CgoK"}],"send_whole_state":false,"held":["Bwc"],"tail":{"changes":4,"bytes":900,"snapshot_bytes":3000,"unopened":6,"due":true,"checked_seq":3,"checked_covers":2}}]}"#;

fn record() -> PlanSync {
    let mut engine = DocumentSync::new([3; 16], [4; 16]);
    engine.log_id = Some("log-1".into());
    engine.cursor = 7;
    engine.next_counter = 3;
    engine.tail = Tail {
        changes: 4,
        bytes: 900,
        snapshot_bytes: 3000,
        unopened: 6,
        due: true,
        checked_seq: 3,
        checked_covers: 2,
    };
    engine.queue(
        2,
        Waiting {
            payload: vec![9, 9],
            sealed: vec![10, 10, 10],
        },
    );
    PlanSync {
        request: [1; 16],
        plan: Some([2; 16]),
        person: None,
        keys_stored: true,
        documents: vec![SectionSync {
            section: "about_me".into(),
            key: [5; 32],
            epoch: 0,
            earlier: Vec::new(),
            sent: Some(Sent {
                state_vector: vec![1, 2, 3, 4],
                deleted: 12,
            }),
            held: vec![vec![7, 7]],
            engine,
        }],
        suggestions: Vec::new(),
    }
}

#[test]
fn a_sync_record_is_written_exactly_as_version_3_and_reads_back() {
    assert_eq!(record().to_stored(), PINNED);
    assert_eq!(PlanSync::from_stored(PINNED), Ok(record()));
}

/// A plan shared with this account keeps the person's key, pinned in the room: version 4,
/// which only a build that knows it reads (an older build refuses it as newer, plainly).
#[test]
fn a_shared_plans_record_is_version_4_with_the_persons_key_and_reads_back() {
    let mut shared = record();
    shared.person = Some([6; 32]);
    let written = PINNED.replace(r#""v":3"#, r#""v":4"#).replace(
        r#""plan":"AgICAgICAgICAgICAgICAg","#,
        r#""plan":"AgICAgICAgICAgICAgICAg","person":"BgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgY","#,
    );
    assert_eq!(shared.to_stored(), written);
    assert_eq!(PlanSync::from_stored(&written), Ok(shared));
}

/// Version 2 had no tail: it reads as an empty one (the first snapshot comes later).
#[test]
fn a_version_2_record_still_reads() {
    let version_2 = PINNED.replace(r#""v":3"#, r#""v":2"#).replace(
        r#","tail":{"changes":4,"bytes":900,"snapshot_bytes":3000,"unopened":6,"due":true,"checked_seq":3,"checked_covers":2}"#,
        "",
    );
    let mut expected = record();
    expected.documents[0].engine.tail = Tail::default();
    assert_eq!(PlanSync::from_stored(&version_2), Ok(expected));
}

/// Version 1 had no count of deleted items and no held changes: it reads as none.
#[test]
fn a_version_1_record_still_reads() {
    let version_1 = PINNED
        .replace(r#""v":3"#, r#""v":1"#)
        .replace(
            r#","tail":{"changes":4,"bytes":900,"snapshot_bytes":3000,"unopened":6,"due":true,"checked_seq":3,"checked_covers":2}"#,
            "",
        )
        .replace(r#","sent_deleted":12"#, "")
        .replace(r#","held":["Bwc"]"#, "");
    let mut expected = record();
    expected.documents[0].sent.as_mut().unwrap().deleted = 0;
    expected.documents[0].held.clear();
    expected.documents[0].engine.tail = Tail::default();
    assert_eq!(PlanSync::from_stored(&version_1), Ok(expected));
}

#[test]
fn a_record_before_the_plan_is_attached_reads_back() {
    let waiting = PlanSync {
        request: [1; 16],
        plan: None,
        person: None,
        keys_stored: false,
        documents: Vec::new(),
        suggestions: Vec::new(),
    };
    assert_eq!(PlanSync::from_stored(&waiting.to_stored()), Ok(waiting));
}

#[test]
fn a_plan_left_on_this_phone_keeps_only_its_server_id_and_reads_back_left() {
    let mut left = record();
    assert!(!left.is_left());
    left.leave();
    assert!(left.is_left());
    let stored = left.to_stored();
    assert!(!stored.contains("BQUFBQUF"), "the section key is forgotten");
    assert_eq!(
        stored,
        r#"{"v":3,"request":"AQEBAQEBAQEBAQEBAQEBAQ","plan":"AgICAgICAgICAgICAgICAg","keys_stored":true,"documents":[]}"#
    );
    let read = PlanSync::from_stored(&stored).unwrap();
    assert!(read.is_left());
    assert_eq!(read.plan, Some([2; 16]));
    // A record waiting for its plan to be attached is not left.
    let waiting = PlanSync {
        request: [1; 16],
        plan: None,
        person: None,
        keys_stored: false,
        documents: Vec::new(),
        suggestions: Vec::new(),
    };
    assert!(!waiting.is_left());
}

#[test]
fn a_newer_or_damaged_record_is_refused_plainly() {
    let newer = PINNED.replace(r#""v":3"#, r#""v":7"#);
    assert_eq!(
        PlanSync::from_stored(&newer),
        Err(SyncRecordError::Newer { found: 7 })
    );
    let damaged = PINNED.replace(r#""cursor":7"#, r#""cursor":"7""#);
    assert_eq!(
        PlanSync::from_stored(&damaged),
        Err(SyncRecordError::Damaged)
    );
}

#[test]
fn ids_read_back_as_the_server_writes_them_and_nothing_else() {
    use coplan_domain::sync::{id_from_hex, id_to_hex};
    let id: [u8; 16] = std::array::from_fn(|i| (i * 17) as u8);
    assert_eq!(id_to_hex(&id), "00112233445566778899aabbccddeeff");
    assert_eq!(id_from_hex(&id_to_hex(&id)), Some(id));
    for bad in [
        "",
        "0011",
        "00112233445566778899aabbccddeeffaa",
        "zz112233445566778899aabbccddeeff",
        "00112233445566778899aabbccddeeé",
        "00112233445566778899AABBCCDDEEFF",
        "+0112233445566778899aabbccddeeff",
    ] {
        assert_eq!(id_from_hex(bad), None, "{bad}");
    }
}

/// A plan with members' suggestions documents: version 5, each with its member, its whole
/// state (absent while empty) and its sync; leaving the plan forgets them too.
#[test]
fn a_record_with_suggestions_documents_is_version_5_and_reads_back() {
    let mut with = record();
    let mut sync = record().documents[0].clone();
    sync.engine.document = [8; 16];
    with.suggestions = vec![
        SuggestionsSync {
            member: [7; 32],
            state: vec![1, 2, 3],
            sync: sync.clone(),
        },
        SuggestionsSync {
            member: [9; 32],
            state: Vec::new(),
            sync,
        },
    ];
    let stored = with.to_stored();
    let section = &PINNED[PINNED.find(r#"{"section""#).unwrap()..PINNED.len() - 2]
        .replace("AwMDAwMDAwMDAwMDAwMDAw", "CAgICAgICAgICAgICAgICA");
    let written = PINNED.replace(r#""v":3"#, r#""v":5"#).replacen(
        "}]}",
        &format!(
            r#"}}],"suggestions":[{{"member":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc","state":"AQID","document":{section}}},{{"member":"CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk","document":{section}}}]}}"#
        ),
        1,
    );
    assert_eq!(stored, written);
    assert_eq!(PlanSync::from_stored(&stored), Ok(with.clone()));
    with.leave();
    assert!(with.suggestions.is_empty());
    assert!(!with.to_stored().contains("AQID"));
}

/// A document past key epoch 0 (someone who could read it was removed): version 6, with
/// its epoch and the keys of the epochs before, oldest first, each still found by its
/// epoch; a document still at epoch 0 is written as before.
#[test]
fn a_record_past_epoch_0_is_version_6_with_earlier_keys_and_reads_back() {
    let mut moved = record();
    moved.documents[0].next_epoch([11; 32]);
    moved.documents[0].next_epoch([12; 32]);
    let section = &moved.documents[0];
    assert_eq!(section.epoch, 2);
    assert_eq!(section.key_at(0), Some(&[5; 32]));
    assert_eq!(section.key_at(1), Some(&[11; 32]));
    assert_eq!(section.key_at(2), Some(&[12; 32]));
    assert_eq!(section.key_at(3), None);
    let written = PINNED.replace(r#""v":3"#, r#""v":6"#).replace(
        r#""key":"BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU","#,
        r#""key":"DAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw","epoch":2,"earlier":[{"epoch":0,"key":"BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU"},{"epoch":1,"key":"CwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCws"}],"#,
    );
    assert_eq!(moved.to_stored(), written);
    assert_eq!(PlanSync::from_stored(&written), Ok(moved));
}
