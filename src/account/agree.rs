//! Marking a part of the open plan agreed (issue 15 item 2), at `/agree/care-plan` and
//! so on, and the line each writing screen shows about it (`crate::plan::agreed`).
//!
//! The person and a member who may change the part each mark it on their own phone: the
//! first signs what their copy holds and shows (`coplan_domain::plan::agreement`), the
//! second signs that very statement, and only once their copy holds all of it and shows
//! the same words (else they are asked to let it sync first). The marks travel inside
//! the part's own document, so they sync, and are checked, like any change; every phone
//! judges them against the verified membership log. Afterwards the part says when it was
//! agreed and by whom, or that it changed since, and the agreed words can be opened
//! read-only and printed.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::PlanId;
use coplan_domain::keys::AccountRecord;
use coplan_domain::membership::{Membership, Right};
use coplan_domain::plan::agreement::{self, Agreement, CannotJoin, Mark, Marks, Statement};
use coplan_domain::plan::history::Who;
use coplan_domain::plan::{SectionDoc, SectionKind, SectionView, schema};

use super::flows::Problem;
use super::history::Names;
use crate::i18n::{AccountText as A, Text, fill, t, ta};
use crate::storage::Storage;

/// The parts a plan can have agreed: the care and support plan, and (if the person
/// wishes) the safety plan and crisis wishes.
pub const AGREEABLE: [SectionKind; 3] = [
    SectionKind::CarePlan,
    SectionKind::SafetyPlan,
    SectionKind::CrisisWishes,
];

/// The open plan, with what judging its marks needs.
struct Open {
    storage: Storage,
    local: PlanId,
    plan: [u8; 16],
    me: [u8; 32],
    account: AccountRecord,
    log: Membership,
}

impl Open {
    /// The open plan, once it is synced to an account; None before.
    async fn now(fresh: bool) -> Result<Option<Self>, Problem> {
        let Some(super::history::OpenSynced {
            storage,
            account,
            local,
            record,
        }) = super::history::OpenSynced::now().await?
        else {
            return Ok(None);
        };
        let me = account.keys.public().signing;
        let Some(plan) = record.plan else {
            return Ok(None);
        };
        let person = record.person.unwrap_or(me);
        let log = if fresh {
            super::members::verified(&person, plan, true).await?
        } else {
            super::members::verified_or_kept(&storage, &local, &person, plan).await?
        };
        Ok(Some(Self {
            storage,
            local,
            plan,
            me,
            account,
            log,
        }))
    }

    fn marks(&self, doc: &SectionDoc, kind: SectionKind) -> Marks {
        // (The same judgement as `changed_since_agreed`.)
        agreement::read_marks(&doc.marks(), &self.plan, kind, &self.log.person, |key| {
            self.log.may_have_agreed(key, kind)
        })
    }

    /// Whether this account may mark `kind` agreed: the person, or a member who may
    /// change it.
    fn may_mark(&self, kind: SectionKind) -> bool {
        self.me == self.log.person || self.log.right(&self.me, kind) == Right::Edit
    }

    /// Whether anyone but the person may change `kind` now (someone to agree it with).
    fn someone_else_may(&self, kind: SectionKind) -> bool {
        self.log
            .members
            .keys()
            .any(|key| *key != self.log.person && self.log.right(key, kind) == Right::Edit)
    }

    /// Whether the plan is shared with anyone now.
    fn shared(&self) -> bool {
        self.log
            .members
            .iter()
            .any(|(key, m)| *key != self.log.person && !m.removed)
    }
}

/// Works out the line each agreeable part's writing screen shows, for the open plan
/// `local` (whose verified log is `log`), after a round; none for a plan shared with no
/// one, or a part this account cannot read.
pub async fn show(
    storage: &Storage,
    local: &PlanId,
    plan: [u8; 16],
    log: &Membership,
    me: [u8; 32],
) {
    let open = Open {
        storage: storage.clone(),
        local: local.clone(),
        plan,
        me,
        account: match storage.account().await {
            Ok(Some(account)) => account,
            _ => return,
        },
        log: log.clone(),
    };
    let mut lines = BTreeMap::new();
    if open.shared() {
        let names = Names::of_plan(storage, local, plan, log, me).await;
        for kind in AGREEABLE {
            if log.right(&me, kind) == Right::None {
                continue;
            }
            let Ok(doc) = crate::plan::read_doc(storage, local, kind).await else {
                continue;
            };
            let marks = open.marks(&doc, kind);
            lines.insert(kind, line(kind, &marks, &doc.view(), &names, me));
        }
    }
    crate::plan::agreed::set(lines);
    if me == log.person {
        super::notice::review(reminder(&open).await);
    }
}

