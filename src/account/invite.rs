//! Invites in the room (issue 14, SHARING decision 5), on both phones.
//!
//! The person's phone (`/invite`): who is joining, the name the person knows them by and
//! what they may do with each part of the plan, then a code to show; once the other phone
//! has answered, "Sam (worker) wants to join…" with the check number both compare, and
//! Let them join or Decline. Letting them in adds them and their phone to the plan's
//! membership log and wraps the key of every part they may see to them.
//!
//! The joining phone (`/join`): the code typed (or read from the QR code's address), then
//! the check number, then word of whether the person let them in, read from the plan's
//! membership log checked against the person's key as it was shown in the room.
//!
//! Each phone reads the exchange every [`POLL_MS`] and judges it afresh
//! ([`coplan_domain::invite::PersonSide::next`], [`JoinerSide::next`]). Nothing of an
//! invite is stored: a page closed part-way leaves an invite that ends by itself within
//! 15 minutes, and the person makes a new one.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::invite::{
    JoinerSide, JoinerStep, PersonSide, PersonStep, Scanned, Secret, Stop, TypedCode,
    check_number_text,
};
use coplan_domain::keys::AccountRecord;
use coplan_domain::membership::{Right, Rights, Role, reads};
use coplan_domain::plan::SectionKind;
use coplan_domain::sync::{id_from_hex, id_to_hex};
use coplan_domain::wire::{
    self, Bytes, InviteNonce, InviteOpened, InviteState, NewInvite, Redemption,
};

use super::Field;
use super::api::{self, ApiProblem};
use super::flows::Problem;
use super::members::{self, NewMember};
use crate::i18n::{AccountText as A, Text, fill, t, ta, wait_words};
use crate::plan::section_title;
use crate::platform::{fill_random, pause};
use crate::storage::Storage;

/// How often each phone reads the exchange while the two people wait.
const POLL_MS: i32 = 1500;
/// The longest name the person may give someone they invite.
const MAX_NAME_CHARS: usize = 60;

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    fill_random(&mut bytes);
    bytes
}

/// Stays true while the screen is shown; loops that poll stop when it goes.
fn alive() -> Alive {
    let alive = Alive(Arc::new(AtomicBool::new(true)));
    let gone = alive.0.clone();
    on_cleanup(move || gone.store(false, Ordering::Relaxed));
    alive
}

#[derive(Clone)]
struct Alive(Arc<AtomicBool>);

impl Alive {
    fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

pub(super) fn problem_words(problem: &Problem) -> String {
    match problem {
        Problem::Api(ApiProblem::Offline) => ta(A::ErrOffline).into(),
        Problem::Api(ApiProblem::Refused {
            code,
            retry_after_s,
        }) => match code.as_str() {
            "slow_down" => {
                let wait = wait_words(u64::from(retry_after_s.unwrap_or(30)) * 1_000);
                fill(ta(A::ErrSlowDown), &[("wait", &wait)])
            }
            // The person tried nothing too often: the server was busy (it said "Too many
            // tries" here before).
            "busy" | "database_unavailable" => {
                let wait = wait_words(u64::from(retry_after_s.unwrap_or(5)) * 1_000);
                fill(ta(A::ErrBusy), &[("wait", &wait)])
            }
            "too_many_invites" => ta(A::InviteTooMany).into(),
            "second_factor_required" => ta(A::JoinNeedsSecondFactor).into(),
            "sign_in_again" | "sign_in_needed" => ta(A::ErrSignInAgain).into(),
            _ => ta(A::ErrServer).into(),
        },
        Problem::Storage(e) => crate::i18n::Say::say(e),
        _ => ta(A::ErrServer).into(),
    }
}

fn stop_words(stop: Stop) -> &'static str {
    ta(match stop {
        Stop::WrongProof => A::InviteStopWrongCode,
        Stop::OwnAccount => A::InviteStopOwnAccount,
        Stop::DoesNotOpen | Stop::NotWhatWasSent => A::InviteStopChanged,
        Stop::NotThePerson => A::InviteStopNotThePerson,
    })
}

