//! The size caps hold their order (SHARING decision 6): each layer accepts what the one
//! before it may send, and the person is warned before the first cap.

use coplan_domain::limits::*;

#[test]
fn each_layer_accepts_what_the_one_before_it_may_send() {
    let order = [
        ("warning", SECTION_WARN_BYTES),
        ("remote update", REMOTE_UPDATE_MAX_BYTES),
        ("envelope", ENVELOPE_MAX_BYTES),
        ("sync body", SYNC_BODY_MAX_BYTES),
        ("document log", DOCUMENT_LOG_MAX_BYTES),
    ];
    for pair in order.windows(2) {
        let ((a, x), (b, y)) = (pair[0], pair[1]);
        assert!(x <= y, "{a} {x} > {b} {y}");
    }
    // The warning comes strictly before the first cap, with room for a good while of
    // typing: checked when the crate builds (`limits.rs`).
}
