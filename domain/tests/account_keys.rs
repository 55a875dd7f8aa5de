//! An account's passphrase stretched on the phone (SHARING decision 3): the salt from the
//! server's id and the username, Argon2id, and the 64 bytes split into verifier and wrap
//! key. The known answers were computed independently, with Python's `hashlib` and
//! `argon2-cffi` (`argon2.low_level.hash_secret_raw`, type ID, version 19), so this pins
//! the format and checks the implementation at once.

use coplan_domain::account::{StretchCost, Username, UsernameProblem, account_salt, stretch};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const SERVER: &str = "b2c1f0de-0000-4000-8000-000000000001";

#[test]
fn the_salt_is_pinned() {
    let name = Username::parse("River.Walker").unwrap();
    assert_eq!(
        hex(&account_salt(SERVER, &name)),
        "c8d81d6eedd4f66b184727890898cfb4"
    );
}

#[test]
fn a_passphrase_stretches_at_the_minimum_cost_to_the_known_answer() {
    let salt = account_salt(SERVER, &Username::parse("river.walker").unwrap());
    let stretched = stretch("the heron waits by the weir", &salt, StretchCost::MINIMUM).unwrap();
    assert_eq!(
        hex(&stretched.verifier),
        "13dd29926ce7e210947e849f401228e14574e78d67a9599a8a392da25c40829d"
    );
    assert_eq!(
        hex(&stretched.wrap_key),
        "24157a3ed99318b2634bc81fe1103be57acae5aa85b3d916b53c55364e5ed684"
    );
    assert!(!format!("{stretched:?}").contains("13dd"));
}

#[test]
fn the_bytes_of_the_passphrase_are_its_utf8() {
    let salt: [u8; 16] = std::array::from_fn(|i| i as u8);
    let cost = StretchCost {
        memory_kib: 64,
        passes: 1,
    };
    let stretched = stretch(&"é".repeat(15), &salt, cost).unwrap();
    assert_eq!(
        hex(&stretched.verifier) + &hex(&stretched.wrap_key),
        "fda70d5e2da7c246e205f736a6ac52247f5009dfdaebb2c7adebe288d62a27cc\
         fa7ec1456f0c78620cd90e14a0c198399c25d8285f0df778b2d628cbd02d14a7"
    );
}

#[test]
fn a_cost_argon2_refuses_is_an_error_not_a_weak_key() {
    let cost = StretchCost {
        memory_kib: 1,
        passes: 1,
    };
    assert!(stretch("the heron waits by the weir", &[0; 16], cost).is_err());
}

#[test]
fn usernames_are_plain_letters_digits_and_marks_read_without_case() {
    assert_eq!(
        Username::parse(" Sam_O-Neil.2 ").unwrap().as_str(),
        "sam_o-neil.2"
    );
    assert_eq!(
        Username::parse("jo"),
        Err(UsernameProblem::Length { found: 2 })
    );
    assert_eq!(
        Username::parse(&"a".repeat(33)),
        Err(UsernameProblem::Length { found: 33 })
    );
    assert_eq!(
        Username::parse("zoë"),
        Err(UsernameProblem::Character { at: 2 })
    );
    assert_eq!(
        Username::parse("sam smith"),
        Err(UsernameProblem::Character { at: 3 })
    );
}
