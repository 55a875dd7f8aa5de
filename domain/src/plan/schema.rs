//! What each plan section holds: its free-text fields and its lists, with the limits that
//! keep a slip of the finger (or a bad file) from bloating a plan. The names here are the
//! stored names inside each section's CRDT document; never rename one once released.

/// The five parts of a plan, each kept as its own CRDT document so that later a section
/// can be shared, or withheld, simply by sending its document or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    AboutMe,
    CarePlan,
    SafetyPlan,
    CrisisWishes,
    CheckIns,
}

impl SectionKind {
    pub const ALL: [SectionKind; 5] = [
        Self::AboutMe,
        Self::CarePlan,
        Self::SafetyPlan,
        Self::CrisisWishes,
        Self::CheckIns,
    ];

    /// The stored name of the section.
    pub fn key(self) -> &'static str {
        match self {
            Self::AboutMe => "about_me",
            Self::CarePlan => "care_plan",
            Self::SafetyPlan => "safety_plan",
            Self::CrisisWishes => "crisis_wishes",
            Self::CheckIns => "check_ins",
        }
    }

    pub fn spec(self) -> &'static SectionSpec {
        match self {
            Self::AboutMe => &ABOUT_ME,
            Self::CarePlan => &CARE_PLAN,
            Self::SafetyPlan => &SAFETY_PLAN,
            Self::CrisisWishes => &CRISIS_WISHES,
            Self::CheckIns => &CHECK_INS,
        }
    }
}

/// What a part of a list item holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Text,
    /// A phone number: saved as typed, checked when shown (a half-typed number is kept).
    Phone,
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
}

impl SectionSpec {
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn list(&self, name: &str) -> Option<&'static ListSpec> {
        self.lists.iter().find(|l| l.name == name)
    }
}

impl ListSpec {
    pub fn part(&self, name: &str) -> Option<&'static PartSpec> {
        self.parts.iter().find(|p| p.name == name)
    }
}

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

static CARE_PLAN: SectionSpec = SectionSpec {
    fields: &[FieldSpec {
        name: "next_review",
        max_chars: 10,
    }],
    lists: &[list("support_network", CONTACT)],
};

static CHECK_INS: SectionSpec = SectionSpec {
    fields: &[],
    lists: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

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
                .collect();
            let count = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "{kind:?}");
        }
    }
}