pub(super) fn role_word(role: Role) -> Option<&'static str> {
    match role {
        Role::Worker => Some(ta(A::InviteRoleWorkerWord)),
        Role::Carer => Some(ta(A::InviteRoleCarerWord)),
        Role::Person | Role::Other => None,
    }
}

pub(super) fn right_words(right: Right) -> &'static str {
    ta(match right {
        Right::None => A::RightNone,
        Right::Read => A::RightRead,
        Right::Suggest => A::RightSuggest,
        Right::Edit => A::RightEdit,
    })
}

/// "They will be able to change: Care plan, Safety plan", one line per kind of right.
fn rights_lines(rights: &Rights) -> Vec<String> {
    [
        (Right::Edit, A::InviteMayEdit),
        (Right::Suggest, A::InviteMaySuggest),
        (Right::Read, A::InviteMayRead),
    ]
    .into_iter()
    .filter_map(|(right, words)| {
        let sections: Vec<&str> = coplan_domain::membership::sections_with(rights, right)
            .into_iter()
            .map(|kind| t(section_title(kind)))
            .collect();
        (!sections.is_empty()).then(|| fill(ta(words), &[("sections", &listed(&sections))]))
    })
    .collect()
}

/// Words in a list, "a, b, c". (Not `[&str]::join`: a new caller of that from a part
/// moves it into the first visit's module.)
pub(super) fn listed(parts: &[&str]) -> String {
    let mut out = String::new();
    for (n, part) in parts.iter().enumerate() {
        if n > 0 {
            out.push_str(", ");
        }
        out.push_str(part);
    }
    out
}

// ---------------------------------------------------------------- the person's phone

/// What the person's phone needs to invite: the account, the plan's id on the server and
/// each section's document and its key at every epoch (a member let in after a removal
/// still opens what was sealed before it).
#[derive(Clone)]
struct Ready {
    account: Rc<AccountRecord>,
    plan: [u8; 16],
    sections: Vec<members::SectionKeys>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    NotReady(A),
    Choose,
    /// The code is shown; the exchange runs. `address` is what the QR code opens.
    Code {
        code: String,
        address: String,
        until: String,
    },
    Decide {
        name: String,
        username: String,
        check: Option<String>,
    },
    Joined(String),
    Declined,
    Stopped(String),
}

