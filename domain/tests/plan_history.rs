//! A section's history in plain words (issue 15 item 1), from a recorded sequence of
//! signed changes by three members, one of whom the person removed later: each change
//! named as what it did, by whom, grouped and newest first; list moves, cleared words,
//! suggestions taken in and declined; a change written offline says when it arrived; and
//! a member who joined later is told nothing from before they joined.

use coplan_domain::plan::history::{self, Did, Entry, Name, Signed, Who};
use coplan_domain::plan::suggestions::{Change, Decided, Suggestion};
use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp, Toward};

const PERSON: [u8; 32] = [1; 32];
const WORKER: [u8; 32] = [2; 32];
/// The carer, whom the person removed after all of this: their changes stay theirs.
const CARER: [u8; 32] = [3; 32];
const HOUR: u64 = 60 * 60 * 1000;
const DAY: u64 = 24 * HOUR;

/// The section's titles, as a screen would give them.
fn title(name: Name) -> String {
    match name {
        Name::Field("my_story") => "My story".into(),
        Name::Field("what_matters") => "What matters to me".into(),
        Name::List("warning_signs") => "Warning signs".into(),
        Name::List("on_my_own") => "Things I can do on my own".into(),
        Name::List("reasons_for_living") => "Reasons for living".into(),
        Name::List("strengths") => "Strengths".into(),
        Name::List("ask_for_help") => "Ask for help".into(),
        other => panic!("no title for {other:?}"),
    }
}

fn who(who: Who) -> &'static str {
    match who {
        Who::Member(PERSON) => "You",
        Who::Member(WORKER) => "Sam",
        Who::Member(CARER) => "Jo",
        Who::Member(_) => "Someone you invited",
        Who::BeforeSharing => "Before sharing, you",
        Who::Earlier => panic!("an earlier snapshot is told as nothing"),
    }
}

/// Each entry's lines, newest first, as "Who did what".
fn lines(entries: &[Entry]) -> Vec<String> {
    entries
        .iter()
        .flat_map(|entry| {
            entry
                .did
                .iter()
                .map(|did| format!("{} {}", who(entry.who), did.words(&title)))
        })
        .collect()
}

/// A plan's section written by several members, each on their own copy, every change
/// recorded in the order the server's log would hold it.
struct Recorded {
    kind: SectionKind,
    copies: Vec<(Who, SectionDoc)>,
    log: Vec<(Who, u64, u64, Vec<u8>)>,
}

impl Recorded {
    fn new(kind: SectionKind) -> Self {
        let copies = [
            (Who::BeforeSharing, 20),
            (Who::Member(PERSON), 10),
            (Who::Member(WORKER), 5000),
            (Who::Member(CARER), 9000),
        ]
        .into_iter()
        .map(|(who, client)| (who, SectionDoc::new(kind, client)))
        .collect();
        Self {
            kind,
            copies,
            log: Vec::new(),
        }
    }

    /// `who` makes `edit` at `at_ms` on their copy (which has every change so far), and
    /// the server receives it at `received_ms`.
    fn edit_received(&mut self, who: Who, at_ms: u64, received_ms: u64, edit: Edit) {
        let copy = &self.copies.iter().find(|(w, _)| *w == who).unwrap().1;
        for (_, _, _, update) in &self.log {
            // (One test records a damaged change: every copy passes over it.)
            let _ = copy.apply_update(update);
        }
        let stamp = Stamp {
            author: AuthorId::parse("someone").unwrap(),
            at_ms,
        };
        let update = copy.apply(&edit, &stamp).unwrap();
        assert!(!update.is_empty(), "{edit:?} changed nothing");
        self.log.push((who, at_ms, received_ms, update));
    }

    fn edit(&mut self, who: Who, at_ms: u64, edit: Edit) {
        self.edit_received(who, at_ms, at_ms + 1000, edit);
    }

    fn signed(&self) -> Vec<Signed<'_>> {
        self.log
            .iter()
            .enumerate()
            .map(|(at, (who, written_ms, received_ms, update))| Signed {
                who: *who,
                seq: at as u64 + 1,
                written_ms: *written_ms,
                received_ms: *received_ms,
                update,
            })
            .collect()
    }

    fn history(&self) -> Vec<Entry> {
        history::build(self.kind, None, &self.signed()).unwrap()
    }
}

