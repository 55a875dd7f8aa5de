//! Members' suggestions on this phone (issue 14): each member's suggestions to a section
//! are a document of their own (`coplan_domain::plan::suggestions`), named in the plan's
//! membership log, which only that member and the person write.
//!
//! - **Keys**: the person's phone makes each one's key once the log names it, wraps it to
//!   the member and to the person, and signs both; every phone that may hold it (the
//!   person's, the member's) takes it from the key envelopes ([`adopt`]).
//! - **Writing**: a suggestion, or the person's decision on one, is kept first as a
//!   pending record of its own (`Storage::add_pending_suggestion`), so no tab ever
//!   rewrites the sync record, which only the syncing tab writes; that tab seals it into
//!   the document's outbox at its next round ([`round`]).
//! - **Taking in**: a change opens only as from the member whose suggestions they are, or
//!   the person, from one of their phones (`Membership::suggestion_sender`), inserts only
//!   under that phone's range, and is checked in the checker's worker before the app
//!   decodes it, like a section's.

use coplan_domain::PlanId;
use coplan_domain::envelope::{Encoding, Envelope, Header, What, seal};
use coplan_domain::key_envelope::{KeyAddress, seal_key};
use coplan_domain::keys::AccountRecord;
use coplan_domain::membership::{Membership, Right};
use coplan_domain::plan::SectionKind;
use coplan_domain::plan::suggestions::SuggestionsDoc;
use coplan_domain::sync::history::{change_payload, read_change_payload};
use coplan_domain::sync::incoming;
use coplan_domain::sync::record::{PlanSync, SectionSync, SuggestionsSync};
use coplan_domain::sync::{DocumentSync, Pulled, Waiting, id_from_hex, id_to_hex, requests};
use coplan_domain::wire::{Blob, KeyEnvelopes};

use super::api::{self, ApiProblem};
use super::flows::Problem;
use super::members;
use crate::platform::fill_random;
use crate::storage::Storage;

/// Rounds one call makes at most while the server says it has more.
const MAX_ROUNDS: usize = 10;
/// Changes pushed per document per request.
const MAX_PUSH: usize = 16;

fn unexpected() -> Problem {
    Problem::Api(ApiProblem::Unexpected { status: 200 })
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    fill_random(&mut bytes).expect("the browser gave no random source");
    bytes
}

fn section_of(entry: &SuggestionsSync) -> Option<SectionKind> {
    SectionKind::ALL
        .into_iter()
        .find(|k| k.key() == entry.sync.section)
}

/// Whether this phone syncs `entry` now: the person's phones every one; a member's phone
/// its own, while the member may still suggest to that section.
fn reachable(entry: &SuggestionsSync, log: &Membership, me: &[u8; 32]) -> bool {
    if log.person == *me {
        return true;
    }
    entry.member == *me && section_of(entry).is_some_and(|s| log.right(me, s) >= Right::Suggest)
}

/// The suggestions documents the log names that this phone should hold and does not yet:
/// their keys taken from the key envelopes for this account (signed by the person), or on
/// the person's phone made, wrapped to the member and the person, and stored. True when
/// the record changed.
pub(super) async fn adopt(
    account: &AccountRecord,
    phone: [u8; 16],
    plan: [u8; 16],
    log: &Membership,
    record: &mut PlanSync,
) -> Result<bool, Problem> {
    let me = account.keys.public().signing;
    let missing: Vec<([u8; 16], [u8; 32], SectionKind)> = log
        .suggestions
        .iter()
        .filter(|(document, (member, _))| {
            (log.person == me || *member == me)
                && !record
                    .suggestions
                    .iter()
                    .any(|s| s.sync.engine.document == **document)
        })
        .map(|(document, (member, section))| (*document, *member, *section))
        .collect();
    if missing.is_empty() {
        return Ok(false);
    }
    let path = format!("/api/v1/plans/{}/keys", id_to_hex(&plan));
    let stored: KeyEnvelopes = api::get(&path).await?;
    let mut keys: Vec<([u8; 16], [u8; 32])> =
        super::sync::open_keys(&stored, plan, &log.person, account)
            .into_iter()
            .filter(|k| k.epoch == 0)
            .map(|k| (k.document, k.key))
            .collect();
    if log.person == me {
        // None stored yet: made here, for the member and the person alike.
        let mut made = Vec::new();
        let mut envelopes = Vec::new();
        for (document, member, _) in &missing {
            if keys.iter().any(|(d, _)| d == document) {
                continue;
            }
            let Some(theirs) = log.members.get(member) else {
                continue;
            };
            let key: [u8; 32] = random();
            let address = KeyAddress {
                plan,
                document: *document,
                epoch: 0,
            };
            for to in [theirs.receiving, account.keys.public().receiving] {
                let sealed = seal_key(&address, &key, &to, &random(), &random(), &account.keys);
                envelopes.push(Blob::new(sealed).ok_or_else(unexpected)?);
            }
            made.push((*document, key));
        }
        if !envelopes.is_empty() {
            match api::send_only("PUT", &path, Some(&KeyEnvelopes { envelopes })).await {
                Ok(()) => keys.extend(made),
                // Another of the person's phones got there first: its keys, next round.
                Err(ApiProblem::Refused { code, .. }) if code == "key_taken" => {}
                Err(other) => return Err(other.into()),
            }
        }
    }
    let mut changed = false;
    for (document, member, section) in missing {
        let Some((_, key)) = keys.iter().find(|(d, _)| *d == document) else {
            continue;
        };
        record.suggestions.push(SuggestionsSync {
            member,
            state: Vec::new(),
            sync: SectionSync::new(
                section.key().to_string(),
                *key,
                DocumentSync::new(document, phone),
            ),
        });
        changed = true;
    }
    Ok(changed)
}

