//! Ids made by the caller (from the browser's random source) and the stamp every change
//! carries: who made it, and when.

/// Why an id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad id")]
pub struct BadId;

fn check(id: &str) -> Result<(), BadId> {
    let ok = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok { Ok(()) } else { Err(BadId) }
}

/// A list item's stable id: it stays the same through edits, moves and merges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(String);

impl ItemId {
    pub fn parse(id: &str) -> Result<Self, BadId> {
        check(id).map(|()| Self(id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who made a change: the person, or someone they invited. On one phone with no
/// account, a local id made when the plan was started.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuthorId(String);

impl AuthorId {
    pub fn parse(id: &str) -> Result<Self, BadId> {
        check(id).map(|()| Self(id.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who made a change and when (milliseconds since 1970, UTC, passed in by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub author: AuthorId,
    pub at_ms: u64,
}
