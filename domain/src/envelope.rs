//! A sealed, signed envelope (SHARING decision 3): how one change to a document, or a
//! snapshot of it, travels through the server and sits in its log. The server can read
//! the header (to file and order it, and to check who sent it) and check the signature;
//! only phones holding the document's key for that epoch can open the payload.
//!
//! Format, version 1, all numbers big-endian:
//!
//! | bytes | what |
//! | --- | --- |
//! | 2 | `CE` |
//! | 1 | version, 1 |
//! | 1 | what: 1 a change, 2 a snapshot |
//! | 1 | the payload's encoding: 0 a Yrs (v1) update, 1 the same compressed as raw DEFLATE |
//! | 1 | the document's kind (a section, [`crate::plan::SectionKind::code`]) |
//! | 16 | the plan's id |
//! | 16 | the document's id |
//! | 4 | the key epoch |
//! | 16 | the sending phone's id |
//! | 8 | the phone's own counter for this document (0, 1, 2, … with no gaps) |
//! | 4 | the first Yrs client id of the sending phone's range: a change inserts only under ids from here to 4,095 past it |
//! | 8 | for a snapshot, the last log number it covers (0: none, a first upload); 0 for a change |
//! | 24 | the nonce |
//! | n | the padded payload sealed with XChaCha20-Poly1305 (tag last), the header above as associated data |
//! | 64 | the sender's Ed25519 signature over everything before it |
//!
//! The payload is padded before sealing (a 4-byte little-endian length, the payload, zero
//! bytes) to the Padmé length of SHARING's "sizes padded to buckets": the server learns a
//! size to within about 12 %, not the number of letters typed.
//!
//! Pinned by known answers computed with libsodium (PyNaCl): `domain/tests/envelope.rs`.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::keys::{AccountKeys, verify};
use crate::limits::{ENVELOPE_MAX_BYTES, REMOTE_UPDATE_MAX_BYTES};

/// The envelope format this build writes.
pub const ENVELOPE_VERSION: u8 = 1;
const MAGIC: &[u8; 2] = b"CE";
/// The header's length: everything before the nonce.
pub const HEADER_BYTES: usize = 2 + 1 + 1 + 1 + 1 + 16 + 16 + 4 + 16 + 8 + 4 + 8;
const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;
const SIGNATURE_BYTES: usize = 64;
/// The smallest padded payload.
const MIN_PADDED: usize = 32;

/// A change, or a snapshot of the whole document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Change,
    Snapshot,
}

/// How the payload is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// A Yrs update (encoding v1).
    Yrs,
    /// The same, compressed as raw DEFLATE (RFC 1951).
    YrsDeflated,
}

/// What the server reads: where the envelope belongs and who sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub what: What,
    pub encoding: Encoding,
    pub kind: u8,
    pub plan: [u8; 16],
    pub document: [u8; 16],
    pub epoch: u32,
    pub device: [u8; 16],
    pub counter: u64,
    /// The first client id of the sending phone's range (the server checks it is the
    /// range registered to that phone; every phone checks the update inserts only under
    /// ids in it, `membership::CLIENT_RANGE` long).
    pub range_start: u32,
    /// For a snapshot, the last log number it covers; 0 for a change.
    pub covers: u64,
}

/// Why bytes are not an envelope this build can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("envelope: damaged")]
    Damaged,
    #[error("envelope: too large")]
    TooLarge,
    #[error("envelope: newer version {found}")]
    NewerVersion { found: u8 },
    #[error("envelope: not signed by its sender")]
    BadSignature,
    #[error("envelope: does not open with this key")]
    DoesNotOpen,
}

