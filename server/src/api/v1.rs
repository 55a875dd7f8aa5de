//! `/api/v1`: accounts, sessions and phones so far (docs/accounts.md). Every request and
//! answer is a type from `coplan_domain::wire`, so the phone and the server read the same
//! format; every request that changes something passes [`auth::same_site_only`].

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router, middleware};
use coplan_domain::account::{StretchCost, Username};
use coplan_domain::totp;
use coplan_domain::wire::{
    self, Account, AccountKeys, Blob, Bytes, Cost, CostAsk, NewPassphrase, NewSecondFactor, Phone,
    ServerInfo, SignIn, SignUp, SignedIn,
};

use crate::auth::{self, Limit, Purpose, Session};
use crate::error::ApiError;
use crate::router::AppState;
use crate::storage::{Created, NewAccount, NewSecrets, NewSession, Store};

/// The cost new accounts are stretched with: 46 MiB and 2 passes, more than OWASP's
/// minimum (19 MiB, 2 passes) in memory, where guessing costs most. Measured by `cargo
/// xtask bench` on the page at 4× CPU: 288 ms at the minimum, so about 0.7 s here, well
/// within the 3 s a sign-in may take on a cheap phone.
pub const ACCOUNT_COST: StretchCost = StretchCost {
    memory_kib: 46 * 1024,
    passes: 2,
};

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(super::openapi::description))
        .route("/server", get(server_info))
        .route("/accounts", post(sign_up))
        .route("/sign-in/cost", post(sign_in_cost))
        .route("/sessions", post(sign_in))
        .route("/sessions/recovery", post(recover))
        .route("/sessions/current", delete(sign_out))
        .route("/account", get(account))
        .route("/account/passphrase", put(new_passphrase))
        .route(
            "/account/second-factor",
            put(set_second_factor).delete(remove_second_factor),
        )
        .route("/account/export", get(export))
        .route("/account", delete(delete_account))
        .route("/phones/{id}", delete(remove_phone))
        .route(
            "/plans",
            post(super::sync::attach_plan).get(super::sync::plans),
        )
        .route("/plans/{plan}", get(super::sync::plan))
        .route("/plans/{plan}/people", get(super::sync::people))
        .route("/plans/{plan}/access", get(super::sync::access))
        .route("/plans/{plan}/membership", delete(super::sync::leave))
        .route(
            "/plans/{plan}/keys",
            put(super::sync::put_keys).get(super::sync::get_keys),
        )
        .route(
            "/plans/{plan}/members",
            get(super::sync::get_members).post(super::sync::append_members),
        )
        .route("/plans/{plan}/invites", post(super::invites::open))
        .route(
            "/plans/{plan}/invites/{id}",
            get(super::invites::for_person).delete(super::invites::close),
        )
        .route(
            "/plans/{plan}/invites/{id}/nonce",
            post(super::invites::person_nonce),
        )
        .route("/invites/{id}", get(super::invites::for_joiner))
        .route("/invites/{id}/redemption", post(super::invites::redeem))
        .route("/invites/{id}/nonce", post(super::invites::joiner_nonce))
        .route(
            "/sync",
            post(super::sync::sync).layer(axum::extract::DefaultBodyLimit::max(
                coplan_domain::limits::SYNC_BODY_MAX_BYTES,
            )),
        )
        .route(
            "/documents/{document}/reports/{seq}",
            post(super::sync::report_snapshot),
        )
        .route(
            "/sync/wait",
            post(super::sync::wait).layer(axum::extract::DefaultBodyLimit::max(
                coplan_domain::limits::SYNC_BODY_MAX_BYTES,
            )),
        )
        .layer(middleware::from_fn_with_state(state, auth::same_site_only))
}

/// A JSON body, refused as 400 `bad_request` (in the API's own error shape) when it is
/// not the expected type.
pub struct Body<T>(pub T);

impl<T, S> FromRequest<S> for Body<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::BytesRejection(_)) => Err(ApiError::BodyTooLarge),
            Err(_) => Err(ApiError::BadRequest("body")),
        }
    }
}

/// Where the request came from, for the limits on guessing.
pub struct Address(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for Address {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Self(auth::client_address(parts, state.trusted_proxy)))
    }
}

async fn server_info(State(state): State<AppState>) -> Json<ServerInfo> {
    Json(ServerInfo {
        server_id: state.instance_id.to_string(),
        api: wire::API_VERSION,
        cost: ACCOUNT_COST.into(),
    })
}

