//! One plan section as a Yrs document, and the only code that touches Yrs directly.
//!
//! Layout inside the document (root types are merged by name, so two phones that start
//! the same field or list at once never lose each other's words):
//! - `f.<field>`: a root Text per free-text field;
//! - `l.<list>`: a root Array per list; each item is a Map with `id`, `pos` (order), `at`
//!   (when it was added: a check-in's time) and a Text `p.<part>` per typed part (for
//!   example `p.text`, or `p.name` and `p.phone`) and a string `v.<part>` per picked part
//!   (a rating, a date: one pick wins on every copy);
//! - `c`: a root Map of the section's picked values (`continuum`, `next_review`, …);
//! - `meta`: a root Map with `schema` and `hidden.<list>`.
//!
//! Nothing is stamped on a keystroke: a stamp per change broke Yrs's merging of
//! consecutive letters and cost about 37 bytes a keystroke, and anyone sharing a plan
//! could write into it. Who changed what comes from the signed changes themselves.
//! Sections written before then hold `by`/`cby`/`cat` on items and `by.<name>`/`at.<name>`
//! in `meta`; they are read past and never shown.
//!
//! Items are ordered by `pos` (then id), not by their place in the array, so moving an
//! item is one small change that never disturbs someone else's edit of its words.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use yrs::DeepObservable;
use yrs::updates::decoder::Decode;
use yrs::{
    Any, Array, ArrayRef, ClientID, Doc, GetString, Map, MapPrelim, MapRef, OffsetKind, Options,
    Out, ReadTxn, StateVector, Text, TextPrelim, TextRef, Transact, TransactionMut, Update,
    WriteTxn,
};

use super::edit::{Edit, PlanError, Toward};
use super::schema::{Choice, ListSpec, PartKind, PartSpec, SectionKind};
use super::text_splice::splice;
use super::view::{FieldView, ItemView, ListView, SectionView};
use super::{ItemId, MAX_UPDATE_BYTES, PLAN_SCHEMA_VERSION, Stamp};

/// One section's CRDT document.
pub struct SectionDoc {
    kind: SectionKind,
    doc: Doc,
}

impl SectionDoc {
    /// An empty section. `client_id` belongs to one tab or device session at a time (two
    /// sessions sharing one corrupt a document) and is non-zero; 32 bits keep every
    /// reference to it small.
    pub fn new(kind: SectionKind, client_id: u32) -> Self {
        let options = Options {
            client_id: ClientID::new(u64::from(client_id.max(1))),
            offset_kind: OffsetKind::Utf16,
            ..Options::default()
        };
        Self {
            kind,
            doc: Doc::with_options(options),
        }
    }

    /// A section read from this phone's own stored state (an encoded Yrs update), which
    /// opens whatever its size: see [`Self::apply_stored`].
    pub fn load(kind: SectionKind, client_id: u32, state: &[u8]) -> Result<Self, PlanError> {
        let section = Self::new(kind, client_id);
        section.apply_stored(state)?;
        let found = section.schema_version();
        if found > PLAN_SCHEMA_VERSION {
            return Err(PlanError::NewerSchema { found });
        }
        Ok(section)
    }

    pub fn kind(&self) -> SectionKind {
        self.kind
    }

    /// The schema version written in the document (0 when nothing was ever written).
    pub fn schema_version(&self) -> u32 {
        let txn = self.doc.transact();
        txn.get_map("meta")
            .and_then(|meta| meta.get(&txn, "schema"))
            .and_then(|out| number(&out))
            .map(|n| n as u32)
            .unwrap_or(0)
    }

    /// Makes a change and returns the encoded update for storage and other devices: every
    /// change the edit made, or an empty update when it changed nothing. A refused edit
    /// changes nothing (each edit is checked before it writes).
    pub fn apply(&self, edit: &Edit, stamp: &Stamp) -> Result<Vec<u8>, PlanError> {
        let mut txn = self.doc.transact_mut_with(stamp.author.as_str());
        change(&mut txn, self.kind, edit, stamp)?;
        if txn.insert_set().is_empty() && txn.delete_set().is_empty() {
            return Ok(Vec::new());
        }
        let meta = txn.get_or_insert_map("meta");
        if meta.get(&txn, "schema").is_none() {
            meta.insert(&mut txn, "schema", f64::from(PLAN_SCHEMA_VERSION));
        }
        Ok(txn.encode_update_v1())
    }