impl Header {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(MAGIC);
        out.push(ENVELOPE_VERSION);
        out.push(match self.what {
            What::Change => 1,
            What::Snapshot => 2,
        });
        out.push(match self.encoding {
            Encoding::Yrs => 0,
            Encoding::YrsDeflated => 1,
        });
        out.push(self.kind);
        out.extend_from_slice(&self.plan);
        out.extend_from_slice(&self.document);
        out.extend_from_slice(&self.epoch.to_be_bytes());
        out.extend_from_slice(&self.device);
        out.extend_from_slice(&self.counter.to_be_bytes());
        out.extend_from_slice(&self.range_start.to_be_bytes());
        out.extend_from_slice(&self.covers.to_be_bytes());
    }

    fn read(bytes: &[u8; HEADER_BYTES]) -> Result<Self, EnvelopeError> {
        if &bytes[..2] != MAGIC {
            return Err(EnvelopeError::Damaged);
        }
        match bytes[2] {
            ENVELOPE_VERSION => {}
            found if found > ENVELOPE_VERSION => {
                return Err(EnvelopeError::NewerVersion { found });
            }
            _ => return Err(EnvelopeError::Damaged),
        }
        let what = match bytes[3] {
            1 => What::Change,
            2 => What::Snapshot,
            _ => return Err(EnvelopeError::Damaged),
        };
        let encoding = match bytes[4] {
            0 => Encoding::Yrs,
            1 => Encoding::YrsDeflated,
            _ => return Err(EnvelopeError::Damaged),
        };
        let mut at = 6;
        let mut take = |n: usize| {
            let part = &bytes[at..at + n];
            at += n;
            part
        };
        let header = Self {
            what,
            encoding,
            kind: bytes[5],
            plan: take(16).try_into().expect("16"),
            document: take(16).try_into().expect("16"),
            epoch: u32::from_be_bytes(take(4).try_into().expect("4")),
            device: take(16).try_into().expect("16"),
            counter: u64::from_be_bytes(take(8).try_into().expect("8")),
            range_start: u32::from_be_bytes(take(4).try_into().expect("4")),
            covers: u64::from_be_bytes(take(8).try_into().expect("8")),
        };
        // A change covers nothing. A snapshot may cover nothing too: the first upload of
        // a plan that already had words (before the account, or from a file).
        if what == What::Change && header.covers != 0 {
            return Err(EnvelopeError::Damaged);
        }
        Ok(header)
    }
}

/// The length a payload of `len` bytes (with its 4-byte length) is padded to: Padmé
/// (Nikitin et al., 2019), at least [`MIN_PADDED`], never past what the largest remote
/// update needs.
pub fn padded_len(len: usize) -> usize {
    let plain = len + 4;
    let largest = (REMOTE_UPDATE_MAX_BYTES + 4).max(plain);
    if plain <= MIN_PADDED {
        return MIN_PADDED;
    }
    let e = usize::BITS - 1 - plain.leading_zeros();
    let s = u32::BITS - e.leading_zeros();
    let zero_bits = e - s;
    let mask = (1usize << zero_bits) - 1;
    ((plain + mask) & !mask).min(largest)
}

/// Seals and signs `payload` (at most [`REMOTE_UPDATE_MAX_BYTES`]) under the document's
/// `key`, with a fresh random `nonce`.
pub fn seal(
    header: &Header,
    payload: &[u8],
    key: &[u8; 32],
    nonce: &[u8; NONCE_BYTES],
    sender: &AccountKeys,
) -> Result<Vec<u8>, EnvelopeError> {
    if payload.len() > REMOTE_UPDATE_MAX_BYTES {
        return Err(EnvelopeError::TooLarge);
    }
    let mut padded = Vec::with_capacity(padded_len(payload.len()));
    padded.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    padded.extend_from_slice(payload);
    padded.resize(padded_len(payload.len()), 0);

    let mut out = Vec::with_capacity(HEADER_BYTES + NONCE_BYTES + padded.len() + 80);
    header.write(&mut out);
    let sealed = XChaCha20Poly1305::new(key.into())
        .encrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: &padded,
                aad: &out,
            },
        )
        .map_err(|_| EnvelopeError::TooLarge)?;
    out.extend_from_slice(nonce);
    out.extend_from_slice(&sealed);
    let signature = sender.sign(&out);
    out.extend_from_slice(&signature);
    Ok(out)
}

