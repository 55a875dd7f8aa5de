//! Property tests: however a valid number is spaced or bracketed, it dials the same digits;
//! and no input, however odd, makes the parser panic.

use coplan_domain::PhoneNumber;
use proptest::prelude::*;

fn spaced(digits: &str, seps: &[u8]) -> String {
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        out.push(d);
        match seps.get(i).copied().unwrap_or(0) % 5 {
            1 => out.push(' '),
            2 => out.push('-'),
            _ => {}
        }
    }
    out.trim_end_matches(['-', ' ']).to_string()
}

proptest! {
    #[test]
    fn uk_numbers_dial_the_same_however_they_are_spaced(
        rest in "[1-9][0-9]{9}",
        seps in proptest::collection::vec(any::<u8>(), 11),
    ) {
        let digits = format!("0{rest}");
        let typed = spaced(&digits, &seps);
        let n = PhoneNumber::parse(&typed).unwrap();
        prop_assert_eq!(n.dial(), digits.as_str());
        prop_assert_eq!(n.tel_href(), format!("tel:{digits}"));
    }

    #[test]
    fn numbers_abroad_dial_with_a_plus(
        digits in "[1-9][0-9]{7,14}",
        seps in proptest::collection::vec(any::<u8>(), 15),
    ) {
        let typed = format!("+{}", spaced(&digits, &seps));
        let n = PhoneNumber::parse(&typed).unwrap();
        prop_assert_eq!(n.dial(), format!("+{digits}"));
    }

    #[test]
    fn no_input_makes_the_parser_panic(input in "\\PC{0,40}") {
        if let Ok(n) = PhoneNumber::parse(&input) {
            let dial = n.dial().trim_start_matches('+');
            prop_assert!(dial.chars().all(|c| c.is_ascii_digit()));
            prop_assert!((3..=15).contains(&dial.len()));
        }
    }
}
