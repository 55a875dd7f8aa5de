//! What each plan section holds: its free-text fields and its lists, with the limits that
//! keep a slip of the finger (or a bad file) from bloating a plan. The names here are the
//! stored names inside each section's CRDT document; never rename one once released.

/// The five parts of a plan, each kept as its own CRDT document so that a section can be
/// shared, or withheld, simply by sending its document or not; and the plan's card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    AboutMe,
    CarePlan,
    SafetyPlan,
    CrisisWishes,
    CheckIns,
    /// The plan card: the name the person goes by and the next review date, copied by the
    /// person's phones from About me and the care plan, so that every member (a carer who
    /// reads only the safety plan too) sees whose plan it is. Only the person writes it;
    /// it is never a part of the plan the person writes in, a file or a print.
    Card,
}

impl SectionKind {
    /// The parts of a plan the person writes in (the card is not one).
    pub const ALL: [SectionKind; 5] = [
        Self::AboutMe,
        Self::CarePlan,
        Self::SafetyPlan,
        Self::CrisisWishes,
        Self::CheckIns,
    ];

    /// Every document of a plan on the server: its sections, then its card.
    pub const DOCUMENTS: [SectionKind; 6] = [
        Self::AboutMe,
        Self::CarePlan,
        Self::SafetyPlan,
        Self::CrisisWishes,
        Self::CheckIns,
        Self::Card,
    ];

    /// The stored name of the section.
    pub fn key(self) -> &'static str {
        match self {
            Self::AboutMe => "about_me",
            Self::CarePlan => "care_plan",
            Self::SafetyPlan => "safety_plan",
            Self::CrisisWishes => "crisis_wishes",
            Self::CheckIns => "check_ins",
            Self::Card => "card",
        }
    }

    /// The section's number on the wire (an envelope's document kind): never reuse one.
    pub fn code(self) -> u8 {
        match self {
            Self::AboutMe => 1,
            Self::CarePlan => 2,
            Self::SafetyPlan => 3,
            Self::CrisisWishes => 4,
            Self::CheckIns => 5,
            Self::Card => 6,
        }
    }

    /// The document with this wire number (a section, or the card).
    pub fn from_code(code: u8) -> Option<Self> {
        Self::DOCUMENTS.into_iter().find(|kind| kind.code() == code)
    }

    /// The section with this wire number; never the card.
    pub fn section_from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The wire number of a member's suggestions to this section (an envelope's document
    /// kind, and the server's): the section's number with the high bit set, so an
    /// envelope of suggestions can never pass for one of the section itself.
    pub fn suggestions_code(self) -> u8 {
        SUGGESTIONS_BIT | self.code()
    }

    /// The section whose suggestions carry this wire number.
    pub fn from_suggestions_code(code: u8) -> Option<Self> {
        (code & SUGGESTIONS_BIT != 0)
            .then(|| Self::section_from_code(code & !SUGGESTIONS_BIT))
            .flatten()
    }

    pub fn spec(self) -> &'static SectionSpec {
        match self {
            Self::AboutMe => &ABOUT_ME,
            Self::CarePlan => &CARE_PLAN,
            Self::SafetyPlan => &SAFETY_PLAN,
            Self::CrisisWishes => &CRISIS_WISHES,
            Self::CheckIns => &CHECK_INS,
            Self::Card => &CARD,
        }
    }
}

/// Set in a document kind that holds suggestions ([`SectionKind::suggestions_code`]).
const SUGGESTIONS_BIT: u8 = 0x80;

/// What a part of a list item holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Text,
    /// A phone number: saved as typed, checked when shown (a half-typed number is kept).
    Phone,
    /// One value picked, not typed: the last one picked wins when two copies differ.
    Choice(Choice),
}

/// A value picked from a set rather than typed (a rating, a date, a stage), stored whole:
/// when two copies pick differently, the later pick wins, never a mix of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    OneOf(&'static [&'static str]),
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// The id of another item in the same section (an action's goal).
    ItemRef,
    /// A short line copied whole from elsewhere (the card's name): at most this many
    /// characters, none of them control characters. Never typed into: two phones copying
    /// the same words leave them once, not twice.
    Copied(u32),
    /// The members the person shows to the others by name (the card's, [`super::card`]):
    /// stored whole, never typed into.
    Shown,
}

