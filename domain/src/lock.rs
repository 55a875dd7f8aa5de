//! The app lock's rules: what makes a PIN or passphrase, how long to wait after wrong
//! tries, the auto-lock choices, and the stored lock record. The browser does the key
//! derivation and wrapping (WebCrypto PBKDF2-SHA-256 and AES-GCM); this crate owns the
//! format, so it is pinned and tested natively.
//!
//! Record format, version 1: `b"CL"`, the version byte, the kind byte (1 PIN,
//! 2 passphrase), then four big-endian u32s (iterations, wipe after, background grace in
//! seconds, idle time in seconds), the 16-byte salt, and the wrapped data key (a sealed
//! record, `crate::sealed`) to the end. The key is derived from the PIN or passphrase
//! in Unicode's composed form (NFC); a lock set before 3 December 2026 holds a key from
//! the secret as typed, which unlocking tries second. Iterations outside
//! [`ACCEPTED_ITERATIONS`] make the record damaged.

/// PBKDF2-SHA-256 iterations for a new lock (OWASP's 2023 figure for SHA-256).
pub const ITERATIONS: u32 = 600_000;

/// The key-derivation counts accepted from a lock record or a locked file: what Coplan
/// writes, with room to raise it later. A count from outside this range is refused as
/// damaged (a huge one would keep the phone busy for hours; a small one is weak).
pub const ACCEPTED_ITERATIONS: std::ops::RangeInclusive<u32> = ITERATIONS..=4 * ITERATIONS;
pub const SALT_BYTES: usize = 16;
pub const PIN_DIGITS: usize = 6;
/// The shortest passphrase: four short words and the spaces between them.
pub const PASSPHRASE_CHARS: usize = 16;
pub const SECRET_MAX_CHARS: usize = 200;

const MAGIC: &[u8; 2] = b"CL";
const VERSION: u8 = 1;
const HEADER_BYTES: usize = MAGIC.len() + 2 + 16 + SALT_BYTES;

/// Wrong tries allowed before each further try must wait.
const FREE_TRIES: u32 = 3;
const FIRST_WAIT_MS: u64 = 5_000;
const LONGEST_WAIT_MS: u64 = 15 * 60 * 1_000;

/// Background grace choices in seconds (0 locks as soon as Coplan leaves the screen).
pub const GRACE_CHOICES: [u32; 4] = [0, 60, 300, 900];
pub const DEFAULT_GRACE_S: u32 = 60;
/// Idle time choices in seconds (0 never locks for idleness).
pub const IDLE_CHOICES: [u32; 4] = [300, 900, 1_800, 0];
pub const DEFAULT_IDLE_S: u32 = 900;
/// Wrong tries after which everything on the phone is removed, if the person chose it.
pub const WIPE_CHOICES: [u32; 3] = [0, 10, 20];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Pin,
    Passphrase,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("pin: not 6 or more digits")]
    PinShape,
    #[error("passphrase: under 16 characters")]
    PassphraseShort,
    #[error("secret: over 200 characters")]
    TooLong,
    #[error("secret: the two differ")]
    Mismatch,
}

/// Checks a new PIN or passphrase, typed twice.
pub fn check_new_secret(kind: SecretKind, secret: &str, again: &str) -> Result<(), SecretError> {
    let chars = secret.chars().count();
    if chars > SECRET_MAX_CHARS {
        return Err(SecretError::TooLong);
    }
    match kind {
        SecretKind::Pin if chars < PIN_DIGITS || !secret.chars().all(|c| c.is_ascii_digit()) => {
            return Err(SecretError::PinShape);
        }
        SecretKind::Passphrase if secret.trim().chars().count() < PASSPHRASE_CHARS => {
            return Err(SecretError::PassphraseShort);
        }
        _ => {}
    }
    if secret != again {
        return Err(SecretError::Mismatch);
    }
    Ok(())
}

/// How long the next try must wait after `failed` wrong tries in a row: nothing for the
/// first few (typing slips), then doubling from 5 seconds to at most 15 minutes.
pub fn wait_after(failed: u32) -> u64 {
    if failed < FREE_TRIES {
        return 0;
    }
    let doublings = (failed - FREE_TRIES).min(20);
    (FIRST_WAIT_MS << doublings).min(LONGEST_WAIT_MS)
}

/// The stored lock: how to derive the key from the secret, the data key wrapped under
/// it, and the person's choices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockRecord {
    pub kind: SecretKind,
    pub iterations: u32,
    pub salt: [u8; SALT_BYTES],
    /// The data key, sealed under the key derived from the PIN or passphrase.
    pub wrapped: Vec<u8>,
    /// Remove everything after this many wrong tries in a row (0: never).
    pub wipe_after: u32,
    pub background_grace_s: u32,
    pub idle_s: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LockRecordError {
    #[error("lock record: damaged")]
    Damaged,
    #[error("lock record: newer version")]
    NewerVersion,
}

