//! Suggestions (issue 14), in the account part, at `/suggestions`:
//! - on the person's phone, each suggestion waiting in their plan, in place: who suggests
//!   it, what it would change, the words as they read now beside it, and Take it in or
//!   Leave it out. A suggestion written against words that have changed since says so;
//!   taking one in changes the section only if it still reads what was shown
//!   (`Suggestion::edit`), as the person, through the same writing session every screen
//!   uses;
//! - on a member's phone, each section they may suggest to, with its words as they read
//!   now, a way to suggest new words for a field or something to add to a list, and their
//!   suggestions with what became of each.

use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::PlanId;
use coplan_domain::plan::suggestions::{
    Change, Decided, Standing, Suggestion, SuggestionsDoc, words_now,
};
use coplan_domain::plan::{ItemId, PlanError, SectionKind, SectionView};
use coplan_domain::wire::People;

use super::api;
use super::flows::Problem;
use super::suggestions::{self, Held};
use crate::components::save_status::SaveStatus;
use crate::i18n::{AccountText as A, Text, fill, part_label, t, ta, words};
use crate::plan::{SectionSession, read_section, section_title};
use crate::storage::Storage;

/// One suggestion as the screen shows it.
#[derive(Clone)]
struct Card {
    document: [u8; 16],
    section: SectionKind,
    name: String,
    suggestion: Suggestion,
    decided: Option<Decided>,
    /// The words where it would go, as the section reads now (what the person is shown).
    now: Option<String>,
    standing: Standing,
}

#[derive(Clone)]
enum Step {
    Loading,
    Nothing,
    Person(Vec<Card>),
    Member {
        sections: Vec<(SectionKind, [u8; 16], SectionView)>,
        mine: Vec<Card>,
    },
    Failed(String),
}

/// What the screen holds between a load and an action.
struct Loaded {
    local: PlanId,
    held: Vec<Held>,
}

fn ids() -> ItemId {
    let bytes: [u8; 8] = crate::platform::random_bytes();
    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    ItemId::parse(&text).expect("hex is a valid id")
}

