//! The account's second factor (issue 14 item 10), at `/second-factor`: a time-based code
//! from an authenticator app, asked for at every sign-in and recovery on a new phone. An
//! account needs one to join someone else's plan (the server refuses the invite without
//! it), and keeps it while it can see one; the person may add one to their own.
//!
//! Setting one up: this phone draws a secret (`coplan_domain::totp`), shows it once as a
//! QR code and as letters to type, and asks for the code the app then shows, which the
//! server checks before it keeps the secret. Nothing of it is kept on the phone.

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::account::Username;
use coplan_domain::totp;
use coplan_domain::wire::{self, Bytes, NewSecondFactor};

use super::api::{self, ApiProblem};
use super::flows::Problem;
use super::{Field, problem};
use crate::i18n::{AccountText as A, Text, t, ta};
use crate::platform::fill_random;
use crate::storage::Storage;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    /// No account on this phone.
    SignedOut,
    /// Whether the account has one now.
    Shown(bool),
    /// Setting one up: the secret drawn here, and the account's name for the app.
    SettingUp([u8; totp::SECRET_BYTES], Username),
    Failed(String),
}

async fn load() -> Result<Step, Problem> {
    let storage = Storage::shared().await?;
    if storage
        .account()
        .await
        .map_err(|_| Problem::Keys)?
        .is_none()
    {
        return Ok(Step::SignedOut);
    }
    let account: wire::Account = api::get("/api/v1/account").await?;
    Ok(Step::Shown(account.second_factor))
}

fn words(problem: &Problem) -> String {
    match problem {
        Problem::Api(ApiProblem::Refused { code, .. }) => ta(match code.as_str() {
            "second_factor_wrong" => A::ErrSecondFactorWrong,
            "second_factor_in_use" => A::SecondFactorInUse,
            "sign_in_again" => A::SecondFactorSignInAgain,
            _ => return super::invite::problem_words(problem),
        })
        .to_string(),
        _ => super::invite::problem_words(problem),
    }
}

/// The secret as an app asks for it typed: 32 characters in groups of four.
fn grouped(secret: &[u8; totp::SECRET_BYTES]) -> String {
    let text = totp::secret_text(secret);
    text.as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let step = RwSignal::new(Step::Loading);
    let said = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let reload = move || {
        spawn_local(async move {
            step.set(match load().await {
                Ok(next) => next,
                Err(problem) => Step::Failed(words(&problem)),
            });
        });
    };
    reload();
    let set_up = move |_| {
        spawn_local(async move {
            let name = match Storage::shared().await {
                Ok(storage) => storage.account().await.ok().flatten(),
                Err(_) => None,
            };
            let Some(record) = name else {
                step.set(Step::SignedOut);
                return;
            };
            let mut secret = [0u8; totp::SECRET_BYTES];
            fill_random(&mut secret);
            code.set(String::new());
            error.set(None);
            said.set(None);
            step.set(Step::SettingUp(secret, record.username));
        });
    };
    let remove = move |_| {
        error.set(None);
        spawn_local(async move {
            match api::send_only::<()>("DELETE", "/api/v1/account/second-factor", None).await {
                Ok(()) => {
                    said.set(Some(ta(A::SecondFactorRemoved).to_string()));
                    reload();
                }
                Err(problem) => error.set(Some(words(&Problem::Api(problem)))),
            }
        });
    };
    view! {
        <h1>{ta(A::SecondFactorHeading)}</h1>
        <p role="status">{move || said.get()}</p>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Step::SignedOut => view! {
                <p>{ta(A::SecondFactorSignedOut)}</p>
                <p><a class="app-link" href="/account">{ta(A::SecondFactorToAccount)}</a></p>
            }
            .into_any(),
            Step::Shown(true) => view! {
                <p data-testid="second-factor-state">{ta(A::SecondFactorOn)}</p>
                {move || error.get().map(problem)}
                <div class="app-item__actions app-item__actions--flat">
                    <button class="app-button app-button--secondary" type="button" on:click=set_up>
                        {ta(A::SecondFactorNewApp)}
                    </button>
                    <button class="app-button app-button--secondary" type="button" on:click=remove>
                        {ta(A::SecondFactorTurnOff)}
                    </button>
                </div>
            }
            .into_any(),
            Step::Shown(false) => view! {
                <p data-testid="second-factor-state">{ta(A::SecondFactorOff)}</p>
                <p>{ta(A::SecondFactorWhy)}</p>
                <button class="app-button" type="button" on:click=set_up>{ta(A::SecondFactorSetUp)}</button>
            }
            .into_any(),
            Step::SettingUp(secret, username) => {
                let address = totp::address(&secret, &username);
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    if !super::start_submit(&ev, busy, error) {
                        return;
                    }
                    let body = NewSecondFactor {
                        secret: Bytes(secret),
                        code: code.get_untracked().trim().to_string(),
                    };
                    spawn_local(async move {
                        let done =
                            api::send_only("PUT", "/api/v1/account/second-factor", Some(&body))
                                .await;
                        busy.set(false);
                        match done {
                            Ok(()) => {
                                said.set(Some(ta(A::SecondFactorDone).to_string()));
                                reload();
                            }
                            Err(problem) => error.set(Some(words(&Problem::Api(problem)))),
                        }
                    });
                };
                view! {
                    <form class="app-step" aria-labelledby="second-factor-set-up" on:submit=submit novalidate>
                        <h2 id="second-factor-set-up">{ta(A::SecondFactorSetUpHeading)}</h2>
                        <p>{ta(A::SecondFactorScan)}</p>
                        {super::invite::qr_code(&address, "second-factor-qr", A::SecondFactorQrLabel)}
                        <p>{ta(A::SecondFactorOrType)}</p>
                        <p class="app-code" data-testid="second-factor-secret">{grouped(&secret)}</p>
                        <Field id="second-factor-code" label=A::SecondFactorCode hint=A::SecondFactorCodeHint value=code kind="text" autocomplete="one-time-code" maxlength="16"/>
                        {move || error.get().map(problem)}
                        <p role="status" aria-live="polite">{move || busy.get().then(|| ta(A::Saving))}</p>
                        <div class="app-item__actions app-item__actions--flat">
                            <button class="app-button" type="submit">{ta(A::SecondFactorTurnOn)}</button>
                            <button class="app-button app-button--secondary" type="button" on:click=move |_| reload()>
                                {ta(A::Back)}
                            </button>
                        </div>
                    </form>
                }
                .into_any()
            }
            Step::Failed(words) => view! {
                <p class="app-field__error" role="alert">{words}</p>
            }
            .into_any(),
        }}
    }
}
