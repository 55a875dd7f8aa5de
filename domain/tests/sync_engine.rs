//! The phone's sync engine (`coplan_domain::sync::DocumentSync`) step by step: what it
//! sends, what it keeps, and how it reads every kind of answer. The convergence harness
//! (`server/tests/api/convergence.rs`) drives it at scale; these pin each rule.

use coplan_domain::envelope::{Encoding, Header, What, seal};
use coplan_domain::keys::AccountKeys;
use coplan_domain::limits::{ENVELOPE_MAX_BYTES, SYNC_BODY_MAX_BYTES};
use coplan_domain::sync::wire::write_request;
use coplan_domain::sync::{DocumentResponse, DocumentSync, Pulled, PushAnswer, Waiting, requests};

const DOC: [u8; 16] = [0xd0; 16];
const ME: [u8; 16] = [0x01; 16];
const OTHER: [u8; 16] = [0x02; 16];

fn sealed(device: [u8; 16], counter: u64) -> Vec<u8> {
    let header = Header {
        what: What::Change,
        encoding: Encoding::Yrs,
        kind: 3,
        plan: [0; 16],
        document: DOC,
        epoch: 1,
        device,
        counter,
        range_start: 4096,
        covers: 0,
    };
    let keys = AccountKeys::from_random(&[1; 64]);
    seal(
        &header,
        &[counter as u8; 3],
        &[9; 32],
        &[counter as u8; 24],
        &keys,
    )
    .unwrap()
}

fn pulled(seq: u64, device: [u8; 16]) -> Pulled {
    Pulled {
        seq,
        received_ms: 1,
        envelope: sealed(device, seq),
    }
}

fn answer(head: u64, pushed: Vec<PushAnswer>, pulled: Vec<Pulled>) -> DocumentResponse {
    DocumentResponse {
        document: DOC,
        log_id: "log-1".into(),
        head,
        pushed,
        pulled,
    }
}

fn with_waiting(count: u64) -> DocumentSync {
    let mut sync = DocumentSync::new(DOC, ME);
    for _ in 0..count {
        let counter = sync.take_counter();
        sync.queue(
            counter,
            Waiting {
                payload: vec![counter as u8],
                sealed: sealed(ME, counter),
            },
        );
    }
    sync
}

#[test]
fn waiting_changes_go_in_counter_order_until_the_server_has_them() {
    let mut sync = with_waiting(3);
    let request = sync.request(2);
    assert_eq!(request.after, 0);
    assert_eq!(request.push, [sealed(ME, 0), sealed(ME, 1)]);
    // The answer is lost: the same bytes go again.
    assert_eq!(sync.request(2), request);
    let got = sync.receive(&answer(
        2,
        vec![
            PushAnswer::Stored { counter: 0, seq: 1 },
            PushAnswer::Stored { counter: 1, seq: 2 },
        ],
        vec![pulled(1, ME), pulled(2, ME)],
    ));
    // Its own changes come back: nothing to apply, but the cursor may move past them.
    assert!(got.to_apply.is_empty());
    assert_eq!(got.up_to, 2);
    sync.stored(got.up_to);
    assert_eq!(sync.cursor, 2);
    assert_eq!(sync.request(5).push, [sealed(ME, 2)]);
}

#[test]
fn others_changes_are_applied_in_order_and_a_gap_stops_the_pull() {
    let mut sync = DocumentSync::new(DOC, ME);
    let got = sync.receive(&answer(
        5,
        Vec::new(),
        vec![pulled(1, OTHER), pulled(2, OTHER), pulled(4, OTHER)],
    ));
    let seqs: Vec<u64> = got.to_apply.iter().map(|p| p.seq).collect();
    assert_eq!(seqs, [1, 2]);
    assert_eq!(got.up_to, 2);
    assert!(got.more, "the gap is asked for again");
    // Until stored, the cursor stays: a crash now pulls them again.
    assert_eq!(sync.cursor, 0);
    sync.stored(got.up_to);
    // A late, repeated answer neither applies twice nor moves the cursor back.
    let got = sync.receive(&answer(
        5,
        Vec::new(),
        vec![pulled(1, OTHER), pulled(2, OTHER)],
    ));
    assert!(got.to_apply.is_empty());
    sync.stored(got.up_to);
    assert_eq!(sync.cursor, 2);
    assert!(got.more, "the head is past the cursor");
}

