//! What each change to a section did, for its history (issue 15 item 1), built on the
//! phone from the signed changes in its history store (`crate::sync::history`, docs/
//! history.md): replayed in the order of the document's log, grouped by who made them and
//! when, and each group told as what it did to the section as it read before and after,
//! newest first: "added 'walk to the park' to Things I can do".
//!
//! Who made a change is the caller's to say (the signer, as the membership log at the
//! change's epoch vouches for them; or "before sharing" for what the phone held before
//! its plan was attached to an account); here, only what the change did. A change that
//! does not apply (damaged, or building on one this phone never had) adds nothing of its
//! own. The state a member's history starts from (the snapshot that opened their epoch)
//! is the `base`, told as nothing: a member sees what happened from when they joined.
//!
//! The words (`Did::words`) are plain English around the section's own titles, which the
//! caller passes in: they are the screen's, and the app's.

use std::collections::HashMap;

use super::schema::{PartKind, SectionKind};
use super::suggestions::{Change, Decided, Suggestion};
use super::{ItemView, PlanError, SectionDoc, SectionView};

/// How far apart two changes by the same person may be written and still be told as one.
pub const GROUP_MS: u64 = 10 * 60 * 1000;

/// How far apart a change's written time and the server's receive time may be before the
/// history says both ("written offline on 3 May, arrived 5 May").
pub const LATE_MS: u64 = 24 * 60 * 60 * 1000;

/// The most characters of someone's words quoted in one line (the rest is "…").
pub const QUOTE_CHARS: usize = 80;

/// Who made a change, as the phone showing the history judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    /// A member (the person included), by their signing key.
    Member([u8; 32]),
    /// What this phone held before the plan was attached to an account.
    BeforeSharing,
    /// A snapshot standing for changes this history does not hold one by one (the log
    /// was compacted before this phone received them): taken in, told as nothing, as
    /// a `base` is.
    Earlier,
}

/// One change, opened and judged: who made it, its number in the document's log, when
/// it was written (the signer's clock, inside the sealed payload) and received (the
/// server's clock), and its Yrs update.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    pub who: Who,
    pub seq: u64,
    pub written_ms: u64,
    pub received_ms: u64,
    pub update: &'a [u8],
}

