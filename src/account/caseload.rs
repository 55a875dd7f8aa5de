//! A worker's caseload (issue 15 item 3), at `/caseload`: the plans shared with this
//! account on this phone, each by its card (the name the person goes by), with what is
//! waiting on it (a review date coming up or passed, a part changed since it was agreed,
//! this account's suggestions the person has not decided yet) and when it was last
//! synced, what is due first. Built from what this phone holds (the plans, their cards,
//! the membership logs kept beside them), so it reads offline as the last round left
//! it; nothing about anyone who has not shared a plan with this account.

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::PlanId;
use coplan_domain::membership::Right;
use coplan_domain::plan::SectionKind;

use super::flows::Problem;
use crate::i18n::{AccountText as A, Text, fill, t, ta};
use crate::storage::Storage;

/// How near a review is "coming up".
const SOON_MS: u64 = 14 * 24 * 60 * 60 * 1000;

/// What is due on a plan, most pressing first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    ReviewPassed,
    Changed,
    ReviewSoon,
    Suggestions,
    Nothing,
}

/// One plan as the caseload lists it.
#[derive(Debug, Clone, PartialEq)]
struct Case {
    local: PlanId,
    called: String,
    /// What is waiting on it, in words.
    waiting: Vec<String>,
    due: Due,
    /// The review day (for sorting within what is due).
    review_ms: Option<u64>,
}

#[component]
pub fn CaseloadPage() -> impl IntoView {
    let cases = RwSignal::new(None::<Result<Vec<Case>, String>>);
    spawn_local(async move {
        crate::platform::mark("coplan:caseload-asked");
        cases.set(Some(
            load()
                .await
                .map_err(|problem| super::invite::problem_words(&problem)),
        ));
        crate::platform::mark("coplan:caseload-shown");
    });
    let route = crate::route::use_route();
    let open = move |local: PlanId| {
        spawn_local(async move {
            if let Ok(storage) = Storage::shared().await
                && storage.choose_plan(&local).await.is_ok()
            {
                route.go("/");
            }
        })
    };
    let synced = super::notice::synced_at().map(super::notice::moment);
    view! {
        <h1>{ta(A::CaseloadHeading)}</h1>
        <p>{ta(A::CaseloadIntro)}</p>
        {synced.map(|when| view! { <p class="app-hint">{fill(ta(A::CaseloadSynced), &[("when", &when)])}</p> })}
        {move || match cases.get() {
            None => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Some(Err(words)) => view! { <p class="app-field__error" role="alert">{words}</p> }.into_any(),
            Some(Ok(all)) if all.is_empty() => view! { <p>{ta(A::CaseloadNone)}</p> }.into_any(),
            Some(Ok(all)) => view! {
                <ul class="app-overview" data-testid="caseload">
                    {all.into_iter().map(|case| {
                        let local = case.local.clone();
                        let label = fill(ta(A::CaseloadOpen), &[("name", &case.called)]);
                        view! {
                            <li class="app-overview__item">
                                <h2>{case.called.clone()}</h2>
                                {if case.waiting.is_empty() {
                                    view! { <p>{ta(A::CaseloadNothing)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul>{case.waiting.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                                    }.into_any()
                                }}
                                <button class="app-button" type="button" on:click=move |_| open(local.clone())>{label}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any(),
        }}
    }
}

/// The plans shared with this account on this phone, what is due first.
async fn load() -> Result<Vec<Case>, Problem> {
    let storage = Storage::shared().await?;
    let Some(account) = storage.account().await.map_err(|_| Problem::Keys)? else {
        return Ok(Vec::new());
    };
    let me = account.keys.public().signing;
    let here = storage.all_plans().await?;
    let now = crate::platform::now_ms();
    let mut cases = Vec::new();
    for (local, record) in storage.sync_records().await? {
        let (Some(plan), Some(person)) = (record.plan, record.person) else {
            continue;
        };
        if record.is_left() || !here.iter().any(|p| p.id == local) {
            continue;
        }
        let card = crate::plan::read_section(&storage, &local, SectionKind::Card).await?;
        let called = match card.choice("called").trim() {
            "" => ta(A::ReaderThePerson).to_string(),
            name => name.to_string(),
        };
        let mut waiting = Vec::new();
        let mut due = Due::Nothing;
        let review_ms = super::agree::review_day(card.choice("next_review"));
        if let Some(day) = review_ms {
            let date = crate::platform::format_date(day);
            let end_of_day = day + 24 * 60 * 60 * 1000;
            if end_of_day <= now {
                waiting.push(fill(ta(A::CaseloadReviewPassed), &[("date", &date)]));
                due = due.min(Due::ReviewPassed);
            } else if day <= now + SOON_MS {
                waiting.push(fill(ta(A::CaseloadReviewSoon), &[("date", &date)]));
                due = due.min(Due::ReviewSoon);
            } else {
                waiting.push(fill(ta(A::CaseloadReviewLater), &[("date", &date)]));
            }
        }
        // A part changed since it was agreed (judged by the log, kept for offline).
        if let Ok(log) = super::members::verified_or_kept(&storage, &local, &person, plan).await {
            for kind in super::agree::AGREEABLE {
                if log.right(&me, kind) == Right::None {
                    continue;
                }
                let Ok(doc) = crate::plan::read_doc(&storage, &local, kind).await else {
                    continue;
                };
                if let Some(agreed) = super::agree::changed_since_agreed(&doc, plan, kind, &log) {
                    let part = crate::plan::SECTIONS
                        .iter()
                        .find(|(k, ..)| *k == kind)
                        .map_or("", |(_, title, _)| t(*title));
                    waiting.push(fill(
                        ta(A::CaseloadChanged),
                        &[
                            ("section", part),
                            ("date", &crate::platform::format_date(agreed)),
                        ],
                    ));
                    due = due.min(Due::Changed);
                }
            }
        }
        // This account's suggestions the person has not decided yet.
        let undecided: usize = super::suggestions::held(&storage, &local)
            .await?
            .iter()
            .filter(|held| held.member == me)
            .map(|held| held.doc.list().iter().filter(|(_, d)| d.is_none()).count())
            .sum();
        if undecided > 0 {
            let words = if undecided == 1 {
                ta(A::CaseloadSuggestionOne).to_string()
            } else {
                fill(
                    ta(A::CaseloadSuggestions),
                    &[("count", &undecided.to_string())],
                )
            };
            waiting.push(words);
            due = due.min(Due::Suggestions);
        }
        cases.push(Case {
            local,
            called,
            waiting,
            due,
            review_ms,
        });
    }
    cases.sort_by(|a, b| {
        (a.due, a.review_ms.unwrap_or(u64::MAX), &a.called).cmp(&(
            b.due,
            b.review_ms.unwrap_or(u64::MAX),
            &b.called,
        ))
    });
    Ok(cases)
}