/// The username as the phone must send it: already in its normal form (the phone
/// stretched the passphrase with a salt made from that form).
fn username(typed: &str) -> Result<Username, ApiError> {
    Username::parse(typed)
        .ok()
        .filter(|name| name.as_str() == typed)
        .ok_or(ApiError::BadRequest("username"))
}

fn cost(cost: Cost) -> Result<(i64, i64), ApiError> {
    let cost = cost.checked().ok_or(ApiError::BadRequest("cost"))?;
    Ok((i64::from(cost.memory_kib), i64::from(cost.passes)))
}

fn range_start(start: u32) -> Result<i64, ApiError> {
    wire::range_start_ok(start)
        .then_some(i64::from(start))
        .ok_or(ApiError::BadRequest("range_start"))
}

/// A store error, with a phone's range already held said as such.
fn range_taken(error: crate::storage::StoreError) -> ApiError {
    if error.is_unique_violation() {
        ApiError::RangeTaken
    } else {
        ApiError::DatabaseUnavailable(error)
    }
}

fn phone_name(typed: &str) -> Result<String, ApiError> {
    wire::phone_name(typed).ok_or(ApiError::BadRequest("phone_name"))
}

/// A signed-in answer with its session cookie.
fn signed_in(status: StatusCode, cookie: axum::http::HeaderValue, body: SignedIn) -> Response {
    (status, [(header::SET_COOKIE, cookie)], Json(body)).into_response()
}

fn bytes32(stored: &[u8]) -> Result<Bytes<32>, ApiError> {
    let array: [u8; 32] = stored
        .try_into()
        .map_err(|_| ApiError::BadRequest("stored key"))?;
    Ok(Bytes(array))
}

fn blob(stored: Vec<u8>) -> Result<Blob<{ wire::MAX_WRAPPED_KEYS }>, ApiError> {
    Blob::new(stored).ok_or(ApiError::BadRequest("stored keys"))
}

async fn sign_up(
    State(state): State<AppState>,
    Address(address): Address,
    Body(request): Body<SignUp>,
) -> Result<Response, ApiError> {
    let name = username(&request.username)?;
    let cost = cost(request.cost)?;
    let phone_name = phone_name(&request.phone_name)?;
    let range_start = range_start(request.range_start)?;
    auth::limit(&state, address, &[Limit::SignUpByAddress]).await?;

    let account = auth::random_id();
    let phone = auth::random_id();
    let (token, cookie) = auth::new_session();
    let verifier_hash = auth::verifier_hash(Purpose::Passphrase, &account, &request.verifier.0);
    let recovery_hash =
        auth::verifier_hash(Purpose::Recovery, &account, &request.recovery.verifier.0);
    let created = state
        .db
        .create_account(&NewAccount {
            id: &account,
            username: name.as_str(),
            verifier_hash: &verifier_hash,
            cost,
            signing_key: &request.keys.signing.0,
            receiving_key: &request.keys.receiving.0,
            wrapped_keys: request.keys.wrapped.as_slice(),
            recovery_hash: &recovery_hash,
            recovery_wrapped_keys: request.recovery.wrapped.as_slice(),
            session: NewSession {
                phone_id: &phone,
                phone_name: &phone_name,
                range_start,
                token_hash: &auth::token_hash(&token),
                now_ms: state.clock.now_ms(),
            },
        })
        .await?;
    if created == Created::NameTaken {
        return Err(ApiError::NameTaken);
    }
    Ok(signed_in(
        StatusCode::CREATED,
        cookie,
        SignedIn {
            account,
            phone,
            keys: request.keys,
        },
    ))
}

/// The cost to stretch this name's passphrase with: the account's own, or, for a name
/// with no account, the cost a new one would get (so the answer says nothing about
/// whether it exists while every account has today's cost).
async fn sign_in_cost(
    State(state): State<AppState>,
    Body(request): Body<CostAsk>,
) -> Result<Json<Cost>, ApiError> {
    let name = username(&request.username)?;
    let found = state.db.account_by_name(name.as_str()).await?;
    Ok(Json(match found {
        Some(account) => Cost {
            memory_kib: u32::try_from(account.cost.0).unwrap_or(u32::MAX),
            passes: u32::try_from(account.cost.1).unwrap_or(u32::MAX),
        },
        None => ACCOUNT_COST.into(),
    }))
}

