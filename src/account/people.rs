//! Who can see the person's plan (issue 14): each member the verified membership log
//! holds, by their account's username and role, with what they may do in each section;
//! a way to change that, one to remove them after a plain question, and one to show them
//! to the others by a name the person chooses (kept in the plan card, item 4). On the
//! person's phone only, in the account part.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::PlanId;
use coplan_domain::keys::AccountRecord;
use coplan_domain::membership::{Member, Right, Rights, Role};
use coplan_domain::plan::{SectionKind, card};
use coplan_domain::wire::People;

use super::flows::Problem;
use super::members;
use super::{Field, api};
use crate::i18n::{AccountText as A, Text, fill, t, ta};
use crate::plan::section_title;
use crate::storage::Storage;

/// One member as the screen shows them.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    signing: [u8; 32],
    username: String,
    role: Role,
    rights: Vec<(SectionKind, coplan_domain::membership::Right)>,
    /// The service turned their account off.
    disabled: bool,
    /// They left the plan themselves (the server refuses them already).
    left: bool,
    /// The name the others who can see the plan see them by; None when hidden.
    shown_as: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    NotShared,
    List(Vec<Shown>),
    /// Asking before removing this member.
    Removing(Shown),
    /// Choosing what this member may do (the page's `editing`, from what they may do now).
    Changing(Shown),
    /// Choosing the name this member is shown to the others by (the page's `naming`).
    Naming(Shown),
    Failed(String),
}

/// What the screen acts with: the account, the plan's id on the server, each section's
/// keys at every epoch (for a member who may newly read a part), and the plan on this
/// phone (whose card names members to the others).
type Context = (
    Rc<AccountRecord>,
    [u8; 16],
    Rc<Vec<members::SectionKeys>>,
    PlanId,
);

/// What the screen acts with, and the plan's members as the log says.
async fn load() -> Result<Option<(Context, Vec<Shown>)>, Problem> {
    let storage = Storage::shared().await?;
    let Some(account) = storage.account().await.map_err(|_| Problem::Keys)? else {
        return Ok(None);
    };
    let open = storage.current_plan().await?;
    let Some((local, plan, keys)) = storage
        .sync_records()
        .await?
        .into_iter()
        .find(|(p, r)| Some(p.as_str()) == open.as_deref() && r.person.is_none())
        .and_then(|(local, r)| Some((local, r.plan?, members::section_keys(&r))))
    else {
        return Ok(None);
    };
    let card = crate::plan::read_section(&storage, &local, SectionKind::Card).await?;
    let names = card::read(card.choice("shown")).unwrap_or_default();
    let me = account.keys.public().signing;
    let log = members::verified(&me, plan, true).await?;
    let people: People = api::get(&format!(
        "/api/v1/plans/{}/people",
        coplan_domain::sync::id_to_hex(&plan)
    ))
    .await?;
    let shown = log
        .members
        .iter()
        .filter(|(key, member)| **key != me && !member.removed)
        .map(|(key, member): (&[u8; 32], &Member)| Shown {
            signing: *key,
            username: people
                .people
                .iter()
                .find(|p| p.signing.0 == *key)
                .map(|p| p.username.clone())
                .unwrap_or_default(),
            role: member.role,
            rights: SectionKind::ALL.into_iter().zip(member.rights).collect(),
            disabled: people
                .people
                .iter()
                .any(|p| p.signing.0 == *key && p.disabled),
            left: people.people.iter().any(|p| p.signing.0 == *key && p.left),
            shown_as: names
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, name)| name.clone()),
        })
        .collect();
    Ok(Some((
        (Rc::new(account), plan, Rc::new(keys), local),
        shown,
    )))
}

/// Shows `member` to the others who can see the plan as `name`, or hides them (None): the
/// plan card on this phone changes, and goes out with the next round of sync.
async fn name_to_others(
    local: &PlanId,
    member: [u8; 32],
    name: Option<&str>,
) -> Result<(), Problem> {
    let storage = Storage::shared().await?;
    let card = crate::plan::read_section(&storage, local, SectionKind::Card).await?;
    let now = card::read(card.choice("shown")).unwrap_or_default();
    let next = match name {
        Some(name) => card::with(&now, member, name),
        None => card::without(&now, &member),
    };
    super::sync::set_card(&storage, local, vec![("shown", card::write(&next))]).await?;
    super::wake::now();
    Ok(())
}

