//! The second factor of an account that is a member of someone else's plan (issue 14
//! item 10): a time-based code (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), which
//! any authenticator app makes from a secret the phone draws and shows once as a QR code
//! (an `otpauth://` address) and as 32 letters and digits. The server keeps the secret
//! and checks each code; the phone never needs to make one.

use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::account::Username;

/// How long one code lasts.
pub const STEP_SECONDS: u64 = 30;
/// The secret's length: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// A code's digits.
pub const DIGITS: usize = 6;

/// The step a moment falls in (Unix milliseconds).
pub fn step_at(unix_ms: u64) -> u64 {
    unix_ms / 1000 / STEP_SECONDS
}

/// The code for `step`, as the digits an authenticator app shows.
pub fn code(secret: &[u8; SECRET_BYTES], step: u64) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let at = usize::from(digest[19] & 0x0f);
    let bits = u32::from_be_bytes([digest[at], digest[at + 1], digest[at + 2], digest[at + 3]])
        & 0x7fff_ffff;
    format!("{:06}", bits % 1_000_000)
}

/// The step `typed` is the code for, if it is one of the steps next to `now_step` (a
/// phone's clock may be a step out either way) and later than `last_step`, the last one
/// taken (so a code seen over a shoulder cannot be used again). Spaces in `typed` are
/// ignored; anything but 6 digits is no code.
pub fn check(
    secret: &[u8; SECRET_BYTES],
    typed: &str,
    now_step: u64,
    last_step: Option<u64>,
) -> Option<u64> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    [now_step.saturating_sub(1), now_step, now_step + 1]
        .into_iter()
        .filter(|step| last_step.is_none_or(|last| *step > last))
        .find(|step| code(secret, *step) == digits)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The secret as authenticator apps take it typed: RFC 4648 base32, 32 characters.
pub fn secret_text(secret: &[u8; SECRET_BYTES]) -> String {
    let mut out = String::with_capacity(32);
    for chunk in secret.chunks(5) {
        let mut bits = 0u64;
        for byte in chunk {
            bits = bits << 8 | u64::from(*byte);
        }
        for at in (0..8).rev() {
            out.push(char::from(BASE32[(bits >> (at * 5)) as usize & 31]));
        }
    }
    out
}

/// The address an authenticator app reads from a QR code: the secret, named for this
/// account (a username is letters, digits, `.`, `_` and `-` only, so needs no escaping).
pub fn address(secret: &[u8; SECRET_BYTES], username: &Username) -> String {
    format!(
        "otpauth://totp/Coplan:{}?secret={}&issuer=Coplan&algorithm=SHA1&digits=6&period=30",
        username.as_str(),
        secret_text(secret)
    )
}
