//! An account's own keys (SHARING decision 3): an Ed25519 key that signs (the membership
//! log, key envelopes, changes) and an X25519 key that receives section keys. A phone
//! makes them from 64 random bytes it passes in; the private halves leave the phone only
//! wrapped, under a key that the person's passphrase, or their recovery code, gives.
//!
//! Wrapped keys, version 1 (105 bytes): the version byte 1, a 24-byte nonce, then the 64
//! private bytes (the signing seed, then the receiving secret) sealed with
//! XChaCha20-Poly1305, tag last. The associated data is `coplan/account-keys/1`, then
//! after a zero byte each of: what wrapped them (`passphrase` or `recovery`), the
//! username, and the two public keys. So keys wrapped for one account or one purpose
//! never open as another's, and a server that hands out other public keys than the
//! wrapped ones is caught when they open.
//!
//! Pinned by known answers computed independently with libsodium (through PyNaCl):
//! `domain/tests/keys.rs` natively, `tests/account.rs` in the browser.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};

use crate::account::{RecoveryCode, Stretched, Username};

/// The wrapped-keys format this build writes.
pub const WRAPPED_VERSION: u8 = 1;
/// The length of wrapped keys in version 1.
pub const WRAPPED_BYTES: usize = 1 + 24 + 64 + 16;

/// An account's public keys, as the server keeps and hands them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKeys {
    pub signing: [u8; 32],
    pub receiving: [u8; 32],
}

/// What wrapped a set of keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrappedBy {
    Passphrase,
    RecoveryCode,
}

impl WrappedBy {
    fn label(self) -> &'static [u8] {
        match self {
            Self::Passphrase => b"passphrase",
            Self::RecoveryCode => b"recovery",
        }
    }
}

/// Why wrapped keys did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeysError {
    /// Another key (a wrong passphrase or code), another account, or damaged bytes.
    #[error("keys: do not open")]
    DoNotOpen,
    /// They opened, but are not the public keys the server said: the server is not
    /// telling the truth about this account.
    #[error("keys: not the account's public keys")]
    NotTheseKeys,
    #[error("keys: newer format {found}")]
    NewerFormat { found: u8 },
}

/// The account's private keys, in memory on a signed-in phone.
pub struct AccountKeys {
    signing: SigningKey,
    receiving: StaticSecret,
}

impl AccountKeys {
    /// New keys from 64 random bytes (the caller's random source).
    pub fn from_random(bytes: &[u8; 64]) -> Self {
        let (signing, receiving) = bytes.split_at(32);
        Self {
            signing: SigningKey::from_bytes(signing.try_into().expect("32 bytes")),
            receiving: StaticSecret::from(<[u8; 32]>::try_from(receiving).expect("32 bytes")),
        }
    }

    pub fn public(&self) -> PublicKeys {
        PublicKeys {
            signing: self.signing.verifying_key().to_bytes(),
            receiving: PublicKey::from(&self.receiving).to_bytes(),
        }
    }

    /// The keys wrapped under `key` (from the passphrase or the recovery code), with a
    /// fresh random `nonce`.
    pub fn wrap(
        &self,
        by: WrappedBy,
        username: &Username,
        key: &[u8; 32],
        nonce: &[u8; 24],
    ) -> Vec<u8> {
        let mut private = [0u8; 64];
        private[..32].copy_from_slice(&self.signing.to_bytes());
        private[32..].copy_from_slice(self.receiving.as_bytes());
        let aad = associated_data(by, username, &self.public());
        let sealed = XChaCha20Poly1305::new(key.into())
            .encrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: &private,
                    aad: &aad,
                },
            )
            .expect("sealing 64 bytes cannot fail");
        private.fill(0);
        let mut out = Vec::with_capacity(WRAPPED_BYTES);
        out.push(WRAPPED_VERSION);
        out.extend_from_slice(nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens keys wrapped under `key`, and checks they are the account's `public` keys.
    pub fn unwrap(
        wrapped: &[u8],
        by: WrappedBy,
        username: &Username,
        key: &[u8; 32],
        public: &PublicKeys,
    ) -> Result<Self, KeysError> {
        match wrapped.first() {
            Some(&WRAPPED_VERSION) if wrapped.len() == WRAPPED_BYTES => {}
            Some(&found) if found > WRAPPED_VERSION => {
                return Err(KeysError::NewerFormat { found });
            }
            _ => return Err(KeysError::DoNotOpen),
        }
        let (nonce, sealed) = wrapped[1..].split_at(24);
        let aad = associated_data(by, username, public);
        let mut private = XChaCha20Poly1305::new(key.into())
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| KeysError::DoNotOpen)?;
        let keys = Self::from_random(
            private
                .as_slice()
                .try_into()
                .map_err(|_| KeysError::DoNotOpen)?,
        );
        private.fill(0);
        if keys.public() != *public {
            return Err(KeysError::NotTheseKeys);
        }
        Ok(keys)
    }

    /// Signs `message` (Ed25519, deterministic).
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// The X25519 shared secret with `their_public` (for opening what was wrapped to this
    /// account's receiving key).
    pub(crate) fn agree(&self, their_public: &[u8; 32]) -> [u8; 32] {
        self.receiving
            .diffie_hellman(&PublicKey::from(*their_public))
            .to_bytes()
    }

    /// The 64 private bytes, as [`Self::from_random`] takes them back: for the phone's own
    /// sealed record only.
    fn private_bytes(&self) -> [u8; 64] {
        let mut private = [0u8; 64];
        private[..32].copy_from_slice(&self.signing.to_bytes());
        private[32..].copy_from_slice(self.receiving.as_bytes());
        private
    }
}