/// The document as this phone holds it: the sync record's state, then what waits to be
/// taken into it.
fn load(entry: &SuggestionsSync, pending: &[&[u8]]) -> Option<SuggestionsDoc> {
    let section = section_of(entry)?;
    let doc = SuggestionsDoc::new(section, crate::platform::fresh_client_id());
    if !entry.state.is_empty() {
        doc.apply_update(&entry.state).ok()?;
    }
    for update in pending {
        let _ = doc.apply_update(update);
    }
    Some(doc)
}

/// One round for the plan's suggestions documents: what was written here sealed into the
/// outbox, then pushed and pulled until the server has nothing more.
pub(super) async fn round(
    storage: &Storage,
    account: &AccountRecord,
    local: &PlanId,
    plan: [u8; 16],
    person: [u8; 32],
    record: &mut PlanSync,
    syncing: &super::batch::Syncing,
) -> Result<(), Problem> {
    let me = account.keys.public().signing;
    let pending = storage.pending_suggestions(local).await?;
    let mut taken = Vec::new();
    for (key, document, update) in pending {
        let Some(entry) = record
            .suggestions
            .iter_mut()
            .find(|s| id_to_hex(&s.sync.engine.document) == document)
        else {
            continue;
        };
        let Some(doc) = load(entry, &[&update]) else {
            continue;
        };
        entry.state = doc.encode_state();
        let payload = change_payload(js_sys::Date::now() as u64, &update);
        let counter = entry.sync.engine.take_counter();
        let sealed = seal_change(account, plan, entry, counter, &payload)?;
        entry
            .sync
            .engine
            .queue(counter, Waiting { payload, sealed });
        taken.push(key);
    }
    if !taken.is_empty() {
        storage.save_sync_record(local, record).await?;
        storage.drop_pending_suggestions(&taken).await?;
    }
    let log = members::verified(&person, plan, false).await?;
    for _ in 0..MAX_ROUNDS {
        let engines = record
            .suggestions
            .iter()
            .filter(|s| reachable(s, &log, &me))
            .map(|s| &s.sync.engine);
        let requests = requests(engines, MAX_PUSH);
        if requests.is_empty() {
            return Ok(());
        }
        let responses = syncing.exchange(requests).await?;
        let mut more = false;
        for response in responses {
            let Some(entry) = record
                .suggestions
                .iter_mut()
                .find(|s| s.sync.engine.document == response.document)
            else {
                continue;
            };
            let received = entry.sync.engine.receive(&response);
            more |= received.more;
            super::sync::keep_history(storage, local, &response, received.up_to).await?;
            take_in(person, plan, entry, &received.to_apply).await?;
            entry.sync.engine.stored(received.up_to);
            for counter in received.to_reseal {
                if let Some(again) = entry.sync.engine.reseal(counter) {
                    let sealed = seal_change(account, plan, entry, again.counter, &again.payload)?;
                    let waiting = Waiting {
                        payload: again.payload,
                        sealed,
                    };
                    entry.sync.engine.queue(again.counter, waiting);
                    more = true;
                }
            }
        }
        storage.save_sync_record(local, record).await?;
        let waiting = record
            .suggestions
            .iter()
            .any(|s| reachable(s, &log, &me) && s.sync.engine.has_waiting());
        if !more && !waiting {
            break;
        }
    }
    Ok(())
}

fn seal_change(
    account: &AccountRecord,
    plan: [u8; 16],
    entry: &SuggestionsSync,
    counter: u64,
    payload: &[u8],
) -> Result<Vec<u8>, Problem> {
    let section = section_of(entry).ok_or_else(unexpected)?;
    let header = Header {
        what: What::Change,
        encoding: Encoding::Yrs,
        kind: section.suggestions_code(),
        plan,
        document: entry.sync.engine.document,
        epoch: 0,
        device: id_from_hex(&account.phone).ok_or_else(unexpected)?,
        counter,
        range_start: account.range_start,
        covers: 0,
    };
    seal(&header, payload, &entry.sync.key, &random(), &account.keys).map_err(|_| unexpected())
}

