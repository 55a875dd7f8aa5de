//! Invites in the room (SHARING decision 5): how the person's phone and the phone of
//! someone joining their plan come to trust each other's keys, with a server in between
//! that carries every message and must be able to read none of it usefully.
//!
//! The person's phone makes an invite and shows it two ways:
//! - a **typed code** of 13 characters (Crockford base32, read aloud without confusion):
//!   30 bits of invite id, which the server sees, looks up and limits tries on, then 35
//!   bits of secret, which it never sees;
//! - a **QR code** that opens `/join#…`, adding (in the address's fragment, which browsers
//!   never send) a long secret of 32 bytes and the fingerprint of the person's keys.
//!
//! Both run one exchange, through the server, in this order:
//! 1. the joining phone sends its account's public keys, a **commitment** to them and to a
//!    random nonce of its own, and a **proof** that it holds the invite's secret (an
//!    HMAC over the invite, its keys and the commitment);
//! 2. the person's phone checks the proof, then sends a random nonce of its own;
//! 3. the joining phone reveals its nonce; the person's phone checks that it opens the
//!    commitment;
//! 4. each phone works out a **check number** of 6 digits from both keys, the commitment
//!    and both nonces.
//!
//! After a scan, the joining phone checks the person's keys against the fingerprint, and
//! the person's phone the proof made with the long secret: no number to compare. After a
//! typed code, the 35-bit secret is too short to stop the server (it could try every
//! value), so both people compare the check numbers on their screens. A server that swaps
//! a key has to commit to its own before it sees the person's nonce, and to show the
//! joining phone a nonce before that phone reveals its own: each number is then a fresh
//! guess, right one time in a million. Grinding keys to match does not help, because the
//! commitment was sent first (`domain/tests/invite.rs` grinds to show it).
//!
//! Formats, version 1 (pinned by known answers computed with Python's `hashlib` and
//! `hmac` in `domain/tests/invite.rs`):
//! - fingerprint: the first 16 bytes of SHA-256(`coplan/fingerprint/1` ‖ 0 ‖ signing ‖
//!   receiving);
//! - commitment: SHA-256(`coplan/invite/commit/1` ‖ 0 ‖ id (4 bytes, big-endian) ‖
//!   signing ‖ receiving ‖ nonce);
//! - proof: HMAC-SHA-256 keyed with SHA-256(`coplan/invite/key/1` ‖ 0 ‖ secret (5 bytes,
//!   big-endian) ‖ long secret, if scanned), over `coplan/invite/proof/1` ‖ 0 ‖ id ‖
//!   signing ‖ receiving ‖ commitment;
//! - check number: the first 8 bytes, big-endian, of SHA-256(`coplan/invite/check/1` ‖ 0
//!   ‖ id ‖ the joiner's signing ‖ receiving ‖ commitment ‖ the person's signing ‖
//!   receiving ‖ the person's nonce ‖ the joiner's nonce), modulo 1,000,000;
//! - QR fragment: `1.` then the typed code's 13 characters, `.`, the long secret and `.`
//!   the fingerprint, each in unpadded base64url.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::keys::PublicKeys;

mod steps;
pub use steps::{JoinerSide, JoinerStep, PersonSide, PersonStep, Stop};

/// The invite format this build writes.
pub const INVITE_VERSION: u8 = 1;
/// Characters in a typed code (without the dashes shown between groups).
pub const TYPED_CODE_CHARS: usize = 13;
const ID_BITS: u32 = 30;
const SECRET_BITS: u32 = 35;
/// Check numbers run from 0 to 999,999: 6 digits.
pub const CHECK_NUMBERS: u64 = 1_000_000;
/// Crockford's base32: no I, L, O or U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// An invite's id: what the server sees of a code, 30 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InviteId(u32);

impl InviteId {
    pub fn get(self) -> u32 {
        self.0
    }

    /// An id as the server was given it; None past 30 bits.
    pub fn new(id: u32) -> Option<Self> {
        (id < 1 << ID_BITS).then_some(Self(id))
    }