/// How soon before the review the person is reminded.
const REMIND_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// The person's review reminder for the open plan, if they asked for one and the review
/// is a week away or less, or passed: with whom (the member they last agreed the care
/// plan with, else the workers who may change it), and when.
async fn reminder(open: &Open) -> Option<String> {
    if !super::notice::reminders_on() {
        return None;
    }
    let doc = crate::plan::read_doc(&open.storage, &open.local, SectionKind::CarePlan)
        .await
        .ok()?;
    let view = doc.view();
    let day = review_day(view.choice("next_review"))?;
    let now = crate::platform::now_ms();
    let passed = day + 24 * 60 * 60 * 1000 <= now;
    if !passed && day > now + REMIND_MS {
        return None;
    }
    let marks = open.marks(&doc, SectionKind::CarePlan);
    let mut with: Vec<[u8; 32]> = marks
        .latest()
        .map(|a| a.with.iter().map(|(key, _)| *key).collect())
        .unwrap_or_default();
    with.retain(|key| open.log.members.get(key).is_some_and(|m| !m.removed));
    if with.is_empty() {
        with = open
            .log
            .members
            .iter()
            .filter(|(key, m)| {
                **key != open.log.person
                    && m.role == coplan_domain::membership::Role::Worker
                    && open.log.right(key, SectionKind::CarePlan) == Right::Edit
            })
            .map(|(key, _)| *key)
            .collect();
    }
    let date = crate::platform::format_date(day);
    if with.is_empty() {
        let said = if passed {
            A::ReviewPassedAlone
        } else {
            A::ReviewSoonAlone
        };
        return Some(fill(ta(said), &[("date", &date)]));
    }
    let names = Names::of_plan(&open.storage, &open.local, open.plan, &open.log, open.me).await;
    let who: Vec<String> = with
        .iter()
        .map(|key| names.who(Who::Member(*key)))
        .collect();
    let said = if passed {
        A::ReviewPassed
    } else {
        A::ReviewSoon
    };
    Some(fill(
        ta(said),
        &[("who", &who.join(" and ")), ("date", &date)],
    ))
}

/// The start of a review day (`YYYY-MM-DD`), in this phone's time zone.
pub(super) fn review_day(value: &str) -> Option<u64> {
    let (y, m, d) = schema::parse_date(value)?;
    let day = js_sys::Date::new_with_year_month_day(u32::from(y), i32::from(m) - 1, i32::from(d));
    Some(day.get_time() as u64)
}

/// The open plan's agreement lines and review reminder, before any round (offline, or
/// just opened): from what this phone holds and the membership log kept beside it.
pub async fn show_kept() {
    if let Ok(Some(open)) = Open::now(false).await {
        show(&open.storage, &open.local, open.plan, &open.log, open.me).await;
    }
}

/// When `kind` of the plan `plan` (its copy here `doc`, its verified log `log`) was last
/// agreed, if it reads otherwise now: for the caseload.
pub(super) fn changed_since_agreed(
    doc: &SectionDoc,
    plan: [u8; 16],
    kind: SectionKind,
    log: &Membership,
) -> Option<u64> {
    let marks = agreement::read_marks(&doc.marks(), &plan, kind, &log.person, |key| {
        log.may_have_agreed(key, kind)
    });
    let latest = marks.latest()?;
    agreement::changed_since(latest, &doc.view()).then(|| latest.agreed_at_ms())
}

