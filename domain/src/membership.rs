//! A plan's membership log (SHARING decision 3): an append-only, hash-chained list of
//! entries, each signed by the person's account key, saying who may do what. Every phone
//! rebuilds the plan's members from the log it was given and believes nothing else: a key,
//! a right, a phone or an epoch the verified log does not vouch for is refused.
//!
//! Entry format, version 1, numbers big-endian:
//!
//! | bytes | what |
//! | --- | --- |
//! | 2 | `CM` |
//! | 1 | version, 1 |
//! | 16 | the plan's id |
//! | 4 | the entry's number in the log, from 0 |
//! | 32 | the hash of the entry before (zeros for the first) |
//! | 8 | when the person's phone wrote it (milliseconds since 1970) |
//! | 1 + n | what it does ([`Op`]) |
//! | 64 | the person's Ed25519 signature over everything before it |
//!
//! What an entry does is a code and its fields, in order: 1 add a member (signing key,
//! receiving key, role, a right per section), 2 add a phone (member, phone id, first
//! client id), 3 change rights (member, a right per section), 4 remove (member), 5 start
//! a key epoch (document, epoch, digest of its key: [`epoch_key_digest`]), 6 add a member's
//! suggestions document (member, document, section code).
//!
//! An entry's hash is SHA-256 of `coplan/membership/1`, a zero byte, and its bytes. The
//! first entry adds the person themselves; only they sign entries. A phone's Yrs client
//! ids come from a range of [`CLIENT_RANGE`] registered to its member, so whoever inserted
//! a word can be told from the word itself (docs/history.md), and an update that inserts
//! under anyone else's ids is refused ([`Membership::check_update`]).
//!
//! Pinned by a known answer from libsodium (PyNaCl): `domain/tests/membership.rs`.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::keys::{AccountKeys, verify};
use crate::plan::SectionKind;

/// The log format this build writes.
pub const LOG_VERSION: u8 = 1;
const MAGIC: &[u8; 2] = b"CM";
const HEAD_BYTES: usize = 2 + 1 + 16 + 4 + 32 + 8;
const SIGNATURE_BYTES: usize = 64;
/// The longest entry (one that adds a member).
pub const ENTRY_MAX_BYTES: usize = HEAD_BYTES + 1 + 70 + SIGNATURE_BYTES;
/// The most entries a plan's log may hold (a person, their phones, members and epochs).
pub const LOG_MAX_ENTRIES: usize = 4096;
/// How many Yrs client ids one phone's range holds (the app's `plan/writer.rs` ranges).
pub const CLIENT_RANGE: u32 = 4096;

/// What a member may do with one section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Right {
    None,
    Read,
    Suggest,
    Edit,
}

impl Right {
    fn code(self) -> u8 {
        self as u8
    }

    fn from_code(code: u8) -> Option<Self> {
        [Self::None, Self::Read, Self::Suggest, Self::Edit]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// Rights for each section, in [`SectionKind::ALL`]'s order.
pub type Rights = [Right; 5];

/// Who a member is to the person (names live in encrypted documents, never here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Person,
    Worker,
    Carer,
    Other,
}

impl Role {
    fn code(self) -> u8 {
        self as u8
    }