#[test]
fn a_reused_counter_is_sealed_again_and_a_refused_change_is_said() {
    let mut sync = with_waiting(2);
    let got = sync.receive(&answer(
        0,
        vec![
            PushAnswer::CounterReused { counter: 0 },
            PushAnswer::Refused { counter: 1 },
        ],
        Vec::new(),
    ));
    assert_eq!(got.to_reseal, [0]);
    assert_eq!(got.refused, [1]);
    let resealed = sync.reseal(0).unwrap();
    let (counter, payload) = (resealed.counter, resealed.payload);
    assert_eq!((counter, payload), (2, vec![0]));
    assert!(
        !sync.has_waiting(),
        "the refused one is gone, the resealed one not yet queued"
    );
}

/// A change sealed under an epoch the document has moved past is kept, not lost nor
/// refused: the answer asks for the new key, and once it is here every change sealed
/// before that epoch goes again under a new counter with the same words.
#[test]
fn a_change_sealed_under_a_stale_epoch_waits_to_be_sealed_again() {
    let mut sync = with_waiting(2);
    let got = sync.receive(&answer(
        0,
        vec![
            PushAnswer::StaleEpoch { counter: 0 },
            PushAnswer::StaleEpoch { counter: 1 },
        ],
        Vec::new(),
    ));
    assert!(got.stale_epoch);
    assert!(got.refused.is_empty() && got.to_reseal.is_empty());
    assert_eq!(sync.outbox.len(), 2, "both still wait");
    // `sealed` seals at epoch 1: nothing is stale until the document moves past it.
    assert!(sync.sealed_before(1).is_empty());
    assert_eq!(sync.sealed_before(2), [0, 1]);
    let again = sync.reseal(0).unwrap();
    assert_eq!((again.counter, again.payload), (2, vec![0]));
    assert!(!got.restored && !got.more);
}

#[test]
fn a_new_log_id_or_a_head_below_the_cursor_means_a_restored_server() {
    let mut sync = DocumentSync::new(DOC, ME);
    let got = sync.receive(&answer(
        3,
        Vec::new(),
        vec![pulled(1, OTHER), pulled(2, OTHER), pulled(3, OTHER)],
    ));
    sync.stored(got.up_to);
    assert_eq!(sync.cursor, 3);

    let mut restored = answer(2, Vec::new(), vec![pulled(3, OTHER)]);
    restored.log_id = "log-2".into();
    let got = sync.receive(&restored);
    assert!(got.restored && got.more);
    assert!(
        got.to_apply.is_empty(),
        "numbers from another log mean nothing here"
    );
    assert_eq!((sync.cursor, sync.send_whole_state), (0, true));
    assert_eq!(sync.log_id.as_deref(), Some("log-2"));

    let mut sync = DocumentSync::new(DOC, ME);
    let got = sync.receive(&answer(
        3,
        Vec::new(),
        vec![pulled(1, OTHER), pulled(2, OTHER), pulled(3, OTHER)],
    ));
    sync.stored(got.up_to);
    let got = sync.receive(&answer(1, Vec::new(), Vec::new()));
    assert!(got.restored);
    assert_eq!(sync.cursor, 0);
}

#[test]
fn one_request_for_every_document_fits_one_sync_body() {
    // A plan with long sections attached: each of five documents has two of the largest
    // changes waiting.
    let engines: Vec<DocumentSync> = (0..5u8)
        .map(|d| {
            let mut sync = DocumentSync::new([d; 16], ME);
            for _ in 0..2 {
                let counter = sync.take_counter();
                let sealed = vec![d; ENVELOPE_MAX_BYTES];
                sync.queue(
                    counter,
                    Waiting {
                        payload: Vec::new(),
                        sealed,
                    },
                );
            }
            sync
        })
        .collect();
    let request = requests(&engines, 16);
    let body = write_request(&request);
    assert!(body.len() <= SYNC_BODY_MAX_BYTES, "{} bytes", body.len());
    assert_eq!(request.len(), 5, "every document's cursor goes");
    assert_eq!(request[0].push.len(), 1, "the first change always goes");
    // Small changes all go, and the sizes are counted exactly: a body filled to the byte.
    let mut small = DocumentSync::new(DOC, ME);
    let head = 5 + 26;
    let each = (SYNC_BODY_MAX_BYTES - head) / 4 - 4;
    for _ in 0..5 {
        let counter = small.take_counter();
        let sealed = vec![1; each];
        small.queue(
            counter,
            Waiting {
                payload: Vec::new(),
                sealed,
            },
        );
    }
    let request = requests([&small], 16);
    assert_eq!(request[0].push.len(), 4);
    assert!(SYNC_BODY_MAX_BYTES - write_request(&request).len() < 4);
}

