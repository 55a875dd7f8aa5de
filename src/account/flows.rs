//! What each account screen does with the server, step by step: everything secret is
//! made and opened here on the phone (SHARING decision 3); the server gets only a
//! verifier, public keys and keys wrapped under what only the person knows.

use std::cell::RefCell;
use std::rc::Rc;

use coplan_domain::account::{
    CommonPassphrases, PassphraseProblem, RecoveryCode, Stretched, Username, UsernameProblem,
    account_salt, check_new_passphrase, stretch,
};
use coplan_domain::keys::{AccountKeys, AccountRecord, KeysError, WrappedBy, recovery_secrets};
use coplan_domain::wire::{
    self, Blob, Bytes, CostAsk, NewPassphrase, RecoveryKeys, ServerInfo, SignIn, SignUp, SignedIn,
};

use super::api::{self, ApiProblem};
use crate::storage::{Storage, StorageError, normalised};

/// Why an account step did not finish. Nothing is kept on the phone until it has.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    Username(UsernameProblem),
    Passphrase(PassphraseProblem),
    PhoneName,
    /// The typed recovery code has a typo or is incomplete.
    RecoveryCode,
    Api(ApiProblem),
    /// The keys the server handed back did not open with what was typed, or were not the
    /// account's: nothing was kept.
    Keys,
    Storage(StorageError),
}

impl From<ApiProblem> for Problem {
    fn from(problem: ApiProblem) -> Self {
        Self::Api(problem)
    }
}

impl From<StorageError> for Problem {
    fn from(e: StorageError) -> Self {
        Self::Storage(e)
    }
}

/// What the person typed to make an account or sign in.
pub struct Typed<'a> {
    pub username: &'a str,
    pub secret: &'a str,
    pub phone_name: &'a str,
    /// The code the account's authenticator app shows now, once the server asked for it.
    pub code: Option<&'a str>,
}

struct Checked {
    username: Username,
    phone_name: String,
}

fn check(typed: &Typed<'_>) -> Result<Checked, Problem> {
    let username = Username::parse(typed.username).map_err(Problem::Username)?;
    let phone_name = wire::phone_name(typed.phone_name).ok_or(Problem::PhoneName)?;
    Ok(Checked {
        username,
        phone_name,
    })
}

thread_local! {
    /// The list of common passphrases, fetched once when a passphrase is first chosen.
    static COMMON: RefCell<Option<Rc<str>>> = const { RefCell::new(None) };
}

/// Checks a new passphrase against the rules and the list of common ones.
pub async fn check_passphrase(passphrase: &str, username: &Username) -> Result<(), Problem> {
    let list = match COMMON.with_borrow(Clone::clone) {
        Some(list) => list,
        None => {
            let text: Rc<str> = api::get_text("/common-passphrases.txt").await?.into();
            COMMON.set(Some(text.clone()));
            text
        }
    };
    let common = CommonPassphrases::parse(&list);
    check_new_passphrase(passphrase, username.as_str(), &common).map_err(Problem::Passphrase)
}

/// Stretches the passphrase with the server's cost (never below the minimum), after
/// letting the screen say it is working: Argon2id holds this page for a moment.
async fn stretched(
    passphrase: &str,
    server_id: &str,
    username: &Username,
    cost: wire::Cost,
) -> Result<Stretched, Problem> {
    let cost = cost
        .checked()
        .ok_or(Problem::Api(ApiProblem::Unexpected { status: 200 }))?;
    crate::platform::pause(50).await;
    crate::platform::mark("coplan:stretching");
    let stretched = stretch(passphrase, &account_salt(server_id, username), cost)
        .map_err(|_| Problem::Api(ApiProblem::Unexpected { status: 200 }));
    crate::platform::mark("coplan:stretched");
    stretched
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    crate::platform::fill_random(&mut bytes).expect("the browser gave no random source");
    bytes
}

fn blob(bytes: Vec<u8>) -> Blob<{ wire::MAX_WRAPPED_KEYS }> {
    Blob::new(bytes).expect("wrapped keys are 105 bytes")
}

/// This phone's client-id range, as registered with the server.
fn range_start() -> u32 {
    crate::plan::writer::range_start().unwrap_or(crate::plan::writer::RANGE)
}

/// Runs `attempt` with this phone's range; if another phone of the account already has
/// it, takes a fresh range once and tries again.
async fn with_range<T, F, Fut>(attempt: F) -> Result<T, ApiProblem>
where
    F: Fn(u32) -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiProblem>>,
{
    match attempt(range_start()).await {
        Err(ApiProblem::Refused { code, .. }) if code == "range_taken" => {
            crate::plan::writer::retire_everywhere();
            attempt(range_start()).await
        }
        other => other,
    }
}

fn recovery_keys(
    keys: &AccountKeys,
    server_id: &str,
    username: &Username,
) -> (RecoveryCode, RecoveryKeys) {
    let code = RecoveryCode::from_bytes(random());
    let secrets = recovery_secrets(&code, server_id, username);
    let wrapped = keys.wrap(
        WrappedBy::RecoveryCode,
        username,
        &secrets.wrap_key,
        &random(),
    );
    (
        code,
        RecoveryKeys {
            verifier: Bytes(secrets.verifier),
            wrapped: blob(wrapped),
        },
    )
}

