//! What others did with the person's plan (issue 14), at `/access`, on the person's
//! phone: built here from what the server recorded (`GET /plans/{plan}/access`: whose
//! phone received a document's changes, sent changes to one, fetched the keys, or who
//! left the plan) and
//! from the plan's membership log, verified here (who joined, changed rights, was
//! removed, and when); put in plain words, one line per member, what and day, newest
//! first: "sam.worker's phone received My safety plan (3 times today)". Kept sealed on
//! the phone each time, so offline it shows the last copy and says when it was fetched.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::PlanId;
use coplan_domain::membership::{Op, read_op, written_ms};
use coplan_domain::plan::SectionKind;
use coplan_domain::sync::id_to_hex;
use coplan_domain::sync::record::PlanSync;
use coplan_domain::wire::{ACCESS_COPY_VERSION, AccessCopy, AccessLog, MembershipLog, People};

use super::api::{self, ApiProblem};
use super::flows::Problem;
use super::members;
use crate::i18n::{AccountText as A, Text, fill, t, ta};
use crate::plan::section_title;
use crate::storage::Storage;

/// What one line says, before it is put in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum What {
    Received(SectionKind),
    Sent(SectionKind),
    Suggested(SectionKind),
    Keys,
    Left,
    Joined,
    Removed,
    Changed,
}

/// Who, what, and the day: one line of the log.
type Line = (String, What, String);

