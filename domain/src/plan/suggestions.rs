//! A member's suggestions to one section of someone's plan (SHARING decisions 2 and 4):
//! a Yrs document of its own, which only that member and the person write (the server
//! lets no one else reach it, and every phone opens its changes only as from one of them,
//! `membership::Membership::suggestion_sender`).
//!
//! Layout inside the document, each value written once and never changed:
//! - `s`: a root Map from a suggestion's id to a Map value: `v` (its format's version,
//!   [`SUGGESTION_VERSION`]; a newer one is left unread), `what` (`field`, `part`,
//!   `add` or `remove`), `name` (the field or list), `item` and `part` where they apply,
//!   `text` (the words suggested), `parts` (for a new item: a Map of part to words),
//!   `was` (the words the member saw when they suggested it) and `at` (when, in
//!   milliseconds since 1970);
//! - `d`: a root Map from a suggestion's id to the person's decision: `taken` (true when
//!   taken in, false when declined) and `at`.
//!
//! Who wrote what is the document's: suggestions are the member's, decisions the
//! person's. Nothing here stops either from writing in the other's map, and nothing
//! needs to: a member who marks their own suggestion decided only hides it from the
//! person, and the person can already change whatever they like in their own plan.
//!
//! A suggestion is never applied blindly: [`Suggestion::standing`] compares it with the
//! section as it reads now, and [`Suggestion::edit`] makes the change that takes it in
//! only while the section still reads what the person was shown.

use std::collections::HashMap;
use std::sync::Arc;

use yrs::{
    Any, ClientID, Doc, Map, Number, Options, Out, ReadTxn, StateVector, Transact, WriteTxn,
};

use super::schema::SectionKind;
use super::{Edit, ItemId, MAX_UPDATE_BYTES, PlanError, SectionView};

/// The format of a suggestion this build writes.
pub const SUGGESTION_VERSION: i64 = 1;

/// The most suggestions one member may have waiting in one section: past this, they wait
/// for the person to decide some.
pub const MAX_WAITING: usize = 100;

/// What a suggestion would change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A field would read `text`.
    Field { field: &'static str, text: String },
    /// One part of a list's item would read `text`.
    Part {
        list: &'static str,
        item: ItemId,
        part: &'static str,
        text: String,
    },
    /// A new item at the end of a list.
    AddItem {
        list: &'static str,
        parts: Vec<(&'static str, String)>,
    },
    /// An item would go.
    RemoveItem { list: &'static str, item: ItemId },
}

/// One suggestion, as its member wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub id: String,
    pub change: Change,
    /// The words the member saw where the change would go (empty for a new item; the
    /// item's first part for a removal).
    pub was: String,
    pub at_ms: u64,
}

/// What the person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    pub taken: bool,
    pub at_ms: u64,
}

/// How a suggestion stands against the section as it reads now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// The words are still what the member saw.
    AsWritten,
    /// The words have changed since: this is what they read now.
    Changed { now: String },
    /// The section already reads as suggested.
    AlreadySo,
    /// The item it would change is no longer there.
    Gone,
}

/// Why taking a suggestion in made no change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotTaken {
    /// The section no longer reads what the person was shown: show it again.
    #[error("suggestion: the words changed while it was shown")]
    Moved,
    /// The item it would change is no longer there.
    #[error("suggestion: the item is gone")]
    Gone,
}

/// One member's suggestions to one section.
pub struct SuggestionsDoc {
    section: SectionKind,
    doc: Doc,
}

impl SuggestionsDoc {
    /// An empty document; `client_id` as for [`super::SectionDoc::new`].
    pub fn new(section: SectionKind, client_id: u32) -> Self {
        let options = Options {
            client_id: ClientID::new(u64::from(client_id.max(1))),
            ..Options::default()
        };
        Self {
            section,
            doc: Doc::with_options(options),
        }
    }

    pub fn section(&self) -> SectionKind {
        self.section
    }

    /// Merges an update from this or another phone, capped at [`MAX_UPDATE_BYTES`]; a
    /// damaged one is refused without changing anything.
    pub fn apply_update(&self, bytes: &[u8]) -> Result<(), PlanError> {
        if bytes.len() > MAX_UPDATE_BYTES {
            return Err(PlanError::BadUpdate);
        }
        super::section_doc::merge_fresh(&self.doc, bytes)
    }

