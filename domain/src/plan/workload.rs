//! Writing as a person writes, one keystroke at a time, for the size budgets: the domain
//! tests assert what these workloads store and `cargo xtask bench` prints it.
//!
//! A keystroke is one edit the app would make: a letter typed or taken back, a rating
//! picked, an item added, moved or removed. "Stored once compacted" is what each section's
//! whole state encodes to at the end, as the phone's compaction writes it.

use super::{AuthorId, Edit, ItemId, LIFE_AREAS, SectionDoc, SectionKind, Stamp, Toward};

/// What a workload left behind.
#[derive(Debug, Clone)]
pub struct Stored {
    pub keystrokes: usize,
    /// Each section's whole state at the end, encoded.
    pub states: Vec<(SectionKind, Vec<u8>)>,
}

impl Stored {
    /// The sections' encoded states added together.
    pub fn bytes(&self) -> usize {
        self.states.iter().map(|(_, state)| state.len()).sum()
    }

    pub fn per_keystroke(&self) -> f64 {
        self.bytes() as f64 / self.keystrokes.max(1) as f64
    }
}

/// The CRDT client id of the `n`th editing session (distinct and non-zero for every `n`
/// below 2^32, and within 32 bits as the app's are).
pub fn session_client_id(n: u32) -> u32 {
    n.wrapping_add(1).wrapping_mul(0x9E37_79B9) | 1
}

fn stamp(n: usize) -> Stamp {
    Stamp {
        author: AuthorId::parse("phone-0123456789abcdef0123456789abcdef").expect("valid"),
        at_ms: 1_764_000_000_000 + n as u64 * 700,
    }
}

/// Words a person might type about their days, for [`Typist`].
const WORDS: &[&str] = &[
    "i",
    "slept",
    "badly",
    "and",
    "walked",
    "to",
    "the",
    "shop",
    "then",
    "rang",
    "my",
    "sister",
    "felt",
    "better",
    "after",
    "lunch",
    "with",
    "mum",
    "but",
    "worried",
    "about",
    "money",
    "again",
    "tired",
    "all",
    "day",
    "went",
    "park",
    "dog",
    "needs",
    "a",
    "walk",
    "cooked",
    "pasta",
    "for",
    "tea",
    "watched",
    "film",
    "couldn't",
    "settle",
    "doctor",
    "said",
    "tablets",
    "might",
    "help",
    "appointment",
    "on",
    "tuesday",
    "morning",
    "bus",
    "was",
    "late",
    "so",
    "missed",
    "it",
    "peer",
    "worker",
    "came",
    "round",
    "we",
    "talked",
    "plan",
    "voices",
    "were",
    "quieter",
    "today",
    "noisy",
    "neighbours",
    "kept",
    "me",
    "awake",
    "rain",
    "stayed",
    "in",
    "bed",
    "too",
    "long",
    "garden",
    "helps",
    "when",
    "anxious",
    "breathing",
    "music",
    "headphones",
    "friend",
    "texted",
    "back",
    "group",
    "at",
    "library",
    "thursday",
    "cleaned",
    "kitchen",
    "felt",
    "proud",
    "of",
    "myself",
    "bills",
    "letter",
    "from",
    "council",
    "scared",
    "open",
    "it",
    "asked",
    "for",
    "help",
    "sleep",
    "is",
    "better",
    "than",
    "last",
    "week",
    "nightmares",
    "less",
    "often",
    "ate",
    "breakfast",
    "first",
    "time",
    "in",
    "ages",
    "swimming",
    "pool",
    "quiet",
    "lane",
    "grandchildren",
    "visit",
    "sunday",
    "bake",
    "cake",
    "phone",
    "battery",
    "died",
    "lost",
    "keys",
    "found",
    "them",
    "under",
    "sofa",
    "laughed",
    "about",
    "nurse",
    "changed",
    "dose",
    "shaky",
    "hands",
    "head",
    "fuzzy",
    "clearer",
    "by",
    "evening",
    "cup",
    "of",
    "tea",
    "sat",
    "outside",
    "sun",
    "came",
    "out",
    "birds",
    "volunteering",
    "charity",
    "shop",
    "sorting",
    "books",
    "crowded",
    "places",
    "are",
    "hard",
    "left",
    "early",
    "crisis",
    "team",
    "number",
    "fridge",
    "door",
    "remember",
    "what",
    "works",
    "this",
    "that",
    "because",
    "before",
    "every",
    "never",
    "sometimes",
    "usually",
    "little",
    "lot",
    "more",
    "no",
    "yes",
    "not",
    "really",
    "very",
    "quite",
    "can",
    "could",
    "would",
    "should",
    "will",
    "do",
    "did",
    "have",
    "had",
    "get",
    "got",
    "make",
];

/// Text as a person types it: common words in an order that never repeats, so neither
/// the CRDT's run-length merging nor the snapshot's compression gets help from
/// repetition that a person's words would not give.
struct Typist {
    state: u64,
    word: &'static [u8],
    at: usize,
}

