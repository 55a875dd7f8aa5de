//! Setting the app lock, on the privacy screen: off until the person sets a PIN or a
//! passphrase; then "Lock now", whether this plan's safety plan opens without the PIN,
//! the auto-lock and removal choices, changing the PIN, and turning the lock off (only
//! here, with the PIN).

use coplan_domain::PlanId;
use coplan_domain::lock::{
    self, DEFAULT_GRACE_S, DEFAULT_IDLE_S, GRACE_CHOICES, IDLE_CHOICES, LockRecord, SecretKind,
    WIPE_CHOICES,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{AppLock, secret_label};
use crate::i18n::{Say, Text, fill, t};
use crate::platform::now_ms;
use crate::storage::{LockChoices, Storage, UnlockError};

/// What the settings say back: progress and success in the status line, a problem as an
/// alert that starts with "Error:".
#[derive(Clone, Copy)]
struct Said {
    status: RwSignal<Option<String>>,
    problem: RwSignal<Option<String>>,
}

impl Said {
    fn set(self, words: Option<String>) {
        self.problem.set(None);
        self.status.set(words);
    }

    fn problem(self, words: String) {
        self.status.set(None);
        self.problem.set(Some(words));
    }
}

#[component]
pub fn LockSettings() -> impl IntoView {
    let lock = expect_context::<AppLock>();
    // None while reading; then whether a lock is set.
    let record = RwSignal::new(None::<Option<LockRecord>>);
    let said = Said {
        status: RwSignal::new(None),
        problem: RwSignal::new(None),
    };
    let reload = move || {
        spawn_local(async move {
            if let Ok(storage) = Storage::shared().await {
                record.set(Some(storage.lock().await.ok().flatten()));
            }
        })
    };
    reload();
    let done = move |words: Text| {
        said.set(Some(t(words).to_string()));
        reload();
        lock.changed();
    };

    view! {
        <section class="app-step" aria-labelledby="lock-heading">
            <h2 id="lock-heading">{t(Text::LockHeading)}</h2>
            <p>{t(Text::LockIntro)}</p>
            {move || match record.get() {
                None => ().into_any(),
                Some(None) => view! { <SetLock said=said done=done/> }.into_any(),
                Some(Some(set)) => view! { <LockIsSet record=set said=said done=done/> }.into_any(),
            }}
            {move || said.problem.get().map(|words| view! {
                <p class="app-field__error" role="alert">
                    <span class="app-visually-hidden">{t(Text::ErrorPrefix)}" "</span>{words}
                </p>
            })}
            <p role="status" aria-live="polite">{move || said.status.get()}</p>
        </section>
    }
}

#[component]
fn SetLock(said: Said, done: impl Fn(Text) + Copy + 'static) -> impl IntoView {
    let lock = expect_context::<AppLock>();
    let kind = RwSignal::new(SecretKind::Pin);
    let secret = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let grace = RwSignal::new(DEFAULT_GRACE_S);
    let idle = RwSignal::new(DEFAULT_IDLE_S);
    let wipe = RwSignal::new(0);
    let set = move |_| {
        let (typed, twice) = (secret.get_untracked(), again.get_untracked());
        if let Err(e) = lock::check_new_secret(kind.get_untracked(), &typed, &twice) {
            said.problem(e.say());
            return;
        }
        said.set(Some(t(Text::LockWorking).to_string()));
        let choices = LockChoices {
            kind: kind.get_untracked(),
            wipe_after: wipe.get_untracked(),
            background_grace_s: grace.get_untracked(),
            idle_s: idle.get_untracked(),
        };
        spawn_local(async move {
            let result = match Storage::shared().await {
                Ok(storage) => storage.set_lock(&typed, choices).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    lock.tell_others();
                    done(Text::LockIsOn);
                }
                Err(e) => said.problem(e.say()),
            }
        });
    };
    view! {
        <KindChoice kind=kind/>
        <SecretInput id="lock-new" label=Text::LockNew kind=kind value=secret/>
        <SecretInput id="lock-again" label=Text::LockAgain kind=kind value=again/>
        <AutoLockChoices grace=grace idle=idle wipe=wipe/>
        <button class="app-button" type="button" on:click=set>{t(Text::LockSet)}</button>
    }
}

