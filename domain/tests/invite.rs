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

mod steps {
    //! The two phones' steps, run against what a server shows them: an honest server
    //! brings both to the same check number; each lie is caught by one side or shows as
    //! two numbers that differ.

    use coplan_domain::invite::{
        JoinerSide, JoinerStep, PersonSide, PersonStep, Secret, Stop, TypedCode,
    };
    use coplan_domain::wire::{Bytes, InviteState, Joiner};

    use super::keys;

    fn person() -> PersonSide {
        PersonSide {
            code: TypedCode::parse("1AQK-FFM9-38NKR").unwrap(),
            long: [5; 32],
            person: keys(3, 4),
            nonce: [7; 32],
        }
    }

    fn joiner(person: &PersonSide, scanned: bool) -> JoinerSide {
        JoinerSide {
            secret: if scanned {
                Secret::Scanned(person.scanned())
            } else {
                Secret::Typed(person.code)
            },
            keys: keys(1, 2),
            nonce: [6; 32],
        }
    }

    /// What an honest server shows once `side` redeemed.
    fn redeemed(person: &PersonSide, side: &JoinerSide) -> InviteState {
        InviteState {
            plan: "0123456789abcdef0123456789abcdef".into(),
            expires_ms: 1,
            signing: Bytes(person.person.signing),
            receiving: Bytes(person.person.receiving),
            joiner: Some(Joiner {
                username: "sam.w".into(),
                phone: "00112233445566778899aabbccddeeff".into(),
                range_start: 8192,
                signing: Bytes(side.keys.signing),
                receiving: Bytes(side.keys.receiving),
                commitment: Bytes(side.commitment()),
                proof: Bytes(side.proof()),
                scanned: matches!(side.secret, Secret::Scanned(_)),
            }),
            person_nonce: None,
            joiner_nonce: None,
        }
    }

    /// Runs the exchange to its end on an honest server: (the person's last step, the
    /// joiner's).
    fn honest(person: &PersonSide, side: &JoinerSide) -> (PersonStep, JoinerStep) {
        let mut state = redeemed(person, side);
        assert_eq!(side.next(&state), JoinerStep::Waiting);
        assert_eq!(person.next(&state), PersonStep::SendNonce);
        state.person_nonce = Some(Bytes(person.nonce));
        assert_eq!(person.next(&state), PersonStep::WaitingReveal);
        assert_eq!(side.next(&state), JoinerStep::SendNonce);
        state.joiner_nonce = Some(Bytes(side.nonce));
        (person.next(&state), side.next(&state))
    }

    fn check_of_person(step: &PersonStep) -> Option<u32> {
        match step {
            PersonStep::Decide { check, .. } => *check,
            other => panic!("the person's phone should decide, not {other:?}"),
        }
    }

    fn check_of_joiner(step: &JoinerStep) -> Option<u32> {
        match step {
            JoinerStep::Revealed { check, .. } => *check,
            other => panic!("the joining phone should have revealed, not {other:?}"),
        }
    }

    #[test]
    fn an_honest_exchange_brings_both_phones_to_one_number_or_none_after_a_scan() {
        let person = person();
        let typed = joiner(&person, false);
        let (p, j) = honest(&person, &typed);
        let number = check_of_person(&p).expect("a typed code has a number");
        assert_eq!(check_of_joiner(&j), Some(number));
        match (&p, &j) {
            (
                PersonStep::Decide { keys, joiner, .. },
                JoinerStep::Revealed {
                    person: pinned,
                    plan,
                    ..
                },
            ) => {
                assert_eq!(*keys, typed.keys);
                assert_eq!(joiner.range_start, 8192);
                assert_eq!(*pinned, person.person);
                assert_eq!(plan, "0123456789abcdef0123456789abcdef");
            }
            _ => unreachable!(),
        }
        let scanned = joiner(&person, true);
        let (p, j) = honest(&person, &scanned);
        assert_eq!(check_of_person(&p), None);
        assert_eq!(check_of_joiner(&j), None);
        // Nothing has been redeemed: the person waits.
        let mut state = redeemed(&person, &typed);
        state.joiner = None;
        assert_eq!(person.next(&state), PersonStep::Waiting);
    }

    #[test]
    fn a_redemption_without_the_secret_or_by_the_persons_own_account_is_stopped() {
        let person = person();
        // The server (or someone guessing) redeems with keys of its own and a proof made
        // from a wrong secret.
        let mut guess = joiner(&person, false);
        guess.keys = keys(9, 9);
        guess.secret = Secret::Typed(TypedCode::parse("1AQK-FFM9-38NKS").unwrap());
        let state = redeemed(&person, &guess);
        assert_eq!(person.next(&state), PersonStep::Stop(Stop::WrongProof));
        // Claiming a scan with only the typed code's secret fails too.
        let typed = joiner(&person, false);
        let mut claimed = redeemed(&person, &typed);
        claimed.joiner.as_mut().unwrap().scanned = true;
        assert_eq!(person.next(&claimed), PersonStep::Stop(Stop::WrongProof));
        // The person's own account.
        let mut own = joiner(&person, false);
        own.keys = person.person;
        assert_eq!(
            person.next(&redeemed(&person, &own)),
            PersonStep::Stop(Stop::OwnAccount)
        );
    }

    #[test]
    fn a_server_that_changes_its_story_part_way_is_caught() {
        let person = person();
        let side = joiner(&person, false);
        let mut state = redeemed(&person, &side);
        state.person_nonce = Some(Bytes(person.nonce));
        state.joiner_nonce = Some(Bytes(side.nonce));

        // Another nonce shown as the person's, to either side.
        let mut other = state.clone();
        other.person_nonce = Some(Bytes([8; 32]));
        assert_eq!(person.next(&other), PersonStep::Stop(Stop::NotWhatWasSent));
        // The joiner cannot tell: it shows a number that differs from the person's.
        assert_ne!(
            check_of_joiner(&side.next(&other)),
            check_of_person(&person.next(&state))
        );
        // Another nonce shown as the joiner's: it does not open the commitment.
        let mut other = state.clone();
        other.joiner_nonce = Some(Bytes([8; 32]));
        assert_eq!(person.next(&other), PersonStep::Stop(Stop::DoesNotOpen));
        assert_eq!(side.next(&other), JoinerStep::Stop(Stop::NotWhatWasSent));
        // Another redemption shown to the joiner (its own replaced by the server's).
        let mut other = state.clone();
        other.joiner.as_mut().unwrap().commitment = Bytes([8; 32]);
        assert_eq!(side.next(&other), JoinerStep::Stop(Stop::NotWhatWasSent));
        // The server's own keys shown to the joiner as the person's: after a typed code
        // the numbers differ; after a scan the fingerprint refuses them.
        let mut other = state.clone();
        other.signing = Bytes([9; 32]);
        assert_ne!(
            check_of_joiner(&side.next(&other)),
            check_of_person(&person.next(&state))
        );
        let scanning = joiner(&person, true);
        let mut scanned = redeemed(&person, &scanning);
        scanned.signing = Bytes([9; 32]);
        assert_eq!(
            scanning.next(&scanned),
            JoinerStep::Stop(Stop::NotThePerson)
        );
    }
}
