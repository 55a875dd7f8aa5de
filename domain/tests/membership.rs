//! The membership log (`coplan_domain::membership`): pinned by libsodium's answer, and
//! every entry that does not follow from the log before it refused, as is any change
//! written by someone without the right or under someone else's client ids.

use coplan_domain::keys::AccountKeys;
use coplan_domain::keys::known_answer::random;
use coplan_domain::membership::{
    CLIENT_RANGE, LogError, Membership, Op, Refusal, Right, Role, entry_hash, inserted_clients,
    sections_with, sign_entry, written_ms,
};
use coplan_domain::plan::{AuthorId, Edit, SectionDoc, SectionKind, Stamp};

const PLAN: [u8; 16] = [0x11; 16];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The person's first entry, signed by the keys of `keys::known_answer::random`.
const GENESIS: &str = "434d011111111111111111111111111111111100000000000000000000000000000000000000000000000000000000000000000000000000000000000003e80103a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd1662540003030303033f9c13a64c00ec9a7b38f7e6806b296ca8cdc63ba67f6727218b6948fbf7823ce01b03562ef8ac850ae9a5816b852972f7d8aff952c4118e500b07597ea8770c";
use coplan_domain::membership::known_answer::GENESIS_HASH;

/// Writes a log entry by entry, chaining each to the last.
struct Log {
    person: AccountKeys,
    entries: Vec<Vec<u8>>,
}

impl Log {
    fn new() -> Self {
        let person = AccountKeys::from_random(&random());
        let public = person.public();
        let mut log = Self {
            person,
            entries: Vec::new(),
        };
        log.add(Op::AddMember {
            signing: public.signing,
            receiving: public.receiving,
            role: Role::Person,
            rights: [Right::Edit; 5],
        });
        log
    }

    fn next(&self, op: &Op) -> Vec<u8> {
        let previous = self.entries.last().map_or([0; 32], |e| entry_hash(e));
        sign_entry(
            &PLAN,
            self.entries.len() as u32,
            &previous,
            1_000 + self.entries.len() as u64,
            op,
            &self.person,
        )
    }

    fn add(&mut self, op: Op) {
        let entry = self.next(&op);
        self.entries.push(entry);
    }

    fn person(&self) -> [u8; 32] {
        self.person.public().signing
    }

    fn verify(&self) -> Result<Membership, LogError> {
        Membership::verify(&self.person(), &PLAN, &self.entries)
    }
}

fn worker() -> AccountKeys {
    AccountKeys::from_random(&[0x57; 64])
}

/// Rights in SectionKind::ALL's order: about me, care plan, safety plan, crisis wishes,
/// check-ins (SHARING decision 4's defaults for a worker).
const WORKER_RIGHTS: [Right; 5] = [
    Right::Suggest,
    Right::Edit,
    Right::Edit,
    Right::Suggest,
    Right::Read,
];

fn with_worker() -> Log {
    let mut log = Log::new();
    let person = log.person();
    log.add(Op::AddPhone {
        member: person,
        phone: [1; 16],
        range_start: CLIENT_RANGE,
    });
    let w = worker().public();
    log.add(Op::AddMember {
        signing: w.signing,
        receiving: w.receiving,
        role: Role::Worker,
        rights: WORKER_RIGHTS,
    });
    log.add(Op::AddPhone {
        member: w.signing,
        phone: [2; 16],
        range_start: 5 * CLIENT_RANGE,
    });
    log
}

#[test]
fn the_first_entry_is_pinned() {
    let log = Log::new();
    assert_eq!(hex(&log.entries[0]), GENESIS);
    assert_eq!(hex(&entry_hash(&log.entries[0])), GENESIS_HASH);
    let members = log.verify().unwrap();
    assert_eq!(members.len, 1);
    assert_eq!(
        members.right(&log.person(), SectionKind::AboutMe),
        Right::Edit
    );
}