/// An envelope read from bytes, not yet checked or opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope<'a> {
    pub header: Header,
    bytes: &'a [u8],
}

impl<'a> Envelope<'a> {
    /// Reads the header (what the server needs), refusing anything malformed or larger
    /// than [`ENVELOPE_MAX_BYTES`].
    pub fn read(bytes: &'a [u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() > ENVELOPE_MAX_BYTES {
            return Err(EnvelopeError::TooLarge);
        }
        let smallest = HEADER_BYTES + NONCE_BYTES + MIN_PADDED + TAG_BYTES + SIGNATURE_BYTES;
        if bytes.len() < smallest {
            // The version is still worth telling apart from damage.
            if bytes.len() >= 3 && &bytes[..2] == MAGIC && bytes[2] > ENVELOPE_VERSION {
                return Err(EnvelopeError::NewerVersion { found: bytes[2] });
            }
            return Err(EnvelopeError::Damaged);
        }
        let header = Header::read(bytes[..HEADER_BYTES].try_into().expect("header"))?;
        Ok(Self { header, bytes })
    }

    /// Whether `signing` (the sender's public key, from the membership log or the
    /// server's records) signed exactly these bytes.
    pub fn signed_by(&self, signing: &[u8; 32]) -> bool {
        let (signed, signature) = self.bytes.split_at(self.bytes.len() - SIGNATURE_BYTES);
        verify(signing, signed, signature.try_into().expect("64"))
    }

    /// Checks the signature, then opens the payload with the document's key.
    pub fn open(&self, signing: &[u8; 32], key: &[u8; 32]) -> Result<Vec<u8>, EnvelopeError> {
        if !self.signed_by(signing) {
            return Err(EnvelopeError::BadSignature);
        }
        let end = self.bytes.len() - SIGNATURE_BYTES;
        let nonce = &self.bytes[HEADER_BYTES..HEADER_BYTES + NONCE_BYTES];
        let mut padded = XChaCha20Poly1305::new(key.into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: &self.bytes[HEADER_BYTES + NONCE_BYTES..end],
                    aad: &self.bytes[..HEADER_BYTES],
                },
            )
            .map_err(|_| EnvelopeError::DoesNotOpen)?;
        let len = u32::from_le_bytes(padded[..4].try_into().map_err(|_| EnvelopeError::Damaged)?)
            as usize;
        if len > padded.len() - 4 || padded[4 + len..].iter().any(|&b| b != 0) {
            return Err(EnvelopeError::Damaged);
        }
        padded.truncate(4 + len);
        padded.drain(..4);
        Ok(padded)
    }

    /// The envelope's bytes, as stored and sent.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// A known answer computed with libsodium (PyNaCl 1.6), shared by the native and the
/// browser tests: [`HEADER`] and [`PAYLOAD`] sealed under `[3; 32]` with the nonce
/// `[4; 24]` by the keys of [`crate::keys::known_answer::random`].
pub mod known_answer {
    use super::{Encoding, Header, What};

    pub const HEADER: Header = Header {
        what: What::Change,
        encoding: Encoding::Yrs,
        kind: 3,
        plan: [0x11; 16],
        document: [0x22; 16],
        epoch: 7,
        device: [0x33; 16],
        counter: 42,
        range_start: 8192,
        covers: 0,
    };
    pub const PAYLOAD: &[u8] = b"my reasons: the sea";
    pub const KEY: [u8; 32] = [3; 32];
    pub const NONCE: [u8; 24] = [4; 24];
    pub const SEALED: &str = "43450101000311111111111111111111111111111111222222222222222222222222222222220000000733333333333333333333333333333333000000000000002a0000200000000000000000000404040404040404040404040404040404040404040404047ae3ff14fa4873942ae3ffd7914546cbab5e979753e6009f978e7a09caab861412b09db905fe995113738b68ba1e04eedf48a8595f94c0eaa46bd492e3f7c92d7363015944aca87fcca61562c361b51d5ad6f466a4d7dff9b86f0de0aedb18591ecd50d7bfabc20f6803b6dc08311c01";
}
