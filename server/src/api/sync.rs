//! `/api/v1/plans` and `/api/v1/sync`: attaching the plan on a phone to the account, and
//! the one request that pushes and pulls every document (SHARING decisions 2 and 6).
//! Who may reach a document is decided here, on every request, and written to the audit
//! trail; a document the phone may not reach answers exactly as one that does not exist.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use coplan_domain::key_envelope::KeyEnvelope;
use coplan_domain::membership::{LOG_MAX_ENTRIES, Membership, Op, Right, read_op};
use coplan_domain::plan::SectionKind;
use coplan_domain::sync::wire::{SyncWireError, read_request, write_response};
use coplan_domain::wire::{
    ACCESS_MAX_ENTRIES, Access, AccessLog, AppendMembership, AttachPlan, AttachedPlan, Blob,
    KeyEnvelopes, MAX_APPENDED_ENTRIES, MAX_KEY_ENVELOPES, MembershipLog, People, PlanDocument,
    Plans, Someone,
};

use crate::api::v1::Body;
use crate::auth::{self, Session};
use crate::error::ApiError;
use crate::router::AppState;
use crate::storage::{
    Appended, Appending, AuditEntry, CursorLog, KeysPut, NewKeyEnvelope, NewPlan, NewSuggestions,
    PlanRow, Store,
};
use crate::sync::{Syncer, id_text, sync as answer};

fn parse_id(text: &str) -> Option<[u8; 16]> {
    coplan_domain::sync::id_from_hex(text)
}

fn attached(plan: &crate::storage::PlanRow) -> AttachedPlan {
    AttachedPlan {
        plan: plan.id.clone(),
        documents: plan
            .documents
            .iter()
            .filter_map(|(id, kind)| {
                let kind = SectionKind::from_code(u8::try_from(*kind).ok()?)?;
                Some(PlanDocument {
                    section: kind.key().to_string(),
                    id: id.clone(),
                })
            })
            .collect(),
        to_remove: 0,
    }
}

/// Attaches a plan to the account: the server gives it a new id (so a copy imported on
/// another phone never collides with the original), a document per section and its card.
pub async fn attach_plan(
    State(state): State<AppState>,
    session: Session,
    Body(request): Body<AttachPlan>,
) -> Result<Response, ApiError> {
    let account = &session.row.account;
    let request_id = id_text(&request.request.0);
    let id = auth::random_id();
    let documents: Vec<(String, i64)> = SectionKind::DOCUMENTS
        .iter()
        .map(|kind| (auth::random_id(), i64::from(kind.code())))
        .collect();
    let plan = state
        .db
        .attach_plan(&NewPlan {
            id: &id,
            owner: account,
            request_id: &request_id,
            documents: &documents,
            log_id: &auth::random_id(),
            now_ms: state.clock.now_ms(),
        })
        .await?;
    audit(&state, &session, "attach plan", &plan, true).await?;
    let plans = state.db.plans(account).await?;
    let row = plans
        .iter()
        .find(|p| p.id == plan)
        .ok_or(ApiError::NotFound)?;
    let status = if plan == id {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(attached(row))).into_response())
}

/// The plan, if the session's account owns it. A plan that does not exist and one that
/// belongs to someone else answer the same; either way the decision is audited.
pub(super) async fn own_plan(
    state: &AppState,
    session: &Session,
    plan: &str,
    action: &str,
) -> Result<PlanRow, ApiError> {
    let found = state
        .db
        .plans(&session.row.account)
        .await?
        .into_iter()
        .find(|p| p.id == plan);
    audit(state, session, action, plan, found.is_some()).await?;
    found.ok_or(ApiError::NotFound)
}