impl Typist {
    fn new(seed: u64) -> Self {
        Self {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            word: b"",
            at: 0,
        }
    }

    /// The next letter (a space between words).
    fn letter(&mut self) -> char {
        if self.at == self.word.len() {
            // xorshift64: plenty for picking words.
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            self.word = WORDS[(self.state % WORDS.len() as u64) as usize].as_bytes();
            self.at = 0;
            return ' ';
        }
        self.at += 1;
        self.word[self.at - 1] as char
    }
}

/// A section being edited in one session, counting keystrokes.
struct Session<'a> {
    doc: SectionDoc,
    count: &'a mut usize,
}

impl<'a> Session<'a> {
    fn open(kind: SectionKind, n: u32, state: &[u8], count: &'a mut usize) -> Self {
        let doc = if state.is_empty() {
            SectionDoc::new(kind, session_client_id(n))
        } else {
            SectionDoc::load(kind, session_client_id(n), state).expect("own state")
        };
        Self { doc, count }
    }

    fn edit(&mut self, edit: Edit) -> Vec<u8> {
        *self.count += 1;
        self.doc
            .apply(&edit, &stamp(*self.count))
            .expect("the workload's edits are valid")
    }

    fn field(&self, field: &str) -> String {
        self.doc.view().fields[field].text.clone()
    }

    fn set_field(&mut self, field: &'static str, text: String) -> Vec<u8> {
        self.edit(Edit::SetField { field, text })
    }

    fn close(self) -> Vec<u8> {
        self.doc.encode_state()
    }
}

/// `chars` letters typed one at a time at the end of About me's story, in one session.
pub fn plain_typing(chars: usize) -> Stored {
    let mut keystrokes = 0;
    let mut session = Session::open(SectionKind::AboutMe, 0, &[], &mut keystrokes);
    let mut typist = Typist::new(1);
    let mut text = String::new();
    for _ in 0..chars {
        text.push(typist.letter());
        session.set_field("my_story", text.clone());
    }
    let state = session.close();
    Stored {
        keystrokes,
        states: vec![(SectionKind::AboutMe, state)],
    }
}

/// Months of use: `sessions` editing sessions (each a new tab, so a new client id) across
/// About me, the safety plan and check-ins. Each session types into the story with one
/// keystroke in ten taking a letter back and some letters inserted mid-text, adds a
/// warning sign and types it, moves or removes an item now and then, and makes two
/// check-ins (ten ratings picked and a short note typed).
pub fn mixed(sessions: u32) -> Stored {
    let mut keystrokes = 0;
    let (mut about, mut safety, mut checks) = (Vec::new(), Vec::new(), Vec::new());
    let mut next_item = 0u32;
    let mut typist = Typist::new(2);
    for s in 0..sessions {
        let mut session = Session::open(SectionKind::AboutMe, s * 3, &about, &mut keystrokes);
        let mut text = session.field("my_story");
        for n in 0..120 {
            if n % 10 == 9 {
                text.pop();
            } else if n % 30 == 15 && !text.is_empty() {
                let at = text
                    .char_indices()
                    .nth(text.chars().count() / 2)
                    .map_or(0, |c| c.0);
                text.insert(at, typist.letter());
            } else {
                text.push(typist.letter());
            }
            session.set_field("my_story", text.clone());
        }
        about = session.close();

        let mut session =
            Session::open(SectionKind::SafetyPlan, s * 3 + 1, &safety, &mut keystrokes);
        next_item += 1;
        let id = ItemId::parse(&format!("w{next_item}")).expect("id");
        session.edit(Edit::AddItem {
            list: "warning_signs",
            id: id.clone(),
            parts: Vec::new(),
        });
        let mut words = String::new();
        for _ in 0..25 {
            words.push(typist.letter());
            session.edit(Edit::SetPart {
                list: "warning_signs",
                id: id.clone(),
                part: "text",
                text: words.clone(),
            });
        }
        let items = session.doc.view().lists["warning_signs"].items.clone();
        if s % 3 == 2 {
            let last = ItemId::parse(&items[items.len() - 1].id).expect("id");
            session.edit(Edit::MoveItem {
                list: "warning_signs",
                id: last,
                toward: Toward::Start,
            });
        }
        if s % 4 == 3 {
            let first = ItemId::parse(&items[0].id).expect("id");
            session.edit(Edit::RemoveItem {
                list: "warning_signs",
                id: first,
            });
        }
        safety = session.close();

        let mut session = Session::open(SectionKind::CheckIns, s * 3 + 2, &checks, &mut keystrokes);
        for c in 0..2 {
            next_item += 1;
            let id = ItemId::parse(&format!("c{next_item}")).expect("id");
            session.edit(Edit::AddItem {
                list: "check_ins",
                id: id.clone(),
                parts: Vec::new(),
            });
            for (a, area) in LIFE_AREAS.iter().enumerate() {
                let rating = 1 + (a + c + s as usize) % 7;
                session.edit(Edit::SetPart {
                    list: "check_ins",
                    id: id.clone(),
                    part: area,
                    text: rating.to_string(),
                });
            }
            let mut note = String::new();
            for _ in 0..20 {
                note.push(typist.letter());
                session.edit(Edit::SetPart {
                    list: "check_ins",
                    id: id.clone(),
                    part: "note",
                    text: note.clone(),
                });
            }
        }
        checks = session.close();
    }
    Stored {
        keystrokes,
        states: vec![
            (SectionKind::AboutMe, about),
            (SectionKind::SafetyPlan, safety),
            (SectionKind::CheckIns, checks),
        ],
    }
}

