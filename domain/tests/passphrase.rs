//! The rules for a new passphrase (issue 12: at least 15 characters, no composition rules,
//! refused when common or breached), against the list Coplan bundles.

use coplan_domain::account::{
    CommonPassphrases, MIN_PASSPHRASE_CHARS, PassphraseProblem, check_new_passphrase,
};

const LIST: &str = include_str!("../data/common-passphrases.txt");

fn check(passphrase: &str) -> Result<(), PassphraseProblem> {
    check_new_passphrase(passphrase, "river.walker", &CommonPassphrases::parse(LIST))
}

#[test]
fn the_bundled_list_holds_only_lowercase_entries_long_enough_to_matter() {
    let list = CommonPassphrases::parse(LIST);
    assert!(list.len() > 9_000, "{}", list.len());
    for line in LIST.lines() {
        assert!(line.chars().count() >= MIN_PASSPHRASE_CHARS, "{line:?}");
        assert_eq!(line, line.to_lowercase(), "{line:?}");
    }
}

#[test]
fn ordinary_words_long_enough_are_accepted_with_no_rules_about_symbols() {
    assert_eq!(check("the heron waits by the weir"), Ok(()));
    assert_eq!(check("mi gato duerme en la ventana"), Ok(()));
    // Counted in characters, not bytes: 15 letters that take two bytes each are enough,
    // and 14 are not.
    assert_eq!(
        check(&"é".repeat(14)),
        Err(PassphraseProblem::TooShort { found: 14 })
    );
    assert_eq!(check("ééééééééééééééx"), Ok(()));
}

#[test]
fn short_guessable_and_breached_passphrases_are_refused() {
    assert_eq!(
        check("correct horse"),
        Err(PassphraseProblem::TooShort { found: 13 })
    );
    assert_eq!(check(&"a".repeat(20)), Err(PassphraseProblem::Guessable));
    assert_eq!(
        check_new_passphrase(
            "River.Walker.2026",
            "river.walker.2026",
            &CommonPassphrases::parse(LIST)
        ),
        Err(PassphraseProblem::Guessable)
    );
    // Seen in breaches, whatever the case.
    assert_eq!(check("passwordpassword"), Err(PassphraseProblem::Common));
    assert_eq!(check("1qaz2wsx3edc4rfv"), Err(PassphraseProblem::Common));
    assert_eq!(check("PasswordPassword"), Err(PassphraseProblem::Common));
    assert_eq!(check(&"x".repeat(1_001)), Err(PassphraseProblem::TooLong));
}