/// What a part's marks say, in one line.
fn line(
    kind: SectionKind,
    marks: &Marks,
    now: &SectionView,
    names: &Names,
    me: [u8; 32],
) -> String {
    let latest = marks.latest();
    let newer = marks
        .waiting
        .last()
        .filter(|w| latest.is_none_or(|a| w.at_ms > a.agreed_at_ms()));
    if let Some(waiting) = newer {
        let date = crate::platform::format_date(waiting.at_ms);
        return if waiting.by == me {
            fill(ta(A::AgreeWaitingMine), &[("date", &date)])
        } else {
            fill(
                ta(A::AgreeWaitingTheirs),
                &[
                    ("who", &names.who(Who::Member(waiting.by))),
                    ("date", &date),
                ],
            )
        };
    }
    let Some(agreed) = latest else {
        return ta(A::AgreeNone).into();
    };
    let who = together(agreed, names, me);
    let date = crate::platform::format_date(agreed.agreed_at_ms());
    if agreement::changed_since(agreed, now) {
        return fill(ta(A::AgreedChanged), &[("who", &who), ("date", &date)]);
    }
    let said = fill(ta(A::AgreedBy), &[("who", &who), ("date", &date)]);
    match review_date(kind, now) {
        Some(review) => format!(
            "{said} · {}",
            fill(ta(A::AgreedNextReview), &[("date", &review)])
        ),
        None => said,
    }
}

/// Who agreed it: "you and Sam (worker)", or the names of others.
fn together(agreed: &Agreement, names: &Names, me: [u8; 32]) -> String {
    let everyone: Vec<[u8; 32]> = std::iter::once(names.person())
        .chain(agreed.with.iter().map(|(key, _)| *key))
        .collect();
    let others: Vec<String> = everyone
        .iter()
        .filter(|key| **key != me)
        .map(|key| names.who(Who::Member(*key)))
        .collect();
    let others = others.join(" and ");
    if everyone.contains(&me) {
        fill(ta(A::AgreeYouAnd), &[("who", &others)])
    } else {
        others
    }
}

/// The care plan's next review, in words, if one is picked.
fn review_date(kind: SectionKind, view: &SectionView) -> Option<String> {
    if kind != SectionKind::CarePlan {
        return None;
    }
    review_day(view.choice("next_review")).map(crate::platform::format_date)
}

/// What the page shows.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    NotSynced,
    Shown(Shown),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Shown {
    line: String,
    /// Why this account cannot mark it, if it cannot.
    cannot: Option<A>,
    /// Someone else marked it last: the button says "too".
    too: bool,
    /// The latest agreed version: its date, and its words as they were.
    agreed: Option<(String, SectionView)>,
    /// This is the person's phone (who may ask to be reminded of their review).
    persons: bool,
}

