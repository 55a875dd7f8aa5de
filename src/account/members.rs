//! Each plan's membership log on this phone (SHARING decision 3): signed by the person,
//! kept by the server (`/api/v1/plans/{plan}/members`), checked whole here against the
//! person's key. Today it holds the person and their phones, each with the range of Yrs
//! client ids it writes under; sharing adds members.
//!
//! A phone puts itself in a plan's log before it sends anything to that plan ([`join`]),
//! and takes in a change from another phone only as from the member the log says sealed
//! it (`Membership::sender`, from [`verified`]). The verified log is kept in memory for the page's life
//! and fetched again when a change names a range it does not hold.

use std::cell::RefCell;
use std::collections::HashMap;

use coplan_domain::key_envelope::{KeyAddress, KeyEnvelope, seal_key};
use coplan_domain::keys::{AccountRecord, PublicKeys};
use coplan_domain::membership::{
    Membership, Op, Right, Rights, Role, epoch_key_digest, reads, sign_entry,
};
use coplan_domain::plan::SectionKind;
use coplan_domain::sync::id_to_hex;
use coplan_domain::sync::record::EpochKeys;
use coplan_domain::wire::{AppendMembership, AttachedPlan, Blob, KeyEnvelopes, MembershipLog};

use super::api::{self, ApiProblem};
use super::flows::Problem;

thread_local! {
    /// Each plan's log as last verified here, by the plan's id on the server.
    static LOGS: RefCell<HashMap<[u8; 16], Membership>> = RefCell::new(HashMap::new());
    /// Each plan's log as fetched (the server's JSON) since it was last kept ([`keep`]).
    static FETCHED: RefCell<HashMap<[u8; 16], Vec<u8>>> = RefCell::new(HashMap::new());
    /// Each plan's log as this tab last kept it, by the plan here: the same again is not kept again (a
    /// kept log changes the plan's case token, and a member's phone fetches the log
    /// every round).
    static KEPT: RefCell<HashMap<String, Vec<u8>>> = RefCell::new(HashMap::new());
}

fn path(plan: &[u8; 16]) -> String {
    format!("/api/v1/plans/{}/members", id_to_hex(plan))
}

/// The plan's log: the one verified here, or (when `fresh`, or none is here yet) fetched
/// and verified against `person`'s key (the account's own for its own plans; for a plan
/// shared with it, the key pinned in the room). A log that does not verify is the
/// server's fault or someone's forgery: nothing is taken from it.
pub async fn verified(
    person: &[u8; 32],
    plan: [u8; 16],
    fresh: bool,
) -> Result<Membership, Problem> {
    if !fresh
        && let Some(known) = LOGS.with_borrow(|logs| logs.get(&plan).cloned())
        && known.person == *person
    {
        return Ok(known);
    }
    let fetched: MembershipLog = api::get(&path(&plan)).await?;
    let entries: Vec<Vec<u8>> = fetched
        .entries
        .iter()
        .map(|e| e.as_slice().to_vec())
        .collect();
    let Ok(verified) = Membership::verify(person, &plan, &entries) else {
        super::notice::refused(super::notice::Refused::Members);
        return Err(Problem::Api(ApiProblem::Unexpected { status: 200 }));
    };
    LOGS.with_borrow_mut(|logs| logs.insert(plan, verified.clone()));
    if let Ok(bytes) = serde_json::to_vec(&fetched) {
        FETCHED.with_borrow_mut(|fetched| fetched.insert(plan, bytes));
    }
    Ok(verified)
}

/// Keeps `plan`'s log, if it was fetched since it was last kept, sealed beside the sync
/// record of `local` (its copy on this phone), for reading offline ([`verified_or_kept`]).
pub async fn keep(
    storage: &crate::storage::Storage,
    local: &coplan_domain::PlanId,
    plan: [u8; 16],
) {
    let Some(bytes) = FETCHED.with_borrow_mut(|fetched| fetched.remove(&plan)) else {
        return;
    };
    if KEPT.with_borrow(|kept| kept.get(local.as_str()) == Some(&bytes)) {
        return;
    }
    if storage.keep_members_copy(local, &bytes).await.is_err() {
        web_sys::console::warn_1(&"sync: the membership log was not kept".into());
    } else {
        KEPT.with_borrow_mut(|kept| kept.insert(local.as_str().to_string(), bytes));
    }
}

