//! Key envelopes (SHARING decision 3): how a document's key for one epoch reaches each
//! account that may read it, the person's own included (so every phone the person signs
//! in on can open their plan). The person's phone makes every section key at random,
//! wraps it to the recipient's receiving key and signs the result; the server stores and
//! hands it out, and cannot open it.
//!
//! Format, version 1 (239 bytes), numbers big-endian:
//!
//! | bytes | what |
//! | --- | --- |
//! | 2 | `KE` |
//! | 1 | version, 1 |
//! | 16 | the plan's id |
//! | 16 | the document's id |
//! | 4 | the key epoch |
//! | 32 | the recipient's X25519 receiving key |
//! | 32 | a fresh X25519 public key, made for this envelope alone |
//! | 24 | the nonce |
//! | 48 | the 32-byte section key sealed with XChaCha20-Poly1305 (tag last), everything above as associated data |
//! | 64 | the signer's Ed25519 signature over everything before it |
//!
//! The sealing key is SHA-256 of `coplan/key-envelope/1`, then the X25519 shared secret
//! of the fresh key and the recipient's, the fresh public key and the recipient's key.
//! So an envelope opens only for its recipient, and only as the key of the plan,
//! document and epoch it names; a server that moves it elsewhere is caught.
//!
//! Pinned by known answers computed with libsodium (PyNaCl): `domain/tests/key_envelope.rs`.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};

use crate::keys::{AccountKeys, verify};

/// The key envelope format this build writes.
pub const KEY_ENVELOPE_VERSION: u8 = 1;
const MAGIC: &[u8; 2] = b"KE";
/// Everything before the sealed key: the associated data.
const HEADER_BYTES: usize = 2 + 1 + 16 + 16 + 4 + 32 + 32 + 24;
/// A whole envelope.
pub const KEY_ENVELOPE_BYTES: usize = HEADER_BYTES + 32 + 16 + 64;

/// Which key an envelope holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyAddress {
    pub plan: [u8; 16],
    pub document: [u8; 16],
    pub epoch: u32,
}

/// Why a key envelope was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyEnvelopeError {
    #[error("key envelope damaged")]
    Damaged,
    #[error("key envelope from a newer version: {found}")]
    NewerVersion { found: u8 },
    #[error("key envelope not signed by the expected key")]
    BadSignature,
    #[error("key envelope for another recipient")]
    NotForMe,
    #[error("key envelope does not open")]
    DoesNotOpen,
}

fn sealing_key(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"coplan/key-envelope/1");
    hash.update(shared);
    hash.update(ephemeral);
    hash.update(recipient);
    hash.finalize().into()
}

/// Wraps `section_key` to `recipient` (their receiving key) and signs it as `signer`.
/// `ephemeral` and `nonce` are fresh random bytes from the caller.
pub fn seal_key(
    address: &KeyAddress,
    section_key: &[u8; 32],
    recipient: &[u8; 32],
    ephemeral: &[u8; 32],
    nonce: &[u8; 24],
    signer: &AccountKeys,
) -> Vec<u8> {
    let secret = StaticSecret::from(*ephemeral);
    let ephemeral_public = PublicKey::from(&secret).to_bytes();
    let shared = secret
        .diffie_hellman(&PublicKey::from(*recipient))
        .to_bytes();
    let key = sealing_key(&shared, &ephemeral_public, recipient);

    let mut out = Vec::with_capacity(KEY_ENVELOPE_BYTES);
    out.extend_from_slice(MAGIC);
    out.push(KEY_ENVELOPE_VERSION);
    out.extend_from_slice(&address.plan);
    out.extend_from_slice(&address.document);
    out.extend_from_slice(&address.epoch.to_be_bytes());
    out.extend_from_slice(recipient);
    out.extend_from_slice(&ephemeral_public);
    out.extend_from_slice(nonce);
    let sealed = XChaCha20Poly1305::new((&key).into())
        .encrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: section_key,
                aad: &out,
            },
        )
        .expect("sealing 32 bytes cannot fail");
    out.extend_from_slice(&sealed);
    let signature = signer.sign(&out);
    out.extend_from_slice(&signature);
    out
}