fn who(member: &Shown) -> String {
    match super::invite::role_word(member.role) {
        Some(role) => format!("{} ({role})", member.username),
        None => member.username.clone(),
    }
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    let step = RwSignal::new(Step::Loading);
    let context = StoredValue::new_local(None::<Context>);
    let said = RwSignal::new(None::<String>);
    // The rights being chosen for a member (the page's own: a signal made in a click would
    // go with the list it was clicked in).
    let editing = RwSignal::new([Right::None; 5]);
    // The name being typed for a member shown to the others, and what is wrong with it.
    let naming = RwSignal::new(String::new());
    let naming_error = RwSignal::new(None::<String>);
    let reload = move || {
        spawn_local(async move {
            step.set(match load().await {
                Ok(Some((acting, shown))) => {
                    context.set_value(Some(acting));
                    Step::List(shown)
                }
                Ok(None) => Step::NotShared,
                Err(problem) => Step::Failed(super::invite::problem_words(&problem)),
            });
        });
    };
    reload();
    let remove = move |member: Shown| {
        let Some((account, plan, _, _)) = context.get_value() else {
            return;
        };
        spawn_local(async move {
            match members::remove(&account, plan, member.signing).await {
                Ok(()) => {
                    said.set(Some(fill(ta(A::PeopleRemoved), &[("name", &who(&member))])));
                    reload();
                }
                Err(problem) => step.set(Step::Failed(super::invite::problem_words(&problem))),
            }
        });
    };
    let change = move |member: Shown, rights: Rights| {
        let Some((account, plan, keys, _)) = context.get_value() else {
            return;
        };
        spawn_local(async move {
            match members::change_rights(&account, plan, member.signing, rights, &keys).await {
                Ok(()) => {
                    said.set(Some(fill(ta(A::PeopleChanged), &[("name", &who(&member))])));
                    reload();
                }
                Err(problem) => step.set(Step::Failed(super::invite::problem_words(&problem))),
            }
        });
    };
    let name_them = move |member: Shown, name: Option<String>| {
        let Some((_, _, _, local)) = context.get_value() else {
            return;
        };
        spawn_local(async move {
            match name_to_others(&local, member.signing, name.as_deref()).await {
                Ok(()) => {
                    let words = match &name {
                        Some(name) => fill(
                            ta(A::PeopleNameShown),
                            &[("name", &who(&member)), ("shown", name)],
                        ),
                        None => fill(ta(A::PeopleNameHidden), &[("name", &who(&member))]),
                    };
                    said.set(Some(words));
                    reload();
                }
                Err(problem) => step.set(Step::Failed(super::invite::problem_words(&problem))),
            }
        });
    };
    view! {
        <h1>{ta(A::PeopleHeading)}</h1>
        <p role="status">{move || said.get()}</p>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Step::NotShared => view! { <p>{ta(A::PeopleNotShared)}</p> }.into_any(),
            Step::List(shown) if shown.is_empty() => view! {
                <p>{ta(A::PeopleNobody)}</p>
                <p><a class="app-link" href="/invite">{ta(A::InviteOpen)}</a></p>
            }
            .into_any(),
            Step::List(shown) => view! {
                <p>{ta(A::PeopleIntro)}</p>
                <p class="app-field__hint">{ta(A::PeopleNamesInferred)}</p>
                {shown.into_iter().map(|member| {
                    let name = who(&member);
                    let label = fill(ta(A::PeopleRemove), &[("name", &name)]);
                    let change_label = fill(ta(A::PeopleChange), &[("name", &name)]);
                    let asked = member.clone();
                    let changing = member.clone();
                    let to_name = member.clone();
                    let to_hide = member.clone();
                    let naming_label = fill(ta(A::PeopleShowName), &[("name", &name)]);
                    let hiding_label = fill(ta(A::PeopleHideName), &[("name", &name)]);
                    let shown_line = match &member.shown_as {
                        Some(shown) => fill(ta(A::PeopleShownAs), &[("shown", shown)]),
                        None => ta(A::PeopleNotShownToOthers).to_string(),
                    };
                    let is_shown = member.shown_as.is_some();
                    view! {
                        <section class="app-step" aria-label=name.clone()>
                            <h2>{name.clone()}</h2>
                            {member.disabled.then(|| view! { <p class="app-field__error">{ta(A::PeopleAccountOff)}</p> })}
                            {member.left.then(|| view! { <p class="app-field__error">{ta(A::PeopleLeft)}</p> })}
                            <ul>
                                {member.rights.iter().map(|(kind, right)| view! {
                                    <li>{t(section_title(*kind))}": "{super::invite::right_words(*right)}</li>
                                }).collect_view()}
                            </ul>
                            <p data-testid="shown-to-others">{shown_line}</p>
                            <div class="app-item__actions app-item__actions--flat">
                                <button class="app-button app-button--secondary" type="button" on:click=move |_| {
                                    let now: Rights = std::array::from_fn(|at| changing.rights.get(at).map_or(Right::None, |(_, r)| *r));
                                    editing.set(now);
                                    step.set(Step::Changing(changing.clone()));
                                }>
                                    {change_label}
                                </button>
                                <button class="app-button app-button--secondary" type="button" on:click=move |_| {
                                    naming.set(to_name.shown_as.clone().unwrap_or_default());
                                    naming_error.set(None);
                                    step.set(Step::Naming(to_name.clone()));
                                }>
                                    {naming_label}
                                </button>
                                {is_shown.then(|| view! {
                                    <button class="app-button app-button--secondary" type="button" on:click=move |_| name_them(to_hide.clone(), None)>
                                        {hiding_label}
                                    </button>
                                })}
                                <button class="app-button app-button--secondary" type="button" on:click=move |_| step.set(Step::Removing(asked.clone()))>
                                    {label}
                                </button>
                            </div>
                        </section>
                    }
                }).collect_view()}
                <p><a class="app-link" href="/invite">{ta(A::InviteOpen)}</a></p>
            }
            .into_any(),
            Step::Removing(member) => {
                let name = who(&member);
                let chosen = member.clone();
                view! {
                    <section class="app-step" aria-labelledby="remove-heading">
                        <h2 id="remove-heading">{fill(ta(A::PeopleRemoveQuestion), &[("name", &name)])}</h2>
                        <p>{ta(A::PeopleRemoveBody)}</p>
                        <div class="app-item__actions app-item__actions--flat">
                            <button class="app-button" type="button" on:click=move |_| remove(chosen.clone())>
                                {ta(A::PeopleRemoveYes)}
                            </button>
                            <button class="app-button app-button--secondary" type="button" on:click=move |_| reload()>
                                {ta(A::PeopleKeep)}
                            </button>
                        </div>
                    </section>
                }
                .into_any()
            }
            Step::Changing(member) => {
                let rights = editing;
                let name = who(&member);
                let chosen = member.clone();
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    change(chosen.clone(), rights.get_untracked());
                };
                view! {
                    <form class="app-step" aria-labelledby="change-heading" on:submit=submit novalidate>
                        <h2 id="change-heading">{fill(ta(A::PeopleChangeHeading), &[("name", &name)])}</h2>
                        <p class="app-field__hint">{ta(A::PeopleChangeHint)}</p>
                        {super::invite::rights_choice("people-right", rights)}
                        <div class="app-item__actions app-item__actions--flat">
                            <button class="app-button" type="submit">{ta(A::PeopleChangeSave)}</button>
                            <button class="app-button app-button--secondary" type="button" on:click=move |_| reload()>
                                {ta(A::PeopleKeep)}
                            </button>
                        </div>
                    </form>
                }
                .into_any()
            }
            Step::Naming(member) => {
                let name = who(&member);
                let chosen = member.clone();
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let typed = naming.get_untracked().trim().to_string();
                    match card::check_name(&typed) {
                        Ok(()) => name_them(chosen.clone(), Some(typed)),
                        Err(coplan_domain::plan::PlanError::TooLong { .. }) => {
                            naming_error.set(Some(ta(A::PeopleShowNameTooLong).to_string()));
                        }
                        Err(_) => naming_error.set(Some(ta(A::PeopleShowNameNeeded).to_string())),
                    }
                };
                view! {
                    <form class="app-step" aria-labelledby="naming-heading" on:submit=submit novalidate>
                        <h2 id="naming-heading">{fill(ta(A::PeopleShowNameHeading), &[("name", &name)])}</h2>
                        <Field id="people-shown-name" label=A::PeopleShowNameLabel hint=A::PeopleShowNameHint value=naming kind="text" autocomplete="off" maxlength="60"/>
                        {move || naming_error.get().map(super::problem)}
                        <div class="app-item__actions app-item__actions--flat">
                            <button class="app-button" type="submit">{ta(A::PeopleShowNameSave)}</button>
                            <button class="app-button app-button--secondary" type="button" on:click=move |_| reload()>
                                {ta(A::PeopleShowNameCancel)}
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
