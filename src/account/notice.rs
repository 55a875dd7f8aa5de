//! What sync tells the person on every screen, in the notice slot the app frame keeps
//! empty (`#app-notice`): that the plan is not being backed up, or that a new phone signed
//! in to their account. Written as plain text nodes and a link, never as HTML (a phone's
//! name is words someone typed).
//!
//! Every tab reads the same facts from site storage, so the tab that syncs and the
//! others say the same.

use wasm_bindgen::JsCast;

use crate::i18n::{AccountText as A, fill, ta};
use crate::platform::now_ms;

/// When the last round of sync succeeded (milliseconds since 1970).
const SYNCED_AT: &str = "coplan:synced-at";
/// The person asked to be reminded of their review on this phone ("1").
const REMINDERS: &str = "coplan:review-reminders";
/// When sync started failing, if it is failing now.
const WAITING_SINCE: &str = "coplan:sync-waiting-since";
/// The server says this phone is no longer signed in.
const SIGNED_OUT: &str = "coplan:sync-signed-out";
/// Phones signed in up to this moment have been shown to the person.
const PHONES_SEEN: &str = "coplan:phones-seen";
/// A new phone to tell the person about: its name, then a tab, then when.
const NEW_PHONE: &str = "coplan:new-phone";
/// The open plan is someone else's, shared with this account: the parts it may change,
/// by their stored names, comma-separated (empty for none).
const SHARED_PLAN: &str = "coplan:shared-plan";
/// Plans shared with this account are on a phone with no app lock (so not synced).
const SHARED_UNLOCKED: &str = "coplan:shared-unlocked";
/// This account was removed from a plan shared with it, which came off this phone.
const REMOVED: &str = "coplan:removed-from-plan";
/// The service turned this account off (`account_disabled`).
const TURNED_OFF: &str = "coplan:account-turned-off";
/// What this phone last turned away from the server: what kind of thing, then a tab,
/// when, then a tab, the part of the plan it was for (a section's stored name, or empty).
const REFUSED: &str = "coplan:refused";
/// How many members of the account's own plans to remove (they left, or the service
/// turned their account off), as the server last counted.
const TO_REMOVE: &str = "coplan:members-to-remove";

/// Say nothing about a failing sync for this long: a moment offline is normal.
const QUIET_MS: u64 = 60_000;

fn site() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn number(key: &str) -> Option<u64> {
    site()?.get_item(key).ok()??.parse().ok()
}

fn set(key: &str, value: Option<String>) {
    if let Some(site) = site() {
        let _ = match value {
            Some(value) => site.set_item(key, &value),
            None => site.remove_item(key),
        };
    }
}

/// A moment in words, like "15:04, 3 December 2026".
pub fn moment(ms: u64) -> String {
    format!("{}, {}", clock_time(ms), crate::platform::format_date(ms))
}

/// A time of day, like "15:04", in the phone's time zone.
pub fn clock_time(ms: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    let options = js_sys::Object::new();
    for (key, value) in [("hour", "2-digit"), ("minute", "2-digit")] {
        let _ = js_sys::Reflect::set(&options, &key.into(), &value.into());
    }
    date.to_locale_time_string_with_options("en-GB", &options)
        .into()
}

/// When this phone's last round of sync ended well (every plan is synced in one round).
pub fn synced_at() -> Option<u64> {
    number(SYNCED_AT)
}

/// A round of sync went through.
pub fn synced() {
    set(SYNCED_AT, Some(now_ms().to_string()));
    set(WAITING_SINCE, None);
    set(SIGNED_OUT, None);
    set(TURNED_OFF, None);
    show();
}

/// The server says the service turned this account off.
pub fn turned_off() {
    set(TURNED_OFF, Some(now_ms().to_string()));
    show();
}

/// A round of sync failed; `signed_out` when the server no longer knows this phone.
pub fn failed(signed_out: bool) {
    if number(WAITING_SINCE).is_none() {
        set(WAITING_SINCE, Some(now_ms().to_string()));
    }
    if signed_out {
        set(SIGNED_OUT, Some("1".into()));
    }
    show();
}

/// The account's phones, as just read: a phone that signed in since the person last saw
/// the list is told about. The first time, every phone there counts as seen.
pub fn phones(phones: &[coplan_domain::wire::Phone]) {
    let newest = phones.iter().map(|p| p.signed_in_ms.max(0) as u64).max();
    let Some(seen) = number(PHONES_SEEN) else {
        set(PHONES_SEEN, newest.map(|n| n.to_string()));
        return;
    };
    if let Some(phone) = phones
        .iter()
        .filter(|p| !p.this_phone && p.signed_in_ms.max(0) as u64 > seen)
        .max_by_key(|p| p.signed_in_ms)
    {
        set(
            NEW_PHONE,
            Some(format!("{}\t{}", phone.name, phone.signed_in_ms.max(0))),
        );
        show();
    }
}

/// Someone removed this account from their plan, and it came off this phone: said on
/// every screen until the account screen is opened.
pub fn removed_from_plan() {
    set(REMOVED, Some("1".into()));
    show();
}

