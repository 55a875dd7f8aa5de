//! The account screen (issue 12): make an account with no email, sign in on another
//! phone with the passphrase or the recovery code, see the account's phones, sign out.
//! It lives in the online-only part; nothing here is on the first visit's path.

mod access;
mod agree;
mod api;
mod batch;
pub mod caseload;
mod flows;
pub mod history;
mod invite;
mod leave;
mod members;
mod notice;
mod people;
mod readers;
mod second_factor;
mod suggest;
mod suggestions;
pub mod sync;
mod wake;

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::account::{PassphraseProblem, UsernameProblem};
use coplan_domain::wire;

use self::api::ApiProblem;
use self::flows::{Problem, Proof, Typed};
use crate::i18n::{AccountText as A, Say, Text, fill, t, ta, wait_words};
use crate::storage::Storage;

/// Where the screen is.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    /// No account on this phone: make one, sign in, or use a recovery code.
    Choose,
    Form(Form),
    /// A new recovery code, shown once.
    Code(String),
    /// Signed in with the recovery code, which is now used: a new passphrase is needed.
    NewPassphrase,
    /// The person chose to change their passphrase: the one in use now, then a new one.
    ChangePassphrase,
    SignedIn(String),
    /// Just signed out: said, then the same choice as with no account.
    SignedOut,
    /// The stored account did not read, or storage failed: said plainly.
    Failed(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Make,
    SignIn,
    Recover,
}

/// The account part's screens: the account itself, and (issue 14) inviting someone to
/// the plan and joining someone else's.
#[component]
pub fn AccountPage() -> impl IntoView {
    match crate::route::use_route().path().as_str() {
        "/invite" => view! { <invite::InvitePage/> }.into_any(),
        "/join" => view! { <invite::JoinPage/> }.into_any(),
        "/people" => view! { <people::PeoplePage/> }.into_any(),
        "/suggestions" => view! { <suggest::SuggestionsPage/> }.into_any(),
        "/access" => view! { <access::AccessPage/> }.into_any(),
        "/leave" => view! { <leave::LeavePage/> }.into_any(),
        "/second-factor" => view! { <second_factor::SecondFactorPage/> }.into_any(),
        path if path.starts_with("/history/") => view! { <history::HistoryPage/> }.into_any(),
        path if path.starts_with("/agree/") => view! { <agree::AgreePage/> }.into_any(),
        "/caseload" => view! { <caseload::CaseloadPage/> }.into_any(),
        _ => view! { <Account/> }.into_any(),
    }
}

#[component]
fn Account() -> impl IntoView {
    let step = RwSignal::new(Step::Loading);
    spawn_local(async move {
        step.set(match signed_in_name().await {
            Ok(Some(name)) => Step::SignedIn(name),
            Ok(None) => Step::Choose,
            Err(message) => Step::Failed(message),
        });
    });
    view! {
        <h1>{ta(A::Heading)}</h1>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Step::Choose => choose(step).into_any(),
            Step::Form(form) => view! { <AccountForm form=form step=step/> }.into_any(),
            Step::Code(code) => recovery_code(code, step).into_any(),
            Step::NewPassphrase => view! { <NewPassphraseForm step=step change=false/> }.into_any(),
            Step::ChangePassphrase => view! { <NewPassphraseForm step=step change=true/> }.into_any(),
            Step::SignedIn(name) => view! { <SignedIn name=name step=step/> }.into_any(),
            Step::SignedOut => view! {
                <p role="status">{ta(A::SignedOut)}</p>
                {choose(step)}
            }
            .into_any(),
            Step::Failed(message) => problem(message).into_any(),
        }}
    }
}

async fn signed_in_name() -> Result<Option<String>, String> {
    let storage = Storage::shared().await.map_err(|e| e.say())?;
    match storage.account().await {
        Ok(record) => Ok(record.map(|r| r.username.as_str().to_owned())),
        Err(crate::storage::AccountReadError::Storage(e)) => Err(e.say()),
        Err(crate::storage::AccountReadError::Record(_)) => Err(t(Text::ErrSealedDamaged).into()),
    }
}

