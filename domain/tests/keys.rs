//! An account's keys (`coplan_domain::keys`): made, wrapped, opened and used exactly as
//! libsodium does it (the known answers), and refused whenever anything about them is
//! not what was wrapped.

use coplan_domain::account::{RecoveryCode, Username};
use coplan_domain::keys::known_answer as kat;
use coplan_domain::keys::{
    AccountKeys, KeysError, REMEMBERED, WrappedBy, forget_verified, recovery_secrets,
    verified_remembered, verify,
};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn name() -> Username {
    Username::parse(kat::USERNAME).unwrap()
}

#[test]
fn keys_wrap_and_sign_to_the_known_answers() {
    let keys = AccountKeys::from_random(&kat::random());
    let public = keys.public();
    assert_eq!(hex(&public.signing), kat::SIGNING_PUBLIC);
    assert_eq!(hex(&public.receiving), kat::RECEIVING_PUBLIC);
    let wrapped = keys.wrap(WrappedBy::Passphrase, &name(), &kat::WRAP_KEY, &kat::NONCE);
    assert_eq!(hex(&wrapped), kat::WRAPPED);
    assert_eq!(hex(&keys.sign(kat::MESSAGE)), kat::SIGNATURE);
}

#[test]
fn wrapped_keys_open_only_with_everything_they_were_wrapped_with() {
    let wrapped = unhex(kat::WRAPPED);
    let public = AccountKeys::from_random(&kat::random()).public();
    let opened = AccountKeys::unwrap(
        &wrapped,
        WrappedBy::Passphrase,
        &name(),
        &kat::WRAP_KEY,
        &public,
    )
    .unwrap();
    assert_eq!(opened.public(), public);

    let other_name = Username::parse("river.walker2").unwrap();
    let refused = [
        // A wrong passphrase.
        AccountKeys::unwrap(&wrapped, WrappedBy::Passphrase, &name(), &[8; 32], &public),
        // Another account's name.
        AccountKeys::unwrap(
            &wrapped,
            WrappedBy::Passphrase,
            &other_name,
            &kat::WRAP_KEY,
            &public,
        ),
        // Read as if the recovery code had wrapped them.
        AccountKeys::unwrap(
            &wrapped,
            WrappedBy::RecoveryCode,
            &name(),
            &kat::WRAP_KEY,
            &public,
        ),
    ];
    for result in refused {
        assert_eq!(result.err(), Some(KeysError::DoNotOpen));
    }
    // A server handing out another signing key is caught.
    let mut lied = public;
    lied.signing[0] ^= 1;
    assert_eq!(
        AccountKeys::unwrap(
            &wrapped,
            WrappedBy::Passphrase,
            &name(),
            &kat::WRAP_KEY,
            &lied
        )
        .err(),
        Some(KeysError::DoNotOpen)
    );
    // Any changed byte, a cut, or a newer format.
    for at in [0, 1, 30, wrapped.len() - 1] {
        let mut damaged = wrapped.clone();
        damaged[at] ^= 0x10;
        let result = AccountKeys::unwrap(
            &damaged,
            WrappedBy::Passphrase,
            &name(),
            &kat::WRAP_KEY,
            &public,
        );
        assert!(result.is_err(), "byte {at}");
    }
    let cut = &wrapped[..wrapped.len() - 1];
    assert!(
        AccountKeys::unwrap(cut, WrappedBy::Passphrase, &name(), &kat::WRAP_KEY, &public).is_err()
    );
    let mut newer = wrapped.clone();
    newer[0] = 2;
    assert_eq!(
        AccountKeys::unwrap(
            &newer,
            WrappedBy::Passphrase,
            &name(),
            &kat::WRAP_KEY,
            &public
        )
        .err(),
        Some(KeysError::NewerFormat { found: 2 })
    );
}

#[test]
fn a_signature_verifies_only_for_its_key_and_message() {
    let keys = AccountKeys::from_random(&kat::random());
    let public = keys.public().signing;
    let signature: [u8; 64] = unhex(kat::SIGNATURE).try_into().unwrap();
    assert!(verify(&public, kat::MESSAGE, &signature));
    assert!(!verify(&public, b"coplan test messagf", &signature));
    let mut forged = signature;
    forged[10] ^= 1;
    assert!(!verify(&public, kat::MESSAGE, &forged));
    let other = AccountKeys::from_random(&[5; 64]).public().signing;
    assert!(!verify(&other, kat::MESSAGE, &signature));
}

#[test]
fn a_signature_that_passed_is_remembered_and_nothing_else_is() {
    forget_verified();
    let keys = AccountKeys::from_random(&kat::random());
    let public = keys.public().signing;
    let signature: [u8; 64] = unhex(kat::SIGNATURE).try_into().unwrap();
    assert!(verify(&public, kat::MESSAGE, &signature));
    assert_eq!(verified_remembered(), 1);
    // The same again passes, and is not remembered twice.
    assert!(verify(&public, kat::MESSAGE, &signature));
    assert_eq!(verified_remembered(), 1);
    // What fails is never remembered, and still fails after a pass of the same key,
    // signature or message.
    let mut forged = signature;
    forged[10] ^= 1;
    let other = AccountKeys::from_random(&[5; 64]).public().signing;
    for _ in 0..2 {
        assert!(!verify(&public, b"coplan test messagf", &signature));
        assert!(!verify(&public, kat::MESSAGE, &forged));
        assert!(!verify(&other, kat::MESSAGE, &signature));
    }
    assert_eq!(verified_remembered(), 1);
    // The memory holds at most two generations; a pass it let go of, checked again,
    // still passes.
    for n in 0..2 * REMEMBERED {
        let message = n.to_be_bytes();
        assert!(verify(&public, &message, &keys.sign(&message)));
        let held = verified_remembered();
        assert!(held <= 2 * REMEMBERED, "{held} remembered");
    }
    assert!(verified_remembered() >= REMEMBERED);
    assert!(verify(&public, kat::MESSAGE, &signature));
    forget_verified();
    assert_eq!(verified_remembered(), 0);
    assert!(verify(&public, kat::MESSAGE, &signature));
    assert!(!verify(&public, kat::MESSAGE, &forged));
}

#[test]
fn a_recovery_code_gives_the_known_verifier_and_wrap_key() {
    let code = RecoveryCode::from_bytes(std::array::from_fn(|i| i as u8));
    let secrets = recovery_secrets(&code, kat::SERVER, &name());
    assert_eq!(hex(&secrets.verifier), kat::RECOVERY_VERIFIER);
    assert_eq!(hex(&secrets.wrap_key), kat::RECOVERY_WRAP_KEY);
    assert_ne!(secrets.verifier, secrets.wrap_key);
    // Keys wrapped by the code open with it, and only as recovery-wrapped.
    let keys = AccountKeys::from_random(&kat::random());
    let wrapped = keys.wrap(
        WrappedBy::RecoveryCode,
        &name(),
        &secrets.wrap_key,
        &[1; 24],
    );
    let public = keys.public();
    assert!(
        AccountKeys::unwrap(
            &wrapped,
            WrappedBy::RecoveryCode,
            &name(),
            &secrets.wrap_key,
            &public
        )
        .is_ok()
    );
    assert!(
        AccountKeys::unwrap(
            &wrapped,
            WrappedBy::Passphrase,
            &name(),
            &secrets.wrap_key,
            &public
        )
        .is_err()
    );
}