impl LockRecord {
    pub fn to_stored(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_BYTES + self.wrapped.len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.push(match self.kind {
            SecretKind::Pin => 1,
            SecretKind::Passphrase => 2,
        });
        for n in [
            self.iterations,
            self.wipe_after,
            self.background_grace_s,
            self.idle_s,
        ] {
            out.extend_from_slice(&n.to_be_bytes());
        }
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(&self.wrapped);
        out
    }

    pub fn from_stored(bytes: &[u8]) -> Result<Self, LockRecordError> {
        if bytes.len() < HEADER_BYTES || &bytes[..2] != MAGIC {
            return Err(LockRecordError::Damaged);
        }
        if bytes[2] != VERSION {
            return Err(LockRecordError::NewerVersion);
        }
        let kind = match bytes[3] {
            1 => SecretKind::Pin,
            2 => SecretKind::Passphrase,
            _ => return Err(LockRecordError::Damaged),
        };
        let number = |i: usize| {
            let at = 4 + 4 * i;
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let mut salt = [0u8; SALT_BYTES];
        salt.copy_from_slice(&bytes[20..HEADER_BYTES]);
        let iterations = number(0);
        if !ACCEPTED_ITERATIONS.contains(&iterations) {
            return Err(LockRecordError::Damaged);
        }
        Ok(Self {
            kind,
            iterations,
            salt,
            wrapped: bytes[HEADER_BYTES..].to_vec(),
            wipe_after: number(1),
            background_grace_s: number(2),
            idle_s: number(3),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> LockRecord {
        LockRecord {
            kind: SecretKind::Pin,
            iterations: ITERATIONS,
            salt: [7; SALT_BYTES],
            wrapped: vec![1, 2, 3],
            wipe_after: 10,
            background_grace_s: DEFAULT_GRACE_S,
            idle_s: DEFAULT_IDLE_S,
        }
    }

    #[test]
    fn the_record_format_is_pinned() {
        let mut expected = b"CL\x01\x01".to_vec();
        expected.extend_from_slice(&600_000u32.to_be_bytes());
        expected.extend_from_slice(&10u32.to_be_bytes());
        expected.extend_from_slice(&60u32.to_be_bytes());
        expected.extend_from_slice(&900u32.to_be_bytes());
        expected.extend_from_slice(&[7; 16]);
        expected.extend_from_slice(&[1, 2, 3]);
        assert_eq!(record().to_stored(), expected);
        assert_eq!(LockRecord::from_stored(&expected), Ok(record()));
    }

    #[test]
    fn a_record_with_a_key_derivation_count_out_of_range_is_refused() {
        for iterations in [1, 1_000, 100_000_000, u32::MAX] {
            let stored = LockRecord {
                iterations,
                ..record()
            }
            .to_stored();
            assert_eq!(
                LockRecord::from_stored(&stored),
                Err(LockRecordError::Damaged),
                "{iterations}"
            );
        }
    }

    #[test]
    fn a_cut_short_foreign_or_newer_record_is_refused() {
        let stored = record().to_stored();
        for cut in 0..HEADER_BYTES {
            assert_eq!(
                LockRecord::from_stored(&stored[..cut]),
                Err(LockRecordError::Damaged)
            );
        }
        let mut newer = stored.clone();
        newer[2] = 2;
        assert_eq!(
            LockRecord::from_stored(&newer),
            Err(LockRecordError::NewerVersion)
        );
        let mut foreign = stored;
        foreign[3] = 9;
        assert_eq!(
            LockRecord::from_stored(&foreign),
            Err(LockRecordError::Damaged)
        );
    }

    #[test]
    fn pins_are_six_or_more_digits_and_passphrases_sixteen_characters() {
        use SecretKind::*;
        assert_eq!(check_new_secret(Pin, "123456", "123456"), Ok(()));
        assert_eq!(
            check_new_secret(Pin, "12345", "12345"),
            Err(SecretError::PinShape)
        );
        assert_eq!(
            check_new_secret(Pin, "12345a", "12345a"),
            Err(SecretError::PinShape)
        );
        assert_eq!(
            check_new_secret(Pin, "123456", "123457"),
            Err(SecretError::Mismatch)
        );
        let phrase = "kettle harbour violet stone";
        assert_eq!(check_new_secret(Passphrase, phrase, phrase), Ok(()));
        assert_eq!(
            check_new_secret(Passphrase, "short words", "short words"),
            Err(SecretError::PassphraseShort)
        );
        let long = "a".repeat(SECRET_MAX_CHARS + 1);
        assert_eq!(
            check_new_secret(Passphrase, &long, &long),
            Err(SecretError::TooLong)
        );
    }

    #[test]
    fn waits_grow_after_three_wrong_tries_and_stop_growing_at_fifteen_minutes() {
        let waits: Vec<u64> = (0..25).map(wait_after).collect();
        assert_eq!(&waits[..5], &[0, 0, 0, 5_000, 10_000]);
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "never shrinks");
        assert_eq!(waits[24], LONGEST_WAIT_MS);
        assert_eq!(wait_after(u32::MAX), LONGEST_WAIT_MS);
    }
}
