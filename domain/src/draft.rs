//! A plan's first words, kept as a draft on the phone: what the person likes to be called.
//!
//! The stored form is versioned (`schema_version`) so later versions can read what earlier
//! ones wrote; `PlanDraft::from_stored` is the one way in and carries the migrations.

use serde::{Deserialize, Serialize};

/// The schema version this build writes.
pub const DRAFT_SCHEMA_VERSION: u32 = 1;

/// Why a draft or one of its fields was not accepted (the app words each for a person).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DraftError {
    #[error("draft: bad plan id")]
    BadPlanId,
    #[error("draft: name over {} characters", PreferredName::MAX_CHARS)]
    NameTooLong,
    #[error("draft: newer schema {found}")]
    NewerSchema { found: u32 },
    #[error("draft: unreadable")]
    Unreadable,
}

/// The id of one plan on this phone. Made by the caller (the browser's random source), never
/// by this crate.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlanId(String);

impl PlanId {
    pub fn parse(id: &str) -> Result<Self, DraftError> {
        let ok = (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(id.to_string()))
        } else {
            Err(DraftError::BadPlanId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PlanId {
    type Error = DraftError;
    fn try_from(id: String) -> Result<Self, Self::Error> {
        Self::parse(&id)
    }
}

impl From<PlanId> for String {
    fn from(id: PlanId) -> Self {
        id.0
    }
}

/// What the person likes to be called, exactly as they typed it (spaces included, because
/// a draft keeps every keystroke).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PreferredName(String);

impl PreferredName {
    /// Long enough for any name and a note on how to say it; short enough that a stuck key
    /// cannot bloat a plan.
    pub const MAX_CHARS: usize = 100;

    pub fn parse(text: &str) -> Result<Self, DraftError> {
        if text.chars().count() > Self::MAX_CHARS {
            return Err(DraftError::NameTooLong);
        }
        // Control characters (other than none at all) have no place in a name.
        Ok(Self(text.chars().filter(|c| !c.is_control()).collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PreferredName {
    type Error = DraftError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<PreferredName> for String {
    fn from(name: PreferredName) -> Self {
        name.0
    }
}

/// A plan as it is first written, before the full plan sections exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDraft {
    pub schema_version: u32,
    pub id: PlanId,
    pub preferred_name: PreferredName,
    /// When the draft was started and last changed, in milliseconds since 1970 (UTC),
    /// passed in by the caller.
    pub created_at_ms: u64,
    pub updated_at_ms: u64,
}

impl PlanDraft {
    pub fn new(id: PlanId, now_ms: u64) -> Self {
        Self {
            schema_version: DRAFT_SCHEMA_VERSION,
            id,
            preferred_name: PreferredName::default(),
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        }
    }

    /// Sets what the person likes to be called. On error nothing changes, so nothing
    /// already saved is lost.
    pub fn set_preferred_name(&mut self, text: &str, now_ms: u64) -> Result<(), DraftError> {
        self.preferred_name = PreferredName::parse(text)?;
        self.updated_at_ms = now_ms.max(self.updated_at_ms);
        Ok(())
    }

    /// The stored form: JSON, one record per plan.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(self).expect("a draft always serialises")
    }

    /// Reads a stored draft of this or any earlier schema version.
    pub fn from_stored(json: &str) -> Result<Self, DraftError> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|_| DraftError::Unreadable)?;
        let version = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64)
            .ok_or(DraftError::Unreadable)?;
        let version = u32::try_from(version).map_err(|_| DraftError::Unreadable)?;
        if version > DRAFT_SCHEMA_VERSION {
            return Err(DraftError::NewerSchema { found: version });
        }
        // Version 1 is the first; later versions add their migration steps here, oldest first.
        serde_json::from_value(value).map_err(|_| DraftError::Unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> PlanDraft {
        let mut d = PlanDraft::new(PlanId::parse("plan-1").unwrap(), 1_700_000_000_000);
        d.set_preferred_name("Sam", 1_700_000_000_500).unwrap();
        d
    }

    #[test]
    fn the_stored_bytes_are_pinned() {
        // If this fails, the stored format changed: add a schema version and a migration.
        assert_eq!(
            draft().to_stored(),
            r#"{"schema_version":1,"id":"plan-1","preferred_name":"Sam","created_at_ms":1700000000000,"updated_at_ms":1700000000500}"#
        );
    }

    #[test]
    fn a_stored_draft_reads_back_the_same() {
        assert_eq!(PlanDraft::from_stored(&draft().to_stored()), Ok(draft()));
    }

    #[test]
    fn a_draft_from_a_newer_version_is_refused_plainly() {
        let newer = draft()
            .to_stored()
            .replace(r#""schema_version":1"#, r#""schema_version":2"#);
        assert_eq!(
            PlanDraft::from_stored(&newer),
            Err(DraftError::NewerSchema { found: 2 })
        );
        assert_eq!(
            PlanDraft::from_stored("{not json"),
            Err(DraftError::Unreadable)
        );
        let bad_id = draft().to_stored().replace("plan-1", "plan 1<");
        assert_eq!(PlanDraft::from_stored(&bad_id), Err(DraftError::Unreadable));
    }

    #[test]
    fn a_name_that_is_too_long_changes_nothing() {
        let mut d = draft();
        let long = "a".repeat(PreferredName::MAX_CHARS + 1);
        assert_eq!(
            d.set_preferred_name(&long, 1_800_000_000_000),
            Err(DraftError::NameTooLong)
        );
        assert_eq!(d, draft());
        d.set_preferred_name(&"a".repeat(PreferredName::MAX_CHARS), 1_800_000_000_000)
            .unwrap();
        assert_eq!(d.preferred_name.as_str().len(), PreferredName::MAX_CHARS);
    }

    #[test]
    fn spaces_typed_are_kept_and_control_characters_dropped() {
        let mut d = draft();
        d.set_preferred_name("Sam ", 1).unwrap();
        assert_eq!(d.preferred_name.as_str(), "Sam ");
        d.set_preferred_name("Sa\u{0}m", 1).unwrap();
        assert_eq!(d.preferred_name.as_str(), "Sam");
        assert_eq!(
            d.updated_at_ms, 1_700_000_000_500,
            "time never runs backwards"
        );
    }

    #[test]
    fn plan_ids_are_checked() {
        assert!(PlanId::parse("a1_B-2").is_ok());
        assert_eq!(PlanId::parse(""), Err(DraftError::BadPlanId));
        assert_eq!(PlanId::parse("../etc"), Err(DraftError::BadPlanId));
        assert_eq!(PlanId::parse(&"x".repeat(65)), Err(DraftError::BadPlanId));
    }
}
