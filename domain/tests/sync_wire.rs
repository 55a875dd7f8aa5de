//! The sync request and answer as bytes (`coplan_domain::sync::wire`), pinned, and every
//! malformed body refused before anything is allocated for it.

use coplan_domain::limits::{ENVELOPE_MAX_BYTES, SYNC_BODY_MAX_BYTES};
use coplan_domain::sync::wire::{
    MAX_DOCUMENTS, SyncWireError, read_request, read_response, write_request, write_response,
};
use coplan_domain::sync::{DocumentRequest, DocumentResponse, Pulled, PushAnswer, pack};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn request() -> Vec<DocumentRequest> {
    vec![DocumentRequest {
        document: [0xab; 16],
        after: 5,
        push: vec![b"env".to_vec()],
    }]
}

fn response() -> Vec<DocumentResponse> {
    vec![DocumentResponse {
        document: [0xab; 16],
        log_id: "L1".into(),
        head: 7,
        pushed: vec![
            PushAnswer::Stored { counter: 3, seq: 7 },
            PushAnswer::CounterReused { counter: 4 },
            PushAnswer::Refused { counter: 5 },
            PushAnswer::StaleEpoch { counter: 6 },
        ],
        pulled: vec![Pulled {
            seq: 6,
            received_ms: 1_000,
            envelope: b"xy".to_vec(),
        }],
    }]
}

#[test]
fn the_request_and_answer_bytes_are_pinned() {
    let bytes = write_request(&request());
    assert_eq!(
        hex(&bytes),
        concat!(
            "435901",
            "0001",
            "abababababababababababababababab",
            "0000000000000005",
            "0001",
            "00000003",
            "656e76",
        )
    );
    assert_eq!(read_request(&bytes).unwrap(), request());

    let bytes = write_response(&response());
    assert_eq!(
        hex(&bytes),
        concat!(
            "435901",
            "0001",
            "abababababababababababababababab",
            "02",
            "4c31",
            "0000000000000007",
            "0004",
            "01",
            "0000000000000003",
            "0000000000000007",
            "02",
            "0000000000000004",
            "0000000000000000",
            "03",
            "0000000000000005",
            "0000000000000000",
            "04",
            "0000000000000006",
            "0000000000000000",
            "0001",
            "0000000000000006",
            "00000000000003e8",
            "00000002",
            "7879",
        )
    );
    assert_eq!(read_response(&bytes).unwrap(), response());
}

#[test]
fn malformed_bodies_are_refused() {
    let good = write_request(&request());
    // Cut anywhere, or with a byte left over.
    for len in 0..good.len() {
        assert!(read_request(&good[..len]).is_err(), "cut at {len}");
    }
    let mut longer = good.clone();
    longer.push(0);
    assert_eq!(read_request(&longer), Err(SyncWireError::Damaged));
    // Another magic, a newer version.
    let mut other = good.clone();
    other[0] = b'X';
    assert_eq!(read_request(&other), Err(SyncWireError::Damaged));
    let mut newer = good.clone();
    newer[2] = 2;
    assert_eq!(
        read_request(&newer),
        Err(SyncWireError::NewerVersion { found: 2 })
    );
    // A length past the envelope cap is refused before it is read.
    let mut huge = good[..good.len() - 7].to_vec();
    huge.extend_from_slice(&((ENVELOPE_MAX_BYTES + 1) as u32).to_be_bytes());
    assert_eq!(read_request(&huge), Err(SyncWireError::TooLarge));
    // Too many documents.
    let mut many = vec![b'C', b'Y', 1];
    many.extend_from_slice(&((MAX_DOCUMENTS + 1) as u16).to_be_bytes());
    assert_eq!(read_request(&many), Err(SyncWireError::TooLarge));
    // An unknown push answer.
    let mut answer = write_response(&response());
    let at = 3 + 2 + 16 + 1 + 2 + 8 + 2;
    answer[at] = 9;
    assert_eq!(read_response(&answer), Err(SyncWireError::Damaged));
}

/// `callers` documents each, every one pushing `push` envelopes of `bytes`.
fn callers(count: usize, documents: usize, push: usize, bytes: usize) -> Vec<Vec<DocumentRequest>> {
    (0..count)
        .map(|caller| {
            (0..documents)
                .map(|document| DocumentRequest {
                    document: [
                        caller as u8,
                        document as u8,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0,
                        1,
                    ],
                    after: 3,
                    push: vec![vec![7; bytes]; push],
                })
                .collect()
        })
        .collect()
}

/// Each body as the route reads it: within its caps, and read back as sent.
fn bodies_read(all: &[Vec<DocumentRequest>]) -> Vec<Vec<usize>> {
    let bodies = pack(all);
    for body in &bodies {
        let requests: Vec<DocumentRequest> = body.iter().flat_map(|&c| all[c].clone()).collect();
        let bytes = write_request(&requests);
        assert!(bytes.len() <= SYNC_BODY_MAX_BYTES, "{} bytes", bytes.len());
        // (Compared without printing: the requests are megabytes.)
        assert!(
            read_request(&bytes).as_ref() == Ok(&requests),
            "a body did not read back"
        );
    }
    // Every caller once, in order.
    let order: Vec<usize> = bodies.iter().flatten().copied().collect();
    assert_eq!(order, (0..all.len()).collect::<Vec<_>>());
    bodies
}

#[test]
fn a_rounds_plans_go_in_as_few_bodies_as_the_route_takes() {
    // Thirty plans, six documents and two small changes each: one body.
    assert_eq!(bodies_read(&callers(30, 6, 2, 300)).len(), 1);
    // Nothing to send still asks for news, in one body.
    assert_eq!(
        bodies_read(&callers(30, 6, 0, 0)),
        vec![(0..30).collect::<Vec<_>>()]
    );
    // More documents than one body may name: two, none over the cap.
    assert_eq!(bodies_read(&callers(100, 6, 0, 0)).len(), 2);
    // Each caller with three quarters of a body's bytes: one body each.
    let big = ENVELOPE_MAX_BYTES * 3 / 4;
    assert_eq!(bodies_read(&callers(3, 1, 2, big)).len(), 3);
    // Two of them fit in one: bodies are filled, not one a caller.
    let half = SYNC_BODY_MAX_BYTES / 2 - 1_000;
    assert_eq!(
        bodies_read(&callers(4, 1, 1, half)),
        vec![vec![0, 1], vec![2, 3]]
    );
    // No callers, no body.
    assert!(pack(&[]).is_empty());
}