fn id(text: &str) -> ItemId {
    ItemId::parse(text).unwrap()
}

fn add(list: &'static str, item: &str, words: &str) -> Edit {
    // People to ask for help are named; every other list here holds a line of text.
    let part = if list == "ask_for_help" {
        "name"
    } else {
        "text"
    };
    Edit::AddItem {
        list,
        id: id(item),
        parts: vec![(part, words.into())],
    }
}

#[test]
fn each_change_to_the_safety_plan_is_named_by_who_made_it_newest_first() {
    let mut plan = Recorded::new(SectionKind::SafetyPlan);
    let (me, sam, jo) = (Who::Member(PERSON), Who::Member(WORKER), Who::Member(CARER));
    plan.edit(
        Who::BeforeSharing,
        0,
        add("reasons_for_living", "r1", "My cat"),
    );
    plan.edit(me, 10 * HOUR, add("warning_signs", "w1", "Not sleeping"));
    // Two changes five minutes apart are told as one moment.
    plan.edit(
        me,
        10 * HOUR + 5 * 60_000,
        add("warning_signs", "w2", "Staying in bed"),
    );
    plan.edit(sam, 11 * HOUR, add("on_my_own", "o1", "Walk to the park"));
    plan.edit(jo, 12 * HOUR, add("warning_signs", "w3", "Skipping meals"));
    plan.edit(
        me,
        13 * HOUR,
        Edit::MoveItem {
            list: "warning_signs",
            id: id("w3"),
            toward: Toward::Start,
        },
    );
    plan.edit(
        sam,
        14 * HOUR,
        Edit::SetPart {
            list: "on_my_own",
            id: id("o1"),
            part: "text",
            text: "Walk to the park with Rex".into(),
        },
    );
    plan.edit(
        me,
        15 * HOUR,
        Edit::RemoveItem {
            list: "reasons_for_living",
            id: id("r1"),
        },
    );
    // Written offline on the worker's phone, received two days later.
    plan.edit_received(
        sam,
        16 * HOUR,
        16 * HOUR + 2 * DAY,
        add("on_my_own", "o2", "Phone Mum"),
    );

    let entries = plan.history();
    assert_eq!(
        lines(&entries),
        [
            "Sam added 'Phone Mum' to Things I can do on my own",
            "You removed 'My cat' from Reasons for living",
            "Sam changed 'Walk to the park' to 'Walk to the park with Rex' in Things I can do on my own",
            "You moved 'Skipping meals' in Warning signs",
            "Jo added 'Skipping meals' to Warning signs",
            "Sam added 'Walk to the park' to Things I can do on my own",
            "You added 'Not sleeping' to Warning signs",
            "You added 'Staying in bed' to Warning signs",
            "Before sharing, you added 'My cat' to Reasons for living",
        ]
    );
    // Newest first, each with its log numbers and times; only the offline one says
    // when it arrived.
    assert_eq!(entries[0].seqs, (9, 9));
    assert!(entries[0].arrived_late());
    assert!(entries.iter().skip(1).all(|e| !e.arrived_late()));
    let grouped = entries.iter().find(|e| e.did.len() == 2).unwrap();
    assert_eq!((grouped.who, grouped.seqs), (me, (2, 3)));
    assert_eq!(grouped.written_ms, (10 * HOUR, 10 * HOUR + 5 * 60_000));
    // What was removed holds its words whole, to be brought back.
    assert_eq!(
        entries[1].did,
        [Did::Removed {
            list: "reasons_for_living",
            parts: vec![("text", "My cat".into())],
        }]
    );
}

#[test]
fn words_written_taken_out_changed_and_cleared_in_a_field_are_told_by_whole_words() {
    let mut plan = Recorded::new(SectionKind::AboutMe);
    let (me, sam) = (Who::Member(PERSON), Who::Member(WORKER));
    let story = |text: &str| Edit::SetField {
        field: "my_story",
        text: text.into(),
    };
    plan.edit(me, HOUR, story("I swim on Tuesdays"));
    plan.edit(sam, 2 * HOUR, story("I swim on Tuesdays and Fridays"));
    plan.edit(me, 3 * HOUR, story("I swim on Fridays"));
    plan.edit(me, 4 * HOUR, story("I walk on Fridays"));
    plan.edit(
        sam,
        5 * HOUR,
        Edit::SetField {
            field: "what_matters",
            text: "My dog".into(),
        },
    );
    plan.edit(me, 6 * HOUR, story(""));
    assert_eq!(
        lines(&plan.history()),
        [
            "You cleared My story (it said 'I walk on Fridays')",
            "Sam wrote 'My dog' in What matters to me",
            "You changed 'swim' to 'walk' in My story",
            "You took 'Tuesdays and' out of My story",
            "Sam wrote 'and Fridays' in My story",
            "You wrote 'I swim on Tuesdays' in My story",
        ]
    );
}