/// What a signed-in phone keeps about its account: one record, sealed under the phone's
/// data key like every plan record, so the app lock protects the keys too.
///
/// Stored format, version 1: JSON `{"v":1,"server":…,"username":…,"account":…,
/// "phone":…,"range_start":…,"private":…}`, the 64 private bytes (signing seed, then
/// receiving secret) in unpadded base64url. Pinned by `domain/tests/account_record.rs`.
pub struct AccountRecord {
    /// The server's lasting id (it salts the passphrase).
    pub server_id: String,
    pub username: Username,
    /// The account's id on the server.
    pub account: String,
    /// This phone's id on the server.
    pub phone: String,
    /// The first of this phone's registered client ids.
    pub range_start: u32,
    pub keys: AccountKeys,
}

/// The account record format this build writes.
pub const ACCOUNT_RECORD_VERSION: u32 = 1;

/// Why a stored account record does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountRecordError {
    #[error("account record damaged")]
    Damaged,
    #[error("account record from a newer build: {found}")]
    Newer { found: u32 },
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredAccount {
    v: u32,
    server: String,
    username: String,
    account: String,
    phone: String,
    range_start: u32,
    private: String,
}

impl AccountRecord {
    pub fn to_stored(&self) -> String {
        use base64::Engine;
        let mut private = self.keys.private_bytes();
        let stored = StoredAccount {
            v: ACCOUNT_RECORD_VERSION,
            server: self.server_id.clone(),
            username: self.username.as_str().to_owned(),
            account: self.account.clone(),
            phone: self.phone.clone(),
            range_start: self.range_start,
            private: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(private),
        };
        private.fill(0);
        serde_json::to_string(&stored).expect("plain fields always serialise")
    }

    pub fn from_stored(text: &str) -> Result<Self, AccountRecordError> {
        use base64::Engine;
        #[derive(serde::Deserialize)]
        struct Version {
            v: u32,
        }
        let version: Version =
            serde_json::from_str(text).map_err(|_| AccountRecordError::Damaged)?;
        if version.v > ACCOUNT_RECORD_VERSION {
            return Err(AccountRecordError::Newer { found: version.v });
        }
        let stored: StoredAccount =
            serde_json::from_str(text).map_err(|_| AccountRecordError::Damaged)?;
        let mut private = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&stored.private)
            .map_err(|_| AccountRecordError::Damaged)?;
        let keys = <&[u8; 64]>::try_from(private.as_slice())
            .map(AccountKeys::from_random)
            .map_err(|_| AccountRecordError::Damaged);
        private.fill(0);
        Ok(Self {
            server_id: stored.server,
            username: Username::parse(&stored.username).map_err(|_| AccountRecordError::Damaged)?,
            account: stored.account,
            phone: stored.phone,
            range_start: stored.range_start,
            keys: keys?,
        })
    }
}

/// Whether `signature` is `signing`'s over `message` (strict: no malleable forms).
///
/// A signature that passed is remembered (by a SHA-256 of the key, the signature and
/// the message, in this thread, the last [`REMEMBERED`] to [`2 * REMEMBERED`]): the same
/// three again pass without the curve arithmetic. On a phone, every change is checked as
/// it arrives and again when its part's history is built, straight after; checking is
/// most of building (issue 15's bench). Only a pass is remembered, and a hit needs the
/// very same bytes, so the answer is always the one checking would give.
pub fn verify(signing: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    let seen: [u8; 32] = Sha256::new()
        .chain_update(b"coplan/verified/1")
        .chain_update(signing)
        .chain_update(signature)
        .chain_update(message)
        .finalize()
        .into();
    if PASSED.with_borrow(|passed| passed.holds(&seen)) {
        return true;
    }
    let Ok(key) = VerifyingKey::from_bytes(signing) else {
        return false;
    };
    let good = key
        .verify_strict(message, &Signature::from_bytes(signature))
        .is_ok();
    if good {
        PASSED.with_borrow_mut(|passed| passed.add(seen));
    }
    good
}

