//! Compaction by phones (`coplan_domain::sync::compaction`): when a phone seals a
//! snapshot and what it may claim, how a snapshot the server sends first stands for the
//! log it covers, and the check every phone makes that a snapshot covers what it received.
//! The convergence harness (`server/tests/api/convergence.rs`) drives these at scale.

use coplan_domain::envelope::{Encoding, Header, What, seal};
use coplan_domain::keys::AccountKeys;
use coplan_domain::plan::{AuthorId, Edit, SectionDoc, SectionKind, Stamp};
use coplan_domain::sync::compaction::{Tail, Threshold, covers};
use coplan_domain::sync::{DocumentResponse, DocumentSync, Pulled};

const DOC: [u8; 16] = [0xd0; 16];
const ME: [u8; 16] = [0x01; 16];
const OTHER: [u8; 16] = [0x02; 16];

fn sealed(what: What, counter: u64, covers: u64) -> Vec<u8> {
    let header = Header {
        what,
        encoding: Encoding::Yrs,
        kind: 3,
        plan: [0; 16],
        document: DOC,
        epoch: 1,
        device: OTHER,
        counter,
        range_start: 4096,
        covers,
    };
    let keys = AccountKeys::from_random(&[1; 64]);
    seal(&header, &[7; 40], &[9; 32], &[counter as u8; 24], &keys).unwrap()
}

fn change(seq: u64) -> Pulled {
    Pulled {
        seq,
        received_ms: 1,
        envelope: sealed(What::Change, seq, 0),
    }
}

fn snapshot(seq: u64, covers: u64) -> Pulled {
    Pulled {
        seq,
        received_ms: 1,
        envelope: sealed(What::Snapshot, seq, covers),
    }
}

fn answer(head: u64, pulled: Vec<Pulled>) -> DocumentResponse {
    DocumentResponse {
        document: DOC,
        log_id: "log-1".into(),
        head,
        pushed: Vec::new(),
        pulled,
    }
}

fn seqs(pulled: &[Pulled]) -> Vec<u64> {
    pulled.iter().map(|p| p.seq).collect()
}

/// The server dropped entries 1 to 7, covered by the snapshot numbered 10: a phone at 2
/// gets that snapshot first, then 8, 9 and 11, and passes over 10 when it comes to it.
#[test]
fn a_snapshot_sent_first_stands_for_the_log_it_covers() {
    let mut sync = DocumentSync::new(DOC, ME);
    sync.cursor = 2;
    let received = sync.receive(&answer(
        11,
        vec![snapshot(10, 7), change(8), change(9), change(11)],
    ));
    assert_eq!(seqs(&received.to_apply), vec![10, 8, 9, 11]);
    assert_eq!(received.up_to, 11);
    assert!(!received.more);
    // The tail starts at the snapshot: 8, 9 and 11 are past it.
    assert_eq!(sync.tail.changes, 3);
}

/// An answer cut short after the snapshot sent first: the cursor stops before the
/// snapshot's own number, so the next pull brings the rest (and the snapshot again,
/// which merges as a no-op).
#[test]
fn an_answer_cut_short_after_the_snapshot_asks_again_from_what_it_covers() {
    let mut sync = DocumentSync::new(DOC, ME);
    let received = sync.receive(&answer(12, vec![snapshot(10, 7), change(8)]));
    assert_eq!(received.up_to, 8);
    assert!(received.more);
    // The snapshot's number is passed over once the log reaches it.
    sync.stored(received.up_to);
    let received = sync.receive(&answer(12, vec![change(9), change(11), change(12)]));
    assert_eq!(
        received.up_to, 9,
        "a gap at 10: it was taken early only in the answer that sent it"
    );
    assert!(received.more);
}

/// A snapshot may stand only for the entries from the cursor to what it covers: one
/// covering less than the cursor already reached is a gap, and the pull stops there; the
/// entries after what it covers must follow without a gap.
#[test]
fn a_gap_a_snapshot_does_not_cover_stops_the_pull() {
    let mut sync = DocumentSync::new(DOC, ME);
    sync.cursor = 8;
    let received = sync.receive(&answer(11, vec![snapshot(10, 5), change(11)]));
    assert!(received.to_apply.is_empty());
    assert_eq!(received.up_to, 8);
    assert!(received.more);
    let received = sync.receive(&answer(11, vec![change(10)]));
    assert!(
        received.to_apply.is_empty(),
        "a change never stands for a gap"
    );
    assert_eq!(received.up_to, 8);

    let mut sync = DocumentSync::new(DOC, ME);
    sync.cursor = 2;
    let received = sync.receive(&answer(11, vec![snapshot(10, 5), change(7)]));
    assert_eq!(seqs(&received.to_apply), vec![10]);
    assert_eq!(received.up_to, 5, "6 is missing");
    assert!(received.more);
}

const SMALL: Threshold = Threshold {
    changes: 3,
    bytes: 1_000,
};

