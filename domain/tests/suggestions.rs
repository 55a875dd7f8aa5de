//! A member's suggestions to a section (`coplan_domain::plan::suggestions`): written on
//! the member's phone, read on the person's, shown against the words as they read now,
//! and taken in only while the section still reads what the person was shown.

use coplan_domain::plan::suggestions::{Change, MAX_WAITING, NotTaken, Standing, SuggestionsDoc};
use coplan_domain::plan::{AuthorId, Edit, ItemId, PlanError, SectionDoc, SectionKind, Stamp};

fn id(text: &str) -> ItemId {
    ItemId::parse(text).unwrap()
}

fn stamp() -> Stamp {
    Stamp {
        author: AuthorId::parse("person").unwrap(),
        at_ms: 5_000,
    }
}

/// The person's About me, reading `words` in "what matters".
fn about_me(words: &str) -> SectionDoc {
    let doc = SectionDoc::new(SectionKind::AboutMe, 4096);
    doc.apply(
        &Edit::SetField {
            field: "what_matters",
            text: words.into(),
        },
        &stamp(),
    )
    .unwrap();
    doc
}

/// The member writes on their phone; the person's phone takes the change in.
fn carried(member: &SuggestionsDoc, section: SectionKind) -> SuggestionsDoc {
    let person = SuggestionsDoc::new(section, 4096);
    person.apply_update(&member.encode_state()).unwrap();
    person
}

#[test]
fn a_suggestion_reaches_the_person_and_is_taken_in_as_written() {
    let section = about_me("My dog");
    let member = SuggestionsDoc::new(SectionKind::AboutMe, 5 * 4096);
    let change = Change::Field {
        field: "what_matters",
        text: "My dog and my garden".into(),
    };
    member
        .suggest(&id("s1"), &change, &section.view(), 7_000)
        .unwrap();
    let person = carried(&member, SectionKind::AboutMe);
    let listed = person.list();
    assert_eq!(listed.len(), 1);
    let (suggestion, decided) = &listed[0];
    assert_eq!(
        (
            &suggestion.change,
            suggestion.was.as_str(),
            suggestion.at_ms,
            *decided
        ),
        (&change, "My dog", 7_000, None)
    );
    let now = section.view();
    assert_eq!(suggestion.standing(&now), Standing::AsWritten);
    // Taken in: the section reads the suggested words, and the decision is kept.
    let edit = suggestion.edit(&now, "My dog", id("unused")).unwrap();
    section.apply(&edit, &stamp()).unwrap();
    assert_eq!(section.view().field("what_matters"), "My dog and my garden");
    assert_eq!(suggestion.standing(&section.view()), Standing::AlreadySo);
    let decision = person.decide("s1", true, 8_000).unwrap();
    member.apply_update(&decision).unwrap();
    let seen_by_member = member.list();
    assert_eq!(
        seen_by_member[0].1.map(|d| (d.taken, d.at_ms)),
        Some((true, 8_000))
    );
    // Decided once only; an id nobody wrote is not a suggestion.
    assert_eq!(
        person.decide("s1", false, 9_000),
        Err(PlanError::NoSuchItem)
    );
    assert_eq!(
        person.decide("s2", false, 9_000),
        Err(PlanError::NoSuchItem)
    );
}

/// Written against words that have changed since, a suggestion is shown against the new
/// words and is taken in only over the words the person was shown.
#[test]
fn a_suggestion_against_changed_words_is_never_applied_blindly() {
    let section = about_me("My dog");
    let member = SuggestionsDoc::new(SectionKind::AboutMe, 5 * 4096);
    member
        .suggest(
            &id("s1"),
            &Change::Field {
                field: "what_matters",
                text: "My dog and my garden".into(),
            },
            &section.view(),
            7_000,
        )
        .unwrap();
    let suggestion = carried(&member, SectionKind::AboutMe).list()[0].0.clone();
    section
        .apply(
            &Edit::SetField {
                field: "what_matters",
                text: "My dog and music".into(),
            },
            &stamp(),
        )
        .unwrap();
    let now = section.view();
    assert_eq!(
        suggestion.standing(&now),
        Standing::Changed {
            now: "My dog and music".into()
        }
    );
    // Shown the old words, the person's acceptance changes nothing.
    assert_eq!(
        suggestion.edit(&now, "My dog", id("unused")),
        Err(NotTaken::Moved)
    );
    assert_eq!(section.view().field("what_matters"), "My dog and music");
    // Shown the new words beside it, they may still choose the suggestion.
    assert!(
        suggestion
            .edit(&now, "My dog and music", id("unused"))
            .is_ok()
    );
}