async fn ready() -> Result<Result<Ready, A>, Problem> {
    let storage = Storage::shared().await?;
    let Some(account) = storage.account().await.map_err(|_| Problem::Keys)? else {
        return Ok(Err(A::InviteNeedsAccount));
    };
    let open = storage.current_plan().await?;
    let record = storage
        .sync_records()
        .await?
        .into_iter()
        .find(|(plan, _)| Some(plan.as_str()) == open.as_deref())
        .map(|(_, record)| record);
    let Some(record) = record.filter(|r| r.keys_stored && !r.is_left()) else {
        return Ok(Err(A::InviteNeedsBackup));
    };
    let Some(plan) = record.plan else {
        return Ok(Err(A::InviteNeedsBackup));
    };
    let sections = members::section_keys(&record);
    Ok(Ok(Ready {
        account: Rc::new(account),
        plan,
        sections,
    }))
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let step = RwSignal::new(Step::Loading);
    let context = StoredValue::new_local(None::<Ready>);
    spawn_local(async move {
        match ready().await {
            Ok(Ok(found)) => {
                context.set_value(Some(found));
                step.set(Step::Choose);
            }
            Ok(Err(why)) => step.set(Step::NotReady(why)),
            Err(problem) => step.set(Step::Stopped(problem_words(&problem))),
        }
    });
    let alive = alive();
    view! {
        <h1>{ta(A::InviteHeading)}</h1>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Step::NotReady(why) => view! {
                <p>{ta(why)}</p>
                <p><a class="app-link" href="/account">{ta(A::Open)}</a></p>
            }
            .into_any(),
            Step::Choose => {
                let alive = alive.clone();
                view! { <ChooseForm step=step context=context alive=alive/> }.into_any()
            }
            Step::Code { code, address, until } => view! {
                <section class="app-step" aria-labelledby="invite-code-heading">
                    <h2 id="invite-code-heading">{ta(A::InviteShowHeading)}</h2>
                    <p>{ta(A::InviteScanBody)}</p>
                    {qr_code(&address, "invite-qr", A::InviteQrLabel)}
                    <p>{ta(A::InviteShowBody)}</p>
                    <p class="app-code" data-testid="invite-code">{code}</p>
                    <p>{fill(ta(A::InviteUntil), &[("time", &until)])}</p>
                    <p role="status" aria-live="polite">{ta(A::InviteWaiting)}</p>
                </section>
            }
            .into_any(),
            Step::Decide { name, username, check } => {
                view! { <DecideView name=name username=username check=check/> }.into_any()
            }
            Step::Joined(name) => view! {
                <p role="status">{fill(ta(A::InviteJoined), &[("name", &name)])}</p>
            }
            .into_any(),
            Step::Declined => view! { <p role="status">{ta(A::InviteDeclined)}</p> }.into_any(),
            Step::Stopped(words) => view! {
                <p class="app-field__error" role="alert">{words}</p>
                <button class="app-button app-button--secondary" type="button" on:click=move |_| step.set(Step::Choose)>
                    {ta(A::InviteAgain)}
                </button>
            }
            .into_any(),
        }}
    }
}

thread_local! {
    /// The person's answer, once they give it: Some(true) to let them in.
    static ANSWER: Cell<Option<bool>> = const { Cell::new(None) };
}

#[component]
fn DecideView(name: String, username: String, check: Option<String>) -> impl IntoView {
    let answered = RwSignal::new(false);
    let answer = move |yes: bool| {
        if !answered.get_untracked() {
            answered.set(true);
            ANSWER.set(Some(yes));
        }
    };
    view! {
        <section class="app-step" aria-labelledby="invite-decide-heading">
            <h2 id="invite-decide-heading">{fill(ta(A::InviteWantsToJoin), &[("name", &name)])}</h2>
            <p>{fill(ta(A::InviteSignedInAs), &[("username", &username)])}</p>
            {DECIDING.with_borrow(|lines| lines.iter().map(|line| view! { <p>{line.clone()}</p> }).collect_view())}
            {check.map(|number| view! {
                <p>{ta(A::InviteCompare)}</p>
                <p class="app-code" data-testid="check-number">{number}</p>
                <p>{ta(A::InviteCompareDiffer)}</p>
            })}
            <div class="app-item__actions app-item__actions--flat">
                <button class="app-button" type="button" aria-disabled=move || answered.get().to_string() on:click=move |_| answer(true)>
                    {ta(A::InviteLetIn)}
                </button>
                <button class="app-button app-button--secondary" type="button" aria-disabled=move || answered.get().to_string() on:click=move |_| answer(false)>
                    {ta(A::InviteDecline)}
                </button>
            </div>
            <p role="status" aria-live="polite">{move || answered.get().then(|| ta(A::Saving))}</p>
        </section>
    }
}

