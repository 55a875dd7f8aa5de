//! Sealed, signed envelopes (`coplan_domain::envelope`): the format pinned by a known
//! answer from libsodium (PyNaCl), and every way an envelope can be wrong refused.

use coplan_domain::envelope::{
    Envelope, EnvelopeError, HEADER_BYTES, Header, What, padded_len, seal,
};
use coplan_domain::keys::AccountKeys;
use coplan_domain::keys::known_answer::random;
use coplan_domain::limits::{ENVELOPE_MAX_BYTES, REMOTE_UPDATE_MAX_BYTES};

use coplan_domain::envelope::known_answer::{HEADER, KEY, PAYLOAD, SEALED as KNOWN};

fn header() -> Header {
    HEADER
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sender() -> AccountKeys {
    AccountKeys::from_random(&random())
}

#[test]
fn an_envelope_seals_to_the_known_answer_and_opens() {
    let sealed = seal(&header(), PAYLOAD, &KEY, &[4; 24], &sender()).unwrap();
    assert_eq!(hex(&sealed), KNOWN);
    let envelope = Envelope::read(&sealed).unwrap();
    assert_eq!(envelope.header, header());
    let signing = sender().public().signing;
    assert!(envelope.signed_by(&signing));
    assert_eq!(envelope.open(&signing, &KEY).unwrap(), PAYLOAD);
}

#[test]
fn a_wrong_key_a_wrong_signer_or_any_changed_byte_is_refused() {
    let sealed = seal(&header(), PAYLOAD, &KEY, &[4; 24], &sender()).unwrap();
    let signing = sender().public().signing;
    let envelope = Envelope::read(&sealed).unwrap();
    assert_eq!(
        envelope.open(&signing, &[9; 32]),
        Err(EnvelopeError::DoesNotOpen)
    );
    let someone_else = AccountKeys::from_random(&[8; 64]).public().signing;
    assert_eq!(
        envelope.open(&someone_else, &KEY),
        Err(EnvelopeError::BadSignature)
    );
    // Every byte, changed, makes it unreadable or unsigned: the header (which the server
    // reads) cannot be altered without the signature failing.
    for at in 0..sealed.len() {
        let mut changed = sealed.clone();
        changed[at] ^= 0x01;
        let opened = Envelope::read(&changed).and_then(|e| e.open(&signing, &KEY));
        assert!(opened.is_err(), "byte {at}");
    }
}

#[test]
fn malformed_envelopes_are_refused_before_anything_is_checked() {
    let sealed = seal(&header(), PAYLOAD, &KEY, &[4; 24], &sender()).unwrap();
    assert_eq!(Envelope::read(&[]), Err(EnvelopeError::Damaged));
    // A cut envelope: too short to be one, or (with a longer payload) unsigned.
    assert_eq!(
        Envelope::read(&sealed[..sealed.len() - 1]),
        Err(EnvelopeError::Damaged)
    );
    let long = seal(&header(), &[5; 500], &KEY, &[4; 24], &sender()).unwrap();
    let cut = Envelope::read(&long[..long.len() - 1]).unwrap();
    assert!(!cut.signed_by(&sender().public().signing));
    assert_eq!(Envelope::read(&sealed[..100]), Err(EnvelopeError::Damaged));
    let mut newer = sealed.clone();
    newer[2] = 2;
    assert_eq!(
        Envelope::read(&newer),
        Err(EnvelopeError::NewerVersion { found: 2 })
    );
    for (at, value) in [(0, b'X'), (3, 3), (4, 2)] {
        let mut bad = sealed.clone();
        bad[at] = value;
        assert_eq!(
            Envelope::read(&bad),
            Err(EnvelopeError::Damaged),
            "byte {at}"
        );
    }
    // A change that says it covers log numbers is damaged; a snapshot may cover none (a
    // plan's first upload) or some.
    let mut change = header();
    change.covers = 3;
    let sealed = seal(&change, PAYLOAD, &KEY, &[4; 24], &sender()).unwrap();
    assert_eq!(Envelope::read(&sealed), Err(EnvelopeError::Damaged));
    let mut snapshot = header();
    snapshot.what = What::Snapshot;
    let sealed = seal(&snapshot, PAYLOAD, &KEY, &[4; 24], &sender()).unwrap();
    assert_eq!(Envelope::read(&sealed).unwrap().header.covers, 0);
    snapshot.covers = 10;
    let sealed = seal(&snapshot, PAYLOAD, &KEY, &[4; 24], &sender()).unwrap();
    assert_eq!(Envelope::read(&sealed).unwrap().header.covers, 10);
    assert_eq!(
        Envelope::read(&vec![0; ENVELOPE_MAX_BYTES + 1]),
        Err(EnvelopeError::TooLarge)
    );
}

#[test]
fn payloads_are_padded_so_sizes_say_little() {
    let cases = [
        (0, 32),
        (28, 32),
        (29, 36),
        (100, 104),
        (1_000, 1_024),
        (5_000, 5_120),
        (65_536, 67_584),
        (1_000_000, 1_015_808),
    ];
    for (len, padded) in cases {
        assert_eq!(padded_len(len), padded, "{len}");
    }
    // One to sixty typed letters all look the same size or one of two.
    let sizes: std::collections::BTreeSet<_> = (1..=60).map(padded_len).collect();
    assert!(sizes.len() <= 12, "{sizes:?}");
    for len in (0..=REMOTE_UPDATE_MAX_BYTES).step_by(997) {
        let padded = padded_len(len);
        assert!(padded >= len + 4);
        assert!(
            padded as f64 <= (len + 4) as f64 * 1.12 + 32.0,
            "{len}: {padded}"
        );
    }
    // The largest update still fits the envelope cap, padding and all.
    let payload = vec![7; REMOTE_UPDATE_MAX_BYTES];
    let sealed = seal(&header(), &payload, &KEY, &[4; 24], &sender()).unwrap();
    assert!(sealed.len() <= ENVELOPE_MAX_BYTES);
    let envelope = Envelope::read(&sealed).unwrap();
    assert_eq!(
        envelope.open(&sender().public().signing, &KEY).unwrap(),
        payload
    );
    assert_eq!(
        seal(
            &header(),
            &vec![7; REMOTE_UPDATE_MAX_BYTES + 1],
            &KEY,
            &[4; 24],
            &sender()
        ),
        Err(EnvelopeError::TooLarge)
    );
    assert_eq!(HEADER_BYTES, 78);
}
