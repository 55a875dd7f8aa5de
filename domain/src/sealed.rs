//! How a plan record is kept encrypted at rest: the stored bytes of one record sealed with
//! AES-256-GCM. The browser does the cryptography (WebCrypto); this crate owns the format,
//! so it is pinned and tested natively, with known-answer vectors the browser test shares.
//!
//! Format, version 2: `b"CS"`, the version byte, the id of the key that sealed it (4 bytes,
//! big-endian, [`KeyId`]), the 12-byte nonce, then the ciphertext with its 16-byte tag.
//! Every record binds, as associated data, its own version and key id and where it is kept
//! (its store and key): `coplan/2/<key id>/<store>/<key>`, so a record moved to another
//! place, or read as another version or under another key, fails authentication.
//!
//! Version 1 (before 3 December 2026) had no key id: `b"CS"`, 1, nonce, ciphertext, bound
//! to `coplan/1/<store>/<key>`. It is still read, never written.

/// The format version this build writes.
pub const SEALED_VERSION: u8 = 2;
pub const NONCE_BYTES: usize = 12;
pub const TAG_BYTES: usize = 16;
const MAGIC: &[u8; 2] = b"CS";
const KEY_ID_BYTES: usize = 4;
const V1_HEADER_BYTES: usize = MAGIC.len() + 1 + NONCE_BYTES;
const HEADER_BYTES: usize = MAGIC.len() + 1 + KEY_ID_BYTES + NONCE_BYTES;

/// Which key sealed a record, so that a phone holding several keys knows which one opens
/// it without trying each. The keys of one phone have fixed ids; keys shared through sync
/// (one per document and key epoch) will take ids from [`KeyId::FIRST_SHARED`] up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyId(pub u32);

impl KeyId {
    /// The phone's data key, which seals every plan record.
    pub const DATA: KeyId = KeyId(1);
    /// The phone's device key: the data key wrapped while no lock is set, and the copies
    /// of safety plans that open without the PIN.
    pub const DEVICE: KeyId = KeyId(2);
    /// A key from a PIN or passphrase: the data key wrapped under a lock, and locked files.
    pub const SECRET: KeyId = KeyId(3);
    /// The first id for keys that are not this phone's own.
    pub const FIRST_SHARED: u32 = 0x1_0000;
}

/// Where a record is kept: the store and the record's key, bound into its sealing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub store: &'a str,
    pub key: &'a str,
}

/// Why stored bytes are not a sealed record this build can open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("sealed: damaged")]
    Damaged,
    #[error("sealed: newer version {found}")]
    NewerVersion { found: u8 },
}

/// A sealed record's parts, borrowed from its stored bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sealed<'a> {
    /// The format version the record was written in.
    pub version: u8,
    /// The key that sealed it; `None` in version 1, which had no key id.
    pub key_id: Option<KeyId>,
    pub nonce: &'a [u8; NONCE_BYTES],
    /// The ciphertext followed by the GCM tag.
    pub ciphertext: &'a [u8],
}

impl Sealed<'_> {
    /// The associated data this record was sealed with, from its own version and key id.
    pub fn associated_data(&self, place: Place<'_>) -> Vec<u8> {
        associated_data(self.version, self.key_id, place)
    }
}

/// The stored bytes of a record sealed by `key_id` with `nonce`.
pub fn to_stored(key_id: KeyId, nonce: &[u8; NONCE_BYTES], ciphertext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + ciphertext.len());
    out.extend_from_slice(MAGIC);
    out.push(SEALED_VERSION);
    out.extend_from_slice(&key_id.0.to_be_bytes());
    out.extend_from_slice(nonce);
    out.extend_from_slice(ciphertext);
    out
}

/// Reads stored bytes as a sealed record (without decrypting them).
pub fn from_stored(bytes: &[u8]) -> Result<Sealed<'_>, SealError> {
    if bytes.len() < V1_HEADER_BYTES + TAG_BYTES || &bytes[..2] != MAGIC {
        return Err(SealError::Damaged);
    }
    let (key_id, rest) = match bytes[2] {
        1 => (None, &bytes[3..]),
        SEALED_VERSION if bytes.len() >= HEADER_BYTES + TAG_BYTES => {
            let (id, rest) = bytes[3..].split_at(KEY_ID_BYTES);
            let id = u32::from_be_bytes(id.try_into().map_err(|_| SealError::Damaged)?);
            (Some(KeyId(id)), rest)
        }
        found if found > SEALED_VERSION => return Err(SealError::NewerVersion { found }),
        _ => return Err(SealError::Damaged),
    };
    let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
    Ok(Sealed {
        version: bytes[2],
        key_id,
        nonce: nonce.try_into().map_err(|_| SealError::Damaged)?,
        ciphertext,
    })
}

/// The associated data binding a record of `version`, sealed by `key_id`, to its place.
pub fn associated_data(version: u8, key_id: Option<KeyId>, place: Place<'_>) -> Vec<u8> {
    let Place { store, key } = place;
    match key_id {
        Some(KeyId(id)) => format!("coplan/{version}/{id}/{store}/{key}"),
        None => format!("coplan/{version}/{store}/{key}"),
    }
    .into_bytes()
}

/// A known-answer vector, shared with the browser test of WebCrypto: AES-256-GCM with
/// this key, nonce, plaintext and associated data gives exactly `CIPHERTEXT`.
pub mod known_answer {
    pub const KEY: [u8; 32] = [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
        25, 26, 27, 28, 29, 30, 31,
    ];
    pub const NONCE: [u8; 12] = [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7];
    pub const PLAINTEXT: &[u8] = b"My reasons for living: the sea";
    pub const PLACE: super::Place<'static> = super::Place {
        store: "section_updates",
        key: "plan-1/safety_plan/1/0",
    };
    /// Sealed by the data key in version 2 (bound to `coplan/2/1/section_updates/…`).
    /// Filled in from an independent implementation (RustCrypto's `aes-gcm`, in this
    /// crate's tests); the browser must agree byte for byte.
    pub const CIPHERTEXT: &[u8] = &[
        66, 19, 134, 46, 10, 110, 164, 155, 168, 238, 51, 230, 239, 35, 212, 247, 200, 42, 228, 29,
        239, 205, 161, 109, 150, 222, 126, 137, 97, 191, 39, 134, 128, 204, 39, 166, 204, 224, 187,
        27, 150, 106, 203, 128, 100, 69,
    ];
    /// The same in version 1 (bound to `coplan/1/section_updates/…`), which the browser
    /// must still open.
    pub const CIPHERTEXT_V1: &[u8] = &[
        66, 19, 134, 46, 10, 110, 164, 155, 168, 238, 51, 230, 239, 35, 212, 247, 200, 42, 228, 29,
        239, 205, 161, 109, 150, 222, 126, 137, 97, 191, 71, 50, 222, 201, 56, 225, 144, 40, 89,
        25, 113, 3, 19, 147, 80, 53,
    ];
}
