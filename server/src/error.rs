//! The one error type every handler returns: a safe JSON answer for the client, the real
//! cause in the log (never plan text), and whether trying again can help.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::storage::StoreError;

/// How long a phone is asked to wait when the database cannot be reached: a restart or a
/// failover usually takes a few seconds, and phones add their own jitter.
pub const UNAVAILABLE_RETRY_AFTER_S: u64 = 5;
/// What a phone turned away as [`ApiError::Busy`] is told to wait (it adds its own spread).
pub const BUSY_RETRY_AFTER_S: u64 = 2;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("request body too large")]
    BodyTooLarge,
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(#[from] StoreError),
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("name taken")]
    NameTaken,
    #[error("range taken")]
    RangeTaken,
    #[error("sign-in failed")]
    SignInFailed,
    #[error("sign-in needed")]
    SignInNeeded,
    #[error("sign in again")]
    SignInAgain,
    #[error("cross-site request")]
    CrossSite,
    #[error("slow down")]
    SlowDown { retry_after_s: u64 },
    /// More requests at once than the server takes ([`crate::config::Config::max_in_flight`]).
    #[error("busy")]
    Busy,
    /// A key envelope's place (document, epoch, reader) already holds another key.
    #[error("key taken")]
    KeyTaken,
    /// The membership log holds other entries than the phone appended after.
    #[error("log moved")]
    LogMoved,
    /// Another live invite has this id.
    #[error("invite taken")]
    InviteTaken,
    /// The plan has as many invites open as it may.
    #[error("too many invites")]
    TooManyInvites,
    /// Someone else redeemed this invite first.
    #[error("invite used")]
    InviteUsed,
    /// The service turned this account off (`coplan-server disable`).
    #[error("account disabled")]
    AccountDisabled,
    /// The person whose plan it is asked to leave it (they may delete it instead).
    #[error("own plan")]
    OwnPlan,
    /// The account has a second factor, and its code was not sent.
    #[error("second factor needed")]
    SecondFactorNeeded,
    /// The second factor's code was wrong, or was used already.
    #[error("second factor wrong")]
    SecondFactorWrong,
    /// The account may reach someone else's plan, so it keeps its second factor.
    #[error("second factor in use")]
    SecondFactorInUse,
    /// Only an account with a second factor joins someone else's plan.
    #[error("second factor required")]
    SecondFactorRequired,
}

/// What a client reads: a stable code for programs, a plain sentence for people, and
/// whether the same request may succeed later (the outbox retries only when it can).
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: &'static str,
    pub retry: bool,
}

impl ApiError {
    fn parts(&self) -> (StatusCode, ErrorBody) {
        let (status, code, message, retry) = match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "There is nothing at this address.",
                false,
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This address does not accept that kind of request.",
                false,
            ),
            Self::BodyTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "That was too much to send at once.",
                false,
            ),
            Self::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                "Something in that request was missing or not as expected.",
                false,
            ),
            Self::NameTaken => (
                StatusCode::CONFLICT,
                "name_taken",
                "Someone already has that username. Choose another.",
                false,
            ),
            Self::RangeTaken => (
                StatusCode::CONFLICT,
                "range_taken",
                "Another phone of this account writes under those ids: choose another range.",
                false,
            ),
            Self::KeyTaken => (
                StatusCode::CONFLICT,
                "key_taken",
                "This plan already has a key there: fetch the plan's keys and use those.",
                false,
            ),
            Self::LogMoved => (
                StatusCode::CONFLICT,
                "log_moved",
                "The plan's list of members changed meanwhile: fetch it and try again.",
                false,
            ),
            Self::InviteTaken => (
                StatusCode::CONFLICT,
                "invite_taken",
                "Another invite has this code just now: make another.",
                false,
            ),
            Self::SecondFactorNeeded => (
                StatusCode::UNAUTHORIZED,
                "second_factor_needed",
                "This account also asks for the code its authenticator app shows now.",
                false,
            ),
            Self::SecondFactorWrong => (
                StatusCode::UNAUTHORIZED,
                "second_factor_wrong",
                "That code is not the one the authenticator app shows now, or it was used already: wait for the next one.",
                false,
            ),
            Self::SecondFactorInUse => (
                StatusCode::CONFLICT,
                "second_factor_in_use",
                "This account can see someone else's plan, so it keeps its second factor.",
                false,
            ),
            Self::SecondFactorRequired => (
                StatusCode::FORBIDDEN,
                "second_factor_required",
                "Only an account that signs in with a second factor can join someone else's plan: set one up first.",
                false,
            ),
            Self::OwnPlan => (
                StatusCode::CONFLICT,
                "own_plan",
                "This is your own plan: you cannot leave it, but you may delete it.",
                false,
            ),
            Self::InviteUsed => (
                StatusCode::CONFLICT,
                "invite_used",
                "This invite has already been used: ask for a new one.",
                false,
            ),
            Self::TooManyInvites => (
                StatusCode::CONFLICT,
                "too_many_invites",
                "This plan has as many invites open as it may: end one, or wait for one to run out.",
                false,
            ),
            Self::SignInFailed => (
                StatusCode::UNAUTHORIZED,
                "sign_in_failed",
                "That username and passphrase do not match an account.",
                false,
            ),
            Self::SignInNeeded => (
                StatusCode::UNAUTHORIZED,
                "sign_in_needed",
                "Sign in again on this phone to go on.",
                false,
            ),
            Self::SignInAgain => (
                StatusCode::FORBIDDEN,
                "sign_in_again",
                "For this, sign in again first.",
                false,
            ),
            Self::AccountDisabled => (
                StatusCode::FORBIDDEN,
                "account_disabled",
                "The service that runs this server has turned this account off. What is on this phone stays here.",
                false,
            ),
            Self::CrossSite => (
                StatusCode::FORBIDDEN,
                "cross_site",
                "This request did not come from Coplan's own pages.",
                false,
            ),
            Self::SlowDown { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "slow_down",
                "Too many tries. Wait a little, then try again.",
                true,
            ),
            Self::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "The server is busy just now. Your plan is safe on your phone; it will try again in a moment.",
                true,
            ),
            Self::DatabaseUnavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                "The server cannot reach its storage just now. Your plan is safe on your phone; try again later.",
                true,
            ),
        };
        (
            status,
            ErrorBody {
                code,
                message,
                retry,
            },
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.parts();
        // `Busy` is counted where it is decided (the router), not logged per request: in a
        // storm, a line for each would slow the server further.
        if status.is_server_error() && !matches!(self, Self::Busy) {
            // The cause is for the log only; StoreError never holds plan text.
            tracing::error!(error = %self, code = body.code, "request failed");
        }
        let mut response = (status, Json(serde_json::json!({ "error": body }))).into_response();
        let retry_after_s = match self {
            Self::SlowDown { retry_after_s } => Some(retry_after_s),
            Self::DatabaseUnavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_S),
            Self::Busy => Some(BUSY_RETRY_AFTER_S),
            _ => None,
        };
        if let Some(seconds) = retry_after_s {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        response
    }
}