/// `plan`'s log as this tab last verified it; else the copy the last round kept beside
/// `local`'s sync record, verified again against `person`'s key (its entries are signed,
/// so a copy changed since cannot pass); else fetched ([`verified`]). What history,
/// agreement and the caseload read by: a screen that tells what was last synced never
/// waits on the network when the phone holds a copy (on patchy data a request can hang
/// for minutes, and the caseload asks once per plan); each round keeps a fresh one.
pub async fn verified_or_kept(
    storage: &crate::storage::Storage,
    local: &coplan_domain::PlanId,
    person: &[u8; 32],
    plan: [u8; 16],
) -> Result<Membership, Problem> {
    let cached = LOGS.with_borrow(|logs| logs.get(&plan).cloned());
    if let Some(known) = cached.filter(|known| known.person == *person) {
        return Ok(known);
    }
    let kept = storage.members_copy(local).await?.and_then(|bytes| {
        let kept: MembershipLog = serde_json::from_slice(&bytes).ok()?;
        let entries: Vec<Vec<u8>> = kept.entries.iter().map(|e| e.as_slice().to_vec()).collect();
        Membership::verify(person, &plan, &entries).ok()
    });
    match kept {
        Some(log) => Ok(log),
        None => verified(person, plan, false).await,
    }
}

async fn log(account: &AccountRecord, plan: [u8; 16], fresh: bool) -> Result<Membership, Problem> {
    verified(&account.keys.public().signing, plan, fresh).await
}

/// Puts this phone, with its range, in the plan's log (and the person first, in a log
/// with nothing yet), unless it is there. If another phone appended first, the next
/// round tries again.
pub async fn join(account: &AccountRecord, phone: [u8; 16], plan: [u8; 16]) -> Result<(), Problem> {
    let me = account.keys.public().signing;
    let holds_me = |log: &Membership| {
        log.members.get(&me).is_some_and(|member| {
            member
                .phones
                .iter()
                .any(|(id, start)| *id == phone && *start == account.range_start)
        })
    };
    if holds_me(&log(account, plan, false).await?) {
        return Ok(());
    }
    let current = log(account, plan, true).await?;
    if holds_me(&current) {
        return Ok(());
    }
    let mut ops = Vec::with_capacity(2);
    if current.len == 0 {
        ops.push(Op::AddMember {
            signing: me,
            receiving: account.keys.public().receiving,
            role: Role::Person,
            rights: [Right::Edit; 5],
        });
    }
    ops.push(Op::AddPhone {
        member: me,
        phone,
        range_start: account.range_start,
    });
    append(account, plan, current, &ops).await
}

/// Signs `ops` after the log as `current` holds it and sends them, all or none.
async fn append(
    account: &AccountRecord,
    plan: [u8; 16],
    current: Membership,
    ops: &[Op],
) -> Result<(), Problem> {
    append_with_keys(account, plan, current, ops, Vec::new()).await
}

/// As [`append`], with the key envelopes of the epochs `ops` start, stored in the same
/// commit.
async fn append_with_keys(
    account: &AccountRecord,
    plan: [u8; 16],
    mut current: Membership,
    ops: &[Op],
    keys: Vec<Blob<{ coplan_domain::key_envelope::KEY_ENVELOPE_BYTES }>>,
) -> Result<(), Problem> {
    let now = js_sys::Date::now() as u64;
    let after = current.len;
    let mut entries = Vec::with_capacity(ops.len());
    let unexpected = || Problem::Api(ApiProblem::Unexpected { status: 200 });
    for op in ops {
        let entry = sign_entry(&plan, current.len, &current.head, now, op, &account.keys);
        current.append(&plan, &entry).map_err(|_| unexpected())?;
        entries.push(Blob::new(entry).ok_or_else(unexpected)?);
    }
    let body = AppendMembership {
        after,
        entries,
        keys,
    };
    match api::send_only("POST", &path(&plan), Some(&body)).await {
        Ok(()) => {
            LOGS.with_borrow_mut(|logs| logs.insert(plan, current));
            Ok(())
        }
        Err(problem) => {
            // Whatever the log holds now is fetched again next time.
            LOGS.with_borrow_mut(|logs| logs.remove(&plan));
            Err(problem.into())
        }
    }
}