/// Stores the plan's key envelopes, from the owner's phone. Each must be for this plan
/// and one of its documents, at an epoch the membership log has started (0 before any;
/// a new epoch's keys come with the entry that starts it), signed by the
/// owner, and wrapped to the owner's own receiving key, to a member who may read that
/// section, or for a suggestions document to the member whose it is (as the verified
/// membership log says).
/// All are stored or none; a place that already holds another key answers 409.
pub async fn put_keys(
    State(state): State<AppState>,
    session: Session,
    Path(plan): Path<String>,
    Body(request): Body<KeyEnvelopes>,
) -> Result<StatusCode, ApiError> {
    let row = own_plan(&state, &session, &plan, "store keys").await?;
    if request.envelopes.is_empty() || request.envelopes.len() > MAX_KEY_ENVELOPES {
        return Err(ApiError::BadRequest("key envelopes"));
    }
    let account = &session.row.account;
    let signing = signing_key(&state, account).await?;
    let receiving = state
        .db
        .receiving_key(account)
        .await?
        .ok_or(ApiError::SignInNeeded)?;
    let plan_id = parse_id(&plan).ok_or(ApiError::NotFound)?;
    let members = state.db.members(&plan).await?;
    let log = Membership::verify(&signing, &plan_id, &state.db.membership(&plan).await?).ok();
    let mut checked = Vec::with_capacity(request.envelopes.len());
    for blob in &request.envelopes {
        let envelope = read_key(blob).ok_or(ApiError::BadRequest("key envelope"))?;
        let document = id_text(&envelope.address.document);
        let kind = row
            .documents
            .iter()
            .find(|(id, _)| *id == document)
            .map(|(_, kind)| *kind);
        // To the owner, to a member who may read that section, or to the member whose
        // suggestions document it is (as the verified log names it).
        let recipient = envelope.recipient.as_slice();
        let suggester = match log.as_ref() {
            Some(log) => {
                log.suggestions
                    .get(&envelope.address.document)
                    .and_then(|(member, section)| {
                        let may = log.right(member, *section) >= Right::Suggest;
                        may.then(|| log.members.get(member)).flatten()
                    })
            }
            None => None,
        };
        let reader = recipient == receiving.as_slice()
            || suggester.is_some_and(|m| m.receiving.as_slice() == recipient)
            || kind.is_some_and(|kind| {
                members
                    .iter()
                    .any(|m| m.receiving.as_slice() == recipient && m.may_read(kind))
            });
        // Any epoch the log has started (a member let in after a removal needs the keys
        // of the epochs before too, for what was sealed under them).
        let started = log.as_ref().map_or(0, |log| {
            log.epochs
                .get(&envelope.address.document)
                .copied()
                .unwrap_or(0)
        });
        let ours = envelope.address.plan == plan_id
            && kind.is_some()
            && envelope.address.epoch <= started
            && reader
            && envelope.signed_by(&signing);
        if !ours {
            return Err(ApiError::BadRequest("key envelope"));
        }
        checked.push((document, envelope));
    }
    let new: Vec<NewKeyEnvelope<'_>> = checked
        .iter()
        .map(|(document, envelope)| NewKeyEnvelope {
            document,
            epoch: i64::from(envelope.address.epoch),
            recipient: &envelope.recipient,
            body: envelope.bytes(),
        })
        .collect();
    match state.db.put_key_envelopes(&plan, &new).await? {
        KeysPut::Stored => Ok(StatusCode::NO_CONTENT),
        KeysPut::Taken => Err(ApiError::KeyTaken),
    }
}