thread_local! {
    /// What the joining member may do, in words, for the decide screen.
    static DECIDING: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[component]
fn ChooseForm(
    step: RwSignal<Step>,
    context: StoredValue<Option<Ready>, LocalStorage>,
    alive: Alive,
) -> impl IntoView {
    let role = RwSignal::new(Role::Worker);
    let name = RwSignal::new(String::new());
    let rights = RwSignal::new(Role::Worker.default_rights());
    let error = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let pick_role = move |chosen: Role| {
        role.set(chosen);
        rights.set(chosen.default_rights());
    };
    let role_option = move |value: Role, id: &'static str, words: A| {
        view! {
            <div class="app-radio">
                <input
                    id=id
                    class="app-radio__input"
                    type="radio"
                    name="invite-role"
                    prop:checked=move || role.get() == value
                    on:change=move |_| pick_role(value)
                />
                <label class="app-radio__label" for=id>{ta(words)}</label>
            </div>
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let typed = name.get_untracked().trim().to_owned();
        let count = typed.chars().count();
        if count == 0 || count > MAX_NAME_CHARS || typed.chars().any(char::is_control) {
            error.set(Some(ta(A::InviteNameProblem)));
            return;
        }
        let Some(ready) = context.get_value() else {
            return;
        };
        error.set(None);
        busy.set(true);
        let (chosen_role, chosen_rights) = (role.get_untracked(), rights.get_untracked());
        let alive = alive.clone();
        spawn_local(async move {
            run_invite(ready, typed, chosen_role, chosen_rights, step, alive).await;
        });
    };
    view! {
        <form class="app-step" on:submit=submit novalidate>
            <p>{ta(A::InviteIntro)}</p>
            <fieldset class="app-choice">
                <legend class="app-field__label">{ta(A::InviteWho)}</legend>
                <div class="app-choice__options">
                    {role_option(Role::Worker, "invite-role-worker", A::InviteRoleWorker)}
                    {role_option(Role::Carer, "invite-role-carer", A::InviteRoleCarer)}
                    {role_option(Role::Other, "invite-role-other", A::InviteRoleOther)}
                </div>
            </fieldset>
            <Field id="invite-name" label=A::InviteName hint=A::InviteNameHint value=name kind="text" autocomplete="off" maxlength="60"/>
            <fieldset class="app-choice">
                <legend class="app-field__label">{ta(A::InviteWhatTheyMayDo)}</legend>
                <p class="app-field__hint">{ta(A::InviteRightsHint)}</p>
                {rights_choice("invite-right", rights)}
            </fieldset>
            {move || error.get().map(|words| view! { <p class="app-field__error" role="alert">{words}</p> })}
            <p role="status" aria-live="polite">{move || busy.get().then(|| ta(A::Saving))}</p>
            <button class="app-button" type="submit">{ta(A::InviteMake)}</button>
        </form>
    }
}

/// A choice of right for each section, one select each (ids `<prefix>-<section>`).
pub(super) fn rights_choice(prefix: &'static str, rights: RwSignal<Rights>) -> impl IntoView {
    let options = [Right::None, Right::Read, Right::Suggest, Right::Edit];
    SectionKind::ALL
        .into_iter()
        .enumerate()
        .map(|(at, kind)| {
            let id = format!("{prefix}-{}", kind.key());
            view! {
                <div class="app-field">
                    <label class="app-field__label" for=id.clone()>{t(section_title(kind))}</label>
                    <select
                        id=id
                        class="app-field__input"
                        on:change=move |ev| {
                            let chosen = event_target_value(&ev).parse::<usize>().ok().and_then(|n| options.get(n).copied());
                            if let Some(right) = chosen {
                                rights.update(|r| r[at] = right);
                            }
                        }
                    >
                        {options
                            .iter()
                            .enumerate()
                            .map(|(n, right)| {
                                let right = *right;
                                view! {
                                    <option value=n.to_string() selected=move || rights.get()[at] == right>
                                        {right_words(right)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
            }
        })
        .collect_view()
}

/// The QR code that opens `address`, drawn as SVG: dark squares on white with the quiet
/// border of four squares that readers need, whatever the app's colours.
pub(super) fn qr_code(address: &str, testid: &'static str, label: A) -> impl IntoView {
    use qrcodegen::{QrCode, QrCodeEcc};
    let Ok(code) = QrCode::encode_text(address, QrCodeEcc::Medium) else {
        return None;
    };
    let size = code.size();
    let mut squares = String::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                squares.push_str(&format!("M{x} {y}h1v1h-1z"));
            }
        }
    }
    let whole = size + 8;
    Some(view! {
        <svg
            class="app-qr"
            data-testid=testid
            role="img"
            aria-label=ta(label)
            width="240"
            height="240"
            viewBox=format!("-4 -4 {whole} {whole}")
            shape-rendering="crispEdges"
        >
            <rect x="-4" y="-4" width=whole.to_string() height=whole.to_string() fill="#fff"/>
            <path d=squares fill="#000"/>
        </svg>
    })
}

fn invite_path(plan: &[u8; 16], id: &str) -> String {
    format!("/api/v1/plans/{}/invites/{id}", id_to_hex(plan))
}

/// Opens an invite under a fresh code (another if its id is taken), shows it, and runs the
/// exchange to the person's answer.
async fn run_invite(
    ready: Ready,
    name: String,
    role: Role,
    rights: Rights,
    step: RwSignal<Step>,
    alive: Alive,
) {
    let invites = format!("/api/v1/plans/{}/invites", id_to_hex(&ready.plan));
    let mut opened = None;
    for _ in 0..3 {
        let side = PersonSide {
            code: TypedCode::from_random(&random()),
            long: random(),
            person: ready.account.keys.public(),
            nonce: random(),
        };
        let body = NewInvite {
            id: side.code.id().to_text(),
        };
        match api::send::<_, InviteOpened>("POST", &invites, &body).await {
            Ok(answer) => {
                opened = Some((side, answer.expires_ms));
                break;
            }
            Err(ApiProblem::Refused { code, .. }) if code == "invite_taken" => continue,
            Err(problem) => {
                step.set(Step::Stopped(problem_words(&problem.into())));
                return;
            }
        }
    }
    let Some((side, expires_ms)) = opened else {
        step.set(Step::Stopped(ta(A::ErrServer).into()));
        return;
    };
    let id = side.code.id().to_text();
    let path = invite_path(&ready.plan, &id);
    // Through `Reflect`, like the fragment below: `Location::origin` from here would be
    // one more function kept in the first visit's module.
    let origin = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.location(), &"origin".into()).ok())
        .and_then(|o| o.as_string())
        .unwrap_or_default();
    step.set(Step::Code {
        code: side.code.to_text(),
        address: format!("{origin}/join#{}", side.scanned().to_fragment()),
        until: super::notice::clock_time(expires_ms.max(0) as u64),
    });
    ANSWER.set(None);
    let mut deciding = false;
    while alive.get() {
        if let Some(yes) = ANSWER.take() {
            let Some(PersonStep::Decide { joiner, keys, .. }) = last_state(&path, &side).await
            else {
                step.set(Step::Stopped(ta(A::InviteEnded).into()));
                return;
            };
            if !yes {
                let _ = api::send_only::<()>("DELETE", &path, None).await;
                step.set(Step::Declined);
                return;
            }
            let member = NewMember {
                keys,
                role,
                rights,
                phone: id_from_hex(&joiner.phone).unwrap_or_default(),
                range_start: joiner.range_start,
            };
            match let_in(&ready, &member).await {
                Ok(()) => {
                    let _ = api::send_only::<()>("DELETE", &path, None).await;
                    // A round now makes the keys of the member's suggestions documents.
                    super::wake::now();
                    step.set(Step::Joined(name));
                }
                Err(problem) => step.set(Step::Stopped(problem_words(&problem))),
            }
            return;
        }
        if !deciding {
            let state: InviteState = match api::get(&path).await {
                Ok(state) => state,
                Err(ApiProblem::Refused { code, .. }) if code == "not_found" => {
                    step.set(Step::Stopped(ta(A::InviteEnded).into()));
                    return;
                }
                // Offline for a moment: the next read tries again.
                Err(_) => {
                    pause(POLL_MS).await;
                    continue;
                }
            };
            match side.next(&state) {
                PersonStep::Waiting | PersonStep::WaitingReveal => {}
                PersonStep::SendNonce => {
                    let body = InviteNonce {
                        nonce: Bytes(side.nonce),
                    };
                    let _ = api::send_only("POST", &format!("{path}/nonce"), Some(&body)).await;
                    continue;
                }
                PersonStep::Decide { joiner, check, .. } => {
                    DECIDING.set(rights_lines(&rights));
                    let who = match role_word(role) {
                        Some(word) => format!("{name} ({word})"),
                        None => name.clone(),
                    };
                    step.set(Step::Decide {
                        name: who,
                        username: joiner.username.clone(),
                        check: check.map(check_number_text),
                    });
                    deciding = true;
                }
                PersonStep::Stop(stop) => {
                    let _ = api::send_only::<()>("DELETE", &path, None).await;
                    step.set(Step::Stopped(stop_words(stop).into()));
                    return;
                }
            }
        }
        pause(if deciding { 200 } else { POLL_MS }).await;
    }
}

/// The exchange read once more, judged again, just before acting on the person's answer.
async fn last_state(path: &str, side: &PersonSide) -> Option<PersonStep> {
    let state: InviteState = api::get(path).await.ok()?;
    Some(side.next(&state))
}

/// Adds the member to the log, then wraps to them the key of every part they may see.
async fn let_in(ready: &Ready, member: &NewMember) -> Result<(), Problem> {
    members::add(&ready.account, ready.plan, member).await?;
    let readable: Vec<_> = ready
        .sections
        .iter()
        .filter(|(kind, _, _)| reads(&member.rights, *kind))
        .cloned()
        .collect();
    let readable = members::newest_keys(&ready.account, ready.plan, readable).await?;
    let envelopes = members::wrap_keys(
        &ready.account,
        ready.plan,
        &member.keys.receiving,
        readable.iter(),
    )?;
    members::put_keys(ready.plan, envelopes).await
}

// ---------------------------------------------------------------- the joining phone

#[derive(Debug, Clone, PartialEq)]
enum Joining {
    Loading,
    NeedsAccount,
    /// Someone else's plan is kept only on a phone with an app lock.
    NeedsLock,
    /// Only an account that signs in with a second factor joins someone else's plan.
    NeedsSecondFactor,
    Enter,
    Waiting,
    Revealed(Option<String>),
    Joined,
    NotLetIn,
    Stopped(String),
}

thread_local! {
    /// A QR code's invite kept while the person signs in or makes an account first (this
    /// page's memory only: never stored).
    static PENDING: Cell<Option<Scanned>> = const { Cell::new(None) };
}

/// The QR code's address, if this page was opened from one (or one kept from before the
/// person signed in); the address bar (and so the browser's history) then drops it.
fn scanned_from_address() -> Option<Scanned> {
    if let Some(kept) = PENDING.take() {
        return Some(kept);
    }
    let window = web_sys::window()?;
    // Read through `Reflect`, not `Location::hash`: every binding any part uses is glue
    // on the first visit's path.
    let hash = js_sys::Reflect::get(&window.location(), &"hash".into())
        .ok()?
        .as_string()?;
    if hash.len() < 2 {
        return None;
    }
    let scanned = Scanned::parse_fragment(&hash).ok();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("/join"));
    }
    scanned
}