/// Someone the person let in from an invite: their account's keys, their role and rights,
/// and the phone that redeemed the invite with its range of client ids.
pub struct NewMember {
    pub keys: PublicKeys,
    pub role: Role,
    pub rights: Rights,
    pub phone: [u8; 16],
    pub range_start: u32,
}

/// Adds `member` to the plan's log (the person's phone only; the server refuses anyone
/// else's entries), with their phone and a suggestions document for each section they
/// may suggest to, unless the log already holds them so.
pub async fn add(
    account: &AccountRecord,
    plan: [u8; 16],
    member: &NewMember,
) -> Result<(), Problem> {
    let current = log(account, plan, true).await?;
    let signing = member.keys.signing;
    let mut ops = Vec::with_capacity(2);
    match current.members.get(&signing) {
        None => ops.push(Op::AddMember {
            signing,
            receiving: member.keys.receiving,
            role: member.role,
            rights: member.rights,
        }),
        Some(known) if known.removed => return Err(Problem::Keys),
        Some(_) => {}
    }
    let has_phone = current
        .members
        .get(&signing)
        .is_some_and(|known| known.phones.iter().any(|(id, _)| *id == member.phone));
    if !has_phone {
        ops.push(Op::AddPhone {
            member: signing,
            phone: member.phone,
            range_start: member.range_start,
        });
    }
    ops.extend(new_suggestions(&current, &signing, &member.rights));
    if ops.is_empty() {
        return Ok(());
    }
    append(account, plan, current, &ops).await
}

/// Removes `member` from the plan's log: from the next request the server refuses them,
/// and their phone takes the plan off. In the same request, each section they could read
/// starts its next key epoch ([`epochs_without`]), so that nothing written from now on
/// opens with a key they held.
pub async fn remove(
    account: &AccountRecord,
    plan: [u8; 16],
    member: [u8; 32],
) -> Result<(), Problem> {
    let current = log(account, plan, true).await?;
    let Some(leaving) = current.members.get(&member).filter(|m| !m.removed) else {
        return Ok(());
    };
    let rights = leaving.rights;
    let mut ops = vec![Op::Remove { member }];
    let (epochs, keys) = epochs_without(account, plan, &current, &member, |kind| {
        reads(&rights, kind)
    })
    .await?;
    ops.extend(epochs);
    append_with_keys(account, plan, current, &ops, keys).await
}

/// Changes what `member` may do in each section to `rights`, in one request: a
/// suggestions document for each section they may now suggest to; for each section they
/// may no longer read, its next key epoch ([`epochs_without`]); then, for each section
/// they may now read, its key at every epoch (`keys`: this phone's, from its sync record),
/// so they also open what was written before.
pub async fn change_rights(
    account: &AccountRecord,
    plan: [u8; 16],
    member: [u8; 32],
    rights: Rights,
    keys: &[SectionKeys],
) -> Result<(), Problem> {
    let current = log(account, plan, true).await?;
    let Some(found) = current.members.get(&member).filter(|m| !m.removed) else {
        return Ok(());
    };
    let (before, receiving) = (found.rights, found.receiving);
    if before == rights {
        return Ok(());
    }
    // The keys of what they may newly read, first: a key this phone cannot find changes
    // nothing.
    let gaining: Vec<SectionKeys> = keys
        .iter()
        .filter(|(kind, ..)| !reads(&before, *kind) && reads(&rights, *kind))
        .cloned()
        .collect();
    let gaining = newest_keys(account, plan, gaining).await?;
    let mut ops = vec![Op::ChangeRights { member, rights }];
    ops.extend(new_suggestions(&current, &member, &rights));
    let losing = |kind| reads(&before, kind) && !reads(&rights, kind);
    let (epochs, epoch_keys) = epochs_without(account, plan, &current, &member, losing).await?;
    ops.extend(epochs);
    append_with_keys(account, plan, current, &ops, epoch_keys).await?;
    let envelopes = wrap_keys(account, plan, &receiving, gaining.iter())?;
    put_keys(plan, envelopes).await
}

