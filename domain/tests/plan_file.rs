//! A plan saved as a file and loaded back: what goes in comes out, a damaged, foreign,
//! oversized or newer file is refused before anything is stored, and a file saved by
//! version 1 (the committed fixture) keeps loading.

use coplan_domain::PlanId;
use coplan_domain::plan::file::{FileError, LockedFile, PlanFile};
use coplan_domain::plan::{
    AuthorId, Edit, ItemId, MAX_UPDATE_BYTES, SectionDoc, SectionKind, Stamp,
};

/// Saved once by version 1 and committed; read at run time, so it can be made by
/// [`make_the_version_1_fixture`] before this file compiles against it.
const FIXTURE_V1: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/plan-file-v1.json"
);

fn stamp(at_ms: u64) -> Stamp {
    Stamp {
        author: AuthorId::parse("person-1").unwrap(),
        at_ms,
    }
}

fn set_field(doc: &SectionDoc, field: &'static str, text: &str) {
    let edit = Edit::SetField {
        field,
        text: text.into(),
    };
    doc.apply(&edit, &stamp(1_700_000_000_500)).unwrap();
}

fn add(doc: &SectionDoc, list: &'static str, id: &str, parts: &[(&'static str, &str)]) {
    let edit = Edit::AddItem {
        list,
        id: ItemId::parse(id).unwrap(),
        parts: parts.iter().map(|(p, t)| (*p, t.to_string())).collect(),
    };
    doc.apply(&edit, &stamp(1_700_000_001_000)).unwrap();
}

/// The plan in the committed fixture: About me "called" Sam, and a safety plan whose
/// reason for living is the sea.
fn fixture_plan() -> PlanFile {
    let about_me = SectionDoc::new(SectionKind::AboutMe, 7);
    set_field(&about_me, "called", "Sam");
    let safety_plan = SectionDoc::new(SectionKind::SafetyPlan, 7);
    add(
        &safety_plan,
        "warning_signs",
        "w1",
        &[("text", "not sleeping")],
    );
    add(
        &safety_plan,
        "reasons_for_living",
        "r1",
        &[("text", "the sea")],
    );
    PlanFile {
        plan_id: PlanId::parse("plan-1").unwrap(),
        created_at_ms: 1_700_000_000_000,
        exported_at_ms: 1_764_000_000_000,
        sections: vec![
            (SectionKind::AboutMe, about_me.encode_state()),
            (SectionKind::SafetyPlan, safety_plan.encode_state()),
        ],
    }
}

fn parse_str(text: &str) -> Result<PlanFile, FileError> {
    PlanFile::parse(text.as_bytes())
}

/// Where the base64 of one section sits in a file's bytes.
fn payload_range(bytes: &[u8], key: &str) -> std::ops::Range<usize> {
    let text = std::str::from_utf8(bytes).unwrap();
    let start = text.find(&format!("\"{key}\": \"")).unwrap() + key.len() + 5;
    start..start + text[start..].find('"').unwrap()
}