impl Choice {
    /// Whether `value` may be stored: empty (nothing picked) or one of the allowed values.
    pub fn check(self, value: &str) -> Result<(), PlanError> {
        if value.is_empty() {
            return Ok(());
        }
        match self {
            Self::OneOf(values) if values.contains(&value) => Ok(()),
            Self::OneOf(_) => Err(PlanError::NotAChoice),
            Self::Date => parse_date(value).map(|_| ()).ok_or(PlanError::BadDate),
            Self::ItemRef => ItemId::parse(value)
                .map(|_| ())
                .map_err(|_| PlanError::NoSuchItem),
            Self::Copied(max) if value.chars().count() > max as usize => {
                Err(PlanError::TooLong { max })
            }
            Self::Copied(_) if value.chars().any(char::is_control) => Err(PlanError::NotAChoice),
            Self::Copied(_) => Ok(()),
            Self::Shown => super::card::read(value).map(|_| ()),
        }
    }
}

/// A `YYYY-MM-DD` calendar date as (year, month, day), or None when it is not a real day.
pub fn parse_date(text: &str) -> Option<(u16, u8, u8)> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u16> {
        let digits = text.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let year = number(0..4)?;
    let month = u8::try_from(number(5..7)?).ok()?;
    let day = u8::try_from(number(8..10)?).ok()?;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (year >= 1900 && (1..=days_in_month).contains(&day)).then_some((year, month, day))
}

/// A whole-section choice (the continuum stage, the next review date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChoiceSpec {
    pub name: &'static str,
    pub kind: Choice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartSpec {
    pub name: &'static str,
    pub kind: PartKind,
    pub max_chars: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSpec {
    pub name: &'static str,
    pub parts: &'static [PartSpec],
    pub max_items: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub max_chars: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionSpec {
    pub fields: &'static [FieldSpec],
    pub lists: &'static [ListSpec],
    pub choices: &'static [ChoiceSpec],
}

impl SectionSpec {
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn list(&self, name: &str) -> Option<&'static ListSpec> {
        self.lists.iter().find(|l| l.name == name)
    }

    pub fn choice(&self, name: &str) -> Option<&'static ChoiceSpec> {
        self.choices.iter().find(|c| c.name == name)
    }
}

impl ListSpec {
    pub fn part(&self, name: &str) -> Option<&'static PartSpec> {
        self.parts.iter().find(|p| p.name == name)
    }
}

use super::{ItemId, PlanError};

const LINE: u32 = 500;
const PARAGRAPH: u32 = 2_000;
const STORY: u32 = 20_000;
const LIST: u32 = 50;

const TEXT: &[PartSpec] = &[PartSpec {
    name: "text",
    kind: PartKind::Text,
    max_chars: LINE,
}];
const CONTACT: &[PartSpec] = &[
    PartSpec {
        name: "name",
        kind: PartKind::Text,
        max_chars: 200,
    },
    PartSpec {
        name: "phone",
        kind: PartKind::Phone,
        max_chars: crate::phone::MAX_PHONE_CHARS as u32,
    },
    PartSpec {
        name: "note",
        kind: PartKind::Text,
        max_chars: LINE,
    },
];
const PERSON: &[PartSpec] = &[
    PartSpec {
        name: "name",
        kind: PartKind::Text,
        max_chars: 200,
    },
    PartSpec {
        name: "note",
        kind: PartKind::Text,
        max_chars: LINE,
    },
];

const fn list(name: &'static str, parts: &'static [PartSpec]) -> ListSpec {
    ListSpec {
        name,
        parts,
        max_items: LIST,
    }
}

/// The safety plan's steps, in the order they are shown: the six steps of the
/// Stanley–Brown method, then reasons for living.
pub const SAFETY_PLAN_STEPS: [&str; 7] = [
    "warning_signs",
    "on_my_own",
    "distractions",
    "ask_for_help",
    "professionals",
    "safer_place",
    "reasons_for_living",
];

static SAFETY_PLAN: SectionSpec = SectionSpec {
    choices: &[],
    fields: &[],
    lists: &[
        list("warning_signs", TEXT),
        list("on_my_own", TEXT),
        list("distractions", TEXT),
        list("ask_for_help", CONTACT),
        list("professionals", CONTACT),
        list("safer_place", TEXT),
        list("reasons_for_living", TEXT),
    ],
};

static ABOUT_ME: SectionSpec = SectionSpec {
    choices: &[],
    fields: &[
        FieldSpec {
            name: "called",
            max_chars: 100,
        },
        FieldSpec {
            name: "pronouns",
            max_chars: 50,
        },
        FieldSpec {
            name: "languages",
            max_chars: LINE,
        },
        FieldSpec {
            name: "communication",
            max_chars: PARAGRAPH,
        },
        FieldSpec {
            name: "what_matters",
            max_chars: PARAGRAPH,
        },
        FieldSpec {
            name: "my_story",
            max_chars: STORY,
        },
        FieldSpec {
            name: "adjustments",
            max_chars: PARAGRAPH,
        },
    ],
    lists: &[
        list("strengths", TEXT),
        list("what_helps", TEXT),
        list("what_does_not_help", TEXT),
        list("upsetting", TEXT),
        list("important_people", PERSON),
    ],
};

