//! An agreed version of a section (issue 15): the person and a member each mark, on
//! their own phone, that a section reads as they agreed it; a version is agreed once the
//! person and at least one member have signed the very same statement.
//!
//! What each signs is exactly defined ([`Statement`], version [`STATEMENT_VERSION`]): the
//! plan, the section, the section's encoded state as the first to mark it held it (a Yrs
//! snapshot: state vector and delete set) and a hash of what the screen showed (the
//! section's view in a fixed encoding, [`view_bytes`], version [`VIEW_VERSION`]). The
//! second to mark it signs the first's statement byte for byte, and only once their own
//! copy holds all of that state and shows exactly that view ([`may_join`]): a phone on an
//! older copy is asked to sync first, and no one can agree to something else by signing
//! it. Two statements that differ in any byte are two proposals, never one agreement.
//!
//! Each mark ([`Mark`], version [`MARK_VERSION`]) is signed with the marker's account
//! key, so it proves who agreed whichever phone carried it or compacted it.
//!
//! Where marks travel: inside the section's own document, in a root Map `agreed` (the
//! mark's key, [`Mark::key`], to its bytes) beside a root Map `agreed.view` (the
//! statement's hash, hex, to the view's bytes, so that the agreed version can be shown
//! and printed read-only long after the section moved on). Both are written once and
//! never changed, and neither is part of the section's view, so a mark never reads as a
//! change to what was agreed. A member writes there only if they may edit the section.

use sha2::{Digest, Sha256};

use super::schema::SectionKind;
use super::view::{FieldView, ItemView, ListView, SectionView};

/// The format of a statement this build signs and reads.
pub const STATEMENT_VERSION: u8 = 1;
/// The format of a mark this build writes and reads.
pub const MARK_VERSION: u8 = 1;
/// The fixed encoding of a section's view whose hash a statement carries.
pub const VIEW_VERSION: u8 = 1;
/// The most bytes of encoded state a statement carries (a snapshot's state vector and
/// delete set: a few bytes per writer and per run of deleted letters).
pub const MAX_STATE_BYTES: usize = 64 * 1024;
/// The most bytes one mark may be.
pub const MAX_MARK_BYTES: usize = 1 + 4 + STATEMENT_FIXED + MAX_STATE_BYTES + 32 + 8 + 64;

const STATEMENT_FIXED: usize = 1 + 16 + 1 + 32 + 4;
/// What a signature is over, before the statement: no other signature of the same key
/// (a membership entry, a key envelope) can be passed off as agreement.
const CONTEXT: &[u8] = b"coplan agreement mark v1\0";

/// What both sides sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub plan: [u8; 16],
    pub section: SectionKind,
    /// The section's state as the first to mark it held it: a Yrs snapshot (delete set,
    /// then state vector), encoded (`SectionDoc::agreement_state`).
    pub state: Vec<u8>,
    /// [`view_hash`] of what the screen showed.
    pub view_hash: [u8; 32],
}

/// Why a statement, or a mark, cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AgreementError {
    #[error("agreement: damaged")]
    Damaged,
    #[error("agreement: written by a newer version ({0})")]
    Newer(u8),
    #[error("agreement: too large")]
    TooLarge,
}

impl Statement {
    /// The statement's bytes: version, plan, section's code, view hash, then the state
    /// (32-bit length, big-endian, then its bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(STATEMENT_FIXED + self.state.len());
        out.push(STATEMENT_VERSION);
        out.extend_from_slice(&self.plan);
        out.push(self.section.code());
        out.extend_from_slice(&self.view_hash);
        out.extend_from_slice(&(self.state.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.state);
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AgreementError> {
        let mut read = Reader(bytes);
        let version = read.byte()?;
        if version > STATEMENT_VERSION {
            return Err(AgreementError::Newer(version));
        }
        if version != STATEMENT_VERSION {
            return Err(AgreementError::Damaged);
        }
        let plan = read.array::<16>()?;
        let section =
            SectionKind::section_from_code(read.byte()?).ok_or(AgreementError::Damaged)?;
        let view_hash = read.array::<32>()?;
        let len = u32::from_be_bytes(read.array::<4>()?) as usize;
        if len > MAX_STATE_BYTES {
            return Err(AgreementError::TooLarge);
        }
        let state = read.take(len)?.to_vec();
        if !read.0.is_empty() {
            return Err(AgreementError::Damaged);
        }
        Ok(Self {
            plan,
            section,
            state,
            view_hash,
        })
    }

    /// Names this statement: two marks agree only if this is the same for both.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.to_bytes()).into()
    }
}

