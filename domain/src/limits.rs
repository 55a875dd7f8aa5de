//! Every size cap in one table (SHARING decision 6), so that each layer accepts what the
//! one before it may send, and the person hears about a section long before any cap:
//!
//! the phone warns ([`SECTION_WARN_BYTES`]) < a remote update's cap
//! ([`REMOTE_UPDATE_MAX_BYTES`]) ≤ a sealed envelope's cap ([`ENVELOPE_MAX_BYTES`]) ≤ the
//! sync route's body limit ([`SYNC_BODY_MAX_BYTES`]) ≤ the server's cap on one
//! document's log before it is compacted ([`DOCUMENT_LOG_MAX_BYTES`]).
//!
//! `domain/tests/limits.rs` holds the order. The sync issue builds on these numbers; a
//! change to one is a change to a stored or sent format's limits, made here only.

use crate::plan::{LONG_SECTION_BYTES, MAX_UPDATE_BYTES};

/// A section this size says on its screen that it is getting too long (75 % of the cap).
pub const SECTION_WARN_BYTES: usize = LONG_SECTION_BYTES;
/// The largest update a phone accepts from elsewhere (a file, another tab, another
/// phone): what the checker in its worker will apply.
pub const REMOTE_UPDATE_MAX_BYTES: usize = MAX_UPDATE_BYTES;
/// Room for an envelope's header, signature and the cipher's tag around its update.
pub const ENVELOPE_OVERHEAD_BYTES: usize = 4 * 1024;
/// The largest sealed envelope: one remote update at its cap, sealed and signed.
pub const ENVELOPE_MAX_BYTES: usize = REMOTE_UPDATE_MAX_BYTES + ENVELOPE_OVERHEAD_BYTES;
/// The largest body of one sync request: two envelopes at their cap (a request carries
/// several documents' changes; a phone with more sends them in turn).
pub const SYNC_BODY_MAX_BYTES: usize = 2 * ENVELOPE_MAX_BYTES;
/// What one document's log may hold on the server before a snapshot must replace it.
pub const DOCUMENT_LOG_MAX_BYTES: usize = 64 * 1024 * 1024;

// The warning comes before the first cap, leaving room for a good while of typing (a
// keystroke stores about a byte once compacted): at least 100,000 keystrokes. Checked
// when the crate builds.
const _: () = assert!(REMOTE_UPDATE_MAX_BYTES - SECTION_WARN_BYTES >= 100_000);