/// Something a change did to a section. `list`, `field`, `part` and `choice` are the
/// schema's stored names; words are the person's, whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Did {
    /// Words written into a field, where there were none.
    Wrote { field: &'static str, words: String },
    /// Words added to a field that held others.
    AddedWords { field: &'static str, words: String },
    /// Words taken out of a field that still holds others.
    TookOut { field: &'static str, words: String },
    /// Words in a field replaced by others.
    Rewrote {
        field: &'static str,
        was: String,
        now: String,
    },
    /// A field emptied: what it held.
    Cleared { field: &'static str, was: String },
    /// An item added to a list: its words, part by part.
    Added {
        list: &'static str,
        parts: Vec<(&'static str, String)>,
    },
    /// An item taken off a list: its words, part by part (to bring it back).
    Removed {
        list: &'static str,
        parts: Vec<(&'static str, String)>,
    },
    /// One part of an item (named by its first words) now reads otherwise.
    Changed {
        list: &'static str,
        item: String,
        part: &'static str,
        was: String,
        now: String,
    },
    /// An item moved within its list.
    Moved { list: &'static str, item: String },
    /// A value picked for a choice (empty: the pick was cleared).
    Picked { choice: &'static str, value: String },
    /// A list hidden (not for this person) or shown again.
    Hid { list: &'static str, hidden: bool },
    /// A member suggested a change ([`Suggestion`]; `was`: the words they saw), and the
    /// person took it in, declined it, or has not decided yet.
    Suggested {
        change: Change,
        was: String,
        taken: Option<bool>,
    },
    /// They marked the section agreed as it read then (`agreement::Mark`: a change that
    /// only adds a mark reads as nothing in [`build`], so it is told from the mark).
    MarkedAgreed,
}

/// Something the history names by the section's title for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    Field(&'static str),
    List(&'static str),
    Part(&'static str, &'static str),
    Choice(&'static str),
}

/// One group of changes by one member, written close together, in log order; or one
/// suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub who: Who,
    /// The log numbers of its first and last change (none for a suggestion, which lives
    /// in its member's suggestions document).
    pub seqs: (u64, u64),
    /// When its first and last change were written.
    pub written_ms: (u64, u64),
    /// When the server received its last change.
    pub received_ms: u64,
    pub did: Vec<Did>,
}

impl Entry {
    /// Whether it was written more than a day before the server received it (or after:
    /// a phone's clock that is wrong), so the history says both.
    pub fn arrived_late(&self) -> bool {
        self.received_ms.abs_diff(self.written_ms.1) > LATE_MS
    }
}

/// The history of a `kind` section from `base` (an encoded state, told as nothing) and
/// `changes` in the order of the document's log: newest first.
pub fn build(
    kind: SectionKind,
    base: Option<&[u8]>,
    changes: &[Signed<'_>],
) -> Result<Vec<Entry>, PlanError> {
    Ok(build_on(kind, None, base, changes)?.0)
}

/// A history built so far, kept so that opening it again replays only what arrived
/// since ([`build_on`]; stored as [`Kept::to_bytes`], version [`KEPT_VERSION`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// Every entry but the last group's, newest first, but those kept in pages beside
    /// ([`Kept::page_out`]).
    pub entries: Vec<Entry>,
    /// How many full pages of older entries are kept beside: pages `0..pages`, oldest
    /// first, each [`PAGE_ENTRIES`] entries, newest first within it.
    pub pages: u32,
    /// The section as it read before the last group, encoded.
    pub state: Vec<u8>,
    /// The log number of the last change before the last group: carry on with every
    /// change after it (the last group's again, as more may join it).
    pub after: u64,
}

/// [`build`], carrying on from `kept` (then `base` is not used) with `changes`, the
/// changes after `kept.after`: the whole history, newest first, and what to keep for
/// next time. Built in slices, it reads exactly as built at once.
pub fn build_on(
    kind: SectionKind,
    kept: Option<&Kept>,
    base: Option<&[u8]>,
    changes: &[Signed<'_>],
) -> Result<(Vec<Entry>, Kept), PlanError> {
    let doc = match kept.map(|k| k.state.as_slice()).or(base) {
        Some(state) => SectionDoc::load(kind, 0, state)?,
        None => SectionDoc::new(kind, 0),
    };
    // Oldest first while building.
    let mut entries: Vec<Entry> = kept
        .map(|k| k.entries.iter().rev().cloned().collect())
        .unwrap_or_default();
    let mut done = entries.len();
    let mut state = kept.map(|k| k.state.clone());
    let mut after = kept.map_or(0, |k| k.after);
    // After each group, only what it touched is read again and compared.
    let touched = doc.watch();
    let mut view = doc.view();
    let mut start = 0;
    while start < changes.len() {
        let first = &changes[start];
        let mut end = start + 1;
        while end < changes.len()
            && changes[end].who == first.who
            && changes[end]
                .written_ms
                .abs_diff(changes[end - 1].written_ms)
                <= GROUP_MS
        {
            end += 1;
        }
        if end == changes.len() {
            // The last group: more may join it, so what is kept stops before it.
            state = Some(doc.encode_state());
            after = start
                .checked_sub(1)
                .map_or(after, |before| changes[before].seq);
            done = entries.len();
        }
        let group = &changes[start..end];
        for change in group {
            // One that does not apply adds nothing; the rest still do.
            let _ = doc.apply_update(change.update);
        }
        let (before, now) = doc.refresh(&mut view, &touched);
        if first.who == Who::Earlier {
            start = end;
            continue;
        }
        let did = differences(kind, &before, &now);
        if !did.is_empty() {
            let last = &group[group.len() - 1];
            entries.push(Entry {
                who: first.who,
                seqs: (first.seq, last.seq),
                written_ms: (first.written_ms, last.written_ms),
                received_ms: last.received_ms,
                did,
            });
        }
        start = end;
    }
    if changes.is_empty() {
        done = entries.len();
    }
    let kept = Kept {
        entries: entries[..done].iter().rev().cloned().collect(),
        pages: kept.map_or(0, |k| k.pages),
        state: state.unwrap_or_else(|| doc.encode_state()),
        after,
    };
    entries.reverse();
    Ok((entries, kept))
}

/// A member's suggestion to the section, with the person's decision if any, as an entry
/// of its own, at the time it was suggested.
pub fn suggested(who: Who, suggestion: &Suggestion, decided: Option<Decided>) -> Entry {
    Entry {
        who,
        seqs: (0, 0),
        written_ms: (suggestion.at_ms, suggestion.at_ms),
        received_ms: suggestion.at_ms,
        did: vec![Did::Suggested {
            change: suggestion.change.clone(),
            was: suggestion.was.clone(),
            taken: decided.map(|d| d.taken),
        }],
    }
}

/// A verified mark of agreement (`agreement::read_marks`), as an entry of its own, at the
/// time it was marked.
pub fn marked(who: Who, at_ms: u64) -> Entry {
    Entry {
        who,
        seqs: (0, 0),
        written_ms: (at_ms, at_ms),
        received_ms: at_ms,
        did: vec![Did::MarkedAgreed],
    }
}

/// The entries of a section's changes (newest first, from [`build`]) with its
/// suggestions (and marks of agreement), newest first by when each was written.
pub fn with_suggestions(
    mut entries: Vec<Entry>,
    suggestions: impl IntoIterator<Item = Entry>,
) -> Vec<Entry> {
    entries.extend(suggestions);
    // Stable: entries written at the same moment keep their order.
    entries.sort_by_key(|entry| std::cmp::Reverse(entry.written_ms.1));
    entries
}

/// [`with_suggestions`] for one page of a longer history (`entries`, newest first, with
/// `older` pages still to come): only the suggestions and marks written as late as its
/// oldest entry join it (all, on the last page); the rest are given back for the pages
/// before. Page by page, of changes written in the order they reached the server, it
/// reads as [`with_suggestions`] over the whole.
pub fn with_suggestions_on_page(
    entries: Vec<Entry>,
    suggestions: Vec<Entry>,
    older: bool,
) -> (Vec<Entry>, Vec<Entry>) {
    let oldest = entries.last().map(|e| e.written_ms.1);
    let (now, later): (Vec<_>, Vec<_>) = suggestions
        .into_iter()
        .partition(|e| !older || oldest.is_some_and(|oldest| e.written_ms.1 >= oldest));
    (with_suggestions(entries, now), later)
}

/// What changed from `before` to `after`, field by field, list by list, choice by choice,
/// in the schema's order.
pub fn differences(kind: SectionKind, before: &SectionView, after: &SectionView) -> Vec<Did> {
    let spec = kind.spec();
    let mut did = Vec::new();
    for field in spec.fields {
        if let Some(change) = text_change(
            field.name,
            before.field(field.name),
            after.field(field.name),
        ) {
            did.push(change);
        }
    }
    for list in spec.lists {
        let (was, now) = (before.items(list.name), after.items(list.name));
        let hidden = |view: &SectionView| view.lists.get(list.name).is_some_and(|l| l.hidden);
        if hidden(before) != hidden(after) {
            did.push(Did::Hid {
                list: list.name,
                hidden: hidden(after),
            });
        }
        let parts = |item: &ItemView| -> Vec<(&'static str, String)> {
            list.parts
                .iter()
                .map(|p| (p.name, item.part(p.name).to_string()))
                .filter(|(_, words)| !words.is_empty())
                .collect()
        };
        let by_id: HashMap<&str, &ItemView> = was.iter().map(|i| (i.id.as_str(), i)).collect();
        let kept: HashMap<&str, &ItemView> = now.iter().map(|i| (i.id.as_str(), i)).collect();
        for item in was.iter().filter(|i| !kept.contains_key(i.id.as_str())) {
            did.push(Did::Removed {
                list: list.name,
                parts: parts(item),
            });
        }
        for item in now {
            let Some(old) = by_id.get(item.id.as_str()) else {
                did.push(Did::Added {
                    list: list.name,
                    parts: parts(item),
                });
                continue;
            };
            for part in list.parts {
                let (was, now) = (old.part(part.name), item.part(part.name));
                if was != now {
                    did.push(Did::Changed {
                        list: list.name,
                        item: first_words(list.parts, old, item),
                        part: part.name,
                        was: was.to_string(),
                        now: now.to_string(),
                    });
                }
            }
        }
        for item in moved(was, now) {
            did.push(Did::Moved {
                list: list.name,
                item: first_words(list.parts, item, item),
            });
        }
    }
    for choice in spec.choices {
        let (was, now) = (before.choice(choice.name), after.choice(choice.name));
        if was != now {
            did.push(Did::Picked {
                choice: choice.name,
                value: now.to_string(),
            });
        }
    }
    did
}

/// The words an item is known by: its first text part that has any, as it reads now (or
/// read before, if it reads nothing now).
fn first_words(parts: &[super::schema::PartSpec], was: &ItemView, now: &ItemView) -> String {
    let text = |item: &ItemView| {
        parts
            .iter()
            .filter(|p| p.kind == PartKind::Text)
            .map(|p| item.part(p.name))
            .find(|words| !words.is_empty())
            .map(str::to_string)
    };
    text(now).or_else(|| text(was)).unwrap_or_default()
}

/// The items kept in both that moved: those outside the longest run of kept items whose
/// order did not change.
fn moved<'a>(was: &[ItemView], now: &'a [ItemView]) -> Vec<&'a ItemView> {
    let place: HashMap<&str, usize> = was
        .iter()
        .enumerate()
        .map(|(at, item)| (item.id.as_str(), at))
        .collect();
    let kept: Vec<(&ItemView, usize)> = now
        .iter()
        .filter_map(|item| Some((item, *place.get(item.id.as_str())?)))
        .collect();
    // Longest increasing run of old places (patience sorting, with links back).
    let mut tails: Vec<usize> = Vec::new();
    let mut back: Vec<Option<usize>> = vec![None; kept.len()];
    for (at, (_, old)) in kept.iter().enumerate() {
        let slot = tails.partition_point(|&t| kept[t].1 < *old);
        if slot > 0 {
            back[at] = Some(tails[slot - 1]);
        }
        if slot == tails.len() {
            tails.push(at);
        } else {
            tails[slot] = at;
        }
    }
    let mut stayed = vec![false; kept.len()];
    let mut at = tails.last().copied();
    while let Some(i) = at {
        stayed[i] = true;
        at = back[i];
    }
    kept.iter()
        .zip(stayed)
        .filter(|(_, stayed)| !stayed)
        .map(|((item, _), _)| *item)
        .collect()
}

/// How a field's words changed, told by whole words: the part between what the two
/// share at the start and at the end, widened to whole words.
fn text_change(field: &'static str, was: &str, now: &str) -> Option<Did> {
    if was == now {
        return None;
    }
    if now.trim().is_empty() {
        return Some(Did::Cleared {
            field,
            was: was.to_string(),
        });
    }
    if was.trim().is_empty() {
        return Some(Did::Wrote {
            field,
            words: now.to_string(),
        });
    }
    let (old, new) = changed_words(was, now);
    Some(match (old.trim().is_empty(), new.trim().is_empty()) {
        (true, _) => Did::AddedWords {
            field,
            words: new.trim().to_string(),
        },
        (false, true) => Did::TookOut {
            field,
            words: old.trim().to_string(),
        },
        (false, false) => Did::Rewrote {
            field,
            was: old.trim().to_string(),
            now: new.trim().to_string(),
        },
    })
}

/// The differing middles of two texts, widened to whole words (by characters, never
/// splitting one).
fn changed_words<'a>(was: &'a str, now: &'a str) -> (&'a str, &'a str) {
    let a: Vec<(usize, char)> = was.char_indices().collect();
    let b: Vec<(usize, char)> = now.char_indices().collect();
    let mut head = 0;
    while head < a.len() && head < b.len() && a[head].1 == b[head].1 {
        head += 1;
    }
    let mut tail = 0;
    while tail < a.len() - head
        && tail < b.len() - head
        && a[a.len() - 1 - tail].1 == b[b.len() - 1 - tail].1
    {
        tail += 1;
    }
    // Widen a cut inside a word to that word's edges: back to a space before, on to a
    // space after (the same in both texts, being shared).
    let letter =
        |chars: &[(usize, char)], at: usize| chars.get(at).is_some_and(|c| !c.1.is_whitespace());
    while head > 0
        && letter(&a, head - 1)
        && ((head < a.len() - tail && letter(&a, head))
            || (head < b.len() - tail && letter(&b, head)))
    {
        head -= 1;
    }
    while tail > 0
        && letter(&a, a.len() - tail)
        && ((a.len() - tail > head && letter(&a, a.len() - tail - 1))
            || (b.len() - tail > head && letter(&b, b.len() - tail - 1)))
    {
        tail -= 1;
    }
    let slice = |text: &'a str, chars: &[(usize, char)], from: usize, to: usize| {
        let start = chars.get(from).map_or(text.len(), |c| c.0);
        let end = chars.get(to).map_or(text.len(), |c| c.0);
        &text[start..end.max(start)]
    };
    (
        slice(was, &a, head, a.len() - tail),
        slice(now, &b, head, b.len() - tail),
    )
}

/// Someone's words, quoted: whole up to [`QUOTE_CHARS`] characters, then cut with "…".
pub fn quote(words: &str) -> String {
    let words = words.trim();
    if words.chars().count() <= QUOTE_CHARS {
        return format!("'{words}'");
    }
    let cut: String = words.chars().take(QUOTE_CHARS).collect();
    format!("'{}…'", cut.trim_end())
}

impl Did {
    /// What it did, in words, after who did it ("Sam " + "added 'walk to the park' to
    /// Things I can do"); `title` gives the section's title for each name.
    pub fn words(&self, title: &impl Fn(Name) -> String) -> String {
        let joined = |parts: &[(&'static str, String)]| {
            quote(
                &parts
                    .iter()
                    .map(|(_, words)| words.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        };
        match self {
            Self::Wrote { field, words } | Self::AddedWords { field, words } => {
                format!("wrote {} in {}", quote(words), title(Name::Field(field)))
            }
            Self::TookOut { field, words } => {
                format!("took {} out of {}", quote(words), title(Name::Field(field)))
            }
            Self::Rewrote { field, was, now } => format!(
                "changed {} to {} in {}",
                quote(was),
                quote(now),
                title(Name::Field(field))
            ),
            Self::Cleared { field, was } => format!(
                "cleared {} (it said {})",
                title(Name::Field(field)),
                quote(was)
            ),
            Self::Added { list, parts } if parts.is_empty() => {
                format!("added an empty line to {}", title(Name::List(list)))
            }
            Self::Added { list, parts } => {
                format!("added {} to {}", joined(parts), title(Name::List(list)))
            }
            Self::Removed { list, parts } if parts.is_empty() => {
                format!("removed an empty line from {}", title(Name::List(list)))
            }
            Self::Removed { list, parts } => {
                format!("removed {} from {}", joined(parts), title(Name::List(list)))
            }
            Self::Changed {
                list,
                part,
                was,
                now,
                ..
            } => {
                let place = title(Name::List(list));
                match (was.is_empty(), now.is_empty()) {
                    (true, _) => format!(
                        "wrote {} as {} in {place}",
                        quote(now),
                        title(Name::Part(list, part))
                    ),
                    (false, true) => format!("took {} out of {place}", quote(was)),
                    (false, false) => {
                        format!("changed {} to {} in {place}", quote(was), quote(now))
                    }
                }
            }
            Self::Moved { list, item } => {
                format!("moved {} in {}", quote(item), title(Name::List(list)))
            }
            Self::Picked { choice, value } if value.is_empty() => {
                format!("cleared {}", title(Name::Choice(choice)))
            }
            Self::Picked { choice, value } => {
                format!("chose {} for {}", quote(value), title(Name::Choice(choice)))
            }
            Self::Hid { list, hidden: true } => {
                format!("hid {} (not for now)", title(Name::List(list)))
            }
            Self::Hid {
                list,
                hidden: false,
            } => format!("showed {} again", title(Name::List(list))),
            Self::Suggested { change, was, taken } => {
                let what = match change {
                    Change::Field { field, text } => format!(
                        "suggested {} should say {}",
                        title(Name::Field(field)),
                        quote(text)
                    ),
                    Change::Part { list, text, .. } => format!(
                        "suggested changing {} to {} in {}",
                        quote(was),
                        quote(text),
                        title(Name::List(list))
                    ),
                    Change::AddItem { list, parts } => format!(
                        "suggested adding {} to {}",
                        joined(parts),
                        title(Name::List(list))
                    ),
                    Change::RemoveItem { list, .. } => format!(
                        "suggested removing {} from {}",
                        quote(was),
                        title(Name::List(list))
                    ),
                };
                let answer = match taken {
                    Some(true) => "taken in",
                    Some(false) => "declined",
                    None => "not decided yet",
                };
                format!("{what} · {answer}")
            }
            Self::MarkedAgreed => "marked this part as agreed".to_string(),
        }
    }
}

/// The stored form of a [`Kept`] history, and of its pages, this build writes and reads
/// (1 held every entry in one record; a phone that kept one builds its history again).
pub const KEPT_VERSION: u32 = 2;

/// How many entries a kept page holds: opening a history reads what is kept, at most
/// this many entries, and the changes since (at 10,000 changes by three people, 1,427
/// entries: the whole was 3 MB to read and unseal).
pub const PAGE_ENTRIES: usize = 200;

/// A kept history's stored form: JSON
/// `{"v":2,"after":…,"state":"<base64>","pages":…,"entries":[…]}`, and a page's
/// `{"v":2,"entries":[…]}`;
/// each entry `{"who":"m:<hex>"|"before"|"earlier","seqs":[…],"written":[…],
/// "received":…,"did":[{"k":"added","list":…,"parts":[[part,words],…]},…]}` with the
/// schema's stored names. Pinned by `domain/tests/plan_history.rs`.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct KeptForm {
    v: u32,
    after: u64,
    state: String,
    pages: u32,
    entries: Vec<EntryForm>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PageForm {
    v: u32,
    entries: Vec<EntryForm>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryForm {
    who: String,
    seqs: (u64, u64),
    written: (u64, u64),
    received: u64,
    did: Vec<DidForm>,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(tag = "k", rename_all = "snake_case", deny_unknown_fields)]
enum DidForm {
    Wrote {
        field: String,
        words: String,
    },
    AddedWords {
        field: String,
        words: String,
    },
    TookOut {
        field: String,
        words: String,
    },
    Rewrote {
        field: String,
        was: String,
        now: String,
    },
    Cleared {
        field: String,
        was: String,
    },
    Added {
        list: String,
        parts: Vec<(String, String)>,
    },
    Removed {
        list: String,
        parts: Vec<(String, String)>,
    },
    Changed {
        list: String,
        item: String,
        part: String,
        was: String,
        now: String,
    },
    Moved {
        list: String,
        item: String,
    },
    Picked {
        choice: String,
        value: String,
    },
    Hid {
        list: String,
        hidden: bool,
    },
}

impl Kept {
    /// Moves the oldest entries into full pages while more than [`PAGE_ENTRIES`] are
    /// held: each page with its number, to be kept beside before this is (a page is
    /// never changed once full; kept again after a failure, it is the same page).
    pub fn page_out(&mut self) -> Vec<(u32, Vec<Entry>)> {
        let mut paged = Vec::new();
        while self.entries.len() > PAGE_ENTRIES {
            let page = self.entries.split_off(self.entries.len() - PAGE_ENTRIES);
            paged.push((self.pages, page));
            self.pages += 1;
        }
        paged
    }

    /// The stored form. A built history holds no suggestions or marks (they are added
    /// when shown), so none is written.
    pub fn to_bytes(&self) -> Vec<u8> {
        use base64::Engine as _;
        let form = KeptForm {
            v: KEPT_VERSION,
            after: self.after,
            state: base64::engine::general_purpose::STANDARD.encode(&self.state),
            pages: self.pages,
            entries: self.entries.iter().map(entry_form).collect(),
        };
        serde_json::to_vec(&form).unwrap_or_default()
    }

    /// Reads the stored form back for `kind`; None for another version, damage, or a
    /// name the section's schema does not hold (then the history is built again).
    pub fn from_bytes(kind: SectionKind, bytes: &[u8]) -> Option<Self> {
        use base64::Engine as _;
        let form: KeptForm = serde_json::from_slice(bytes).ok()?;
        if form.v != KEPT_VERSION {
            return None;
        }
        let state = base64::engine::general_purpose::STANDARD
            .decode(&form.state)
            .ok()?;
        Some(Self {
            entries: entries_from(kind, form.entries)?,
            pages: form.pages,
            state,
            after: form.after,
        })
    }
}

/// A page of a kept history ([`Kept::page_out`]) in its stored form.
pub fn page_to_bytes(entries: &[Entry]) -> Vec<u8> {
    let form = PageForm {
        v: KEPT_VERSION,
        entries: entries.iter().map(entry_form).collect(),
    };
    serde_json::to_vec(&form).unwrap_or_default()
}

/// A kept page read back for `kind`; None as for [`Kept::from_bytes`].
pub fn page_from_bytes(kind: SectionKind, bytes: &[u8]) -> Option<Vec<Entry>> {
    let form: PageForm = serde_json::from_slice(bytes).ok()?;
    if form.v != KEPT_VERSION {
        return None;
    }
    entries_from(kind, form.entries)
}

fn entry_form(entry: &Entry) -> EntryForm {
    EntryForm {
        who: match entry.who {
            Who::Member(key) => format!("m:{}", key_hex(&key)),
            Who::BeforeSharing => "before".into(),
            Who::Earlier => "earlier".into(),
        },
        seqs: entry.seqs,
        written: entry.written_ms,
        received: entry.received_ms,
        did: entry.did.iter().filter_map(did_form).collect(),
    }
}

fn entries_from(kind: SectionKind, forms: Vec<EntryForm>) -> Option<Vec<Entry>> {
    let mut entries = Vec::with_capacity(forms.len());
    for entry in forms {
        let who = match entry.who.as_str() {
            "before" => Who::BeforeSharing,
            "earlier" => Who::Earlier,
            other => Who::Member(key_from_hex(other.strip_prefix("m:")?)?),
        };
        let did = entry
            .did
            .into_iter()
            .map(|did| did_from(kind, did))
            .collect::<Option<Vec<_>>>()?;
        entries.push(Entry {
            who,
            seqs: entry.seqs,
            written_ms: entry.written,
            received_ms: entry.received,
            did,
        });
    }
    Some(entries)
}

fn did_form(did: &Did) -> Option<DidForm> {
    let s = |name: &str| name.to_string();
    let parts =
        |parts: &[(&'static str, String)]| parts.iter().map(|(p, w)| (s(p), w.clone())).collect();
    Some(match did {
        Did::Wrote { field, words } => DidForm::Wrote {
            field: s(field),
            words: words.clone(),
        },
        Did::AddedWords { field, words } => DidForm::AddedWords {
            field: s(field),
            words: words.clone(),
        },
        Did::TookOut { field, words } => DidForm::TookOut {
            field: s(field),
            words: words.clone(),
        },
        Did::Rewrote { field, was, now } => DidForm::Rewrote {
            field: s(field),
            was: was.clone(),
            now: now.clone(),
        },
        Did::Cleared { field, was } => DidForm::Cleared {
            field: s(field),
            was: was.clone(),
        },
        Did::Added { list, parts: p } => DidForm::Added {
            list: s(list),
            parts: parts(p),
        },
        Did::Removed { list, parts: p } => DidForm::Removed {
            list: s(list),
            parts: parts(p),
        },
        Did::Changed {
            list,
            item,
            part,
            was,
            now,
        } => DidForm::Changed {
            list: s(list),
            item: item.clone(),
            part: s(part),
            was: was.clone(),
            now: now.clone(),
        },
        Did::Moved { list, item } => DidForm::Moved {
            list: s(list),
            item: item.clone(),
        },
        Did::Picked { choice, value } => DidForm::Picked {
            choice: s(choice),
            value: value.clone(),
        },
        Did::Hid { list, hidden } => DidForm::Hid {
            list: s(list),
            hidden: *hidden,
        },
        Did::Suggested { .. } | Did::MarkedAgreed => return None,
    })
}

/// A stored form's entry back, with the schema's own names.
fn did_from(kind: SectionKind, form: DidForm) -> Option<Did> {
    let spec = kind.spec();
    let field = |name: &str| spec.fields.iter().find(|f| f.name == name).map(|f| f.name);
    let list = |name: &str| spec.lists.iter().find(|l| l.name == name);
    let list_name = |name: &str| list(name).map(|l| l.name);
    let part = |l: &str, name: &str| {
        list(l).and_then(|l| l.parts.iter().find(|p| p.name == name).map(|p| p.name))
    };
    let parts = |l: &str, parts: Vec<(String, String)>| {
        parts
            .into_iter()
            .map(|(p, w)| Some((part(l, &p)?, w)))
            .collect::<Option<Vec<_>>>()
    };
    Some(match form {
        DidForm::Wrote { field: f, words } => Did::Wrote {
            field: field(&f)?,
            words,
        },
        DidForm::AddedWords { field: f, words } => Did::AddedWords {
            field: field(&f)?,
            words,
        },
        DidForm::TookOut { field: f, words } => Did::TookOut {
            field: field(&f)?,
            words,
        },
        DidForm::Rewrote { field: f, was, now } => Did::Rewrote {
            field: field(&f)?,
            was,
            now,
        },
        DidForm::Cleared { field: f, was } => Did::Cleared {
            field: field(&f)?,
            was,
        },
        DidForm::Added { list: l, parts: p } => Did::Added {
            list: list_name(&l)?,
            parts: parts(&l, p)?,
        },
        DidForm::Removed { list: l, parts: p } => Did::Removed {
            list: list_name(&l)?,
            parts: parts(&l, p)?,
        },
        DidForm::Changed {
            list: l,
            item,
            part: p,
            was,
            now,
        } => Did::Changed {
            list: list_name(&l)?,
            item,
            part: part(&l, &p)?,
            was,
            now,
        },
        DidForm::Moved { list: l, item } => Did::Moved {
            list: list_name(&l)?,
            item,
        },
        DidForm::Picked { choice, value } => Did::Picked {
            choice: spec.choices.iter().find(|c| c.name == choice)?.name,
            value,
        },
        DidForm::Hid { list: l, hidden } => Did::Hid {
            list: list_name(&l)?,
            hidden,
        },
    })
}

fn key_hex(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_from_hex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (at, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[at * 2..at * 2 + 2], 16).ok()?;
    }
    Some(key)
}