#[test]
fn suggestions_and_marks_of_agreement_are_told_among_the_changes() {
    let mut plan = Recorded::new(SectionKind::AboutMe);
    let me = Who::Member(PERSON);
    let jo = Who::Member(CARER);
    plan.edit(me, HOUR, add("strengths", "s1", "Kind"));
    // Jo suggests two strengths; the person takes one in (a change of their own) and
    // declines the other; a third waits.
    let suggestion = |id: &str, words: &str, at_ms| Suggestion {
        id: id.into(),
        change: Change::AddItem {
            list: "strengths",
            parts: vec![("text", words.into())],
        },
        was: String::new(),
        at_ms,
    };
    let taken = suggestion("a", "Good with animals", 2 * HOUR);
    let declined = suggestion("b", "Always on time", 2 * HOUR + 60_000);
    let waiting = suggestion("c", "Funny", 5 * HOUR);
    plan.edit(me, 3 * HOUR, add("strengths", "s2", "Good with animals"));
    let decided = |taken, at_ms| Some(Decided { taken, at_ms });
    let entries = history::with_suggestions(
        plan.history(),
        [
            history::suggested(jo, &taken, decided(true, 3 * HOUR)),
            history::suggested(jo, &declined, decided(false, 3 * HOUR)),
            history::suggested(jo, &waiting, None),
            history::marked(Who::Member(WORKER), 4 * HOUR),
        ],
    );
    assert_eq!(
        lines(&entries),
        [
            "Jo suggested adding 'Funny' to Strengths · not decided yet",
            "Sam marked this part as agreed",
            "You added 'Good with animals' to Strengths",
            "Jo suggested adding 'Always on time' to Strengths · declined",
            "Jo suggested adding 'Good with animals' to Strengths · taken in",
            "You added 'Kind' to Strengths",
        ]
    );
}

#[test]
fn a_member_who_joined_later_is_told_nothing_from_before_they_joined() {
    let mut plan = Recorded::new(SectionKind::SafetyPlan);
    let (me, sam) = (Who::Member(PERSON), Who::Member(WORKER));
    plan.edit(me, HOUR, add("ask_for_help", "a1", "Call Dad"));
    plan.edit(me, 2 * HOUR, add("ask_for_help", "a2", "Call Aunt Rose"));
    plan.edit(
        me,
        3 * HOUR,
        Edit::RemoveItem {
            list: "ask_for_help",
            id: id("a1"),
        },
    );
    // Sam joins: their history starts from the state the section had then (the fresh
    // snapshot of their epoch), which no longer holds the removed words at all.
    let joined = plan.copies[1].1.encode_state();
    assert!(
        !joined.windows(8).any(|w| w == b"Call Dad"),
        "the state a new member starts from holds no words removed before"
    );
    let before = plan.log.len();
    plan.edit(
        sam,
        4 * HOUR,
        add("ask_for_help", "a3", "Text the crisis line"),
    );
    let later: Vec<Signed<'_>> = plan.signed().split_off(before);
    let entries = history::build(SectionKind::SafetyPlan, Some(&joined), &later).unwrap();
    let told = lines(&entries);
    assert_eq!(told, ["Sam added 'Text the crisis line' to Ask for help"]);
    assert!(
        told.iter()
            .all(|line| !line.contains("Dad") && !line.contains("Rose"))
    );
}

#[test]
fn a_change_that_does_not_apply_adds_nothing_and_the_rest_still_do() {
    let mut plan = Recorded::new(SectionKind::SafetyPlan);
    let me = Who::Member(PERSON);
    plan.edit(me, HOUR, add("warning_signs", "w1", "Not sleeping"));
    plan.log
        .push((me, 2 * HOUR, 2 * HOUR, b"not an update".to_vec()));
    plan.edit(me, 3 * HOUR, add("warning_signs", "w2", "Shouting"));
    assert_eq!(
        lines(&plan.history()),
        [
            "You added 'Shouting' to Warning signs",
            "You added 'Not sleeping' to Warning signs",
        ]
    );
}