/// Makes an account for this phone: keys made here, wrapped under the passphrase and
/// under a new recovery code; kept on the phone once the server has them. Gives the
/// recovery code, to show once.
pub async fn sign_up(typed: &Typed<'_>) -> Result<RecoveryCode, Problem> {
    let Checked {
        username,
        phone_name,
    } = check(typed)?;
    let passphrase = normalised(typed.secret);
    check_passphrase(&passphrase, &username).await?;
    let server: ServerInfo = api::get("/api/v1/server").await?;
    let secrets = stretched(&passphrase, &server.server_id, &username, server.cost).await?;
    let keys = AccountKeys::from_random(&random());
    let public = keys.public();
    let wrapped = keys.wrap(
        WrappedBy::Passphrase,
        &username,
        &secrets.wrap_key,
        &random(),
    );
    let (recovery, recovery_keys) = recovery_keys(&keys, &server.server_id, &username);
    let signed_in: SignedIn = with_range(|range_start| {
        let body = SignUp {
            username: username.as_str().to_owned(),
            verifier: Bytes(secrets.verifier),
            cost: server.cost,
            keys: wire::AccountKeys {
                signing: Bytes(public.signing),
                receiving: Bytes(public.receiving),
                wrapped: blob(wrapped.clone()),
            },
            recovery: recovery_keys.clone(),
            phone_name: phone_name.clone(),
            range_start,
        };
        async move { api::send("POST", "/api/v1/accounts", &body).await }
    })
    .await?;
    let record = AccountRecord {
        server_id: server.server_id,
        username,
        account: signed_in.account,
        phone: signed_in.phone,
        range_start: range_start(),
        keys,
    };
    Storage::shared().await?.save_account(&record).await?;
    Ok(recovery)
}

/// How the person proves who they are on a new phone.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Passphrase,
    RecoveryCode,
}

/// Signs this phone in with the passphrase or the recovery code, opens the keys the
/// server hands back, and keeps them on the phone.
pub async fn sign_in(typed: &Typed<'_>, proof: Proof) -> Result<AccountRecord, Problem> {
    let Checked {
        username,
        phone_name,
    } = check(typed)?;
    let server: ServerInfo = api::get("/api/v1/server").await?;
    let (secrets, path, by) = match proof {
        Proof::Passphrase => {
            let cost: wire::Cost = api::send(
                "POST",
                "/api/v1/sign-in/cost",
                &CostAsk {
                    username: username.as_str().to_owned(),
                },
            )
            .await?;
            let passphrase = normalised(typed.secret);
            let secrets = stretched(&passphrase, &server.server_id, &username, cost).await?;
            (secrets, "/api/v1/sessions", WrappedBy::Passphrase)
        }
        Proof::RecoveryCode => {
            let code = RecoveryCode::parse(typed.secret).map_err(|_| Problem::RecoveryCode)?;
            let secrets = recovery_secrets(&code, &server.server_id, &username);
            (
                secrets,
                "/api/v1/sessions/recovery",
                WrappedBy::RecoveryCode,
            )
        }
    };
    let signed_in: SignedIn = with_range(|range_start| {
        let body = SignIn {
            username: username.as_str().to_owned(),
            verifier: Bytes(secrets.verifier),
            phone_name: phone_name.clone(),
            range_start,
            code: typed.code.map(str::to_owned),
        };
        async move { api::send("POST", path, &body).await }
    })
    .await?;
    let public = coplan_domain::keys::PublicKeys {
        signing: signed_in.keys.signing.0,
        receiving: signed_in.keys.receiving.0,
    };
    let keys = AccountKeys::unwrap(
        signed_in.keys.wrapped.as_slice(),
        by,
        &username,
        &secrets.wrap_key,
        &public,
    )
    .map_err(|_: KeysError| Problem::Keys)?;
    let record = AccountRecord {
        server_id: server.server_id,
        username,
        account: signed_in.account,
        phone: signed_in.phone,
        range_start: range_start(),
        keys,
    };
    Storage::shared().await?.save_account(&record).await?;
    Ok(record)
}

/// A new passphrase for the signed-in account, and with it a new recovery code (the
/// server asks for a sign-in in the last 15 minutes).
pub async fn new_passphrase(
    record: &AccountRecord,
    passphrase: &str,
    current: Option<&str>,
) -> Result<RecoveryCode, Problem> {
    let passphrase = normalised(passphrase);
    check_passphrase(&passphrase, &record.username).await?;
    let server: ServerInfo = api::get("/api/v1/server").await?;
    // The passphrase in use now, stretched at the account's own cost, as proof.
    let current = match current {
        Some(current) => {
            let cost: wire::Cost = api::send(
                "POST",
                "/api/v1/sign-in/cost",
                &CostAsk {
                    username: record.username.as_str().to_owned(),
                },
            )
            .await?;
            let now = normalised(current);
            let proof = stretched(&now, &record.server_id, &record.username, cost).await?;
            Some(Bytes(proof.verifier))
        }
        None => None,
    };
    let secrets = stretched(
        &passphrase,
        &record.server_id,
        &record.username,
        server.cost,
    )
    .await?;
    let wrapped = record.keys.wrap(
        WrappedBy::Passphrase,
        &record.username,
        &secrets.wrap_key,
        &random(),
    );
    let (code, recovery) = recovery_keys(&record.keys, &record.server_id, &record.username);
    let body = NewPassphrase {
        verifier: Bytes(secrets.verifier),
        cost: server.cost,
        wrapped: blob(wrapped),
        recovery,
        current,
    };
    api::send_only("PUT", "/api/v1/account/passphrase", Some(&body)).await?;
    Ok(code)
}

/// Signs this phone out: the server ends its session, then the phone forgets the
/// account's keys. The plan stays. Offline, the keys are forgotten all the same (the
/// session ends on its own, or from another phone).
pub async fn sign_out() -> Result<(), Problem> {
    match api::send_only::<()>("DELETE", "/api/v1/sessions/current", None).await {
        Ok(()) | Err(ApiProblem::Offline) => {}
        Err(ApiProblem::Refused { code, .. }) if code == "sign_in_needed" => {}
        Err(other) => return Err(other.into()),
    }
    Storage::shared().await?.remove_account().await?;
    Ok(())
}