#[test]
fn a_log_of_members_phones_rights_and_epochs_reads_back() {
    let mut log = with_worker();
    let w = worker().public().signing;
    log.add(Op::StartEpoch {
        document: [7; 16],
        epoch: 1,
        key_digest: [0; 32],
    });
    let members = log.verify().unwrap();
    assert_eq!(members.right(&w, SectionKind::CarePlan), Right::Edit);
    assert_eq!(members.right(&w, SectionKind::CheckIns), Right::Read);
    assert_eq!(members.writer_of(u64::from(5 * CLIENT_RANGE) + 9), Some(&w));
    assert_eq!(
        members.writer_of(u64::from(CLIENT_RANGE)),
        Some(&log.person())
    );
    assert_eq!(members.writer_of(7), None);
    assert_eq!(members.epochs[&[7; 16]], 1);
    // Each entry says when the person's phone wrote it.
    let times: Vec<Option<u64>> = log.entries.iter().map(|e| written_ms(e)).collect();
    let written: Vec<Option<u64>> = (0..log.entries.len() as u64)
        .map(|n| Some(1_000 + n))
        .collect();
    assert_eq!(times, written);
    assert_eq!(written_ms(&[0; 10]), None);

    log.add(Op::ChangeRights {
        member: w,
        rights: [Right::Read; 5],
    });
    assert_eq!(
        log.verify().unwrap().right(&w, SectionKind::CarePlan),
        Right::Read
    );
    log.add(Op::Remove { member: w });
    let members = log.verify().unwrap();
    assert_eq!(members.right(&w, SectionKind::SafetyPlan), Right::None);
    assert!(members.members[&w].removed);
}

#[test]
fn entries_not_from_the_person_or_out_of_chain_are_refused() {
    let log = with_worker();
    // Another key pinned as the person's: the first entry is already not theirs.
    let stranger = worker().public().signing;
    assert_eq!(
        Membership::verify(&stranger, &PLAN, &log.entries),
        Err(LogError::NotThePersons(0))
    );
    // Another plan's log.
    assert_eq!(
        Membership::verify(&log.person(), &[0x12; 16], &log.entries),
        Err(LogError::Broken(0))
    );
    // An entry left out, or two swapped.
    let mut gap = log.entries.clone();
    gap.remove(1);
    assert_eq!(
        Membership::verify(&log.person(), &PLAN, &gap),
        Err(LogError::Broken(1))
    );
    let mut swapped = log.entries.clone();
    swapped.swap(1, 2);
    assert!(Membership::verify(&log.person(), &PLAN, &swapped).is_err());
    // Any changed byte.
    for at in [0, 2, 5, 20, 30, 60, 70, 100] {
        let mut changed = log.entries.clone();
        changed[1][at] ^= 1;
        assert!(
            Membership::verify(&log.person(), &PLAN, &changed).is_err(),
            "byte {at}"
        );
    }
    // A member's own key cannot sign entries, even a well-formed one.
    let mut forged = log.entries.clone();
    let previous = entry_hash(forged.last().unwrap());
    forged.push(sign_entry(
        &PLAN,
        forged.len() as u32,
        &previous,
        9,
        &Op::ChangeRights {
            member: stranger,
            rights: [Right::Edit; 5],
        },
        &worker(),
    ));
    assert_eq!(
        Membership::verify(&log.person(), &PLAN, &forged),
        Err(LogError::NotThePersons(4))
    );
}

#[test]
fn entries_that_do_not_follow_from_the_log_are_refused() {
    let w = worker().public();
    let refused = |op: Op| {
        let mut log = with_worker();
        log.add(op);
        log.verify()
    };
    let person = Log::new().person();
    let cases = [
        // A second person, or a member added twice.
        Op::AddMember {
            signing: [9; 32],
            receiving: [9; 32],
            role: Role::Person,
            rights: [Right::Read; 5],
        },
        Op::AddMember {
            signing: w.signing,
            receiving: w.receiving,
            role: Role::Carer,
            rights: [Right::Read; 5],
        },
        // A phone of nobody, a range already held, an id used, a range off the grid.
        Op::AddPhone {
            member: [9; 32],
            phone: [3; 16],
            range_start: 9 * CLIENT_RANGE,
        },
        Op::AddPhone {
            member: w.signing,
            phone: [3; 16],
            range_start: CLIENT_RANGE,
        },
        Op::AddPhone {
            member: w.signing,
            phone: [1; 16],
            range_start: 9 * CLIENT_RANGE,
        },
        Op::AddPhone {
            member: w.signing,
            phone: [3; 16],
            range_start: 9 * CLIENT_RANGE + 1,
        },
        // The person's own rights, or removing the person.
        Op::ChangeRights {
            member: person,
            rights: [Right::Read; 5],
        },
        Op::Remove { member: person },
        // An epoch skipped.
        Op::StartEpoch {
            document: [7; 16],
            epoch: 2,
            key_digest: [0; 32],
        },
    ];
    for op in cases {
        assert_eq!(refused(op), Err(LogError::NotAllowed(4)), "{op:?}");
    }
    // The first entry must add the person, as the person.
    let mut log = Log::new();
    log.entries.clear();
    log.add(Op::AddMember {
        signing: w.signing,
        receiving: w.receiving,
        role: Role::Worker,
        rights: [Right::Edit; 5],
    });
    assert_eq!(log.verify(), Err(LogError::NotAllowed(0)));
}

