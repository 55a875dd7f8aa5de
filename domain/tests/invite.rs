//! Invites in the room: the typed code and the QR address read back exactly, an honest
//! exchange gives both phones one check number, a swapped key gives numbers that match
//! one time in a million, and grinding keys to match is caught by the commitment.
//! The known answers were computed with Python's `hashlib` and `hmac`, not this code.

use coplan_domain::invite::{
    CHECK_NUMBERS, CodeError, Exchange, InviteId, Scanned, Secret, TypedCode, check_number_text,
    commitment, fingerprint, opens, proof, proof_holds,
};
use coplan_domain::keys::PublicKeys;
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn keys(signing: u8, receiving: u8) -> PublicKeys {
    PublicKeys {
        signing: [signing; 32],
        receiving: [receiving; 32],
    }
}

/// Deterministic bytes for the `n`th draw of a test.
fn drawn<const N: usize>(label: &str, n: u64) -> [u8; N] {
    let mut out = [0u8; N];
    for (block, chunk) in out.chunks_mut(32).enumerate() {
        let mut hash = Sha256::new();
        hash.update(label.as_bytes());
        hash.update(n.to_be_bytes());
        hash.update((block as u32).to_be_bytes());
        chunk.copy_from_slice(&hash.finalize()[..chunk.len()]);
    }
    out
}

#[test]
fn known_answers_pin_version_1() {
    let code = TypedCode::parse("1AQK-FFM9-38NKR").unwrap();
    assert_eq!(code.id().get(), 0x2AB_CDEF);
    assert_eq!(code.to_text(), "1AQK-FFM9-38NKR");
    let (joiner, person) = (keys(1, 2), keys(3, 4));
    assert_eq!(
        hex(&fingerprint(&person)),
        "06c61f8b6aade020b1a100e39aead390"
    );
    let sent = commitment(code.id(), &joiner, &[6; 32]);
    assert_eq!(
        hex(&sent),
        "e8355ce353c25396e98c35c12fc87551a50b58ea2fc331b5c08937f145a56883"
    );
    assert_eq!(
        hex(&proof(&Secret::Typed(code), &joiner, &sent)),
        "a4d8f226e6e08d97970979f51ba1e795cf271673751fe5ff978ab126cf1af948"
    );
    let scanned = Scanned {
        code,
        long: [5; 32],
        fingerprint: fingerprint(&person),
    };
    assert_eq!(
        hex(&proof(&Secret::Scanned(scanned), &joiner, &sent)),
        "1c636d5acf605e6aa90dd7536d02713139f769fc40570920ce0df766ad6db85c"
    );
    assert_eq!(
        scanned.to_fragment(),
        "1.1AQKFFM938NKR.BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU.BsYfi2qt4CCxoQDjmurTkA"
    );
    let exchange = Exchange {
        id: code.id(),
        joiner,
        commitment: sent,
        person,
        person_nonce: [7; 32],
        joiner_nonce: [6; 32],
    };
    assert_eq!(exchange.check_number(), 578_851);
    assert_eq!(check_number_text(578_851), "578 851");
    assert_eq!(check_number_text(42_917), "042 917");
}

#[test]
fn a_typed_code_reads_back_however_it_is_typed() {
    for n in 0..200 {
        let code = TypedCode::from_random(&drawn("code", n));
        let text = code.to_text();
        assert_eq!(text.len(), 15, "{text}");
        assert_eq!(TypedCode::parse(&text), Ok(code));
        // Lower case, spaces for dashes, and the letters people mistake for digits.
        let typed = text
            .to_lowercase()
            .replace('-', " ")
            .replace('0', "o")
            .replace('1', "l");
        assert_eq!(TypedCode::parse(&typed), Ok(code), "{typed}");
        assert!(code.id().get() < 1 << 30);
        assert_eq!(InviteId::new(code.id().get()), Some(code.id()));
        assert_eq!(code.id().to_text(), text.replace('-', "")[..6]);
        assert_eq!(InviteId::parse(&code.id().to_text()), Some(code.id()));
    }
    assert_eq!(
        TypedCode::parse("1AQK-FFM9-38NK"),
        Err(CodeError::Length { found: 12 })
    );
    assert_eq!(
        TypedCode::parse("1AQK-FFM9-38NKRR"),
        Err(CodeError::Length { found: 14 })
    );
    assert_eq!(
        TypedCode::parse("1AQK-FFM9-38NKU"),
        Err(CodeError::Character('U'))
    );
    assert_eq!(InviteId::new(1 << 30), None);
    // The server reads an id only as written: six characters, upper case, no stand-ins.
    for bad in ["1AQKF", "1AQKFFM", "1aqkff", "1AQKFO", "1AQK-F", ""] {
        assert_eq!(InviteId::parse(bad), None, "{bad}");
    }
}

#[test]
fn a_scanned_address_reads_back_and_nothing_else_does() {
    let scanned = Scanned {
        code: TypedCode::from_random(&drawn("scan", 0)),
        long: drawn("long", 0),
        fingerprint: fingerprint(&keys(3, 4)),
    };
    let fragment = scanned.to_fragment();
    assert_eq!(Scanned::parse_fragment(&fragment), Ok(scanned));
    assert_eq!(
        Scanned::parse_fragment(&format!("#{fragment}")),
        Ok(scanned)
    );
    for bad in [
        fragment.replacen("1.", "2.", 1),
        format!("{fragment}.more"),
        fragment[..fragment.len() - 2].to_string(),
        fragment.replace('.', ""),
        String::new(),
    ] {
        assert!(Scanned::parse_fragment(&bad).is_err(), "{bad}");
    }
}