    /// The six characters of a typed code that are the id (how the server is told).
    pub fn to_text(self) -> String {
        base32(u64::from(self.0), 6)
    }

    /// An id as [`Self::to_text`] writes it, and only so (the server's reading).
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 6 {
            return None;
        }
        let mut n = 0u32;
        for c in text.bytes() {
            n = n << 5 | ALPHABET.iter().position(|a| *a == c)? as u32;
        }
        Some(Self(n))
    }
}

/// Why a typed code or a scanned address did not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("invite code: {found} characters, not 13")]
    Length { found: usize },
    #[error("invite code: {0:?} is not one of its characters")]
    Character(char),
    #[error("invite address: not one this build reads")]
    Address,
}

/// The code the person reads out or shows: the invite's id and its short secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypedCode {
    id: InviteId,
    secret: u64,
}

impl TypedCode {
    /// A new code from 9 random bytes (the caller's random source).
    pub fn from_random(bytes: &[u8; 9]) -> Self {
        let mut wide = [0u8; 16];
        wide[7..].copy_from_slice(bytes);
        let bits = u128::from_be_bytes(wide);
        Self {
            id: InviteId((bits & ((1 << ID_BITS) - 1)) as u32),
            secret: ((bits >> ID_BITS) & ((1 << SECRET_BITS) - 1)) as u64,
        }
    }

    pub fn id(&self) -> InviteId {
        self.id
    }

    /// As shown: `ABCD-EFGH-JKMNP`.
    pub fn to_text(&self) -> String {
        let plain = self.plain();
        format!("{}-{}-{}", &plain[..4], &plain[4..8], &plain[8..])
    }

    fn plain(&self) -> String {
        base32(u64::from(self.id.0), 6) + &base32(self.secret, 7)
    }

    /// Reads a code as typed: any case, with or without spaces and dashes; `O` is read
    /// as `0`, and `I` and `L` as `1`, as Crockford's base32 has it.
    pub fn parse(text: &str) -> Result<Self, CodeError> {
        let mut values = Vec::with_capacity(TYPED_CODE_CHARS);
        for c in text.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            let value = ALPHABET
                .iter()
                .position(|a| char::from(*a) == c)
                .ok_or(CodeError::Character(c))?;
            values.push(value as u64);
        }
        if values.len() != TYPED_CODE_CHARS {
            return Err(CodeError::Length {
                found: values.len(),
            });
        }
        let number = |digits: &[u64]| digits.iter().fold(0u64, |n, d| n << 5 | d);
        let id = number(&values[..6]);
        let secret = number(&values[6..]);
        Ok(Self {
            id: InviteId::new(id as u32).ok_or(CodeError::Character('?'))?,
            secret,
        })
    }
}

fn base32(mut n: u64, chars: usize) -> String {
    let mut out = vec![b'0'; chars];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// What a QR code carries: the typed code, a long secret, and the person's fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    pub code: TypedCode,
    pub long: [u8; 32],
    pub fingerprint: [u8; 16],
}

impl Scanned {
    /// The fragment of the `/join#…` address (without the `#`).
    pub fn to_fragment(&self) -> String {
        format!(
            "{INVITE_VERSION}.{}.{}.{}",
            self.code.plain(),
            URL_SAFE_NO_PAD.encode(self.long),
            URL_SAFE_NO_PAD.encode(self.fingerprint)
        )
    }

    pub fn parse_fragment(fragment: &str) -> Result<Self, CodeError> {
        let mut parts = fragment.trim_start_matches('#').split('.');
        let (Some("1"), Some(code), Some(long), Some(fingerprint), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(CodeError::Address);
        };
        let bytes = |text: &str| URL_SAFE_NO_PAD.decode(text).map_err(|_| CodeError::Address);
        Ok(Self {
            code: TypedCode::parse(code)?,
            long: bytes(long)?.try_into().map_err(|_| CodeError::Address)?,
            fingerprint: bytes(fingerprint)?
                .try_into()
                .map_err(|_| CodeError::Address)?,
        })
    }
}

