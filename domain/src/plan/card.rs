//! The members the person lets the plan's other members see by name (issue 14 item 4),
//! kept in the plan card's `shown` choice: only the person's phones write the card, every
//! member reads it, and the server never can. A member not listed is, to the others, only
//! "a worker Alex invited": that they are there, their role and what they may do are in
//! the membership log every member checks, but never a name.
//!
//! The stored value (version 1) is a header line, then one line per member shown: their
//! account's signing key in 64 lowercase hex digits, a space, and the name the person
//! chose for them (1 to [`MAX_NAME_CHARS`] characters, no control characters). Empty
//! means nobody is shown. It is stored whole, like every choice: when two of the person's
//! phones change it at once, the later one wins.

use super::PlanError;
use crate::sync::{from_hex, to_hex};

/// The first line of a version-1 value.
const HEADER: &str = "coplan/shown/1";
/// The most members one card may name.
pub const MAX_SHOWN: usize = 64;
/// The longest name the person may show a member by.
pub const MAX_NAME_CHARS: usize = 60;
/// The longest value [`check`] accepts: the header and [`MAX_SHOWN`] full lines.
pub const MAX_VALUE_CHARS: usize = HEADER.len() + MAX_SHOWN * (1 + 64 + 1 + MAX_NAME_CHARS);

/// A member the person shows to the others, by their signing key, and the name shown.
pub type Shown = ([u8; 32], String);

/// The members a card's `shown` value lists, in its order; nobody for an empty value.
pub fn read(value: &str) -> Result<Vec<Shown>, PlanError> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        return Err(PlanError::TooLong {
            max: MAX_VALUE_CHARS as u32,
        });
    }
    let mut lines = value.split('\n');
    if lines.next() != Some(HEADER) {
        return Err(PlanError::NotAChoice);
    }
    let mut shown: Vec<Shown> = Vec::new();
    for line in lines {
        let (key, name) = line.split_once(' ').ok_or(PlanError::NotAChoice)?;
        let key = from_hex::<32>(key).ok_or(PlanError::NotAChoice)?;
        check_name(name)?;
        if shown.iter().any(|(k, _)| *k == key) || shown.len() == MAX_SHOWN {
            return Err(PlanError::NotAChoice);
        }
        shown.push((key, name.to_string()));
    }
    Ok(shown)
}

/// The value that lists `shown`: empty for nobody.
pub fn write(shown: &[Shown]) -> String {
    if shown.is_empty() {
        return String::new();
    }
    let mut value = HEADER.to_string();
    for (key, name) in shown {
        value.push('\n');
        value.push_str(&to_hex(key));
        value.push(' ');
        value.push_str(name);
    }
    value
}

/// Whether `name` may be shown: 1 to [`MAX_NAME_CHARS`] characters, none of them control
/// characters, and not blank.
pub fn check_name(name: &str) -> Result<(), PlanError> {
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(PlanError::TooLong {
            max: MAX_NAME_CHARS as u32,
        });
    }
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(PlanError::NotAChoice);
    }
    Ok(())
}

/// `shown` with `member` shown as `name` (in place, if they were shown already).
pub fn with(shown: &[Shown], member: [u8; 32], name: &str) -> Vec<Shown> {
    let mut out: Vec<Shown> = shown.to_vec();
    match out.iter_mut().find(|(key, _)| *key == member) {
        Some(entry) => entry.1 = name.to_string(),
        None => out.push((member, name.to_string())),
    }
    out
}

/// `shown` without `member`.
pub fn without(shown: &[Shown], member: &[u8; 32]) -> Vec<Shown> {
    shown
        .iter()
        .filter(|(key, _)| key != member)
        .cloned()
        .collect()
}