/// The local calendar day of a moment, as `YYYY-MM-DD` (sorts as time does).
fn day_of(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// "today", or "on 2 December".
fn day_words(ms: u64, today: &str) -> String {
    if day_of(ms) == today {
        return ta(A::AccessToday).to_string();
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    for (key, value) in [("day", "numeric"), ("month", "long")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    let shown: String = date.to_locale_date_string("en-GB", &options).into();
    fill(ta(A::AccessOnDay), &[("date", &shown)])
}

/// The person's own plan open on this phone (attached), with its sync record and the
/// account: nothing here needs the network.
async fn here() -> Result<Option<(PlanId, PlanSync, [u8; 32])>, Problem> {
    let storage = Storage::shared().await?;
    let Some(account) = storage.account().await.map_err(|_| Problem::Keys)? else {
        return Ok(None);
    };
    let open = storage.current_plan().await?;
    let found = storage.sync_records().await?.into_iter().find(|(p, r)| {
        Some(p.as_str()) == open.as_deref() && r.person.is_none() && r.plan.is_some()
    });
    Ok(found.map(|(local, record)| (local, record, account.keys.public().signing)))
}

/// The lines, fetched and put in words now.
async fn fetched(record: &PlanSync, me: [u8; 32]) -> Result<Vec<String>, Problem> {
    let plan = record.plan.ok_or(Problem::Keys)?;
    let hex = id_to_hex(&plan);
    let log = members::verified(&me, plan, true).await?;
    let people: People = api::get(&format!("/api/v1/plans/{hex}/people")).await?;
    let access: AccessLog = api::get(&format!("/api/v1/plans/{hex}/access")).await?;
    let entries: MembershipLog = api::get(&format!("/api/v1/plans/{hex}/members")).await?;
    let name = |key: &[u8; 32]| {
        people
            .people
            .iter()
            .find(|p| p.signing.0 == *key)
            .map_or_else(|| ta(A::AccessSomeone).to_string(), |p| p.username.clone())
    };
    let section_of = |target: &str| -> Option<What> {
        if let Some(section) = record
            .documents
            .iter()
            .find(|d| id_to_hex(&d.engine.document) == target)
            .and_then(|d| SectionKind::ALL.into_iter().find(|k| k.key() == d.section))
        {
            return Some(What::Sent(section));
        }
        log.suggestions
            .iter()
            .find(|(document, _)| id_to_hex(document) == target)
            .map(|(_, (_, section))| What::Suggested(*section))
    };
    // (who, what, day) → how many times, and the latest.
    let mut lines: BTreeMap<Line, (u32, u64)> = BTreeMap::new();
    let mut count = |who: String, what: What, at: u64| {
        let line = lines.entry((who, what, day_of(at))).or_insert((0, 0));
        line.0 += 1;
        line.1 = line.1.max(at);
    };
    for entry in &access.entries {
        let what = match (entry.action.as_str(), section_of(&entry.target)) {
            ("keys", _) if entry.target == hex => What::Keys,
            ("left", _) if entry.target == hex => What::Left,
            ("received", Some(What::Sent(section) | What::Suggested(section))) => {
                What::Received(section)
            }
            ("sent", Some(what)) => what,
            _ => continue,
        };
        count(name(&entry.who.0), what, entry.at_ms);
    }
    // Only what the verified log holds, as the person's phone wrote it.
    for entry in entries.entries.iter().take(log.len as usize) {
        let entry = entry.as_slice();
        let (Some(op), Some(at)) = (read_op(entry), written_ms(entry)) else {
            continue;
        };
        let (who, what) = match op {
            Op::AddMember { signing, .. } if signing != me => (signing, What::Joined),
            Op::Remove { member } => (member, What::Removed),
            Op::ChangeRights { member, .. } => (member, What::Changed),
            _ => continue,
        };
        count(name(&who), what, at);
    }
    let today = day_of(js_sys::Date::now() as u64);
    let mut sorted: Vec<(Line, (u32, u64))> = lines.into_iter().collect();
    sorted.sort_by_key(|(_, (_, latest))| std::cmp::Reverse(*latest));
    let said = sorted
        .into_iter()
        .map(|((who, what, _), (times, at))| {
            let day = day_words(at, &today);
            let times = if times == 1 {
                ta(A::AccessOnce).to_string()
            } else {
                fill(ta(A::AccessTimes), &[("count", &times.to_string())])
            };
            let (phrase, section) = match what {
                What::Received(s) => (A::AccessReceived, Some(s)),
                What::Sent(s) => (A::AccessSent, Some(s)),
                What::Suggested(s) => (A::AccessSuggested, Some(s)),
                What::Keys => (A::AccessKeys, None),
                What::Left => (A::AccessLeft, None),
                What::Joined => (A::AccessJoined, None),
                What::Removed => (A::AccessRemoved, None),
                What::Changed => (A::AccessChanged, None),
            };
            let section = section.map(|s| t(section_title(s))).unwrap_or_default();
            fill(
                ta(phrase),
                &[
                    ("name", &who),
                    ("section", section),
                    ("times", &times),
                    ("day", &day),
                ],
            )
        })
        .collect();
    Ok(said)
}

/// The lines: fetched and kept, or (offline) as this phone last kept them, with when.
async fn load() -> Result<Option<(Vec<String>, Option<u64>)>, Problem> {
    let Some((local, record, me)) = here().await? else {
        return Ok(None);
    };
    let storage = Storage::shared().await?;
    match fetched(&record, me).await {
        Ok(lines) => {
            let copy = AccessCopy {
                v: ACCESS_COPY_VERSION,
                at_ms: js_sys::Date::now() as u64,
                lines,
            };
            let text = serde_json::to_vec(&copy).map_err(|_| Problem::Keys)?;
            storage.keep_access_copy(&local, &text).await?;
            Ok(Some((copy.lines, None)))
        }
        Err(Problem::Api(ApiProblem::Offline)) => {
            let kept = storage
                .access_copy(&local)
                .await?
                .and_then(|bytes| serde_json::from_slice::<AccessCopy>(&bytes).ok())
                .filter(|copy| copy.v == ACCESS_COPY_VERSION)
                .ok_or(Problem::Api(ApiProblem::Offline))?;
            Ok(Some((kept.lines, Some(kept.at_ms))))
        }
        Err(other) => Err(other),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    NotShared,
    /// The lines, and when they were fetched if this phone is offline.
    Lines(Vec<String>, Option<u64>),
    Failed(String),
}

#[component]
pub fn AccessPage() -> impl IntoView {
    let step = RwSignal::new(Step::Loading);
    spawn_local(async move {
        step.set(match load().await {
            Ok(Some((lines, kept))) => Step::Lines(lines, kept),
            Ok(None) => Step::NotShared,
            Err(problem) => Step::Failed(super::invite::problem_words(&problem)),
        });
    });
    view! {
        <h1>{ta(A::AccessHeading)}</h1>
        <p>{ta(A::AccessIntro)}</p>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Step::NotShared => view! { <p>{ta(A::PeopleNotShared)}</p> }.into_any(),
            Step::Lines(lines, _) if lines.is_empty() => view! { <p>{ta(A::AccessNone)}</p> }.into_any(),
            Step::Lines(lines, kept) => view! {
                {kept.map(|at| view! {
                    <p role="status">{fill(ta(A::AccessKept), &[("time", &super::notice::moment(at))])}</p>
                })}
                <ul data-testid="access-log">
                    {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
            }
            .into_any(),
            Step::Failed(words) => view! {
                <p class="app-field__error" role="alert">{words}</p>
            }
            .into_any(),
        }}
    }
}