#[test]
fn long_words_are_cut_and_every_title_comes_from_the_caller() {
    let long = "a".repeat(100);
    assert_eq!(history::quote(&long), format!("'{}…'", "a".repeat(80)));
    assert_eq!(history::quote("  short  "), "'short'");
    let did = Did::Picked {
        choice: "rating_home",
        value: "5".into(),
    };
    assert_eq!(
        did.words(&|_| "How I feel about home".into()),
        "chose '5' for How I feel about home"
    );
}

/// History reads each group's view by reading again only what the group touched
/// (`SectionDoc::watch` and `refresh`): after every kind of change, from this copy or
/// another, that reads exactly as the whole view does.
#[test]
fn a_view_refreshed_after_each_change_reads_as_the_whole_view() {
    let writer = SectionDoc::new(SectionKind::SafetyPlan, 4096);
    let reader = SectionDoc::new(SectionKind::SafetyPlan, 1);
    let touched = reader.watch();
    let mut view = reader.view();
    let stamp = |at_ms| Stamp {
        author: AuthorId::parse("someone").unwrap(),
        at_ms,
    };
    let edits = [
        add("warning_signs", "w1", "Not sleeping"),
        add("warning_signs", "w2", "Skipping meals"),
        add("reasons_for_living", "r1", "My cat"),
        Edit::SetPart {
            list: "warning_signs",
            id: id("w1"),
            part: "text",
            text: "Not sleeping well".into(),
        },
        Edit::MoveItem {
            list: "warning_signs",
            id: id("w2"),
            toward: Toward::Start,
        },
        Edit::SetHidden {
            list: "distractions",
            hidden: true,
        },
        Edit::RemoveItem {
            list: "warning_signs",
            id: id("w1"),
        },
        Edit::SetHidden {
            list: "distractions",
            hidden: false,
        },
    ];
    for (n, edit) in edits.iter().enumerate() {
        let update = writer.apply(edit, &stamp(n as u64)).unwrap();
        reader.apply_update(&update).unwrap();
        let before = view.clone();
        let (was, now) = reader.refresh(&mut view, &touched);
        assert_eq!(view, reader.view(), "after {edit:?}");
        assert_eq!(view, writer.view());
        // What it says was and is now are the parts that differ, as they were and are.
        assert_eq!(
            history::differences(SectionKind::SafetyPlan, &was, &now),
            history::differences(SectionKind::SafetyPlan, &before, &view),
            "after {edit:?}"
        );
    }
    // Fields and choices (the care plan has both).
    let writer = SectionDoc::new(SectionKind::CarePlan, 4096);
    let reader = SectionDoc::new(SectionKind::CarePlan, 1);
    let touched = reader.watch();
    let mut view = reader.view();
    let edits = [
        Edit::SetField {
            field: "different_home",
            text: "A dry flat".into(),
        },
        Edit::SetChoice {
            name: "next_review",
            value: "2027-03-03".into(),
        },
        Edit::SetField {
            field: "different_home",
            text: "A dry flat near the park".into(),
        },
        Edit::SetChoice {
            name: "next_review",
            value: String::new(),
        },
    ];
    for (n, edit) in edits.iter().enumerate() {
        let update = writer.apply(edit, &stamp(n as u64)).unwrap();
        reader.apply_update(&update).unwrap();
        let before = view.clone();
        let (was, now) = reader.refresh(&mut view, &touched);
        assert_eq!(view, reader.view(), "after {edit:?}");
        assert_eq!(view, writer.view());
        // What it says was and is now are the parts that differ, as they were and are.
        assert_eq!(
            history::differences(SectionKind::CarePlan, &was, &now),
            history::differences(SectionKind::CarePlan, &before, &view),
            "after {edit:?}"
        );
    }
}