fn choose(step: RwSignal<Step>) -> impl IntoView {
    let button = move |form: Form, words: A, class: &'static str| {
        view! {
            <button class=class type="button" on:click=move |_| step.set(Step::Form(form))>
                {ta(words)}
            </button>
        }
    };
    view! {
        <p>{ta(A::Intro)}</p>
        <p>{ta(A::OnlineOnly)}</p>
        <div class="app-item__actions app-item__actions--flat">
            {button(Form::Make, A::ChooseMake, "app-button")}
            {button(Form::SignIn, A::ChooseSignIn, "app-button app-button--secondary")}
            {button(Form::Recover, A::ChooseRecover, "app-button app-button--secondary")}
        </div>
    }
}

fn problem(message: String) -> impl IntoView {
    view! {
        <p class="app-field__error" role="alert">
            <span class="app-visually-hidden">{t(Text::ErrorPrefix)}" "</span>{message}
        </p>
    }
}

/// A labelled field with a hint under its label.
#[component]
pub(super) fn Field(
    id: &'static str,
    label: A,
    #[prop(optional)] hint: Option<A>,
    value: RwSignal<String>,
    kind: &'static str,
    autocomplete: &'static str,
    maxlength: &'static str,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="app-field">
            <label class="app-field__label" for=id>{ta(label)}</label>
            {hint.map(|hint| view! { <p class="app-field__hint" id=hint_id.clone()>{ta(hint)}</p> })}
            <input
                id=id
                class="app-field__input"
                type=kind
                autocomplete=autocomplete
                autocapitalize="off"
                spellcheck="false"
                maxlength=maxlength
                aria-describedby=hint.map(|_| hint_id.clone())
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

/// Starts a form's submit: false while one is already under way; otherwise marks the form
/// busy and clears its last problem.
fn start_submit(
    ev: &leptos::ev::SubmitEvent,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
) -> bool {
    ev.prevent_default();
    if busy.get_untracked() {
        return false;
    }
    busy.set(true);
    error.set(None);
    true
}

#[component]
fn AccountForm(form: Form, step: RwSignal<Step>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let phone_name = RwSignal::new(ta(A::PhoneNameDefault).to_owned());
    // The second factor's code, asked for once the server says the account has one.
    let asks_code = RwSignal::new(false);
    let factor_code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        if !start_submit(&ev, busy, error) {
            return;
        }
        let (name, typed_secret, phone, code) = (
            username.get_untracked(),
            secret.get_untracked(),
            phone_name.get_untracked(),
            asks_code
                .get_untracked()
                .then(|| factor_code.get_untracked()),
        );
        spawn_local(async move {
            let typed = Typed {
                username: &name,
                secret: &typed_secret,
                phone_name: &phone,
                code: code.as_deref(),
            };
            let done = match form {
                Form::Make => flows::sign_up(&typed)
                    .await
                    .map(|code| Step::Code(code.to_words())),
                Form::SignIn => flows::sign_in(&typed, Proof::Passphrase)
                    .await
                    .map(|record| Step::SignedIn(record.username.as_str().to_owned())),
                Form::Recover => flows::sign_in(&typed, Proof::RecoveryCode)
                    .await
                    .map(|_| Step::NewPassphrase),
            };
            busy.set(false);
            if done.is_ok() {
                sync::start();
            }
            match done {
                Ok(next) => step.set(next),
                Err(problem) => {
                    if matches!(&problem, Problem::Api(ApiProblem::Refused { code, .. }) if code == "second_factor_needed")
                    {
                        asks_code.set(true);
                    }
                    error.set(Some(say(&problem, form)));
                }
            }
        });
    };
    let (heading, button, working) = match form {
        Form::Make => (A::ChooseMake, A::Make, A::Making),
        Form::SignIn => (A::ChooseSignIn, A::SignIn, A::SigningIn),
        Form::Recover => (A::ChooseRecover, A::Recover, A::SigningIn),
    };
    let secret_field = match form {
        Form::Make => view! {
            <Field id="account-passphrase" label=A::Passphrase hint=A::PassphraseHint value=secret kind="password" autocomplete="new-password" maxlength="1000"/>
            <p>{ta(A::PassphraseWarning)}</p>
            <p>{ta(A::PassphraseGuessable)}</p>
        }
        .into_any(),
        Form::SignIn => view! {
            <Field id="account-passphrase" label=A::Passphrase value=secret kind="password" autocomplete="current-password" maxlength="1000"/>
        }
        .into_any(),
        Form::Recover => view! {
            <Field id="account-code" label=A::RecoveryCode hint=A::RecoveryCodeHint value=secret kind="text" autocomplete="off" maxlength="64"/>
        }
        .into_any(),
    };
    view! {
        <form class="app-step" on:submit=submit novalidate>
            <h2>{ta(heading)}</h2>
            <Field
                id="account-username"
                label=A::Username
                hint=A::UsernameHint
                value=username
                kind="text"
                autocomplete="username"
                maxlength="32"
            />
            {secret_field}
            {move || asks_code.get().then(|| view! {
                <Field id="account-second-factor" label=A::SecondFactorCode hint=A::SecondFactorCodeHint value=factor_code kind="text" autocomplete="one-time-code" maxlength="16"/>
            })}
            <Field id="account-phone" label=A::PhoneName hint=A::PhoneNameHint value=phone_name kind="text" autocomplete="off" maxlength="40"/>
            {move || error.get().map(problem)}
            <p role="status" aria-live="polite">{move || busy.get().then(|| ta(working))}</p>
            <div class="app-item__actions app-item__actions--flat">
                <button class="app-button" type="submit" aria-disabled=move || busy.get().to_string()>{ta(button)}</button>
                <button class="app-button app-button--secondary" type="button" on:click=move |_| step.set(Step::Choose)>
                    {ta(A::Back)}
                </button>
            </div>
        </form>
    }
}