    /// Merges an update from elsewhere: a file, another tab, another device. Capped at
    /// [`MAX_UPDATE_BYTES`], and a damaged update is refused without changing anything.
    pub fn apply_update(&self, bytes: &[u8]) -> Result<(), PlanError> {
        if bytes.len() > MAX_UPDATE_BYTES {
            return Err(PlanError::BadUpdate);
        }
        // Only what this copy has not seen goes to Yrs: a block under an id it holds
        // already is left out. Yrs takes two blocks under one id to be the same, and when
        // a sender's are not, it can go wrong in ways no check catches (reading freed
        // memory, found by fuzzing: `fuzz/crashes/remote_changes/`).
        merge_fresh(&self.doc, bytes)
    }

    /// Merges an update this phone stored itself (authenticated when it was unsealed),
    /// whatever its size: a cap here would hide a whole section, the safety plan
    /// included, once its history grew past it. A damaged update is refused without
    /// changing anything.
    pub fn apply_stored(&self, bytes: &[u8]) -> Result<(), PlanError> {
        merge(&self.doc, bytes)
    }

    /// Several updates as one, for a write that carries every change queued behind a
    /// slow or failed one. Damaged input is refused.
    pub fn merge_updates(updates: &[Vec<u8>]) -> Result<Vec<u8>, PlanError> {
        match updates {
            [] => Ok(Vec::new()),
            [only] => Ok(only.clone()),
            _ => catch_unwind(|| yrs::merge_updates_v1(updates))
                .map_err(|_| PlanError::BadUpdate)?
                .map_err(|_| PlanError::BadUpdate),
        }
    }

    /// Whether an update's new words follow on from what this copy holds, writer by
    /// writer: `Ok(false)` when some writer's words start after a gap (an earlier change of
    /// theirs has not arrived: the update waits for it), an error when the update has a
    /// gap of its own inside it. Yrs would fill such a gap with a placeholder and go on,
    /// and a later change touching the placeholder can make it read freed memory (found
    /// by fuzzing: `fuzz/crashes/remote_changes/`), so no copy here ever holds one.
    pub fn follows_on(&self, bytes: &[u8]) -> Result<bool, PlanError> {
        follows_on(&self.doc, bytes)
    }

    /// Whether some received change is waiting for an earlier one that has not arrived.
    /// Sync then asks the other copy for what is missing ([`Self::diff_since`]).
    pub fn has_missing_updates(&self) -> bool {
        self.doc.transact().has_missing_updates()
    }

    /// Everything this copy has that a copy with `state_vector` lacks.
    pub fn diff_since(&self, state_vector: &[u8]) -> Result<Vec<u8>, PlanError> {
        let vector = StateVector::decode_v1(state_vector).map_err(|_| PlanError::BadUpdate)?;
        Ok(self.doc.transact().encode_diff_v1(&vector))
    }