    fn from_code(code: u8) -> Option<Self> {
        [Self::Person, Self::Worker, Self::Carer, Self::Other]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

impl Role {
    /// What a new member in this role may do with each section, until the person
    /// chooses otherwise when inviting them (SHARING decision 4): everyone may suggest
    /// changes to About me and If I am in crisis; a worker edits the care plan and the
    /// safety plan and reads the check-ins; a carer reads the safety plan. In
    /// [`SectionKind::ALL`]'s order.
    pub fn default_rights(self) -> Rights {
        use Right::{Edit, None, Read, Suggest};
        match self {
            Self::Person => [Edit; 5],
            Self::Worker => [Suggest, Edit, Edit, Suggest, Read],
            Self::Carer => [Suggest, None, Read, Suggest, None],
            Self::Other => [Suggest, None, None, Suggest, None],
        }
    }
}

/// What a [`Op::StartEpoch`] entry says of the epoch's key: SHA-256 of
/// `coplan/epoch-key/1`, a zero byte, the plan's id, the document's id, the epoch
/// (4 bytes, big-endian) and the key. A key's digest gives nothing of the key away (it is
/// 32 random bytes), and binds it to its plan, document and epoch.
pub fn epoch_key_digest(
    plan: &[u8; 16],
    document: &[u8; 16],
    epoch: u32,
    key: &[u8; 32],
) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"coplan/epoch-key/1\0");
    hash.update(plan);
    hash.update(document);
    hash.update(epoch.to_be_bytes());
    hash.update(key);
    hash.finalize().into()
}

/// Whether `rights` let their member read `kind`: a section they may do anything with,
/// or the plan's card when they may do anything with some section.
pub fn reads(rights: &Rights, kind: SectionKind) -> bool {
    match SectionKind::ALL.iter().position(|k| *k == kind) {
        Some(at) => rights[at] != Right::None,
        None => rights.iter().any(|r| *r != Right::None),
    }
}

/// The sections `rights` gives exactly `right` to, in [`SectionKind::ALL`]'s order: what
/// the invite says in words ("edit your care plan and safety plan").
pub fn sections_with(rights: &Rights, right: Right) -> Vec<SectionKind> {
    SectionKind::ALL
        .into_iter()
        .zip(rights)
        .filter(|(_, r)| **r == right)
        .map(|(kind, _)| kind)
        .collect()
}

/// What an entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A member, by their account's keys.
    AddMember {
        signing: [u8; 32],
        receiving: [u8; 32],
        role: Role,
        rights: Rights,
    },
    /// One of a member's phones, with the client ids from `range_start` up.
    AddPhone {
        member: [u8; 32],
        phone: [u8; 16],
        range_start: u32,
    },
    ChangeRights {
        member: [u8; 32],
        rights: Rights,
    },
    Remove {
        member: [u8; 32],
    },
    /// The next key epoch of a document, with the digest of its new key
    /// ([`epoch_key_digest`]): every phone that opens the key checks it is the one the
    /// person's phone made, so no two readers can be handed different keys.
    StartEpoch {
        document: [u8; 16],
        epoch: u32,
        key_digest: [u8; 32],
    },
    /// A member's own document of suggestions to one section (SHARING decision 2): only
    /// they and the person write it. A member gets one per section they may suggest to.
    AddSuggestions {
        member: [u8; 32],
        document: [u8; 16],
        section: SectionKind,
    },
}

impl Op {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Self::AddMember {
                signing,
                receiving,
                role,
                rights,
            } => {
                out.push(1);
                out.extend_from_slice(signing);
                out.extend_from_slice(receiving);
                out.push(role.code());
                out.extend(rights.iter().map(|r| r.code()));
            }
            Self::AddPhone {
                member,
                phone,
                range_start,
            } => {
                out.push(2);
                out.extend_from_slice(member);
                out.extend_from_slice(phone);
                out.extend_from_slice(&range_start.to_be_bytes());
            }
            Self::ChangeRights { member, rights } => {
                out.push(3);
                out.extend_from_slice(member);
                out.extend(rights.iter().map(|r| r.code()));
            }
            Self::Remove { member } => {
                out.push(4);
                out.extend_from_slice(member);
            }
            Self::StartEpoch {
                document,
                epoch,
                key_digest,
            } => {
                out.push(5);
                out.extend_from_slice(document);
                out.extend_from_slice(&epoch.to_be_bytes());
                out.extend_from_slice(key_digest);
            }
            Self::AddSuggestions {
                member,
                document,
                section,
            } => {
                out.push(6);
                out.extend_from_slice(member);
                out.extend_from_slice(document);
                out.push(section.code());
            }
        }
    }

    fn read(bytes: &[u8]) -> Option<Self> {
        let (&code, body) = bytes.split_first()?;
        let key = |at: usize| -> Option<[u8; 32]> { body.get(at..at + 32)?.try_into().ok() };
        let rights = |at: usize| -> Option<Rights> {
            let codes = body.get(at..at + 5)?;
            let mut rights = [Right::None; 5];
            for (right, &code) in rights.iter_mut().zip(codes) {
                *right = Right::from_code(code)?;
            }
            Some(rights)
        };
        let (op, len) = match code {
            1 => (
                Self::AddMember {
                    signing: key(0)?,
                    receiving: key(32)?,
                    role: Role::from_code(*body.get(64)?)?,
                    rights: rights(65)?,
                },
                70,
            ),
            2 => (
                Self::AddPhone {
                    member: key(0)?,
                    phone: body.get(32..48)?.try_into().ok()?,
                    range_start: u32::from_be_bytes(body.get(48..52)?.try_into().ok()?),
                },
                52,
            ),
            3 => (
                Self::ChangeRights {
                    member: key(0)?,
                    rights: rights(32)?,
                },
                37,
            ),
            4 => (Self::Remove { member: key(0)? }, 32),
            5 => (
                Self::StartEpoch {
                    document: body.get(0..16)?.try_into().ok()?,
                    epoch: u32::from_be_bytes(body.get(16..20)?.try_into().ok()?),
                    key_digest: body.get(20..52)?.try_into().ok()?,
                },
                52,
            ),
            6 => (
                Self::AddSuggestions {
                    member: key(0)?,
                    document: body.get(32..48)?.try_into().ok()?,
                    section: SectionKind::section_from_code(*body.get(48)?)?,
                },
                49,
            ),
            _ => return None,
        };
        (body.len() == len).then_some(op)
    }
}