#[test]
fn a_plan_reads_back_exactly_as_it_was_saved() {
    let about_me = SectionDoc::new(SectionKind::AboutMe, 21);
    set_field(&about_me, "called", "Sam");
    set_field(&about_me, "pronouns", "they/them");
    add(&about_me, "strengths", "s1", &[("text", "I keep going")]);
    let safety_plan = SectionDoc::new(SectionKind::SafetyPlan, 21);
    add(
        &safety_plan,
        "reasons_for_living",
        "r1",
        &[("text", "the sea")],
    );
    add(
        &safety_plan,
        "ask_for_help",
        "mum",
        &[("name", "Mum"), ("phone", "07700 900123")],
    );
    let hide = Edit::SetHidden {
        list: "safer_place",
        hidden: true,
    };
    safety_plan.apply(&hide, &stamp(5)).unwrap();
    let crisis_wishes = SectionDoc::new(SectionKind::CrisisWishes, 21);
    set_field(
        &crisis_wishes,
        "treatment_preferences",
        "Talk to me first — café ☕",
    );

    let file = PlanFile {
        plan_id: PlanId::parse("plan-42").unwrap(),
        created_at_ms: 1_700_000_000_000,
        exported_at_ms: 1_764_000_000_000,
        // Not in the order a file keeps them.
        sections: vec![
            (SectionKind::SafetyPlan, safety_plan.encode_state()),
            (SectionKind::CrisisWishes, crisis_wishes.encode_state()),
            (SectionKind::AboutMe, about_me.encode_state()),
        ],
    };
    let bytes = file.to_bytes();
    let read = PlanFile::parse(&bytes).unwrap();

    assert_eq!(read.plan_id.as_str(), "plan-42");
    assert_eq!(read.created_at_ms, 1_700_000_000_000);
    assert_eq!(read.exported_at_ms, 1_764_000_000_000);
    let kinds: Vec<SectionKind> = read.sections.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(
        kinds,
        [
            SectionKind::AboutMe,
            SectionKind::SafetyPlan,
            SectionKind::CrisisWishes
        ]
    );
    for original in [&about_me, &safety_plan, &crisis_wishes] {
        let (kind, state) = (read.sections.iter())
            .find(|(kind, _)| *kind == original.kind())
            .unwrap();
        assert_eq!(state, &original.encode_state(), "{kind:?}");
        let loaded = SectionDoc::load(*kind, 99, state).unwrap();
        assert_eq!(loaded.view(), original.view(), "{kind:?}");
    }
    assert_eq!(
        read.to_bytes(),
        bytes,
        "saving a loaded file again changes nothing"
    );
}

/// If this fails, the written format changed: a file saved before must still load, so
/// keep reading version 1 and write a new version number.
#[test]
fn the_written_bytes_are_pinned() {
    let empty = SectionDoc::new(SectionKind::CheckIns, 1).encode_state();
    let file = PlanFile {
        plan_id: PlanId::parse("plan-1").unwrap(),
        created_at_ms: 1_700_000_000_000,
        exported_at_ms: 1_764_000_000_000,
        sections: vec![
            (SectionKind::CheckIns, empty.clone()),
            (SectionKind::AboutMe, vec![0xfb, 0xff]),
            (SectionKind::AboutMe, vec![1]),
        ],
    };
    let expected = r#"{
  "format": "coplan-plan",
  "version": 1,
  "plan": {
    "id": "plan-1",
    "created_at_ms": 1700000000000
  },
  "exported_at_ms": 1764000000000,
  "sections": {
    "about_me": "+/8=",
    "check_ins": "AAA="
  }
}
"#;
    assert_eq!(String::from_utf8(file.to_bytes()).unwrap(), expected);
}

#[test]
fn the_version_1_fixture_still_loads() {
    let file = PlanFile::parse(&std::fs::read(FIXTURE_V1).unwrap()).unwrap();
    assert_eq!(file.plan_id.as_str(), "plan-1");
    assert_eq!(file.created_at_ms, 1_700_000_000_000);
    assert_eq!(file.exported_at_ms, 1_764_000_000_000);
    // A neutral name: nothing in Downloads says what the file is or whose.
    assert_eq!(file.suggested_file_name(), "notes-2025-11-24.json");
    let kinds: Vec<SectionKind> = file.sections.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(kinds, [SectionKind::AboutMe, SectionKind::SafetyPlan]);

    let about_me = SectionDoc::load(SectionKind::AboutMe, 3, &file.sections[0].1).unwrap();
    let called = &about_me.view().fields["called"];
    assert_eq!(called.text, "Sam");

    let safety_plan = SectionDoc::load(SectionKind::SafetyPlan, 3, &file.sections[1].1).unwrap();
    let view = safety_plan.view();
    let reasons = &view.lists["reasons_for_living"].items;
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].id, "r1");
    assert_eq!(reasons[0].part("text"), "the sea");
    assert_eq!(reasons[0].added_at_ms, 1_700_000_001_000);
    assert_eq!(
        view.lists["warning_signs"].items[0].part("text"),
        "not sleeping"
    );
}

