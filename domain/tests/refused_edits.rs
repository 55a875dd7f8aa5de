//! A refused edit changes nothing, and an accepted one returns every change it made: a
//! change left in the document but missing from the returned update would never be
//! stored or sent, and later changes that build on it would wait for it for ever.
//! Property test from empty documents, with valid and invalid edits mixed.

use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp, Toward};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const CHOICES: [&str; 4] = ["next_review", "continuum", "rating_home", "nope"];
const VALUES: [&str; 7] = ["2027-01-15", "99999-01-01", "help", "banana", "5", "9", ""];
const FIELDS: [&str; 2] = ["different_home", "nope"];
const AREAS: [&str; 3] = ["home", "money", "moon"];
const IDS: [&str; 3] = ["g1", "g2", "g3"];
const PARTS: [&str; 3] = ["text", "area", "nope"];

fn edit() -> impl Strategy<Value = Edit> {
    let id = (0..IDS.len()).prop_map(|i| ItemId::parse(IDS[i]).unwrap());
    // Sometimes longer than any field allows.
    let text = prop_oneof![
        "[a-z ]{0,6}",
        (1usize..3).prop_map(|n| "x".repeat(n * 1_500))
    ];
    prop_oneof![
        (0..CHOICES.len(), 0..VALUES.len()).prop_map(|(c, v)| Edit::SetChoice {
            name: CHOICES[c],
            value: VALUES[v].into(),
        }),
        (0..FIELDS.len(), text.clone()).prop_map(|(f, text)| Edit::SetField {
            field: FIELDS[f],
            text,
        }),
        (id.clone(), 0..AREAS.len(), text.clone()).prop_map(|(id, a, text)| Edit::AddItem {
            list: "goals",
            id,
            parts: vec![("area", AREAS[a].into()), ("text", text)],
        }),
        (id.clone(), 0..PARTS.len(), 0..AREAS.len(), text).prop_map(|(id, p, a, text)| {
            let text = if PARTS[p] == "area" {
                AREAS[a].into()
            } else {
                text
            };
            Edit::SetPart {
                list: "goals",
                id,
                part: PARTS[p],
                text,
            }
        }),
        id.clone()
            .prop_map(|id| Edit::RemoveItem { list: "goals", id }),
        (id, any::<bool>()).prop_map(|(id, up)| Edit::MoveItem {
            list: "goals",
            id,
            toward: if up { Toward::Start } else { Toward::End },
        }),
        (0..2usize, any::<bool>()).prop_map(|(l, hidden)| Edit::SetHidden {
            list: ["goals", "nope"][l],
            hidden,
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_refused_edit_changes_nothing_and_an_accepted_one_returns_all_it_changed(
        edits in proptest::collection::vec(edit(), 1..24)
    ) {
        let doc = SectionDoc::new(SectionKind::CarePlan, 1);
        // What storage would hold: only the updates `apply` returned.
        let stored = SectionDoc::new(SectionKind::CarePlan, 2);
        let stamp = Stamp { author: AuthorId::parse("person-1").unwrap(), at_ms: 5 };
        for edit in &edits {
            let (vector, state) = (doc.state_vector(), doc.encode_state());
            match doc.apply(edit, &stamp) {
                Err(e) => {
                    prop_assert_eq!(doc.state_vector(), vector.clone(), "{:?} refused ({:?}) but changed the document", edit, e);
                    prop_assert_eq!(doc.encode_state(), state, "{:?} refused ({:?}) but changed the document", edit, e);
                }
                Ok(update) => {
                    if !update.is_empty() {
                        stored.apply_update(&update).unwrap();
                    }
                }
            }
            prop_assert_eq!(stored.state_vector(), doc.state_vector(), "after {:?}", edit);
            prop_assert_eq!(stored.view(), doc.view(), "after {:?}", edit);
        }
    }
}