/// `sections` with the keys of any epochs the log has started past what this phone's
/// record holds (another of the person's phones removed someone, and this one has not
/// synced since): each from the envelopes wrapped to this account, and only the key the
/// log vouches for. So a member given a part now gets its newest key too.
pub async fn newest_keys(
    account: &AccountRecord,
    plan: [u8; 16],
    mut sections: Vec<SectionKeys>,
) -> Result<Vec<SectionKeys>, Problem> {
    let current = log(account, plan, false).await?;
    let behind = |(_, document, keys): &SectionKeys| {
        let held = keys.iter().map(|(epoch, _)| *epoch).max().unwrap_or(0);
        current.epochs.get(document).copied().unwrap_or(0) > held
    };
    if !sections.iter().any(behind) {
        return Ok(sections);
    }
    let path = format!("/api/v1/plans/{}/keys", id_to_hex(&plan));
    let stored: KeyEnvelopes = api::get(&path).await?;
    let me = account.keys.public().signing;
    for (_, document, keys) in &mut sections {
        let held = keys.iter().map(|(epoch, _)| *epoch).max().unwrap_or(0);
        let started = current.epochs.get(document).copied().unwrap_or(0);
        for epoch in held + 1..=started {
            let key = stored
                .envelopes
                .iter()
                .filter_map(|blob| KeyEnvelope::read(blob.as_slice()).ok())
                .filter(|e| e.address.plan == plan && e.address.document == *document)
                .filter(|e| e.address.epoch == epoch)
                .filter_map(|e| e.open(&me, &account.keys).ok())
                .find(|key| current.vouches_for_key(&plan, document, epoch, key))
                .ok_or(Problem::Keys)?;
            keys.push((epoch, key));
        }
    }
    Ok(sections)
}

/// A section's document and its key at every epoch, as this phone holds them.
pub type SectionKeys = (SectionKind, [u8; 16], EpochKeys);

/// Each section of a plan's sync record with its keys.
pub fn section_keys(record: &coplan_domain::sync::record::PlanSync) -> Vec<SectionKeys> {
    record
        .documents
        .iter()
        .filter_map(|s| {
            let kind = SectionKind::DOCUMENTS
                .into_iter()
                .find(|k| k.key() == s.section)?;
            Some((kind, s.engine.document, s.keys()))
        })
        .collect()
}

/// A suggestions document of their own for each section `rights` lets `member` suggest to
/// and the log names none for yet (its key is made by this phone's next sync round, once
/// the log names it).
fn new_suggestions(current: &Membership, member: &[u8; 32], rights: &Rights) -> Vec<Op> {
    SectionKind::ALL
        .into_iter()
        .zip(rights)
        .filter(|(section, right)| {
            **right == Right::Suggest
                && !current
                    .suggestions
                    .values()
                    .any(|(m, s)| m == member && s == section)
        })
        .map(|(section, _)| Op::AddSuggestions {
            member: *member,
            document: crate::platform::random_bytes(),
            section,
        })
        .collect()
}