static CRISIS_WISHES: SectionSpec = SectionSpec {
    choices: &[],
    fields: &[
        FieldSpec {
            name: "treatment_preferences",
            max_chars: PARAGRAPH,
        },
        FieldSpec {
            name: "treatment_to_avoid",
            max_chars: PARAGRAPH,
        },
    ],
    lists: &[
        list("what_helps", TEXT),
        list("what_does_not_help", TEXT),
        list("contact", CONTACT),
        list("do_not_contact", PERSON),
        list("practical", TEXT),
    ],
};

/// The parts of life a care and support plan looks at, in the order they are shown.
/// `life_areas!` also makes each area's "what I'd like to be different" field, its 1–7
/// rating, and its rating in a check-in, so the four lists can never disagree.
macro_rules! life_areas {
    ($($area:literal),* $(,)?) => {
        pub const LIFE_AREAS: &[&str] = &[$($area),*];
        const AREA_DIFFERENT: &[FieldSpec] = &[$(FieldSpec {
            name: concat!("different_", $area),
            max_chars: PARAGRAPH,
        }),*];
        const AREA_RATINGS: &[ChoiceSpec] = &[$(ChoiceSpec {
            name: concat!("rating_", $area),
            kind: RATING,
        }),*];
        const CHECK_IN_PARTS: &[PartSpec] = &[
            $(PartSpec { name: $area, kind: PartKind::Choice(RATING), max_chars: 1 },)*
            PartSpec { name: "note", kind: PartKind::Text, max_chars: LINE },
        ];
    };
}

life_areas!(
    "mental_health",
    "physical_health",
    "home",
    "money",
    "days",
    "friends",
    "family",
    "safety",
    "medication",
    "practical_help",
    "meetings",
);

/// How satisfied the person is with a part of life: 1 (not at all) to 7 (completely).
pub const RATINGS: &[&str] = &["1", "2", "3", "4", "5", "6", "7"];
const RATING: Choice = Choice::OneOf(RATINGS);

/// Where the person's support sits now, from least to most.
pub const CONTINUUM_STAGES: &[&str] = &["advice", "help", "more_help", "risk_support"];

/// The field holding what the person would like to be different in a life area.
pub fn area_different_field(area: &str) -> Option<&'static str> {
    let index = LIFE_AREAS.iter().position(|a| *a == area)?;
    Some(AREA_DIFFERENT[index].name)
}

/// The choice holding the person's rating of a life area.
pub fn area_rating_choice(area: &str) -> Option<&'static str> {
    let index = LIFE_AREAS.iter().position(|a| *a == area)?;
    Some(AREA_RATINGS[index].name)
}

const fn choice(name: &'static str, kind: Choice) -> PartSpec {
    PartSpec {
        name,
        kind: PartKind::Choice(kind),
        max_chars: 64,
    }
}

const GOAL: &[PartSpec] = &[
    choice("area", Choice::OneOf(LIFE_AREAS)),
    PartSpec {
        name: "text",
        kind: PartKind::Text,
        max_chars: LINE,
    },
];
const ACTION: &[PartSpec] = &[
    choice("goal", Choice::ItemRef),
    PartSpec {
        name: "what",
        kind: PartKind::Text,
        max_chars: LINE,
    },
    PartSpec {
        name: "who",
        kind: PartKind::Text,
        max_chars: 200,
    },
    choice("by_when", Choice::Date),
    choice("done", Choice::OneOf(&["yes"])),
];

static CARE_PLAN: SectionSpec = SectionSpec {
    fields: AREA_DIFFERENT,
    lists: &[
        list("goals", GOAL),
        ListSpec {
            name: "actions",
            parts: ACTION,
            max_items: 200,
        },
        list("support_network", CONTACT),
    ],
    choices: CARE_PLAN_CHOICES,
};

const CARE_PLAN_CHOICES: &[ChoiceSpec] = &{
    let mut all = [ChoiceSpec {
        name: "",
        kind: Choice::Date,
    }; LIFE_AREA_COUNT + 2];
    let mut n = 0;
    while n < LIFE_AREA_COUNT {
        all[n] = AREA_RATINGS[n];
        n += 1;
    }
    all[n] = ChoiceSpec {
        name: "continuum",
        kind: Choice::OneOf(CONTINUUM_STAGES),
    };
    all[n + 1] = ChoiceSpec {
        name: "next_review",
        kind: Choice::Date,
    };
    all
};
const LIFE_AREA_COUNT: usize = AREA_RATINGS.len();