/// The plan, for its owner or a member who may still read some of it; anyone else gets
/// the same 404 as for a plan that does not exist. Audited.
async fn reach_plan(
    state: &AppState,
    session: &Session,
    plan: &str,
    action: &str,
) -> Result<(), ApiError> {
    let account = &session.row.account;
    let owner = state.db.plans(account).await?.iter().any(|p| p.id == plan);
    let member = !owner
        && state
            .db
            .members(plan)
            .await?
            .iter()
            .any(|m| m.account == *account && m.rights.iter().any(|r| *r > 0));
    audit(state, session, action, plan, owner || member).await?;
    if owner || member {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The account's public signing key, which signs its key envelopes and membership log.
pub(super) async fn signing_key(state: &AppState, account: &str) -> Result<[u8; 32], ApiError> {
    state
        .db
        .signing_key(account)
        .await?
        .and_then(|key| key.try_into().ok())
        .ok_or(ApiError::SignInNeeded)
}

fn read_key(
    blob: &Blob<{ coplan_domain::key_envelope::KEY_ENVELOPE_BYTES }>,
) -> Option<KeyEnvelope<'_>> {
    KeyEnvelope::read(blob.as_slice()).ok()
}

/// The plan's key envelopes wrapped to the asking account.
pub async fn get_keys(
    State(state): State<AppState>,
    session: Session,
    Path(plan): Path<String>,
) -> Result<Json<KeyEnvelopes>, ApiError> {
    reach_plan(&state, &session, &plan, "keys").await?;
    let receiving = state
        .db
        .receiving_key(&session.row.account)
        .await?
        .ok_or(ApiError::SignInNeeded)?;
    let envelopes = state
        .db
        .key_envelopes(&plan, &receiving)
        .await?
        .into_iter()
        .filter_map(Blob::new)
        .collect();
    Ok(Json(KeyEnvelopes { envelopes }))
}

/// The plan's membership log, for the owner's phones and its members' (each checks it
/// against the person's key, pinned in the room).
pub async fn get_members(
    State(state): State<AppState>,
    session: Session,
    Path(plan): Path<String>,
) -> Result<Json<MembershipLog>, ApiError> {
    reach_plan(&state, &session, &plan, "fetch members").await?;
    let entries = state
        .db
        .membership(&plan)
        .await?
        .into_iter()
        .filter_map(Blob::new)
        .collect();
    Ok(Json(MembershipLog { entries }))
}

/// Appends to the plan's membership log, from the owner's phone. Each entry must follow
/// the log before it, signed by the owner ([`Membership::append`]). An entry may add the
/// owner (the first), one of the owner's phones with the range that phone registered, or
/// a member: an account on this server, with exactly the keys it holds for them; and may
/// change a member's rights or remove them; or name a member's suggestions document
/// (the server adds it to the plan, for that member alone). All are stored or none, and
/// in the same transaction the verified log's members become who may reach the plan's
/// documents (`may_sync`). A log that holds other entries than the phone appended after answers
/// 409.
pub async fn append_members(
    State(state): State<AppState>,
    session: Session,
    Path(plan): Path<String>,
    Body(request): Body<AppendMembership>,
) -> Result<StatusCode, ApiError> {
    let row = own_plan(&state, &session, &plan, "add members").await?;
    if request.entries.is_empty() || request.entries.len() > MAX_APPENDED_ENTRIES {
        return Err(ApiError::BadRequest("membership entries"));
    }
    let account = &session.row.account;
    let signing = signing_key(&state, account).await?;
    let plan_id = parse_id(&plan).ok_or(ApiError::NotFound)?;
    let stored = state.db.membership(&plan).await?;
    if stored.len() != request.after as usize {
        return Err(ApiError::LogMoved);
    }
    if stored.len() + request.entries.len() > LOG_MAX_ENTRIES {
        return Err(ApiError::BadRequest("membership log full"));
    }
    let mut log = Membership::verify(&signing, &plan_id, &stored)
        .map_err(|_| ApiError::BadRequest("stored membership log"))?;
    let refused = ApiError::BadRequest("membership entry");
    let mut suggestions = Vec::new();
    let mut epochs = Vec::new();
    for entry in &request.entries {
        let entry = entry.as_slice();
        if log.append(&plan_id, entry).is_err() {
            return Err(refused);
        }
        let allowed = match read_op(entry) {
            Some(Op::AddMember {
                signing: who,
                receiving,
                ..
            }) => {
                // The person, or an account on this server with exactly these keys.
                who == signing
                    || state
                        .db
                        .account_by_signing_key(&who)
                        .await?
                        .is_some_and(|(_, theirs)| theirs == receiving)
            }
            Some(Op::AddPhone {
                member,
                phone,
                range_start,
            }) => {
                // One of the person's phones, or of a member's (their account here), with
                // the range the server holds for it.
                let owner = if member == signing {
                    Some(account.to_owned())
                } else {
                    state
                        .db
                        .account_by_signing_key(&member)
                        .await?
                        .map(|(id, _)| id)
                };
                match owner {
                    Some(owner) => {
                        state.db.phone_range(&owner, &id_text(&phone)).await?
                            == Some(i64::from(range_start))
                    }
                    None => false,
                }
            }
            // The log itself refuses a change or removal of anyone not a member.
            Some(Op::ChangeRights { .. } | Op::Remove { .. }) => true,
            // The log refuses one for anyone who may not suggest to that section.
            Some(Op::AddSuggestions {
                member,
                document,
                section,
            }) => match state.db.account_by_signing_key(&member).await? {
                Some((suggester, _)) => {
                    suggestions.push(NewSuggestions {
                        document: id_text(&document),
                        kind: i64::from(section.suggestions_code()),
                        suggester,
                    });
                    true
                }
                None => false,
            },
            // A section's next key epoch (its keys come in the same request, checked
            // below); a suggestions document's epoch stays where it is.
            Some(Op::StartEpoch {
                document, epoch, ..
            }) => {
                let id = id_text(&document);
                let section = row
                    .documents
                    .iter()
                    .find(|(d, _)| *d == id)
                    .and_then(|(_, kind)| u8::try_from(*kind).ok())
                    .and_then(SectionKind::from_code);
                match section {
                    Some(kind) => {
                        epochs.push((document, kind, epoch));
                        true
                    }
                    None => false,
                }
            }
            _ => false,
        };
        if !allowed {
            return Err(refused);
        }
    }
    let keys = epoch_keys(&request.keys, &epochs, &log, &plan_id, &signing)?;
    // Who may reach the plan from now on: every member but the person, as the log says.
    let mut members = Vec::new();
    for (key, member) in log.members.iter().filter(|(key, _)| **key != signing) {
        let Some((account, _)) = state.db.account_by_signing_key(key).await? else {
            continue;
        };
        let mut rights = [0u8; 5];
        for (kind, right) in SectionKind::ALL.into_iter().zip(member.rights) {
            let at = usize::from(kind.code()) - 1;
            rights[at] = if member.removed { 0 } else { right as u8 };
        }
        members.push((account, rights.to_vec()));
    }
    let entries: Vec<&[u8]> = request.entries.iter().map(Blob::as_slice).collect();
    let epochs: Vec<(String, i64)> = epochs
        .iter()
        .map(|(document, _, epoch)| (id_text(document), i64::from(*epoch)))
        .collect();
    let key_documents: Vec<String> = keys.iter().map(|k| id_text(&k.address.document)).collect();
    let new_keys: Vec<NewKeyEnvelope<'_>> = keys
        .iter()
        .zip(&key_documents)
        .map(|(envelope, document)| NewKeyEnvelope {
            document,
            epoch: i64::from(envelope.address.epoch),
            recipient: &envelope.recipient,
            body: envelope.bytes(),
        })
        .collect();
    let appending = Appending {
        after: i64::from(request.after),
        entries: &entries,
        members: &members,
        suggestions: &suggestions,
        epochs: &epochs,
        keys: &new_keys,
    };
    match state.db.append_membership(&plan, &appending).await? {
        Appended::Stored => {
            // Waits parked on the plan's documents (on every process) check their rights
            // again at once: a member removed, or whose read was taken, is answered now.
            for (document, _) in &row.documents {
                state.news.grown(document);
            }
            Ok(StatusCode::NO_CONTENT)
        }
        Appended::Moved => Err(ApiError::LogMoved),
        Appended::Taken => Err(ApiError::BadRequest("suggestions document")),
    }
}

/// The key envelopes of the epochs an append starts (`epochs`: document, section,
/// epoch), checked against the log as it stands after the append: each signed by the
/// owner, for this plan and a started document at its new epoch, and together exactly
/// one for every reader of that section (the owner first) and no one else, so that no
/// remaining reader is left without the key and no one removed is given it.
fn epoch_keys<'a>(
    blobs: &'a [Blob<{ coplan_domain::key_envelope::KEY_ENVELOPE_BYTES }>],
    epochs: &[([u8; 16], SectionKind, u32)],
    log: &Membership,
    plan: &[u8; 16],
    signing: &[u8; 32],
) -> Result<Vec<KeyEnvelope<'a>>, ApiError> {
    let refused = || ApiError::BadRequest("key envelope");
    if blobs.len() > MAX_KEY_ENVELOPES {
        return Err(refused());
    }
    let mut keys = Vec::with_capacity(blobs.len());
    for blob in blobs {
        let envelope = read_key(blob).ok_or_else(refused)?;
        let started = epochs.iter().any(|(document, _, epoch)| {
            envelope.address.document == *document && envelope.address.epoch == *epoch
        });
        if envelope.address.plan != *plan || !started || !envelope.signed_by(signing) {
            return Err(refused());
        }
        keys.push(envelope);
    }
    for (document, kind, epoch) in epochs {
        let mut sent: Vec<[u8; 32]> = keys
            .iter()
            .filter(|k| k.address.document == *document && k.address.epoch == *epoch)
            .map(|k| k.recipient)
            .collect();
        let mut readers = log.readers(*kind);
        sent.sort_unstable();
        readers.sort_unstable();
        if sent != readers {
            return Err(refused());
        }
    }
    Ok(keys)
}

