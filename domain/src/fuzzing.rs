//! What the fuzz targets in `fuzz/` run, here so that every crash input they find replays
//! as an ordinary test (`domain/tests/fuzz_replay.rs`), and the seeds they start from:
//! valid inputs of every kind, and some made to be awkward.
//!
//! Each target takes any bytes and must return without panicking, whatever they hold.

use crate::envelope::{Encoding, Envelope, Header, What, seal};
use crate::keys::AccountKeys;
use crate::plan::{AuthorId, Edit, ItemId, LIFE_AREAS, SectionDoc, SectionKind, Stamp, Toward};
use crate::sync::DocumentRequest;
use crate::sync::incoming::{check, frame, unframe};
use crate::sync::wire::{read_request, write_request};

/// A fuzz target: any bytes in, and it must return without panicking.
pub type Target = fn(&[u8]);

/// The fuzz targets, by the names `fuzz/fuzz_targets/` and `fuzz/crashes/` use.
pub const TARGETS: [(&str, Target); 2] = [
    ("sync_request", sync_request),
    ("remote_changes", remote_changes),
];

/// The signing key every seed's envelopes are checked against.
fn keys() -> AccountKeys {
    AccountKeys::from_random(&[0x5e; 64])
}

const KEY: [u8; 32] = [0x6b; 32];

/// The server's reading of a phone's sync request (`/api/v1/sync`): the request's frame,
/// then each pushed envelope's header and signature, as the server reads them before
/// anything is stored; and opening each, as a phone does.
pub fn sync_request(data: &[u8]) {
    let signing = keys().public().signing;
    if let Ok(requests) = read_request(data) {
        for request in &requests {
            for bytes in &request.push {
                if let Ok(envelope) = Envelope::read(bytes) {
                    let _ = envelope.signed_by(&signing);
                    let _ = envelope.open(&signing, &KEY);
                }
            }
        }
    }
    // The same bytes as one envelope alone.
    if let Ok(envelope) = Envelope::read(data) {
        let _ = envelope.open(&signing, &KEY);
    }
}

/// How [`remote_changes`] reads its bytes: one byte for the section's kind (its low bits)
/// and whether this phone has written in it already (its top bit), then the framed
/// changes from the server ([`frame`]), each after a 2-byte big-endian length. The phone's
/// own state is its own, not input: it is made here.
pub fn remote_changes_input(kind: SectionKind, written_here: bool, framed: &[Vec<u8>]) -> Vec<u8> {
    let at = SectionKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0);
    let mut out = vec![at as u8 | if written_here { 0x80 } else { 0 }];
    for chunk in framed {
        let len = chunk.len().min(usize::from(u16::MAX));
        out.extend_from_slice(&(len as u16).to_be_bytes());
        out.extend_from_slice(&chunk[..len]);
    }
    out
}

/// A phone taking in changes to a section from the server: each checked in order against
/// a copy (decoded, applied, the view built), then every change the check passed applied
/// to the phone's own document, which must take it and build its view.
pub fn remote_changes(data: &[u8]) {
    let Some((&first, mut rest)) = data.split_first() else {
        return;
    };
    let kind = SectionKind::ALL[usize::from(first & 0x7f) % SectionKind::ALL.len()];
    let mut framed = Vec::new();
    while let Some((len, after)) = rest.split_first_chunk::<2>() {
        let len = usize::from(u16::from_be_bytes(*len)).min(after.len());
        framed.push(&after[..len]);
        rest = &after[len..];
    }
    let mine = if first & 0x80 == 0 {
        SectionDoc::new(kind, 4096)
    } else {
        written(kind, 4096).0
    };
    let results = check(kind, &mine.encode_state(), &framed);
    for (bytes, result) in framed.iter().zip(&results) {
        if result.is_ok() {
            let (_, update) = unframe(bytes).expect("a change that passed is framed");
            assert!(
                mine.apply_update(update).is_ok(),
                "a change the check passed was refused"
            );
        }
    }
    let _ = mine.view();
}

/// Valid and awkward inputs for each target, by target name: what the fuzzers start from
/// (`cargo xtask fuzz` writes them) and what the replay test runs every time.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let mut seeds = Vec::new();
    for input in sync_request_seeds() {
        seeds.push(("sync_request", input));
    }
    for input in remote_changes_seeds() {
        seeds.push(("remote_changes", input));
    }
    seeds
}