/// A phone signed out and in again is a new phone on the server, with the range it had:
/// the same member may name a range or a phone of theirs again.
#[test]
fn a_member_may_name_their_own_range_again_for_a_new_phone() {
    let mut log = with_worker();
    let person = log.person();
    log.add(Op::AddPhone {
        member: person,
        phone: [4; 16],
        range_start: CLIENT_RANGE,
    });
    let members = log.verify().expect("the person's own range again");
    assert_eq!(
        members.members[&person].phones,
        vec![([1; 16], CLIENT_RANGE), ([4; 16], CLIENT_RANGE)]
    );
    assert_eq!(
        members.writer_of(u64::from(CLIENT_RANGE) + 3),
        Some(&person)
    );
}

fn update_by(client: u32, kind: SectionKind, words: &str) -> Vec<u8> {
    let doc = SectionDoc::new(kind, client);
    let stamp = Stamp {
        author: AuthorId::parse("phone-1").unwrap(),
        at_ms: 1,
    };
    if kind == SectionKind::Card {
        let edit = Edit::SetChoice {
            name: "called",
            value: words.to_string(),
        };
        return doc.apply(&edit, &stamp).unwrap();
    }
    let (field, list) = match kind {
        SectionKind::CarePlan => ("", "goals"),
        _ => ("my_story", ""),
    };
    let edit = if field.is_empty() {
        Edit::AddItem {
            list,
            id: coplan_domain::plan::ItemId::parse("i1").unwrap(),
            parts: vec![("text", words.to_string())],
        }
    } else {
        Edit::SetField {
            field,
            text: words.to_string(),
        }
    };
    doc.apply(&edit, &stamp).unwrap()
}

#[test]
fn a_change_enters_only_from_a_member_with_edit_writing_under_their_own_ids() {
    let mut log = with_worker();
    let members = log.verify().unwrap();
    let w = worker().public().signing;
    let worker_id = 5 * CLIENT_RANGE + 3;
    let care = update_by(worker_id, SectionKind::CarePlan, "walk daily");
    assert_eq!(inserted_clients(&care), Some(vec![u64::from(worker_id)]));
    assert_eq!(
        members.check_update(&w, SectionKind::CarePlan, 5 * CLIENT_RANGE, &care),
        Ok(())
    );
    // Under the person's ids, signed by the worker.
    let forged = update_by(CLIENT_RANGE + 1, SectionKind::CarePlan, "walk daily");
    assert_eq!(
        members.check_update(&w, SectionKind::CarePlan, 5 * CLIENT_RANGE, &forged),
        Err(Refusal::NotTheirIds)
    );
    // Claiming the person's range for the worker's own words.
    assert_eq!(
        members.check_update(&w, SectionKind::CarePlan, CLIENT_RANGE, &care),
        Err(Refusal::NotTheirIds)
    );
    // Where the worker may only suggest.
    let about = update_by(worker_id, SectionKind::AboutMe, "hello");
    assert_eq!(
        members.check_update(&w, SectionKind::AboutMe, 5 * CLIENT_RANGE, &about),
        Err(Refusal::NoRight)
    );
    // Not an update at all; not a member.
    assert_eq!(
        members.check_update(&w, SectionKind::CarePlan, 5 * CLIENT_RANGE, b"\xff\x00junk"),
        Err(Refusal::Damaged)
    );
    assert_eq!(
        members.check_update(&[4; 32], SectionKind::CarePlan, 5 * CLIENT_RANGE, &care),
        Err(Refusal::NotAMember)
    );
    // The person may edit everything, under their own ids.
    let by_person = update_by(CLIENT_RANGE + 1, SectionKind::AboutMe, "my words");
    assert_eq!(
        members.check_update(
            &log.person(),
            SectionKind::AboutMe,
            CLIENT_RANGE,
            &by_person
        ),
        Ok(())
    );
    // Once removed, the worker's changes are refused.
    log.add(Op::Remove { member: w });
    let members = log.verify().unwrap();
    assert_eq!(
        members.check_update(&w, SectionKind::CarePlan, 5 * CLIENT_RANGE, &care),
        Err(Refusal::NotAMember)
    );
}

