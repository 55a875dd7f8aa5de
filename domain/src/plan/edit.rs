//! The changes a person can make to a section, and why one may be refused.

use super::ItemId;

/// Why an edit or an update was refused, in words a person can act on. Nothing already
/// saved changes when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("This can be up to {max} characters")]
    TooLong { max: u32 },
    #[error("This list can hold up to {max} things. Remove one to add another")]
    TooManyItems { max: u32 },
    #[error("That has been removed, perhaps on another phone")]
    NoSuchItem,
    #[error("Coplan does not know the part of the plan called {0:?}")]
    UnknownName(String),
    #[error("This was saved by a newer version of Coplan. Reload the app to get it")]
    NewerSchema { found: u32 },
    #[error("Choose one of the options given")]
    NotAChoice,
    #[error("Enter a real date, like 31 12 2026")]
    BadDate,
    #[error("This change could not be read: it may be damaged or too large")]
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
