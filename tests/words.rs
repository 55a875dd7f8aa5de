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
