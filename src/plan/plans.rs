//! The plans on this phone (a worker's phone may hold several): open one, start another,
//! delete one after a confirmation that names what will be lost, or leave one someone
//! shared (on its own screen, `/leave`).

use crate::route::use_route;
use coplan_domain::PlanId;
use coplan_domain::plan::summary::summarise;
use coplan_domain::plan::{SectionKind, schema};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::overview::{SECTIONS, say};
use super::session::read_section;
use crate::i18n::{Say, Text, fill, t};
use crate::platform::format_date;
use crate::storage::{Storage, StorageError};

/// One plan as listed: its id, the name it is for, when it was started, its next review
/// (from its card: a plan shared with this phone's owner shows whose it is even when
/// they read only its safety plan), what it holds.
#[derive(Debug, Clone, PartialEq)]
struct Listed {
    id: PlanId,
    called: String,
    started: String,
    review: Option<String>,
    holds: Vec<String>,
    /// Someone else's plan, shared with this phone's account: left, not deleted.
    shared: bool,
}

#[component]
pub fn PlansPage() -> impl IntoView {
    let plans = RwSignal::new(None::<Vec<Listed>>);
    let problem = RwSignal::new(None::<String>);
    let said = RwSignal::new(None::<&'static str>);
    let confirming = RwSignal::new(None::<PlanId>);
    let reload = move || {
        spawn_local(async move {
            match list().await {
                Ok(found) => plans.set(Some(found)),
                Err(e) => problem.set(Some(e.say())),
            }
        })
    };
    reload();
    let route = use_route();
    // Makes the plan the open one, then goes to `path`: its overview, or (someone else's
    // plan) the screen that asks before leaving it, in the account part.
    let choose_then = move |path: &'static str| {
        Callback::new(move |id: PlanId| {
            spawn_local(async move {
                let chosen = match Storage::shared().await {
                    Ok(storage) => storage.choose_plan(&id).await,
                    Err(e) => Err(e),
                };
                match chosen {
                    Ok(()) => route.go(path),
                    Err(e) => problem.set(Some(e.say())),
                }
            });
        })
    };
    let open = choose_then("/");
    let leave = choose_then("/leave");
    // One plan per tap, however fast the taps come: the button waits for the first.
    let starting = RwSignal::new(false);
    let start = move |_| {
        if starting.get_untracked() {
            return;
        }
        starting.set(true);
        spawn_local(async move {
            let started = match Storage::shared().await {
                Ok(storage) => storage.start_plan().await,
                Err(e) => Err(e),
            };
            starting.set(false);
            match started {
                Ok(_) => route.go("/about-me"),
                Err(e) => problem.set(Some(e.say())),
            }
        });
    };
    let delete = Callback::new(move |id: PlanId| {
        spawn_local(async move {
            let deleted = match Storage::shared().await {
                Ok(storage) => storage.delete_plan(&id).await,
                Err(e) => Err(e),
            };
            confirming.set(None);
            match deleted {
                Ok(()) => {
                    said.set(Some(t(Text::PlanDeleted)));
                    reload();
                }
                Err(e) => problem.set(Some(e.say())),
            }
        });
    });

    view! {
        <h1>{t(Text::PlansHeading)}</h1>
        <p>{t(Text::PlansIntro)}</p>
        {move || problem.get().map(|message| view! {
            <div class="app-problem" role="alert">
                <p><span class="app-visually-hidden">{t(Text::ErrorPrefix)}" "</span>{message}</p>
            </div>
        })}
        <p role="status">{move || said.get()}</p>
        // A worker's phone: what needs them across the plans shared with them.
        {move || plans.with(|all| all.as_ref().is_some_and(|all| all.iter().any(|p| p.shared))).then(|| view! {
            <p><a class="app-link" href="/caseload">{t(Text::CaseloadLink)}</a></p>
        })}
        {move || plans.get().map(|all| {
            if all.is_empty() {
                return view! { <p>{t(Text::NoPlansYet)}</p> }.into_any();
            }
            view! {
                <ul class="app-overview">
                    {all.into_iter().map(|plan| view! {
                        <PlanEntry plan=plan confirming=confirming open=open delete=delete leave=leave/>
                    }).collect_view()}
                </ul>
            }
            .into_any()
        })}
        <button class="app-button app-button--secondary" type="button" disabled=move || starting.get() on:click=start>{t(Text::StartAnotherPlan)}</button>
        <super::plan_file::ImportForm on_imported=move |()| reload()/>
    }
}

