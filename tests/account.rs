//! The account formats of `coplan_domain::account` give the same known answers in the
//! browser as natively (`domain/tests/account_keys.rs`, `recovery_code.rs`): the phone
//! that stretches a passphrase is a browser.
#![cfg(target_arch = "wasm32")]

use coplan_domain::account::{RecoveryCode, StretchCost, Username, account_salt, stretch};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[wasm_bindgen_test]
fn a_passphrase_stretches_to_the_same_answer_in_the_browser() {
    let name = Username::parse("river.walker").unwrap();
    let salt = account_salt("b2c1f0de-0000-4000-8000-000000000001", &name);
    assert_eq!(hex(&salt), "c8d81d6eedd4f66b184727890898cfb4");
    let stretched = stretch("the heron waits by the weir", &salt, StretchCost::MINIMUM).unwrap();
    assert_eq!(
        hex(&stretched.verifier),
        "13dd29926ce7e210947e849f401228e14574e78d67a9599a8a392da25c40829d"
    );
    assert_eq!(
        hex(&stretched.wrap_key),
        "24157a3ed99318b2634bc81fe1103be57acae5aa85b3d916b53c55364e5ed684"
    );
}

#[wasm_bindgen_test]
fn a_recovery_code_reads_the_same_in_the_browser() {
    let code = RecoveryCode::from_bytes(std::array::from_fn(|i| i as u8));
    assert_eq!(code.to_words(), "0004-1061-050R-3GG2-8A1C-60T3-GF1A");
    assert_eq!(
        RecoveryCode::parse("0004 1061 050r 3gg2 8a1c 60t3 gf1a").unwrap(),
        code
    );
}

/// The account's keys made, wrapped, opened and used in the browser give libsodium's
/// known answers (`coplan_domain::keys::known_answer`), as natively.
#[wasm_bindgen_test]
fn account_keys_give_the_same_answers_in_the_browser() {
    use coplan_domain::keys::known_answer as kat;
    use coplan_domain::keys::{AccountKeys, WrappedBy, recovery_secrets, verify};
    let name = Username::parse(kat::USERNAME).unwrap();
    let keys = AccountKeys::from_random(&kat::random());
    let public = keys.public();
    assert_eq!(hex(&public.signing), kat::SIGNING_PUBLIC);
    assert_eq!(hex(&public.receiving), kat::RECEIVING_PUBLIC);
    let wrapped = keys.wrap(WrappedBy::Passphrase, &name, &kat::WRAP_KEY, &kat::NONCE);
    assert_eq!(hex(&wrapped), kat::WRAPPED);
    let opened = AccountKeys::unwrap(
        &wrapped,
        WrappedBy::Passphrase,
        &name,
        &kat::WRAP_KEY,
        &public,
    )
    .unwrap();
    let signature = opened.sign(kat::MESSAGE);
    assert_eq!(hex(&signature), kat::SIGNATURE);
    assert!(verify(&public.signing, kat::MESSAGE, &signature));
    let code = RecoveryCode::from_bytes(std::array::from_fn(|i| i as u8));
    let secrets = recovery_secrets(&code, kat::SERVER, &name);
    assert_eq!(hex(&secrets.verifier), kat::RECOVERY_VERIFIER);
    assert_eq!(hex(&secrets.wrap_key), kat::RECOVERY_WRAP_KEY);
}

/// An envelope sealed and signed in the browser is byte for byte libsodium's
/// (`coplan_domain::envelope::known_answer`), and opens.
#[wasm_bindgen_test]
fn an_envelope_seals_to_the_same_bytes_in_the_browser() {
    use coplan_domain::envelope::known_answer::{HEADER, KEY, NONCE, PAYLOAD, SEALED};
    use coplan_domain::envelope::{Envelope, seal};
    use coplan_domain::keys::{AccountKeys, known_answer::random};
    let sender = AccountKeys::from_random(&random());
    let sealed = seal(&HEADER, PAYLOAD, &KEY, &NONCE, &sender).unwrap();
    assert_eq!(hex(&sealed), SEALED);
    let opened = Envelope::read(&sealed)
        .unwrap()
        .open(&sender.public().signing, &KEY)
        .unwrap();
    assert_eq!(opened, PAYLOAD);
}

/// The membership log's first entry, signed and hashed in the browser, is libsodium's
/// (`coplan_domain::membership::known_answer`), and verifies.
#[wasm_bindgen_test]
fn a_membership_log_entry_is_the_same_in_the_browser() {
    use coplan_domain::keys::{AccountKeys, known_answer::random};
    use coplan_domain::membership::known_answer::{GENESIS_HASH, PLAN, WRITTEN_MS};
    use coplan_domain::membership::{Membership, Op, Right, Role, entry_hash, sign_entry};
    let person = AccountKeys::from_random(&random());
    let public = person.public();
    let op = Op::AddMember {
        signing: public.signing,
        receiving: public.receiving,
        role: Role::Person,
        rights: [Right::Edit; 5],
    };
    let entry = sign_entry(&PLAN, 0, &[0; 32], WRITTEN_MS, &op, &person);
    assert_eq!(hex(&entry_hash(&entry)), GENESIS_HASH);
    assert!(Membership::verify(&public.signing, &PLAN, &[entry]).is_ok());
}

#[wasm_bindgen_test]
fn a_key_envelope_gives_the_same_known_answer_in_the_browser() {
    use coplan_domain::key_envelope::{KeyAddress, KeyEnvelope, known_answer as kat, seal_key};
    use coplan_domain::keys::{AccountKeys, known_answer};
    let person = AccountKeys::from_random(&known_answer::random());
    let address = KeyAddress {
        plan: [1; 16],
        document: [2; 16],
        epoch: 3,
    };
    let sealed = seal_key(
        &address,
        &kat::SECTION_KEY,
        &person.public().receiving,
        &kat::EPHEMERAL,
        &kat::NONCE,
        &person,
    );
    assert_eq!(hex(&sealed), kat::SEALED);
    let read = KeyEnvelope::read(&sealed).unwrap();
    assert_eq!(
        read.open(&person.public().signing, &person),
        Ok(kat::SECTION_KEY)
    );
}