/// The carer's voice: a carer who may suggest to the safety plan adds a warning sign they
/// notice, suggests new words for one, and suggests one goes; each taken in as an edit.
#[test]
fn a_carer_suggests_warning_signs_which_the_person_may_take_in() {
    let safety = SectionDoc::new(SectionKind::SafetyPlan, 4096);
    safety
        .apply(
            &Edit::AddItem {
                list: "warning_signs",
                id: id("w1"),
                parts: vec![("text", "Not sleeping".into())],
            },
            &stamp(),
        )
        .unwrap();
    let carer = SuggestionsDoc::new(SectionKind::SafetyPlan, 6 * 4096);
    let now = safety.view();
    let changes = [
        Change::AddItem {
            list: "warning_signs",
            parts: vec![("text", "Stops answering the phone".into())],
        },
        Change::Part {
            list: "warning_signs",
            item: id("w1"),
            part: "text",
            text: "Not sleeping for two nights".into(),
        },
        Change::RemoveItem {
            list: "warning_signs",
            item: id("w1"),
        },
    ];
    for (n, change) in changes.iter().enumerate() {
        carer
            .suggest(&id(&format!("c{n}")), change, &now, 7_000 + n as u64)
            .unwrap();
    }
    let listed = carried(&carer, SectionKind::SafetyPlan).list();
    let got: Vec<&Change> = listed.iter().map(|(s, _)| &s.change).collect();
    assert_eq!(got, changes.iter().collect::<Vec<_>>());
    assert_eq!(listed[1].0.was, "Not sleeping");
    assert_eq!(listed[2].0.was, "Not sleeping");
    let add = listed[0].0.edit(&now, "", id("w2")).unwrap();
    safety.apply(&add, &stamp()).unwrap();
    let view = safety.view();
    let words: Vec<&str> = view
        .items("warning_signs")
        .iter()
        .map(|i| i.part("text"))
        .collect();
    assert_eq!(words, ["Not sleeping", "Stops answering the phone"]);
    // Once the item is gone, a suggestion about it is shown as gone and cannot be taken.
    let remove = listed[2]
        .0
        .edit(&safety.view(), "Not sleeping", id("x"))
        .unwrap();
    safety.apply(&remove, &stamp()).unwrap();
    let now = safety.view();
    assert_eq!(listed[1].0.standing(&now), Standing::Gone);
    assert_eq!(
        listed[1].0.edit(&now, "Not sleeping", id("x")),
        Err(NotTaken::Gone)
    );
}

#[test]
fn a_suggestion_the_section_cannot_hold_is_refused_and_waiting_ones_are_capped() {
    let section = about_me("My dog");
    let now = section.view();
    let member = SuggestionsDoc::new(SectionKind::AboutMe, 5 * 4096);
    let field = |field: &'static str, text: String| Change::Field { field, text };
    assert!(matches!(
        member.suggest(&id("a"), &field("called", "x".repeat(101)), &now, 1),
        Err(PlanError::TooLong { max: 100 })
    ));
    assert!(matches!(
        member.suggest(
            &id("b"),
            &Change::RemoveItem {
                list: "warning_signs",
                item: id("w1")
            },
            &now,
            1
        ),
        Err(PlanError::UnknownName(_))
    ));
    assert!(member.list().is_empty());
    for n in 0..MAX_WAITING {
        member
            .suggest(
                &id(&format!("s{n}")),
                &field("called", format!("Al {n}")),
                &now,
                1,
            )
            .unwrap();
    }
    assert!(matches!(
        member.suggest(&id("over"), &field("called", "Al".into()), &now, 1),
        Err(PlanError::TooManyItems { .. })
    ));
    // One decided makes room for one more.
    let person = carried(&member, SectionKind::AboutMe);
    member
        .apply_update(&person.decide("s0", false, 2).unwrap())
        .unwrap();
    assert!(
        member
            .suggest(&id("over"), &field("called", "Al".into()), &now, 1)
            .is_ok()
    );
}

