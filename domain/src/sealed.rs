//! How a plan record is kept encrypted at rest: the stored bytes of one record sealed with
//! AES-256-GCM. The browser does the cryptography (WebCrypto); this crate owns the format,
//! so it is pinned and tested natively, with a known-answer vector the browser test shares.
//!
//! Format, version 1: `b"CS"`, the version byte, the 12-byte nonce, then the ciphertext
//! with its 16-byte tag. Every record also binds where it is kept (its store and key) as
//! associated data, so a record moved to another place fails authentication.

/// The format version this build writes.
pub const SEALED_VERSION: u8 = 1;
pub const NONCE_BYTES: usize = 12;
pub const TAG_BYTES: usize = 16;
const MAGIC: &[u8; 2] = b"CS";
const HEADER_BYTES: usize = MAGIC.len() + 1 + NONCE_BYTES;

/// Why stored bytes are not a sealed record this build can open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("Part of your plan on this phone is damaged and could not be read. The rest is shown.")]
    Damaged,
    #[error("Part of your plan was saved by a newer version of Coplan. Reload the app to get it.")]
    NewerVersion { found: u8 },
}

/// A sealed record's parts, borrowed from its stored bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sealed<'a> {
    pub nonce: &'a [u8; NONCE_BYTES],
    /// The ciphertext followed by the GCM tag.
    pub ciphertext: &'a [u8],
}

/// The stored bytes of a record sealed with `nonce`.
pub fn to_stored(nonce: &[u8; NONCE_BYTES], ciphertext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + ciphertext.len());
    out.extend_from_slice(MAGIC);
    out.push(SEALED_VERSION);
    out.extend_from_slice(nonce);
    out.extend_from_slice(ciphertext);
    out
}

/// Reads stored bytes as a sealed record (without decrypting them).
pub fn from_stored(bytes: &[u8]) -> Result<Sealed<'_>, SealError> {
    if bytes.len() < HEADER_BYTES + TAG_BYTES || &bytes[..2] != MAGIC {
        return Err(SealError::Damaged);
    }
    match bytes[2] {
        SEALED_VERSION => {}
        found if found > SEALED_VERSION => return Err(SealError::NewerVersion { found }),
        _ => return Err(SealError::Damaged),
    }
    let nonce = bytes[3..HEADER_BYTES]
        .try_into()
        .map_err(|_| SealError::Damaged)?;
    Ok(Sealed {
        nonce,
        ciphertext: &bytes[HEADER_BYTES..],
    })
}

/// The associated data binding a record to where it is kept: its store and its key.
pub fn associated_data(store: &str, key: &str) -> Vec<u8> {
    format!("coplan/{SEALED_VERSION}/{store}/{key}").into_bytes()
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
    pub const STORE: &str = "section_updates";
    pub const RECORD_KEY: &str = "plan-1/safety_plan/1/0";
    /// Filled in from an independent implementation (RustCrypto's `aes-gcm`, in this
    /// crate's tests); the browser must agree byte for byte.
    pub const CIPHERTEXT: &[u8] = &[
        66, 19, 134, 46, 10, 110, 164, 155, 168, 238, 51, 230, 239, 35, 212, 247, 200, 42, 228, 29,
        239, 205, 161, 109, 150, 222, 126, 137, 97, 191, 71, 50, 222, 201, 56, 225, 144, 40, 89,
        25, 113, 3, 19, 147, 80, 53,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_records_read_back_and_damage_is_refused() {
        let nonce = [9u8; NONCE_BYTES];
        let ciphertext = [1u8; 20];
        let stored = to_stored(&nonce, &ciphertext);
        assert_eq!(&stored[..3], b"CS\x01");
        let sealed = from_stored(&stored).unwrap();
        assert_eq!(sealed.nonce, &nonce);
        assert_eq!(sealed.ciphertext, &ciphertext);
        // Too short to hold a tag, wrong magic, newer and older versions.
        assert_eq!(
            from_stored(&stored[..HEADER_BYTES + 15]),
            Err(SealError::Damaged)
        );
        let mut other = stored.clone();
        other[0] = b'X';
        assert_eq!(from_stored(&other), Err(SealError::Damaged));
        other = stored.clone();
        other[2] = 2;
        assert_eq!(
            from_stored(&other),
            Err(SealError::NewerVersion { found: 2 })
        );
        other[2] = 0;
        assert_eq!(from_stored(&other), Err(SealError::Damaged));
        // A plain Yrs update or draft JSON from before encryption is not mistaken for one.
        assert_eq!(
            from_stored(b"{\"schema_version\":1}"),
            Err(SealError::Damaged)
        );
    }

    #[test]
    fn associated_data_names_the_place() {
        assert_eq!(
            associated_data("drafts", "plan-1"),
            b"coplan/1/drafts/plan-1".to_vec()
        );
    }
}