/// A key envelope read from bytes: what the server files it under, not yet checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyEnvelope<'a> {
    pub address: KeyAddress,
    /// The recipient's receiving key.
    pub recipient: [u8; 32],
    bytes: &'a [u8],
}

impl<'a> KeyEnvelope<'a> {
    pub fn read(bytes: &'a [u8]) -> Result<Self, KeyEnvelopeError> {
        if bytes.len() >= 3 && &bytes[..2] == MAGIC && bytes[2] > KEY_ENVELOPE_VERSION {
            return Err(KeyEnvelopeError::NewerVersion { found: bytes[2] });
        }
        if bytes.len() != KEY_ENVELOPE_BYTES
            || &bytes[..2] != MAGIC
            || bytes[2] != KEY_ENVELOPE_VERSION
        {
            return Err(KeyEnvelopeError::Damaged);
        }
        let take = |at: usize, n: usize| &bytes[at..at + n];
        Ok(Self {
            address: KeyAddress {
                plan: take(3, 16).try_into().expect("16"),
                document: take(19, 16).try_into().expect("16"),
                epoch: u32::from_be_bytes(take(35, 4).try_into().expect("4")),
            },
            recipient: take(39, 32).try_into().expect("32"),
            bytes,
        })
    }

    /// Whether `signing` signed exactly these bytes.
    pub fn signed_by(&self, signing: &[u8; 32]) -> bool {
        let (signed, signature) = self.bytes.split_at(KEY_ENVELOPE_BYTES - 64);
        verify(signing, signed, signature.try_into().expect("64"))
    }

    /// Checks that `signer` (the plan owner's signing key, pinned by the phone) signed it
    /// and that it is for `me`, then opens the section key.
    pub fn open(&self, signer: &[u8; 32], me: &AccountKeys) -> Result<[u8; 32], KeyEnvelopeError> {
        if !self.signed_by(signer) {
            return Err(KeyEnvelopeError::BadSignature);
        }
        if self.recipient != me.public().receiving {
            return Err(KeyEnvelopeError::NotForMe);
        }
        let ephemeral: [u8; 32] = self.bytes[71..103].try_into().expect("32");
        let nonce = &self.bytes[103..HEADER_BYTES];
        let shared = me.agree(&ephemeral);
        if shared == [0; 32] {
            // A low-order point: no secret was agreed.
            return Err(KeyEnvelopeError::DoesNotOpen);
        }
        let key = sealing_key(&shared, &ephemeral, &self.recipient);
        let opened = XChaCha20Poly1305::new((&key).into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: &self.bytes[HEADER_BYTES..KEY_ENVELOPE_BYTES - 64],
                    aad: &self.bytes[..HEADER_BYTES],
                },
            )
            .map_err(|_| KeyEnvelopeError::DoesNotOpen)?;
        opened
            .as_slice()
            .try_into()
            .map_err(|_| KeyEnvelopeError::DoesNotOpen)
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

/// Known answers, computed with libsodium (PyNaCl 1.6): the section key `[5; 32]` of
/// plan `[1; 16]`, document `[2; 16]`, epoch 3, wrapped to the known-answer account
/// ([`crate::keys::known_answer`]) with the fresh key `[6; 32]` and nonce `[8; 24]`, signed
/// by that account.
pub mod known_answer {
    pub const SECTION_KEY: [u8; 32] = [5; 32];
    pub const EPHEMERAL: [u8; 32] = [6; 32];
    pub const NONCE: [u8; 24] = [8; 24];
    pub const SEALED: &str = "4b4501010101010101010101010101010101010202020202020202020202020202020200000003358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd166254f5b2d6e60f9477e310c2982daaa6c9136c108a1777c5947e448fa37d6817455708080808080808080808080808080808080808080808080811dd5480b5713e114b9b0828d7bd52ecbc09e036ba3c0a79d59ca47d7d8071e6fb4d48ffcf5fc7d85b3b6ec55e14f8842bff0e650fb29491f64bf5f73364c21fadc37c5f48ec3b0a70045c9a3a044f9478665bbab6c87e85c2b46a18003737ae3695a64d587344fb822de0aad67d2f0b";
}