/// A phone that only took words out (shortened a field, removed an item) has a change to
/// send like any other: the other phones lose those words too. (Taking out adds no new
/// blocks, so the document's state vector does not move.)
#[test]
fn a_change_that_only_takes_words_out_is_sent() {
    use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp};
    use coplan_domain::sync::outgoing::next_change;

    let stamp = Stamp {
        author: AuthorId::parse("phone-1").unwrap(),
        at_ms: 1,
    };
    let mine = SectionDoc::new(SectionKind::SafetyPlan, 4096);
    let theirs = SectionDoc::new(SectionKind::SafetyPlan, 8192);
    let mut sent = None;
    let (pacing, eating) = (
        ItemId::parse("pacing").unwrap(),
        ItemId::parse("eating").unwrap(),
    );
    for (id, text) in [(&pacing, "pacing at night"), (&eating, "not eating")] {
        mine.apply(
            &Edit::AddItem {
                list: "warning_signs",
                id: id.clone(),
                parts: vec![("text", text.into())],
            },
            &stamp,
        )
        .unwrap();
    }
    let first = next_change(&mine, &mut sent, false)
        .unwrap()
        .expect("words typed");
    theirs.apply_update(&first).unwrap();
    assert_eq!(next_change(&mine, &mut sent, false).unwrap(), None);

    mine.apply(
        &Edit::SetPart {
            list: "warning_signs",
            id: pacing,
            part: "text",
            text: "pacing".into(),
        },
        &stamp,
    )
    .unwrap();
    mine.apply(
        &Edit::RemoveItem {
            list: "warning_signs",
            id: eating,
        },
        &stamp,
    )
    .unwrap();
    let second = next_change(&mine, &mut sent, false)
        .unwrap()
        .expect("words taken out are a change");
    theirs.apply_update(&second).unwrap();
    assert_eq!(theirs.view(), mine.view());
    assert_eq!(next_change(&mine, &mut sent, false).unwrap(), None);
}

/// A change that builds on one this phone has not received waits outside the document,
/// and goes in once the one it builds on has.
#[test]
fn a_change_built_on_one_not_here_yet_waits_then_goes_in_after_it() {
    use coplan_domain::plan::file::{FileError, check_updates};
    use coplan_domain::plan::{AuthorId, Edit, SectionDoc, SectionKind, Stamp};
    use coplan_domain::sync::incoming::{sort, to_check};

    let stamp = Stamp {
        author: AuthorId::parse("phone-1").unwrap(),
        at_ms: 1,
    };
    let story = |doc: &SectionDoc, text: &str| {
        doc.apply(
            &Edit::SetField {
                field: "my_story",
                text: text.into(),
            },
            &stamp,
        )
        .unwrap()
    };
    let first = SectionDoc::new(SectionKind::AboutMe, 4096);
    let earlier = story(&first, "tea then a walk");
    let second = SectionDoc::new(SectionKind::AboutMe, 8192);
    second.apply_update(&earlier).unwrap();
    let later = story(&second, "tea then a long walk");

    let mine = SectionDoc::new(SectionKind::AboutMe, 12288);
    let mut held = Vec::new();
    let checking = to_check(vec![later.clone()], &held);
    let results = check_updates(SectionKind::AboutMe, &mine.encode_state(), &[&later]);
    assert_eq!(results, vec![Err(FileError::Waits)]);
    assert!(sort(checking, &results, &mut held).is_empty());
    assert_eq!(held, vec![later.clone()]);

    let checking = to_check(vec![earlier.clone()], &held);
    let parts: Vec<&[u8]> = checking.iter().map(Vec::as_slice).collect();
    let results = check_updates(SectionKind::AboutMe, &mine.encode_state(), &parts);
    assert_eq!(results, vec![Ok(()), Ok(())]);
    let passed = sort(checking, &results, &mut held);
    assert_eq!(passed, vec![earlier, later]);
    assert!(held.is_empty());
    for update in &passed {
        mine.apply_update(update).unwrap();
    }
    assert!(!mine.has_missing_updates());
    assert_eq!(mine.view().field("my_story"), "tea then a long walk");
}