#[test]
fn a_phone_sends_a_snapshot_past_the_threshold_claiming_its_cursor() {
    let mut tail = Tail::default();
    tail.saw(None, 100);
    tail.saw(None, 100);
    assert_eq!(tail.to_send(SMALL, 2, false), None);
    tail.saw(None, 100);
    assert_eq!(tail.to_send(SMALL, 3, false), Some(3));
    assert_eq!(
        tail.to_send(SMALL, 3, true),
        None,
        "not while anything waits"
    );
    tail.sent();
    assert_eq!(tail.to_send(SMALL, 3, false), None);
}

#[test]
fn a_long_tail_in_bytes_is_compacted_only_once_it_passes_the_snapshot() {
    let mut tail = Tail::default();
    let header = Header {
        what: What::Snapshot,
        encoding: Encoding::Yrs,
        kind: 3,
        plan: [0; 16],
        document: DOC,
        epoch: 1,
        device: OTHER,
        counter: 0,
        range_start: 4096,
        covers: 4,
    };
    tail.saw(Some(&header), 5_000);
    tail.saw(None, 2_000);
    tail.saw(None, 2_000);
    assert_eq!(tail.to_send(SMALL, 6, false), None, "4,000 bytes of 5,000");
    tail.saw(None, 1_500);
    assert_eq!(tail.to_send(SMALL, 7, false), Some(7));
}

/// Something that did not open here may hold words this phone cannot know: it never
/// claims to cover it, and when a snapshot is due it sends one covering nothing. A
/// snapshot it checked, covering that entry, lifts this.
#[test]
fn a_phone_never_claims_to_cover_what_it_could_not_open() {
    let mut tail = Tail::default();
    for _ in 0..5 {
        tail.saw(None, 10);
    }
    tail.not_opened(4);
    assert_eq!(tail.to_send(SMALL, 5, false), None);
    tail.snapshot_due();
    assert_eq!(tail.to_send(SMALL, 5, false), Some(0));
    tail.checked(5, 3);
    assert_eq!(tail.to_send(SMALL, 5, false), Some(0), "3 does not reach 4");
    tail.checked(6, 4);
    assert_eq!(tail.to_send(SMALL, 5, false), Some(5));
}

/// A snapshot that passed the check stands for what it covers: a later one is checked
/// against it and what came after, unless it is not among what the later one covers.
#[test]
fn a_snapshot_is_checked_only_against_what_came_after_the_last_one_that_passed() {
    let mut tail = Tail::default();
    assert_eq!(tail.check_from(20), 0);
    tail.checked(10, 7);
    assert_eq!(tail.check_from(20), 7);
    assert_eq!(
        tail.check_from(9),
        0,
        "the snapshot at 10 is not among 1 to 9"
    );
    tail.checked(12, 5);
    assert_eq!(tail.check_from(20), 7, "one covering less changes nothing");
}

fn stamp() -> Stamp {
    Stamp {
        author: AuthorId::parse("phone-1").unwrap(),
        at_ms: 1,
    }
}

fn story(doc: &SectionDoc, text: &str) -> Vec<u8> {
    doc.apply(
        &Edit::SetField {
            field: "my_story",
            text: text.into(),
        },
        &stamp(),
    )
    .unwrap()
}

#[test]
fn a_snapshot_covers_the_changes_it_holds_and_not_one_word_or_deletion_less() {
    let kind = SectionKind::AboutMe;
    let phone = SectionDoc::new(kind, 4096);
    let first = story(&phone, "tea with Sam ");
    let second = story(&phone, "tea with Sam on Sundays ");
    let whole = phone.encode_state();
    assert!(covers(kind, &whole, &[&first, &second]));

    let early = SectionDoc::new(kind, 8192);
    early.apply_update(&first).unwrap();
    assert!(
        !covers(kind, &early.encode_state(), &[&first, &second]),
        "a word missing"
    );

    let removed = story(&phone, "on Sundays ");
    assert!(
        !covers(kind, &whole, &[&first, &second, &removed]),
        "a deletion missing"
    );
    assert!(covers(
        kind,
        &phone.encode_state(),
        &[&first, &second, &removed]
    ));

    assert!(
        covers(kind, &whole, &[&first, b"\xff not an update"]),
        "a damaged change is passed over: nobody took it in"
    );
    assert!(!covers(kind, b"\xff not a snapshot", &[&first]));
}

/// A snapshot the server would not take under its counter goes again under a new one,
/// still a snapshot claiming what it first claimed: its words are the document as it
/// was then, whatever the cursor has reached since.
#[test]
fn a_snapshot_sealed_again_claims_no_more_than_it_first_did() {
    let mut sync = DocumentSync::new(DOC, OTHER);
    let counter = sync.take_counter();
    sync.queue(
        counter,
        coplan_domain::sync::Waiting {
            payload: vec![1],
            sealed: sealed(What::Snapshot, counter, 5),
        },
    );
    sync.cursor = 9;
    let resealed = sync.reseal(counter).unwrap();
    assert_eq!((resealed.what, resealed.covers), (What::Snapshot, 5));
    assert_eq!(resealed.counter, 1);
}
