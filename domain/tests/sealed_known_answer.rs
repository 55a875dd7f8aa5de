//! The sealed-record known-answer vector, checked against an independent AES-256-GCM
//! (RustCrypto's `aes-gcm`): the browser test of WebCrypto must produce the same bytes.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use coplan_domain::sealed::{KeyId, associated_data, known_answer as kat};

#[test]
fn the_known_answers_are_what_aes_256_gcm_gives() {
    let v2 = associated_data(2, Some(KeyId::DATA), kat::PLACE);
    assert_eq!(
        v2,
        b"coplan/2/1/section_updates/plan-1/safety_plan/1/0".to_vec()
    );
    let v1 = associated_data(1, None, kat::PLACE);
    assert_eq!(
        v1,
        b"coplan/1/section_updates/plan-1/safety_plan/1/0".to_vec()
    );
    known_answer(&v2, kat::CIPHERTEXT);
    known_answer(&v1, kat::CIPHERTEXT_V1);
}

fn known_answer(aad: &[u8], expected: &[u8]) {
    let cipher = Aes256Gcm::new_from_slice(&kat::KEY).unwrap();
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&kat::NONCE),
            Payload {
                msg: kat::PLAINTEXT,
                aad,
            },
        )
        .unwrap();
    assert_eq!(sealed, expected, "got {sealed:?}");
    // And a flipped byte anywhere is refused.
    for at in 0..sealed.len() {
        let mut changed = sealed.clone();
        changed[at] ^= 1;
        let opened = cipher.decrypt(
            Nonce::from_slice(&kat::NONCE),
            Payload { msg: &changed, aad },
        );
        assert!(opened.is_err(), "byte {at}");
    }
}
