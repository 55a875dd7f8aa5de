//! A section document: edits, limits, damaged input, schema versions, and the
//! stored bytes pinned so the format cannot change by accident.

use coplan_domain::plan::safety_plan::{SafetyPlan, contact_phone};
use coplan_domain::plan::{
    AuthorId, Edit, ItemId, PlanError, SectionDoc, SectionKind, Stamp, Toward,
};

fn stamp(at_ms: u64) -> Stamp {
    Stamp {
        author: AuthorId::parse("person-1").unwrap(),
        at_ms,
    }
}

fn id(s: &str) -> ItemId {
    ItemId::parse(s).unwrap()
}

fn add(doc: &SectionDoc, list: &'static str, item: &str, text: &str) {
    doc.apply(
        &Edit::AddItem {
            list,
            id: id(item),
            parts: vec![("text", text.into())],
        },
        &stamp(1),
    )
    .unwrap();
}

fn texts(doc: &SectionDoc, list: &str) -> Vec<String> {
    doc.view().lists[list]
        .items
        .iter()
        .map(|i| i.part("text").to_string())
        .collect()
}

#[test]
fn items_are_added_edited_moved_and_removed_and_keep_when_they_were_added() {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 7);
    add(&doc, "reasons_for_living", "a", "my cat");
    add(&doc, "reasons_for_living", "b", "my sister");
    add(&doc, "reasons_for_living", "c", "the sea");
    doc.apply(
        &Edit::SetPart {
            list: "reasons_for_living",
            id: id("b"),
            part: "text",
            text: "my sister Jo".into(),
        },
        &Stamp {
            author: AuthorId::parse("worker-2").unwrap(),
            at_ms: 99,
        },
    )
    .unwrap();
    doc.apply(
        &Edit::MoveItem {
            list: "reasons_for_living",
            id: id("c"),
            toward: Toward::Start,
        },
        &stamp(2),
    )
    .unwrap();
    assert_eq!(
        texts(&doc, "reasons_for_living"),
        ["my cat", "the sea", "my sister Jo"]
    );
    doc.apply(
        &Edit::MoveItem {
            list: "reasons_for_living",
            id: id("c"),
            toward: Toward::Start,
        },
        &stamp(3),
    )
    .unwrap();
    doc.apply(
        &Edit::MoveItem {
            list: "reasons_for_living",
            id: id("c"),
            toward: Toward::Start,
        },
        &stamp(3),
    )
    .unwrap();
    assert_eq!(
        texts(&doc, "reasons_for_living"),
        ["the sea", "my cat", "my sister Jo"]
    );
    doc.apply(
        &Edit::MoveItem {
            list: "reasons_for_living",
            id: id("the-sea-is-gone"),
            toward: Toward::End,
        },
        &stamp(3),
    )
    .unwrap_err();

    let item = doc.view().lists["reasons_for_living"].items[2].clone();
    assert_eq!((item.part("text"), item.added_at_ms), ("my sister Jo", 1));

    doc.apply(
        &Edit::RemoveItem {
            list: "reasons_for_living",
            id: id("a"),
        },
        &stamp(4),
    )
    .unwrap();
    assert_eq!(
        texts(&doc, "reasons_for_living"),
        ["the sea", "my sister Jo"]
    );
    assert_eq!(
        doc.apply(
            &Edit::RemoveItem {
                list: "reasons_for_living",
                id: id("a")
            },
            &stamp(5)
        ),
        Err(PlanError::NoSuchItem)
    );
}

#[test]
fn many_moves_in_one_place_never_run_out_of_room() {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 7);
    for name in ["x", "a", "b", "y"] {
        add(&doc, "on_my_own", name, name);
    }
    // a and b swap places again and again, always into the gap just after x: each move
    // halves that gap, until there is no number left between them and the list is
    // renumbered.
    for _ in 0..200 {
        doc.apply(
            &Edit::MoveItem {
                list: "on_my_own",
                id: id("b"),
                toward: Toward::Start,
            },
            &stamp(1),
        )
        .unwrap();
        assert_eq!(texts(&doc, "on_my_own"), ["x", "b", "a", "y"]);
        doc.apply(
            &Edit::MoveItem {
                list: "on_my_own",
                id: id("a"),
                toward: Toward::Start,
            },
            &stamp(1),
        )
        .unwrap();
        assert_eq!(texts(&doc, "on_my_own"), ["x", "a", "b", "y"]);
    }
}