async fn load(context: StoredValue<Option<Rc<Loaded>>, LocalStorage>) -> Result<Step, Problem> {
    let Some((local, person, held)) = suggestions::open_plans_suggestions().await? else {
        return Ok(Step::Nothing);
    };
    let storage = Storage::shared().await?;
    let account = storage
        .account()
        .await
        .map_err(|_| Problem::Keys)?
        .ok_or(Problem::Keys)?;
    let me = account.keys.public().signing;
    let mut views: BTreeMap<SectionKind, SectionView> = BTreeMap::new();
    for one in &held {
        let section = one.doc.section();
        if let std::collections::btree_map::Entry::Vacant(slot) = views.entry(section) {
            slot.insert(read_section(&storage, &local, section).await?);
        }
    }
    // The person knows members by their account's username.
    let names: Vec<([u8; 32], String)> = if person == me {
        let records = storage.sync_records().await?;
        let plan = records
            .iter()
            .find(|(id, _)| *id == local)
            .and_then(|(_, r)| r.plan);
        match plan {
            Some(plan) => {
                let people: People = api::get(&format!(
                    "/api/v1/plans/{}/people",
                    coplan_domain::sync::id_to_hex(&plan)
                ))
                .await?;
                people
                    .people
                    .into_iter()
                    .map(|p| (p.signing.0, p.username))
                    .collect()
            }
            None => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let mut cards = Vec::new();
    for one in &held {
        let section = one.doc.section();
        let view = &views[&section];
        let name = names
            .iter()
            .find(|(key, _)| *key == one.member)
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        for (suggestion, decided) in one.doc.list() {
            if person == me && decided.is_some() {
                continue;
            }
            cards.push(Card {
                document: one.document,
                section,
                name: name.clone(),
                now: words_now(&suggestion.change, view),
                standing: suggestion.standing(view),
                suggestion,
                decided,
            });
        }
    }
    let step = if person == me {
        Step::Person(cards)
    } else {
        let sections = held
            .iter()
            .filter(|h| h.member == me)
            .map(|h| (h.doc.section(), h.document, views[&h.doc.section()].clone()))
            .collect();
        Step::Member {
            sections,
            mine: cards,
        }
    };
    context.set_value(Some(Rc::new(Loaded { local, held })));
    Ok(step)
}

/// A copy of a held document that writes under this tab's client id (from this phone's
/// range, so every other phone takes its changes in).
async fn writable(held: &Held) -> Result<SuggestionsDoc, Problem> {
    let section = held.doc.section();
    let (client, _live) = crate::plan::writer::client_id(section).await;
    let doc = SuggestionsDoc::new(section, client);
    doc.apply_update(&held.doc.encode_state())
        .map_err(|_| Problem::Keys)?;
    Ok(doc)
}

fn held_doc(loaded: &Loaded, document: [u8; 16]) -> Option<&Held> {
    loaded.held.iter().find(|h| h.document == document)
}

/// Applies `card` to its section as the person, if the section still reads what was
/// shown; then records the decision.
async fn take_in(loaded: &Loaded, card: &Card) -> Result<bool, Problem> {
    let section = card.section;
    let shown = card.now.clone().unwrap_or_default();
    let view = RwSignal::new(SectionView::default());
    let status = RwSignal::new(SaveStatus::Idle);
    let writing = RwSignal::new(0u32);
    let long = RwSignal::new(false);
    let session = SectionSession::open(section, view, status, writing, long).await?;
    let now = view.get_untracked();
    if card.standing != Standing::AlreadySo {
        let Ok(edit) = card.suggestion.edit(&now, &shown, ids()) else {
            // The words moved while it was shown: show it again, against them.
            return Ok(false);
        };
        session.edit(edit).map_err(|_| Problem::Keys)?;
        // Stored before the decision says so.
        for _ in 0..100 {
            if writing.get_untracked() == 0 {
                break;
            }
            crate::platform::pause(50).await;
        }
        if let SaveStatus::Failed(failed) = status.get_untracked() {
            return Err(Problem::Storage(failed));
        }
    }
    decide(loaded, card, true).await?;
    Ok(true)
}

async fn decide(loaded: &Loaded, card: &Card, taken: bool) -> Result<(), Problem> {
    let held = held_doc(loaded, card.document).ok_or(Problem::Keys)?;
    let doc = writable(held).await?;
    let update = doc
        .decide(&card.suggestion.id, taken, js_sys::Date::now() as u64)
        .map_err(|_| Problem::Keys)?;
    suggestions::write(&loaded.local, card.document, &update).await
}

/// Why a suggestion was not written.
enum NotWritten {
    TooMany,
    Problem(Problem),
}

impl From<Problem> for NotWritten {
    fn from(problem: Problem) -> Self {
        Self::Problem(problem)
    }
}

impl From<crate::storage::StorageError> for NotWritten {
    fn from(error: crate::storage::StorageError) -> Self {
        Self::Problem(Problem::Storage(error))
    }
}

async fn suggest(loaded: &Loaded, document: [u8; 16], change: Change) -> Result<(), NotWritten> {
    let held = held_doc(loaded, document).ok_or(Problem::Keys)?;
    let storage = Storage::shared().await?;
    let view = read_section(&storage, &loaded.local, held.doc.section()).await?;
    let doc = writable(held).await?;
    let update = doc
        .suggest(&ids(), &change, &view, js_sys::Date::now() as u64)
        .map_err(|e| match e {
            PlanError::TooManyItems { .. } => NotWritten::TooMany,
            _ => NotWritten::Problem(Problem::Keys),
        })?;
    Ok(suggestions::write(&loaded.local, document, &update).await?)
}

fn problem_words(problem: &Problem) -> String {
    super::invite::problem_words(problem)
}

/// What a suggestion would change, in words: where, and the words themselves.
fn what_it_changes(card: &Card) -> (String, String) {
    let section = card.section;
    match &card.suggestion.change {
        Change::Field { field, text } => (words(section, field).title.to_string(), text.clone()),
        Change::Part {
            list, part, text, ..
        } => (
            format!(
                "{}: {}",
                words(section, list).title,
                part_label(section, part)
            ),
            text.clone(),
        ),
        Change::AddItem { list, parts } => (
            fill(ta(A::SuggestAdd), &[("list", words(section, list).title)]),
            parts
                .iter()
                .map(|(_, words)| words.as_str())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Change::RemoveItem { list, .. } => (
            fill(
                ta(A::SuggestRemove),
                &[("list", words(section, list).title)],
            ),
            card.suggestion.was.clone(),
        ),
    }
}

#[component]
pub fn SuggestionsPage() -> impl IntoView {
    let step = RwSignal::new(Step::Loading);
    let context = StoredValue::new_local(None::<Rc<Loaded>>);
    let said = RwSignal::new(None::<String>);
    let reload = move || {
        spawn_local(async move {
            step.set(match load(context).await {
                Ok(loaded) => loaded,
                Err(problem) => Step::Failed(problem_words(&problem)),
            });
        });
    };
    reload();
    // On the person's phone, suggestions that arrive while the screen is open show at the
    // end of the round that brought them. (A member's screen is not redrawn under them:
    // it may hold a suggestion they are typing.)
    super::notice::on_change(Some(std::rc::Rc::new(move || {
        let quiet = matches!(
            step.try_get_untracked(),
            Some(Step::Person(_) | Step::Nothing)
        );
        if quiet {
            spawn_local(async move {
                // Redrawn only when what waits has changed, so focus stays where it is.
                let Ok(fresh) = load(context).await else {
                    return;
                };
                let shown = |step: &Step| match step {
                    Step::Person(cards) => Some(
                        cards
                            .iter()
                            .map(|c| (c.document, c.suggestion.id.clone(), c.standing.clone()))
                            .collect::<Vec<_>>(),
                    ),
                    _ => None,
                };
                let before = step.try_with_untracked(shown).flatten();
                if before != shown(&fresh) {
                    step.try_set(fresh);
                }
            });
        }
    })));
    on_cleanup(|| super::notice::on_change(None));
    let act = move |card: Card, taken: bool| {
        spawn_local(async move {
            let Some(loaded) = context.get_value() else {
                return;
            };
            let result = if taken {
                take_in(&loaded, &card).await
            } else {
                decide(&loaded, &card, false).await.map(|()| true)
            };
            match result {
                Ok(true) => said.set(Some(
                    ta(if taken {
                        A::SuggestTaken
                    } else {
                        A::SuggestDeclined
                    })
                    .to_string(),
                )),
                Ok(false) => said.set(Some(ta(A::SuggestChanged).to_string())),
                Err(problem) => said.set(Some(problem_words(&problem))),
            }
            reload();
        });
    };
    // Every suggestion shown, one after another, each as if chosen on its own.
    let act_all = move |cards: Vec<Card>, taken: bool| {
        spawn_local(async move {
            let Some(loaded) = context.get_value() else {
                return;
            };
            let mut moved = false;
            for card in cards
                .iter()
                .filter(|c| !taken || c.standing != Standing::Gone)
            {
                let result = if taken {
                    take_in(&loaded, card).await
                } else {
                    decide(&loaded, card, false).await.map(|()| true)
                };
                match result {
                    Ok(done) => moved |= !done,
                    Err(problem) => {
                        said.set(Some(problem_words(&problem)));
                        reload();
                        return;
                    }
                }
            }
            said.set(Some(
                ta(match (moved, taken) {
                    (true, _) => A::SuggestChanged,
                    (false, true) => A::SuggestAllTaken,
                    (false, false) => A::SuggestAllLeft,
                })
                .to_string(),
            ));
            reload();
        });
    };
    let send = move |document: [u8; 16], change: Change| {
        spawn_local(async move {
            let Some(loaded) = context.get_value() else {
                return;
            };
            said.set(Some(match suggest(&loaded, document, change).await {
                Ok(()) => ta(A::SuggestSent).to_string(),
                Err(NotWritten::TooMany) => ta(A::SuggestTooMany).to_string(),
                Err(NotWritten::Problem(problem)) => problem_words(&problem),
            }));
            reload();
        });
    };
    view! {
        <h1>{ta(A::SuggestHeading)}</h1>
        <p role="status">{move || said.get()}</p>
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Step::Nothing => view! { <p>{ta(A::SuggestNone)}</p> }.into_any(),
            Step::Failed(words) => view! {
                <p class="app-field__error" role="alert">{words}</p>
            }
            .into_any(),
            Step::Person(cards) => view! {
                <p>{ta(A::SuggestPersonIntro)}</p>
                {cards.is_empty().then(|| view! { <p>{ta(A::SuggestNone)}</p> })}
                {(cards.len() > 1).then(|| {
                    let (all, none) = (cards.clone(), cards.clone());
                    view! {
                        <div class="app-item__actions app-item__actions--flat">
                            <button class="app-button" type="button" on:click=move |_| act_all(all.clone(), true)>
                                {ta(A::SuggestTakeAll)}
                            </button>
                            <button class="app-button app-button--secondary" type="button" on:click=move |_| act_all(none.clone(), false)>
                                {ta(A::SuggestLeaveAll)}
                            </button>
                        </div>
                    }
                })}
                {cards.into_iter().map(|card| person_card(card, act)).collect_view()}
            }
            .into_any(),
            Step::Member { sections, mine } => view! {
                <p>{ta(A::SuggestMemberIntro)}</p>
                {sections.into_iter().map(|(section, document, view)| {
                    member_section(section, document, view, send)
                }).collect_view()}
                <section class="app-step" aria-labelledby="yours-heading">
                    <h2 id="yours-heading">{ta(A::SuggestYours)}</h2>
                    <ul>
                        {mine.into_iter().map(|card| {
                            let (place, words) = what_it_changes(&card);
                            let status = match card.decided {
                                None => ta(A::SuggestWaiting),
                                Some(d) if d.taken => ta(A::SuggestWasTaken),
                                Some(_) => ta(A::SuggestWasLeft),
                            };
                            view! {
                                <li data-testid="my-suggestion">
                                    {t(section_title(card.section))}", "{place}": "{words}" ("{status}")"
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            }
            .into_any(),
        }}
    }
}

fn person_card(
    card: Card,
    act: impl Fn(Card, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let heading = fill(
        ta(A::SuggestsTo),
        &[
            ("name", &card.name),
            ("section", t(section_title(card.section))),
        ],
    );
    let (place, suggested) = what_it_changes(&card);
    let note = match &card.standing {
        Standing::AsWritten => None,
        Standing::Changed { .. } => Some(ta(A::SuggestChanged)),
        Standing::AlreadySo => Some(ta(A::SuggestAlreadySo)),
        Standing::Gone => Some(ta(A::SuggestGone)),
    };
    let now = match &card.suggestion.change {
        Change::Field { .. } | Change::Part { .. } => card.now.clone(),
        _ => None,
    };
    let when = fill(
        ta(A::SuggestWhen),
        &[("time", &super::notice::clock_time(card.suggestion.at_ms))],
    );
    let gone = card.standing == Standing::Gone;
    let (take, leave) = (card.clone(), card.clone());
    view! {
        // An article, not a region: several may share a heading.
        <article class="app-step" aria-label=heading.clone() data-testid="suggestion">
            <h2>{heading.clone()}</h2>
            <p>{place}</p>
            {now.map(|now| view! {
                <p>{ta(A::SuggestNow)}": "{if now.is_empty() { ta(A::SuggestEmpty).to_string() } else { now }}</p>
            })}
            <p>{ta(A::SuggestWords)}": "<span data-testid="suggested-words">{suggested}</span></p>
            {note.map(|note| view! { <p class="app-field__hint">{note}</p> })}
            <p class="app-field__hint">{when}</p>
            <div class="app-item__actions app-item__actions--flat">
                {(!gone).then(|| view! {
                    <button class="app-button" type="button" on:click=move |_| act(take.clone(), true)>
                        {ta(A::SuggestTake)}
                    </button>
                })}
                <button class="app-button app-button--secondary" type="button" on:click=move |_| act(leave.clone(), false)>
                    {ta(A::SuggestDecline)}
                </button>
            </div>
        </article>
    }
}

fn member_section(
    section: SectionKind,
    document: [u8; 16],
    view: SectionView,
    send: impl Fn([u8; 16], Change) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let spec = section.spec();
    let title = t(section_title(section));
    let open = RwSignal::new(None::<&'static str>);
    let text = RwSignal::new(String::new());
    let fields = spec
        .fields
        .iter()
        .map(|field| {
            let name = field.name;
            let label = words(section, name).title;
            let now = view.field(name).to_string();
            let shown = if now.is_empty() {
                ta(A::SuggestEmpty).to_string()
            } else {
                now.clone()
            };
            let id = format!("suggest-{}-{name}", section.key());
            let max = field.max_chars.to_string();
            view! {
                <div class="app-field">
                    <h3>{label}</h3>
                    <p>{shown}</p>
                    {move || if open.get() == Some(name) {
                        let id = id.clone();
                        view! {
                            <label class="app-field__label" for=id.clone()>{ta(A::SuggestYourWords)}</label>
                            <textarea
                                id=id
                                class="app-field__input"
                                maxlength=max.clone()
                                prop:value=move || text.get()
                                on:input=move |ev| text.set(event_target_value(&ev))
                            ></textarea>
                            <div class="app-item__actions app-item__actions--flat">
                                <button class="app-button" type="button" on:click=move |_| {
                                    open.set(None);
                                    send(document, Change::Field { field: name, text: text.get_untracked() });
                                }>{ta(A::SuggestSend)}</button>
                                <button class="app-button app-button--secondary" type="button" on:click=move |_| open.set(None)>
                                    {ta(A::SuggestCancel)}
                                </button>
                            </div>
                        }
                        .into_any()
                    } else {
                        let now = now.clone();
                        view! {
                            <button class="app-button app-button--secondary" type="button" aria-label=format!("{}: {label}", ta(A::SuggestNewWords)) on:click=move |_| {
                                text.set(now.clone());
                                open.set(Some(name));
                            }>{ta(A::SuggestNewWords)}</button>
                        }
                        .into_any()
                    }}
                </div>
            }
        })
        .collect_view();
    let lists = spec
        .lists
        .iter()
        .map(|list| {
            let name = list.name;
            let Some(first) = list.parts.first() else {
                return ().into_any();
            };
            let part = first.name;
            let label = words(section, name).title;
            let items: Vec<String> = view
                .items(name)
                .iter()
                .map(|i| i.part(part).to_string())
                .collect();
            let id = format!("suggest-{}-{name}", section.key());
            let max = first.max_chars.to_string();
            view! {
                <div class="app-field">
                    <h3>{label}</h3>
                    <ul>{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                    {move || if open.get() == Some(name) {
                        let id = id.clone();
                        view! {
                            <label class="app-field__label" for=id.clone()>{ta(A::SuggestYourWords)}</label>
                            <input
                                id=id
                                class="app-field__input"
                                type="text"
                                maxlength=max.clone()
                                prop:value=move || text.get()
                                on:input=move |ev| text.set(event_target_value(&ev))
                            />
                            <div class="app-item__actions app-item__actions--flat">
                                <button class="app-button" type="button" on:click=move |_| {
                                    open.set(None);
                                    let words = text.get_untracked();
                                    send(document, Change::AddItem { list: name, parts: vec![(part, words)] });
                                }>{ta(A::SuggestSend)}</button>
                                <button class="app-button app-button--secondary" type="button" on:click=move |_| open.set(None)>
                                    {ta(A::SuggestCancel)}
                                </button>
                            </div>
                        }
                        .into_any()
                    } else {
                        view! {
                            <button class="app-button app-button--secondary" type="button" aria-label=format!("{}: {label}", ta(A::SuggestAddTo)) on:click=move |_| {
                                text.set(String::new());
                                open.set(Some(name));
                            }>{ta(A::SuggestAddTo)}</button>
                        }
                        .into_any()
                    }}
                </div>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="app-step" aria-label=title>
            <h2>{title}</h2>
            {fields}
            {lists}
        </section>
    }
}
