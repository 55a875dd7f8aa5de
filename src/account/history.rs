//! What changed in one part of the open plan, and who changed it (issue 15 item 1), at
//! `/history/about-me` and so on: built on this phone from the signed changes its history
//! store holds (`coplan_domain::plan::history`), each opened with its epoch's key as
//! from the member the membership log vouches for at that epoch (a member removed since
//! still owns their work; a change no one could have written is left out, as it was on
//! arrival). Newest first, grouped by person and time, with when each was written (and
//! when it arrived, if that was more than a day later). On the person's phone, an item
//! taken off a list, or words cleared from a field, can be brought back: a new change of
//! the person's, which syncs like any other.
//!
//! Names: "You" for this account; on the person's phone, a member by their username (or,
//! offline, "Someone you invited"); on a member's phone, the person by the plan card's
//! name and any other member by the name the person chose to show, else by role, as the
//! "who can see this part" line does.

use leptos::prelude::*;
use leptos::task::spawn_local;

use coplan_domain::PlanId;
use coplan_domain::envelope::{Envelope, What};
use coplan_domain::membership::Membership;
use coplan_domain::plan::history::{self, Did, Name, Signed, Who};
use coplan_domain::plan::{Edit, ItemId, SectionKind, card};
use coplan_domain::sync::history::{HistoryEntry, read_change_payload};
use coplan_domain::sync::id_to_hex;
use coplan_domain::wire::People;

use super::api;
use super::flows::Problem;
use crate::i18n::{AccountText as A, Text, fill, t, ta};
use crate::storage::Storage;

/// How soon after the plan was attached its first change is sealed, at most: the round
/// that attaches a plan seals what it holds at once.
const ATTACHING_MS: u64 = 60_000;

/// One line of the history, as shown.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    words: String,
    when: String,
    /// What bringing it back would write (the person's phone, for what was taken out).
    again: Option<Edit>,
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    /// No account, or the open plan is not synced yet: there is no history to tell.
    NotSynced,
    Lines(Vec<Line>),
    Failed(String),
}