#[test]
fn hidden_steps_are_kept_but_not_counted() {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 7);
    add(&doc, "warning_signs", "w1", "not sleeping");
    add(&doc, "safer_place", "s1", "give my tablets to Sam");
    doc.apply(
        &Edit::SetHidden {
            list: "safer_place",
            hidden: true,
        },
        &stamp(2),
    )
    .unwrap();
    let plan = SafetyPlan::from_view(&doc.view());
    assert_eq!(plan.steps.len(), 7);
    assert_eq!(plan.steps[0].key, "warning_signs");
    assert!(plan.steps[5].hidden);
    assert_eq!(
        plan.steps[5].items.len(),
        1,
        "hiding a step keeps its words"
    );
    assert_eq!(plan.shown_item_count(), 1);
}

#[test]
fn contacts_keep_a_half_typed_number_and_check_it_when_shown() {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 7);
    doc.apply(
        &Edit::AddItem {
            list: "ask_for_help",
            id: id("mum"),
            parts: vec![("name", "Mum".into()), ("phone", "07700 90".into())],
        },
        &stamp(1),
    )
    .unwrap();
    let item = doc.view().lists["ask_for_help"].items[0].clone();
    assert!(
        contact_phone(&item).unwrap().is_err(),
        "a half-typed number is kept and flagged"
    );
    doc.apply(
        &Edit::SetPart {
            list: "ask_for_help",
            id: id("mum"),
            part: "phone",
            text: "07700 900123".into(),
        },
        &stamp(2),
    )
    .unwrap();
    let item = doc.view().lists["ask_for_help"].items[0].clone();
    assert_eq!(
        contact_phone(&item).unwrap().unwrap().tel_href(),
        "tel:07700900123"
    );
}

#[test]
fn limits_refuse_an_edit_and_change_nothing() {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 7);
    add(&doc, "warning_signs", "w1", "not sleeping");
    let before = doc.encode_state();
    let long = "x".repeat(501);
    assert_eq!(
        doc.apply(
            &Edit::SetPart {
                list: "warning_signs",
                id: id("w1"),
                part: "text",
                text: long
            },
            &stamp(2)
        ),
        Err(PlanError::TooLong { max: 500 })
    );
    assert!(matches!(
        doc.apply(
            &Edit::SetPart {
                list: "warning_signs",
                id: id("w1"),
                part: "phone",
                text: "1".into()
            },
            &stamp(2)
        ),
        Err(PlanError::UnknownName(_))
    ));
    assert_eq!(doc.encode_state(), before);
    for n in 1..50 {
        add(&doc, "warning_signs", &format!("more-{n}"), "x");
    }
    assert_eq!(
        doc.apply(
            &Edit::AddItem {
                list: "warning_signs",
                id: id("one-too-many"),
                parts: vec![]
            },
            &stamp(3)
        ),
        Err(PlanError::TooManyItems { max: 50 })
    );
}

#[test]
fn damaged_or_oversized_updates_are_refused_and_change_nothing() {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 7);
    add(&doc, "warning_signs", "w1", "not sleeping");
    let good = doc.encode_state();
    let other = SectionDoc::new(SectionKind::SafetyPlan, 8);
    assert_eq!(
        other.apply_update(&[0xff, 0xff, 0xff]),
        Err(PlanError::BadUpdate)
    );
    assert_eq!(
        other.apply_update(&good[..good.len() / 2]),
        Err(PlanError::BadUpdate)
    );
    assert_eq!(
        other.apply_update(&vec![0u8; 2 * 1024 * 1024]),
        Err(PlanError::BadUpdate)
    );
    assert!(other.view().lists["warning_signs"].items.is_empty());
    other.apply_update(&good).unwrap();
    assert_eq!(texts(&other, "warning_signs"), ["not sleeping"]);
}