#[component]
pub fn AgreePage() -> impl IntoView {
    let path = crate::route::use_route().path();
    let Some((kind, title, back)) =
        super::history::part_at("/agree", &path).filter(|(kind, ..)| AGREEABLE.contains(kind))
    else {
        return view! { <h1>{t(Text::NotFoundHeading)}</h1> }.into_any();
    };
    let step = RwSignal::new(Step::Loading);
    let said = RwSignal::new(None::<String>);
    let showing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let reload = move || {
        spawn_local(async move {
            step.set(match load(kind).await {
                Ok(Some(shown)) => Step::Shown(shown),
                Ok(None) => Step::NotSynced,
                Err(problem) => Step::Failed(super::invite::problem_words(&problem)),
            });
        })
    };
    reload();
    let section = t(title);
    let on_mark = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            said.set(Some(match mark(kind).await {
                Ok(words) => words,
                Err(problem) => super::invite::problem_words(&problem),
            }));
            busy.set(false);
            super::wake::now();
            reload();
        })
    };
    let reminders = RwSignal::new(super::notice::reminders_on());
    let toggle_reminders = move |on: bool| {
        reminders.set(on);
        super::notice::set_reminders(on);
        spawn_local(show_kept());
    };
    let print = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <h1>{fill(ta(A::AgreeHeading), &[("section", section)])}</h1>
        <p>{ta(A::AgreeIntro)}</p>
        <p><a class="app-link" href=back>{fill(ta(A::AgreeBack), &[("section", section)])}</a></p>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Step::NotSynced => view! { <p>{ta(A::AgreeNotSynced)}</p> }.into_any(),
            Step::Failed(words) => view! { <p class="app-field__error" role="alert">{words}</p> }.into_any(),
            Step::Shown(shown) => {
                let button = if shown.too { A::AgreeMarkToo } else { A::AgreeMark };
                let agreed = shown.agreed.clone();
                view! {
                    <p class="app-readers" data-testid="agree-line">{shown.line.clone()}</p>
                    {match shown.cannot {
                        Some(why) => view! { <p>{ta(why)}</p> }.into_any(),
                        None => view! {
                            <button class="app-button" type="button" aria-disabled=move || busy.get().to_string() on:click=on_mark>
                                {ta(button)}
                            </button>
                        }.into_any(),
                    }}
                    {(shown.persons && kind == SectionKind::CarePlan).then(|| view! {
                        <div class="app-check">
                            <input
                                id="agree-remind"
                                class="app-check__box"
                                type="checkbox"
                                prop:checked=move || reminders.get()
                                on:change=move |ev| toggle_reminders(event_target_checked(&ev))
                            />
                            <label class="app-check__label" for="agree-remind">{ta(A::ReviewRemind)}</label>
                        </div>
                    })}
                    {agreed.map(|(date, version)| {
                        let heading = fill(ta(A::AgreeVersionHeading), &[("section", section), ("date", &date)]);
                        view! {
                            <p>
                                <button class="app-button" type="button" aria-expanded=move || showing.get().to_string() on:click=move |_| showing.update(|s| *s = !*s)>
                                    {move || if showing.get() { ta(A::AgreeHide) } else { ta(A::AgreeShow) }}
                                </button>
                            </p>
                            <Show when=move || showing.get()>
                                <section class="app-agreed" data-testid="agreed-version">
                                    <h2>{heading.clone()}</h2>
                                    {agreed_words(kind, &version)}
                                    <button class="app-button" type="button" on:click=print>{ta(A::AgreePrint)}</button>
                                </section>
                            </Show>
                        }
                    })}
                }
                .into_any()
            }
        }}
        {move || said.get().map(|words| view! { <p role="status" class="app-note">{words}</p> })}
    }
    .into_any()
}

/// The page's state for `kind` of the open plan.
async fn load(kind: SectionKind) -> Result<Option<Shown>, Problem> {
    let Some(open) = Open::now(false).await? else {
        return Ok(None);
    };
    let doc = crate::plan::read_doc(&open.storage, &open.local, kind).await?;
    let names = Names::of_plan(&open.storage, &open.local, open.plan, &open.log, open.me).await;
    let marks = open.marks(&doc, kind);
    let now = doc.view();
    let cannot = if !open.may_mark(kind) {
        Some(A::AgreeMayNot)
    } else if open.me == open.log.person && !open.someone_else_may(kind) {
        Some(A::AgreeNoOneElse)
    } else {
        None
    };
    let too = marks.waiting.last().is_some_and(|w| w.by != open.me);
    let agreed = marks.latest().and_then(|a| {
        let version = doc.agreed_view(&a.statement)?;
        Some((crate::platform::format_date(a.agreed_at_ms()), version))
    });
    Ok(Some(Shown {
        line: line(kind, &marks, &now, &names, open.me),
        cannot,
        too,
        agreed,
        persons: open.me == open.log.person,
    }))
}