/// Run once, by hand, to make the fixture; it never overwrites it, because a fixture
/// regenerated by the code under test would prove nothing.
#[test]
#[ignore = "made the version 1 fixture once; never regenerated"]
fn make_the_version_1_fixture() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/plan-file-v1.json"
    );
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path);
    match created {
        Ok(mut out) => std::io::Write::write_all(&mut out, &fixture_plan().to_bytes()).unwrap(),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!("{path} exists and is kept as it is");
        }
        Err(e) => panic!("{path}: {e}"),
    }
}

#[test]
fn a_file_cut_short_anywhere_is_refused_as_damaged() {
    let bytes = fixture_plan().to_bytes();
    let whole = bytes.trim_ascii_end().len();
    for length in 0..whole {
        assert_eq!(
            PlanFile::parse(&bytes[..length]),
            Err(FileError::Damaged),
            "cut to {length} of {whole} bytes"
        );
    }
}

/// Never a panic, and never a plan that will not load: each letter of each section's
/// base64 is changed in two ways (the next letter, and the letter whose top bit differs).
#[test]
fn a_changed_letter_in_a_section_is_refused_or_still_loads() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let original = fixture_plan();
    let bytes = original.to_bytes();
    let mut refused = 0;
    for (section, key) in ["about_me", "safety_plan"].into_iter().enumerate() {
        let payload = payload_range(&bytes, key);
        for at in payload.clone().filter(|&at| bytes[at] != b'=') {
            let index = ALPHABET.iter().position(|&c| c == bytes[at]).unwrap();
            for other in [(index + 1) % 64, index ^ 32] {
                let mut changed = bytes.clone();
                changed[at] = ALPHABET[other];
                match PlanFile::parse(&changed) {
                    // A changed letter in the stored schema number (1) could make it read
                    // as a later schema (2, 4, …), which no reader can tell from a real one.
                    Err(FileError::Damaged | FileError::NewerVersion { found: 2..=65_536 }) => {
                        refused += 1;
                    }
                    Err(error) => panic!("{key} letter {at}: {error:?}"),
                    Ok(read) => {
                        let untouched = 1 - section;
                        assert_eq!(read.sections[untouched], original.sections[untouched]);
                        for (kind, state) in &read.sections {
                            assert!(SectionDoc::load(*kind, 5, state).is_ok(), "{key} {at}");
                        }
                    }
                }
            }
        }
        for at in [payload.start, payload.start + payload.len() / 2] {
            let mut changed = bytes.clone();
            changed[at] = b'!';
            assert_eq!(PlanFile::parse(&changed), Err(FileError::Damaged));
        }
    }
    // Most letters carry words, which may change without breaking the document; for this
    // plan some carry its structure, and those must be refused.
    assert!(refused > 0);
}

#[test]
fn a_section_that_is_not_a_section_is_refused() {
    let good = fixture_plan();
    let with_safety_plan = |state: Vec<u8>| {
        let mut file = good.clone();
        file.sections[1].1 = state;
        PlanFile::parse(&file.to_bytes())
    };
    assert_eq!(with_safety_plan(vec![0xff; 16]), Err(FileError::Damaged));
    let state = &good.sections[1].1;
    assert_eq!(
        with_safety_plan(state[..state.len() / 2].to_vec()),
        Err(FileError::Damaged)
    );
    assert_eq!(
        with_safety_plan(vec![0; MAX_UPDATE_BYTES + 1]),
        Err(FileError::Damaged)
    );
    assert!(with_safety_plan(state.clone()).is_ok());
}

