//! Coplan's domain: what a plan holds, the rules its words follow, and the 24/7 lines.
//!
//! This crate has no I/O of its own: no browser, no database, no clock. Time and ids are
//! passed in by the caller, so every rule here is tested natively and runs unchanged in
//! the browser (wasm32) and on the server.
#![forbid(unsafe_code)]

pub mod account;
pub mod crisis_lines;
pub mod draft;
pub mod envelope;
pub mod fuzzing;
pub mod invite;
pub mod key_envelope;
pub mod keys;
pub mod limits;
pub mod lock;
pub mod membership;
pub mod phone;
pub mod plan;
pub mod sealed;
pub mod sync;
pub mod totp;
pub mod wire;

pub use crisis_lines::{CRISIS_LINES, CrisisLine};
pub use draft::{DraftError, PlanDraft, PlanId, PreferredName};
pub use phone::{PhoneError, PhoneNumber};