/// An entry's hash, which the next entry names.
pub fn entry_hash(entry: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"coplan/membership/1\0");
    hash.update(entry);
    hash.finalize().into()
}

/// The next entry of a plan's log, signed by the person.
pub fn sign_entry(
    plan: &[u8; 16],
    number: u32,
    previous: &[u8; 32],
    written_ms: u64,
    op: &Op,
    person: &AccountKeys,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEAD_BYTES + 71 + SIGNATURE_BYTES);
    out.extend_from_slice(MAGIC);
    out.push(LOG_VERSION);
    out.extend_from_slice(plan);
    out.extend_from_slice(&number.to_be_bytes());
    out.extend_from_slice(previous);
    out.extend_from_slice(&written_ms.to_be_bytes());
    op.write(&mut out);
    let signature = person.sign(&out);
    out.extend_from_slice(&signature);
    out
}

/// When the person's phone wrote an entry (milliseconds since 1970), read without
/// checking it (the access log shows it for entries of a verified log).
pub fn written_ms(entry: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(entry.get(55..63)?.try_into().ok()?))
}

/// What an entry does, read without checking it (for the server, which checks the log
/// with [`Membership::append`] too); None if it is not an entry.
pub fn read_op(entry: &[u8]) -> Option<Op> {
    let body = entry.get(HEAD_BYTES..entry.len().checked_sub(SIGNATURE_BYTES)?)?;
    Op::read(body)
}

/// Why a log, or a change checked against it, is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("membership log: entry {0} damaged")]
    Damaged(u32),
    #[error("membership log: entry {0} of a newer version")]
    NewerVersion(u32),
    #[error("membership log: entry {0} not signed by the person")]
    NotThePersons(u32),
    #[error("membership log: entry {0} out of order or not chained to the one before")]
    Broken(u32),
    #[error("membership log: entry {0} does not follow from the log before it")]
    NotAllowed(u32),
}

/// A member as the log says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub receiving: [u8; 32],
    pub role: Role,
    pub rights: Rights,
    /// Each phone and the first client id of its range.
    pub phones: Vec<([u8; 16], u32)>,
    pub removed: bool,
    /// When the person's phone let them in (the entry that added them, by its written
    /// time: the person's phone's clock). A member's history starts here.
    pub joined_ms: u64,
}