fn recovery_code(code: String, step: RwSignal<Step>) -> impl IntoView {
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    let done = move |_| {
        spawn_local(async move {
            step.set(match signed_in_name().await {
                Ok(Some(name)) => Step::SignedIn(name),
                Ok(None) => Step::Choose,
                Err(message) => Step::Failed(message),
            });
        })
    };
    view! {
        <section class="app-step" aria-labelledby="code-heading">
            <h2 id="code-heading">{ta(A::CodeHeading)}</h2>
            <p>{ta(A::CodeBody)}</p>
            <p class="app-code" data-testid="recovery-code">{code}</p>
            <div class="app-item__actions app-item__actions--flat">
                <button class="app-button app-button--secondary" type="button" on:click=print>{ta(A::CodePrint)}</button>
                <button class="app-button" type="button" on:click=done>{ta(A::CodeKept)}</button>
            </div>
        </section>
    }
}

/// A new passphrase: after the recovery code was used, or, with `change`, chosen by the
/// person, proved by the passphrase in use now.
#[component]
fn NewPassphraseForm(step: RwSignal<Step>, change: bool) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        if !start_submit(&ev, busy, error) {
            return;
        }
        let typed = secret.get_untracked();
        let now = change.then(|| current.get_untracked());
        spawn_local(async move {
            let done = async {
                let record = Storage::shared()
                    .await?
                    .account()
                    .await
                    .map_err(|_| Problem::Keys)?
                    .ok_or(Problem::Keys)?;
                flows::new_passphrase(&record, &typed, now.as_deref()).await
            }
            .await;
            busy.set(false);
            match done {
                Ok(code) => step.set(Step::Code(code.to_words())),
                // Here a failed sign-in means the passphrase in use now was not right.
                Err(Problem::Api(ApiProblem::Refused { code, .. })) if code == "sign_in_failed" => {
                    error.set(Some(ta(A::ErrCurrentPassphrase).into()))
                }
                Err(problem) => error.set(Some(say(&problem, Form::Make))),
            }
        });
    };
    view! {
        <form class="app-step" on:submit=submit novalidate>
            <h2>{ta(if change { A::ChangePassphrase } else { A::NewPassphraseHeading })}</h2>
            <p>{ta(if change { A::ChangePassphraseBody } else { A::NewPassphraseBody })}</p>
            {change.then(|| view! {
                <Field id="account-current-passphrase" label=A::CurrentPassphrase value=current kind="password" autocomplete="current-password" maxlength="1000"/>
            })}
            <Field id="account-new-passphrase" label=A::NewPassphrase hint=A::PassphraseHint value=secret kind="password" autocomplete="new-password" maxlength="1000"/>
            <p>{ta(A::PassphraseWarning)}</p>
            {move || error.get().map(problem)}
            <p role="status" aria-live="polite">{move || busy.get().then(|| ta(A::Saving))}</p>
            <button class="app-button" type="submit">{ta(A::SaveNewPassphrase)}</button>
        </form>
    }
}