#[test]
fn a_plan_from_a_newer_coplan_is_refused_plainly() {
    let newer = r#"{"format":"coplan-plan","version":2,"plan":"a shape not known yet"}"#;
    assert_eq!(parse_str(newer), Err(FileError::NewerVersion { found: 2 }));
    let far_newer = r#"{"format":"coplan-plan","version":4294967295}"#;
    assert_eq!(
        parse_str(far_newer),
        Err(FileError::NewerVersion { found: u32::MAX })
    );
    let not_a_version = r#"{"format":"coplan-plan","version":4294967296}"#;
    assert_eq!(parse_str(not_a_version), Err(FileError::Damaged));

    // A version 1 file holding a section written with a newer schema.
    let mut file = fixture_plan();
    file.sections[1].1 = {
        use yrs::updates::decoder::Decode;
        use yrs::{Doc, Map, ReadTxn, StateVector, Transact, Update, WriteTxn};
        let raw = Doc::with_client_id(12);
        let mut txn = raw.transact_mut();
        let update = Update::decode_v1(&file.sections[1].1).unwrap();
        txn.apply_update(update).unwrap();
        txn.get_or_insert_map("meta")
            .insert(&mut txn, "schema", 2.0);
        txn.encode_state_as_update_v1(&StateVector::default())
    };
    assert_eq!(
        PlanFile::parse(&file.to_bytes()),
        Err(FileError::NewerVersion { found: 2 })
    );
}

#[test]
fn other_files_are_not_a_plan() {
    let others: [&[u8]; 9] = [
        br#"{"hello":1}"#,
        b"[]",
        b"null",
        br#""coplan-plan""#,
        br#"[{"format":"coplan-plan","version":1}]"#,
        br#"{"format":"another-app","version":1}"#,
        br#"{"format":1}"#,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
        b"Dear Sam,\nsee you on Tuesday",
    ];
    for other in others {
        assert_eq!(
            PlanFile::parse(other),
            Err(FileError::NotAPlan),
            "{}",
            String::from_utf8_lossy(other)
        );
    }
}

#[test]
fn an_oversized_file_is_refused_before_it_is_read() {
    let mut bytes = fixture_plan().to_bytes();
    bytes.resize(PlanFile::MAX_FILE_BYTES, b' ');
    assert!(PlanFile::parse(&bytes).is_ok(), "the largest file allowed");
    bytes.push(b' ');
    assert_eq!(PlanFile::parse(&bytes), Err(FileError::TooLarge));
}

#[test]
fn a_wrong_name_id_or_shape_inside_a_plan_is_damage() {
    let good = String::from_utf8(fixture_plan().to_bytes()).unwrap();
    assert!(parse_str(&good).is_ok());
    let about_me = &good[payload_range(good.as_bytes(), "about_me")];
    let damaged = [
        good.replace("\"about_me\":", "\"about_you\":"),
        good.replace("\"plan-1\"", "\"plan 1<\""),
        good.replace("\"plan-1\"", "\"\""),
        good.replace(
            "\"sections\": {",
            &format!("\"sections\": {{\n    \"about_me\": \"{about_me}\","),
        ),
        good.replace(&format!("\"{about_me}\""), "[1, 2]"),
        good.replace("\"version\": 1", "\"version\": 0"),
        good.replace("\"version\": 1", "\"version\": \"1\""),
        good.replace("\"version\": 1", "\"version\": 1.5"),
        good.replace("\"exported_at_ms\": 1764000000000,", ""),
        good.replace("1764000000000", "-1"),
        r#"{"format":"coplan-plan","version":1}"#.to_string(),
        r#"{"format":"coplan-plan"}"#.to_string(),
        String::new(),
    ];
    for text in &damaged {
        assert_ne!(text, &good);
        assert_eq!(parse_str(text), Err(FileError::Damaged), "{text}");
    }
}