    /// Whether this copy holds everything `bytes` builds on (as for a section,
    /// [`super::SectionDoc::follows_on`]).
    pub fn follows_on(&self, bytes: &[u8]) -> Result<bool, PlanError> {
        super::section_doc::follows_on(&self.doc, bytes)
    }

    /// Whether some change taken in waits for an earlier one that has not arrived.
    pub fn has_missing_updates(&self) -> bool {
        self.doc.transact().has_missing_updates()
    }

    /// The whole document as one encoded update.
    pub fn encode_state(&self) -> Vec<u8> {
        self.doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    /// Writes a suggestion, with the words it would change as `now` reads them; returns
    /// the encoded update. Refused if it names what the section does not hold, is longer
    /// than the section allows, changes nothing, or if [`MAX_WAITING`] wait already.
    pub fn suggest(
        &self,
        id: &ItemId,
        change: &Change,
        now: &SectionView,
        at_ms: u64,
    ) -> Result<Vec<u8>, PlanError> {
        check(self.section, change, now)?;
        let waiting = self.list().iter().filter(|(_, d)| d.is_none()).count();
        // The stored form holds the whole document: it stays well within what one
        // update from elsewhere may be.
        if waiting >= MAX_WAITING || self.encode_state().len() > MAX_UPDATE_BYTES / 4 {
            return Err(PlanError::TooManyItems {
                max: MAX_WAITING as u32,
            });
        }
        let was = words_now(change, now).unwrap_or_default();
        let mut value: HashMap<String, Any> = HashMap::new();
        let mut put = |key: &str, text: &str| {
            value.insert(key.to_string(), Any::String(text.into()));
        };
        match change {
            Change::Field { field, text } => {
                put("what", "field");
                put("name", field);
                put("text", text);
            }
            Change::Part {
                list,
                item,
                part,
                text,
            } => {
                put("what", "part");
                put("name", list);
                put("item", item.as_str());
                put("part", part);
                put("text", text);
            }
            Change::AddItem { list, parts } => {
                put("what", "add");
                put("name", list);
                let parts: HashMap<String, Any> = parts
                    .iter()
                    .map(|(part, text)| (part.to_string(), Any::String(text.as_str().into())))
                    .collect();
                value.insert("parts".into(), Any::Map(Arc::new(parts)));
            }
            Change::RemoveItem { list, item } => {
                put("what", "remove");
                put("name", list);
                put("item", item.as_str());
            }
        }
        value.insert("v".into(), Any::Number(Number::Int(SUGGESTION_VERSION)));
        value.insert("was".into(), Any::String(was.into()));
        value.insert(
            "at".into(),
            Any::Number(Number::Int(at_ms.min(1 << 53) as i64)),
        );
        let mut txn = self.doc.transact_mut();
        let map = txn.get_or_insert_map("s");
        if map.get(&txn, id.as_str()).is_some() {
            // Ids are random: one already here is a mistake, and never overwritten.
            return Err(PlanError::BadUpdate);
        }
        map.insert(&mut txn, id.as_str(), Any::Map(Arc::new(value)));
        Ok(txn.encode_update_v1())
    }

    /// Writes the person's decision on a suggestion this document holds and nobody has
    /// decided; returns the encoded update.
    pub fn decide(&self, id: &str, taken: bool, at_ms: u64) -> Result<Vec<u8>, PlanError> {
        let known = self.list().iter().any(|(s, d)| s.id == id && d.is_none());
        if !known {
            return Err(PlanError::NoSuchItem);
        }
        let value: HashMap<String, Any> = [
            ("taken".to_string(), Any::Bool(taken)),
            (
                "at".to_string(),
                Any::Number(Number::Int(at_ms.min(1 << 53) as i64)),
            ),
        ]
        .into_iter()
        .collect();
        let mut txn = self.doc.transact_mut();
        let map = txn.get_or_insert_map("d");
        map.insert(&mut txn, id, Any::Map(Arc::new(value)));
        Ok(txn.encode_update_v1())
    }

    /// Every suggestion that reads as one for this section, oldest first, each with the
    /// person's decision if there is one. Anything else in the document is left out.
    pub fn list(&self) -> Vec<(Suggestion, Option<Decided>)> {
        let txn = self.doc.transact();
        let decisions = txn.get_map("d");
        let mut out: Vec<(Suggestion, Option<Decided>)> = match txn.get_map("s") {
            Some(map) => map
                .iter(&txn)
                .filter_map(|(id, value)| {
                    let suggestion = read_suggestion(self.section, id, &value)?;
                    let decided = decisions
                        .as_ref()
                        .and_then(|d| d.get(&txn, id))
                        .and_then(|v| read_decision(&v));
                    Some((suggestion, decided))
                })
                .collect(),
            None => Vec::new(),
        };
        out.sort_by(|a, b| (a.0.at_ms, &a.0.id).cmp(&(b.0.at_ms, &b.0.id)));
        out
    }
}

/// Checks changes from another phone to a suggestions document as the app takes them in,
/// as [`super::file::check_updates`] does for a section: in order, each applied to a copy
/// holding `state` and the changes before it that passed, then read. A change that builds
/// on one not here yet waits; one that does not decode, or grows the document past half
/// of [`MAX_UPDATE_BYTES`] (its stored form must stay whole), is left out.
pub fn check_updates(
    section: SectionKind,
    state: &[u8],
    updates: &[&[u8]],
) -> Vec<Result<(), super::file::FileError>> {
    use super::file::FileError;
    let load = |state: &[u8]| {
        let doc = SuggestionsDoc::new(section, 1);
        (state.is_empty() || doc.apply_update(state).is_ok()).then_some(doc)
    };
    let Some(mut doc) = load(state) else {
        return vec![Err(FileError::Damaged); updates.len()];
    };
    let mut results = Vec::with_capacity(updates.len());
    for update in updates {
        match doc.follows_on(update) {
            Ok(true) => {}
            Ok(false) => {
                results.push(Err(FileError::Waits));
                continue;
            }
            Err(_) => {
                results.push(Err(FileError::Damaged));
                continue;
            }
        }
        let before = doc.encode_state();
        let refused = if doc.apply_update(update).is_err() {
            Some(FileError::Damaged)
        } else if doc.has_missing_updates() {
            Some(FileError::Waits)
        } else if doc.encode_state().len() > MAX_UPDATE_BYTES / 2 {
            Some(FileError::Damaged)
        } else {
            None
        };
        if let Some(refused) = refused {
            match load(&before) {
                Some(clean) => doc = clean,
                None => return vec![Err(FileError::Damaged); updates.len()],
            }
            results.push(Err(refused));
            continue;
        }
        let _ = doc.list();
        results.push(Ok(()));
    }
    results
}

impl Suggestion {
    /// How it stands against the section as `now` reads.
    pub fn standing(&self, now: &SectionView) -> Standing {
        let Some(current) = words_now(&self.change, now) else {
            return Standing::Gone;
        };
        let suggested = match &self.change {
            Change::Field { text, .. } | Change::Part { text, .. } => Some(text.as_str()),
            Change::AddItem { .. } | Change::RemoveItem { .. } => None,
        };
        if suggested == Some(current.as_str()) {
            Standing::AlreadySo
        } else if current == self.was {
            Standing::AsWritten
        } else {
            Standing::Changed { now: current }
        }
    }