async fn sign_in(
    State(state): State<AppState>,
    Address(address): Address,
    Body(request): Body<SignIn>,
) -> Result<Response, ApiError> {
    let name = username(&request.username)?;
    let phone_name = phone_name(&request.phone_name)?;
    let range_start = range_start(request.range_start)?;
    auth::limit(
        &state,
        address,
        &[Limit::SignInByName(name.as_str()), Limit::SignInByAddress],
    )
    .await?;
    let found = state.db.account_by_name(name.as_str()).await?;
    let known = found
        .as_ref()
        .map(|account| (account.id.as_str(), account.verifier_hash.as_slice()));
    if !auth::verifier_matches(Purpose::Passphrase, known, &request.verifier.0) {
        return Err(ApiError::SignInFailed);
    }
    let account = found.ok_or(ApiError::SignInFailed)?;
    // Said only to someone who knows the passphrase.
    if account.disabled {
        return Err(ApiError::AccountDisabled);
    }
    second_factor_passed(&state, &account.id, request.code.as_deref()).await?;
    let phone = auth::random_id();
    let (token, cookie) = auth::new_session();
    state
        .db
        .start_session(
            &account.id,
            &NewSession {
                phone_id: &phone,
                phone_name: &phone_name,
                range_start,
                token_hash: &auth::token_hash(&token),
                now_ms: state.clock.now_ms(),
            },
        )
        .await
        .map_err(range_taken)?;
    let keys = AccountKeys {
        signing: bytes32(&account.signing_key)?,
        receiving: bytes32(&account.receiving_key)?,
        wrapped: blob(account.wrapped_keys)?,
    };
    Ok(signed_in(
        StatusCode::OK,
        cookie,
        SignedIn {
            account: account.id,
            phone,
            keys,
        },
    ))
}

/// Sign-in with the recovery code: good once. The keys come back wrapped under the
/// recovery code; the phone then sets a new passphrase and recovery code.
async fn recover(
    State(state): State<AppState>,
    Address(address): Address,
    Body(request): Body<SignIn>,
) -> Result<Response, ApiError> {
    let name = username(&request.username)?;
    let phone_name = phone_name(&request.phone_name)?;
    let range_start = range_start(request.range_start)?;
    auth::limit(
        &state,
        address,
        &[Limit::SignInByName(name.as_str()), Limit::SignInByAddress],
    )
    .await?;
    let found = state.db.account_by_name(name.as_str()).await?;
    let known = found.as_ref().and_then(|account| {
        let (hash, _) = account.recovery.as_ref()?;
        Some((account.id.as_str(), hash.as_slice()))
    });
    if !auth::verifier_matches(Purpose::Recovery, known, &request.verifier.0) {
        return Err(ApiError::SignInFailed);
    }
    let account = found.ok_or(ApiError::SignInFailed)?;
    if account.disabled {
        return Err(ApiError::AccountDisabled);
    }
    // Asked before the recovery code is used up, so a wrong code does not cost it.
    second_factor_passed(&state, &account.id, request.code.as_deref()).await?;
    let (hash, wrapped) = account.recovery.ok_or(ApiError::SignInFailed)?;
    let phone = auth::random_id();
    let (token, cookie) = auth::new_session();
    let used = state
        .db
        .use_recovery(
            &account.id,
            &hash,
            &NewSession {
                phone_id: &phone,
                phone_name: &phone_name,
                range_start,
                token_hash: &auth::token_hash(&token),
                now_ms: state.clock.now_ms(),
            },
        )
        .await
        .map_err(range_taken)?;
    if !used {
        // Another request used it a moment ago.
        return Err(ApiError::SignInFailed);
    }
    let keys = AccountKeys {
        signing: bytes32(&account.signing_key)?,
        receiving: bytes32(&account.receiving_key)?,
        wrapped: blob(wrapped)?,
    };
    Ok(signed_in(
        StatusCode::OK,
        cookie,
        SignedIn {
            account: account.id,
            phone,
            keys,
        },
    ))
}

/// Signs this phone out: its row and sessions go, and the browser forgets the cookie.
async fn sign_out(State(state): State<AppState>, session: Session) -> Result<Response, ApiError> {
    state
        .db
        .remove_phone(&session.row.account, &session.row.phone)
        .await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::ended_session())],
    )
        .into_response())
}