/// What the server sent that this phone turned away, because the plan's owner (or a
/// member with the right) did not sign it: nothing of it was taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A change or snapshot for this part, not signed by anyone who may write it.
    Change(coplan_domain::plan::SectionKind),
    /// A key for this part (or for someone's suggestions) the person did not sign, or not
    /// the one the signed membership log vouches for.
    Key,
    /// A plan's membership log that does not verify against the person's key: a forged,
    /// replayed or reordered entry.
    Members,
}

impl Refused {
    fn code(self) -> &'static str {
        match self {
            Self::Change(_) => "change",
            Self::Key => "key",
            Self::Members => "members",
        }
    }
}

/// The server sent something this phone turned away: said on every screen until the
/// account screen is opened, so a lying server is never quietly put up with. Only what
/// kind of thing, when, and which part are kept (no words of the plan).
pub fn refused(what: Refused) {
    let part = match what {
        Refused::Change(kind) => kind.key(),
        Refused::Key | Refused::Members => "",
    };
    web_sys::console::warn_1(
        &format!("sync: turned away a {} from the server", what.code()).into(),
    );
    set(
        REFUSED,
        Some(format!("{}\t{}\t{part}", what.code(), now_ms())),
    );
    show();
}

/// The words for what this phone last turned away, if anything.
fn refused_words() -> Option<String> {
    let value = site()?.get_item(REFUSED).ok()??;
    let mut fields = value.split('\t');
    let (code, at, part) = (fields.next()?, fields.next()?, fields.next().unwrap_or(""));
    let time = moment(at.parse().ok()?);
    let section = coplan_domain::plan::SectionKind::ALL
        .into_iter()
        .find(|kind| kind.key() == part)
        .map(|kind| crate::i18n::t(crate::plan::section_title(kind)));
    Some(match (code, section) {
        ("change", Some(section)) => fill(
            ta(A::RefusedChange),
            &[("section", section), ("time", &time)],
        ),
        // (The plan's card, which is not a part the person writes in.)
        ("change", None) => fill(ta(A::RefusedChangeCard), &[("time", &time)]),
        ("key", _) => fill(ta(A::RefusedKey), &[("time", &time)]),
        _ => fill(ta(A::RefusedMembers), &[("time", &time)]),
    })
}

/// The person has seen the account's phones on the account screen.
pub fn phones_seen(phones: &[coplan_domain::wire::Phone]) {
    set(REMOVED, None);
    set(REFUSED, None);
    let newest = phones.iter().map(|p| p.signed_in_ms.max(0) as u64).max();
    set(PHONES_SEEN, newest.map(|n| n.to_string()));
    set(NEW_PHONE, None);
    show();
}