#[component]
pub fn JoinPage() -> impl IntoView {
    let state = RwSignal::new(Joining::Loading);
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let account = StoredValue::new_local(None::<Rc<AccountRecord>>);
    let alive = alive();
    let scanned = scanned_from_address();
    {
        let alive = alive.clone();
        spawn_local(async move {
            let (found, locked) = match Storage::shared().await {
                Ok(storage) => (
                    storage.account().await.ok().flatten(),
                    matches!(storage.lock().await, Ok(Some(_))),
                ),
                Err(_) => (None, false),
            };
            let Some(found) = found.map(Rc::new) else {
                PENDING.set(scanned);
                state.set(Joining::NeedsAccount);
                return;
            };
            if !locked {
                PENDING.set(scanned);
                state.set(Joining::NeedsLock);
                return;
            }
            // (Offline, the join itself says so; the server refuses it without one too.)
            if let Ok(wire::Account {
                second_factor: false,
                ..
            }) = api::get::<wire::Account>("/api/v1/account").await
            {
                PENDING.set(scanned);
                state.set(Joining::NeedsSecondFactor);
                return;
            }
            account.set_value(Some(found.clone()));
            match scanned {
                Some(scanned) => join(found, Secret::Scanned(scanned), state, error, alive).await,
                None => state.set(Joining::Enter),
            }
        });
    }
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = match TypedCode::parse(&code.get_untracked()) {
            Ok(typed) => typed,
            Err(_) => {
                error.set(Some(ta(A::JoinCodeProblem).into()));
                return;
            }
        };
        let Some(found) = account.get_value() else {
            return;
        };
        error.set(None);
        state.set(Joining::Waiting);
        let alive = alive.clone();
        spawn_local(join(found, Secret::Typed(typed), state, error, alive));
    };
    view! {
        <h1>{ta(A::JoinHeading)}</h1>
        {move || match state.get() {
            Joining::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Joining::NeedsAccount => view! {
                <p>{ta(A::JoinNeedsAccount)}</p>
                <p>{ta(A::JoinHomeScreen)}</p>
                <p><a class="app-link" href="/account">{ta(A::Open)}</a></p>
            }
            .into_any(),
            Joining::NeedsLock => view! {
                <p>{ta(A::JoinNeedsLock)}</p>
                <p><a class="app-link" href="/privacy">{ta(A::JoinSetLock)}</a></p>
            }
            .into_any(),
            Joining::NeedsSecondFactor => view! {
                <p>{ta(A::JoinNeedsSecondFactor)}</p>
                <p><a class="app-link" href="/second-factor">{ta(A::JoinSetSecondFactor)}</a></p>
            }
            .into_any(),
            Joining::Enter => view! {
                <form class="app-step" on:submit=submit.clone() novalidate>
                    <Field id="join-code" label=A::JoinCode hint=A::JoinCodeHint value=code kind="text" autocomplete="off" maxlength="24"/>
                    {move || error.get().map(|words| view! { <p class="app-field__error" role="alert">{words}</p> })}
                    <button class="app-button" type="submit">{ta(A::JoinButton)}</button>
                </form>
            }
            .into_any(),
            Joining::Waiting => view! { <p role="status">{ta(A::JoinWaiting)}</p> }.into_any(),
            Joining::Revealed(check) => view! {
                {check.map(|number| view! {
                    <p>{ta(A::JoinCompare)}</p>
                    <p class="app-code" data-testid="check-number">{number}</p>
                    <p>{ta(A::InviteCompareDiffer)}</p>
                })}
                <p role="status" aria-live="polite">{ta(A::JoinWaitingAnswer)}</p>
            }
            .into_any(),
            Joining::Joined => view! {
                <p role="status">{ta(A::JoinJoined)}</p>
                <p><a class="app-link" href="/">{ta(A::JoinSeePlan)}</a></p>
            }
            .into_any(),
            Joining::NotLetIn => view! { <p role="status">{ta(A::JoinNotLetIn)}</p> }.into_any(),
            Joining::Stopped(words) => view! {
                <p class="app-field__error" role="alert">{words}</p>
            }
            .into_any(),
        }}
    }
}