/// One person's or member's mark that a statement is what they agreed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub statement: Statement,
    /// The marker's account signing key.
    pub signer: [u8; 32],
    /// When they marked it (their phone's clock, milliseconds since 1970).
    pub at_ms: u64,
    pub signature: [u8; 64],
}

impl Mark {
    /// Signs `statement` with `keys` at `at_ms`.
    pub fn sign(statement: Statement, keys: &crate::keys::AccountKeys, at_ms: u64) -> Self {
        let signer = keys.public().signing;
        let signature = keys.sign(&signed_bytes(&statement, &signer, at_ms));
        Self {
            statement,
            signer,
            at_ms,
            signature,
        }
    }

    /// Whether the signature is the signer's, over exactly this statement and time.
    pub fn verifies(&self) -> bool {
        crate::keys::verify(
            &self.signer,
            &signed_bytes(&self.statement, &self.signer, self.at_ms),
            &self.signature,
        )
    }

    /// The mark's bytes: version, the statement's length (32-bit, big-endian) and bytes,
    /// signer, time (64-bit, big-endian), signature.
    pub fn to_bytes(&self) -> Vec<u8> {
        let statement = self.statement.to_bytes();
        let mut out = Vec::with_capacity(1 + 4 + statement.len() + 32 + 8 + 64);
        out.push(MARK_VERSION);
        out.extend_from_slice(&(statement.len() as u32).to_be_bytes());
        out.extend_from_slice(&statement);
        out.extend_from_slice(&self.signer);
        out.extend_from_slice(&self.at_ms.to_be_bytes());
        out.extend_from_slice(&self.signature);
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AgreementError> {
        if bytes.len() > MAX_MARK_BYTES {
            return Err(AgreementError::TooLarge);
        }
        let mut read = Reader(bytes);
        let version = read.byte()?;
        if version > MARK_VERSION {
            return Err(AgreementError::Newer(version));
        }
        if version != MARK_VERSION {
            return Err(AgreementError::Damaged);
        }
        let len = u32::from_be_bytes(read.array::<4>()?) as usize;
        let statement = Statement::from_bytes(read.take(len)?)?;
        let signer = read.array::<32>()?;
        let at_ms = u64::from_be_bytes(read.array::<8>()?);
        let signature = read.array::<64>()?;
        if !read.0.is_empty() {
            return Err(AgreementError::Damaged);
        }
        Ok(Self {
            statement,
            signer,
            at_ms,
            signature,
        })
    }

    /// Where the mark is kept in the section's `agreed` map: the statement's hash and the
    /// signer, hex, so each signer marks each statement once and no two marks collide.
    pub fn key(&self) -> String {
        format!("{}.{}", hex(&self.statement.hash()), hex(&self.signer))
    }
}

fn signed_bytes(statement: &Statement, signer: &[u8; 32], at_ms: u64) -> Vec<u8> {
    let statement = statement.to_bytes();
    let mut out = Vec::with_capacity(CONTEXT.len() + statement.len() + 40);
    out.extend_from_slice(CONTEXT);
    out.extend_from_slice(&statement);
    out.extend_from_slice(signer);
    out.extend_from_slice(&at_ms.to_be_bytes());
    out
}

/// A version the person and at least one member both marked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub statement: Statement,
    /// When the person marked it.
    pub person_at_ms: u64,
    /// Each member who marked it, and when, earliest first.
    pub with: Vec<([u8; 32], u64)>,
}

impl Agreement {
    /// When it became agreed: when the last of the person and the first member marked it.
    pub fn agreed_at_ms(&self) -> u64 {
        let first_member = self.with.first().map_or(0, |(_, at)| *at);
        self.person_at_ms.max(first_member)
    }
}

/// A statement marked by one side only, waiting for the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub statement: Statement,
    pub by: [u8; 32],
    pub at_ms: u64,
}

/// What a section's marks add up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    /// Every agreed version, the most recently agreed last.
    pub agreed: Vec<Agreement>,
    /// Statements marked by one side only, newest last.
    pub waiting: Vec<Waiting>,
}

