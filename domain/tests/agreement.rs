//! An agreed version of a section (issue 15 item 2): what the person and a member each
//! sign, when two marks are one agreement, "changed since we agreed", and a second phone
//! on an older copy refused until it has synced.

use coplan_domain::keys::AccountKeys;
use coplan_domain::plan::agreement::{
    self, CannotJoin, Mark, Statement, changed_since, may_join, read_marks, view_bytes,
    view_from_bytes, view_hash,
};
use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp};

const PLAN: [u8; 16] = [0x42; 16];
const DAY: u64 = 24 * 60 * 60 * 1000;

fn keys(seed: u8) -> AccountKeys {
    AccountKeys::from_random(&[seed; 64])
}

fn stamp(at_ms: u64) -> Stamp {
    Stamp {
        author: AuthorId::parse("someone").unwrap(),
        at_ms,
    }
}

fn goal(id: &str, words: &str) -> Edit {
    Edit::AddItem {
        list: "goals",
        id: ItemId::parse(id).unwrap(),
        parts: vec![("text", words.into())],
    }
}

/// Brings `to` up to date with `from`.
fn sync(from: &SectionDoc, to: &SectionDoc) {
    to.apply_update(&from.diff_since(&to.state_vector()).unwrap())
        .unwrap();
}

/// The statement a phone marks: its own copy, as its screen shows it.
fn statement(copy: &SectionDoc) -> Statement {
    Statement {
        plan: PLAN,
        section: SectionKind::CarePlan,
        state: copy.agreement_state(),
        view_hash: view_hash(&copy.view()),
    }
}

/// The person's and the worker's copies of a care plan with two goals, in step.
fn two_copies() -> (SectionDoc, SectionDoc) {
    let person = SectionDoc::new(SectionKind::CarePlan, 10);
    let worker = SectionDoc::new(SectionKind::CarePlan, 5000);
    person
        .apply(&goal("g1", "Back to the allotment"), &stamp(1))
        .unwrap();
    person
        .apply(&goal("g2", "Sleep before midnight"), &stamp(2))
        .unwrap();
    sync(&person, &worker);
    (person, worker)
}

/// Reads the marks in `copy` with the worker as the one member who may agree.
fn marks_in(copy: &SectionDoc, person: &AccountKeys, worker: &AccountKeys) -> agreement::Marks {
    let member = worker.public().signing;
    read_marks(
        &copy.marks(),
        &PLAN,
        SectionKind::CarePlan,
        &person.public().signing,
        |key| *key == member,
    )
}

#[test]
fn signatures_over_two_different_states_never_make_one_agreement() {
    let (person_copy, worker_copy) = two_copies();
    let (person, worker, stranger) = (keys(1), keys(2), keys(3));

    // The person marks what they see; the worker, who has changed a goal since and not
    // synced, marks what they see: two statements, each waiting for the other side.
    let person_mark = Mark::sign(statement(&person_copy), &person, 10 * DAY);
    person_copy
        .add_mark(&person_mark, &person_copy.view())
        .unwrap();
    worker_copy
        .apply(
            &Edit::SetPart {
                list: "goals",
                id: ItemId::parse("g2").unwrap(),
                part: "text",
                text: "Sleep before eleven".into(),
            },
            &stamp(3),
        )
        .unwrap();
    let worker_mark = Mark::sign(statement(&worker_copy), &worker, 10 * DAY + 5);
    worker_copy
        .add_mark(&worker_mark, &worker_copy.view())
        .unwrap();
    sync(&worker_copy, &person_copy);
    sync(&person_copy, &worker_copy);
    for copy in [&person_copy, &worker_copy] {
        let found = marks_in(copy, &person, &worker);
        assert!(found.agreed.is_empty(), "{found:?}");
        assert_eq!(found.waiting.len(), 2);
    }

    // The worker's signature moved onto the person's statement does not verify, nor does
    // one moved to another time; neither makes the person's statement agreed.
    let mut moved = worker_mark.clone();
    moved.statement = person_mark.statement.clone();
    assert!(!moved.verifies());
    let mut retimed = worker_mark.clone();
    retimed.at_ms += 1;
    assert!(!retimed.verifies());
    let forged = SectionDoc::new(SectionKind::CarePlan, 7);
    sync(&person_copy, &forged);
    forged.add_mark(&moved, &person_copy.view()).unwrap();
    let found = marks_in(&forged, &person, &worker);
    assert!(found.agreed.is_empty(), "{found:?}");

    // Someone who may not agree to this section, though their mark verifies, agrees to
    // nothing; nor does a mark for another plan or another section.
    let same_state = statement(&person_copy);
    let strangers = Mark::sign(same_state.clone(), &stranger, 11 * DAY);
    let other_plan = Mark::sign(
        Statement {
            plan: [0x43; 16],
            ..same_state.clone()
        },
        &worker,
        11 * DAY,
    );
    let other_section = Mark::sign(
        Statement {
            section: SectionKind::SafetyPlan,
            ..same_state.clone()
        },
        &worker,
        11 * DAY,
    );
    let mine = Mark::sign(same_state, &person, 11 * DAY);
    let view = person_copy.view();
    for mark in [&strangers, &other_plan, &other_section, &mine] {
        person_copy.add_mark(mark, &view).unwrap();
    }
    let found = marks_in(&person_copy, &person, &worker);
    assert!(found.agreed.is_empty(), "{found:?}");

    // The same statement, byte for byte, signed by both: one agreement.
    let joined = Mark::sign(mine.statement.clone(), &worker, 12 * DAY);
    person_copy.add_mark(&joined, &view).unwrap();
    let found = marks_in(&person_copy, &person, &worker);
    let agreed = found.latest().expect("agreed");
    assert_eq!(agreed.statement, mine.statement);
    assert_eq!(agreed.with, vec![(worker.public().signing, 12 * DAY)]);
    assert_eq!(agreed.agreed_at_ms(), 12 * DAY);
}