/// Redeems the invite, then follows the exchange until the person answers.
async fn join(
    account: Rc<AccountRecord>,
    secret: Secret,
    state: RwSignal<Joining>,
    error: RwSignal<Option<String>>,
    alive: Alive,
) {
    let side = JoinerSide {
        secret,
        keys: account.keys.public(),
        nonce: random(),
    };
    let id = side.id().to_text();
    let path = format!("/api/v1/invites/{id}");
    let body = Redemption {
        commitment: Bytes(side.commitment()),
        proof: Bytes(side.proof()),
        scanned: matches!(secret, Secret::Scanned(_)),
    };
    match api::send_only("POST", &format!("{path}/redemption"), Some(&body)).await {
        Ok(()) => state.set(Joining::Waiting),
        Err(ApiProblem::Refused { code, .. }) if code == "not_found" => {
            error.set(Some(ta(A::JoinCodeDidNotWork).into()));
            state.set(Joining::Enter);
            return;
        }
        Err(ApiProblem::Refused { code, .. }) if code == "invite_used" => {
            error.set(Some(ta(A::JoinCodeUsed).into()));
            state.set(Joining::Enter);
            return;
        }
        Err(problem) => {
            error.set(Some(problem_words(&problem.into())));
            state.set(Joining::Enter);
            return;
        }
    }
    let mut pinned: Option<([u8; 32], String)> = None;
    while alive.get() {
        pause(POLL_MS).await;
        let read: InviteState = match api::get(&path).await {
            Ok(read) => read,
            Err(ApiProblem::Refused { code, .. }) if code == "not_found" => {
                // The person answered (or the invite ended): the plan's log says which.
                let Some((person, plan)) = pinned else {
                    state.set(Joining::Stopped(ta(A::InviteEnded).into()));
                    return;
                };
                let me = account.keys.public().signing;
                let plan_id = id_from_hex(&plan).unwrap_or_default();
                let joined = match members::holds(&person, plan_id, &me).await {
                    Ok(true) => super::sync::adopt_shared(&plan, person).await.map(|_| true),
                    other => other,
                };
                state.set(match joined {
                    Ok(true) => Joining::Joined,
                    Ok(false) => Joining::NotLetIn,
                    Err(problem) => Joining::Stopped(problem_words(&problem)),
                });
                return;
            }
            Err(_) => continue,
        };
        let mut read = read;
        if side.next(&read) == JoinerStep::SendNonce {
            let body = InviteNonce {
                nonce: Bytes(side.nonce),
            };
            if api::send_only("POST", &format!("{path}/nonce"), Some(&body))
                .await
                .is_err()
            {
                continue;
            }
            // Revealed: judged at once as the server now holds it, since the person may
            // answer (and the invite close) before this phone reads it again.
            read.joiner_nonce = Some(Bytes(side.nonce));
        }
        match side.next(&read) {
            JoinerStep::Waiting | JoinerStep::SendNonce => {}
            JoinerStep::Revealed {
                person,
                plan,
                check,
            } => {
                if pinned.is_none() {
                    state.set(Joining::Revealed(check.map(check_number_text)));
                }
                pinned = Some((person.signing, plan));
            }
            JoinerStep::Stop(stop) => {
                state.set(Joining::Stopped(stop_words(stop).into()));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    fn refused(code: &str) -> Problem {
        Problem::Api(ApiProblem::Refused {
            code: code.to_string(),
            retry_after_s: Some(5),
        })
    }

    /// A server too busy to open an invite is told as busy: it said "Too many tries" to a
    /// person who had tapped once (stop 30's CI).
    #[wasm_bindgen_test]
    fn a_busy_server_is_told_as_busy_and_only_slowing_down_as_too_many_tries() {
        let busy = fill(ta(A::ErrBusy), &[("wait", &wait_words(5_000))]);
        assert_eq!(problem_words(&refused("database_unavailable")), busy);
        assert_eq!(problem_words(&refused("busy")), busy);
        let slow = fill(ta(A::ErrSlowDown), &[("wait", &wait_words(5_000))]);
        assert_eq!(problem_words(&refused("slow_down")), slow);
        assert_ne!(busy, slow);
    }
}
