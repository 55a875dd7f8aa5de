//! Who is asking (docs/accounts.md): session cookies, the hashes the server keeps instead
//! of secrets, the limits on guessing, and the check that a request comes from Coplan's
//! own pages.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::router::AppState;
use crate::storage::{Bucket, SessionLimits, SessionRow, Store, Taken};

/// The session cookie. `__Host-` makes the browser refuse it unless it is `Secure`, has
/// `Path=/` and no `Domain`, so no other site or subdomain can set or see it.
pub const SESSION_COOKIE: &str = "__Host-coplan_session";

/// The header every request that changes something must carry (a page on another site
/// cannot add it without a CORS preflight, which this server never allows).
pub const REQUEST_HEADER: &str = "x-coplan";

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// A session unused for 90 days ends, and every session 365 days after its sign-in.
pub const SESSION_LIMITS: SessionLimits = SessionLimits {
    idle_ms: 90 * DAY_MS,
    absolute_ms: 365 * DAY_MS,
};

/// Changing the passphrase needs a sign-in this recent.
pub const FRESH_SIGN_IN_MS: i64 = 15 * 60 * 1000;

/// Sign-in and recovery tries per username and address: 10, then one every 30 s.
pub const SIGN_IN_PER_NAME: Bucket = Bucket {
    capacity: 10.0,
    per_ms: 1.0 / 30_000.0,
};
/// Sign-in and recovery tries per address: 30, then one every 10 s.
pub const SIGN_IN_PER_ADDRESS: Bucket = Bucket {
    capacity: 30.0,
    per_ms: 1.0 / 10_000.0,
};
/// Invite redemptions per address: 10, then one a minute (a room of people joining, not
/// a search of ids).
pub const INVITE_PER_ADDRESS: Bucket = Bucket {
    capacity: 10.0,
    per_ms: 1.0 / 60_000.0,
};
/// Redemptions of one invite id, from anywhere: 5, then one a minute (a few slips).
pub const INVITE_PER_ID: Bucket = Bucket {
    capacity: 5.0,
    per_ms: 1.0 / 60_000.0,
};

/// The limits on redeeming invites a server runs with ([`crate::config::Config`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InviteLimits {
    pub per_address: Bucket,
    pub per_id: Bucket,
}

impl Default for InviteLimits {
    fn default() -> Self {
        Self {
            per_address: INVITE_PER_ADDRESS,
            per_id: INVITE_PER_ID,
        }
    }
}
/// Sign-ups per address: 10, then one every 5 minutes (a group in a café can all sign
/// up; nobody can ask about thousands of names).
pub const SIGN_UP_PER_ADDRESS: Bucket = Bucket {
    capacity: 10.0,
    per_ms: 1.0 / 300_000.0,
};

/// The server's clock, in milliseconds since 1970; tests move it.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Self(Arc::new(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64)
        }))
    }

    pub fn from_fn(now: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    pub fn now_ms(&self) -> i64 {
        (self.0)()
    }
}

/// `N` bytes from the operating system's random source.
pub fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

/// A random id of 32 hex digits (accounts, phones).
pub fn random_id() -> String {
    random::<16>().iter().map(|b| format!("{b:02x}")).collect()
}

/// What the server keeps instead of a verifier: a hash bound to the account and to what
/// the verifier opens, so one cannot stand in for another.
pub fn verifier_hash(purpose: Purpose, account: &str, verifier: &[u8; 32]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(match purpose {
        Purpose::Passphrase => b"coplan/verifier/passphrase/1\0".as_slice(),
        Purpose::Recovery => b"coplan/verifier/recovery/1\0".as_slice(),
    });
    hash.update(account.as_bytes());
    hash.update(b"\0");
    hash.update(verifier);
    hash.finalize().into()
}

/// Which secret a verifier comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Passphrase,
    Recovery,
}

/// Whether `verifier` matches the stored hash, in time that does not depend on where they
/// differ. With no account, it is checked against a stand-in, so the work is the same.
pub fn verifier_matches(
    purpose: Purpose,
    account: Option<(&str, &[u8])>,
    verifier: &[u8; 32],
) -> bool {
    const STAND_IN: [u8; 32] = [0x5a; 32];
    let (id, stored) = account.unwrap_or(("", &STAND_IN));
    let hash = verifier_hash(purpose, id, verifier);
    bool::from(hash.as_slice().ct_eq(stored)) && account.is_some()
}