/// A history kept after it was built (`history::Kept`) and carried on with only what
/// arrived since reads exactly as the whole history built at once, wherever the split
/// falls (inside a group of one person's changes too); and kept in its stored form.
#[test]
fn a_history_carried_on_from_what_was_kept_reads_as_one_built_at_once() {
    let mut plan = Recorded::new(SectionKind::SafetyPlan);
    let (me, sam) = (Who::Member(PERSON), Who::Member(WORKER));
    plan.edit(
        Who::BeforeSharing,
        0,
        add("reasons_for_living", "r1", "My cat"),
    );
    plan.edit(me, HOUR, add("warning_signs", "w1", "Not sleeping"));
    plan.edit(
        me,
        HOUR + 60_000,
        add("warning_signs", "w2", "Staying in bed"),
    );
    plan.edit(
        me,
        HOUR + 120_000,
        Edit::RemoveItem {
            list: "warning_signs",
            id: id("w1"),
        },
    );
    plan.edit(sam, 2 * HOUR, add("on_my_own", "o1", "Walk"));
    plan.edit(
        sam,
        2 * HOUR + 60_000,
        Edit::SetPart {
            list: "on_my_own",
            id: id("o1"),
            part: "text",
            text: "Walk to the park".into(),
        },
    );
    plan.edit(
        me,
        3 * HOUR,
        Edit::SetHidden {
            list: "distractions",
            hidden: true,
        },
    );
    let signed = plan.signed();
    let whole = plan.history();
    assert_eq!(whole.len(), 4, "{whole:?}");
    for split in 0..=signed.len() {
        let (first, kept) =
            history::build_on(SectionKind::SafetyPlan, None, None, &signed[..split]).unwrap();
        assert_eq!(
            first,
            history::build(SectionKind::SafetyPlan, None, &signed[..split]).unwrap()
        );
        let bytes = kept.to_bytes();
        let kept = history::Kept::from_bytes(SectionKind::SafetyPlan, &bytes).expect("reads back");
        let rest: Vec<_> = signed
            .iter()
            .copied()
            .filter(|c| c.seq > kept.after)
            .collect();
        let (entries, _) =
            history::build_on(SectionKind::SafetyPlan, Some(&kept), None, &rest).unwrap();
        assert_eq!(entries, whole, "split after {split} changes");
    }
}