#[component]
fn SignedIn(name: String, step: RwSignal<Step>) -> impl IntoView {
    let phones = LocalResource::new(|| api::get::<wire::Account>("/api/v1/account"));
    let error = RwSignal::new(None::<String>);
    let sign_out = move |_| {
        spawn_local(async move {
            match flows::sign_out().await {
                Ok(()) => {
                    notice::forget();
                    step.set(Step::SignedOut);
                }
                Err(problem) => error.set(Some(say(&problem, Form::SignIn))),
            }
        })
    };
    let remove = move |id: String| {
        spawn_local(async move {
            let path = format!("/api/v1/phones/{id}");
            match api::send_only::<()>("DELETE", &path, None).await {
                Ok(()) => phones.refetch(),
                Err(problem) => error.set(Some(say(&Problem::Api(problem), Form::SignIn))),
            }
        })
    };
    // How the backup stands, kept current while the screen is open.
    let backup = RwSignal::new(notice::backup_words());
    notice::on_change(Some(std::rc::Rc::new(move || {
        backup.try_set(notice::backup_words());
    })));
    on_cleanup(|| notice::on_change(None));
    view! {
        <p>{fill(ta(A::SignedInAs), &[("name", &name)])}</p>
        <p role="status">{move || backup.get()}</p>
        <section class="app-step" aria-labelledby="sharing-heading">
            <h2 id="sharing-heading">{ta(A::SharingHeading)}</h2>
            <ul class="app-links">
                <li><a class="app-link" href="/people">{ta(A::PeopleOpen)}</a></li>
                <li><a class="app-link" href="/suggestions">{ta(A::SuggestOpen)}</a></li>
                <li><a class="app-link" href="/access">{ta(A::AccessOpen)}</a></li>
                <li><a class="app-link" href="/invite">{ta(A::InviteOpen)}</a></li>
                <li><a class="app-link" href="/join">{ta(A::JoinOpen)}</a></li>
            </ul>
        </section>
        <section class="app-step" aria-labelledby="phones-heading">
            <h2 id="phones-heading">{ta(A::PhonesHeading)}</h2>
            {move || match phones.get() {
                None => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
                Some(Ok(account)) => {
                    notice::phones_seen(&account.phones);
                    view! {
                        <ul class="app-phones">
                            {account.phones.into_iter().map(|phone| {
                                let when = fill(
                                    ta(A::SignedInOn),
                                    &[("date", &crate::platform::format_date(phone.signed_in_ms.max(0) as u64))],
                                );
                                let this = phone.this_phone.then(|| format!(" ({})", ta(A::ThisPhone)));
                                let other = (!phone.this_phone).then(|| {
                                    let id = phone.id.clone();
                                    let label = fill(ta(A::SignOutOther), &[("name", &phone.name)]);
                                    view! {
                                        <button class="app-button app-button--secondary" type="button" on:click=move |_| remove(id.clone())>
                                            {label}
                                        </button>
                                    }
                                });
                                view! { <li>{phone.name}{this}", "{when}" "{other}</li> }
                            }).collect_view()}
                        </ul>
                    }
                    .into_any()
                }
                Some(Err(_)) => view! { <p>{ta(A::PhonesOffline)}</p> }.into_any(),
            }}
        </section>
        <section class="app-step" aria-labelledby="passphrase-heading">
            <h2 id="passphrase-heading">{ta(A::Passphrase)}</h2>
            <button class="app-button app-button--secondary" type="button" on:click=move |_| step.set(Step::ChangePassphrase)>
                {ta(A::ChangePassphrase)}
            </button>
            <ul class="app-links">
                <li><a class="app-link" href="/second-factor">{ta(A::SecondFactorOpen)}</a></li>
            </ul>
        </section>
        <section class="app-step" aria-labelledby="sign-out-heading">
            <h2 id="sign-out-heading">{ta(A::SignOutHeading)}</h2>
            <p>{ta(A::SignOutBody)}</p>
            {move || error.get().map(problem)}
            <button class="app-button app-button--secondary" type="button" on:click=sign_out>{ta(A::SignOut)}</button>
        </section>
    }
}