/// A plan's members, from a verified log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The person's signing key, pinned in the room (or, for the person, their own).
    pub person: [u8; 32],
    pub members: BTreeMap<[u8; 32], Member>,
    /// Each document's current key epoch (0 before the first).
    pub epochs: BTreeMap<[u8; 16], u32>,
    /// The digest of each document's key at each epoch the log started.
    pub epoch_keys: BTreeMap<([u8; 16], u32), [u8; 32]>,
    /// Each suggestions document: whose it is and the section it suggests changes to.
    pub suggestions: BTreeMap<[u8; 16], ([u8; 32], SectionKind)>,
    /// How many entries, and the last one's hash, for the next entry to follow.
    pub len: u32,
    pub head: [u8; 32],
    /// Each time a member came to have edit on a section, and (if it did) stopped: the
    /// entry numbers (from, until), for judging a change against the log at its epoch
    /// ([`Membership::author`]).
    pub edit_spans: Vec<EditSpan>,
    /// The entry number at which each document's epoch started.
    pub epoch_started: BTreeMap<([u8; 16], u32), u32>,
    /// When the person's phone wrote the first entry: when the plan was attached to the
    /// person's account (milliseconds since 1970, the phone's clock).
    pub started_ms: u64,
}

/// A while during which a member had edit on a section: from the entry that gave it,
/// until the entry that took it away (or none, if they have it still).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditSpan {
    pub member: [u8; 32],
    pub section: SectionKind,
    pub from: u32,
    pub until: Option<u32>,
}

/// Who sealed an envelope, as the membership log vouches ([`Membership::sender`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    pub signing: [u8; 32],
    /// The first client id of each of their phones' ranges.
    pub ranges: Vec<u32>,
}

/// Why a change is refused against the membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the signer is not a member")]
    NotAMember,
    #[error("the signer may not edit this section")]
    NoRight,
    #[error("the change writes under client ids that are not the signer's")]
    NotTheirIds,
    #[error("the change is not a readable update")]
    Damaged,
}

impl Membership {
    /// Rebuilds the members from `entries`, checking each against the person's key
    /// (`person`, pinned), the plan, the chain and everything before it.
    pub fn verify(
        person: &[u8; 32],
        plan: &[u8; 16],
        entries: &[Vec<u8>],
    ) -> Result<Self, LogError> {
        let mut state = Self {
            person: *person,
            members: BTreeMap::new(),
            epochs: BTreeMap::new(),
            epoch_keys: BTreeMap::new(),
            suggestions: BTreeMap::new(),
            len: 0,
            head: [0; 32],
            edit_spans: Vec::new(),
            epoch_started: BTreeMap::new(),
            started_ms: 0,
        };
        for entry in entries {
            state.append(plan, entry)?;
        }
        Ok(state)
    }

    /// Checks one more entry and applies it.
    pub fn append(&mut self, plan: &[u8; 16], entry: &[u8]) -> Result<(), LogError> {
        let n = self.len;
        if entry.len() < HEAD_BYTES + 1 + SIGNATURE_BYTES || &entry[..2] != MAGIC {
            return Err(LogError::Damaged(n));
        }
        match entry[2] {
            LOG_VERSION => {}
            v if v > LOG_VERSION => return Err(LogError::NewerVersion(n)),
            _ => return Err(LogError::Damaged(n)),
        }
        let (signed, signature) = entry.split_at(entry.len() - SIGNATURE_BYTES);
        if !verify(&self.person, signed, signature.try_into().expect("64")) {
            return Err(LogError::NotThePersons(n));
        }
        let number = u32::from_be_bytes(entry[19..23].try_into().expect("4"));
        if &entry[3..19] != plan || number != n || entry[23..55] != self.head {
            return Err(LogError::Broken(n));
        }
        let op = Op::read(&signed[HEAD_BYTES..]).ok_or(LogError::Damaged(n))?;
        self.apply(n, op)?;
        if let Op::AddMember { signing, .. } = op
            && let Some(member) = self.members.get_mut(&signing)
        {
            member.joined_ms = written_ms(entry).unwrap_or(0);
        }
        self.note_edit_spans(n);
        if n == 0 {
            self.started_ms = written_ms(entry).unwrap_or(0);
        }
        self.len += 1;
        self.head = entry_hash(entry);
        Ok(())
    }

