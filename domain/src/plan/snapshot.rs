//! How a section's compacted state is kept on the phone, inside its sealed record.
//!
//! Format 1, "deflated" (from 3 December 2026): the bytes `0x00 'C' 'Z'`, the format
//! byte 1, then the section's whole state (a Yrs version 1 update) compressed as a raw
//! DEFLATE stream (RFC 1951), which is what the browser's own
//! `CompressionStream("deflate-raw")` writes. Typed words and the CRDT's repeated
//! client ids compress well: months of mixed editing store 2.0 bytes a keystroke this way
//! against 6.1 plain (`cargo xtask bench`).
//!
//! Before that, and still wherever the browser cannot compress, a snapshot is the plain
//! state. The two never look alike: a plain state that starts with a zero byte holds no
//! blocks, and a state without blocks has an empty delete set too (it can only name
//! blocks it holds), so it is exactly `[0, 0]`. A zero byte followed by `C` is never one.
//!
//! Compression happens in the browser (no DEFLATE code in the app's first download); this
//! crate owns only the framing, so it is pinned and tested natively.

/// The format byte this build writes.
pub const DEFLATED: u8 = 1;
const MAGIC: [u8; 3] = [0, b'C', b'Z'];

/// A stored snapshot, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snapshot<'a> {
    /// The state itself, as written before compression (or by a browser without it).
    Plain(&'a [u8]),
    /// The state as a raw DEFLATE stream, to inflate before use.
    Deflated(&'a [u8]),
}

/// Why stored bytes are not a snapshot this build can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot: newer format {found}")]
    NewerFormat { found: u8 },
    #[error("snapshot: damaged")]
    Damaged,
}

/// The stored bytes of a snapshot whose state was compressed into `deflate_raw`.
pub fn deflated(deflate_raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAGIC.len() + 1 + deflate_raw.len());
    out.extend_from_slice(&MAGIC);
    out.push(DEFLATED);
    out.extend_from_slice(deflate_raw);
    out
}

/// Reads stored bytes as a snapshot (without inflating them).
pub fn read(stored: &[u8]) -> Result<Snapshot<'_>, SnapshotError> {
    let Some(rest) = stored.strip_prefix(&MAGIC) else {
        return Ok(Snapshot::Plain(stored));
    };
    match rest.split_first() {
        Some((&DEFLATED, deflate_raw)) => Ok(Snapshot::Deflated(deflate_raw)),
        Some((&found, _)) if found > DEFLATED => Err(SnapshotError::NewerFormat { found }),
        _ => Err(SnapshotError::Damaged),
    }
}