#[test]
fn sections_in_any_order_are_read_in_the_plan_order() {
    let bytes = fixture_plan().to_bytes();
    let payload = |key| &bytes[payload_range(&bytes, key)];
    let mut reordered = br#"{"format":"coplan-plan","version":1,"plan":{"id":"plan-1","created_at_ms":1700000000000},"exported_at_ms":1764000000000,"sections":{"safety_plan":""#.to_vec();
    reordered.extend_from_slice(payload("safety_plan"));
    reordered.extend_from_slice(br#"","about_me":""#);
    reordered.extend_from_slice(payload("about_me"));
    reordered.extend_from_slice(br#""}}"#);
    assert_eq!(PlanFile::parse(&reordered), Ok(fixture_plan()));
}

#[test]
fn a_byte_order_mark_added_by_an_editor_is_ignored() {
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend(fixture_plan().to_bytes());
    assert_eq!(PlanFile::parse(&bytes), Ok(fixture_plan()));
}

#[test]
fn the_suggested_file_name_is_the_day_it_was_saved_and_nothing_more() {
    let name = |exported_at_ms| {
        let mut file = fixture_plan();
        file.plan_id = PlanId::parse("k8Jq2x").unwrap();
        file.exported_at_ms = exported_at_ms;
        file.suggested_file_name()
    };
    assert_eq!(name(1_764_000_000_000), "notes-2025-11-24.json");
    assert_eq!(name(1_764_028_799_999), "notes-2025-11-24.json");
    assert_eq!(name(1_764_028_800_000), "notes-2025-11-25.json");
    assert_eq!(name(0), "notes-1970-01-01.json");
    assert_eq!(name(1_709_164_799_999), "notes-2024-02-28.json");
    assert_eq!(name(1_709_164_800_000), "notes-2024-02-29.json");
    assert_eq!(name(951_868_800_000), "notes-2000-03-01.json");
    assert_eq!(name(253_402_300_799_999), "notes-9999-12-31.json");
    let saved = name(1_764_000_000_000);
    for private in ["Sam", "k8Jq2x", "sea"] {
        assert!(!saved.contains(private), "{private}");
    }
}

#[test]
fn debug_output_shows_no_plan_text() {
    let shown = format!("{:?}", fixture_plan());
    assert!(shown.contains("safety_plan"), "{shown}");
    // Neither as letters nor as the list of numbers a byte vector prints as.
    let sam_as_numbers = format!("{:?}", b"Sam").replace(['[', ']'], "");
    assert!(
        !shown.contains("Sam") && !shown.contains(&sam_as_numbers),
        "{shown}"
    );
}

#[test]
fn a_locked_file_round_trips_and_a_plain_file_is_not_taken_for_one() {
    let locked = LockedFile {
        iterations: 600_000,
        salt: vec![9; 16],
        sealed: vec![0x43, 0x53, 1, 200, 0, 7],
    };
    let bytes = locked.to_bytes();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("\"format\": \"coplan-locked-plan\""),
        "{text}"
    );
    assert_eq!(LockedFile::parse(&bytes), Ok(Some(locked.clone())));
    assert_eq!(LockedFile::parse(&fixture_plan().to_bytes()), Ok(None));
    assert_eq!(LockedFile::parse(b"not json at all"), Ok(None));

    assert!(text.contains("\"version\": 2"), "{text}");
    // Version 1 (sealed before key ids) still opens; version 0 never existed.
    let v1 = text.replace("\"version\": 2", "\"version\": 1");
    assert_eq!(LockedFile::parse(v1.as_bytes()), Ok(Some(locked.clone())));
    let v0 = text.replace("\"version\": 2", "\"version\": 0");
    assert_eq!(LockedFile::parse(v0.as_bytes()), Err(FileError::Damaged));
    let newer = text.replace("\"version\": 2", "\"version\": 3");
    assert_eq!(
        LockedFile::parse(newer.as_bytes()),
        Err(FileError::NewerVersion { found: 3 })
    );
    let cut = text.replace("\"salt\": \"CQkJ", "\"salt\": \"CQk");
    assert_eq!(LockedFile::parse(cut.as_bytes()), Err(FileError::Damaged));
    let mut huge = bytes;
    huge.resize(LockedFile::MAX_FILE_BYTES + 1, b' ');
    assert_eq!(LockedFile::parse(&huge), Err(FileError::TooLarge));
}

/// Key derivation from a file's own count: a huge one would keep the phone busy for
/// hours, a tiny one makes the lock weak. Only counts Coplan writes are accepted.
#[test]
fn a_locked_file_with_a_key_derivation_count_out_of_range_is_refused() {
    for iterations in [1, 1_000, 100_000_000, u32::MAX] {
        let bytes = LockedFile {
            iterations,
            salt: vec![9; 16],
            sealed: vec![0x43, 0x53, 1, 200, 0, 7],
        }
        .to_bytes();
        assert_eq!(
            LockedFile::parse(&bytes),
            Err(FileError::Damaged),
            "{iterations}"
        );
    }
}

/// The checker's answers from its Web Worker read back as the same results, and an answer
/// nobody wrote counts as damaged.
#[test]
fn a_checks_verdict_reads_back_as_the_same_result() {
    use coplan_domain::plan::file::{check, from_verdict, verdict};
    for result in [
        Ok(()),
        Err(FileError::TooLarge),
        Err(FileError::NotAPlan),
        Err(FileError::NewerVersion { found: 7 }),
        Err(FileError::Damaged),
    ] {
        assert_eq!(from_verdict(&verdict(&result)), result);
    }
    assert_eq!(verdict(&Ok(())), "ok");
    assert_eq!(
        verdict(&Err(FileError::NewerVersion { found: 3 })),
        "newer-3"
    );
    for nonsense in ["", "OK", "newer-", "newer-x", "killed"] {
        assert_eq!(
            from_verdict(nonsense),
            Err(FileError::Damaged),
            "{nonsense}"
        );
    }
    // The check agrees with reading the file.
    let bytes = fixture_plan().to_bytes();
    assert_eq!(check(&bytes), Ok(()));
    assert_eq!(check(&bytes[..bytes.len() / 2]), Err(FileError::Damaged));
    assert_eq!(check(b"{}"), Err(FileError::NotAPlan));
}

/// What the checker worker runs on changes from another phone before the app takes them
/// in (`check_updates`): each in order, against this phone's state and the changes before
/// it that passed; a bad one is left out and the rest still apply.
#[test]
fn changes_from_another_phone_are_checked_one_by_one_against_this_phones_state() {
    use coplan_domain::plan::file::{check_updates, from_verdicts, verdicts};
    let mine = SectionDoc::new(SectionKind::AboutMe, 5);
    set_field(&mine, "my_story", "Mine first.");
    let state = mine.encode_state();

    // Another phone, holding the same, writes twice.
    let other = SectionDoc::load(SectionKind::AboutMe, 6, &state).unwrap();
    let before = other.state_vector();
    set_field(&other, "my_story", "Mine first. Theirs next.");
    let first = other.diff_since(&before).unwrap();
    let middle = other.state_vector();
    add(&other, "strengths", "s1", &[("text", "Steady")]);
    let second = other.diff_since(&middle).unwrap();

    // A change that makes the section newer than this build reads.
    let newer = {
        use yrs::{Doc, Map, ReadTxn, StateVector, Transact, WriteTxn};
        let raw = Doc::with_client_id(7);
        let mut txn = raw.transact_mut();
        txn.get_or_insert_map("meta")
            .insert(&mut txn, "schema", 2.0);
        txn.encode_state_as_update_v1(&StateVector::default())
    };
    let garbage = vec![0xff; 40];
    let huge = vec![0; MAX_UPDATE_BYTES + 1];
    let results = check_updates(
        SectionKind::AboutMe,
        &state,
        &[&first, &garbage, &newer, &huge, &second],
    );
    assert_eq!(
        results,
        [
            Ok(()),
            Err(FileError::Damaged),
            Err(FileError::NewerVersion { found: 2 }),
            Err(FileError::Damaged),
            Ok(()),
        ]
    );
    // As the worker says it, and as the page reads it back.
    let said = verdicts(&results);
    assert_eq!(from_verdicts(&said, 5), Some(results));
    assert_eq!(from_verdicts(&said, 4), None);
    assert_eq!(from_verdicts("ok", 0), None);
}