    /// The whole section as one encoded update: what is stored and what a new device needs.
    pub fn encode_state(&self) -> Vec<u8> {
        self.doc
            .transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    /// The CRDT client ids whose changes this copy holds, in ascending order: one per
    /// writing session that ever made a change here (the app reuses a tab's id, so a
    /// section written in one tab day after day holds few).
    pub fn writers(&self) -> Vec<u32> {
        let txn = self.doc.transact();
        let mut ids: Vec<u32> = txn
            .state_vector()
            .iter()
            .filter_map(|(client, _)| u32::try_from(client.get()).ok())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// How many items (letters, list entries, values) of this copy are deleted. It only
    /// grows, so a change that only takes words out shows here (`sync::outgoing`).
    pub fn deleted(&self) -> u64 {
        use yrs::ReadTxn;
        let deletes = self.doc.transact().snapshot().delete_set;
        let mut count = 0;
        for (_, ranges) in deletes.iter() {
            for range in ranges.iter() {
                count += u64::from(range.end - range.start);
            }
        }
        count
    }

    /// What this copy already has, for asking another copy only for what is missing.
    pub fn state_vector(&self) -> Vec<u8> {
        use yrs::updates::encoder::Encode;
        self.doc.transact().state_vector().encode_v1()
    }

    /// The section's state for an agreement's statement: a Yrs snapshot (delete set,
    /// then state vector), encoded (`agreement::Statement::state`).
    pub fn agreement_state(&self) -> Vec<u8> {
        use yrs::updates::encoder::Encode;
        self.doc.transact().snapshot().encode_v1()
    }

    /// Keeps a mark that a version is agreed, and the view it was marked on (once per
    /// statement), in the document's `agreed` and `agreed.view` maps. Returns the update,
    /// empty when this mark was kept already. Neither map is part of the view.
    pub fn add_mark(
        &self,
        mark: &super::agreement::Mark,
        view: &SectionView,
    ) -> Result<Vec<u8>, PlanError> {
        let key = mark.key();
        let view_key = super::agreement::view_key(&mark.statement);
        let mut txn = self.doc.transact_mut();
        let marks = txn.get_or_insert_map("agreed");
        if marks.get(&txn, &key).is_some() {
            return Ok(Vec::new());
        }
        marks.insert(&mut txn, key, Any::from(mark.to_bytes()));
        let views = txn.get_or_insert_map("agreed.view");
        if views.get(&txn, &view_key).is_none() {
            let bytes = super::agreement::view_bytes(view);
            views.insert(&mut txn, view_key, Any::from(bytes));
        }
        Ok(txn.encode_update_v1())
    }

    /// Every mark kept in the document, as bytes (`agreement::read_marks` checks them).
    pub fn marks(&self) -> Vec<Vec<u8>> {
        let txn = self.doc.transact();
        let Some(marks) = txn.get_map("agreed") else {
            return Vec::new();
        };
        marks
            .iter(&txn)
            .filter_map(|(_, value)| match value {
                Out::Any(Any::Buffer(bytes)) => Some(bytes.to_vec()),
                _ => None,
            })
            .collect()
    }

    /// The view an agreed statement was marked on, as it was then.
    pub fn agreed_view(&self, statement: &super::agreement::Statement) -> Option<SectionView> {
        let txn = self.doc.transact();
        let found = txn
            .get_map("agreed.view")?
            .get(&txn, &super::agreement::view_key(statement))?;
        let Out::Any(Any::Buffer(bytes)) = found else {
            return None;
        };
        // Only the view whose hash was signed: anyone who may edit could write this map.
        (super::agreement::view_hash_of_bytes(&bytes) == statement.view_hash)
            .then(|| super::agreement::view_from_bytes(self.kind, &bytes))
            .flatten()
    }

    /// The section as it reads now, following the schema.
    pub fn view(&self) -> SectionView {
        let spec = self.kind.spec();
        let txn = self.doc.transact();
        let mut view = SectionView::default();
        for field in spec.fields {
            view.fields.insert(field.name, read_field(&txn, field.name));
        }
        read_choices(&txn, self.kind, &mut view);
        for list in spec.lists {
            view.lists.insert(list.name, read_list(&txn, list));
        }
        view
    }

    /// Starts noting which parts of the section later changes touch ([`Self::refresh`]),
    /// for reading a long history without reading the whole section after each change.
    pub fn watch(&self) -> Touched {
        let touched = Touched::default();
        let spec = self.kind.spec();
        let mut txn = self.doc.transact_mut();
        let note = |part: Part| {
            let touched = touched.0.clone();
            move |_: &TransactionMut, _: &yrs::types::Events| {
                if let Ok(mut parts) = touched.lock() {
                    parts.insert(part);
                }
            }
        };
        // (Root types hold no blocks: naming them here writes nothing.)
        for field in spec.fields {
            txn.get_or_insert_text(format!("f.{}", field.name).as_str())
                .observe_deep("touched", note(Part::Field(field.name)));
        }
        for list in spec.lists {
            txn.get_or_insert_array(format!("l.{}", list.name).as_str())
                .observe_deep("touched", note(Part::List(list.name)));
        }
        txn.get_or_insert_map("c")
            .observe_deep("touched", note(Part::Choices));
        txn.get_or_insert_map("meta")
            .observe_deep("touched", note(Part::Meta));
        touched
    }

    /// Brings `view` (this section's view when [`Self::watch`] or the last refresh was
    /// called) up to date, reading again only the parts changes have touched since, and
    /// returns those parts as they were and as they are now (every other part is the
    /// same in both, and empty).
    pub fn refresh(&self, view: &mut SectionView, touched: &Touched) -> (SectionView, SectionView) {
        let parts = match touched.0.lock() {
            Ok(mut parts) => std::mem::take(&mut *parts),
            Err(_) => {
                let was = std::mem::replace(view, self.view());
                return (was, view.clone());
            }
        };
        let (mut was, mut now) = (SectionView::default(), SectionView::default());
        let spec = self.kind.spec();
        let txn = self.doc.transact();
        let mut lists: Vec<&ListSpec> = Vec::new();
        for part in &parts {
            match *part {
                Part::Field(name) => {
                    let fresh = read_field(&txn, name);
                    if let Some(old) = view.fields.insert(name, fresh.clone()) {
                        was.fields.insert(name, old);
                    }
                    now.fields.insert(name, fresh);
                }
                Part::List(name) => lists.extend(spec.lists.iter().find(|l| l.name == name)),
                Part::Choices => {
                    was.choices = std::mem::take(&mut view.choices);
                    read_choices(&txn, self.kind, view);
                    now.choices = view.choices.clone();
                }
                // Whether each list is hidden: every list, then.
                Part::Meta => lists.extend(spec.lists.iter()),
            }
        }
        lists.sort_by_key(|l| l.name);
        lists.dedup_by_key(|l| l.name);
        for list in lists {
            let fresh = read_list(&txn, list);
            if let Some(old) = view.lists.insert(list.name, fresh.clone()) {
                was.lists.insert(list.name, old);
            }
            now.lists.insert(list.name, fresh);
        }
        (was, now)
    }
}

/// A part of a section a change can touch, by its root type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Field(&'static str),
    List(&'static str),
    Choices,
    Meta,
}

/// The parts of a section changes have touched since [`SectionDoc::refresh`] last asked.
#[derive(Default)]
pub struct Touched(std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<Part>>>);

fn read_field<T: ReadTxn>(txn: &T, name: &str) -> FieldView {
    let text = txn
        .get_text(format!("f.{name}").as_str())
        .map(|t| t.get_string(txn))
        .unwrap_or_default();
    FieldView { text }
}

fn read_choices<T: ReadTxn>(txn: &T, kind: SectionKind, view: &mut SectionView) {
    let picked = txn.get_map("c");
    for choice in kind.spec().choices {
        let value = picked
            .as_ref()
            .and_then(|m| m.get(txn, choice.name))
            .and_then(|o| string(&o))
            .filter(|v| choice.kind.check(v).is_ok());
        if let Some(value) = value {
            view.choices.insert(choice.name, value);
        }
    }
}

fn read_hidden<T: ReadTxn>(txn: &T, list: &str) -> bool {
    txn.get_map("meta")
        .and_then(|meta| meta.get(txn, &format!("hidden.{list}")))
        .is_some_and(|o| matches!(o, Out::Any(Any::Bool(true))))
}

fn read_list<T: ReadTxn>(txn: &T, list: &ListSpec) -> ListView {
    let items = txn
        .get_array(format!("l.{}", list.name).as_str())
        .map(|array| read_items(txn, &array, list))
        .unwrap_or_default();
    ListView {
        hidden: read_hidden(txn, list.name),
        items,
    }
}

/// Checks an edit against the schema and the document, then makes it; nothing is written
/// before every check has passed.
fn change(
    txn: &mut TransactionMut,
    kind: SectionKind,
    edit: &Edit,
    stamp: &Stamp,
) -> Result<(), PlanError> {
    let spec = kind.spec();
    match edit {
        Edit::SetField { field, text } => {
            let field_spec = spec
                .field(field)
                .ok_or_else(|| PlanError::UnknownName(field.to_string()))?;
            check_length(text, field_spec.max_chars)?;
            let root = txn.get_or_insert_text(format!("f.{field}"));
            write_text(txn, &root, text);
        }
        Edit::AddItem { list, id, parts } => {
            let list_spec = list_spec(spec.lists, list)?;
            for (part, text) in parts {
                let part_spec = list_spec
                    .part(part)
                    .ok_or_else(|| PlanError::UnknownName(part.to_string()))?;
                check_part(part_spec, text)?;
            }
            let array = txn.get_or_insert_array(format!("l.{list}"));
            let items = read_items(&*txn, &array, list_spec);
            if items.len() as u32 >= list_spec.max_items {
                return Err(PlanError::TooManyItems {
                    max: list_spec.max_items,
                });
            }
            if items.iter().any(|i| i.id == id.as_str()) {
                return Ok(());
            }
            let pos = items.last().map(|i| i.pos + 1.0).unwrap_or(0.0);
            let item: MapRef = array.push_back(txn, MapPrelim::default());
            item.insert(txn, "id", id.as_str());
            item.insert(txn, "pos", pos);
            item.insert(txn, "at", stamp.at_ms as f64);
            for part in list_spec.parts {
                let text = parts
                    .iter()
                    .find(|(p, _)| *p == part.name)
                    .map(|(_, t)| t.as_str())
                    .unwrap_or("");
                match part.kind {
                    PartKind::Choice(_) if text.is_empty() => {}
                    PartKind::Choice(_) => {
                        item.insert(txn, format!("v.{}", part.name), text);
                    }
                    PartKind::Text | PartKind::Phone => {
                        item.insert(txn, format!("p.{}", part.name), TextPrelim::new(text));
                    }
                }
            }
        }
        Edit::SetPart {
            list,
            id,
            part,
            text,
        } => {
            let list_spec = list_spec(spec.lists, list)?;
            let part_spec = list_spec
                .part(part)
                .ok_or_else(|| PlanError::UnknownName(part.to_string()))?;
            check_part(part_spec, text)?;
            let array = txn.get_or_insert_array(format!("l.{list}"));
            let (_, item) = find_item(&*txn, &array, id.as_str()).ok_or(PlanError::NoSuchItem)?;
            if let PartKind::Choice(_) = part_spec.kind {
                let key = format!("v.{part}");
                if item.get(&*txn, &key).and_then(|o| string(&o)).as_deref() == Some(text) {
                    return Ok(());
                }
                if text.is_empty() {
                    item.remove(txn, &key);
                } else {
                    item.insert(txn, key, text.as_str());
                }
            } else {
                let key = format!("p.{part}");
                let words = match item.get(&*txn, &key).and_then(|o| o.cast::<TextRef>().ok()) {
                    Some(words) => words,
                    None => item.insert(txn, key, TextPrelim::new("")),
                };
                write_text(txn, &words, text);
            }
        }
        Edit::RemoveItem { list, id } => {
            list_spec(spec.lists, list)?;
            let array = txn.get_or_insert_array(format!("l.{list}"));
            let (index, _) = find_item(&*txn, &array, id.as_str()).ok_or(PlanError::NoSuchItem)?;
            array.remove(txn, index);
        }
        Edit::MoveItem { list, id, toward } => {
            let list_spec = list_spec(spec.lists, list)?;
            let array = txn.get_or_insert_array(format!("l.{list}"));
            move_item(txn, &array, list_spec, id, *toward)?;
        }
        Edit::SetChoice { name, value } => {
            let choice = spec
                .choice(name)
                .ok_or_else(|| PlanError::UnknownName(name.to_string()))?;
            choice.kind.check(value)?;
            let picked = txn.get_or_insert_map("c");
            if picked.get(&*txn, name).and_then(|o| string(&o)).as_deref() == Some(value) {
                return Ok(());
            }
            if value.is_empty() {
                picked.remove(txn, name);
            } else {
                picked.insert(txn, *name, value.as_str());
            }
        }
        Edit::SetHidden { list, hidden } => {
            list_spec(spec.lists, list)?;
            let meta = txn.get_or_insert_map("meta");
            meta.insert(txn, format!("hidden.{list}"), *hidden);
        }
    }
    Ok(())
}

fn list_spec(lists: &'static [ListSpec], name: &str) -> Result<&'static ListSpec, PlanError> {
    lists
        .iter()
        .find(|l| l.name == name)
        .ok_or_else(|| PlanError::UnknownName(name.to_string()))
}

fn check_part(part: &PartSpec, text: &str) -> Result<(), PlanError> {
    match part.kind {
        PartKind::Choice(choice) => choice.check(text),
        PartKind::Text | PartKind::Phone => check_length(text, part.max_chars),
    }
}

/// A picked part as stored, if it is still one of the values allowed.
fn picked_part<T: ReadTxn>(txn: &T, item: &MapRef, name: &str, choice: Choice) -> Option<String> {
    item.get(txn, &format!("v.{name}"))
        .and_then(|o| string(&o))
        .filter(|v| choice.check(v).is_ok())
}

fn check_length(text: &str, max: u32) -> Result<(), PlanError> {
    if text.chars().count() as u64 > u64::from(max) {
        return Err(PlanError::TooLong { max });
    }
    Ok(())
}

/// Writes only the difference between what the text says and `new`.
fn write_text(txn: &mut TransactionMut, text: &TextRef, new: &str) {
    let old = text.get_string(txn);
    if let Some(change) = splice(&old, new) {
        if change.remove > 0 {
            text.remove_range(txn, change.at, change.remove);
        }
        if !change.insert.is_empty() {
            text.insert(txn, change.at, &change.insert);
        }
    }
}

fn string(out: &Out) -> Option<String> {
    match out {
        Out::Any(Any::String(s)) => Some(s.to_string()),
        _ => None,
    }
}

fn number(out: &Out) -> Option<f64> {
    match out {
        Out::Any(Any::Number(n)) => n.as_f64(),
        _ => None,
    }
}

/// Merges only what `doc` has not seen of `bytes` (see [`SectionDoc::apply_update`]).
pub(super) fn merge_fresh(doc: &Doc, bytes: &[u8]) -> Result<(), PlanError> {
    let seen = {
        use yrs::updates::encoder::Encode;
        doc.transact().state_vector().encode_v1()
    };
    let fresh = catch_unwind(|| yrs::diff_updates_v1(bytes, &seen))
        .map_err(|_| PlanError::BadUpdate)?
        .map_err(|_| PlanError::BadUpdate)?;
    merge(doc, &fresh)
}

/// Merges an encoded update into `doc`; a damaged one changes nothing.
pub(super) fn merge(doc: &Doc, bytes: &[u8]) -> Result<(), PlanError> {
    // Yrs does not promise that every malformed input returns an error rather than
    // panicking; on the server (native) a panic is caught here. In the browser only
    // the phone's own stored bytes and checked files reach this.
    let update = catch_unwind(|| Update::decode_v1(bytes))
        .map_err(|_| PlanError::BadUpdate)?
        .map_err(|_| PlanError::BadUpdate)?;
    let mut txn = doc.transact_mut_with("remote");
    catch_unwind(AssertUnwindSafe(|| txn.apply_update(update)))
        .map_err(|_| PlanError::BadUpdate)?
        .map_err(|_| PlanError::BadUpdate)
}

/// Whether `doc` holds everything `bytes` builds on ([`SectionDoc::follows_on`]).
pub(super) fn follows_on(doc: &Doc, bytes: &[u8]) -> Result<bool, PlanError> {
    let update = catch_unwind(|| Update::decode_v1(bytes))
        .map_err(|_| PlanError::BadUpdate)?
        .map_err(|_| PlanError::BadUpdate)?;
    let held = doc.transact().state_vector();
    for (client, ranges) in update.insertions(true).iter() {
        let mut ranges = ranges.iter();
        let Some(first) = ranges.next() else {
            continue;
        };
        if ranges.next().is_some() {
            return Err(PlanError::BadUpdate);
        }
        if first.start > held.get(client) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A list's items in their shown order (by `pos`, then id, so every copy agrees).
fn read_items<T: ReadTxn>(txn: &T, array: &ArrayRef, spec: &ListSpec) -> Vec<ItemView> {
    let mut items: Vec<ItemView> = array
        .iter(txn)
        .filter_map(|out| out.cast::<MapRef>().ok())
        .filter_map(|item| {
            let get = |key: &str| item.get(txn, key);
            let mut parts = BTreeMap::new();
            for part in spec.parts {
                let value = match part.kind {
                    PartKind::Choice(choice) => picked_part(txn, &item, part.name, choice),
                    PartKind::Text | PartKind::Phone => get(&format!("p.{}", part.name))
                        .and_then(|o| o.cast::<TextRef>().ok())
                        .map(|text| text.get_string(txn)),
                };
                if let Some(value) = value {
                    parts.insert(part.name, value);
                }
            }
            Some(ItemView {
                id: get("id").and_then(|o| string(&o))?,
                parts,
                added_at_ms: get("at").and_then(|o| number(&o)).unwrap_or(0.0) as u64,
                pos: get("pos").and_then(|o| number(&o)).unwrap_or(0.0),
            })
        })
        .collect();
    items.sort_by(|a, b| a.pos.total_cmp(&b.pos).then_with(|| a.id.cmp(&b.id)));
    // Two phones adding the same id at once: keep the first in order.
    items.dedup_by(|b, a| a.id == b.id);
    items
}

/// The array index and map of the item with this id; when two phones added the same id,
/// the copy the view shows (lowest `pos`, then first in the array), so an edit never
/// lands on the hidden one.
fn find_item<T: ReadTxn>(txn: &T, array: &ArrayRef, id: &str) -> Option<(u32, MapRef)> {
    let mut found: Option<(f64, u32, MapRef)> = None;
    for (index, out) in array.iter(txn).enumerate() {
        let Ok(item) = out.cast::<MapRef>() else {
            continue;
        };
        let matches = item
            .get(txn, "id")
            .and_then(|o| string(&o))
            .is_some_and(|s| s == id);
        if !matches {
            continue;
        }
        let pos = item.get(txn, "pos").and_then(|o| number(&o)).unwrap_or(0.0);
        if found.as_ref().is_none_or(|(best, _, _)| pos < *best) {
            found = Some((pos, index as u32, item));
        }
    }
    found.map(|(_, index, item)| (index, item))
}

/// Moves an item one place by giving it a `pos` between its new neighbours; when the gap
/// is too small to split, renumbers the list first.
fn move_item(
    txn: &mut TransactionMut,
    array: &ArrayRef,
    spec: &ListSpec,
    id: &ItemId,
    toward: Toward,
) -> Result<(), PlanError> {
    for attempt in 0..2 {
        let items = read_items(txn, array, spec);
        let index = items
            .iter()
            .position(|i| i.id == id.as_str())
            .ok_or(PlanError::NoSuchItem)?;
        let (low, high) = match toward {
            Toward::Start if index == 0 => return Ok(()),
            Toward::Start if index == 1 => (items[0].pos - 1.0, items[0].pos),
            Toward::Start => (items[index - 2].pos, items[index - 1].pos),
            Toward::End if index + 1 == items.len() => return Ok(()),
            Toward::End if index + 2 == items.len() => {
                (items[index + 1].pos, items[index + 1].pos + 1.0)
            }
            Toward::End => (items[index + 1].pos, items[index + 2].pos),
        };
        let pos = low + (high - low) / 2.0;
        if pos > low && pos < high {
            let (_, item) = find_item(txn, array, id.as_str()).ok_or(PlanError::NoSuchItem)?;
            item.insert(txn, "pos", pos);
            return Ok(());
        }
        if attempt == 0 {
            for (n, item) in items.iter().enumerate() {
                if let Some((_, map)) = find_item(txn, array, &item.id) {
                    map.insert(txn, "pos", n as f64);
                }
            }
        }
    }
    Ok(())
}