/// The stored form of a kept history (version 1) is pinned: it is kept on phones.
#[test]
fn the_kept_history_format_is_pinned() {
    let kept = history::Kept {
        entries: vec![
            Entry {
                who: Who::Member([0xab; 32]),
                seqs: (2, 3),
                written_ms: (10, 20),
                received_ms: 30,
                did: vec![
                    Did::Added {
                        list: "warning_signs",
                        parts: vec![("text", "Not sleeping".into())],
                    },
                    Did::Hid {
                        list: "distractions",
                        hidden: true,
                    },
                ],
            },
            Entry {
                who: Who::BeforeSharing,
                seqs: (1, 1),
                written_ms: (5, 5),
                received_ms: 6,
                did: vec![Did::Changed {
                    list: "on_my_own",
                    item: "Walk".into(),
                    part: "text",
                    was: "Walk".into(),
                    now: "Walk far".into(),
                }],
            },
        ],
        pages: 4,
        state: vec![1, 2, 3],
        after: 1,
    };
    let entries = concat!(
        r#""entries":[{"who":"m:"#,
        "abababababababababababababababababababababababababababababababab",
        r#"","seqs":[2,3],"written":[10,20],"received":30,"did":[{"k":"added","list":"warning_signs","parts":[["text","Not sleeping"]]},{"k":"hid","list":"distractions","hidden":true}]},"#,
        r#"{"who":"before","seqs":[1,1],"written":[5,5],"received":6,"did":[{"k":"changed","list":"on_my_own","item":"Walk","part":"text","was":"Walk","now":"Walk far"}]}]}"#
    );
    let bytes = kept.to_bytes();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        format!(r#"{{"v":2,"after":1,"state":"AQID","pages":4,{entries}"#)
    );
    assert_eq!(
        history::Kept::from_bytes(SectionKind::SafetyPlan, &bytes),
        Some(kept.clone())
    );
    // A page of older entries, kept beside.
    let page = history::page_to_bytes(&kept.entries);
    assert_eq!(
        String::from_utf8(page.clone()).unwrap(),
        format!(r#"{{"v":2,{entries}"#)
    );
    assert_eq!(
        history::page_from_bytes(SectionKind::SafetyPlan, &page),
        Some(kept.entries.clone())
    );
    // Another version (1 held every entry in one record), or a name this section does
    // not hold, is built again instead.
    let text = String::from_utf8(bytes).unwrap();
    for version in [1, 3] {
        let other = text.replacen(r#""v":2"#, &format!(r#""v":{version}"#), 1);
        assert_eq!(
            history::Kept::from_bytes(SectionKind::SafetyPlan, other.as_bytes()),
            None
        );
        let other = String::from_utf8(page.clone()).unwrap().replacen(
            r#""v":2"#,
            &format!(r#""v":{version}"#),
            1,
        );
        assert_eq!(
            history::page_from_bytes(SectionKind::SafetyPlan, other.as_bytes()),
            None
        );
    }
    assert_eq!(
        history::Kept::from_bytes(SectionKind::CarePlan, text.as_bytes()),
        None
    );
}

/// A long history kept in pages (`Kept::page_out`), carried on in slices wherever they
/// fall, reads as the whole built at once: what was shown last (the changes since and
/// the entries kept with the state), then each page, newest first. What is read to
/// carry on never holds more than a page of entries.
#[test]
fn a_long_history_kept_in_pages_reads_as_one_built_at_once() {
    use coplan_domain::plan::workload;
    let kind = SectionKind::SafetyPlan;
    let changes = workload::three_writers(3_200);
    let signed = workload::signed(&changes, &[PERSON, WORKER, CARER]);
    let whole = history::build(kind, None, &signed).unwrap();
    assert!(
        whole.len() > 2 * history::PAGE_ENTRIES,
        "{} entries",
        whole.len()
    );
    for slice in [37, 250, 999, 3_200] {
        let mut kept: Option<history::Kept> = None;
        let mut pages: Vec<Vec<Entry>> = Vec::new();
        let (mut shown, mut earlier) = (Vec::new(), 0);
        let mut at = 0;
        while at < signed.len() {
            let after = kept.as_ref().map_or(0, |k| k.after);
            let rest: Vec<_> = signed
                .iter()
                .copied()
                .filter(|c| c.seq > after)
                .take(slice)
                .collect();
            at = rest.last().map_or(signed.len(), |c| c.seq as usize);
            assert!(
                kept.as_ref()
                    .is_none_or(|k| k.entries.len() <= history::PAGE_ENTRIES)
            );
            let (entries, mut keep) = history::build_on(kind, kept.as_ref(), None, &rest).unwrap();
            earlier = keep.pages;
            for (n, page) in keep.page_out() {
                assert_eq!(n as usize, pages.len(), "pages in order");
                assert_eq!(page.len(), history::PAGE_ENTRIES);
                pages.push(history::page_from_bytes(kind, &history::page_to_bytes(&page)).unwrap());
            }
            assert_eq!(keep.pages as usize, pages.len());
            shown = entries;
            kept = Some(history::Kept::from_bytes(kind, &keep.to_bytes()).unwrap());
        }
        // The screen's list: what the last carrying on gave, then each page kept before
        // it, newest first.
        let mut read = shown;
        for page in pages[..earlier as usize].iter().rev() {
            read.extend(page.iter().cloned());
        }
        assert_eq!(read, whole, "slices of {slice}");
    }
    // Told a page at a time, the marks of agreement (as suggestions are) fall among the
    // changes as they do in the whole, wherever they fall: on the newest page, between
    // pages, and older than every change.
    let span = whole[0].written_ms.1 - whole[whole.len() - 1].written_ms.1;
    let oldest = whole[whole.len() - 1].written_ms.1;
    let marks: Vec<Entry> = (0..=20)
        .map(|n| history::marked(Who::Member(PERSON), oldest - 1 + span * n / 20))
        .collect();
    let told = history::with_suggestions(whole.clone(), marks.clone());
    let mut pages: Vec<Vec<Entry>> = vec![whole[..57].to_vec()];
    pages.extend(
        whole[57..]
            .chunks(history::PAGE_ENTRIES)
            .map(<[Entry]>::to_vec),
    );
    let (mut read, mut held) = (Vec::new(), marks);
    let count = pages.len();
    for (n, page) in pages.into_iter().enumerate() {
        let (lines, older) = history::with_suggestions_on_page(page, held, n + 1 < count);
        read.extend(lines);
        held = older;
    }
    assert!(held.is_empty());
    assert_eq!(read, told);
}