#[test]
fn each_role_starts_with_the_rights_sharing_decides_and_a_log_accepts_them() {
    use SectionKind::{AboutMe, CarePlan, CheckIns, CrisisWishes, SafetyPlan};
    assert_eq!(Role::Worker.default_rights(), WORKER_RIGHTS);
    let workers = Role::Worker.default_rights();
    assert_eq!(sections_with(&workers, Right::Edit), [CarePlan, SafetyPlan]);
    assert_eq!(
        sections_with(&workers, Right::Suggest),
        [AboutMe, CrisisWishes]
    );
    assert_eq!(sections_with(&workers, Right::Read), [CheckIns]);
    let carer = Role::Carer.default_rights();
    assert_eq!(sections_with(&carer, Right::Read), [SafetyPlan]);
    assert_eq!(
        sections_with(&carer, Right::Suggest),
        [AboutMe, CrisisWishes]
    );
    assert_eq!(sections_with(&carer, Right::None), [CarePlan, CheckIns]);
    let other = Role::Other.default_rights();
    assert_eq!(
        sections_with(&other, Right::Suggest),
        [AboutMe, CrisisWishes]
    );
    assert!(sections_with(&other, Right::Edit).is_empty());
    assert_eq!(Role::Person.default_rights(), [Right::Edit; 5]);
    // A member added with their role's rights is what the verified log says of them.
    let mut log = Log::new();
    let (carer_keys, worker_keys) = (AccountKeys::from_random(&[0x43; 64]), worker());
    for (keys, role) in [(&carer_keys, Role::Carer), (&worker_keys, Role::Worker)] {
        log.add(Op::AddMember {
            signing: keys.public().signing,
            receiving: keys.public().receiving,
            role,
            rights: role.default_rights(),
        });
    }
    let members = log.verify().unwrap();
    let carer = carer_keys.public().signing;
    assert_eq!(members.right(&carer, SafetyPlan), Right::Read);
    assert_eq!(members.right(&carer, CarePlan), Right::None);
    assert_eq!(
        members.right(&worker_keys.public().signing, CarePlan),
        Right::Edit
    );
}

#[test]
fn an_envelope_is_opened_only_as_from_the_member_the_log_vouches_for() {
    use coplan_domain::envelope::What;
    let mut log = with_worker();
    let members = log.verify().unwrap();
    let w = worker().public().signing;
    let worker_range = 5 * CLIENT_RANGE;
    // The worker's phone, writing the care plan: the worker, with their ranges.
    let sender = members
        .sender(What::Change, SectionKind::CarePlan, &[2; 16], worker_range)
        .unwrap();
    assert_eq!(sender.signing, w);
    assert_eq!(sender.ranges, vec![worker_range]);
    // The person's phone: the person.
    let sender = members
        .sender(What::Change, SectionKind::AboutMe, &[1; 16], CLIENT_RANGE)
        .unwrap();
    assert_eq!(sender.signing, log.person());
    // A snapshot is the person's, whoever's phone the header names.
    let sender = members
        .sender(
            What::Snapshot,
            SectionKind::CarePlan,
            &[2; 16],
            worker_range,
        )
        .unwrap();
    assert_eq!(sender.signing, log.person());
    // Where the worker may only suggest or read; a phone and range that do not go
    // together; a phone nobody added.
    for (kind, device, range) in [
        (SectionKind::AboutMe, [2; 16], worker_range),
        (SectionKind::CheckIns, [2; 16], worker_range),
        (SectionKind::CarePlan, [2; 16], CLIENT_RANGE),
        (SectionKind::CarePlan, [1; 16], worker_range),
        (SectionKind::CarePlan, [3; 16], 9 * CLIENT_RANGE),
    ] {
        assert_eq!(
            members.sender(What::Change, kind, &device, range),
            None,
            "{kind:?}"
        );
    }
    // Once removed, nothing of the worker's is vouched for.
    log.add(Op::Remove { member: w });
    let members = log.verify().unwrap();
    assert_eq!(
        members.sender(What::Change, SectionKind::CarePlan, &[2; 16], worker_range),
        None
    );
}