thread_local! {
    /// The name on the card of the open plan, when it is someone else's: kept in this
    /// tab's memory only (never in site storage, which is not sealed).
    static OPEN_NAME: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// The person's review reminder for the open plan, if one is due: in this tab's
    /// memory only (it holds a date and a name).
    static REVIEW: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Whether the person asked, on this phone, to be reminded of their review.
pub fn reminders_on() -> bool {
    number(REMINDERS).is_some()
}

/// The person's choice to be reminded of their review on this phone.
pub fn set_reminders(on: bool) {
    set(REMINDERS, on.then(|| "1".into()));
    if !on {
        review(None);
    }
}

/// The review reminder to show on every screen (None: none is due, or the person did not
/// ask for one).
pub fn review(words: Option<String>) {
    if REVIEW.with_borrow(|now| *now != words) {
        REVIEW.set(words);
        show();
    }
}

/// Whether the open plan is someone else's, and then the parts this account may change
/// there and the name on its card: until suggestions come, words written anywhere else
/// stay on this phone.
pub fn shared_plan(
    may_change: Option<&[coplan_domain::plan::SectionKind]>,
    unlocked: bool,
    name: Option<String>,
) {
    if OPEN_NAME.with_borrow(|known| *known != name) {
        OPEN_NAME.set(name);
        show();
    }
    let before = number(SHARED_UNLOCKED).is_some();
    if before != unlocked {
        set(SHARED_UNLOCKED, unlocked.then(|| "1".into()));
        show();
    }
    let value = may_change.map(|kinds| {
        let mut keys = String::new();
        for kind in kinds {
            if !keys.is_empty() {
                keys.push(',');
            }
            keys.push_str(kind.key());
        }
        keys
    });
    let before = site().and_then(|s| s.get_item(SHARED_PLAN).ok().flatten());
    if before != value {
        set(SHARED_PLAN, value);
        show();
    }
}

/// How many members of the account's own plans the person should remove, as the plan
/// list just said: told on every screen until none is left.
pub fn to_remove(count: u32) {
    let value = (count > 0).then(|| count.to_string());
    if site().and_then(|s| s.get_item(TO_REMOVE).ok().flatten()) != value {
        set(TO_REMOVE, value);
        show();
    }
}

/// Signed out on this phone: nothing more to say.
pub fn forget() {
    for key in [
        SYNCED_AT,
        WAITING_SINCE,
        SIGNED_OUT,
        PHONES_SEEN,
        NEW_PHONE,
        SHARED_PLAN,
        TURNED_OFF,
        TO_REMOVE,
        REFUSED,
        REMINDERS,
    ] {
        set(key, None);
    }
    OPEN_NAME.set(None);
    REVIEW.set(None);
    show();
}

/// How the backup stands, in words (for the account screen).
pub fn backup_words() -> String {
    match (number(WAITING_SINCE), number(SYNCED_AT)) {
        (Some(since), _) if now_ms().saturating_sub(since) >= QUIET_MS => {
            fill(ta(A::NotBackedUpSince), &[("time", &moment(since))])
        }
        (_, Some(at)) => fill(ta(A::BackedUpAt), &[("time", &moment(at))]),
        _ => ta(A::NotBackedUpYet).into(),
    }
}

/// What the notice slot should say now, if anything, and whether it is the review
/// reminder (which links to where the care plan is agreed, not the account screen).
fn words_and_reminder() -> Option<(String, bool)> {
    if let Some(words) = urgent() {
        return Some((words, false));
    }
    if let Some(words) = REVIEW.with_borrow(Clone::clone) {
        return Some((words, true));
    }
    shared_words().map(|words| (words, false))
}

/// What needs saying before a review reminder.
fn urgent() -> Option<String> {
    if number(TURNED_OFF).is_some() {
        return Some(ta(A::AccountTurnedOff).into());
    }
    if number(SIGNED_OUT).is_some() {
        return Some(ta(A::SignInAgainToBackUp).into());
    }
    if number(REMOVED).is_some() {
        return Some(ta(A::RemovedFromPlan).into());
    }
    if let Some(words) = refused_words() {
        return Some(words);
    }
    if number(TO_REMOVE).is_some() {
        return Some(ta(A::MembersToRemove).into());
    }
    if let Some(new) = site().and_then(|s| s.get_item(NEW_PHONE).ok().flatten()) {
        let (name, at) = new.split_once('\t').unwrap_or((&new, "0"));
        let date = crate::platform::format_date(at.parse().unwrap_or(0));
        return Some(fill(
            ta(A::NewPhoneSignedIn),
            &[("name", name), ("date", &date)],
        ));
    }
    if let Some(since) = number(WAITING_SINCE)
        && now_ms().saturating_sub(since) >= QUIET_MS
    {
        return Some(fill(ta(A::NotBackedUpSince), &[("time", &moment(since))]));
    }
    None
}

/// On someone else's plan: whose it is and what this account may change there.
fn shared_words() -> Option<String> {
    if number(SHARED_UNLOCKED).is_some() {
        return Some(ta(A::SharedPlansNeedLock).into());
    }
    let shared = site()?.get_item(SHARED_PLAN).ok()??;
    let parts: Vec<&str> = coplan_domain::plan::SectionKind::ALL
        .into_iter()
        .filter(|kind| shared.split(',').any(|key| key == kind.key()))
        .map(|kind| crate::i18n::t(crate::plan::section_title(kind)))
        .collect();
    let name = OPEN_NAME.with_borrow(Clone::clone);
    let listed = super::invite::listed(&parts);
    Some(match (parts.is_empty(), name) {
        (true, None) => ta(A::SharedPlanReadOnly).into(),
        (true, Some(name)) => fill(ta(A::SharedPlanReadOnlyNamed), &[("name", &name)]),
        (false, None) => fill(ta(A::SharedPlanMayChange), &[("sections", &listed)]),
        (false, Some(name)) => fill(
            ta(A::SharedPlanMayChangeNamed),
            &[("name", &name), ("sections", &listed)],
        ),
    })
}

thread_local! {
    /// Told whenever how the backup stands may have changed: the account screen's line,
    /// while it is open.
    static ON_CHANGE: std::cell::RefCell<Option<std::rc::Rc<dyn Fn()>>> =
        const { std::cell::RefCell::new(None) };
}

/// Sets (or, with None, clears) what [`show`] tells.
pub fn on_change(listener: Option<std::rc::Rc<dyn Fn()>>) {
    ON_CHANGE.with_borrow_mut(|slot| *slot = listener);
}

/// Writes the notice into the frame's slot: the words, then a link to the account screen.
pub fn show() {
    if let Some(listener) = ON_CHANGE.with_borrow(Clone::clone) {
        listener();
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(slot) = document.get_element_by_id("app-notice") else {
        return;
    };
    slot.set_text_content(None);
    let Some((words, reminder)) = words_and_reminder() else {
        return;
    };
    let paragraph = document.create_element("p");
    let link = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let (Ok(paragraph), Some(link)) = (paragraph, link) {
        paragraph.set_text_content(Some(&format!("{words} ")));
        let (href, said) = if reminder {
            ("/care-plan", ta(A::ReviewOpen))
        } else {
            ("/account", ta(A::OpenAccount))
        };
        link.set_href(href);
        link.set_text_content(Some(said));
        let _ = paragraph.append_child(&link);
        let _ = slot.append_child(&paragraph);
    }
}
