//! Who can see and change each part of the open plan, put in words after each round of
//! sync (issue 14 item 6) for the writing screens (`crate::plan::readers`). From the
//! verified membership log: every member's role and what they may do with each part.
//! The person's phone names members by their account's username (fetched once per
//! change of the log, kept in memory); a member's phone names the person by the plan's
//! card, every member the person chose to show to the others by the name the card gives
//! them (issue 14 item 4), and every other member only by their role ("a worker Alex
//! invited"): that they are there, their role and their rights are in the log every
//! member checks.

use std::cell::RefCell;
use std::collections::BTreeMap;

use coplan_domain::membership::{Membership, Right};
use coplan_domain::plan::SectionKind;
use coplan_domain::plan::card::Shown;
use coplan_domain::sync::id_to_hex;
use coplan_domain::wire::People;

use coplan_domain::PlanId;
use coplan_domain::wire::{READERS_COPY_VERSION, ReadersCopy};

use super::api;
use super::flows::Problem;
use crate::i18n::{AccountText as A, fill, ta};
use crate::storage::Storage;

/// Shows `lines` on the writing screens of the open plan `local`, and keeps them sealed
/// beside its sync record when they changed, for a screen opened offline before any
/// round ([`show_kept`]). A copy not kept is said in the console and never stops a round.
pub async fn show(storage: &Storage, local: &PlanId, lines: BTreeMap<SectionKind, String>) {
    let copy = ReadersCopy {
        v: READERS_COPY_VERSION,
        lines: lines
            .iter()
            .map(|(kind, line)| (kind.key().to_string(), line.clone()))
            .collect(),
    };
    if !crate::plan::readers::set(lines) {
        return;
    }
    let kept = match serde_json::to_vec(&copy) {
        Ok(bytes) => storage.keep_readers_copy(local, &bytes).await.is_ok(),
        Err(_) => false,
    };
    if !kept {
        web_sys::console::warn_1(&"sync: who can see each part was not kept".into());
    }
}

/// The open plan's lines as the last round kept them, while this tab knows none (a
/// screen opened offline, or before the first round ends). Nothing when none were kept,
/// or the phone is locked.
pub async fn show_kept() {
    if crate::plan::readers::known() {
        return;
    }
    let Ok(storage) = Storage::shared().await else {
        return;
    };
    let Some(plan) = storage
        .current_plan()
        .await
        .ok()
        .flatten()
        .and_then(|open| PlanId::parse(&open).ok())
    else {
        return;
    };
    let Some(copy) = storage
        .readers_copy(&plan)
        .await
        .ok()
        .flatten()
        .and_then(|bytes| serde_json::from_slice::<ReadersCopy>(&bytes).ok())
        .filter(|copy| copy.v == READERS_COPY_VERSION)
    else {
        return;
    };
    let lines = copy
        .lines
        .into_iter()
        .filter_map(|(key, line)| {
            let kind = SectionKind::ALL
                .into_iter()
                .find(|kind| kind.key() == key)?;
            Some((kind, line))
        })
        .collect();
    // A round may have worked them out meanwhile: its lines are newer.
    if !crate::plan::readers::known() {
        crate::plan::readers::set(lines);
    }
}

/// A plan, how long its log was, and its members' usernames by signing key, then.
type Names = ([u8; 16], u32, Vec<([u8; 32], String)>);

thread_local! {
    /// The usernames of a plan's members, as fetched when its log was this long.
    static NAMES: RefCell<Option<Names>> = const { RefCell::new(None) };
}

/// The usernames of `plan`'s members as last fetched, if its log was `len` long then.
pub fn known_names(plan: [u8; 16], len: u32) -> Option<Vec<([u8; 32], String)>> {
    NAMES.with_borrow(|names| {
        names
            .as_ref()
            .filter(|(p, l, _)| *p == plan && *l == len)
            .map(|(_, _, n)| n.clone())
    })
}

/// The lines for the person's own plan `plan`, whose verified log is `log`.
pub async fn persons_lines(
    plan: [u8; 16],
    log: &Membership,
) -> Result<BTreeMap<SectionKind, String>, Problem> {
    let others: Vec<_> = log
        .members
        .iter()
        .filter(|(key, m)| **key != log.person && !m.removed)
        .collect();
    let known = known_names(plan, log.len);
    let names = match known {
        Some(names) => names,
        None if others.is_empty() => Vec::new(),
        None => {
            let people: People =
                api::get(&format!("/api/v1/plans/{}/people", id_to_hex(&plan))).await?;
            let names: Vec<_> = people
                .people
                .into_iter()
                .map(|p| (p.signing.0, p.username))
                .collect();
            NAMES.set(Some((plan, log.len, names.clone())));
            names
        }
    };
    let mut lines = BTreeMap::new();
    for kind in SectionKind::ALL {
        let mut who = Vec::new();
        for right in [Right::Edit, Right::Suggest, Right::Read] {
            for (key, member) in &others {
                if log.right(key, kind) != right {
                    continue;
                }
                let name = names
                    .iter()
                    .find(|(k, _)| k == *key)
                    .map_or_else(|| ta(A::AccessSomeone).to_string(), |(_, n)| n.clone());
                let name = match super::invite::role_word(member.role) {
                    Some(role) => format!("{name} ({role})"),
                    None => name,
                };
                who.push(with_right(&name, right));
            }
        }
        let line = if who.is_empty() {
            ta(A::ReadersOnlyYou).to_string()
        } else {
            fill(ta(A::ReadersAlso), &[("people", &who.join("; "))])
        };
        lines.insert(kind, line);
    }
    Ok(lines)
}

/// The lines for a plan shared with this account (`me`), whose card names the person
/// `name` (when it has a name) and the members `shown` to the others: only for the parts
/// this account may read.
pub fn members_lines(
    log: &Membership,
    me: &[u8; 32],
    name: Option<&str>,
    shown: &[Shown],
) -> BTreeMap<SectionKind, String> {
    let person = name.map_or_else(|| ta(A::ReaderThePerson).to_string(), str::to_string);
    let mut lines = BTreeMap::new();
    for kind in SectionKind::ALL {
        let my_right = log.right(me, kind);
        if my_right == Right::None {
            continue;
        }
        let mut who = vec![
            fill(ta(A::ReaderPerson), &[("name", &person)]),
            with_right(ta(A::ReaderYou), my_right),
        ];
        for right in [Right::Edit, Right::Suggest, Right::Read] {
            for (key, member) in &log.members {
                if *key == log.person || key == me || log.right(key, kind) != right {
                    continue;
                }
                let role_word = super::invite::role_word(member.role);
                let shown_as = shown.iter().find(|(k, _)| k == key).map(|(_, n)| n);
                let someone = match (role_word, shown_as) {
                    (Some(role), Some(name)) => format!("{name} ({role})"),
                    (None, Some(name)) => name.clone(),
                    (Some(role), None) => fill(
                        ta(A::ReaderInvitedRole),
                        &[("role", role), ("name", &person)],
                    ),
                    (None, None) => fill(ta(A::ReaderInvitedOther), &[("name", &person)]),
                };
                who.push(with_right(&someone, right));
            }
        }
        lines.insert(
            kind,
            fill(ta(A::ReadersShared), &[("people", &who.join("; "))]),
        );
    }
    lines
}

/// "sam.worker (worker), who can change it".
fn with_right(who: &str, right: Right) -> String {
    let phrase = match right {
        Right::Edit => A::ReaderChanges,
        Right::Suggest => A::ReaderSuggests,
        _ => A::ReaderReads,
    };
    fill(ta(phrase), &[("who", who)])
}
