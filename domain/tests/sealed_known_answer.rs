//! The sealed-record known-answer vector, checked against an independent AES-256-GCM
//! (RustCrypto's `aes-gcm`): the browser test of WebCrypto must produce the same bytes.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use coplan_domain::sealed::{associated_data, known_answer as kat};

#[test]
fn the_known_answer_is_what_aes_256_gcm_gives() {
    let cipher = Aes256Gcm::new_from_slice(&kat::KEY).unwrap();
    let aad = associated_data(kat::STORE, kat::RECORD_KEY);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&kat::NONCE),
            Payload {
                msg: kat::PLAINTEXT,
                aad: &aad,
            },
        )
        .unwrap();
    assert_eq!(sealed, kat::CIPHERTEXT, "got {sealed:?}");
    // And a flipped byte anywhere is refused.
    for at in 0..sealed.len() {
        let mut changed = sealed.clone();
        changed[at] ^= 1;
        let opened = cipher.decrypt(
            Nonce::from_slice(&kat::NONCE),
            Payload {
                msg: &changed,
                aad: &aad,
            },
        );
        assert!(opened.is_err(), "byte {at}");
    }
}