/// The next key epoch of each of the plan's documents (sections and card) for which
/// `losing` says `member` stops reading it: a new key, its digest in the log,
/// wrapped to everyone else who may read it (this account first). The log entries, and
/// the key envelopes to send with them.
async fn epochs_without(
    account: &AccountRecord,
    plan: [u8; 16],
    current: &Membership,
    member: &[u8; 32],
    losing: impl Fn(SectionKind) -> bool,
) -> Result<(Vec<Op>, KeyBlobs), Problem> {
    let Some(leaving) = current.members.get(member).map(|m| m.receiving) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let attached: AttachedPlan = api::get(&format!("/api/v1/plans/{}", id_to_hex(&plan))).await?;
    let (mut ops, mut keys) = (Vec::new(), Vec::new());
    for document in &attached.documents {
        let (Some(kind), Some(id)) = (
            SectionKind::DOCUMENTS
                .into_iter()
                .find(|k| k.key() == document.section),
            coplan_domain::sync::id_from_hex(&document.id),
        ) else {
            continue;
        };
        if !losing(kind) {
            continue;
        }
        let epoch = current.epochs.get(&id).copied().unwrap_or(0) + 1;
        let key: [u8; 32] = crate::platform::random_bytes();
        ops.push(Op::StartEpoch {
            document: id,
            epoch,
            key_digest: epoch_key_digest(&plan, &id, epoch, &key),
        });
        let readers: Vec<[u8; 32]> = current
            .readers(kind)
            .into_iter()
            .filter(|r| *r != leaving)
            .collect();
        for reader in &readers {
            keys.push(seal(account, plan, (id, epoch), &key, reader)?);
        }
    }
    Ok((ops, keys))
}

type KeyBlobs = Vec<Blob<{ coplan_domain::key_envelope::KEY_ENVELOPE_BYTES }>>;

/// `key`, for `document` at `epoch`, wrapped to `reader` and signed by this account.
fn seal(
    account: &AccountRecord,
    plan: [u8; 16],
    (document, epoch): ([u8; 16], u32),
    key: &[u8; 32],
    reader: &[u8; 32],
) -> Result<Blob<{ coplan_domain::key_envelope::KEY_ENVELOPE_BYTES }>, Problem> {
    let address = KeyAddress {
        plan,
        document,
        epoch,
    };
    let sealed = seal_key(
        &address,
        key,
        reader,
        &crate::platform::random_bytes(),
        &crate::platform::random_bytes(),
        &account.keys,
    );
    Blob::new(sealed).ok_or(Problem::Keys)
}

/// Every epoch's key of each of `sections`, wrapped to `reader`.
pub fn wrap_keys<'a>(
    account: &AccountRecord,
    plan: [u8; 16],
    reader: &[u8; 32],
    sections: impl Iterator<Item = &'a SectionKeys>,
) -> Result<KeyBlobs, Problem> {
    let mut out = Vec::new();
    for (_, document, keys) in sections {
        for (epoch, key) in keys {
            out.push(seal(account, plan, (*document, *epoch), key, reader)?);
        }
    }
    Ok(out)
}

/// Stores key envelopes for the plan (none: nothing to do). Ones the server holds already,
/// from a try that lost its answer, are no change.
pub async fn put_keys(plan: [u8; 16], envelopes: KeyBlobs) -> Result<(), Problem> {
    if envelopes.is_empty() {
        return Ok(());
    }
    let path = format!("/api/v1/plans/{}/keys", id_to_hex(&plan));
    match api::send_only("PUT", &path, Some(&KeyEnvelopes { envelopes })).await {
        Ok(()) => Ok(()),
        Err(ApiProblem::Refused { code, .. }) if code == "key_taken" => Ok(()),
        Err(other) => Err(other.into()),
    }
}

/// Whether the plan's log, checked against the person's key pinned in the room, holds
/// `me` as a member not removed (the joining phone, after the person decided). A plan
/// this account cannot reach answers false.
pub async fn holds(person: &[u8; 32], plan: [u8; 16], me: &[u8; 32]) -> Result<bool, Problem> {
    match verified(person, plan, true).await {
        Ok(log) => Ok(log.members.get(me).is_some_and(|m| !m.removed)),
        Err(Problem::Api(ApiProblem::Refused { code, .. })) if code == "not_found" => Ok(false),
        Err(other) => Err(other),
    }
}
