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
    let doc = match base {
        Some(state) => SectionDoc::load(kind, 0, state)?,
        None => SectionDoc::new(kind, 0),
    };
    let mut entries = Vec::new();
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
        let group = &changes[start..end];
        for change in group {
            // One that does not apply adds nothing; the rest still do.
            let _ = doc.apply_update(change.update);
        }
        let (before, after) = doc.refresh(&mut view, &touched);
        if first.who == Who::Earlier {
            start = end;
            continue;
        }
        let did = differences(kind, &before, &after);
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
    entries.reverse();
    Ok(entries)
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