/// A member's own suggestions document for a section they may suggest to: named in the
/// log with its entry's layout pinned, one per member and section, and never for a
/// section they may edit or read only, nor for the person or someone removed.
#[test]
fn a_suggestions_document_is_named_for_a_member_who_may_suggest() {
    let w = worker().public().signing;
    let mut log = with_worker();
    let op = Op::AddSuggestions {
        member: w,
        document: [8; 16],
        section: SectionKind::AboutMe,
    };
    log.add(op);
    // After the 63-byte head: the code, the member, the document, the section's number.
    let entry = log.entries.last().unwrap();
    assert_eq!(entry.len(), 63 + 1 + 32 + 16 + 1 + 64);
    assert_eq!(entry[63], 6);
    assert_eq!(&entry[64..96], &w);
    assert_eq!(&entry[96..112], &[8; 16]);
    assert_eq!(entry[112], SectionKind::AboutMe.code());
    assert_eq!(coplan_domain::membership::read_op(entry), Some(op));
    let members = log.verify().unwrap();
    assert_eq!(members.suggestions[&[8; 16]], (w, SectionKind::AboutMe));
    let refused = |op: Op| {
        let mut log = with_worker();
        log.add(Op::AddSuggestions {
            member: w,
            document: [8; 16],
            section: SectionKind::AboutMe,
        });
        log.add(op);
        log.verify()
    };
    let person = log.person();
    for op in [
        // The same document again, or a second for the same member and section.
        Op::AddSuggestions {
            member: w,
            document: [8; 16],
            section: SectionKind::CrisisWishes,
        },
        Op::AddSuggestions {
            member: w,
            document: [9; 16],
            section: SectionKind::AboutMe,
        },
        // A section the worker edits, or only reads; the person; nobody.
        Op::AddSuggestions {
            member: w,
            document: [9; 16],
            section: SectionKind::CarePlan,
        },
        Op::AddSuggestions {
            member: w,
            document: [9; 16],
            section: SectionKind::CheckIns,
        },
        Op::AddSuggestions {
            member: person,
            document: [9; 16],
            section: SectionKind::AboutMe,
        },
        Op::AddSuggestions {
            member: [9; 32],
            document: [9; 16],
            section: SectionKind::AboutMe,
        },
    ] {
        assert_eq!(refused(op), Err(LogError::NotAllowed(5)), "{op:?}");
    }
    // Once removed, no more.
    let mut log = with_worker();
    log.add(Op::Remove { member: w });
    log.add(Op::AddSuggestions {
        member: w,
        document: [8; 16],
        section: SectionKind::AboutMe,
    });
    assert_eq!(log.verify(), Err(LogError::NotAllowed(5)));
}

/// Only the member whose suggestions they are, and the person, write a suggestions
/// document; and the member only while they may still suggest to that section.
#[test]
fn a_suggestions_envelope_is_opened_only_as_from_its_member_or_the_person() {
    use coplan_domain::envelope::What;
    let w = worker().public().signing;
    let carer = AccountKeys::from_random(&[0x43; 64]).public();
    let worker_range = 5 * CLIENT_RANGE;
    let mut log = with_worker();
    log.add(Op::AddMember {
        signing: carer.signing,
        receiving: carer.receiving,
        role: Role::Carer,
        rights: Role::Carer.default_rights(),
    });
    log.add(Op::AddPhone {
        member: carer.signing,
        phone: [6; 16],
        range_start: 6 * CLIENT_RANGE,
    });
    log.add(Op::AddSuggestions {
        member: w,
        document: [8; 16],
        section: SectionKind::AboutMe,
    });
    let members = log.verify().unwrap();
    let from = |members: &Membership, what, device: [u8; 16], range| {
        members
            .suggestion_sender(what, &[8; 16], &device, range)
            .map(|(sender, section)| (sender.signing, section))
    };
    assert_eq!(
        from(&members, What::Change, [2; 16], worker_range),
        Some((w, SectionKind::AboutMe))
    );
    assert_eq!(
        from(&members, What::Change, [1; 16], CLIENT_RANGE),
        Some((log.person(), SectionKind::AboutMe))
    );
    // A snapshot is the person's alone; another member's phone, a stranger's, or the
    // worker's phone with a range not its own are not vouched for.
    assert_eq!(
        from(&members, What::Snapshot, [2; 16], worker_range),
        Some((log.person(), SectionKind::AboutMe))
    );
    for (device, range) in [
        ([6; 16], 6 * CLIENT_RANGE),
        ([3; 16], 9 * CLIENT_RANGE),
        ([2; 16], CLIENT_RANGE),
    ] {
        assert_eq!(from(&members, What::Change, device, range), None);
    }
    // A document that holds no one's suggestions (a section's own) is not one.
    assert_eq!(
        members.suggestion_sender(What::Change, &[7; 16], &[2; 16], worker_range),
        None
    );
    // With suggest on About me taken away, or removed, the worker's is refused; the
    // person's still opens.
    let mut rights = WORKER_RIGHTS;
    rights[0] = Right::Read;
    for op in [
        Op::ChangeRights { member: w, rights },
        Op::Remove { member: w },
    ] {
        let mut later = Log {
            person: AccountKeys::from_random(&random()),
            entries: log.entries.clone(),
        };
        later.add(op);
        let members = later.verify().unwrap();
        assert_eq!(from(&members, What::Change, [2; 16], worker_range), None);
        assert_eq!(
            from(&members, What::Change, [1; 16], CLIENT_RANGE),
            Some((log.person(), SectionKind::AboutMe))
        );
    }
}

