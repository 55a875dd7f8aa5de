//! Invites in the room (SHARING decision 5; the exchange is `coplan_domain::invite`).
//! The person's phone opens an invite under an id it drew; the joining phone redeems it
//! with a commitment and a proof; each sends a nonce in turn; each reads the exchange so
//! far. The server sees only the id (kept hashed), carries the rest, and lets exactly
//! one redemption through. Nobody but the plan's owner and the account that redeemed an
//! invite can read it, and an unknown, expired or someone else's invite answers the same
//! 404. Every decision is audited.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use coplan_domain::invite::InviteId;
use coplan_domain::wire::{
    Bytes, INVITE_LIFETIME_MS, InviteNonce, InviteOpened, InviteState, Joiner, MAX_OPEN_INVITES,
    NewInvite, Redemption,
};
use sha2::{Digest, Sha256};

use super::sync::{audit, own_plan, signing_key};
use super::v1::{Address, Body};
use crate::auth::{self, Limit, Session};
use crate::error::ApiError;
use crate::router::AppState;
use crate::storage::Store as _;
use crate::storage::invites::{
    InviteRow, InviteStore as _, JoinerRow, NewRedemption, OpenInvite, Opened,
};

/// How an invite id is kept: hashed with this server's id, so a copy of the table says
/// nothing about another server's invites.
fn id_hash(state: &AppState, id: &str) -> Result<[u8; 32], ApiError> {
    let id = InviteId::parse(id).ok_or(ApiError::NotFound)?;
    let mut hash = Sha256::new();
    hash.update(b"coplan/invite-id/1\0");
    hash.update(state.instance_id.as_bytes());
    hash.update(b"\0");
    hash.update(id.to_text().as_bytes());
    Ok(hash.finalize().into())
}

/// What the audit trail names an invite by: the start of its hash, never its id.
fn audit_target(hash: &[u8; 32]) -> String {
    let hex: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("invite:{hex}")
}

/// `POST /api/v1/plans/{plan}/invites`: the plan's owner opens an invite.
pub async fn open(
    State(state): State<AppState>,
    session: Session,
    Path(plan): Path<String>,
    Body(request): Body<NewInvite>,
) -> Result<(StatusCode, Json<InviteOpened>), ApiError> {
    own_plan(&state, &session, &plan, "open an invite").await?;
    let id = InviteId::parse(&request.id).ok_or(ApiError::BadRequest("invite id"))?;
    let hash = id_hash(&state, &id.to_text())?;
    let now_ms = state.clock.now_ms();
    let expires_ms = now_ms + INVITE_LIFETIME_MS;
    let opened = state
        .db
        .open_invite(&OpenInvite {
            id_hash: &hash,
            plan: &plan,
            now_ms,
            expires_ms,
            most_open: MAX_OPEN_INVITES as i64,
        })
        .await?;
    match opened {
        Opened::Opened => Ok((StatusCode::CREATED, Json(InviteOpened { expires_ms }))),
        Opened::Taken => Err(ApiError::InviteTaken),
        Opened::TooMany => Err(ApiError::TooManyInvites),
    }
}

/// `POST /api/v1/invites/{id}/redemption`: a signed-in account redeems an invite, once.
pub async fn redeem(
    State(state): State<AppState>,
    session: Session,
    Address(address): Address,
    Path(id): Path<String>,
    Body(request): Body<Redemption>,
) -> Result<StatusCode, ApiError> {
    auth::limit(&state, address, &[Limit::InviteByAddress]).await?;
    // Someone else's plan is reached only through an account with a second factor.
    if state
        .db
        .second_factor(&session.row.account)
        .await?
        .is_none()
    {
        return Err(ApiError::SecondFactorRequired);
    }
    let hash = id_hash(&state, &id)?;
    // An invite someone else already redeemed says so plainly (nothing more can be done
    // with it); only tries at a live one count against its id.
    // The same redemption again (its answer lost on the way) is no change.
    let mine = |row: &InviteRow| {
        row.joiner.as_ref().is_some_and(|j| {
            j.account == session.row.account
                && j.commitment == request.commitment.0
                && j.proof == request.proof.0
                && j.scanned == request.scanned
        })
    };
    let used = |row: &InviteRow| row.joiner.is_some() && !mine(row);
    let now_ms = state.clock.now_ms();
    match state.db.invite(&hash, now_ms).await? {
        Some(row) if mine(&row) => return Ok(StatusCode::NO_CONTENT),
        Some(row) if used(&row) => {
            audit(
                &state,
                &session,
                "redeem an invite",
                &audit_target(&hash),
                false,
            )
            .await?;
            return Err(ApiError::InviteUsed);
        }
        _ => {}
    }
    auth::limit(&state, address, &[Limit::InviteById(&id)]).await?;
    let redeemed = state
        .db
        .redeem_invite(&NewRedemption {
            id_hash: &hash,
            joiner: &session.row.account,
            phone: &session.row.phone,
            commitment: &request.commitment.0,
            proof: &request.proof.0,
            scanned: request.scanned,
            now_ms,
        })
        .await?;
    audit(
        &state,
        &session,
        "redeem an invite",
        &audit_target(&hash),
        redeemed,
    )
    .await?;
    if redeemed {
        return Ok(StatusCode::NO_CONTENT);
    }
    // Another redemption won the race: the invite is used, unless it is unknown or over.
    match state.db.invite(&hash, now_ms).await? {
        Some(row) if mine(&row) => Ok(StatusCode::NO_CONTENT),
        Some(row) if used(&row) => Err(ApiError::InviteUsed),
        _ => Err(ApiError::NotFound),
    }
}