/// The average size of one keystroke's update (what the phone appends before
/// compacting) over `sample` letters typed after the story already took `age` keystrokes,
/// each age in a session of its own.
pub fn written_per_keystroke(age: usize, sample: usize) -> f64 {
    let mut keystrokes = 0;
    let mut session = Session::open(SectionKind::AboutMe, 0, &[], &mut keystrokes);
    let mut typist = Typist::new(3);
    let mut text = String::new();
    for _ in 0..age {
        if text.chars().count() >= 2_000 {
            text.clear();
        }
        text.push(typist.letter());
        session.set_field("my_story", text.clone());
    }
    let state = session.close();
    let mut session = Session::open(SectionKind::AboutMe, 1, &state, &mut keystrokes);
    let mut text = session.field("my_story");
    let mut written = 0;
    for _ in 0..sample {
        text.push(typist.letter());
        written += session.set_field("my_story", text.clone()).len();
    }
    written as f64 / sample.max(1) as f64
}

/// One change of [`three_writers`]: which of the three wrote it (0, 1 or 2), when, and
/// the Yrs update it made.
#[derive(Debug, Clone)]
pub struct Written {
    pub who: usize,
    pub at_ms: u64,
    pub update: Vec<u8>,
}

/// `changes` as signed by `people` (writer `n` is `people[n]`), numbered 1, 2, … in
/// order, each received a second after it was written: what a history is built from.
pub fn signed<'a>(
    changes: &'a [Written],
    people: &[[u8; 32]; 3],
) -> Vec<super::history::Signed<'a>> {
    changes
        .iter()
        .enumerate()
        .map(|(at, change)| super::history::Signed {
            who: super::history::Who::Member(people[change.who]),
            seq: at as u64 + 1,
            written_ms: change.at_ms,
            received_ms: change.at_ms + 1_000,
            update: &change.update,
        })
        .collect()
}

/// A safety plan written by three people taking turns, `changes` changes in all, each its
/// own update (as each reaches the server in its own envelope): items added to four
/// lists, words typed a little at a time and cleared, items removed, up to 40 a list.
/// Writer `n` writes under client id `(n + 1) * 4096`, the first id of a phone's range.
/// For the history budget (`cargo xtask bench`, natively and in the browser).
pub fn three_writers(changes: usize) -> Vec<Written> {
    let kind = SectionKind::SafetyPlan;
    let copies: Vec<SectionDoc> = (0..3u32)
        .map(|n| SectionDoc::new(kind, (n + 1) * 4096))
        .collect();
    let author = AuthorId::parse("someone").expect("valid id");
    let lists = [
        "warning_signs",
        "on_my_own",
        "reasons_for_living",
        "distractions",
    ];
    let mut written = Vec::with_capacity(changes);
    let mut items: Vec<(&'static str, String, String)> = Vec::new();
    for n in 0..changes {
        // Three people take turns in runs of a few changes, a minute apart.
        let who = (n / 7) % 3;
        let at_ms = 1_764_000_000_000 + n as u64 * 60_000;
        let stamp = Stamp {
            author: author.clone(),
            at_ms,
        };
        let copy = &copies[who];
        // Up to 40 items a list (the schema allows 50): then old ones go as new ones come.
        let full = items.len() >= 40 * lists.len();
        let edit = if !full && (items.is_empty() || n % 25 == 0) {
            let list = lists[n % lists.len()];
            let id = format!("i{n}");
            items.push((list, id.clone(), String::new()));
            Edit::AddItem {
                list,
                id: ItemId::parse(&id).expect("valid id"),
                parts: vec![("text", "a".into())],
            }
        } else if (full && n % 25 == 0) || (n % 97 == 0 && items.len() > 3) {
            let (list, id, _) = items.remove(n % items.len());
            Edit::RemoveItem {
                list,
                id: ItemId::parse(&id).expect("valid id"),
            }
        } else {
            let at = n % items.len();
            let (list, id, words) = &mut items[at];
            words.push_str(if n % 5 == 0 { " " } else { "walk" });
            if words.len() > 200 {
                words.clear();
            }
            Edit::SetPart {
                list,
                id: ItemId::parse(id).expect("valid id"),
                part: "text",
                text: words.clone(),
            }
        };
        let update = copy
            .apply(&edit, &stamp)
            .unwrap_or_else(|e| panic!("{n}: {edit:?}: {e}"));
        for (other, doc) in copies.iter().enumerate() {
            if other != who {
                doc.apply_update(&update).expect("a change from a copy");
            }
        }
        written.push(Written { who, at_ms, update });
    }
    written
}