/// What the joining phone holds of the invite: the typed code alone, or a scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    Typed(TypedCode),
    Scanned(Scanned),
}

impl Secret {
    pub fn code(&self) -> TypedCode {
        match self {
            Self::Typed(code) => *code,
            Self::Scanned(scanned) => scanned.code,
        }
    }

    fn proof_key(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(b"coplan/invite/key/1\0");
        hash.update(&self.code().secret.to_be_bytes()[3..]);
        if let Self::Scanned(scanned) = self {
            hash.update(scanned.long);
        }
        hash.finalize().into()
    }
}

/// The fingerprint of an account's public keys, as a QR code carries it.
pub fn fingerprint(keys: &PublicKeys) -> [u8; 16] {
    let mut hash = Sha256::new();
    hash.update(b"coplan/fingerprint/1\0");
    hash.update(keys.signing);
    hash.update(keys.receiving);
    let full: [u8; 32] = hash.finalize().into();
    let mut short = [0u8; 16];
    short.copy_from_slice(&full[..16]);
    short
}

/// The joining phone's commitment to its keys and its nonce, sent before it sees the
/// person's nonce.
pub fn commitment(id: InviteId, joiner: &PublicKeys, nonce: &[u8; 32]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"coplan/invite/commit/1\0");
    hash.update(id.0.to_be_bytes());
    hash.update(joiner.signing);
    hash.update(joiner.receiving);
    hash.update(nonce);
    hash.finalize().into()
}

/// Whether a revealed nonce, with the keys the joiner sent, opens its commitment.
pub fn opens(id: InviteId, joiner: &PublicKeys, nonce: &[u8; 32], sent: &[u8; 32]) -> bool {
    commitment(id, joiner, nonce) == *sent
}

fn proof_mac(secret: &Secret, joiner: &PublicKeys, commitment: &[u8; 32]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&secret.proof_key())
        .expect("HMAC takes a key of any length");
    mac.update(b"coplan/invite/proof/1\0");
    mac.update(&secret.code().id.0.to_be_bytes());
    mac.update(&joiner.signing);
    mac.update(&joiner.receiving);
    mac.update(commitment);
    mac
}

/// The joining phone's proof that it holds the invite's secret.
pub fn proof(secret: &Secret, joiner: &PublicKeys, commitment: &[u8; 32]) -> [u8; 32] {
    proof_mac(secret, joiner, commitment)
        .finalize()
        .into_bytes()
        .into()
}

/// Whether `proof` was made with `secret` (compared in constant time).
pub fn proof_holds(
    secret: &Secret,
    joiner: &PublicKeys,
    commitment: &[u8; 32],
    proof: &[u8; 32],
) -> bool {
    proof_mac(secret, joiner, commitment)
        .verify_slice(proof)
        .is_ok()
}

/// Everything both check numbers are worked out from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    pub id: InviteId,
    pub joiner: PublicKeys,
    pub commitment: [u8; 32],
    pub person: PublicKeys,
    pub person_nonce: [u8; 32],
    pub joiner_nonce: [u8; 32],
}

impl Exchange {
    /// The check number each phone shows, 0 to 999,999.
    pub fn check_number(&self) -> u32 {
        let mut hash = Sha256::new();
        hash.update(b"coplan/invite/check/1\0");
        hash.update(self.id.0.to_be_bytes());
        hash.update(self.joiner.signing);
        hash.update(self.joiner.receiving);
        hash.update(self.commitment);
        hash.update(self.person.signing);
        hash.update(self.person.receiving);
        hash.update(self.person_nonce);
        hash.update(self.joiner_nonce);
        let full: [u8; 32] = hash.finalize().into();
        let mut first = [0u8; 8];
        first.copy_from_slice(&full[..8]);
        (u64::from_be_bytes(first) % CHECK_NUMBERS) as u32
    }
}

/// A check number as shown: `042 917`.
pub fn check_number_text(number: u32) -> String {
    format!("{:03} {:03}", number / 1000, number % 1000)
}
