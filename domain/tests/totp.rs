//! The second factor's codes: RFC 6238's own known answers (SHA-1), the steps a code is
//! taken in, a code never taken twice, and the secret as an authenticator app reads it.

use coplan_domain::account::Username;
use coplan_domain::totp::{self, SECRET_BYTES};

/// RFC 6238 Appendix B's SHA-1 secret, "12345678901234567890".
const RFC_SECRET: &[u8; SECRET_BYTES] = b"12345678901234567890";

#[test]
fn codes_are_rfc_6238s_known_answers() {
    // Appendix B gives 8 digits; an app shows the last 6.
    for (unix_seconds, eight) in [
        (59u64, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        let step = totp::step_at(unix_seconds * 1000);
        assert_eq!(
            totp::code(RFC_SECRET, step),
            eight[2..],
            "at {unix_seconds}"
        );
    }
}

#[test]
fn a_code_is_taken_one_step_either_side_of_now_and_never_twice() {
    let now = totp::step_at(1_234_567_890_000);
    let this = totp::code(RFC_SECRET, now);
    assert_eq!(totp::check(RFC_SECRET, &this, now, None), Some(now));
    // Typed with a space in the middle, as some apps show it.
    let spaced = format!("{} {}", &this[..3], &this[3..]);
    assert_eq!(totp::check(RFC_SECRET, &spaced, now, None), Some(now));
    // A phone's clock a step out either way.
    let before = totp::code(RFC_SECRET, now - 1);
    let after = totp::code(RFC_SECRET, now + 1);
    assert_eq!(totp::check(RFC_SECRET, &before, now, None), Some(now - 1));
    assert_eq!(totp::check(RFC_SECRET, &after, now, None), Some(now + 1));
    // Two steps out is too far.
    let old = totp::code(RFC_SECRET, now - 2);
    assert_ne!(old, this);
    assert_eq!(totp::check(RFC_SECRET, &old, now, None), None);
    // Once a step is taken, neither it nor an earlier one is taken again.
    assert_eq!(totp::check(RFC_SECRET, &this, now, Some(now)), None);
    assert_eq!(totp::check(RFC_SECRET, &before, now, Some(now)), None);
    assert_eq!(
        totp::check(RFC_SECRET, &after, now, Some(now)),
        Some(now + 1)
    );
    // Not six digits, or another secret's code.
    for bad in ["", "12345", "1234567", "12a456", "１２３４５６"] {
        assert_eq!(totp::check(RFC_SECRET, bad, now, None), None, "{bad}");
    }
    let other = [7u8; SECRET_BYTES];
    let others = totp::code(&other, now);
    assert_ne!(others, this);
    assert_eq!(totp::check(RFC_SECRET, &others, now, None), None);
}

#[test]
fn the_secret_reads_as_base32_in_an_otpauth_address() {
    // RFC 4648's base32 of the RFC secret.
    assert_eq!(
        totp::secret_text(RFC_SECRET),
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    );
    let name = Username::parse("sam.worker").unwrap();
    assert_eq!(
        totp::address(RFC_SECRET, &name),
        "otpauth://totp/Coplan:sam.worker?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Coplan&algorithm=SHA1&digits=6&period=30"
    );
}