/// The part of the plan an address under `base` names (`/history/care-plan`), its title,
/// and the address of its writing screen (the safety plan's is its own).
pub(super) fn part_at(base: &str, path: &str) -> Option<(SectionKind, Text, &'static str)> {
    let wanted = path.strip_prefix(base)?;
    let (kind, title, href) = crate::plan::SECTIONS
        .iter()
        .find(|(_, _, href)| *href == wanted)
        .copied()?;
    let writing = if kind == SectionKind::SafetyPlan {
        "/safety-plan/edit"
    } else {
        href
    };
    Some((kind, title, writing))
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let path = crate::route::use_route().path();
    let Some((kind, title, back)) = part_at("/history", &path) else {
        return view! { <h1>{t(Text::NotFoundHeading)}</h1> }.into_any();
    };
    let step = RwSignal::new(Step::Loading);
    let said = RwSignal::new(None::<String>);
    // A long history's older entries, shown a page at a time on asking.
    let earlier = StoredValue::new_local(None::<Earlier>);
    let more = RwSignal::new(false);
    let reload = move || {
        spawn_local(async move {
            step.set(match load(kind).await {
                Ok(Some((lines, pages))) => {
                    more.set(pages.pages > 0);
                    earlier.set_value(Some(pages));
                    Step::Lines(lines)
                }
                Ok(None) => Step::NotSynced,
                Err(problem) => Step::Failed(super::invite::problem_words(&problem)),
            });
        })
    };
    reload();
    let show_earlier = move |_| {
        spawn_local(async move {
            let Some(mut pages) = earlier.try_update_value(Option::take).flatten() else {
                return;
            };
            more.set(false);
            match pages.next().await {
                Ok(Some(lines)) => {
                    more.set(pages.pages > 0);
                    earlier.set_value(Some(pages));
                    step.update(|step| {
                        if let Step::Lines(shown) = step {
                            shown.extend(lines);
                        }
                    });
                }
                // The page was not there: what was kept is forgotten and built again.
                Ok(None) => reload(),
                Err(problem) => {
                    said.set(Some(super::invite::problem_words(&problem)));
                    more.set(true);
                    earlier.set_value(Some(pages));
                }
            }
        })
    };
    let section = t(title);
    let bring_back = move |edit: Edit| {
        spawn_local(async move {
            said.set(Some(match write_again(kind, edit).await {
                Ok(()) => fill(ta(A::HistoryBroughtBack), &[("section", section)]),
                Err(problem) => super::invite::problem_words(&problem),
            }));
            super::wake::now();
        })
    };
    view! {
        <h1>{fill(ta(A::HistoryHeading), &[("section", section)])}</h1>
        <p>{ta(A::HistoryIntro)}</p>
        <p><a class="app-link" href=back>{fill(ta(A::HistoryBack), &[("section", section)])}</a></p>
        {move || said.get().map(|words| view! { <p role="status" class="app-note">{words}</p> })}
        {move || match step.get() {
            Step::Loading => view! { <p role="status">{t(Text::HomeLoading)}</p> }.into_any(),
            Step::NotSynced => view! { <p>{ta(A::HistoryNotSynced)}</p> }.into_any(),
            Step::Lines(lines) if lines.is_empty() => view! { <p>{ta(A::HistoryNone)}</p> }.into_any(),
            Step::Lines(lines) => view! {
                <ol class="app-history" data-testid="history">
                    {lines.into_iter().map(|line| {
                        let again = line.again.clone();
                        view! {
                            <li>
                                <p>{line.words.clone()}</p>
                                <p class="app-hint">{line.when.clone()}</p>
                                {again.map(|edit| {
                                    // Which line it brings back, for a screen reader; the
                                    // visible words start the name.
                                    let name = format!("{}: {}", ta(A::HistoryBringBack), line.words);
                                    view! {
                                        <button class="app-button" type="button" aria-label=name on:click=move |_| bring_back(edit.clone())>
                                            {ta(A::HistoryBringBack)}
                                        </button>
                                    }
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
            .into_any(),
            Step::Failed(words) => view! { <p class="app-field__error" role="alert">{words}</p> }.into_any(),
        }}
        {move || more.get().then(|| view! {
            <p><button class="app-button" type="button" on:click=show_earlier>{ta(A::HistoryEarlier)}</button></p>
        })}
    }
    .into_any()
}

/// The plan open on a phone with an account, with its sync record (history, agreement).
pub(super) struct OpenSynced {
    pub storage: Storage,
    pub account: coplan_domain::keys::AccountRecord,
    pub local: PlanId,
    pub record: coplan_domain::sync::record::PlanSync,
}

impl OpenSynced {
    /// None without an account, an open plan, or a sync record for it.
    pub(super) async fn now() -> Result<Option<Self>, Problem> {
        let storage = Storage::shared().await?;
        let Some(account) = storage.account().await.map_err(|_| Problem::Keys)? else {
            return Ok(None);
        };
        let Some(local) = storage
            .current_plan()
            .await?
            .and_then(|open| PlanId::parse(&open).ok())
        else {
            return Ok(None);
        };
        let records = storage.sync_records().await?;
        let Some((_, record)) = records.into_iter().find(|(plan, _)| *plan == local) else {
            return Ok(None);
        };
        Ok(Some(Self {
            storage,
            account,
            local,
            record,
        }))
    }
}

/// The open plan's history of `kind`, in lines; None when there is none to tell (no
/// account, or the plan not synced yet).
async fn load(kind: SectionKind) -> Result<Option<(Vec<Line>, Earlier)>, Problem> {
    let Some(OpenSynced {
        storage,
        account,
        local,
        record,
    }) = OpenSynced::now().await?
    else {
        return Ok(None);
    };
    let me = account.keys.public().signing;
    // Members' suggestions to this part, each with the person's decision: on the
    // person's phone, everyone's; on a member's, their own.
    let suggestions: Vec<history::Entry> = super::suggestions::held(&storage, &local)
        .await?
        .iter()
        .filter(|held| held.doc.section() == kind)
        .flat_map(|held| {
            held.doc
                .list()
                .into_iter()
                .map(|(suggestion, decided)| {
                    history::suggested(Who::Member(held.member), &suggestion, decided)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let (Some(plan), Some(section)) = (
        record.plan,
        record.documents.iter().find(|s| s.section == kind.key()),
    ) else {
        return Ok(None);
    };
    let person = record.person.unwrap_or(me);
    let log = super::members::verified_or_kept(&storage, &local, &person, plan).await?;
    let part = Part::of(&local, kind, section, &log, person, me);
    let carried = carry_on(&storage, &part, None).await?;
    // Marks of agreement, as the log judges them (a change that only marks one is told
    // as nothing by `build`).
    let doc = crate::plan::read_doc(&storage, &local, kind).await?;
    let marks =
        coplan_domain::plan::agreement::read_marks(&doc.marks(), &plan, kind, &person, |key| {
            log.may_have_agreed(key, kind)
        });
    let marked = marks
        .agreed
        .iter()
        .flat_map(|a| std::iter::once((person, a.person_at_ms)).chain(a.with.iter().copied()))
        .chain(marks.waiting.iter().map(|w| (w.by, w.at_ms)))
        .map(|(who, at_ms)| history::marked(Who::Member(who), at_ms));
    let names = Names::of_plan(&storage, &local, plan, &log, me).await;
    let now = crate::plan::read_section(&storage, &local, kind).await?;
    let mut earlier = Earlier {
        local,
        pages: carried.earlier,
        held: Vec::new(),
        teller: Teller {
            kind,
            names,
            now,
            person,
            me,
        },
    };
    let entries = earlier.merge(
        carried.entries,
        suggestions.into_iter().chain(marked).collect(),
    );
    let lines = earlier.teller.lines(entries);
    Ok(Some((lines, earlier)))
}

/// Puts a part's history in lines.
struct Teller {
    kind: SectionKind,
    names: Names,
    /// The part as it reads now.
    now: coplan_domain::plan::SectionView,
    person: [u8; 32],
    me: [u8; 32],
}

impl Teller {
    fn lines(&self, entries: Vec<history::Entry>) -> Vec<Line> {
        let mut lines = Vec::new();
        for entry in entries {
            let when = if entry.arrived_late() {
                fill(
                    ta(A::HistoryWrittenOffline),
                    &[
                        ("written", &crate::platform::format_date(entry.written_ms.1)),
                        ("arrived", &crate::platform::format_date(entry.received_ms)),
                    ],
                )
            } else {
                super::notice::moment(entry.written_ms.1)
            };
            for did in entry.did {
                let again = (self.person == self.me)
                    .then(|| again(&did, &self.now))
                    .flatten();
                lines.push(Line {
                    words: format!(
                        "{} {}",
                        self.names.who(entry.who),
                        words(self.kind, &did, &self.now)
                    ),
                    when: when.clone(),
                    again,
                });
            }
        }
        lines
    }
}

/// The entries of a long history older than those shown, kept in pages
/// ([`carry_on`]), to be shown a page at a time, newest first.
struct Earlier {
    local: PlanId,
    /// How many pages are not shown yet: `pages - 1` is the next.
    pages: u32,
    /// Suggestions and marks older than every entry shown, for the page they fall in.
    held: Vec<history::Entry>,
    teller: Teller,
}

impl Earlier {
    /// `entries` (newest first) with those of `extra` (suggestions and marks) that are
    /// as new as the oldest of them, or all of `extra` when no page is left; the rest
    /// are held for the pages before.
    fn merge(
        &mut self,
        entries: Vec<history::Entry>,
        extra: Vec<history::Entry>,
    ) -> Vec<history::Entry> {
        let (entries, held) = history::with_suggestions_on_page(entries, extra, self.pages > 0);
        self.held = held;
        entries
    }

    /// The next page's lines; None when none is left, or the page is not there (then
    /// what was kept is forgotten, to be built again).
    async fn next(&mut self) -> Result<Option<Vec<Line>>, Problem> {
        let Some(page) = self.pages.checked_sub(1) else {
            return Ok(None);
        };
        let storage = Storage::shared().await?;
        let kind = self.teller.kind;
        let read = storage
            .history_page(&self.local, kind.key(), page)
            .await?
            .and_then(|bytes| history::page_from_bytes(kind, &bytes));
        let Some(entries) = read else {
            storage
                .forget_history_built(&self.local, kind.key())
                .await?;
            return Ok(None);
        };
        self.pages = page;
        let held = std::mem::take(&mut self.held);
        let entries = self.merge(entries, held);
        Ok(Some(self.teller.lines(entries)))
    }
}

/// One part's history on this phone, and what it is judged by.
pub struct Part<'a> {
    pub local: &'a PlanId,
    pub kind: SectionKind,
    pub document: [u8; 16],
    /// The document's keys, each with its epoch.
    pub keys: Vec<(u32, [u8; 32])>,
    pub log: &'a Membership,
    pub person: [u8; 32],
    /// On a member's phone, when they were let in.
    pub joined_ms: Option<u64>,
}

impl<'a> Part<'a> {
    /// `kind`'s part of the plan `local`, synced as `section`, on `me`'s phone.
    pub fn of(
        local: &'a PlanId,
        kind: SectionKind,
        section: &coplan_domain::sync::record::SectionSync,
        log: &'a Membership,
        person: [u8; 32],
        me: [u8; 32],
    ) -> Self {
        Self {
            local,
            kind,
            document: section.engine.document,
            keys: section.keys(),
            log,
            person,
            joined_ms: joined_ms(log, &person, &me),
        }
    }
}

/// On a member's phone (`me`, on `person`'s plan), when the person let them in; None on
/// the person's own.
fn joined_ms(log: &Membership, person: &[u8; 32], me: &[u8; 32]) -> Option<u64> {
    (person != me)
        .then(|| log.members.get(me).map(|m| m.joined_ms))
        .flatten()
}

/// What [`carry_on`] built.
pub struct Carried {
    pub entries: Vec<history::Entry>,
    /// It took in the last change the history store holds.
    pub reached: bool,
    /// What is kept now goes further than before (it may not, when one group of changes
    /// is longer than `most`: what is kept always stops before the last group).
    pub moved: bool,
    /// The log number what is kept goes up to.
    pub after: u64,
    /// How many pages of entries older than `entries` are kept beside
    /// ([`Storage::history_page`]): `earlier - 1` is the newest of them.
    pub earlier: u32,
}

/// `part`'s history as last built here, carried on with the changes the history store
/// holds after it (at most `most` of them: the first, in log order), and kept again;
/// only those changes are read, unsealed and opened. Nothing is kept past a change whose
/// epoch's key is not here.
pub async fn carry_on(
    storage: &Storage,
    part: &Part<'_>,
    most: Option<u32>,
) -> Result<Carried, Problem> {
    let kind = part.kind;
    let built = storage
        .history_built(part.local, kind.key())
        .await?
        .and_then(|bytes| history::Kept::from_bytes(kind, &bytes));
    let after = built.as_ref().map_or(0, |b| b.after);
    let kept = storage
        .history_after_most(part.local, &id_to_hex(&part.document), after, most)
        .await?;
    let reached = most.is_none_or(|most| kept.len() < most as usize);
    let (opened, complete) = open_kept(
        &kept,
        kind,
        &part.document,
        &part.keys,
        part.log,
        &part.person,
        part.joined_ms,
    );
    let signed: Vec<Signed<'_>> = opened.iter().map(Opened::signed).collect();
    let (entries, mut keep) =
        history::build_on(kind, built.as_ref(), None, &signed).map_err(|_| Problem::Keys)?;
    let earlier = keep.pages;
    if complete && !signed.is_empty() && !kept_with_pages(storage, part, &mut keep).await {
        web_sys::console::warn_1(&"history: what was built was not kept".into());
    }
    let moved = complete && !signed.is_empty() && keep.after > after;
    Ok(Carried {
        entries,
        reached,
        moved,
        after: if moved { keep.after } else { after },
        earlier,
    })
}

/// Keeps `keep`, its oldest entries in full pages first, so what is kept never counts a
/// page that is not there; whether it was all kept.
async fn kept_with_pages(storage: &Storage, part: &Part<'_>, keep: &mut history::Kept) -> bool {
    let section = part.kind.key();
    for (page, entries) in keep.page_out() {
        let bytes = history::page_to_bytes(&entries);
        if storage
            .keep_history_page(part.local, section, page, &bytes)
            .await
            .is_err()
        {
            return false;
        }
    }
    storage
        .keep_history_built(part.local, section, &keep.to_bytes())
        .await
        .is_ok()
}

/// How many changes a part's history may be behind its log before the sync loop keeps
/// it up: opening the history then carries on with fewer than this (issue 15's budget,
/// `cargo xtask bench wasm`: at 500 behind it took 676 ms at 4× CPU, at 10 191 ms).
pub const KEEP_UP_AFTER: u64 = 100;

/// How many changes the sync loop takes in at a time when it keeps a history up, with a
/// pause between: each slice holds the page for about a quarter of a second at 4× CPU.
const KEEP_UP_SLICE: u32 = 250;

thread_local! {
    /// How far each part's kept history reaches (local plan, part), as this tab last
    /// kept it up; and whether a keep-up is running.
    static KEPT_UP: std::cell::RefCell<std::collections::HashMap<(String, SectionKind), u64>> =
        Default::default();
    static KEEPING_UP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// After a round: every part of a plan on this phone whose log has run
/// [`KEEP_UP_AFTER`] or more changes past what this tab last kept up (or, the first
/// time in a tab, past nothing) has its history carried on and kept, [`KEEP_UP_SLICE`]
/// changes at a time with a pause between, so the screen never builds thousands of
/// changes on opening. One keep-up at a time; a failure leaves the screen to build as before.
pub fn keep_up() {
    if KEEPING_UP.get() {
        return;
    }
    KEEPING_UP.set(true);
    spawn_local(async {
        if let Err(problem) = keep_up_all().await {
            web_sys::console::warn_1(&format!("history: not kept up ({problem:?})").into());
        }
        KEEPING_UP.set(false);
    });
}

async fn keep_up_all() -> Result<(), Problem> {
    let storage = Storage::shared().await?;
    let Some(account) = storage.account().await.map_err(|_| Problem::Keys)? else {
        return Ok(());
    };
    let me = account.keys.public().signing;
    let here = storage.all_plans().await?;
    for (local, record) in storage.sync_records().await? {
        let Some(plan) = record.plan else { continue };
        if record.is_left() || !here.iter().any(|p| p.id == local) {
            continue;
        }
        let person = record.person.unwrap_or(me);
        for section in &record.documents {
            let Some(kind) = SectionKind::ALL
                .into_iter()
                .find(|k| k.key() == section.section)
            else {
                continue;
            };
            let at = (local.as_str().to_string(), kind);
            let kept_up = KEPT_UP.with_borrow(|kept| kept.get(&at).copied().unwrap_or(0));
            if section.engine.cursor < kept_up.saturating_add(KEEP_UP_AFTER) {
                continue;
            }
            let log = super::members::verified_or_kept(&storage, &local, &person, plan).await?;
            let part = Part::of(&local, kind, section, &log, person, me);
            loop {
                let carried = carry_on(&storage, &part, Some(KEEP_UP_SLICE)).await?;
                let reached = carried.reached || !carried.moved;
                // Stuck behind one long group, or a missing key: wait for more to arrive.
                let up_to = if reached {
                    carried.after.max(section.engine.cursor)
                } else {
                    carried.after
                };
                KEPT_UP.with_borrow_mut(|kept| kept.insert(at.clone(), up_to));
                if reached {
                    break;
                }
                crate::platform::pause(50).await;
            }
        }
    }
    Ok(())
}

/// A change from the history store, checked and opened.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    pub who: Who,
    pub seq: u64,
    pub written_ms: u64,
    pub received_ms: u64,
    pub update: Vec<u8>,
}

impl Opened {
    pub fn signed(&self) -> Signed<'_> {
        Signed {
            who: self.who,
            seq: self.seq,
            written_ms: self.written_ms,
            received_ms: self.received_ms,
            update: &self.update,
        }
    }
}

/// Opens what the history store holds of `kind`'s `document`, in log order: each change
/// with its epoch's key (from `keys`), as from the member `log` vouches for at that epoch
/// (a change no one could have written is left out, as it was on arrival). On a member's
/// phone (`joined_ms`, when they were let in), what reached the server before is told as
/// nothing. Also whether every change could be opened: a change whose epoch's key is not
/// here yet is left out now, but must be told once it is, so nothing may be kept past it.
pub fn open_kept(
    kept: &[HistoryEntry],
    kind: SectionKind,
    document: &[u8; 16],
    keys: &[(u32, [u8; 32])],
    log: &Membership,
    person: &[u8; 32],
    joined_ms: Option<u64>,
) -> (Vec<Opened>, bool) {
    let mut complete = true;
    let mut opened = Vec::with_capacity(kept.len());
    for entry in kept {
        let Ok(envelope) = Envelope::read(&entry.envelope) else {
            continue;
        };
        let header = envelope.header;
        let Some((_, key)) = keys.iter().find(|(epoch, _)| *epoch == header.epoch) else {
            complete = false;
            continue;
        };
        // What the person's phone held when the plan was attached to their account goes
        // up as the document's first entry, in the round that attached it (whole, or as
        // one change).
        let attached = entry.seq == 1;
        let (who, signer) = match header.what {
            What::Snapshot if attached => (Who::BeforeSharing, *person),
            // A later snapshot stands for changes this history may not hold one by one.
            What::Snapshot => (Who::Earlier, *person),
            What::Change => {
                let Some(author) = log.author(
                    document,
                    kind,
                    header.epoch,
                    &header.device,
                    header.range_start,
                ) else {
                    continue;
                };
                (Who::Member(author), author)
            }
        };
        let Ok(payload) = envelope.open(&signer, key) else {
            continue;
        };
        let Some((written_ms, update)) = read_change_payload(&payload) else {
            continue;
        };
        let who = match who {
            // A member's history starts when they were let in: what reached the server
            // before then is taken in and told as nothing.
            _ if joined_ms.is_some_and(|joined| entry.received_ms < joined) => Who::Earlier,
            Who::Member(author)
                if attached
                    && author == *person
                    && written_ms <= log.started_ms.saturating_add(ATTACHING_MS) =>
            {
                Who::BeforeSharing
            }
            other => other,
        };
        opened.push(Opened {
            who,
            seq: entry.seq,
            written_ms,
            received_ms: entry.received_ms,
            update: update.to_vec(),
        });
    }
    (opened, complete)
}

/// What a line says the change did, with the screen's titles (and a choice's value in
/// the words the screen shows it by).
fn words(kind: SectionKind, did: &Did, now: &coplan_domain::plan::SectionView) -> String {
    let title = |name: Name| match name {
        Name::Field(name) | Name::List(name) | Name::Choice(name) => {
            crate::i18n::words(kind, name).title.to_string()
        }
        Name::Part(_, part) => crate::i18n::part_label(kind, part).to_string(),
    };
    // An item's parts as the screens show them (a life area by its title, never its
    // code); one that shows as nothing (a goal since taken off) is left out.
    let shown = |list: &str, parts: &[(&'static str, String)]| -> Vec<(&'static str, String)> {
        let Some(spec) = kind.spec().lists.iter().find(|l| l.name == list) else {
            return parts.to_vec();
        };
        parts
            .iter()
            .filter_map(|(name, value)| {
                let part = spec.parts.iter().find(|p| p.name == *name)?;
                let words = super::agree::part_shown(kind, now, part, value);
                (!words.is_empty()).then_some((*name, words))
            })
            .collect()
    };
    match did {
        Did::Picked { choice, value } if !value.is_empty() => Did::Picked {
            choice,
            value: crate::i18n::choice_label(choice, value).to_string(),
        }
        .words(&title),
        Did::Added { list, parts } => Did::Added {
            list,
            parts: shown(list, parts),
        }
        .words(&title),
        Did::Removed { list, parts } => Did::Removed {
            list,
            parts: shown(list, parts),
        }
        .words(&title),
        other => other.words(&title),
    }
}

/// What writing a line's words again would be, where that can be done plainly: an item
/// taken off a list goes back at its end; a field cleared, while it is still empty.
fn again(did: &Did, now: &coplan_domain::plan::SectionView) -> Option<Edit> {
    match did {
        Did::Removed { list, parts } if !parts.is_empty() => Some(Edit::AddItem {
            list,
            id: ItemId::parse(&random_id()).ok()?,
            parts: parts.clone(),
        }),
        Did::Cleared { field, was } if now.field(field).is_empty() => Some(Edit::SetField {
            field,
            text: was.clone(),
        }),
        _ => None,
    }
}

fn random_id() -> String {
    crate::platform::random_bytes::<8>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `edit` to the open plan's `kind`, as a change of this phone's.
async fn write_again(kind: SectionKind, edit: Edit) -> Result<(), Problem> {
    let storage = Storage::shared().await?;
    let plan = storage
        .current_plan()
        .await?
        .and_then(|open| PlanId::parse(&open).ok())
        .ok_or(Problem::Keys)?;
    super::sync::write_edits(&storage, &plan, kind, vec![edit]).await
}

/// Who each member is, in a history line's words.
pub(super) struct Names {
    me: [u8; 32],
    person: [u8; 32],
    /// The person's name (the plan card's), on a member's phone.
    persons_name: Option<String>,
    /// Usernames (the person's phone) or the names the person chose to show (a member's).
    known: Vec<([u8; 32], String)>,
    roles: Vec<([u8; 32], coplan_domain::membership::Role)>,
}

impl Names {
    pub(super) async fn of_plan(
        storage: &Storage,
        local: &PlanId,
        plan: [u8; 16],
        log: &coplan_domain::membership::Membership,
        me: [u8; 32],
    ) -> Self {
        let roles = log.members.iter().map(|(key, m)| (*key, m.role)).collect();
        let (persons_name, known) = if log.person == me {
            // As the last round fetched them for this log; else fetched now; offline,
            // members are named by role.
            let known = match super::readers::known_names(plan, log.len) {
                Some(names) => names,
                None => api::get::<People>(&format!("/api/v1/plans/{}/people", id_to_hex(&plan)))
                    .await
                    .map(|p| {
                        p.people
                            .into_iter()
                            .map(|someone| (someone.signing.0, someone.username))
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            (None, known)
        } else {
            match crate::plan::read_section(storage, local, SectionKind::Card).await {
                Ok(card) => (
                    Some(card.choice("called").trim().to_string()).filter(|n| !n.is_empty()),
                    card::read(card.choice("shown")).unwrap_or_default(),
                ),
                Err(_) => (None, Vec::new()),
            }
        };
        Self {
            me,
            person: log.person,
            persons_name,
            known,
            roles,
        }
    }

    /// The person whose plan it is.
    pub(super) fn person(&self) -> [u8; 32] {
        self.person
    }

    pub(super) fn who(&self, who: Who) -> String {
        let key = match who {
            Who::BeforeSharing if self.person == self.me => {
                return ta(A::HistoryBeforeSharingYou).into();
            }
            Who::BeforeSharing | Who::Earlier => {
                let name = self
                    .persons_name
                    .clone()
                    .unwrap_or_else(|| ta(A::ReaderThePerson).into());
                return fill(ta(A::HistoryBeforeSharing), &[("name", &name)]);
            }
            Who::Member(key) => key,
        };
        if key == self.me {
            return ta(A::HistoryYou).into();
        }
        if key == self.person {
            return self.persons();
        }
        let role = self
            .roles
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, role)| super::invite::role_word(*role));
        match (self.known.iter().find(|(k, _)| *k == key), role) {
            (Some((_, name)), Some(role)) => format!("{name} ({role})"),
            (Some((_, name)), None) => name.clone(),
            (None, _) if self.person == self.me => ta(A::HistorySomeoneYouInvited).into(),
            (None, _) => fill(ta(A::HistorySomeoneInvited), &[("name", &self.persons())]),
        }
    }

    fn persons(&self) -> String {
        self.persons_name
            .clone()
            .unwrap_or_else(|| ta(A::HistoryThePerson).into())
    }
}