/// Suggestions written for another section read as nothing here, and a damaged update
/// changes nothing.
#[test]
fn what_does_not_read_as_a_suggestion_for_this_section_is_left_out() {
    let care = SectionDoc::new(SectionKind::CarePlan, 4096);
    let elsewhere = SuggestionsDoc::new(SectionKind::CarePlan, 5 * 4096);
    let spec = SectionKind::CarePlan.spec();
    let field = spec.fields[0].name;
    elsewhere
        .suggest(
            &id("s1"),
            &Change::Field {
                field,
                text: "words".into(),
            },
            &care.view(),
            1,
        )
        .unwrap();
    assert_eq!(elsewhere.list().len(), 1);
    let here = carried(&elsewhere, SectionKind::AboutMe);
    assert!(
        SectionKind::AboutMe.spec().field(field).is_none(),
        "the care plan's field is not About me's"
    );
    assert!(here.list().is_empty());
    assert_eq!(here.apply_update(&[1, 2, 3, 4]), Err(PlanError::BadUpdate));
}

/// The stored layout, pinned: a suggestion written by this build's format (version 1)
/// under client id 20480, as bytes; it must keep reading as the same suggestion.
#[test]
fn the_stored_layout_of_a_suggestion_is_pinned() {
    let stored = hex(PINNED);
    let doc = SuggestionsDoc::new(SectionKind::AboutMe, 4096);
    doc.apply_update(&stored).unwrap();
    let listed = doc.list();
    assert_eq!(listed.len(), 1);
    let (suggestion, decided) = &listed[0];
    assert_eq!(suggestion.id, "s1");
    assert_eq!(
        suggestion.change,
        Change::Field {
            field: "what_matters",
            text: "My dog and my garden".into()
        }
    );
    assert_eq!(
        (suggestion.was.as_str(), suggestion.at_ms),
        ("My dog", 7_000)
    );
    assert_eq!(decided.map(|d| (d.taken, d.at_ms)), Some((false, 8_000)));
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

const PINNED: &str = "020180a001002801017302733101760601767d01047768617477056669656c640377617377064d7920646f670261747d986d047465787477144d7920646f6720616e64206d792067617264656e046e616d65770c776861745f6d61747465727301802000280101640273310176020574616b656e790261747d807d00";

/// What the checker's worker answers for changes to a suggestions document: a change from
/// its sender's own range passes; under someone else's ids, damaged, or building on one
/// not here yet, it does not.
#[test]
fn changes_to_a_suggestions_document_are_checked_before_they_are_taken_in() {
    use coplan_domain::plan::file::FileError;
    use coplan_domain::sync::incoming::{check_document, frame};
    let section = about_me("My dog");
    let member = SuggestionsDoc::new(SectionKind::AboutMe, 5 * 4096);
    let change = |n: u64| Change::Field {
        field: "called",
        text: format!("Al {n}"),
    };
    let first = member
        .suggest(&id("s1"), &change(1), &section.view(), 1)
        .unwrap();
    let second = member
        .suggest(&id("s2"), &change(2), &section.view(), 2)
        .unwrap();
    let code = SectionKind::AboutMe.suggestions_code();
    let from = |range: u32, update: &[u8]| frame(Some(range), update);
    let verdicts = check_document(
        code,
        &[],
        &[
            &from(5 * 4096, &second),
            &from(9 * 4096, &first),
            &frame(None, &first),
            &from(5 * 4096, &[1, 2, 3]),
            &from(5 * 4096, &first),
        ],
    );
    assert_eq!(
        verdicts,
        [
            Err(FileError::Waits),
            Err(FileError::Damaged),
            Err(FileError::Damaged),
            Err(FileError::Damaged),
            Ok(())
        ]
    );
    // In order, both pass; a kind that is no document's is not a plan.
    let both = check_document(
        code,
        &[],
        &[&from(5 * 4096, &first), &from(5 * 4096, &second)],
    );
    assert_eq!(both, [Ok(()), Ok(())]);
    assert_eq!(
        check_document(0x7f, &[], &[&from(5 * 4096, &first)]),
        [Err(FileError::NotAPlan)]
    );
}
