//! The words the app puts together from a phrase and values (headless Chromium, where
//! the app's code runs).
#![cfg(target_arch = "wasm32")]

use coplan_app::i18n::fill;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A value is put in as it is: words a person typed that look like a slot name are
/// never filled in themselves.
#[wasm_bindgen_test]
fn a_value_that_looks_like_a_slot_is_left_as_typed() {
    assert_eq!(
        fill(
            "{name} checked in on {date}",
            &[("name", "Sam {date}"), ("date", "3 December 2026")]
        ),
        "Sam {date} checked in on 3 December 2026"
    );
    assert_eq!(fill("{a}{b}{a}", &[("a", "1"), ("b", "{a}")]), "1{a}1");
    assert_eq!(fill("no slots {at all", &[("x", "y")]), "no slots {at all");
}

/// Errors carry codes and values; the sentence a person reads comes from the translation
/// layer (`i18n/`), never from the error type (review item 8). The domain's own text for
/// an error is for logs only and says nothing a person should read.
#[wasm_bindgen_test]
fn every_error_a_person_meets_is_worded_by_the_translation_layer() {
    use coplan_app::i18n::Say;
    use coplan_app::storage::{StorageError, UnlockError};
    use coplan_domain::lock::{LockRecordError, SecretError};
    use coplan_domain::phone::PhoneError;
    use coplan_domain::plan::PlanError;
    use coplan_domain::plan::file::FileError;
    use coplan_domain::sealed::SealError;

    assert_eq!(
        PlanError::TooLong { max: 200 }.say(),
        "This can be up to 200 characters"
    );
    assert_eq!(
        PlanError::TooManyItems { max: 50 }.say(),
        "This list can hold up to 50 things. Remove one to add another"
    );
    assert_eq!(
        FileError::Damaged.say(),
        "This file is damaged or incomplete, so nothing was loaded. Your plan on this phone has not changed"
    );
    assert_eq!(
        FileError::NewerVersion { found: 2 }.say(),
        "This plan was saved by a newer version of Coplan. Reload Coplan to get the newest version, then try again"
    );
    assert_eq!(
        PhoneError::WrongLength.say(),
        "Enter a phone number, like 07700 900123, 116 123 or +353 1 234 5678"
    );
    assert_eq!(
        SecretError::Mismatch.say(),
        "The two you typed are not the same. Type it again, twice."
    );
    assert_eq!(
        StorageError::Sealed(SealError::Damaged).say(),
        "Part of your plan on this phone is damaged and could not be read. The rest is shown."
    );
    assert_eq!(
        UnlockError::Record(LockRecordError::NewerVersion).say(),
        "The app lock was set by a newer version of Coplan. Reload the app to get it."
    );
    // What the types themselves print is for logs: short, and not these sentences.
    for (logged, said) in [
        (PlanError::BadDate.to_string(), PlanError::BadDate.say()),
        (FileError::NotAPlan.to_string(), FileError::NotAPlan.say()),
        (
            StorageError::KeysMissing.to_string(),
            StorageError::KeysMissing.say(),
        ),
    ] {
        assert_ne!(logged, said);
        assert!(logged.len() < 60, "{logged}");
    }
}