    fn apply(&mut self, n: u32, op: Op) -> Result<(), LogError> {
        let refused = LogError::NotAllowed(n);
        // The first entry adds the person, with every right; nothing else may come first.
        let first = n == 0;
        match op {
            Op::AddMember {
                signing,
                receiving,
                role,
                rights,
            } => {
                let is_person = signing == self.person;
                if first != is_person
                    || (is_person && (role != Role::Person || rights != [Right::Edit; 5]))
                    || (!is_person && role == Role::Person)
                    || self.members.contains_key(&signing)
                {
                    return Err(refused);
                }
                self.members.insert(
                    signing,
                    Member {
                        receiving,
                        role,
                        rights,
                        phones: Vec::new(),
                        removed: false,
                        joined_ms: 0,
                    },
                );
            }
            _ if first => return Err(refused),
            Op::AddPhone {
                member,
                phone,
                range_start,
            } => {
                // A phone or a range is one member's for good; the same member may name
                // it again (a phone signed in again takes the range it had).
                let clash = !range_start.is_multiple_of(CLIENT_RANGE)
                    || range_start == 0
                    || self
                        .members
                        .iter()
                        .filter(|(key, _)| **key != member)
                        .flat_map(|(_, m)| &m.phones)
                        .any(|(id, start)| *id == phone || *start == range_start);
                let member = self.members.get_mut(&member).ok_or(refused)?;
                if clash || member.removed {
                    return Err(refused);
                }
                member.phones.push((phone, range_start));
            }
            Op::ChangeRights { member, rights } => {
                if member == self.person {
                    return Err(refused);
                }
                let member = self.members.get_mut(&member).ok_or(refused)?;
                if member.removed {
                    return Err(refused);
                }
                member.rights = rights;
            }
            Op::Remove { member } => {
                if member == self.person {
                    return Err(refused);
                }
                let member = self.members.get_mut(&member).ok_or(refused)?;
                if member.removed {
                    return Err(refused);
                }
                member.removed = true;
                member.rights = [Right::None; 5];
            }
            Op::StartEpoch {
                document,
                epoch,
                key_digest,
            } => {
                let current = self.epochs.entry(document).or_insert(0);
                if epoch != *current + 1 {
                    return Err(refused);
                }
                *current = epoch;
                self.epoch_keys.insert((document, epoch), key_digest);
                self.epoch_started.insert((document, epoch), n);
            }
            Op::AddSuggestions {
                member,
                document,
                section,
            } => {
                // Only for a member who may suggest to that section, once per member and
                // section, and never a document already named.
                let taken = self.suggestions.contains_key(&document)
                    || self
                        .suggestions
                        .values()
                        .any(|(m, s)| *m == member && *s == section);
                if taken || member == self.person || self.right(&member, section) != Right::Suggest
                {
                    return Err(refused);
                }
                self.suggestions.insert(document, (member, section));
            }
        }
        Ok(())
    }

    /// Opens and closes edit spans after entry `n`, as rights now stand.
    fn note_edit_spans(&mut self, n: u32) {
        for (key, member) in &self.members {
            for (at, kind) in SectionKind::ALL.into_iter().enumerate() {
                let edits = !member.removed && member.rights[at] == Right::Edit;
                let open = self
                    .edit_spans
                    .iter_mut()
                    .find(|s| s.member == *key && s.section == kind && s.until.is_none());
                match (edits, open) {
                    (true, None) => self.edit_spans.push(EditSpan {
                        member: *key,
                        section: kind,
                        from: n,
                        until: None,
                    }),
                    (false, Some(span)) => span.until = Some(n),
                    _ => {}
                }
            }
        }
    }

