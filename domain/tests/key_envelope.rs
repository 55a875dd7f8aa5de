//! Key envelopes, version 1: the known answer from libsodium, and every refusal a phone
//! relies on (another signer, another recipient, a moved or damaged envelope).

use coplan_domain::key_envelope::{
    KEY_ENVELOPE_BYTES, KeyAddress, KeyEnvelope, KeyEnvelopeError, known_answer as kat, seal_key,
};
use coplan_domain::keys::{AccountKeys, known_answer};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn address() -> KeyAddress {
    KeyAddress {
        plan: [1; 16],
        document: [2; 16],
        epoch: 3,
    }
}

fn person() -> AccountKeys {
    AccountKeys::from_random(&known_answer::random())
}

fn someone_else() -> AccountKeys {
    AccountKeys::from_random(&[42; 64])
}

fn sealed_to(recipient: &AccountKeys) -> Vec<u8> {
    seal_key(
        &address(),
        &kat::SECTION_KEY,
        &recipient.public().receiving,
        &kat::EPHEMERAL,
        &kat::NONCE,
        &person(),
    )
}

#[test]
fn a_key_envelope_gives_the_known_answer_and_opens_for_its_recipient() {
    let sealed = sealed_to(&person());
    assert_eq!(sealed.len(), KEY_ENVELOPE_BYTES);
    assert_eq!(hex(&sealed), kat::SEALED);
    let read = KeyEnvelope::read(&sealed).unwrap();
    assert_eq!(read.address, address());
    assert_eq!(read.recipient, person().public().receiving);
    assert_eq!(
        read.open(&person().public().signing, &person()),
        Ok(kat::SECTION_KEY)
    );
}

#[test]
fn a_key_wrapped_to_someone_else_opens_only_for_them() {
    let sealed = sealed_to(&someone_else());
    let read = KeyEnvelope::read(&sealed).unwrap();
    assert_eq!(
        read.open(&person().public().signing, &person()),
        Err(KeyEnvelopeError::NotForMe)
    );
    assert_eq!(
        read.open(&person().public().signing, &someone_else()),
        Ok(kat::SECTION_KEY)
    );
}

#[test]
fn another_signer_a_moved_envelope_or_damage_is_refused() {
    let sealed = sealed_to(&person());
    // Not the plan owner's signature.
    let read = KeyEnvelope::read(&sealed).unwrap();
    assert_eq!(
        read.open(&someone_else().public().signing, &person()),
        Err(KeyEnvelopeError::BadSignature)
    );
    // Moved to another document or epoch, or any byte changed: the signature fails.
    for at in [3, 19, 38, 80, 110, 150, KEY_ENVELOPE_BYTES - 1] {
        let mut changed = sealed.clone();
        changed[at] ^= 1;
        let read = KeyEnvelope::read(&changed).unwrap();
        assert_eq!(
            read.open(&person().public().signing, &person()),
            Err(KeyEnvelopeError::BadSignature),
            "byte {at}"
        );
    }
    assert_eq!(
        KeyEnvelope::read(&sealed[..100]),
        Err(KeyEnvelopeError::Damaged)
    );
    let mut newer = sealed.clone();
    newer[2] = 2;
    assert_eq!(
        KeyEnvelope::read(&newer),
        Err(KeyEnvelopeError::NewerVersion { found: 2 })
    );
    let mut longer = sealed;
    longer.push(0);
    assert_eq!(KeyEnvelope::read(&longer), Err(KeyEnvelopeError::Damaged));
}

#[test]
fn a_fresh_key_for_each_envelope_gives_different_bytes_for_the_same_key() {
    let one = sealed_to(&person());
    let two = seal_key(
        &address(),
        &kat::SECTION_KEY,
        &person().public().receiving,
        &[7; 32],
        &kat::NONCE,
        &person(),
    );
    assert_ne!(one[71..], two[71..]);
    assert_eq!(
        KeyEnvelope::read(&two)
            .unwrap()
            .open(&person().public().signing, &person()),
        Ok(kat::SECTION_KEY)
    );
}