/// The live invite `id` of `plan`, for its owner: its hash and its row.
async fn owners_invite(
    state: &AppState,
    session: &Session,
    plan: &str,
    id: &str,
    action: &str,
) -> Result<([u8; 32], InviteRow), ApiError> {
    own_plan(state, session, plan, action).await?;
    let hash = id_hash(state, id)?;
    let found = state.db.invite(&hash, state.clock.now_ms()).await?;
    match found {
        Some(row) if row.plan == plan => Ok((hash, row)),
        _ => Err(ApiError::NotFound),
    }
}

/// `GET /api/v1/plans/{plan}/invites/{id}`: the exchange so far, for the plan's owner.
pub async fn for_person(
    State(state): State<AppState>,
    session: Session,
    Path((plan, id)): Path<(String, String)>,
) -> Result<Json<InviteState>, ApiError> {
    let (_, row) = owners_invite(&state, &session, &plan, &id, "read an invite").await?;
    Ok(Json(state_of(&state, row).await?))
}

/// `GET /api/v1/invites/{id}`: the exchange so far, for the account that redeemed it.
pub async fn for_joiner(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<InviteState>, ApiError> {
    let hash = id_hash(&state, &id)?;
    let row = state
        .db
        .invite(&hash, state.clock.now_ms())
        .await?
        .filter(|row| {
            row.joiner
                .as_ref()
                .is_some_and(|j| j.account == session.row.account)
        })
        .ok_or(ApiError::NotFound)?;
    Ok(Json(state_of(&state, row).await?))
}

async fn state_of(state: &AppState, row: InviteRow) -> Result<InviteState, ApiError> {
    let signing = signing_key(state, &row.owner).await?;
    let receiving: [u8; 32] = state
        .db
        .receiving_key(&row.owner)
        .await?
        .and_then(|key| key.try_into().ok())
        .ok_or(ApiError::NotFound)?;
    let bytes = |v: Vec<u8>| v.try_into().ok().map(Bytes);
    let joiner = match row.joiner {
        // The phone that redeemed it signed out since: the invite cannot go on.
        Some(JoinerRow { phone: None, .. }) => return Err(ApiError::NotFound),
        Some(j) => Some(Joiner {
            username: j.username,
            phone: j
                .phone
                .as_ref()
                .map(|(id, _)| id.clone())
                .unwrap_or_default(),
            range_start: j
                .phone
                .as_ref()
                .and_then(|(_, start)| u32::try_from(*start).ok())
                .ok_or(ApiError::NotFound)?,
            signing: bytes(j.signing).ok_or(ApiError::NotFound)?,
            receiving: bytes(j.receiving).ok_or(ApiError::NotFound)?,
            commitment: bytes(j.commitment).ok_or(ApiError::NotFound)?,
            proof: bytes(j.proof).ok_or(ApiError::NotFound)?,
            scanned: j.scanned,
        }),
        None => None,
    };
    Ok(InviteState {
        plan: row.plan,
        expires_ms: row.expires_ms,
        signing: Bytes(signing),
        receiving: Bytes(receiving),
        joiner,
        person_nonce: row.person_nonce.and_then(bytes),
        joiner_nonce: row.joiner_nonce.and_then(bytes),
    })
}

/// `POST /api/v1/plans/{plan}/invites/{id}/nonce`: the owner's nonce, after a redemption.
pub async fn person_nonce(
    State(state): State<AppState>,
    session: Session,
    Path((plan, id)): Path<(String, String)>,
    Body(request): Body<InviteNonce>,
) -> Result<StatusCode, ApiError> {
    let (hash, _) = owners_invite(&state, &session, &plan, &id, "answer an invite").await?;
    let stored = state
        .db
        .person_nonce(&hash, &plan, &request.nonce.0, state.clock.now_ms())
        .await?;
    if stored {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// `POST /api/v1/invites/{id}/nonce`: the joiner's nonce, after the owner's.
pub async fn joiner_nonce(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    Body(request): Body<InviteNonce>,
) -> Result<StatusCode, ApiError> {
    let hash = id_hash(&state, &id)?;
    let stored = state
        .db
        .joiner_nonce(
            &hash,
            &session.row.account,
            &request.nonce.0,
            state.clock.now_ms(),
        )
        .await?;
    audit(
        &state,
        &session,
        "reveal to an invite",
        &audit_target(&hash),
        stored,
    )
    .await?;
    if stored {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// `DELETE /api/v1/plans/{plan}/invites/{id}`: the owner ends an invite (accepted,
/// declined or withdrawn).
pub async fn close(
    State(state): State<AppState>,
    session: Session,
    Path((plan, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    own_plan(&state, &session, &plan, "end an invite").await?;
    let hash = id_hash(&state, &id)?;
    if state.db.close_invite(&hash, &plan).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