fn sync_request_seeds() -> Vec<Vec<u8>> {
    let keys = keys();
    let sealed = |what: What, counter: u64, payload: &[u8]| {
        let header = Header {
            what,
            encoding: Encoding::Yrs,
            kind: 3,
            plan: [1; 16],
            document: [2; 16],
            epoch: 1,
            device: [3; 16],
            counter,
            range_start: 4096,
            covers: if what == What::Snapshot { 9 } else { 0 },
        };
        seal(&header, payload, &KEY, &[counter as u8; 24], &keys).expect("seals")
    };
    let change = sealed(What::Change, 1, b"a change");
    let snapshot = sealed(What::Snapshot, 2, &[7; 600]);
    let request = |push: Vec<Vec<u8>>| {
        write_request(&[DocumentRequest {
            document: [2; 16],
            after: 5,
            push,
        }])
    };
    let mut damaged = change.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 1;
    vec![
        write_request(&[]),
        request(Vec::new()),
        request(vec![change.clone()]),
        request(vec![change.clone(), snapshot.clone(), damaged]),
        write_request(&[
            DocumentRequest {
                document: [2; 16],
                after: 0,
                push: vec![change.clone()],
            },
            DocumentRequest {
                document: [4; 16],
                after: u64::MAX,
                push: Vec::new(),
            },
        ]),
        change,
        snapshot,
    ]
}

fn stamp() -> Stamp {
    Stamp {
        author: AuthorId::parse("phone-fuzz").expect("valid"),
        at_ms: 1_764_000_000_000,
    }
}

/// A section with something in every field, list and choice, and the changes that made
/// it, one per edit, each framed as from the range starting at `range`.
fn written(kind: SectionKind, range: u32) -> (SectionDoc, Vec<Vec<u8>>) {
    let doc = SectionDoc::new(kind, range);
    let mut changes = Vec::new();
    let mut apply = |edit: Edit| {
        if let Ok(update) = doc.apply(&edit, &stamp()) {
            changes.push(frame(Some(range), &update));
        }
    };
    let spec = kind.spec();
    for field in spec.fields {
        apply(Edit::SetField {
            field: field.name,
            text: "tea, then a walk by the river".into(),
        });
    }
    let values = ["07700 900123", "2026-12-04", "yes", "4", LIFE_AREAS[0], "a"];
    for list in spec.lists {
        for n in 0..2 {
            let id = ItemId::parse(&format!("{}-{n}", list.name)).expect("valid id");
            apply(Edit::AddItem {
                list: list.name,
                id: id.clone(),
                parts: Vec::new(),
            });
            for part in list.parts {
                for value in std::iter::once("Sam, next door").chain(values) {
                    apply(Edit::SetPart {
                        list: list.name,
                        id: id.clone(),
                        part: part.name,
                        text: value.into(),
                    });
                }
            }
        }
        let first = ItemId::parse(&format!("{}-0", list.name)).expect("valid id");
        apply(Edit::MoveItem {
            list: list.name,
            id: first.clone(),
            toward: Toward::End,
        });
        apply(Edit::RemoveItem {
            list: list.name,
            id: first,
        });
        apply(Edit::SetHidden {
            list: list.name,
            hidden: true,
        });
    }
    for choice in spec.choices {
        for value in values {
            apply(Edit::SetChoice {
                name: choice.name,
                value: value.into(),
            });
        }
    }
    (doc, changes)
}

fn remote_changes_seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for kind in SectionKind::ALL {
        let (theirs, changes) = written(kind, 8192);
        // Every change, in order, to a new phone.
        seeds.push(remote_changes_input(kind, false, &changes));
        // One change alone, which builds on others the phone lacks (it waits).
        if let Some(last) = changes.last() {
            seeds.push(remote_changes_input(
                kind,
                false,
                std::slice::from_ref(last),
            ));
        }
        // Onto this phone's own words: another phone's whole state as a snapshot.
        seeds.push(remote_changes_input(
            kind,
            true,
            &[frame(None, &theirs.encode_state())],
        ));
        // Words claimed from someone else's range.
        seeds.push(remote_changes_input(
            kind,
            false,
            &[frame(Some(4096), &theirs.encode_state())],
        ));
    }
    let kind = SectionKind::SafetyPlan;
    let (doc, _) = written(kind, 8192);
    let state = doc.encode_state();
    // Lengths that claim far more than is there.
    let mut huge = state.clone();
    for byte in huge.iter_mut().skip(1).step_by(7) {
        *byte = 0xff;
    }
    seeds.push(remote_changes_input(kind, false, &[frame(None, &huge)]));
    seeds.push(remote_changes_input(
        kind,
        false,
        &[frame(None, &[0x01, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])],
    ));
    // Maps inside maps, deeper than any plan.
    seeds.push(remote_changes_input(kind, false, &[frame(None, &deep(64))]));
    // A cut-off change.
    seeds.push(remote_changes_input(
        kind,
        true,
        &[frame(None, &state[..state.len() / 2])],
    ));
    seeds
}

/// A Yrs update with maps nested `depth` deep.
fn deep(depth: usize) -> Vec<u8> {
    use yrs::{Doc, Map, MapPrelim, ReadTxn, StateVector, Transact, WriteTxn};
    let doc = Doc::with_client_id(8192);
    let mut txn = doc.transact_mut();
    let mut map = txn.get_or_insert_map("lists");
    for level in 0..depth {
        map = map.insert(&mut txn, format!("level-{level}"), MapPrelim::default());
    }
    txn.encode_state_as_update_v1(&StateVector::default())
}