#[test]
fn a_section_from_a_newer_schema_is_refused_plainly() {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 7);
    add(&doc, "warning_signs", "w1", "not sleeping");
    let state = doc.encode_state();
    assert_eq!(
        SectionDoc::load(SectionKind::SafetyPlan, 9, &state)
            .unwrap()
            .schema_version(),
        1
    );
    // A later version wrote schema 2 into the document (as a newer app would).
    let bumped = {
        use yrs::updates::decoder::Decode;
        use yrs::{Doc, Map, ReadTxn, StateVector, Transact, Update, WriteTxn};
        let raw = Doc::with_client_id(12);
        let mut txn = raw.transact_mut();
        txn.apply_update(Update::decode_v1(&state).unwrap())
            .unwrap();
        let meta = txn.get_or_insert_map("meta");
        meta.insert(&mut txn, "schema", 2.0);
        txn.encode_state_as_update_v1(&StateVector::default())
    };
    let err = SectionDoc::load(SectionKind::SafetyPlan, 11, &bumped).err();
    assert_eq!(err, Some(PlanError::NewerSchema { found: 2 }));
}

/// If this fails, the stored format changed: add a schema version and a migration, and
/// keep reading the old bytes.
#[test]
fn the_stored_bytes_are_pinned() {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 1);
    add(&doc, "warning_signs", "w1", "not sleeping");
    doc.apply(
        &Edit::SetHidden {
            list: "safer_place",
            hidden: true,
        },
        &stamp(2),
    )
    .unwrap();
    let hex: String = doc
        .encode_state()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(hex, PINNED_SAFETY_PLAN);
    // And the pinned bytes, and those written before the stamps went, read back to the
    // same plan.
    for pinned in [PINNED_SAFETY_PLAN, PINNED_WITH_STAMPS] {
        let bytes: Vec<u8> = (0..pinned.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&pinned[i..i + 2], 16).unwrap())
            .collect();
        let loaded = SectionDoc::load(SectionKind::SafetyPlan, 5, &bytes).unwrap();
        assert_eq!(texts(&loaded, "warning_signs"), ["not sleeping"]);
        assert!(loaded.view().lists["safer_place"].hidden);
    }
}

const PINNED_SAFETY_PLAN: &str = "0108010007010f6c2e7761726e696e675f7369676e73012800010002696401770277312800010003706f73017c0000000028000100026174017c3f8000002700010006702e7465787402040001040c6e6f7420736c656570696e672801046d65746106736368656d61017c3f8000002801046d6574611268696464656e2e73616665725f706c616365017800";

/// Sections stored before the per-keystroke stamps were dropped still open, whole.
#[test]
fn sections_written_with_change_stamps_still_open() {
    let fixture = include_str!("fixtures/sections-stamped-v1.txt");
    let stored = |name: &str| -> Vec<u8> {
        let hex = fixture
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .unwrap();
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    };
    let about = SectionDoc::load(SectionKind::AboutMe, 5, &stored("about_me")).unwrap();
    let view = about.view();
    assert_eq!(view.fields["my_story"].text, "I like long walks");
    assert_eq!(view.fields["called"].text, "Sam");

    let care = SectionDoc::load(SectionKind::CarePlan, 5, &stored("care_plan")).unwrap();
    let view = care.view();
    assert_eq!(view.choices["next_review"], "2027-03-01");
    assert_eq!(view.choices["rating_mental_health"], "5");
    let goals = &view.lists["goals"].items;
    assert_eq!(goals.len(), 1);
    assert_eq!(goals[0].part("text"), "Walk daily");
    assert_eq!(goals[0].part("area"), "mental_health");

    let safety = SectionDoc::load(SectionKind::SafetyPlan, 5, &stored("safety_plan")).unwrap();
    assert_eq!(texts(&safety, "warning_signs"), ["not sleeping well"]);
    // And they take new edits.
    safety
        .apply(
            &Edit::SetPart {
                list: "warning_signs",
                id: id("w1"),
                part: "text",
                text: "not sleeping well at all".into(),
            },
            &stamp(3),
        )
        .unwrap();
    assert_eq!(
        texts(&safety, "warning_signs"),
        ["not sleeping well at all"]
    );
}

/// The same plan as written until 2026-12-03, with who and when stamped on the item.
const PINNED_WITH_STAMPS: &str = "010b01002801046d65746106736368656d61017c3f80000007010f6c2e7761726e696e675f7369676e73012800010102696401770277312800010103706f73017c0000000028000101026279017708706572736f6e2d312800010103636279017708706572736f6e2d3128000101026174017c3f8000002800010103636174017c3f8000002700010106702e7465787402040001080c6e6f7420736c656570696e672801046d6574611268696464656e2e73616665725f706c616365017800";

