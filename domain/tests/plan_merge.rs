//! Property tests: random concurrent edits on three copies of a section converge to the
//! same plan whatever order (and however many times) the updates arrive.
//!
//! Found by this test: Yrs can be left holding a change back ("missing updates") even
//! after every update has arrived, when they came badly out of order. Sync therefore
//! ends, as the Yjs sync protocol does, by exchanging state vectors and sending what the
//! other copy lacks; the test does the same and requires convergence after it.

use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp, Toward};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const LISTS: [&str; 2] = ["strengths", "important_people"];
const FIELDS: [&str; 2] = ["called", "my_story"];

#[derive(Debug, Clone)]
enum Op {
    Add {
        list: usize,
        text: String,
    },
    Type {
        list: usize,
        pick: usize,
        text: String,
    },
    Field {
        field: usize,
        text: String,
    },
    Remove {
        list: usize,
        pick: usize,
    },
    Move {
        list: usize,
        pick: usize,
        up: bool,
    },
    Hide {
        list: usize,
        hidden: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let text = "[a-zé😀 ]{0,8}";
    prop_oneof![
        (0..2usize, text).prop_map(|(list, text)| Op::Add { list, text }),
        (0..2usize, any::<usize>(), text).prop_map(|(list, pick, text)| Op::Type {
            list,
            pick,
            text
        }),
        (0..2usize, text).prop_map(|(field, text)| Op::Field { field, text }),
        (0..2usize, any::<usize>()).prop_map(|(list, pick)| Op::Remove { list, pick }),
        (0..2usize, any::<usize>(), any::<bool>()).prop_map(|(list, pick, up)| Op::Move {
            list,
            pick,
            up
        }),
        (0..2usize, any::<bool>()).prop_map(|(list, hidden)| Op::Hide { list, hidden }),
    ]
}

/// Turns a random op into an edit that makes sense on this copy as it is now.
fn edit_for(doc: &SectionDoc, op: &Op, counter: &mut u32, replica: usize) -> Option<Edit> {
    let view = doc.view();
    let items = |list: usize| view.lists[LISTS[list]].items.clone();
    let pick = |list: usize, pick: usize| {
        let items = items(list);
        (!items.is_empty()).then(|| ItemId::parse(&items[pick % items.len()].id).unwrap())
    };
    Some(match op {
        Op::Add { list, text } => {
            *counter += 1;
            let part = if *list == 0 { "text" } else { "name" };
            Edit::AddItem {
                list: LISTS[*list],
                id: ItemId::parse(&format!("r{replica}-{counter}")).unwrap(),
                parts: vec![(part, text.clone())],
            }
        }
        Op::Type {
            list,
            pick: p,
            text,
        } => {
            let id = pick(*list, *p)?;
            let part = if *list == 0 { "text" } else { "name" };
            let old = items(*list)
                .into_iter()
                .find(|i| i.id == id.as_str())?
                .part(part)
                .to_string();
            // Type into the middle of what is there, as a person would.
            let cut = old
                .char_indices()
                .nth(old.chars().count() / 2)
                .map(|(i, _)| i)
                .unwrap_or(old.len());
            Edit::SetPart {
                list: LISTS[*list],
                id,
                part,
                text: format!("{}{text}{}", &old[..cut], &old[cut..]),
            }
        }
        Op::Field { field, text } => {
            let old = view.fields[FIELDS[*field]].text.clone();
            Edit::SetField {
                field: FIELDS[*field],
                text: format!("{old}{text}"),
            }
        }
        Op::Remove { list, pick: p } => Edit::RemoveItem {
            list: LISTS[*list],
            id: pick(*list, *p)?,
        },
        Op::Move { list, pick: p, up } => Edit::MoveItem {
            list: LISTS[*list],
            id: pick(*list, *p)?,
            toward: if *up { Toward::Start } else { Toward::End },
        },
        Op::Hide { list, hidden } => Edit::SetHidden {
            list: LISTS[*list],
            hidden: *hidden,
        },
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn three_copies_converge_whatever_the_delivery_order(
        steps in proptest::collection::vec((0..3usize, op(), any::<u8>(), any::<u16>()), 1..40),
        final_order in any::<u64>(),
    ) {
        let docs: Vec<SectionDoc> = (1..=3).map(|c| SectionDoc::new(SectionKind::AboutMe, c)).collect();
        let mut inbox: Vec<Vec<Vec<u8>>> = vec![Vec::new(); 3];
        let mut counter = 0;
        for (at, (replica, op, deliver, which)) in steps.iter().enumerate() {
            let stamp = Stamp { author: AuthorId::parse(&format!("author-{replica}")).unwrap(), at_ms: at as u64 };
            if let Some(edit) = edit_for(&docs[*replica], op, &mut counter, *replica)
                && let Ok(update) = docs[*replica].apply(&edit, &stamp)
                && !update.is_empty()
            {
                for (other, queue) in inbox.iter_mut().enumerate() {
                    if other != *replica {
                        queue.push(update.clone());
                    }
                }
            }
            // Sometimes deliver one waiting update, in any order (Yrs holds back the
            // ones that arrive before what they build on).
            if deliver % 3 == 0 {
                let target = (*deliver as usize / 3) % 3;
                if !inbox[target].is_empty() {
                    let index = *which as usize % inbox[target].len();
                    let update = inbox[target].remove(index);
                    docs[target].apply_update(&update).unwrap();
                }
            }
        }
        // Deliver the rest in a scrambled order, some twice.
        let mut seed = final_order | 1;
        for (target, queue) in inbox.iter_mut().enumerate() {
            while !queue.is_empty() {
                seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
                let update = queue.remove(seed as usize % queue.len());
                docs[target].apply_update(&update).unwrap();
                if seed % 4 == 0 {
                    docs[target].apply_update(&update).unwrap();
                }
            }
        }
        // The end of every sync: each copy sends each other what its state vector lacks.
        for from in &docs {
            for to in &docs {
                to.apply_update(&from.diff_since(&to.state_vector()).unwrap()).unwrap();
            }
        }
        for doc in &docs {
            prop_assert!(!doc.has_missing_updates());
        }
        let first = docs[0].view();
        prop_assert_eq!(&first, &docs[1].view());
        prop_assert_eq!(&first, &docs[2].view());
    }
}

#[test]
fn two_people_typing_in_the_same_field_at_once_keep_both_words() {
    let a = SectionDoc::new(SectionKind::AboutMe, 1);
    let b = SectionDoc::new(SectionKind::AboutMe, 2);
    let stamp = |who: &str| Stamp {
        author: AuthorId::parse(who).unwrap(),
        at_ms: 1,
    };
    let start = a
        .apply(
            &Edit::SetField {
                field: "what_matters",
                text: "my dog".into(),
            },
            &stamp("a"),
        )
        .unwrap();
    b.apply_update(&start).unwrap();
    let from_a = a
        .apply(
            &Edit::SetField {
                field: "what_matters",
                text: "my dog Bess".into(),
            },
            &stamp("a"),
        )
        .unwrap();
    let from_b = b
        .apply(
            &Edit::SetField {
                field: "what_matters",
                text: "walking my dog".into(),
            },
            &stamp("b"),
        )
        .unwrap();
    a.apply_update(&from_b).unwrap();
    b.apply_update(&from_a).unwrap();
    assert_eq!(a.view().fields["what_matters"].text, "walking my dog Bess");
    assert_eq!(a.view(), b.view());
}
