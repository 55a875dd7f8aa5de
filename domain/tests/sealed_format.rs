//! The sealed-record format, pinned byte for byte: version 2 carries the id of the key that
//! sealed a record and binds the record's own version and key id (not the build's) into
//! its associated data; version 1 records, written before key ids, still read.

use coplan_domain::sealed::{
    KeyId, NONCE_BYTES, Place, SEALED_VERSION, SealError, associated_data, from_stored, to_stored,
};

const NONCE: [u8; NONCE_BYTES] = [9; NONCE_BYTES];
const CIPHERTEXT: [u8; 20] = [1; 20];
const PLACE: Place<'static> = Place {
    store: "drafts",
    key: "plan-1",
};

#[test]
fn version_2_carries_the_key_id_before_the_nonce() {
    assert_eq!(SEALED_VERSION, 2);
    let stored = to_stored(KeyId::DEVICE, &NONCE, &CIPHERTEXT);
    let mut expected = b"CS\x02\x00\x00\x00\x02".to_vec();
    expected.extend_from_slice(&NONCE);
    expected.extend_from_slice(&CIPHERTEXT);
    assert_eq!(stored, expected);
    let sealed = from_stored(&stored).unwrap();
    assert_eq!(sealed.version, 2);
    assert_eq!(sealed.key_id, Some(KeyId::DEVICE));
    assert_eq!(sealed.nonce, &NONCE);
    assert_eq!(sealed.ciphertext, &CIPHERTEXT);
    // A shared key's id, all four bytes of it.
    let shared = KeyId(0x0102_0304);
    let sealed = to_stored(shared, &NONCE, &CIPHERTEXT);
    assert_eq!(&sealed[3..7], &[1, 2, 3, 4]);
    assert_eq!(from_stored(&sealed).unwrap().key_id, Some(shared));
}

#[test]
fn a_record_binds_its_own_version_and_key_not_the_builds() {
    let v2 = to_stored(KeyId::DATA, &NONCE, &CIPHERTEXT);
    assert_eq!(
        from_stored(&v2).unwrap().associated_data(PLACE),
        b"coplan/2/1/drafts/plan-1".to_vec()
    );
    let by_device = to_stored(KeyId::DEVICE, &NONCE, &CIPHERTEXT);
    assert_eq!(
        from_stored(&by_device).unwrap().associated_data(PLACE),
        b"coplan/2/2/drafts/plan-1".to_vec()
    );
    // Written by a build before key ids: still read, and bound as that build bound it.
    let mut v1 = b"CS\x01".to_vec();
    v1.extend_from_slice(&NONCE);
    v1.extend_from_slice(&CIPHERTEXT);
    let sealed = from_stored(&v1).unwrap();
    assert_eq!((sealed.version, sealed.key_id), (1, None));
    assert_eq!(sealed.nonce, &NONCE);
    assert_eq!(sealed.ciphertext, &CIPHERTEXT);
    assert_eq!(
        sealed.associated_data(PLACE),
        b"coplan/1/drafts/plan-1".to_vec()
    );
    assert_eq!(
        associated_data(1, None, PLACE),
        b"coplan/1/drafts/plan-1".to_vec()
    );
}

#[test]
fn damage_and_later_versions_are_refused() {
    let stored = to_stored(KeyId::DATA, &NONCE, &CIPHERTEXT);
    // Too short to hold a key id, a nonce and a tag.
    assert_eq!(from_stored(&stored[..7 + 12 + 15]), Err(SealError::Damaged));
    let mut other = stored.clone();
    other[0] = b'X';
    assert_eq!(from_stored(&other), Err(SealError::Damaged));
    other = stored.clone();
    other[2] = 3;
    assert_eq!(
        from_stored(&other),
        Err(SealError::NewerVersion { found: 3 })
    );
    other[2] = 0;
    assert_eq!(from_stored(&other), Err(SealError::Damaged));
    // A plain Yrs update or draft JSON from before encryption is not mistaken for one.
    assert_eq!(
        from_stored(b"{\"schema_version\":1}"),
        Err(SealError::Damaged)
    );
}