#[test]
fn every_member_reads_the_plans_card_and_only_the_person_writes_it() {
    let mut log = with_worker();
    let members = log.verify().unwrap();
    let w = worker().public();
    assert_eq!(members.right(&log.person(), SectionKind::Card), Right::Edit);
    assert_eq!(members.right(&w.signing, SectionKind::Card), Right::Read);
    assert!(members.readers(SectionKind::Card).contains(&w.receiving));
    // The worker's own words on the card, under their own ids, are refused; the person's
    // are taken.
    let worker_card = update_by(5 * CLIENT_RANGE + 3, SectionKind::Card, "Sam");
    assert_eq!(
        members.check_update(
            &w.signing,
            SectionKind::Card,
            5 * CLIENT_RANGE,
            &worker_card
        ),
        Err(Refusal::NoRight)
    );
    let persons_card = update_by(CLIENT_RANGE + 1, SectionKind::Card, "Alex");
    assert_eq!(
        members.check_update(
            &log.person(),
            SectionKind::Card,
            CLIENT_RANGE,
            &persons_card
        ),
        Ok(())
    );
    // With no right to any section the card goes too (what the server enforces).
    log.add(Op::ChangeRights {
        member: w.signing,
        rights: [Right::None; 5],
    });
    let members = log.verify().unwrap();
    assert_eq!(members.right(&w.signing, SectionKind::Card), Right::None);
    assert!(!members.readers(SectionKind::Card).contains(&w.receiving));
    // The card is a document, never a section: no one suggests to it.
    assert_eq!(SectionKind::from_code(6), Some(SectionKind::Card));
    assert_eq!(SectionKind::section_from_code(6), None);
    assert_eq!(
        SectionKind::from_suggestions_code(SectionKind::Card.suggestions_code()),
        None
    );
    let suggest_to_card = Op::AddSuggestions {
        member: w.signing,
        document: [9; 16],
        section: SectionKind::Card,
    };
    let entry = log.next(&suggest_to_card);
    assert_eq!(
        coplan_domain::membership::read_op(&entry),
        None,
        "not an entry"
    );
}

#[test]
fn a_suggestions_document_kind_never_passes_for_its_section() {
    for kind in SectionKind::ALL {
        let code = kind.suggestions_code();
        assert_eq!(SectionKind::from_code(code), None);
        assert_eq!(SectionKind::from_suggestions_code(code), Some(kind));
        assert_eq!(SectionKind::from_suggestions_code(kind.code()), None);
    }
    assert_eq!(SectionKind::AboutMe.suggestions_code(), 0x81);
    assert_eq!(SectionKind::CheckIns.suggestions_code(), 0x85);
}