    /// Who wrote a change to `kind`'s `document` at `epoch` from this phone and range, as
    /// the log vouches for them at that epoch: the member (the person, or anyone removed
    /// since) whose phone it is, if they had edit on `kind` at some time while that epoch
    /// was the document's. A member removed later still owns the work they did; a change
    /// from someone who never had edit then is no one's. (Within an epoch the log cannot
    /// say when a change was made: taking edit away starts no epoch, and the server
    /// refuses such a member's changes from the next request.)
    pub fn author(
        &self,
        document: &[u8; 16],
        kind: SectionKind,
        epoch: u32,
        device: &[u8; 16],
        range_start: u32,
    ) -> Option<[u8; 32]> {
        let (signing, _) = self.phone_owner(device, range_start)?;
        if *signing == self.person {
            return Some(*signing);
        }
        let from = match epoch {
            0 => 0,
            _ => *self.epoch_started.get(&(*document, epoch))?,
        };
        let until = self.epoch_started.get(&(*document, epoch + 1)).copied();
        self.edit_spans
            .iter()
            .any(|span| {
                span.member == *signing
                    && span.section == kind
                    && until.is_none_or(|until| span.from < until)
                    && span.until.is_none_or(|end| end > from)
            })
            .then_some(*signing)
    }

    /// Whether `member` may have marked a version of `kind` agreed: the person, or a
    /// member who had edit on it at some time (a member removed since keeps the
    /// agreements they made; `agreement::read_marks`).
    pub fn may_have_agreed(&self, member: &[u8; 32], kind: SectionKind) -> bool {
        *member == self.person
            || self
                .edit_spans
                .iter()
                .any(|span| span.member == *member && span.section == kind)
    }

    /// The receiving keys of everyone who may read `kind` now (the person first): whom a
    /// new epoch's key is wrapped to.
    pub fn readers(&self, kind: SectionKind) -> Vec<[u8; 32]> {
        let person = self.members.get(&self.person).map(|m| m.receiving);
        let others = self
            .members
            .iter()
            .filter(|(key, _)| **key != self.person && self.right(key, kind) >= Right::Read)
            .map(|(_, m)| m.receiving);
        person.into_iter().chain(others).collect()
    }

    /// Whether `key` is the key the log's entry started `document`'s `epoch` with.
    pub fn vouches_for_key(
        &self,
        plan: &[u8; 16],
        document: &[u8; 16],
        epoch: u32,
        key: &[u8; 32],
    ) -> bool {
        self.epoch_keys
            .get(&(*document, epoch))
            .is_some_and(|digest| *digest == epoch_key_digest(plan, document, epoch, key))
    }

    /// What `member` may do with `kind` now. The card: the person edits it, and every
    /// member who may do anything with some section reads it.
    pub fn right(&self, member: &[u8; 32], kind: SectionKind) -> Right {
        let Some(found) = self.members.get(member).filter(|m| !m.removed) else {
            return Right::None;
        };
        match SectionKind::ALL.iter().position(|k| *k == kind) {
            Some(at) => found.rights[at],
            None if *member == self.person => Right::Edit,
            None if reads(&found.rights, kind) => Right::Read,
            None => Right::None,
        }
    }

    /// Who may have sealed an envelope for `kind` with this header, and the ranges their
    /// phones write under: a snapshot only the person (it holds everyone's words); a
    /// change only a member, not removed, with edit on `kind`, one of whose phones has
    /// the header's device and range. The phone opens the envelope with that key alone,
    /// so a change signed by anyone else does not open.
    pub fn sender(
        &self,
        what: crate::envelope::What,
        kind: SectionKind,
        device: &[u8; 16],
        range_start: u32,
    ) -> Option<Sender> {
        let ranges = |member: &Member| member.phones.iter().map(|(_, start)| *start).collect();
        match what {
            crate::envelope::What::Snapshot => {
                let person = self.members.get(&self.person)?;
                Some(Sender {
                    signing: self.person,
                    ranges: ranges(person),
                })
            }
            crate::envelope::What::Change => {
                let (signing, member) = self.phone_owner(device, range_start)?;
                (self.right(signing, kind) == Right::Edit).then(|| Sender {
                    signing: *signing,
                    ranges: ranges(member),
                })
            }
        }
    }