/// Marks `kind` of the open plan agreed on this phone: the statement someone else is
/// waiting on, if this copy holds all of it and shows the same words; else what this copy
/// shows now. What to say.
async fn mark(kind: SectionKind) -> Result<String, Problem> {
    let open = Open::now(true).await?.ok_or(Problem::Keys)?;
    if !open.may_mark(kind) {
        return Ok(ta(A::AgreeMayNot).into());
    }
    let names = Names::of_plan(&open.storage, &open.local, open.plan, &open.log, open.me).await;
    let doc = super::sync::section_doc(&open.storage, &open.local, kind).await?;
    let view = doc.view();
    let marks = open.marks(&doc, kind);
    let own = Statement {
        plan: open.plan,
        section: kind,
        state: doc.agreement_state(),
        view_hash: agreement::view_hash(&view),
    };
    let theirs = marks
        .waiting
        .iter()
        .rev()
        .find(|w| w.by != open.me)
        .filter(|w| marks.latest().is_none_or(|a| w.at_ms > a.agreed_at_ms()));
    let (statement, said) = match theirs {
        Some(waiting) => {
            let who = names.who(Who::Member(waiting.by));
            match agreement::may_join(&waiting.statement, &doc.agreement_state(), &view) {
                Ok(()) => (
                    waiting.statement.clone(),
                    ta(A::AgreeMarkedBoth).to_string(),
                ),
                Err(CannotJoin::Behind) => {
                    return Ok(fill(ta(A::AgreeSyncFirst), &[("who", &who)]));
                }
                Err(CannotJoin::Different | CannotJoin::Damaged) => {
                    (own, fill(ta(A::AgreeMarkedNew), &[("who", &who)]))
                }
            }
        }
        None => (own, ta(A::AgreeMarked).to_string()),
    };
    let mark = Mark::sign(statement, &open.account.keys, crate::platform::now_ms());
    let update = doc.add_mark(&mark, &view).map_err(|_| {
        Problem::Storage(crate::storage::StorageError::WriteFailed {
            detail: "agreement".into(),
        })
    })?;
    super::sync::write_updates(&open.storage, &open.local, kind, &[update]).await?;
    Ok(said)
}

/// A list item's part as the screen shows it: a life area by its title, a goal an action
/// serves by the goal's words, any other choice by its words (never a code the plan
/// keeps), and typed words as typed.
pub(super) fn part_shown(
    kind: SectionKind,
    view: &SectionView,
    part: &schema::PartSpec,
    value: &str,
) -> String {
    match part.kind {
        schema::PartKind::Choice(schema::Choice::OneOf(areas))
            if areas == coplan_domain::plan::LIFE_AREAS =>
        {
            crate::i18n::words(kind, value).title.to_string()
        }
        schema::PartKind::Choice(schema::Choice::ItemRef) => view
            .lists
            .values()
            .flat_map(|list| &list.items)
            .find(|item| item.id == value)
            .map(|item| item.part("text").to_string())
            .unwrap_or_default(),
        schema::PartKind::Choice(_) => match crate::i18n::choice_label(part.name, value) {
            "" => value.to_string(),
            label => label.to_string(),
        },
        // Words the person typed, as typed.
        _ => value.to_string(),
    }
}

/// The agreed words, read-only: each field, choice and list with something in it, under
/// the screen's titles.
fn agreed_words(kind: SectionKind, view: &SectionView) -> impl IntoView + use<> {
    let spec = kind.spec();
    let mut blocks = Vec::new();
    for field in spec.fields {
        let text = view.field(field.name).trim();
        if !text.is_empty() {
            blocks.push((
                crate::i18n::words(kind, field.name).title,
                vec![text.to_string()],
            ));
        }
    }
    for list in spec.lists {
        let Some(found) = view
            .lists
            .get(list.name)
            .filter(|l| !l.hidden && !l.items.is_empty())
        else {
            continue;
        };
        let items = found
            .items
            .iter()
            .map(|item| {
                list.parts
                    .iter()
                    .filter(|part| !item.part(part.name).trim().is_empty())
                    .map(|part| {
                        let value = part_shown(kind, view, part, item.part(part.name));
                        match crate::i18n::part_label(kind, part.name) {
                            "" => value,
                            label => format!("{label}: {value}"),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .collect();
        blocks.push((crate::i18n::words(kind, list.name).title, items));
    }
    for choice in spec.choices {
        let value = view.choice(choice.name);
        if !value.is_empty() {
            let label = crate::i18n::choice_label(choice.name, value);
            let value = if label.is_empty() { value } else { label };
            blocks.push((
                crate::i18n::words(kind, choice.name).title,
                vec![value.to_string()],
            ));
        }
    }
    blocks
        .into_iter()
        .map(|(title, lines)| {
            view! {
                <h3>{title}</h3>
                <ul class="app-plain-list">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            }
        })
        .collect_view()
}