/// The plan card: copies of About me's `called` and the care plan's `next_review`, with
/// the same limits, and the members the person shows to the others by name
/// ([`super::card`]); each stored whole (the person's phones may write at once).
static CARD: SectionSpec = SectionSpec {
    fields: &[],
    lists: &[],
    choices: &[
        ChoiceSpec {
            name: "called",
            kind: Choice::Copied(100),
        },
        ChoiceSpec {
            name: "next_review",
            kind: Choice::Date,
        },
        ChoiceSpec {
            name: "shown",
            kind: Choice::Shown,
        },
    ],
};

/// A check-in: a 1–7 rating of each life area (any may be skipped) and a short note. The
/// item's own "added at" time is when the check-in was made.
static CHECK_INS: SectionSpec = SectionSpec {
    fields: &[],
    lists: &[ListSpec {
        name: "check_ins",
        parts: CHECK_IN_PARTS,
        max_items: 1_000,
    }],
    choices: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cards_name_copied_on_two_phones_at_once_reads_once() {
        use crate::plan::{AuthorId, Edit, SectionDoc, Stamp};
        let stamp = Stamp {
            author: AuthorId::parse("phone-1").unwrap(),
            at_ms: 1,
        };
        let called = |value: &str| Edit::SetChoice {
            name: "called",
            value: value.to_string(),
        };
        let (one, two) = (
            SectionDoc::new(SectionKind::Card, 11),
            SectionDoc::new(SectionKind::Card, 12),
        );
        let from_one = one.apply(&called("Alex"), &stamp).unwrap();
        let from_two = two.apply(&called("Alex"), &stamp).unwrap();
        one.apply_update(&from_two).unwrap();
        two.apply_update(&from_one).unwrap();
        assert_eq!(one.view().choice("called"), "Alex");
        assert_eq!(two.view().choice("called"), "Alex");
        // A copy is a short line: too long, or with a line break, it is refused.
        let long = "a".repeat(101);
        assert_eq!(
            one.apply(&called(&long), &stamp),
            Err(crate::plan::PlanError::TooLong { max: 100 })
        );
        assert!(one.apply(&called("Al\nex"), &stamp).is_err());
        assert_eq!(one.view().choice("called"), "Alex");
    }

    #[test]
    fn dates_are_real_days() {
        assert_eq!(parse_date("2026-02-28"), Some((2026, 2, 28)));
        assert_eq!(parse_date("2028-02-29"), Some((2028, 2, 29)));
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-4-01",
            "26-04-01xx",
            "2026-04-31",
            "+026-04-01",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn choices_accept_only_their_values() {
        let rating = Choice::OneOf(RATINGS);
        assert_eq!(rating.check("7"), Ok(()));
        assert_eq!(rating.check(""), Ok(()));
        assert_eq!(rating.check("8"), Err(PlanError::NotAChoice));
        assert_eq!(rating.check("77"), Err(PlanError::NotAChoice));
        assert_eq!(Choice::Date.check("2026-11-31"), Err(PlanError::BadDate));
        assert_eq!(Choice::ItemRef.check("goal-1"), Ok(()));
        assert!(Choice::ItemRef.check("no spaces").is_err());
    }

    #[test]
    fn every_life_area_has_its_field_rating_and_check_in_part() {
        let care = SectionKind::CarePlan.spec();
        let check_ins = SectionKind::CheckIns.spec().list("check_ins").unwrap();
        for area in LIFE_AREAS {
            assert!(care.field(area_different_field(area).unwrap()).is_some());
            assert!(care.choice(area_rating_choice(area).unwrap()).is_some());
            assert!(check_ins.part(area).is_some(), "{area}");
        }
        assert!(care.choice("continuum").is_some());
        assert!(care.choice("next_review").is_some());
        assert_eq!(care.choices.len(), LIFE_AREAS.len() + 2);
    }

    #[test]
    fn every_safety_plan_step_is_a_list_of_the_safety_plan() {
        for step in SAFETY_PLAN_STEPS {
            assert!(
                SectionKind::SafetyPlan.spec().list(step).is_some(),
                "{step}"
            );
        }
        assert_eq!(
            SectionKind::SafetyPlan.spec().lists.len(),
            SAFETY_PLAN_STEPS.len()
        );
    }

    #[test]
    fn stored_names_are_unique_within_a_section() {
        for kind in SectionKind::ALL {
            let spec = kind.spec();
            let mut names: Vec<&str> = spec
                .fields
                .iter()
                .map(|f| f.name)
                .chain(spec.lists.iter().map(|l| l.name))
                .chain(spec.choices.iter().map(|c| c.name))
                .collect();
            let count = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "{kind:?}");
        }
    }
}