/// The account's plans, for a phone that has just signed in (and each round after), with
/// how many members of each the person should remove (they left, or were turned off).
pub async fn plans(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Plans>, ApiError> {
    let plans = state.db.plans(&session.row.account).await?;
    let to_remove = state.db.members_to_remove(&session.row.account).await?;
    Ok(Json(Plans {
        plans: plans
            .iter()
            .map(|row| AttachedPlan {
                to_remove: to_remove
                    .iter()
                    .find(|(plan, _)| *plan == row.id)
                    .map_or(0, |(_, n)| u32::try_from(*n).unwrap_or(u32::MAX)),
                ..attached(row)
            })
            .collect(),
    }))
}

/// `GET /api/v1/plans/{plan}`: one plan's documents, for its owner or a member (the
/// joining phone, once let in, learns them here). Anyone else gets the same 404 as for no
/// plan at all.
pub async fn plan(
    State(state): State<AppState>,
    session: Session,
    Path(plan): Path<String>,
) -> Result<Json<AttachedPlan>, ApiError> {
    reach_plan(&state, &session, &plan, "read a plan").await?;
    let row = state.db.plan(&plan).await?.ok_or(ApiError::NotFound)?;
    Ok(Json(attached(&row)))
}

/// `GET /api/v1/plans/{plan}/access`: what other accounts did with the plan, as the audit
/// trail holds it (for the owner's phone to put in words): whose phone received a
/// document's changes, sent changes to one, or fetched the plan's keys; newest first.
/// Anyone but the owner gets the same 404 as for no plan.
pub async fn access(
    State(state): State<AppState>,
    session: Session,
    Path(plan): Path<String>,
) -> Result<Json<AccessLog>, ApiError> {
    own_plan(&state, &session, &plan, "read the access log").await?;
    let entries = state
        .db
        .access(&plan, &session.row.account, ACCESS_MAX_ENTRIES as i64)
        .await?
        .into_iter()
        .filter_map(|row| {
            Some(Access {
                at_ms: u64::try_from(row.at_ms).ok()?,
                who: coplan_domain::wire::Bytes(row.signing.try_into().ok()?),
                action: row.action,
                target: row.target,
            })
        })
        .collect();
    Ok(Json(AccessLog { entries }))
}

/// `GET /api/v1/plans/{plan}/people`: the usernames of the plan's members, for its owner.
pub async fn people(
    State(state): State<AppState>,
    session: Session,
    Path(plan): Path<String>,
) -> Result<Json<People>, ApiError> {
    own_plan(&state, &session, &plan, "read who can see a plan").await?;
    let people = state
        .db
        .members(&plan)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(Someone {
                signing: coplan_domain::wire::Bytes(m.signing.try_into().ok()?),
                username: m.username,
                disabled: m.disabled,
                left: m.left,
            })
        })
        .collect();
    Ok(Json(People { people }))
}