#[component]
fn LockIsSet(
    record: LockRecord,
    said: Said,
    done: impl Fn(Text) + Copy + 'static,
) -> impl IntoView {
    let lock = expect_context::<AppLock>();
    let grace = RwSignal::new(record.background_grace_s);
    let idle = RwSignal::new(record.idle_s);
    let wipe = RwSignal::new(record.wipe_after);
    // Saved as soon as they change (no PIN needed: they only make the lock stricter or
    // looser in time, never off).
    Effect::watch(
        move || (grace.get(), idle.get(), wipe.get()),
        move |&(grace, idle, wipe), _, _| {
            spawn_local(async move {
                if let Ok(storage) = Storage::shared().await {
                    let saved = storage
                        .set_lock_choices(|r| {
                            r.background_grace_s = grace;
                            r.idle_s = idle;
                            r.wipe_after = wipe;
                        })
                        .await;
                    if saved.is_ok() {
                        lock.changed();
                    }
                }
            });
        },
        false,
    );
    let plan = RwSignal::new(None::<PlanId>);
    let opens = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(storage) = Storage::shared().await
            && let Ok(Some(id)) = storage.current_plan().await
            && let Ok(id) = PlanId::parse(&id)
        {
            // Only the phone owner's own safety plan may open without the PIN, never a
            // plan someone shared with this account (issue 14).
            let shared = storage
                .sync_records()
                .await
                .unwrap_or_default()
                .iter()
                .any(|(p, record)| *p == id && record.person.is_some());
            if !shared {
                opens.set(storage.opens_without_pin(&id).await.unwrap_or(false));
                plan.set(Some(id));
            }
        }
    });
    let toggle_opens = move |on: bool| {
        let Some(id) = plan.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let result = match Storage::shared().await {
                Ok(storage) => storage.set_opens_without_pin(&id, on).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => opens.set(on),
                Err(e) => said.problem(e.say()),
            }
        });
    };

    let kind = RwSignal::new(record.kind);
    let current = RwSignal::new(String::new());
    let secret = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let change = move |_| {
        let (old, typed, twice) = (
            current.get_untracked(),
            secret.get_untracked(),
            again.get_untracked(),
        );
        let new_kind = kind.get_untracked();
        if let Err(e) = lock::check_new_secret(new_kind, &typed, &twice) {
            said.problem(e.say());
            return;
        }
        current.set(String::new());
        said.set(Some(t(Text::LockWorking).to_string()));
        spawn_local(async move {
            let result = match Storage::shared().await {
                Ok(storage) => {
                    storage
                        .change_lock(&old, &typed, new_kind, now_ms() as f64)
                        .await
                }
                Err(e) => Err(e.into()),
            };
            match result {
                Ok(()) => done(Text::LockChanged),
                Err(e) => said.problem(current_wrong(&e)),
            }
        });
    };
    let remove = move |_| {
        let old = current.get_untracked();
        current.set(String::new());
        said.set(Some(t(Text::LockWorking).to_string()));
        spawn_local(async move {
            let result = match Storage::shared().await {
                Ok(storage) => storage.remove_lock(&old, now_ms() as f64).await,
                Err(e) => Err(e.into()),
            };
            match result {
                Ok(()) => done(Text::LockIsOff),
                Err(e) => said.problem(current_wrong(&e)),
            }
        });
    };
    let current_kind = RwSignal::new(record.kind);

    view! {
        <p>{t(if record.kind == SecretKind::Pin { Text::LockOnPin } else { Text::LockOnPassphrase })}</p>
        <p>
            <button class="app-button" type="button" on:click=move |_| lock.lock_now()>{t(Text::LockNow)}</button>
        </p>
        <div class="app-check" hidden=move || plan.get().is_none()>
            <input
                id="lock-opens"
                class="app-check__box"
                type="checkbox"
                prop:checked=move || opens.get()
                on:change=move |ev| toggle_opens(event_target_checked(&ev))
            />
            <label class="app-check__label" for="lock-opens">{t(Text::LockOpensWithoutPin)}</label>
        </div>
        <AutoLockChoices grace=grace idle=idle wipe=wipe/>
        <h3>{t(Text::LockChangeHeading)}</h3>
        <SecretInput id="lock-current" label=secret_label(Some(record.kind)) kind=current_kind value=current/>
        <KindChoice kind=kind/>
        <SecretInput id="lock-new" label=Text::LockNew kind=kind value=secret/>
        <SecretInput id="lock-again" label=Text::LockAgain kind=kind value=again/>
        <div class="app-item__actions app-item__actions--flat">
            <button class="app-button" type="button" on:click=change>{t(Text::LockChange)}</button>
            <button class="app-button app-button--secondary" type="button" on:click=remove>{t(Text::LockRemove)}</button>
        </div>
    }
}