#[test]
fn changed_since_we_agreed_shows_after_a_later_change_and_only_then() {
    let (person_copy, worker_copy) = two_copies();
    let (person, worker) = (keys(1), keys(2));
    let marked = statement(&person_copy);
    let person_mark = Mark::sign(marked.clone(), &person, DAY);
    person_copy
        .add_mark(&person_mark, &person_copy.view())
        .unwrap();
    sync(&person_copy, &worker_copy);
    may_join(&marked, &worker_copy.agreement_state(), &worker_copy.view()).unwrap();
    let worker_mark = Mark::sign(marked.clone(), &worker, DAY + 60_000);
    worker_copy
        .add_mark(&worker_mark, &worker_copy.view())
        .unwrap();
    sync(&worker_copy, &person_copy);

    // Agreed on both phones, and the marks themselves are no change to what was agreed.
    for copy in [&person_copy, &worker_copy] {
        let found = marks_in(copy, &person, &worker);
        let agreed = found.latest().expect("agreed on both phones");
        assert!(!changed_since(agreed, &copy.view()));
    }
    // A change that changes nothing on screen (a goal set to the words it has) is none.
    let same = person_copy
        .apply(
            &Edit::SetPart {
                list: "goals",
                id: ItemId::parse("g1").unwrap(),
                part: "text",
                text: "Back to the allotment".into(),
            },
            &stamp(5),
        )
        .unwrap();
    assert!(same.is_empty());

    // The person changes a goal: both phones, once it arrives, say it changed since.
    let agreed_view = person_copy.view();
    person_copy
        .apply(
            &Edit::SetPart {
                list: "goals",
                id: ItemId::parse("g1").unwrap(),
                part: "text",
                text: "Back to the allotment on Saturdays".into(),
            },
            &stamp(6),
        )
        .unwrap();
    let found = marks_in(&person_copy, &person, &worker);
    assert!(changed_since(found.latest().unwrap(), &person_copy.view()));
    let found = marks_in(&worker_copy, &person, &worker);
    assert!(!changed_since(found.latest().unwrap(), &worker_copy.view()));
    sync(&person_copy, &worker_copy);
    assert!(changed_since(found.latest().unwrap(), &worker_copy.view()));

    // The agreed version still opens as it was, on either phone.
    for copy in [&person_copy, &worker_copy] {
        let agreed = marks_in(copy, &person, &worker).latest().unwrap().clone();
        assert_eq!(
            copy.agreed_view(&agreed.statement),
            Some(agreed_view.clone())
        );
    }
    // A view someone put in place of the agreed one is not shown as it.
    let other = SectionDoc::new(SectionKind::CarePlan, 8);
    other
        .apply(&goal("g9", "Something never agreed"), &stamp(1))
        .unwrap();
    let sneaky = SectionDoc::new(SectionKind::CarePlan, 9);
    let fake = Mark::sign(marked.clone(), &keys(7), DAY);
    sneaky.add_mark(&fake, &other.view()).unwrap();
    assert_eq!(sneaky.agreed_view(&marked), None);
}

