//! The sync request and answer as bytes (`coplan_domain::sync::wire`), pinned, and every
//! malformed body refused before anything is allocated for it.

use coplan_domain::limits::ENVELOPE_MAX_BYTES;
use coplan_domain::sync::wire::{
    MAX_DOCUMENTS, SyncWireError, read_request, read_response, write_request, write_response,
};
use coplan_domain::sync::{DocumentRequest, DocumentResponse, Pulled, PushAnswer};

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