/// `DELETE /api/v1/plans/{plan}/membership`: a member leaves the plan on their own. From
/// this request on the server refuses them everything in it (waits they parked are
/// answered at once); the person's phone is told (Who can see your plan, the access log)
/// and removes them from the log, which starts new keys. The plan's owner is answered
/// 409 `own_plan`; anyone else who is not a member, the same 404 as for no plan.
pub async fn leave(
    State(state): State<AppState>,
    session: Session,
    Path(plan): Path<String>,
) -> Result<StatusCode, ApiError> {
    let account = &session.row.account;
    if state.db.plans(account).await?.iter().any(|p| p.id == plan) {
        audit(&state, &session, "leave a plan", &plan, false).await?;
        return Err(ApiError::OwnPlan);
    }
    let left = state
        .db
        .leave_plan(&plan, account, state.clock.now_ms())
        .await?;
    // Allowed, it reads "left" in the person's access log.
    audit(&state, &session, "left", &plan, left).await?;
    if !left {
        return Err(ApiError::NotFound);
    }
    // Waits parked on the plan's documents (on every process) check rights again now.
    if let Some(row) = state.db.plan(&plan).await? {
        for (document, _) in &row.documents {
            state.news.grown(document);
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn audit(
    state: &AppState,
    session: &Session,
    action: &str,
    target: &str,
    allowed: bool,
) -> Result<(), ApiError> {
    state
        .db
        .audit(&AuditEntry {
            at_ms: state.clock.now_ms(),
            account: Some(&session.row.account),
            phone: Some(&session.row.phone),
            action,
            target,
            allowed,
        })
        .await?;
    Ok(())
}

/// Pushes and pulls for every document the request names that this phone may reach.
pub async fn sync(
    State(state): State<AppState>,
    session: Session,
    body: Bytes,
) -> Result<Response, ApiError> {
    let requests = read_sync_body(&body)?;
    let device = parse_id(&session.row.phone).ok_or(ApiError::SignInNeeded)?;
    let signing: [u8; 32] = state
        .db
        .signing_key(&session.row.account)
        .await?
        .and_then(|key| key.try_into().ok())
        .ok_or(ApiError::SignInNeeded)?;
    let allowed = reachable(&state, &session, requests, "sync").await?;
    let range_start = u32::try_from(session.row.range_start).map_err(|_| ApiError::SignInNeeded)?;
    let who = Syncer {
        device,
        signing,
        range_start,
    };
    let answers = answer(&state.db, &who, &allowed, state.clock.now_ms()).await?;
    for response in &answers {
        let document = id_text(&response.document);
        let stored = response
            .pushed
            .iter()
            .any(|p| matches!(p, coplan_domain::sync::PushAnswer::Stored { .. }));
        if stored {
            state.news.grown(&document);
            // For the person's access log: this phone's changes reached the document.
            audit(&state, &session, "sent", &document, true).await?;
        }
        // And others' changes to the document reached this phone (its own coming back
        // with them are not news to it).
        let others = response.pulled.iter().any(|pulled| {
            coplan_domain::envelope::Envelope::read(&pulled.envelope)
                .is_ok_and(|e| e.header.device != device)
        });
        if others {
            audit(&state, &session, "received", &document, true).await?;
        }
    }
    Ok(binary(write_response(&answers)))
}

/// A phone found that the snapshot numbered `seq` does not cover what it claims, or could
/// not open it (issue 13): the server never makes it a base. A document the phone may not
/// reach answers as one without such a snapshot.
pub async fn report_snapshot(
    State(state): State<AppState>,
    session: Session,
    Path((document, seq)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = parse_id(&document).ok_or(ApiError::NotFound)?;
    let seq: i64 = seq
        .parse()
        .ok()
        .filter(|seq| *seq > 0)
        .ok_or(ApiError::BadRequest(
            "a log number is a whole number from 1",
        ))?;
    let asked = vec![coplan_domain::sync::DocumentRequest {
        document: id,
        after: 0,
        push: Vec::new(),
    }];
    if reachable(&state, &session, asked, "report snapshot")
        .await?
        .is_empty()
    {
        return Err(ApiError::NotFound);
    }
    if state.db.report(&id_text(&id), seq).await? {
        tracing::warn!(seq, "a phone reported a snapshot");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// The longest a phone may park a wait, in seconds: under the idle timeouts of common
/// proxies and mobile networks.
pub const MOST_WAIT_SECONDS: u64 = 25;

#[derive(serde::Deserialize)]
pub struct WaitFor {
    /// How long to wait at most, in seconds (up to [`MOST_WAIT_SECONDS`]).
    seconds: u64,
}

/// The long-poll: for the documents and cursors of a sync request with nothing to push,
/// answers as soon as any of them has a head other than the phone's cursor (grown, or a
/// log restored), or when the wait runs out, with each reachable document's head and
/// nothing pulled; the phone then syncs. Each time a wait ends, the session and the
/// phone's rights are checked again, so a phone signed out is not answered with news,
/// and a member removed (or who lost read) while parked is answered at once, without the
/// documents they can no longer reach (a change to the membership log wakes every wait
/// on the plan's documents).
pub async fn wait(
    State(state): State<AppState>,
    session: Session,
    axum::extract::Query(wait): axum::extract::Query<WaitFor>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let requests = read_sync_body(&body)?;
    if requests.iter().any(|r| !r.push.is_empty()) {
        return Err(ApiError::BadRequest("a wait pushes nothing"));
    }
    let limit = std::time::Duration::from_secs(wait.seconds.min(MOST_WAIT_SECONDS));
    let until = tokio::time::Instant::now() + limit;
    // The documents' words, and the word that this phone was signed out.
    let documents: Vec<String> = requests
        .iter()
        .map(|r| id_text(&r.document))
        .chain([crate::news::News::phone_word(&session.row.phone)])
        .collect();
    // Listening starts before the first read of the heads: nothing is missed between.
    let mut listener = state.news.listen();
    let mut requests = requests;
    let mut reached = None;
    loop {
        requests = reachable(&state, &session, requests, "wait").await?;
        let heads = crate::sync::heads(&state.db, &requests).await?;
        // A document that stopped being reachable while the wait was parked (the member
        // was removed, or lost read) is news too: the phone hears at once, by its absence
        // from the answer. One never reachable is only left out, as a sync leaves it.
        let lost = reached.is_some_and(|before| requests.len() < before);
        reached = Some(requests.len());
        let news = lost
            || heads
                .iter()
                .zip(&requests)
                .any(|(head, request)| head.head != request.after);
        let left = until.saturating_duration_since(tokio::time::Instant::now());
        if news || left.is_zero() {
            return Ok(binary(write_response(&heads)));
        }
        if listener.wait(&documents, left).await == crate::news::Woken::Closing {
            return Ok(binary(write_response(&heads)));
        }
        // Still signed in? (Another phone may have signed this one out while it waited,
        // or the service turned the account off.)
        let still = state
            .db
            .session(
                &session.token_hash,
                state.clock.now_ms(),
                auth::SESSION_LIMITS,
            )
            .await?
            .ok_or(ApiError::SignInNeeded)?;
        if still.disabled {
            return Err(ApiError::AccountDisabled);
        }
    }
}

fn read_sync_body(body: &[u8]) -> Result<Vec<coplan_domain::sync::DocumentRequest>, ApiError> {
    read_request(body).map_err(|e| match e {
        SyncWireError::TooLarge => ApiError::BodyTooLarge,
        SyncWireError::Damaged | SyncWireError::NewerVersion { .. } => {
            ApiError::BadRequest("sync body")
        }
    })
}

/// The requests for documents this phone may reach, each decision audited.
async fn reachable(
    state: &AppState,
    session: &Session,
    requests: Vec<coplan_domain::sync::DocumentRequest>,
    action: &str,
) -> Result<Vec<coplan_domain::sync::DocumentRequest>, ApiError> {
    let mut allowed = Vec::with_capacity(requests.len());
    for request in requests {
        let document = id_text(&request.document);
        // Pulling needs read; pushing, edit (suggestions come with their own documents).
        let need = if request.push.is_empty() {
            Right::Read
        } else {
            Right::Edit
        };
        let may = state
            .db
            .may_sync(&session.row.account, &document, need)
            .await?;
        audit(state, session, action, &document, may).await?;
        if may {
            allowed.push(request);
        }
    }
    Ok(allowed)
}

fn binary(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
}