async fn account(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<Account>, ApiError> {
    let (username, has_recovery) = state
        .db
        .account(&session.row.account)
        .await?
        .ok_or(ApiError::SignInNeeded)?;
    let phones = phones_of(&state, &session).await?;
    let second_factor = state
        .db
        .second_factor(&session.row.account)
        .await?
        .is_some();
    Ok(Json(Account {
        username,
        has_recovery,
        phones,
        second_factor,
    }))
}

/// The most characters a typed code may have (6 digits, and spaces an app shows).
const MAX_CODE_CHARS: usize = 16;

/// For an account with a second factor (issue 14 item 10), after its passphrase or
/// recovery code was right: the code its app shows now, for a step later than any taken
/// before, taken now. Counted with the sign-in tries, since the limit was taken first.
async fn second_factor_passed(
    state: &AppState,
    account: &str,
    code: Option<&str>,
) -> Result<(), ApiError> {
    let Some(factor) = state.db.second_factor(account).await? else {
        return Ok(());
    };
    let code = code.ok_or(ApiError::SecondFactorNeeded)?;
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(ApiError::SecondFactorWrong);
    }
    let now = totp::step_at(u64::try_from(state.clock.now_ms()).unwrap_or(0));
    let last = u64::try_from(factor.last_step).ok();
    let step = totp::check(&factor.secret, code, now, last).ok_or(ApiError::SecondFactorWrong)?;
    // Two sign-ins with one code at once: only one takes it.
    let step = i64::try_from(step).map_err(|_| ApiError::SecondFactorWrong)?;
    if !state.db.take_second_factor_step(account, step).await? {
        return Err(ApiError::SecondFactorWrong);
    }
    Ok(())
}