#[test]
fn an_honest_exchange_gives_both_phones_one_number_and_a_proof_that_holds() {
    for n in 0..50 {
        let code = TypedCode::from_random(&drawn("code", n));
        let (joiner, person) = (keys(n as u8, 1), keys(2, n as u8));
        let scanned = Scanned {
            code,
            long: drawn("long", n),
            fingerprint: fingerprint(&person),
        };
        let joiner_nonce: [u8; 32] = drawn("joiner", n);
        let sent = commitment(code.id(), &joiner, &joiner_nonce);
        for secret in [Secret::Typed(code), Secret::Scanned(scanned)] {
            let made = proof(&secret, &joiner, &sent);
            assert!(proof_holds(&secret, &joiner, &sent, &made));
            // Another joiner's keys, another commitment: the proof does not hold.
            assert!(!proof_holds(&secret, &keys(9, 9), &sent, &made));
            assert!(!proof_holds(&secret, &joiner, &[0; 32], &made));
        }
        // A typed proof is no scanned one, and a wrong secret proves nothing.
        let typed = proof(&Secret::Typed(code), &joiner, &sent);
        assert!(!proof_holds(
            &Secret::Scanned(scanned),
            &joiner,
            &sent,
            &typed
        ));
        let other = TypedCode::from_random(&drawn("other", n));
        assert!(!proof_holds(&Secret::Typed(other), &joiner, &sent, &typed));
        assert!(opens(code.id(), &joiner, &joiner_nonce, &sent));
        assert!(!opens(code.id(), &joiner, &drawn("guess", n), &sent));
        let exchange = Exchange {
            id: code.id(),
            joiner,
            commitment: sent,
            person,
            person_nonce: drawn("person", n),
            joiner_nonce,
        };
        // Each phone works the number out from what it holds, and they are one.
        let on_joiners_phone = exchange;
        assert_eq!(exchange.check_number(), on_joiners_phone.check_number());
        assert!(u64::from(exchange.check_number()) < CHECK_NUMBERS);
    }
}

/// A server between the phones swaps the joiner's keys for its own on the way to the
/// person, and the person's keys and nonce for its own on the way to the joiner, in the
/// order the exchange allows: it commits before it sees the person's nonce, and shows
/// the joiner a nonce before the joiner reveals its own.
#[test]
fn a_server_that_swaps_keys_gets_numbers_that_match_one_time_in_a_million() {
    const TRIES: u64 = 20_000;
    let mut matched = 0;
    for n in 0..TRIES {
        let code = TypedCode::from_random(&drawn("code", n));
        let (joiner, person, server) = (keys(1, 1), keys(2, 2), keys(3, 3));
        let joiner_nonce: [u8; 32] = drawn("joiner", n);
        let sent = commitment(code.id(), &joiner, &joiner_nonce);
        // Toward the person: the server's keys, committed before the person's nonce.
        let server_nonce: [u8; 32] = drawn("server", n);
        let forged = commitment(code.id(), &server, &server_nonce);
        let person_nonce: [u8; 32] = drawn("person", n);
        // Toward the joiner: the server's keys as the person's, and a nonce of its own.
        let shown_nonce: [u8; 32] = drawn("shown", n);
        let on_persons_phone = Exchange {
            id: code.id(),
            joiner: server,
            commitment: forged,
            person,
            person_nonce,
            joiner_nonce: server_nonce,
        };
        assert!(opens(code.id(), &server, &server_nonce, &forged));
        let on_joiners_phone = Exchange {
            id: code.id(),
            joiner,
            commitment: sent,
            person: server,
            person_nonce: shown_nonce,
            joiner_nonce,
        };
        matched += u32::from(on_persons_phone.check_number() == on_joiners_phone.check_number());
    }
    // One in a million each time: 20,000 tries match 0.02 times on average.
    assert!(
        matched <= 1,
        "{matched} of {TRIES} swapped exchanges showed one number"
    );
}

/// Once it has seen both nonces, a server can grind keys until the person's phone would
/// show the joiner's number (about a million tries). The keys it finds do not open the
/// commitment it had to send before the person's nonce, so the person's phone refuses.
#[test]
fn grinding_keys_to_match_the_number_is_caught_by_the_commitment() {
    let code = TypedCode::from_random(&drawn("code", 0));
    let (joiner, person) = (keys(1, 1), keys(2, 2));
    let joiner_nonce: [u8; 32] = drawn("joiner", 0);
    let person_nonce: [u8; 32] = drawn("person", 0);
    let server_nonce: [u8; 32] = drawn("server", 0);
    let forged = commitment(code.id(), &keys(3, 3), &server_nonce);
    let on_joiners_phone = Exchange {
        id: code.id(),
        joiner,
        commitment: commitment(code.id(), &joiner, &joiner_nonce),
        person: keys(3, 3),
        person_nonce: drawn("shown", 0),
        joiner_nonce,
    };
    let target = on_joiners_phone.check_number();
    let mut ground = None;
    for n in 0..20_000_000u64 {
        let candidate = PublicKeys {
            signing: [3; 32],
            receiving: drawn("grind", n),
        };
        let on_persons_phone = Exchange {
            id: code.id(),
            joiner: candidate,
            commitment: forged,
            person,
            person_nonce,
            joiner_nonce: server_nonce,
        };
        if on_persons_phone.check_number() == target {
            ground = Some(candidate);
            break;
        }
    }
    let ground = ground.expect("a six-digit number can be ground in twenty million tries");
    // The ground keys would show the same number, but they do not open the commitment
    // sent before the person's nonce was known, whatever nonce the server reveals.
    assert!(!opens(code.id(), &ground, &server_nonce, &forged));
    assert!(!opens(code.id(), &ground, &person_nonce, &forged));
}
