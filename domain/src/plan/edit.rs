//! The changes a person can make to a section, and why one may be refused.

use super::ItemId;

/// Why an edit or an update was refused (the app words each for a person). Nothing already
/// saved changes when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("edit: over {max} characters")]
    TooLong { max: u32 },
    #[error("edit: over {max} items")]
    TooManyItems { max: u32 },
    #[error("edit: no such item")]
    NoSuchItem,
    #[error("edit: unknown name {0:?}")]
    UnknownName(String),
    #[error("edit: newer schema {found}")]
    NewerSchema { found: u32 },
    #[error("edit: not a choice")]
    NotAChoice,
    #[error("edit: bad date")]
    BadDate,
    #[error("edit: bad update")]
    BadUpdate,
}

/// Which way to move an item in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Toward {
    Start,
    End,
}

/// A change a person makes to a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// The field now reads `text` (only the difference is written).
    SetField {
        field: &'static str,
        text: String,
    },
    /// A new item at the end of a list, with some of its parts filled in.
    AddItem {
        list: &'static str,
        id: ItemId,
        parts: Vec<(&'static str, String)>,
    },
    /// One part of an item now reads `text`.
    SetPart {
        list: &'static str,
        id: ItemId,
        part: &'static str,
        text: String,
    },
    RemoveItem {
        list: &'static str,
        id: ItemId,
    },
    MoveItem {
        list: &'static str,
        id: ItemId,
        toward: Toward,
    },
    /// Picks a value for a whole-section choice (empty: nothing picked).
    SetChoice {
        name: &'static str,
        value: String,
    },
    /// Hides or shows a whole list (a safety plan step that does not fit this person).
    SetHidden {
        list: &'static str,
        hidden: bool,
    },
}