#[test]
fn a_second_phone_on_an_older_state_is_refused_until_it_syncs() {
    let (person_copy, worker_copy) = two_copies();

    // The person adds a goal and marks it; the worker's phone has not had that yet.
    person_copy
        .apply(&goal("g3", "Ring Mum on Sundays"), &stamp(4))
        .unwrap();
    let marked = statement(&person_copy);
    assert_eq!(
        may_join(&marked, &worker_copy.agreement_state(), &worker_copy.view()),
        Err(CannotJoin::Behind)
    );
    sync(&person_copy, &worker_copy);
    assert_eq!(
        may_join(&marked, &worker_copy.agreement_state(), &worker_copy.view()),
        Ok(())
    );

    // Only a deletion missing (a goal the person took out): behind too, not "different".
    let before_removal = SectionDoc::new(SectionKind::CarePlan, 6000);
    sync(&person_copy, &before_removal);
    person_copy
        .apply(
            &Edit::RemoveItem {
                list: "goals",
                id: ItemId::parse("g1").unwrap(),
            },
            &stamp(5),
        )
        .unwrap();
    let marked = statement(&person_copy);
    assert_eq!(
        may_join(
            &marked,
            &before_removal.agreement_state(),
            &before_removal.view()
        ),
        Err(CannotJoin::Behind)
    );
    sync(&person_copy, &before_removal);
    assert_eq!(
        may_join(
            &marked,
            &before_removal.agreement_state(),
            &before_removal.view()
        ),
        Ok(())
    );

    // A phone ahead of what was marked (it changed something since) cannot agree to the
    // marked words with its own on screen.
    sync(&person_copy, &worker_copy);
    worker_copy
        .apply(&goal("g4", "Swim on Tuesdays"), &stamp(6))
        .unwrap();
    assert_eq!(
        may_join(&marked, &worker_copy.agreement_state(), &worker_copy.view()),
        Err(CannotJoin::Different)
    );
    // Damaged state is said as such.
    let damaged = Statement {
        state: vec![0xff; 3],
        ..marked
    };
    assert_eq!(
        may_join(
            &damaged,
            &worker_copy.agreement_state(),
            &worker_copy.view()
        ),
        Err(CannotJoin::Damaged)
    );
}

#[test]
fn the_statement_mark_and_view_formats_are_pinned() {
    let copy = SectionDoc::new(SectionKind::CarePlan, 10);
    copy.apply(&goal("g1", "Swim"), &stamp(7)).unwrap();
    let view = copy.view();
    let bytes = view_bytes(&view);
    assert_eq!(
        view_from_bytes(SectionKind::CarePlan, &bytes).unwrap(),
        view
    );
    assert_eq!(hex(&view_hash(&view)), VIEW_HASH);

    let statement = Statement {
        plan: PLAN,
        section: SectionKind::CarePlan,
        state: vec![0, 0],
        view_hash: [0xab; 32],
    };
    assert_eq!(hex(&statement.to_bytes()), STATEMENT);
    assert_eq!(
        Statement::from_bytes(&statement.to_bytes()),
        Ok(statement.clone())
    );
    let mark = Mark::sign(statement, &keys(1), 1_700_000_000_000);
    assert!(mark.verifies());
    assert_eq!(hex(&mark.signature), SIGNATURE);
    assert_eq!(Mark::from_bytes(&mark.to_bytes()), Ok(mark.clone()));

    // A newer version is said as such; a damaged one, or one with bytes left over, read
    // as damaged.
    let mut newer = mark.to_bytes();
    newer[0] = 2;
    assert_eq!(
        Mark::from_bytes(&newer),
        Err(agreement::AgreementError::Newer(2))
    );
    let mut longer = mark.to_bytes();
    longer.push(0);
    assert_eq!(
        Mark::from_bytes(&longer),
        Err(agreement::AgreementError::Damaged)
    );
    let short = &mark.to_bytes()[..40];
    assert_eq!(
        Mark::from_bytes(short),
        Err(agreement::AgreementError::Damaged)
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const VIEW_HASH: &str = "73c747c6199136136a7dd2ba5f8ff60201ab66f8f1e0f52f5cf8fb10755a2114";
const STATEMENT: &str = "014242424242424242424242424242424202abababababababababababababababababababababababababababababababab000000020000";
const SIGNATURE: &str = "6fab17012dfad787312e925768fd1295477895a9f29beab450e28d9cf0a171b9dc31880a37b747b3f14156b9ff8a57cccc6994fc47457db6a4ff60779bb62708";

#[test]
fn a_change_that_only_marks_agreement_is_no_change_to_the_words_in_history() {
    use coplan_domain::plan::history::{self, Signed, Who};
    let copy = SectionDoc::new(SectionKind::CarePlan, 10);
    let goal = copy.apply(&goal("g1", "Swim"), &stamp(1)).unwrap();
    let mark = Mark::sign(statement(&copy), &keys(1), 2);
    let marked = copy.add_mark(&mark, &copy.view()).unwrap();
    assert!(!marked.is_empty());
    // Marking the same statement again writes nothing.
    assert!(copy.add_mark(&mark, &copy.view()).unwrap().is_empty());
    // The person adds a goal; the worker's change that only marks it agreed is told as
    // nothing (history tells the mark from the mark itself, `history::marked`).
    let signed = [
        (Who::Member([1; 32]), 1, &goal),
        (Who::Member([2; 32]), 2, &marked),
    ]
    .map(|(who, seq, update)| Signed {
        who,
        seq,
        written_ms: seq * 1000,
        received_ms: seq * 1000,
        update,
    });
    let entries = history::build(SectionKind::CarePlan, None, &signed).unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].who, Who::Member([1; 32]));
}