    /// The edit that takes it in, made only while the section still reads `seen` where
    /// it would change (what the person was shown beside it). `new_item` names the item
    /// a suggested addition becomes.
    pub fn edit(&self, now: &SectionView, seen: &str, new_item: ItemId) -> Result<Edit, NotTaken> {
        let current = words_now(&self.change, now).ok_or(NotTaken::Gone)?;
        if current != seen {
            return Err(NotTaken::Moved);
        }
        Ok(match &self.change {
            Change::Field { field, text } => Edit::SetField {
                field,
                text: text.clone(),
            },
            Change::Part {
                list,
                item,
                part,
                text,
            } => Edit::SetPart {
                list,
                id: item.clone(),
                part,
                text: text.clone(),
            },
            Change::AddItem { list, parts } => Edit::AddItem {
                list,
                id: new_item,
                parts: parts.clone(),
            },
            Change::RemoveItem { list, item } => Edit::RemoveItem {
                list,
                id: item.clone(),
            },
        })
    }
}

/// The words where `change` would go, as `now` reads: for a removal, every part of the
/// item, one a line; None if its item is gone.
pub fn words_now(change: &Change, now: &SectionView) -> Option<String> {
    let item = |list: &str, item: &ItemId| now.items(list).iter().find(|i| i.id == item.as_str());
    match change {
        Change::Field { field, .. } => Some(now.field(field).to_string()),
        Change::Part {
            list,
            item: id,
            part,
            ..
        } => item(list, id).map(|found| found.part(part).to_string()),
        Change::AddItem { .. } => Some(String::new()),
        Change::RemoveItem { list, item: id } => item(list, id).map(|found| {
            let words: Vec<&str> = found.parts.values().map(String::as_str).collect();
            words.join("\n")
        }),
    }
}

/// Whether `change` names what `section` holds, within its limits, and changes something.
fn check(section: SectionKind, change: &Change, now: &SectionView) -> Result<(), PlanError> {
    let spec = section.spec();
    let unknown = |name: &str| PlanError::UnknownName(name.to_string());
    let within = |text: &str, max: u32| {
        if text.chars().count() > max as usize {
            Err(PlanError::TooLong { max })
        } else {
            Ok(())
        }
    };
    match change {
        Change::Field { field, text } => {
            let spec = spec.field(field).ok_or_else(|| unknown(field))?;
            within(text, spec.max_chars)?;
        }
        Change::Part {
            list,
            item,
            part,
            text,
        } => {
            let list_spec = spec.list(list).ok_or_else(|| unknown(list))?;
            let part_spec = list_spec.part(part).ok_or_else(|| unknown(part))?;
            within(text, part_spec.max_chars)?;
            if !now.items(list).iter().any(|i| i.id == item.as_str()) {
                return Err(PlanError::NoSuchItem);
            }
        }
        Change::AddItem { list, parts } => {
            let list_spec = spec.list(list).ok_or_else(|| unknown(list))?;
            for (part, text) in parts {
                let part_spec = list_spec.part(part).ok_or_else(|| unknown(part))?;
                within(text, part_spec.max_chars)?;
            }
            if now.items(list).len() >= list_spec.max_items as usize {
                return Err(PlanError::TooManyItems {
                    max: list_spec.max_items,
                });
            }
        }
        Change::RemoveItem { list, item } => {
            spec.list(list).ok_or_else(|| unknown(list))?;
            if !now.items(list).iter().any(|i| i.id == item.as_str()) {
                return Err(PlanError::NoSuchItem);
            }
        }
    }
    Ok(())
}

fn read_suggestion(section: SectionKind, id: &str, value: &Out) -> Option<Suggestion> {
    let Out::Any(Any::Map(map)) = value else {
        return None;
    };
    let text = |key: &str| match map.get(key) {
        Some(Any::String(s)) => Some(s.to_string()),
        _ => None,
    };
    match map.get("v") {
        Some(Any::Number(v)) if v.as_f64() == Some(SUGGESTION_VERSION as f64) => {}
        _ => return None,
    }
    let spec = section.spec();
    let list = || spec.list(&text("name")?);
    let item = || ItemId::parse(&text("item")?).ok();
    let change = match text("what")?.as_str() {
        "field" => Change::Field {
            field: spec.field(&text("name")?)?.name,
            text: text("text")?,
        },
        "part" => {
            let list = list()?;
            Change::Part {
                list: list.name,
                item: item()?,
                part: list.part(&text("part")?)?.name,
                text: text("text")?,
            }
        }
        "add" => {
            let list = list()?;
            let Some(Any::Map(parts)) = map.get("parts") else {
                return None;
            };
            let mut read = Vec::with_capacity(parts.len());
            for part in list.parts {
                if let Some(Any::String(words)) = parts.get(part.name) {
                    read.push((part.name, words.to_string()));
                }
            }
            Change::AddItem {
                list: list.name,
                parts: read,
            }
        }
        "remove" => Change::RemoveItem {
            list: list()?.name,
            item: item()?,
        },
        _ => return None,
    };
    let at_ms = milliseconds(map.get("at")?)?;
    Some(Suggestion {
        id: ItemId::parse(id).ok()?.as_str().to_string(),
        change,
        was: text("was").unwrap_or_default(),
        at_ms,
    })
}

fn read_decision(value: &Out) -> Option<Decided> {
    let Out::Any(Any::Map(map)) = value else {
        return None;
    };
    let taken = match map.get("taken") {
        Some(Any::Bool(taken)) => *taken,
        _ => return None,
    };
    let at_ms = milliseconds(map.get("at")?)?;
    Some(Decided { taken, at_ms })
}

fn milliseconds(value: &Any) -> Option<u64> {
    match value {
        Any::Number(n) => n
            .as_f64()
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| n as u64),
        _ => None,
    }
}