/// An epoch's key digest, pinned (computed with Python's hashlib): the log vouches for
/// the key itself, so a reader handed any other key for that document and epoch (by a
/// server, or a faulty phone) refuses it.
#[test]
fn an_epochs_key_digest_is_pinned_and_the_log_vouches_only_for_that_key() {
    use coplan_domain::membership::epoch_key_digest;
    let digest = epoch_key_digest(&[1; 16], &[2; 16], 3, &[4; 32]);
    assert_eq!(
        hex(&digest),
        "09e3800d1064441d1008344ddac3d28d28b3cdca284c8be340d36e49dd6ab75e"
    );
    let mut log = with_worker();
    let plan = PLAN;
    let key = [9; 32];
    log.add(Op::StartEpoch {
        document: [7; 16],
        epoch: 1,
        key_digest: epoch_key_digest(&plan, &[7; 16], 1, &key),
    });
    let members = log.verify().unwrap();
    assert!(members.vouches_for_key(&plan, &[7; 16], 1, &key));
    assert!(
        !members.vouches_for_key(&plan, &[7; 16], 1, &[8; 32]),
        "another key"
    );
    assert!(
        !members.vouches_for_key(&plan, &[7; 16], 2, &key),
        "another epoch"
    );
    assert!(
        !members.vouches_for_key(&plan, &[6; 16], 1, &key),
        "another document"
    );
    // Who reads a section: the person first, then each member not removed who may.
    let w = worker().public();
    assert_eq!(
        members.readers(SectionKind::CheckIns),
        [log.person.public().receiving, w.receiving]
    );
}

/// History names a change's author as the log vouched for them at the change's epoch
/// (issue 15): a worker who had edit then, and was removed since, still wrote it; a
/// change at an epoch that started after their edit was taken away is no one's, as is
/// one from a phone the log never named.
#[test]
fn a_changes_author_is_judged_at_its_epoch_and_keeps_their_work_after_removal() {
    use coplan_domain::membership::epoch_key_digest;
    let mut log = with_worker();
    let w = worker().public().signing;
    let care = [7; 16];
    let start = |log: &mut Log, epoch| {
        log.add(Op::StartEpoch {
            document: care,
            epoch,
            key_digest: epoch_key_digest(&PLAN, &care, epoch, &[epoch as u8; 32]),
        })
    };
    start(&mut log, 1);
    // The worker loses edit on the care plan (no epoch starts), then epoch 2 starts.
    let mut read_only = WORKER_RIGHTS;
    read_only[1] = Right::Read;
    log.add(Op::ChangeRights {
        member: w,
        rights: read_only,
    });
    start(&mut log, 2);
    log.add(Op::Remove { member: w });
    let members = log.verify().unwrap();
    let author =
        |epoch, kind, device: [u8; 16], range| members.author(&care, kind, epoch, &device, range);
    let worker_phone = ([2; 16], 5 * CLIENT_RANGE);
    for epoch in [0, 1] {
        assert_eq!(
            author(epoch, SectionKind::CarePlan, worker_phone.0, worker_phone.1),
            Some(w),
            "epoch {epoch}: the worker had edit, and keeps their work though removed"
        );
    }
    assert_eq!(
        author(2, SectionKind::CarePlan, worker_phone.0, worker_phone.1),
        None,
        "epoch 2 started after their edit was taken away"
    );
    assert_eq!(
        author(1, SectionKind::AboutMe, worker_phone.0, worker_phone.1),
        None,
        "they only ever suggested to About me"
    );
    assert_eq!(
        author(3, SectionKind::CarePlan, worker_phone.0, worker_phone.1),
        None,
        "an epoch the log never started"
    );
    assert_eq!(
        author(2, SectionKind::CarePlan, [1; 16], CLIENT_RANGE),
        Some(log.person()),
        "the person's phone"
    );
    assert_eq!(
        author(1, SectionKind::CarePlan, [9; 16], 9 * CLIENT_RANGE),
        None,
        "a phone the log never named"
    );
    // Agreements the worker marked while they had edit stay theirs after removal; they
    // never had edit on About me, and someone never a member agreed to nothing.
    // When each was let in: the written time of the entry that added them (where a
    // member's history starts).
    assert_eq!(members.members[&w].joined_ms, 1_002);
    assert_eq!(members.members[&log.person()].joined_ms, 1_000);
    assert!(members.may_have_agreed(&w, SectionKind::CarePlan));
    assert!(!members.may_have_agreed(&w, SectionKind::AboutMe));
    assert!(members.may_have_agreed(&log.person(), SectionKind::AboutMe));
    assert!(!members.may_have_agreed(&[9; 32], SectionKind::CarePlan));
}