/// PIN or passphrase.
/// What a wrong current PIN or passphrase says here: nothing changed, and any wait.
fn current_wrong(error: &UnlockError) -> String {
    super::screen::try_problem(error, Text::LockCurrentWrong, Text::LockCurrentWrongWait)
}

#[component]
fn KindChoice(kind: RwSignal<SecretKind>) -> impl IntoView {
    let option = move |value: SecretKind, id: &'static str, words: Text| {
        view! {
            <div class="app-radio">
                <input
                    id=id
                    class="app-radio__input"
                    type="radio"
                    name="lock-kind"
                    prop:checked=move || kind.get() == value
                    on:change=move |_| kind.set(value)
                />
                <label class="app-radio__label" for=id>{t(words)}</label>
            </div>
        }
    };
    view! {
        <fieldset class="app-choice">
            <legend class="app-field__label">{t(Text::LockKindQuestion)}</legend>
            {option(SecretKind::Pin, "lock-kind-pin", Text::LockKindPin)}
            {option(SecretKind::Passphrase, "lock-kind-passphrase", Text::LockKindPassphrase)}
        </fieldset>
    }
}

/// A PIN or passphrase field, hidden as typed. Marked as a new or the current password
/// (by `id`: `lock-current` and `file-unlock` ask for one already set), since browsers ignore "off" on password
/// fields and would otherwise offer to fill in or save a PIN as a site password.
#[component]
pub(crate) fn SecretInput(
    id: &'static str,
    label: Text,
    kind: RwSignal<SecretKind>,
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="app-field">
            <label class="app-field__label" for=id>{t(label)}</label>
            <input
                id=id
                class="app-field__input"
                type="password"
                autocomplete=if matches!(id, "lock-current" | "file-unlock") {
                    "current-password"
                } else {
                    "new-password"
                }
                maxlength="200"
                inputmode=move || (kind.get() == SecretKind::Pin).then_some("numeric")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}

/// When the lock closes by itself, and whether wrong tries remove everything.
#[component]
fn AutoLockChoices(
    grace: RwSignal<u32>,
    idle: RwSignal<u32>,
    wipe: RwSignal<u32>,
) -> impl IntoView {
    let minutes = |never: Text| {
        move |s: u32| match s {
            0 => t(never).to_string(),
            60 => t(Text::AfterOneMinute).to_string(),
            s => fill(t(Text::AfterMinutes), &[("n", &(s / 60).to_string())]),
        }
    };
    let tries = |n: u32| match n {
        0 => t(Text::Never).to_string(),
        n => fill(t(Text::AfterWrongTries), &[("n", &n.to_string())]),
    };
    view! {
        {select("lock-grace", Text::LockGraceQuestion, &GRACE_CHOICES, grace, minutes(Text::AtOnce))}
        {select("lock-idle", Text::LockIdleQuestion, &IDLE_CHOICES, idle, minutes(Text::Never))}
        {select("lock-wipe", Text::LockWipeQuestion, &WIPE_CHOICES, wipe, tries)}
    }
}

fn select(
    id: &'static str,
    question: Text,
    choices: &'static [u32],
    value: RwSignal<u32>,
    words: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    view! {
        <div class="app-field">
            <label class="app-field__label" for=id>{t(question)}</label>
            <select
                id=id
                class="app-field__input"
                on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse() {
                        value.set(n);
                    }
                }
            >
                {choices
                    .iter()
                    .map(|&n| view! { <option value=n.to_string() selected=move || value.get() == n>{words(n)}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}