/// How many passed signatures make a generation of [`verify`]'s memory (32 bytes each,
/// two generations kept: at most 512 KiB). A round on a new phone may take in 20 passes
/// of 100 changes to each of a plan's six documents before the history is built.
pub const REMEMBERED: usize = 8192;

#[derive(Default)]
struct Passed {
    newer: std::collections::HashSet<[u8; 32]>,
    older: std::collections::HashSet<[u8; 32]>,
}

impl Passed {
    fn holds(&self, seen: &[u8; 32]) -> bool {
        self.newer.contains(seen) || self.older.contains(seen)
    }

    fn add(&mut self, seen: [u8; 32]) {
        if self.newer.len() >= REMEMBERED {
            self.older = std::mem::take(&mut self.newer);
        }
        self.newer.insert(seen);
    }
}

thread_local! {
    static PASSED: std::cell::RefCell<Passed> = std::cell::RefCell::default();
}

/// Forgets every signature [`verify`] remembers: for benches that time checking, and
/// tests of the memory itself.
pub fn forget_verified() {
    PASSED.with_borrow_mut(|passed| *passed = Passed::default());
}

/// How many passed signatures [`verify`] remembers now.
pub fn verified_remembered() -> usize {
    PASSED.with_borrow(|passed| passed.newer.len() + passed.older.len())
}

fn associated_data(by: WrappedBy, username: &Username, public: &PublicKeys) -> Vec<u8> {
    let mut aad = b"coplan/account-keys/1".to_vec();
    for part in [
        by.label(),
        username.as_str().as_bytes(),
        &public.signing,
        &public.receiving,
    ] {
        aad.push(0);
        aad.extend_from_slice(part);
    }
    aad
}

/// What a recovery code gives, as a passphrase gives it: a verifier for the server and a
/// key that wraps the account's keys. The code holds 128 random bits, so it needs no
/// stretching; each half is a SHA-256 bound to its use, the server and the username.
pub fn recovery_secrets(code: &RecoveryCode, server_id: &str, username: &Username) -> Stretched {
    let derive = |label: &[u8]| -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(label);
        hash.update([0]);
        hash.update(code.bytes());
        hash.update([0]);
        hash.update(server_id.as_bytes());
        hash.update([0]);
        hash.update(username.as_str().as_bytes());
        hash.finalize().into()
    };
    Stretched {
        verifier: derive(b"coplan/recovery/verifier/1"),
        wrap_key: derive(b"coplan/recovery/wrap/1"),
    }
}

/// Known answers, computed with libsodium (PyNaCl 1.6) and shared by the native and the
/// browser tests: the keys from the bytes 0 to 63, wrapped under `[7; 32]` with the nonce
/// `[9; 24]` by the passphrase of `river.walker`, and a signature.
pub mod known_answer {
    pub const USERNAME: &str = "river.walker";
    pub const SIGNING_PUBLIC: &str =
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
    pub const RECEIVING_PUBLIC: &str =
        "358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd166254";
    pub const WRAP_KEY: [u8; 32] = [7; 32];
    pub const NONCE: [u8; 24] = [9; 24];
    pub const WRAPPED: &str = "01090909090909090909090909090909090909090909090909be73e08978af7f65fc1b0237647e09e43ae2a58954748bf6be940247cf3b4d44a20b62f8f6ae9373245c96fc24f384a867ba1b2e0b22837cc3d38f6aecb80fa5b998692767695988bbf8d3ea9f3c8fc4";
    pub const MESSAGE: &[u8] = b"coplan test message";
    pub const SIGNATURE: &str = "6f9f02f11adde8a532ab8767ca63f0c5fa25a2b49c48f7ce26d097b0a84540481ca2af6d4cbb334cc7709996d0bc29089f582ae48882421524bf9988d9a6b006";
    /// The recovery code of the bytes 0 to 15, on server `b2c1f0de-…-000000000001`.
    pub const SERVER: &str = "b2c1f0de-0000-4000-8000-000000000001";
    pub const RECOVERY_VERIFIER: &str =
        "3afd1cfe7b33aefed39b9575d0e74e5697ae0d805984df7df894867715f8a5a6";
    pub const RECOVERY_WRAP_KEY: &str =
        "7f0161366c1ed369b9b59175837d85a56fc5760b3b7fdb3956240835e4fdc019";

    pub fn random() -> [u8; 64] {
        std::array::from_fn(|i| i as u8)
    }
}