#[component]
fn PlanEntry(
    plan: Listed,
    confirming: RwSignal<Option<PlanId>>,
    open: Callback<PlanId>,
    delete: Callback<PlanId>,
    leave: Callback<PlanId>,
) -> impl IntoView {
    let name = if plan.called.trim().is_empty() {
        fill(t(Text::PlanStartedOn), &[("date", &plan.started)])
    } else {
        fill(t(Text::PlanFor), &[("name", &plan.called)])
    };
    let id = plan.id.clone();
    let is_confirming = {
        let id = id.clone();
        move || confirming.with(|c| c.as_ref() == Some(&id))
    };
    let heading_id = format!("confirm-{}", id.as_str());
    let (for_open, for_ask, for_delete) = (id.clone(), id.clone(), id.clone());
    let holds = plan.holds.clone();
    view! {
        <li class="app-overview__section">
            <p class="app-overview__name">{name.clone()}</p>
            <p class="app-overview__holds">{fill(t(Text::PlanStartedOn), &[("date", &plan.started)])}</p>
            {plan.review.as_ref().map(|date| view! {
                <p class="app-overview__holds">{fill(t(Text::PlanNextReview), &[("date", date)])}</p>
            })}
            <div class="app-item__actions app-item__actions--flat">
                <button class="app-button" type="button" on:click=move |_| open.run(for_open.clone())>
                    {t(Text::OpenThisPlan)}
                </button>
                {if plan.shared {
                    view! {
                        <button
                            class="app-button app-button--quiet"
                            type="button"
                            aria-label=format!("{} ({})", t(Text::LeaveThisPlan), name)
                            on:click=move |_| leave.run(for_ask.clone())
                        >
                            {t(Text::LeaveThisPlan)}
                        </button>
                    }
                    .into_any()
                } else {
                    view! {
                        <button
                            class="app-button app-button--quiet"
                            type="button"
                            aria-label=format!("{} ({})", t(Text::DeleteThisPlan), name)
                            on:click=move |_| confirming.set(Some(for_ask.clone()))
                        >
                            {t(Text::DeleteThisPlan)}
                        </button>
                    }
                    .into_any()
                }}
            </div>
            <Show when=is_confirming.clone()>
                <div class="app-confirm" role="alertdialog" aria-labelledby=heading_id.clone()>
                    <h2 id=heading_id.clone()>{t(Text::DeleteConfirmHeading)}</h2>
                    <p>{t(Text::DeleteConfirmBody)}</p>
                    {if holds.is_empty() {
                        view! { <p>{t(Text::NothingHereYet)}</p> }.into_any()
                    } else {
                        view! { <ul>{holds.clone().into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}</ul> }.into_any()
                    }}
                    <p>{t(Text::DeleteConfirmFiles)}</p>
                    <div class="app-item__actions app-item__actions--flat">
                        <button class="app-button app-button--danger" type="button" on:click={
                            let id = for_delete.clone();
                            move |_| delete.run(id.clone())
                        }>
                            {t(Text::DeleteForGood)}
                        </button>
                        <button class="app-button app-button--secondary" type="button" on:click=move |_| confirming.set(None)>
                            {t(Text::KeepThisPlan)}
                        </button>
                    </div>
                </div>
            </Show>
        </li>
    }
}

async fn list() -> Result<Vec<Listed>, StorageError> {
    let storage = Storage::shared().await?;
    let shared: Vec<PlanId> = storage
        .sync_records()
        .await?
        .into_iter()
        .filter(|(_, record)| record.person.is_some())
        .map(|(id, _)| id)
        .collect();
    let mut listed = Vec::new();
    for plan in storage.all_plans().await? {
        let mut holds = Vec::new();
        let card = read_section(&storage, &plan.id, SectionKind::Card).await?;
        let mut called = match card.choice("called") {
            "" => plan.preferred_name.as_str().to_string(),
            on_card => on_card.to_string(),
        };
        let review = schema::parse_date(card.choice("next_review")).map(|(y, m, d)| {
            let day =
                js_sys::Date::new_with_year_month_day(u32::from(y), i32::from(m) - 1, i32::from(d));
            format_date(day.get_time() as u64)
        });
        for (kind, title, _) in SECTIONS {
            let view = read_section(&storage, &plan.id, kind).await?;
            if kind == SectionKind::AboutMe && !view.field("called").is_empty() {
                called = view.field("called").to_string();
            }
            let lines: Vec<String> = summarise(kind, &view)
                .iter()
                .map(|l| say(kind, l))
                .collect();
            if !lines.is_empty() {
                holds.push(format!("{}: {}", t(title), lines.join("; ")));
            }
        }
        listed.push(Listed {
            shared: shared.contains(&plan.id),
            id: plan.id,
            called,
            started: format_date(plan.created_at_ms),
            review,
            holds,
        });
    }
    Ok(listed)
}