    /// Who may have sealed an envelope for the suggestions document `document`, and the
    /// section it suggests changes to: a snapshot only the person; a change the member
    /// whose suggestions they are, while they may still suggest to (or edit) that section,
    /// or the person (who takes each suggestion in or declines it there), each from one
    /// of their own phones. None for a document that holds no one's suggestions.
    pub fn suggestion_sender(
        &self,
        what: crate::envelope::What,
        document: &[u8; 16],
        device: &[u8; 16],
        range_start: u32,
    ) -> Option<(Sender, SectionKind)> {
        let (owner, section) = *self.suggestions.get(document)?;
        let signing = match what {
            crate::envelope::What::Snapshot => self.person,
            crate::envelope::What::Change => {
                let (signing, _) = self.phone_owner(device, range_start)?;
                let allowed = *signing == self.person
                    || (*signing == owner && self.right(&owner, section) >= Right::Suggest);
                allowed.then_some(*signing)?
            }
        };
        let member = self.members.get(&signing)?;
        Some((
            Sender {
                signing,
                ranges: member.phones.iter().map(|(_, start)| *start).collect(),
            },
            section,
        ))
    }

    /// The member one of whose phones is `device`, writing from `range_start`.
    fn phone_owner(&self, device: &[u8; 16], range_start: u32) -> Option<(&[u8; 32], &Member)> {
        self.members.iter().find(|(_, member)| {
            member
                .phones
                .iter()
                .any(|(id, start)| id == device && *start == range_start)
        })
    }

    /// The member whose phone's range holds this client id.
    pub fn writer_of(&self, client: u64) -> Option<&[u8; 32]> {
        self.members.iter().find_map(|(key, member)| {
            member
                .phones
                .iter()
                .any(|(_, start)| in_range(*start, client))
                .then_some(key)
        })
    }

    /// Whether a change to `kind` signed by `signer`, sent from the phone whose range
    /// starts at `range_start` (the envelope's header says which), may enter the plan:
    /// the signer may edit the section, the range is one of the signer's phones', and
    /// every block the update inserts carries a client id from that range.
    pub fn check_update(
        &self,
        signer: &[u8; 32],
        kind: SectionKind,
        range_start: u32,
        update: &[u8],
    ) -> Result<(), Refusal> {
        let member = self
            .members
            .get(signer)
            .filter(|m| !m.removed)
            .ok_or(Refusal::NotAMember)?;
        if self.right(signer, kind) != Right::Edit {
            return Err(Refusal::NoRight);
        }
        if !member.phones.iter().any(|(_, start)| *start == range_start) {
            return Err(Refusal::NotTheirIds);
        }
        let clients = inserted_clients(update).ok_or(Refusal::Damaged)?;
        if clients.iter().all(|c| in_range(range_start, *c)) {
            Ok(())
        } else {
            Err(Refusal::NotTheirIds)
        }
    }
}

fn in_range(range_start: u32, client: u64) -> bool {
    (u64::from(range_start)..u64::from(range_start) + u64::from(CLIENT_RANGE)).contains(&client)
}

/// Whether every block `update` inserts carries a client id from the range that starts at
/// `range_start`; false if it is not a readable update.
pub fn inserts_only_in(update: &[u8], range_start: u32) -> bool {
    inserted_clients(update)
        .is_some_and(|clients| clients.iter().all(|c| in_range(range_start, *c)))
}

/// The Yrs client ids under which an update inserts anything (deleted or not); None if
/// it is not a readable update.
pub fn inserted_clients(update: &[u8]) -> Option<Vec<u64>> {
    use yrs::Update;
    use yrs::updates::decoder::Decode;
    let update = std::panic::catch_unwind(|| Update::decode_v1(update))
        .ok()?
        .ok()?;
    Some(
        update
            .insertions(true)
            .client_ids()
            .map(|c| c.get())
            .collect(),
    )
}

/// A known answer from libsodium (PyNaCl 1.6), shared by the native and browser tests:
/// the first entry of plan `[0x11; 16]`, written at 1,000 ms by the keys of
/// [`crate::keys::known_answer::random`], hashes to [`GENESIS_HASH`].
pub mod known_answer {
    pub const PLAN: [u8; 16] = [0x11; 16];
    pub const WRITTEN_MS: u64 = 1_000;
    pub const GENESIS_HASH: &str =
        "b8188f1e8cd6978291015fda92533ec84f2bc31274ced0852c7ef85c1f015af3";
}