impl Marks {
    /// The most recently agreed version.
    pub fn latest(&self) -> Option<&Agreement> {
        self.agreed.last()
    }
}

/// Reads a section's marks (`SectionDoc::marks`): only marks that verify, for this plan
/// and section, by the person (`person`) or by someone `may_agree` says may agree to it
/// (a member who may edit or suggest to the section, judged by the caller against the
/// membership log). Anything else is left out, as a change the log refuses is.
pub fn read_marks(
    marks: &[Vec<u8>],
    plan: &[u8; 16],
    section: SectionKind,
    person: &[u8; 32],
    may_agree: impl Fn(&[u8; 32]) -> bool,
) -> Marks {
    use std::collections::BTreeMap;
    let mut by_statement: BTreeMap<[u8; 32], Vec<Mark>> = BTreeMap::new();
    for bytes in marks {
        let Ok(mark) = Mark::from_bytes(bytes) else {
            continue;
        };
        if mark.statement.plan != *plan
            || mark.statement.section != section
            || !(mark.signer == *person || may_agree(&mark.signer))
            || !mark.verifies()
        {
            continue;
        }
        let list = by_statement.entry(mark.statement.hash()).or_default();
        if !list.iter().any(|m| m.signer == mark.signer) {
            list.push(mark);
        }
    }
    let mut found = Marks::default();
    for (_, mut marks) in by_statement {
        marks.sort_by_key(|m| (m.at_ms, m.signer));
        let person_mark = marks.iter().find(|m| m.signer == *person).cloned();
        let with: Vec<_> = marks
            .iter()
            .filter(|m| m.signer != *person)
            .map(|m| (m.signer, m.at_ms))
            .collect();
        match (person_mark, with.is_empty()) {
            (Some(p), false) => found.agreed.push(Agreement {
                statement: p.statement,
                person_at_ms: p.at_ms,
                with,
            }),
            (Some(p), true) => found.waiting.push(Waiting {
                statement: p.statement,
                by: p.signer,
                at_ms: p.at_ms,
            }),
            (None, _) => {
                let first = &marks[0];
                found.waiting.push(Waiting {
                    statement: first.statement.clone(),
                    by: first.signer,
                    at_ms: first.at_ms,
                });
            }
        }
    }
    found.agreed.sort_by_key(Agreement::agreed_at_ms);
    found.waiting.sort_by_key(|w| w.at_ms);
    found
}

/// Why this phone may not mark a statement someone else marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CannotJoin {
    /// This copy lacks some of what the first to mark it held: sync first.
    #[error("this copy is behind the one that was marked: sync first")]
    Behind,
    /// This copy holds all of it but shows something else (it changed since).
    #[error("this copy shows something other than what was marked")]
    Different,
    /// The statement's state is not a readable snapshot.
    #[error("the marked state is damaged")]
    Damaged,
}

/// Whether a phone whose copy of the section has `state`
/// (`SectionDoc::agreement_state`) and shows `view` may mark `statement`: only if it
/// holds every change and every deletion the statement's state holds, and shows exactly
/// the view that was marked.
pub fn may_join(statement: &Statement, state: &[u8], view: &SectionView) -> Result<(), CannotJoin> {
    use yrs::Snapshot;
    use yrs::updates::decoder::Decode;
    let theirs = Snapshot::decode_v1(&statement.state).map_err(|_| CannotJoin::Damaged)?;
    let mine = Snapshot::decode_v1(state).map_err(|_| CannotJoin::Damaged)?;
    let has_every_change = theirs
        .state_map
        .iter()
        .all(|(client, clock)| mine.state_map.get(client) >= *clock);
    let has_every_deletion = theirs
        .delete_set
        .diff(&mine.delete_set)
        .iter()
        .all(|(_, left)| left.is_empty());
    if !has_every_change || !has_every_deletion {
        return Err(CannotJoin::Behind);
    }
    if view_hash(view) != statement.view_hash {
        return Err(CannotJoin::Different);
    }
    Ok(())
}

/// Whether the section reads otherwise now than when `agreement` was agreed.
pub fn changed_since(agreement: &Agreement, now: &SectionView) -> bool {
    view_hash(now) != agreement.statement.view_hash
}

