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
pub enum Due {
    ReviewPassed,
    Changed,
    ReviewSoon,
    Suggestions,
    Nothing,
}

/// One plan as the caseload lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub local: PlanId,
    pub called: String,
    /// What is waiting on it, in words.
    pub waiting: Vec<String>,
    pub due: Due,
    /// The review day (for sorting within what is due).
    pub review_ms: Option<u64>,
}

#[component]
pub fn CaseloadPage() -> impl IntoView {
    let cases = RwSignal::new(None::<Result<Vec<Case>, String>>);
    spawn_local(async move {
        crate::platform::mark("coplan:caseload-asked");
        cases.set(Some(
            self::cases(None)
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

thread_local! {
    static KEEPING_UP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// After a round: if what the caseload keeps of any of `shared` (the plans shared with
/// this account that the round synced) is out of date, works the caseload out again in
/// the background, keeping what it works out, so opening it finds it kept. One at a time.
pub fn keep_up(shared: Vec<PlanId>) {
    if shared.is_empty() || KEEPING_UP.get() {
        return;
    }
    KEEPING_UP.set(true);
    spawn_local(async move {
        let worked = async {
            let storage = Storage::shared().await?;
            if storage.cases_kept(&shared).await? {
                return Ok(());
            }
            cases(Some(storage)).await.map(drop)
        };
        if let Err(problem) = worked.await {
            web_sys::console::warn_1(&format!("caseload: not kept up ({problem:?})").into());
        }
        KEEPING_UP.set(false);
    });
}

/// The plans shared with this account on this phone (in `storage`, else the app's own
/// database), what is due first.
pub async fn cases(storage: Option<Storage>) -> Result<Vec<Case>, Problem> {
    let storage = match storage {
        Some(storage) => storage,
        None => Storage::shared().await?,
    };
    let Some(account) = storage.account().await.map_err(|_| Problem::Keys)? else {
        return Ok(Vec::new());
    };
    let me = account.keys.public().signing;
    let here = storage.all_plans().await?;
    let now = crate::platform::now_ms();
    // What was written here before the records (as `suggestions::held` reads them), each
    // read once for every plan; then the plans together, so one's reads wait alongside
    // another's.
    let pending = storage.all_pending_suggestions().await?;
    let records = storage.sync_records().await?;
    let shared: Vec<_> = records
        .into_iter()
        .filter(|(local, record)| !record.is_left() && here.iter().any(|p| p.id == *local))
        .collect();
    let locals: Vec<PlanId> = shared.iter().map(|(local, _)| local.clone()).collect();
    let kept = storage.case_copies(&locals).await?;
    let each = shared.into_iter().zip(kept).map(|((local, record), kept)| {
        let pending: Vec<(&str, &[u8])> = pending
            .iter()
            .filter(|(plan, ..)| plan == local.as_str())
            .map(|(_, _, document, update)| (document.as_str(), update.as_slice()))
            .collect();
        let storage = &storage;
        async move { case(storage, me, now, local, &record, &pending, kept).await }
    });
    let worked_out = futures_util::future::join_all(each)
        .await
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    // What was worked out again is kept in one go, after the list is ready.
    let fresh: Vec<(PlanId, f64, Vec<u8>)> = worked_out
        .iter()
        .flatten()
        .filter_map(|(case, fresh)| {
            Some((
                case.local.clone(),
                fresh.as_ref()?.0,
                fresh.as_ref()?.1.to_bytes(),
            ))
        })
        .collect();
    if !fresh.is_empty() {
        let storage = storage.clone();
        // (Not Leptos's spawner: the list is also read where no app runs, in its tests.)
        wasm_bindgen_futures::spawn_local(async move {
            if storage.keep_case_copies(&fresh).await.is_err() {
                web_sys::console::warn_1(&"caseload: what was worked out was not kept".into());
            }
        });
    }
    let mut cases: Vec<Case> = worked_out
        .into_iter()
        .flatten()
        .map(|(case, _)| case)
        .collect();
    cases.sort_by(|a, b| {
        (a.due, a.review_ms.unwrap_or(u64::MAX), &a.called).cmp(&(
            b.due,
            b.review_ms.unwrap_or(u64::MAX),
            &b.called,
        ))
    });
    Ok(cases)
}

/// What the caseload works out of a plan from its parts and its membership log (the
/// costly part: reading and unsealing them, checking signatures), kept beside the plan's
/// sync record until any of it is written again (`Storage::case_copies`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub v: u32,
    /// The name on the plan's card, as typed (empty if none).
    pub called: String,
    /// The card's next review day, as kept (`2027-03-03`, or empty).
    pub review: String,
    /// Each part this account may see that changed since it was agreed: its stored name
    /// and when it was agreed.
    pub changed: Vec<(String, u64)>,
}

/// The stored form of a [`Summary`]: JSON, pinned by `tests/caseload.rs`.
pub const SUMMARY_VERSION: u32 = 1;

impl Summary {
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// None for another version or damage (then it is worked out again).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(bytes)
            .ok()
            .filter(|s| s.v == SUMMARY_VERSION)
    }
}

/// `local`'s summary worked out from its parts and membership log.
async fn work_out(
    storage: &Storage,
    me: [u8; 32],
    local: &PlanId,
    plan: [u8; 16],
    person: [u8; 32],
) -> Result<Summary, Problem> {
    let card = crate::plan::read_section(storage, local, SectionKind::Card).await?;
    let mut changed = Vec::new();
    // A part changed since it was agreed (judged by the log, kept for offline).
    if let Ok(log) = super::members::verified_or_kept(storage, local, &person, plan).await {
        for kind in super::agree::AGREEABLE {
            if log.right(&me, kind) == Right::None {
                continue;
            }
            let Ok(doc) = crate::plan::read_doc(storage, local, kind).await else {
                continue;
            };
            if let Some(agreed) = super::agree::changed_since_agreed(&doc, plan, kind, &log) {
                changed.push((kind.key().to_string(), agreed));
            }
        }
    }
    Ok(Summary {
        v: SUMMARY_VERSION,
        called: card.choice("called").trim().to_string(),
        review: card.choice("next_review").to_string(),
        changed,
    })
}

/// What is waiting on one plan shared with `me`, `record` its sync record and `pending`
/// the suggestions written here not yet in it; None for a plan of `me`'s own, or not
/// attached yet (only a plan whose record names a person is someone else's).
async fn case(
    storage: &Storage,
    me: [u8; 32],
    now: u64,
    local: PlanId,
    record: &coplan_domain::sync::record::PlanSync,
    pending: &[(&str, &[u8])],
    (token, kept): (f64, Option<Vec<u8>>),
) -> Result<Option<(Case, Option<(f64, Summary)>)>, Problem> {
    let (Some(plan), Some(person)) = (record.plan, record.person) else {
        return Ok(None);
    };
    // What was kept, while nothing it came from has been written; else worked out again
    // (from what is read after `token`: anything written meanwhile changes the token,
    // and what is kept under this one is not used).
    let (summary, fresh) = match kept.as_deref().and_then(Summary::from_bytes) {
        Some(summary) => (summary, false),
        None => (work_out(storage, me, &local, plan, person).await?, true),
    };
    let called = match summary.called.as_str() {
        "" => ta(A::ReaderThePerson).to_string(),
        name => name.to_string(),
    };
    let mut waiting = Vec::new();
    let mut due = Due::Nothing;
    let review_ms = super::agree::review_day(&summary.review);
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
    for (key, agreed) in &summary.changed {
        let part = crate::plan::SECTIONS
            .iter()
            .find(|(kind, ..)| kind.key() == key)
            .map_or("", |(_, title, _)| t(*title));
        waiting.push(fill(
            ta(A::CaseloadChanged),
            &[
                ("section", part),
                ("date", &crate::platform::format_date(*agreed)),
            ],
        ));
        due = due.min(Due::Changed);
    }
    // This account's suggestions the person has not decided yet.
    let undecided: usize = super::suggestions::held_with(pending, record)
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
    let case = Case {
        local,
        called,
        waiting,
        due,
        review_ms,
    };
    Ok(Some((case, fresh.then_some((token, summary)))))
}