/// A change whose writer's change before it has not arrived waits for it, even when it
/// builds on nothing missing: Yrs would put a placeholder in the gap and go on, and a
/// later change touching the placeholder could make it read freed memory (found by
/// fuzzing). Once the change before it is here, both go in.
#[test]
fn a_change_after_a_gap_in_its_writers_words_waits_for_the_one_before_it() {
    use coplan_domain::plan::file::{FileError, check_updates};
    use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp};

    let stamp = Stamp {
        author: AuthorId::parse("phone-2").unwrap(),
        at_ms: 1,
    };
    let theirs = SectionDoc::new(SectionKind::AboutMe, 8192);
    let first = theirs
        .apply(
            &Edit::SetField {
                field: "my_story",
                text: "tea then a walk".into(),
            },
            &stamp,
        )
        .unwrap();
    // A new item in a list: nothing in it points at the words before.
    let second = theirs
        .apply(
            &Edit::AddItem {
                list: "strengths",
                id: ItemId::parse("s1").unwrap(),
                parts: vec![("text", "Steady".into())],
            },
            &stamp,
        )
        .unwrap();

    let mine = SectionDoc::new(SectionKind::AboutMe, 4096);
    let state = mine.encode_state();
    assert_eq!(
        check_updates(SectionKind::AboutMe, &state, &[&second]),
        vec![Err(FileError::Waits)]
    );
    assert_eq!(
        check_updates(SectionKind::AboutMe, &state, &[&first, &second]),
        vec![Ok(()), Ok(())]
    );
}

/// A change may insert only under its sender's ids (its envelope's signed header says
/// which): one that inserts under another phone's is refused, so nobody's words can be
/// passed off as someone else's. What holds other phones' words goes as a whole-state
/// snapshot, signed by the person, whose ids are not checked.
#[test]
fn a_change_inserts_only_under_its_senders_ids_and_anything_else_goes_whole() {
    use coplan_domain::envelope::What;
    use coplan_domain::plan::file::FileError;
    use coplan_domain::plan::{AuthorId, Edit, SectionDoc, SectionKind, Stamp};
    use coplan_domain::sync::incoming::{check, frame};
    use coplan_domain::sync::outgoing::{shape, what_for};

    let stamp = Stamp {
        author: AuthorId::parse("phone-1").unwrap(),
        at_ms: 1,
    };
    let kind = SectionKind::AboutMe;
    let mine = SectionDoc::new(kind, 4096 + 7);
    let typed = mine
        .apply(
            &Edit::SetField {
                field: "my_story",
                text: "the allotment on Sundays".into(),
            },
            &stamp,
        )
        .unwrap();
    let empty = SectionDoc::new(kind, 99).encode_state();
    let framed = |range, update: &[u8]| frame(range, update);
    // Sent as from the range it was written in: taken in.
    assert_eq!(
        check(kind, &empty, &[&framed(Some(4096), &typed)]),
        vec![Ok(())]
    );
    // Claimed by a phone whose range is another: refused, and nothing after it is harmed.
    let other = SectionDoc::new(kind, 8192);
    let theirs = other
        .apply(
            &Edit::SetField {
                field: "called",
                text: "Jo".into(),
            },
            &stamp,
        )
        .unwrap();
    assert_eq!(
        check(
            kind,
            &empty,
            &[&framed(Some(8192), &typed), &framed(Some(8192), &theirs)]
        ),
        vec![Err(FileError::Damaged), Ok(())]
    );
    // As a snapshot (no range): taken in.
    assert_eq!(check(kind, &empty, &[&framed(None, &typed)]), vec![Ok(())]);

    // The sending side: a change of its own goes as a change; once it holds another
    // phone's words, the whole state goes as a snapshot.
    assert_eq!(shape(&mine, typed.clone(), 4096), (What::Change, typed));
    mine.apply_update(&theirs).unwrap();
    let diff = mine.encode_state();
    assert_eq!(what_for(&diff, 4096), What::Snapshot);
    assert_eq!(
        shape(&mine, diff, 4096),
        (What::Snapshot, mine.encode_state())
    );
}