/// A section's view in a fixed encoding (version [`VIEW_VERSION`]): every field, choice
/// and list in name order, each item in its order on screen with its parts in name order;
/// every string as a 32-bit big-endian length and its UTF-8 bytes. A field never written
/// and one written then emptied encode alike, as they read alike.
pub fn view_bytes(view: &SectionView) -> Vec<u8> {
    let mut out = vec![VIEW_VERSION];
    let put = |out: &mut Vec<u8>, text: &str| {
        out.extend_from_slice(&(text.len() as u32).to_be_bytes());
        out.extend_from_slice(text.as_bytes());
    };
    let count = |out: &mut Vec<u8>, n: usize| out.extend_from_slice(&(n as u32).to_be_bytes());
    count(&mut out, view.fields.len());
    for (name, field) in &view.fields {
        put(&mut out, name);
        put(&mut out, &field.text);
    }
    count(&mut out, view.choices.len());
    for (name, value) in &view.choices {
        put(&mut out, name);
        put(&mut out, value);
    }
    count(&mut out, view.lists.len());
    for (name, list) in &view.lists {
        put(&mut out, name);
        out.push(u8::from(list.hidden));
        count(&mut out, list.items.len());
        for item in &list.items {
            put(&mut out, &item.id);
            out.extend_from_slice(&item.added_at_ms.to_be_bytes());
            count(&mut out, item.parts.len());
            for (part, text) in &item.parts {
                put(&mut out, part);
                put(&mut out, text);
            }
        }
    }
    out
}

/// The hash a statement carries of what the screen showed.
pub fn view_hash(view: &SectionView) -> [u8; 32] {
    view_hash_of_bytes(&view_bytes(view))
}

/// The hash of a view's bytes ([`view_bytes`]).
pub fn view_hash_of_bytes(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Reads back [`view_bytes`] for `kind`, to show an agreed version read-only. Names the
/// section's schema does not know (a newer build's) are left out; damaged bytes read as
/// nothing.
pub fn view_from_bytes(kind: SectionKind, bytes: &[u8]) -> Option<SectionView> {
    let spec = kind.spec();
    let mut read = Reader(bytes);
    if read.byte().ok()? != VIEW_VERSION {
        return None;
    }
    let mut view = SectionView::default();
    for _ in 0..read.count()? {
        let name = read.text()?;
        let text = read.text()?;
        if let Some(field) = spec.fields.iter().find(|f| f.name == name) {
            view.fields.insert(field.name, FieldView { text });
        }
    }
    for _ in 0..read.count()? {
        let name = read.text()?;
        let value = read.text()?;
        if let Some(choice) = spec.choices.iter().find(|c| c.name == name) {
            view.choices.insert(choice.name, value);
        }
    }
    for _ in 0..read.count()? {
        let name = read.text()?;
        let hidden = read.byte().ok()? == 1;
        let spec_list = spec.lists.iter().find(|l| l.name == name);
        let mut items = Vec::new();
        for at in 0..read.count()? {
            let id = read.text()?;
            let added_at_ms = u64::from_be_bytes(read.array::<8>().ok()?);
            let mut parts = std::collections::BTreeMap::new();
            for _ in 0..read.count()? {
                let part = read.text()?;
                let text = read.text()?;
                if let Some(known) = spec_list.and_then(|l| l.parts.iter().find(|p| p.name == part))
                {
                    parts.insert(known.name, text);
                }
            }
            items.push(ItemView {
                id,
                parts,
                added_at_ms,
                pos: at as f64,
            });
        }
        if let Some(list) = spec_list {
            view.lists.insert(list.name, ListView { hidden, items });
        }
    }
    read.0.is_empty().then_some(view)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The statement's hash, hex: where its view is kept in the section's `agreed.view` map.
pub fn view_key(statement: &Statement) -> String {
    hex(&statement.hash())
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], AgreementError> {
        if self.0.len() < n {
            return Err(AgreementError::Damaged);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, AgreementError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], AgreementError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn count(&mut self) -> Option<usize> {
        let n = u32::from_be_bytes(self.array::<4>().ok()?) as usize;
        // Every counted thing takes at least four bytes: a count past that is damage.
        (n <= self.0.len() / 4).then_some(n)
    }

    fn text(&mut self) -> Option<String> {
        let n = u32::from_be_bytes(self.array::<4>().ok()?) as usize;
        String::from_utf8(self.take(n).ok()?.to_vec()).ok()
    }
}