/// The SHA-256 of a session token: what the sessions table keys on.
pub fn token_hash(token: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"coplan/session/1\0");
    hash.update(token);
    hash.finalize().into()
}

/// A new session token, and the cookie that carries it.
pub fn new_session() -> (Vec<u8>, HeaderValue) {
    use base64::Engine;
    let token = random::<32>();
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token);
    let cookie = format!(
        "{SESSION_COOKIE}={text}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
        SESSION_LIMITS.absolute_ms / 1000
    );
    (
        token.to_vec(),
        HeaderValue::from_str(&cookie).expect("ascii"),
    )
}

/// The cookie that makes the browser forget the session.
pub fn ended_session() -> HeaderValue {
    HeaderValue::from_static(
        "__Host-coplan_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
    )
}

/// The session token the request's cookie carries, if any.
fn session_token(headers: &HeaderMap) -> Option<Vec<u8>> {
    use base64::Engine;
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .and_then(|(_, value)| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(value)
                .ok()
        })
        .filter(|token| token.len() == 32)
}

/// A signed-in phone: handlers that take this answer 401 `sign_in_needed` without one.
#[derive(Debug, Clone)]
pub struct Session {
    pub row: SessionRow,
    pub token_hash: [u8; 32],
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(&parts.headers).ok_or(ApiError::SignInNeeded)?;
        let token_hash = token_hash(&token);
        let row = state
            .db
            .session(&token_hash, state.clock.now_ms(), SESSION_LIMITS)
            .await?
            .ok_or(ApiError::SignInNeeded)?;
        if row.disabled {
            return Err(ApiError::AccountDisabled);
        }
        Ok(Self { row, token_hash })
    }
}

/// Where a request came from: the peer, or, when the peer is the trusted reverse proxy,
/// the last address it added to `X-Forwarded-For`.
pub fn client_address(parts: &Parts, trusted_proxy: Option<IpAddr>) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())?;
    if Some(peer) != trusted_proxy {
        return Some(peer);
    }
    parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .next_back()
        .or(Some(peer))
}

/// The address a limit counts: the whole address for IPv4, the /64 network for IPv6
/// (one household or phone usually holds a whole /64).
fn address_key(address: Option<IpAddr>) -> String {
    match address {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        None => "unknown".to_string(),
    }
}

/// The limits a request is counted against.
#[derive(Debug, Clone, Copy)]
pub enum Limit<'a> {
    SignInByName(&'a str),
    SignInByAddress,
    SignUpByAddress,
    /// Tries at redeeming invites, from one address.
    InviteByAddress,
    /// Tries at redeeming one invite id, from anywhere.
    InviteById(&'a str),
}

/// Takes one try from each limit in turn; the first that has none left answers 429.
pub async fn limit(
    state: &AppState,
    address: Option<IpAddr>,
    limits: &[Limit<'_>],
) -> Result<(), ApiError> {
    let address = address_key(address);
    let now = state.clock.now_ms();
    for limit in limits {
        let (what, bucket) = match limit {
            Limit::SignInByName(name) => (format!("sign-in\0{name}\0{address}"), SIGN_IN_PER_NAME),
            Limit::SignInByAddress => (format!("sign-in\0\0{address}"), SIGN_IN_PER_ADDRESS),
            Limit::SignUpByAddress => (format!("sign-up\0\0{address}"), SIGN_UP_PER_ADDRESS),
            Limit::InviteByAddress => (
                format!("invite\0\0{address}"),
                state.invite_limits.per_address,
            ),
            Limit::InviteById(id) => (format!("invite\0{id}\0"), state.invite_limits.per_id),
        };
        // Kept as a hash: what people type into a username box is sometimes a password.
        let mut key = Sha256::new();
        key.update(b"coplan/limit/1\0");
        key.update(what.as_bytes());
        if let Taken::No { retry_after_s } =
            state.db.take_token(&key.finalize(), bucket, now).await?
        {
            return Err(ApiError::SlowDown { retry_after_s });
        }
    }
    Ok(())
}

/// Refuses any request that could change something unless it carries `X-Coplan: 1`.
pub async fn same_site_only(
    State(_): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let reads_only = matches!(*request.method(), Method::GET | Method::HEAD);
    let ours = request
        .headers()
        .get(REQUEST_HEADER)
        .is_some_and(|v| v == "1");
    if !reads_only && !ours {
        return Err(ApiError::CrossSite);
    }
    Ok(next.run(request).await)
}