/// Takes in changes from other phones: each opened only as from the member whose
/// suggestions they are or the person, inserting only under that phone's range, then
/// checked in the checker's worker, in order, before it is merged. One that builds on a
/// change not here yet is held and tried again after later ones.
async fn take_in(
    person: [u8; 32],
    plan: [u8; 16],
    entry: &mut SuggestionsSync,
    envelopes: &[Pulled],
) -> Result<(), Problem> {
    let Some(section) = section_of(entry) else {
        return Ok(());
    };
    let document = entry.sync.engine.document;
    let mut framed = Vec::with_capacity(envelopes.len());
    let mut fetched = false;
    for pulled in envelopes {
        let Ok(envelope) = Envelope::read(&pulled.envelope) else {
            continue;
        };
        let header = envelope.header;
        if header.document != document
            || header.kind != section.suggestions_code()
            || header.epoch != 0
            || header.what != What::Change
        {
            continue;
        }
        let find = |log: &Membership| {
            log.suggestion_sender(header.what, &document, &header.device, header.range_start)
                .filter(|(_, s)| *s == section)
        };
        let mut sender = find(&members::verified(&person, plan, false).await?);
        if sender.is_none() && !fetched {
            fetched = true;
            sender = find(&members::verified(&person, plan, true).await?);
        }
        let Some((sender, _)) = sender else {
            continue;
        };
        let Ok(payload) = envelope.open(&sender.signing, &entry.sync.key) else {
            continue;
        };
        let Some((_, update)) = read_change_payload(&payload) else {
            continue;
        };
        if let Some(admitted) =
            incoming::admit(What::Change, header.range_start, &sender.ranges, update)
        {
            framed.push(admitted);
        }
    }
    let mut checking = incoming::to_check(framed, &entry.sync.held);
    while !checking.is_empty() {
        let parts: Vec<&[u8]> = checking.iter().map(Vec::as_slice).collect();
        let verdicts =
            super::batch::check_updates(section.suggestions_code(), &entry.state, &parts)
                .await
                .map_err(|_| unexpected())?;
        let passed = incoming::sort(checking, &verdicts, &mut entry.sync.held);
        checking = if passed.is_empty() {
            Vec::new()
        } else {
            entry.sync.held.clone()
        };
        let updates: Vec<&[u8]> = passed
            .iter()
            .filter_map(|f| incoming::unframe(f).map(|(_, u)| u))
            .collect();
        if let Some(doc) = load(entry, &updates) {
            entry.state = doc.encode_state();
        }
    }
    Ok(())
}

/// A member's suggestions to one section of the plan open on this phone, as this phone
/// holds them (what was written here and not yet sent included).
pub struct Held {
    pub document: [u8; 16],
    pub member: [u8; 32],
    pub doc: SuggestionsDoc,
}

/// The suggestions documents of the plan open on this phone, with the plan's local id
/// and the person's signing key; None when the open plan has none.
pub async fn open_plans_suggestions() -> Result<Option<(PlanId, [u8; 32], Vec<Held>)>, Problem> {
    let storage = Storage::shared().await?;
    let Some(local) = storage
        .current_plan()
        .await?
        .and_then(|p| PlanId::parse(&p).ok())
    else {
        return Ok(None);
    };
    let Some(account) = storage.account().await.map_err(|_| Problem::Keys)? else {
        return Ok(None);
    };
    let records = storage.sync_records().await?;
    let Some((_, record)) = records.into_iter().find(|(id, _)| *id == local) else {
        return Ok(None);
    };
    if record.suggestions.is_empty() {
        return Ok(None);
    }
    let person = record.person.unwrap_or(account.keys.public().signing);
    let held = held(&storage, &local).await?;
    Ok(Some((local, person, held)))
}

/// The suggestions documents of the plan `local`, with what was written to them here and
/// is not yet in its sync record. What is written here is read first, then the record: a
/// round that takes it into the record meanwhile leaves it in both (taken in twice, it
/// counts once), never in neither.
pub async fn held(storage: &Storage, local: &PlanId) -> Result<Vec<Held>, Problem> {
    let pending = storage.pending_suggestions(local).await?;
    let records = storage.sync_records().await?;
    let Some((_, record)) = records.into_iter().find(|(id, _)| id == local) else {
        return Ok(Vec::new());
    };
    let pending: Vec<(&str, &[u8])> = pending
        .iter()
        .map(|(_, document, update)| (document.as_str(), update.as_slice()))
        .collect();
    Ok(held_with(&pending, &record))
}

/// The suggestions documents of `record`, with `pending` (document, update) written
/// here: read `pending` before `record`, as [`held`] does.
pub fn held_with(pending: &[(&str, &[u8])], record: &PlanSync) -> Vec<Held> {
    record
        .suggestions
        .iter()
        .filter_map(|entry| {
            let document = id_to_hex(&entry.sync.engine.document);
            let waiting: Vec<&[u8]> = pending
                .iter()
                .filter(|(d, _)| *d == document)
                .map(|(_, u)| *u)
                .collect();
            Some(Held {
                document: entry.sync.engine.document,
                member: entry.member,
                doc: load(entry, &waiting)?,
            })
        })
        .collect()
}

/// Keeps a suggestion, or a decision on one, written here to `document`, and starts a
/// round to send it.
pub async fn write(local: &PlanId, document: [u8; 16], update: &[u8]) -> Result<(), Problem> {
    let storage = Storage::shared().await?;
    storage
        .add_pending_suggestion(local, &id_to_hex(&document), update)
        .await?;
    super::wake::now();
    Ok(())
}