/// A problem in the person's words; `form` says which sign-in failed.
fn say(problem: &Problem, form: Form) -> String {
    let words = match problem {
        Problem::Username(UsernameProblem::Length { .. }) => A::ErrUsernameLength,
        Problem::Username(UsernameProblem::Character { .. }) => A::ErrUsernameCharacter,
        Problem::Passphrase(PassphraseProblem::TooShort { found }) => {
            return fill(ta(A::ErrPassphraseShort), &[("found", &found.to_string())]);
        }
        Problem::Passphrase(PassphraseProblem::TooLong) => A::ErrPassphraseLong,
        Problem::Passphrase(PassphraseProblem::Guessable) => A::ErrPassphraseGuessable,
        Problem::Passphrase(PassphraseProblem::Common) => A::ErrPassphraseCommon,
        Problem::PhoneName => A::ErrPhoneName,
        Problem::RecoveryCode => A::ErrRecoveryCode,
        Problem::Keys => A::ErrKeys,
        Problem::Storage(e) => return e.say(),
        Problem::Api(ApiProblem::Offline) => A::ErrOffline,
        Problem::Api(ApiProblem::Unexpected { .. }) => A::ErrServer,
        Problem::Api(ApiProblem::Refused {
            code,
            retry_after_s,
        }) => match code.as_str() {
            "name_taken" => A::ErrNameTaken,
            "sign_in_failed" if form == Form::Recover => A::ErrRecoveryFailed,
            "sign_in_failed" => A::ErrSignInFailed,
            "account_disabled" => A::ErrAccountTurnedOff,
            "second_factor_needed" => A::ErrSecondFactorNeeded,
            "second_factor_wrong" => A::ErrSecondFactorWrong,
            "second_factor_in_use" => A::SecondFactorInUse,
            "sign_in_again" | "sign_in_needed" => A::ErrSignInAgain,
            "slow_down" => {
                let wait = wait_words(u64::from(retry_after_s.unwrap_or(30)) * 1_000);
                return fill(ta(A::ErrSlowDown), &[("wait", &wait)]);
            }
            "busy" | "database_unavailable" => {
                let wait = wait_words(u64::from(retry_after_s.unwrap_or(5)) * 1_000);
                return fill(ta(A::ErrBusy), &[("wait", &wait)]);
            }
            _ => A::ErrServer,
        },
    };
    ta(words).into()
}
