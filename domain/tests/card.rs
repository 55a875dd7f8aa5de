//! The plan card's list of members the person shows to the others by name (issue 14
//! item 4): its stored value pinned, what it refuses, and the card document keeping it
//! whole.

use coplan_domain::plan::card::{self, MAX_NAME_CHARS, MAX_SHOWN};
use coplan_domain::plan::{AuthorId, Edit, PlanError, SectionDoc, SectionKind, Stamp};

fn key(byte: u8) -> [u8; 32] {
    std::array::from_fn(|at| byte.wrapping_add(at as u8))
}

#[test]
fn the_shown_names_are_stored_as_version_1_and_read_back() {
    let shown = vec![(key(0), "Sam".to_string()), (key(0xf0), "Jo Bloggs".into())];
    let value = card::write(&shown);
    // Pinned: a change to this is a change of stored format (a version 2).
    assert_eq!(
        value,
        "coplan/shown/1\n\
         000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f Sam\n\
         f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff000102030405060708090a0b0c0d0e0f Jo Bloggs"
    );
    assert_eq!(card::read(&value), Ok(shown.clone()));
    assert_eq!(card::write(&[]), "");
    assert_eq!(card::read(""), Ok(Vec::new()));

    // Showing someone again changes their name in place; hiding takes them out.
    let renamed = card::with(&shown, key(0), "Sam (peer worker)");
    assert_eq!(renamed[0], (key(0), "Sam (peer worker)".to_string()));
    assert_eq!(renamed.len(), 2);
    assert_eq!(card::without(&renamed, &key(0)), vec![shown[1].clone()]);
}

#[test]
fn a_shown_value_that_is_not_version_1_or_breaks_a_limit_is_refused() {
    let good = card::write(&[(key(1), "Sam".into())]);
    let line = good.lines().nth(1).unwrap().to_string();
    let too_many = card::write(
        &(0..=MAX_SHOWN as u8)
            .map(|n| (key(n.wrapping_mul(3)), "x".into()))
            .collect::<Vec<_>>(),
    );
    for bad in [
        format!("coplan/shown/2\n{line}"),
        line.clone(),
        format!("coplan/shown/1\n{}", line.to_uppercase()),
        format!("coplan/shown/1\n{}", &line[2..]),
        format!("coplan/shown/1\n{line}\n{line}"),
        format!("coplan/shown/1\n{} ", &line[..64]),
        format!("coplan/shown/1\n{} Sa\tm", &line[..64]),
        format!("coplan/shown/1\n{}", &line[..64]),
        "coplan/shown/1\n".to_string(),
        too_many,
    ] {
        assert!(card::read(&bad).is_err(), "{bad:?}");
    }
    let long = "n".repeat(MAX_NAME_CHARS + 1);
    assert_eq!(
        card::check_name(&long),
        Err(PlanError::TooLong {
            max: MAX_NAME_CHARS as u32
        })
    );
    assert!(card::read(&format!("coplan/shown/1\n{} {long}", &line[..64])).is_err());
    assert_eq!(card::check_name(&"n".repeat(MAX_NAME_CHARS)), Ok(()));
}

#[test]
fn the_card_keeps_the_shown_names_whole_and_refuses_a_bad_value() {
    let stamp = Stamp {
        author: AuthorId::parse("phone-1").unwrap(),
        at_ms: 1,
    };
    let set = |value: String| Edit::SetChoice {
        name: "shown",
        value,
    };
    let (one, two) = (
        SectionDoc::new(SectionKind::Card, 21),
        SectionDoc::new(SectionKind::Card, 22),
    );
    let sam = card::write(&[(key(1), "Sam".into())]);
    let jo = card::write(&[(key(2), "Jo".into())]);
    let from_one = one.apply(&set(sam.clone()), &stamp).unwrap();
    let from_two = two.apply(&set(jo), &stamp).unwrap();
    one.apply_update(&from_two).unwrap();
    two.apply_update(&from_one).unwrap();
    // Both copies agree on one whole value, never a mix of the two.
    let agreed = one.view().choice("shown").to_string();
    assert_eq!(two.view().choice("shown"), agreed);
    assert_eq!(card::read(&agreed).unwrap().len(), 1);

    assert!(one.apply(&set("Sam".into()), &stamp).is_err());
    assert_eq!(one.view().choice("shown"), agreed);
}
