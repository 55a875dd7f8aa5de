//! Turns "the field said X, now it says Y" into one splice (where, how much to remove,
//! what to insert), by trimming the common start and end. Binding inputs to CRDT text
//! this way lets two people's edits merge character by character.
//!
//! Offsets are in UTF-16 code units, as browsers and the CRDT (set to UTF-16) count them,
//! and never split a character.

/// One change to a text: remove `remove` units at `at`, then insert `insert` there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub at: u32,
    pub remove: u32,
    pub insert: String,
}

/// The smallest single splice that turns `old` into `new`, or None when they are equal.
pub fn splice(old: &str, new: &str) -> Option<Splice> {
    if old == new {
        return None;
    }
    let prefix_bytes = common_prefix(old, new);
    let old_rest = &old[prefix_bytes..];
    let new_rest = &new[prefix_bytes..];
    let suffix_bytes = common_suffix(old_rest, new_rest);
    let removed = &old_rest[..old_rest.len() - suffix_bytes];
    let inserted = &new_rest[..new_rest.len() - suffix_bytes];
    Some(Splice {
        at: utf16_len(&old[..prefix_bytes]),
        remove: utf16_len(removed),
        insert: inserted.to_string(),
    })
}

/// Where a caret at `caret` (UTF-16 units) in `old` belongs once the text reads `new`
/// because someone else changed it: it moves with the words around it.
pub fn moved_caret(old: &str, new: &str, caret: u32) -> u32 {
    let Some(change) = splice(old, new) else {
        return caret;
    };
    let inserted = utf16_len(&change.insert);
    if caret <= change.at {
        caret
    } else if caret >= change.at + change.remove {
        caret + inserted - change.remove
    } else {
        change.at + inserted
    }
}

/// Applies a splice to a plain string (for tests and for checking).
pub fn apply(text: &str, splice: &Splice) -> String {
    let start = byte_index(text, splice.at);
    let end = byte_index(text, splice.at + splice.remove);
    format!("{}{}{}", &text[..start], splice.insert, &text[end..])
}

/// Length of a string in UTF-16 code units.
pub fn utf16_len(text: &str) -> u32 {
    text.encode_utf16().count() as u32
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, ca), cb)| ca != cb)
        .map(|((i, _), _)| i)
        .unwrap_or_else(|| a.len().min(b.len()))
}

fn common_suffix(a: &str, b: &str) -> usize {
    let mut len = 0;
    for (ca, cb) in a.chars().rev().zip(b.chars().rev()) {
        if ca != cb {
            break;
        }
        len += ca.len_utf8();
    }
    len
}

fn byte_index(text: &str, utf16_offset: u32) -> usize {
    let mut units = 0u32;
    for (i, c) in text.char_indices() {
        if units >= utf16_offset {
            return i;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_moves_with_the_words_around_it() {
        // Someone else typed before the caret: it moves along.
        assert_eq!(moved_caret("cat", "my cat", 3), 6);
        // After the caret: it stays.
        assert_eq!(moved_caret("cat", "cats", 2), 2);
        // Words removed before it: it moves back.
        assert_eq!(moved_caret("my cat", "cat", 6), 3);
        // Inside a removed stretch: to the end of what replaced it.
        assert_eq!(moved_caret("a big dog", "a cat", 4), 5);
        // Characters beyond one UTF-16 unit count as two.
        assert_eq!(moved_caret("sea", "🌊 sea", 3), 6);
        assert_eq!(moved_caret("same", "same", 2), 2);
    }

    #[test]
    fn typing_at_the_end_inserts_only_the_new_letters() {
        assert_eq!(
            splice("walk", "walks"),
            Some(Splice {
                at: 4,
                remove: 0,
                insert: "s".into()
            })
        );
    }

    #[test]
    fn a_change_in_the_middle_keeps_both_ends() {
        assert_eq!(
            splice("call mum", "call my mum"),
            Some(Splice {
                at: 6,
                remove: 0,
                insert: "y m".into()
            })
        );
        assert_eq!(splice("abc", "abc"), None);
        assert_eq!(
            splice("abc", ""),
            Some(Splice {
                at: 0,
                remove: 3,
                insert: String::new()
            })
        );
    }

    #[test]
    fn offsets_count_utf16_and_never_split_a_character() {
        let s = splice("hé😀!", "hé😀?!").unwrap();
        assert_eq!(
            s,
            Splice {
                at: 4,
                remove: 0,
                insert: "?".into()
            }
        );
        let s = splice("😀😁", "😀😂").unwrap();
        assert_eq!(
            s,
            Splice {
                at: 2,
                remove: 2,
                insert: "😂".into()
            }
        );
        assert_eq!(apply("😀😁", &s), "😀😂");
    }
}