/// Gives the account a second factor, or a new one in place of the one it has, only from
/// a sign-in in the last 15 minutes (which asked for the old one's code, if any): a phone
/// left signed in must not let whoever holds it lock the person out of signing in and
/// recovering elsewhere. The code the app shows for the new secret proves the app took it.
async fn set_second_factor(
    State(state): State<AppState>,
    session: Session,
    Body(request): Body<NewSecondFactor>,
) -> Result<StatusCode, ApiError> {
    let account = &session.row.account;
    let now_ms = state.clock.now_ms();
    if now_ms - session.row.created_ms > auth::FRESH_SIGN_IN_MS {
        return Err(ApiError::SignInAgain);
    }
    if request.code.chars().count() > MAX_CODE_CHARS {
        return Err(ApiError::SecondFactorWrong);
    }
    let now = totp::step_at(u64::try_from(now_ms).unwrap_or(0));
    let step = totp::check(&request.secret.0, &request.code, now, None)
        .and_then(|step| i64::try_from(step).ok())
        .ok_or(ApiError::SecondFactorWrong)?;
    state
        .db
        .set_second_factor(account, &request.secret.0, step, now_ms)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes the account's second factor away: only from a sign-in in the last 15 minutes,
/// and never while the account may reach someone else's plan.
async fn remove_second_factor(
    State(state): State<AppState>,
    session: Session,
) -> Result<StatusCode, ApiError> {
    let account = &session.row.account;
    if state.clock.now_ms() - session.row.created_ms > auth::FRESH_SIGN_IN_MS {
        return Err(ApiError::SignInAgain);
    }
    if state.db.member_elsewhere(account).await? {
        return Err(ApiError::SecondFactorInUse);
    }
    state.db.remove_second_factor(account).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new passphrase, with a new recovery code: only from a sign-in in the last 15
/// minutes, so a phone left signed in cannot be used to take the account.
async fn new_passphrase(
    State(state): State<AppState>,
    Address(address): Address,
    session: Session,
    Body(request): Body<NewPassphrase>,
) -> Result<StatusCode, ApiError> {
    let cost = cost(request.cost)?;
    let account = &session.row.account;
    match &request.current {
        // The passphrase in use now, checked as a sign-in is (and counted with them).
        Some(current) => {
            let (name, _) = state
                .db
                .account(account)
                .await?
                .ok_or(ApiError::SignInNeeded)?;
            auth::limit(
                &state,
                address,
                &[Limit::SignInByName(&name), Limit::SignInByAddress],
            )
            .await?;
            let found = state.db.account_by_name(&name).await?;
            let known = found
                .as_ref()
                .filter(|row| row.id == *account)
                .map(|row| (row.id.as_str(), row.verifier_hash.as_slice()));
            if !auth::verifier_matches(Purpose::Passphrase, known, &current.0) {
                return Err(ApiError::SignInFailed);
            }
        }
        None if state.clock.now_ms() - session.row.created_ms > auth::FRESH_SIGN_IN_MS => {
            return Err(ApiError::SignInAgain);
        }
        None => {}
    }
    let verifier_hash = auth::verifier_hash(Purpose::Passphrase, account, &request.verifier.0);
    let recovery_hash =
        auth::verifier_hash(Purpose::Recovery, account, &request.recovery.verifier.0);
    state
        .db
        .set_passphrase(
            account,
            &NewSecrets {
                verifier_hash: &verifier_hash,
                cost,
                wrapped_keys: request.wrapped.as_slice(),
                recovery_hash: &recovery_hash,
                recovery_wrapped_keys: request.recovery.wrapped.as_slice(),
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account's phones, newest first, the asking one marked.
async fn phones_of(state: &AppState, session: &Session) -> Result<Vec<Phone>, ApiError> {
    Ok(state
        .db
        .phones(&session.row.account)
        .await?
        .into_iter()
        .map(|phone| Phone {
            this_phone: phone.id == session.row.phone,
            id: phone.id,
            name: phone.name,
            signed_in_ms: phone.signed_in_ms,
            last_seen_ms: phone.last_seen_ms,
        })
        .collect())
}

/// Signs one of the account's phones out, from another.
async fn remove_phone(
    State(state): State<AppState>,
    session: Session,
    Path(phone): Path<String>,
) -> Result<StatusCode, ApiError> {
    if state.db.remove_phone(&session.row.account, &phone).await? {
        state.news.phone_removed(&phone);
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Everything the server holds about the account, for the person to keep.
async fn export(
    State(state): State<AppState>,
    session: Session,
) -> Result<Json<wire::Export>, ApiError> {
    use crate::storage::CursorLog;
    let account = &session.row.account;
    let (username, has_recovery) = state
        .db
        .account(account)
        .await?
        .ok_or(ApiError::SignInNeeded)?;
    let row = state
        .db
        .account_by_name(&username)
        .await?
        .ok_or(ApiError::SignInNeeded)?;
    let phones = phones_of(&state, &session).await?;
    let receiving = state
        .db
        .receiving_key(account)
        .await?
        .ok_or(ApiError::SignInNeeded)?;
    let mut plans = Vec::new();
    for plan in state.db.plans(account).await? {
        let mut documents = Vec::new();
        for (id, kind) in &plan.documents {
            // A section by its stored name; a member's suggestions to one as
            // `<section>_suggestions`.
            use coplan_domain::plan::SectionKind;
            let code = u8::try_from(*kind).unwrap_or(0);
            let section = match (
                SectionKind::from_code(code),
                SectionKind::from_suggestions_code(code),
            ) {
                (Some(k), _) => k.key().to_string(),
                (_, Some(k)) => format!("{}_suggestions", k.key()),
                _ => "unknown".to_string(),
            };
            let mut envelopes = Vec::new();
            let mut after = 0;
            loop {
                let page = state.db.pull(id, after, 500).await?;
                let Some(last) = page.last() else { break };
                after = last.seq;
                for logged in page {
                    envelopes.push(wire::ExportedEnvelope {
                        seq: logged.seq as u64,
                        received_ms: logged.received_ms.max(0) as u64,
                        sealed: Blob::new(logged.body)
                            .ok_or(ApiError::BadRequest("stored envelope"))?,
                    });
                }
            }
            documents.push(wire::ExportedDocument {
                section,
                id: id.clone(),
                envelopes,
            });
        }
        let keys = state
            .db
            .key_envelopes(&plan.id, &receiving)
            .await?
            .into_iter()
            .filter_map(wire::Blob::new)
            .collect();
        let members = state
            .db
            .membership(&plan.id)
            .await?
            .into_iter()
            .filter_map(wire::Blob::new)
            .collect();
        plans.push(wire::ExportedPlan {
            plan: plan.id,
            documents,
            keys,
            members,
        });
    }
    let audit = state
        .db
        .audit_trail(account)
        .await?
        .into_iter()
        .map(|row| wire::AuditLine {
            at_ms: row.at_ms,
            action: row.action,
            target: row.target,
            allowed: row.allowed,
        })
        .collect();
    Ok(Json(wire::Export {
        username,
        has_recovery,
        signing: bytes32(&row.signing_key)?,
        receiving: bytes32(&row.receiving_key)?,
        phones,
        plans,
        audit,
    }))
}

/// Deletes the account and everything the server holds for it: only from a sign-in in
/// the last 15 minutes, after the phone has asked the person plainly.
async fn delete_account(
    State(state): State<AppState>,
    session: Session,
) -> Result<Response, ApiError> {
    if state.clock.now_ms() - session.row.created_ms > auth::FRESH_SIGN_IN_MS {
        return Err(ApiError::SignInAgain);
    }
    state.db.delete_account(&session.row.account).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, auth::ended_session())],
    )
        .into_response())
}
