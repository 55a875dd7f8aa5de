//! For `cargo xtask bench`: what the server stores per edit for one section, with and
//! without compaction by phones. One phone types a story in bursts (each burst one
//! change, as the app sends one two seconds after typing stops), seals a snapshot as
//! `coplan_domain::sync::compaction::THRESHOLD` says, and the server compacts (its grace
//! period taken as passed). Every change is a real sealed, padded envelope in the
//! server's in-memory log, which compacts exactly as the databases do.

use coplan_domain::envelope::{Encoding, Envelope, Header, What, seal};
use coplan_domain::keys::AccountKeys;
use coplan_domain::plan::{AuthorId, Edit, SectionDoc, SectionKind, Stamp};
use coplan_domain::sync::compaction::{THRESHOLD, Tail};
use coplan_domain::sync::history::change_payload;
use coplan_server::storage::{CursorLog, MemoryLog};

const BURSTS: u64 = 2_000;
const KEYSTROKES_PER_BURST: usize = 12;
const DOCUMENT: &str = "story";

fn sealed(keys: &AccountKeys, what: What, counter: u64, covers: u64, update: &[u8]) -> Vec<u8> {
    let header = Header {
        what,
        encoding: Encoding::Yrs,
        kind: SectionKind::AboutMe.code(),
        plan: [1; 16],
        document: [2; 16],
        epoch: 0,
        device: [3; 16],
        counter,
        range_start: 4096,
        covers,
    };
    let mut nonce = [0u8; 24];
    nonce[..8].copy_from_slice(&counter.to_be_bytes());
    let payload = change_payload(1_700_000_000_000 + counter, update);
    seal(&header, &payload, &[4; 32], &nonce, keys).expect("sealed")
}

fn main() {
    futures::executor::block_on(run());
}

async fn run() {
    let keys = AccountKeys::from_random(&[9; 64]);
    let log = MemoryLog::default();
    log.create_document(DOCUMENT, "log-1")
        .await
        .expect("document");
    let doc = SectionDoc::new(SectionKind::AboutMe, 4096);
    let stamp = Stamp {
        author: AuthorId::parse("person").expect("id"),
        at_ms: 1,
    };
    let (mut tail, mut counter, mut head) = (Tail::default(), 0u64, 0u64);
    let (mut sent_bytes, mut snapshots, mut keystrokes) = (0usize, 0, 0usize);
    let mut story = String::new();
    for burst in 0..BURSTS {
        let before = doc.state_vector();
        for k in 0..KEYSTROKES_PER_BURST {
            // Mostly typing at the end, now and then a word taken out; a story near
            // the field's cap loses its first lines (the person rewrites).
            if story.len() > 12_000 {
                story.replace_range(..600, "");
            } else if burst % 9 == 8 && k == 0 && story.len() > 40 {
                let cut = story.len() - 12;
                story.replace_range(cut..cut + 6, "");
            } else {
                story.push(char::from(b'a' + ((burst as usize + k) % 26) as u8));
                if k % 6 == 5 {
                    story.push(' ');
                }
            }
            let edit = Edit::SetField {
                field: "my_story",
                text: story.clone(),
            };
            doc.apply(&edit, &stamp).expect("edit");
            keystrokes += 1;
        }
        let change = doc.diff_since(&before).expect("diff");
        let body = sealed(&keys, What::Change, counter, 0, &change);
        counter += 1;
        sent_bytes += body.len();
        log.push(DOCUMENT, "phone", counter as i64, &body, None, burst as i64)
            .await
            .expect("push");
        head += 1;
        tail.saw(None, body.len());
        if let Some(covers) = tail.to_send(THRESHOLD, head, false) {
            let body = sealed(&keys, What::Snapshot, counter, covers, &doc.encode_state());
            counter += 1;
            log.push(
                DOCUMENT,
                "phone",
                counter as i64,
                &body,
                Some(covers as i64),
                burst as i64,
            )
            .await
            .expect("push");
            head += 1;
            let header = Envelope::read(&body).expect("envelope").header;
            tail.saw(Some(&header), body.len());
            tail.sent();
            snapshots += 1;
        }
        if burst % 100 == 99 {
            log.compact(burst as i64).await.expect("compact");
        }
    }
    let (entries, bytes) = log.stored(DOCUMENT);
    println!(
        "stored on the server per keystroke, one section, {keystrokes} keystrokes in {BURSTS} changes: {:.1} bytes without compaction; {:.1} bytes with it ({snapshots} snapshots; {entries} entries kept, {bytes} bytes); the section's own state is {} bytes",
        sent_bytes as f64 / keystrokes as f64,
        bytes as f64 / keystrokes as f64,
        doc.encode_state().len()
    );
}
