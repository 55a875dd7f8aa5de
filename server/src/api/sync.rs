//! `/api/v1/plans` and `/api/v1/sync`: attaching the plan on a phone to the account, and
//! the one request that pushes and pulls every document (SHARING decisions 2 and 6).
//! Who may reach a document is decided here, on every request, and written to the audit
//! trail; a document the phone may not reach answers exactly as one that does not exist.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use coplan_domain::plan::SectionKind;
use coplan_domain::sync::wire::{SyncWireError, read_request, write_response};
use coplan_domain::wire::{AttachPlan, AttachedPlan, PlanDocument, Plans};

use crate::api::v1::Body;
use crate::auth::{self, Session};
use crate::error::ApiError;
use crate::router::AppState;
use crate::storage::{AuditEntry, NewPlan, Store};
use crate::sync::{Syncer, id_text, sync as answer};

fn parse_id(text: &str) -> Option<[u8; 16]> {
    if text.len() != 32 {
        return None;
    }
    let mut id = [0u8; 16];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(id)
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
    }
}

/// Attaches a plan to the account: the server gives it a new id (so a copy imported on
/// another phone never collides with the original) and a document per section.
pub async fn attach_plan(
    State(state): State<AppState>,
    session: Session,
    Body(request): Body<AttachPlan>,
) -> Result<Response, ApiError> {
    let account = &session.row.account;
    let request_id = id_text(&request.request.0);
    let id = auth::random_id();
    let documents: Vec<(String, i64)> = SectionKind::ALL
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

/// The account's plans, for a phone that has just signed in.
pub async fn plans(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Plans>, ApiError> {
    let plans = state.db.plans(&session.row.account).await?;
    Ok(Json(Plans {
        plans: plans.iter().map(attached).collect(),
    }))
}

async fn audit(
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
    let requests = read_request(&body).map_err(|e| match e {
        SyncWireError::TooLarge => ApiError::BodyTooLarge,
        SyncWireError::Damaged | SyncWireError::NewerVersion { .. } => {
            ApiError::BadRequest("sync body")
        }
    })?;
    let device = parse_id(&session.row.phone).ok_or(ApiError::SignInNeeded)?;
    let signing: [u8; 32] = state
        .db
        .signing_key(&session.row.account)
        .await?
        .and_then(|key| key.try_into().ok())
        .ok_or(ApiError::SignInNeeded)?;
    let mut allowed = Vec::with_capacity(requests.len());
    for request in requests {
        let document = id_text(&request.document);
        let may = state.db.may_sync(&session.row.account, &document).await?;
        audit(&state, &session, "sync", &document, may).await?;
        if may {
            allowed.push(request);
        }
    }
    let range_start = u32::try_from(session.row.range_start).map_err(|_| ApiError::SignInNeeded)?;
    let who = Syncer {
        device,
        signing,
        range_start,
    };
    let answers = answer(&state.db, &who, &allowed, state.clock.now_ms()).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream")],
        write_response(&answers),
    )
        .into_response())
}