/// Changes queued behind a failed write go out as one update that holds them all.
#[test]
fn updates_merged_into_one_read_as_all_of_them() {
    let doc = SectionDoc::new(SectionKind::SafetyPlan, 7);
    let mut updates = Vec::new();
    let mut text = String::new();
    for c in "not sleeping".chars() {
        text.push(c);
        if text.len() == 1 {
            updates.push(
                doc.apply(
                    &Edit::AddItem {
                        list: "warning_signs",
                        id: id("w1"),
                        parts: vec![("text", text.clone())],
                    },
                    &stamp(1),
                )
                .unwrap(),
            );
            continue;
        }
        updates.push(
            doc.apply(
                &Edit::SetPart {
                    list: "warning_signs",
                    id: id("w1"),
                    part: "text",
                    text: text.clone(),
                },
                &stamp(2),
            )
            .unwrap(),
        );
    }
    let merged = SectionDoc::merge_updates(&updates).unwrap();
    let other = SectionDoc::new(SectionKind::SafetyPlan, 8);
    other.apply_update(&merged).unwrap();
    assert!(!other.has_missing_updates());
    assert_eq!(texts(&other, "warning_signs"), ["not sleeping"]);
    assert_eq!(
        SectionDoc::merge_updates(&[updates[0].clone(), vec![0xff, 0xff]]),
        Err(PlanError::BadUpdate)
    );
}

/// Review 1.11: two phones that add an item with the same id at once leave two copies;
/// the plan shows one, and an edit to that id changes the one shown, never the hidden one.
#[test]
fn an_edit_to_a_doubled_item_changes_the_copy_that_is_shown() {
    let first = SectionDoc::new(SectionKind::SafetyPlan, 10);
    add(&first, "warning_signs", "x", "from the first phone");
    let second = SectionDoc::new(SectionKind::SafetyPlan, 5);
    add(&second, "warning_signs", "w", "another sign");
    add(&second, "warning_signs", "x", "from the second phone");
    let merged = SectionDoc::new(SectionKind::SafetyPlan, 20);
    merged.apply_update(&first.encode_state()).unwrap();
    merged.apply_update(&second.encode_state()).unwrap();
    let shown = merged.view().part("warning_signs", "x", "text").to_string();
    merged
        .apply(
            &Edit::SetPart {
                list: "warning_signs",
                id: id("x"),
                part: "text",
                text: format!("{shown}, edited"),
            },
            &stamp(9),
        )
        .unwrap();
    assert_eq!(
        merged.view().part("warning_signs", "x", "text"),
        format!("{shown}, edited")
    );
}

/// A tab reuses its client id from one visit of a section to the next (the app's
/// `plan::writer`): loaded from the complete stored state, the id carries on where it
/// left off, and the section still holds one writer.
#[test]
fn a_client_id_reused_on_the_complete_state_carries_on_where_it_left_off() {
    let set = |doc: &SectionDoc, text: &str| {
        doc.apply(
            &Edit::SetField {
                field: "my_story",
                text: text.into(),
            },
            &stamp(1),
        )
        .unwrap()
    };
    let first = SectionDoc::new(SectionKind::AboutMe, 7);
    set(&first, "I walk");
    let stored = first.encode_state();

    let again = SectionDoc::load(SectionKind::AboutMe, 7, &stored).unwrap();
    let later = set(&again, "I walk every day");

    let elsewhere = SectionDoc::new(SectionKind::AboutMe, 9);
    elsewhere.apply_update(&stored).unwrap();
    elsewhere.apply_update(&later).unwrap();
    assert_eq!(elsewhere.view().field("my_story"), "I walk every day");
    assert!(!elsewhere.has_missing_updates());
    assert_eq!(elsewhere.writers(), vec![7]);

    let other = SectionDoc::load(SectionKind::AboutMe, 8, &elsewhere.encode_state()).unwrap();
    set(&other, "I walk every day, and swim");
    assert_eq!(other.writers(), vec![7, 8]);
}
