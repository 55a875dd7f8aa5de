//! A section as it reads now: plain values, no CRDT types, ready for screens and tests.

use std::collections::BTreeMap;

/// A section as it reads now.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SectionView {
    pub fields: BTreeMap<&'static str, FieldView>,
    pub lists: BTreeMap<&'static str, ListView>,
    /// Picked values (only those still allowed); a choice never picked is absent.
    pub choices: BTreeMap<&'static str, String>,
}

impl SectionView {
    /// The words of a field (empty when never written).
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(|f| f.text.as_str()).unwrap_or("")
    }

    /// A picked value (empty when nothing was picked).
    pub fn choice(&self, name: &str) -> &str {
        self.choices.get(name).map(String::as_str).unwrap_or("")
    }

    /// The words of one part of one item (empty when the item or part is not there).
    pub fn part(&self, list: &str, id: &str, part: &str) -> &str {
        self.items(list)
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.part(part))
            .unwrap_or("")
    }

    /// A list's items (none when never written).
    pub fn items(&self, list: &str) -> &[ItemView] {
        self.lists
            .get(list)
            .map(|l| l.items.as_slice())
            .unwrap_or(&[])
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldView {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListView {
    pub hidden: bool,
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemView {
    pub id: String,
    pub parts: BTreeMap<&'static str, String>,
    /// When the item was added (a check-in's time).
    pub added_at_ms: u64,
    /// Where the item sits in its list (items are shown by `pos`, then id).
    pub(super) pos: f64,
}

impl ItemView {
    /// The words of one part (empty when never written).
    pub fn part(&self, name: &str) -> &str {
        self.parts.get(name).map(String::as_str).unwrap_or("")
    }
}
