//! The recovery code's written form: pinned, forgiving to read, and strict about typos.

use coplan_domain::account::{RecoveryCode, RecoveryCodeError};

fn sample(seed: u8) -> RecoveryCode {
    let mut bytes = [0u8; 16];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = seed
            .wrapping_mul(37)
            .wrapping_add((i as u8).wrapping_mul(91))
            ^ 0x5a;
    }
    RecoveryCode::from_bytes(bytes)
}

const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[test]
fn the_written_form_is_pinned() {
    let bytes: [u8; 16] = std::array::from_fn(|i| i as u8);
    let code = RecoveryCode::from_bytes(bytes);
    assert_eq!(code.to_words(), "0004-1061-050R-3GG2-8A1C-60T3-GF1A");
    assert_eq!(
        RecoveryCode::from_bytes([0xff; 16]).to_words().len(),
        28 + 6
    );
    assert_eq!(RecoveryCode::parse(&code.to_words()).unwrap(), code);
}

#[test]
fn codes_read_back_as_written_however_they_are_typed() {
    for seed in 0..=255u8 {
        let code = sample(seed);
        let words = code.to_words();
        assert_eq!(RecoveryCode::parse(&words).unwrap(), code, "{words}");
        let loose = words.to_lowercase().replace('-', " ");
        assert_eq!(RecoveryCode::parse(&loose).unwrap(), code, "{loose}");
        let run_together = words.replace('-', "");
        assert_eq!(RecoveryCode::parse(&run_together).unwrap(), code);
    }
    // O, I and L are read as the digits they look like.
    let code = RecoveryCode::from_bytes([0; 16]);
    let words = code.to_words();
    assert_eq!(RecoveryCode::parse(&words.replace('0', "O")).unwrap(), code);
}

#[test]
fn every_single_typo_and_every_swap_of_neighbours_is_caught() {
    for seed in 0..=255u8 {
        let symbols: Vec<char> = sample(seed).to_words().replace('-', "").chars().collect();
        for at in 0..symbols.len() {
            for other in ALPHABET.chars().filter(|c| *c != symbols[at]) {
                let mut typed = symbols.clone();
                typed[at] = other;
                let typed: String = typed.into_iter().collect();
                assert!(
                    RecoveryCode::parse(&typed).is_err(),
                    "{typed} read as a code"
                );
            }
            if at + 1 < symbols.len() && symbols[at] != symbols[at + 1] {
                let mut typed = symbols.clone();
                typed.swap(at, at + 1);
                let typed: String = typed.into_iter().collect();
                assert_eq!(
                    RecoveryCode::parse(&typed),
                    Err(RecoveryCodeError::Check),
                    "{typed}"
                );
            }
        }
    }
}

#[test]
fn words_that_are_not_a_code_say_why() {
    assert_eq!(
        RecoveryCode::parse("0000-G40R"),
        Err(RecoveryCodeError::Length { found: 8 })
    );
    let words = sample(3).to_words().replace('-', "");
    let with_u = format!("U{}", &words[1..]);
    assert_eq!(
        RecoveryCode::parse(&with_u),
        Err(RecoveryCodeError::Symbol { at: 0 })
    );
}

#[test]
fn debug_output_never_shows_the_code() {
    let code = sample(9);
    let shown = format!("{code:?}");
    assert!(!shown.contains(&code.to_words()[..4]), "{shown}");
}
