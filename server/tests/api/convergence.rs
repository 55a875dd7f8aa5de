//! The convergence harness (issue 12): the phone's sync engine
//! (`coplan_domain::sync`) on 3 to 10 simulated phones of one account, driven against the
//! server's real sync handler (`coplan_server::sync`) on an in-memory cursor log, over a
//! network that drops, repeats, delays and reorders messages; phones restart (losing what
//! was in flight, keeping what they stored), the server is restored from an older backup
//! (every `log_id` changes), one phone sends an envelope whose payload is damaged, and a
//! change from a range the membership log does not know is put straight into the log.
//! Every scenario must end with every phone showing the same plan, holding every word
//! anyone typed unless someone deleted it.
//!
//! Each scenario comes from a seed; a failing seed is printed, and goes in `REPLAY` so it
//! runs every time from then on.

use std::collections::{BTreeMap, BTreeSet};

use coplan_domain::envelope::{Encoding, Envelope, Header, seal};
use coplan_domain::keys::AccountKeys;
use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp, Toward};
use coplan_domain::sync::incoming;
use coplan_domain::sync::outgoing::{self, next_change};
use coplan_domain::sync::{DocumentRequest, DocumentResponse, DocumentSync, Waiting};
use coplan_server::storage::{CursorLog, MemoryLog};
use coplan_server::sync::{Syncer, id_text, sync};

/// Seeds that once failed, replayed first on every run. 873: a change built on words
/// the restored server had lost went pending on one phone, and yrs panicked merging the
/// whole state that brought the words back (`sync::incoming`).
const REPLAY: &[u64] = &[873];
/// How many seeded scenarios each run tries (`COPLAN_SCENARIOS` to try more or fewer).
const SCENARIOS: u64 = 1_000;

const PLAN: [u8; 16] = [0x70; 16];
const KEY: [u8; 32] = [0x4b; 32];
/// The documents every phone syncs: a text field and a list.
const DOCUMENTS: [(SectionKind, [u8; 16]); 2] = [
    (SectionKind::AboutMe, [0xa1; 16]),
    (SectionKind::SafetyPlan, [0xa3; 16]),
];
const LIST: &str = "warning_signs";

#[test]
fn every_scenario_converges_with_every_word_kept() {
    let account = AccountKeys::from_random(&[0x21; 64]);
    let scenarios = std::env::var("COPLAN_SCENARIOS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(SCENARIOS);
    let seeds: Vec<u64> = REPLAY.iter().copied().chain(0..scenarios).collect();
    // Two workers, one per core of the test machine.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = [0, 1]
            .into_iter()
            .map(|worker| {
                let (seeds, account) = (&seeds, &account);
                scope.spawn(move || {
                    seeds
                        .iter()
                        .skip(worker)
                        .step_by(2)
                        .filter_map(|&seed| {
                            Scenario::run(seed, account)
                                .err()
                                .map(|problem| format!("seed {seed}: {problem}"))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed; the first few:\n{}",
        failures.len(),
        seeds.len(),
        failures[..failures.len().min(3)].join("\n")
    );
}

/// A small, fast, seeded random source (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03 | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// What a phone keeps in storage: each document's state and sync record, written
/// together after every step.
#[derive(Clone)]
struct Disk {
    states: BTreeMap<SectionKind, Vec<u8>>,
    syncs: BTreeMap<SectionKind, DocumentSync>,
    /// What of each document is in the outbox or came from the server (`sync::outgoing`).
    outgoing: BTreeMap<SectionKind, Option<outgoing::Sent>>,
    /// Changes from the server waiting for changes they build on (`sync::incoming`).
    held: BTreeMap<SectionKind, Vec<Vec<u8>>>,
    /// The number of the last request sent, and of the last one whose answer was read.
    sent: u64,
    answered: u64,
}

struct Phone {
    device: [u8; 16],
    disk: Disk,
    /// What is in memory: lost at a restart.
    docs: BTreeMap<SectionKind, SectionDoc>,
    in_flight: Option<u64>,
    incarnation: u32,
    number: u32,
}

/// Words typed and deleted, by token.
#[derive(Default)]
struct Ledger {
    typed: BTreeSet<String>,
    deleted: BTreeSet<String>,
    damaged_sent: bool,
    /// Words a forged change carried: no phone may ever show them.
    forged: BTreeSet<String>,
}

struct Message {
    phone: usize,
    id: u64,
    requests: Vec<DocumentRequest>,
}

struct Answer {
    phone: usize,
    id: u64,
    responses: Vec<DocumentResponse>,
}

struct Scenario<'a> {
    rng: Rng,
    account: &'a AccountKeys,
    log: MemoryLog,
    phones: Vec<Phone>,
    ledger: Ledger,
    to_server: Vec<Message>,
    to_phones: Vec<Answer>,
    next_token: u64,
    restores: u32,
}

impl Phone {
    fn new(number: u32) -> Self {
        let mut device = [0u8; 16];
        device[..4].copy_from_slice(&number.to_be_bytes());
        device[15] = 0xd;
        let syncs = DOCUMENTS
            .iter()
            .map(|(kind, id)| (*kind, DocumentSync::new(*id, device)))
            .collect();
        let mut phone = Self {
            device,
            disk: Disk {
                states: BTreeMap::new(),
                syncs,
                outgoing: BTreeMap::new(),
                held: BTreeMap::new(),
                sent: 0,
                answered: 0,
            },
            docs: BTreeMap::new(),
            in_flight: None,
            incarnation: 0,
            number,
        };
        phone.start();
        phone
    }

    /// Opens the documents from storage, under a client id of this incarnation.
    fn start(&mut self) {
        self.incarnation += 1;
        let client = (self.number + 1) * 4096 + self.incarnation;
        self.docs = DOCUMENTS
            .iter()
            .map(|(kind, _)| {
                let doc = match self.disk.states.get(kind) {
                    Some(state) => SectionDoc::load(*kind, client, state).expect("own state"),
                    None => SectionDoc::new(*kind, client),
                };
                (*kind, doc)
            })
            .collect();
        self.in_flight = None;
    }

    fn save(&mut self, kind: SectionKind) {
        self.disk
            .states
            .insert(kind, self.docs[&kind].encode_state());
    }

    /// Seals `payload` as this phone's next change to `kind` and puts it in the outbox.
    fn queue(&mut self, kind: SectionKind, payload: Vec<u8>, account: &AccountKeys) {
        let sync = self.disk.syncs.get_mut(&kind).expect("document");
        let counter = sync.take_counter();
        let sealed = seal_change(kind, sync.document, self.device, counter, &payload, account);
        sync.queue(counter, Waiting { payload, sealed });
    }
}

fn seal_change(
    kind: SectionKind,
    document: [u8; 16],
    device: [u8; 16],
    counter: u64,
    payload: &[u8],
    account: &AccountKeys,
) -> Vec<u8> {
    // Each phone writes under its own range (see `Phone::start`).
    let range_start = (u32::from_be_bytes(device[..4].try_into().expect("4")) + 1) * 4096;
    // As the app does: what holds other phones' words goes as a snapshot (covering
    // nothing: compaction, which reads it, comes with issue 13).
    let header = Header {
        what: outgoing::what_for(payload, range_start),
        encoding: Encoding::Yrs,
        kind: kind.code(),
        plan: PLAN,
        document,
        epoch: 1,
        device,
        counter,
        range_start,
        covers: 0,
    };
    let mut nonce = [0u8; 24];
    nonce[..8].copy_from_slice(&counter.to_be_bytes());
    nonce[8..24].copy_from_slice(&device);
    seal(&header, payload, &KEY, &nonce, account).expect("sealed")
}

fn stamp() -> Stamp {
    Stamp {
        author: AuthorId::parse("phone-1").expect("id"),
        at_ms: 1,
    }
}

impl<'a> Scenario<'a> {
    fn run(seed: u64, account: &'a AccountKeys) -> Result<(), String> {
        let mut rng = Rng::new(seed);
        let count = 3 + rng.below(8) as u32;
        let log = MemoryLog::default();
        for (_, id) in DOCUMENTS {
            futures::executor::block_on(log.create_document(&id_text(&id), "log-1"))
                .map_err(|e| e.to_string())?;
        }
        let mut scenario = Scenario {
            rng,
            account,
            log,
            phones: (0..count).map(Phone::new).collect(),
            ledger: Ledger::default(),
            to_server: Vec::new(),
            to_phones: Vec::new(),
            next_token: 0,
            restores: 0,
        };
        let steps = 20 + scenario.rng.below(60);
        let backup_at = scenario.rng.below(steps);
        let restore_at = backup_at + scenario.rng.below(steps - backup_at + 1);
        let damage_at = scenario.rng.below(steps);
        let forge_at = scenario.rng.below(steps);
        let mut backup = None;
        for step in 0..steps {
            if step == backup_at {
                backup = Some(scenario.log.backup());
            }
            if step == restore_at
                && let Some(backup) = &backup
            {
                scenario.restores += 1;
                scenario
                    .log
                    .restore(backup, &format!("log-restored-{}", scenario.restores));
            }
            if step == damage_at {
                scenario.send_damaged();
            }
            if step == forge_at {
                scenario.forge()?;
            }
            scenario.step()?;
        }
        scenario.settle()?;
        scenario.check()
    }

    /// One moment of chaos: some phones type, some sync, some restart; the network
    /// delivers, drops, repeats and reorders.
    fn step(&mut self) -> Result<(), String> {
        for phone in 0..self.phones.len() {
            match self.rng.below(10) {
                0..=3 => self.edit(phone)?,
                4..=6 => self.start_sync(phone, true),
                7 if self.rng.chance(30) => self.phones[phone].start(),
                _ => {}
            }
        }
        // The server takes some requests, in any order.
        for _ in 0..self.rng.below(self.to_server.len() + 1) {
            let at = self.rng.below(self.to_server.len());
            let message = self.to_server.swap_remove(at);
            if self.rng.chance(10) {
                continue; // lost on the way
            }
            let repeats = if self.rng.chance(5) { 2 } else { 1 };
            for _ in 0..repeats {
                let answer = self.serve(&message)?;
                if !self.rng.chance(10) {
                    self.to_phones.push(answer);
                }
            }
        }
        // Phones read some answers, in any order.
        for _ in 0..self.rng.below(self.to_phones.len() + 1) {
            let at = self.rng.below(self.to_phones.len());
            let answer = self.to_phones.swap_remove(at);
            self.read_answer(answer)?;
        }
        Ok(())
    }

    /// The network heals: every phone syncs, each answer read at once, until nothing
    /// waits anywhere.
    fn settle(&mut self) -> Result<(), String> {
        self.to_server.clear();
        self.to_phones.clear();
        for phone in &mut self.phones {
            phone.in_flight = None;
        }
        for _ in 0..500 {
            let mut busy = false;
            for phone in 0..self.phones.len() {
                self.start_sync(phone, false);
                while let Some(message) = self.to_server.pop() {
                    // Anything sent this round is news to the phones that asked before.
                    busy |= message.requests.iter().any(|r| !r.push.is_empty());
                    let answer = self.serve(&message)?;
                    busy |= self.read_answer(answer)?;
                }
            }
            if !busy {
                return Ok(());
            }
        }
        Err("still syncing after 500 rounds".into())
    }

    /// A new word: one character nobody has typed before, so a merge can never split
    /// it or borrow a letter of it (as it can with words of several letters, which is
    /// harmless to a reader but would make this check unsound).
    fn token(&mut self) -> String {
        self.next_token += 1;
        let token = char::from_u32(FIRST_TOKEN + self.next_token as u32)
            .expect("in the CJK block")
            .to_string();
        self.ledger.typed.insert(token.clone());
        token
    }

    /// A random edit on one phone: a word typed into or deleted from the story, or an
    /// item added, removed or moved.
    fn edit(&mut self, at: usize) -> Result<(), String> {
        let (kind, edit) = match self.rng.below(6) {
            0..=2 => {
                // As a person types: one word added at one place, or one taken out,
                // leaving every other letter alone.
                let text = self.phones[at].docs[&SectionKind::AboutMe]
                    .view()
                    .field("my_story")
                    .to_string();
                let mut chars: Vec<char> = text.chars().collect();
                let words: Vec<usize> = (0..chars.len())
                    .filter(|&i| !tokens_in(&chars[i].to_string()).is_empty())
                    .collect();
                if !words.is_empty() && self.rng.chance(30) {
                    let gone = chars.remove(words[self.rng.below(words.len())]);
                    self.ledger.deleted.insert(gone.to_string());
                } else {
                    let token = self.token();
                    let places: Vec<usize> = (0..=chars.len())
                        .filter(|&i| i == 0 || chars[i - 1] == ' ')
                        .collect();
                    let place = places[self.rng.below(places.len())];
                    chars.splice(place..place, format!("{token} ").chars());
                }
                let edit = Edit::SetField {
                    field: "my_story",
                    text: chars.into_iter().collect(),
                };
                (SectionKind::AboutMe, edit)
            }
            choice => {
                let items = self.phones[at].docs[&SectionKind::SafetyPlan].view().lists[LIST]
                    .items
                    .clone();
                let edit = match choice {
                    3 | 4 if items.len() < 20 || choice == 3 => {
                        let token = self.token();
                        Edit::AddItem {
                            list: LIST,
                            id: ItemId::parse(&format!("i{}", self.next_token)).expect("id"),
                            parts: vec![("text", token)],
                        }
                    }
                    _ if items.is_empty() => return Ok(()),
                    4 => {
                        let item = &items[self.rng.below(items.len())];
                        self.ledger.deleted.extend(tokens_in(item.part("text")));
                        Edit::RemoveItem {
                            list: LIST,
                            id: ItemId::parse(&item.id).expect("id"),
                        }
                    }
                    _ => Edit::MoveItem {
                        list: LIST,
                        id: ItemId::parse(&items[self.rng.below(items.len())].id).expect("id"),
                        toward: if self.rng.chance(50) {
                            Toward::Start
                        } else {
                            Toward::End
                        },
                    },
                };
                (SectionKind::SafetyPlan, edit)
            }
        };
        let phone = &mut self.phones[at];
        // Sent at the phone's next sync, with whatever else it wrote by then.
        match phone.docs[&kind].apply(&edit, &stamp()) {
            Ok(_) => {}
            // A list at its cap refuses another item, as the app's would: that word was
            // never typed.
            Err(coplan_domain::plan::PlanError::TooManyItems { .. }) => {
                if let Edit::AddItem { parts, .. } = &edit {
                    for (_, text) in parts {
                        self.ledger.typed.remove(text);
                    }
                }
                return Ok(());
            }
            Err(e) => return Err(format!("edit refused: {e}")),
        };
        phone.save(kind);
        Ok(())
    }

    /// A change signed with the person's key from a phone the membership log does not
    /// know, put straight into the server's log (as a server that lies could): every phone
    /// must leave it out.
    fn forge(&mut self) -> Result<(), String> {
        let range = 99 * 4096;
        let forger = SectionDoc::new(SectionKind::AboutMe, range);
        let token = self.token();
        self.ledger.typed.remove(&token);
        self.ledger.forged.insert(token.clone());
        let update = forger
            .apply(
                &Edit::SetField {
                    field: "my_story",
                    text: format!("{token} "),
                },
                &stamp(),
            )
            .map_err(|e| e.to_string())?;
        let mut device = [0u8; 16];
        device[..4].copy_from_slice(&98u32.to_be_bytes());
        let (kind, document) = DOCUMENTS[0];
        let sealed = seal_change(kind, document, device, 0, &update, self.account);
        futures::executor::block_on(self.log.push(
            &id_text(&document),
            &id_text(&device),
            0,
            &sealed,
            1,
        ))
        .map_err(|e| e.to_string())?;
        Ok(())
    }

    /// A valid phone seals a change whose payload is not an update at all.
    fn send_damaged(&mut self) {
        let at = self.rng.below(self.phones.len());
        self.phones[at].queue(
            SectionKind::AboutMe,
            b"\xff\xfe not an update".to_vec(),
            self.account,
        );
        self.ledger.damaged_sent = true;
    }

    /// The phone asks: unless an answer is awaited (a phone with one in flight may give
    /// up on it now and then, as a timeout would).
    fn start_sync(&mut self, at: usize, may_give_up: bool) {
        let give_up = may_give_up && self.rng.chance(20);
        let phone = &mut self.phones[at];
        if phone.in_flight.is_some() && !give_up {
            return;
        }
        // As the app's rounds do: what each document holds beyond what went out or came
        // in goes in the outbox (all of it when the server lost part of its log).
        for (kind, sync) in phone.disk.syncs.iter_mut() {
            let sent = phone.disk.outgoing.entry(*kind).or_default();
            let doc = &phone.docs[kind];
            let change = next_change(doc, sent, sync.send_whole_state)
                .expect("a state vector this phone made")
                .map(|update| outgoing::shape(doc, update, (phone.number + 1) * 4096).1);
            sync.send_whole_state = false;
            if let Some(payload) = change {
                let counter = sync.take_counter();
                let sealed = seal_change(
                    *kind,
                    sync.document,
                    phone.device,
                    counter,
                    &payload,
                    self.account,
                );
                sync.queue(counter, Waiting { payload, sealed });
            }
        }
        phone.disk.sent += 1;
        let id = phone.disk.sent;
        phone.in_flight = Some(id);
        let requests = phone.disk.syncs.values().map(|s| s.request(5)).collect();
        self.to_server.push(Message {
            phone: at,
            id,
            requests,
        });
    }

    fn serve(&self, message: &Message) -> Result<Answer, String> {
        let phone = &self.phones[message.phone];
        let who = Syncer {
            device: phone.device,
            signing: self.account.public().signing,
            range_start: (phone.number + 1) * 4096,
        };
        let responses = futures::executor::block_on(sync(&self.log, &who, &message.requests, 1))
            .map_err(|e| e.to_string())?;
        Ok(Answer {
            phone: message.phone,
            id: message.id,
            responses,
        })
    }

    /// Reads an answer; true if it asked for more.
    fn read_answer(&mut self, answer: Answer) -> Result<bool, String> {
        let account = self.account;
        let phone_count = self.phones.len() as u32;
        let phone = &mut self.phones[answer.phone];
        if phone.in_flight == Some(answer.id) {
            phone.in_flight = None;
        }
        // An answer older than one already read says nothing new.
        if answer.id <= phone.disk.answered {
            return Ok(false);
        }
        phone.disk.answered = answer.id;
        let mut more = false;
        for response in &answer.responses {
            let (kind, _) = DOCUMENTS
                .iter()
                .find(|(_, id)| *id == response.document)
                .ok_or("an answer about an unknown document")?;
            let sync = phone.disk.syncs.get_mut(kind).expect("document");
            let received = sync.receive(response);
            more |= received.more;
            if !received.refused.is_empty() {
                return Err(format!("the server refused {:?}", received.refused));
            }
            let doc = &phone.docs[kind];
            let mut pulled = Vec::with_capacity(received.to_apply.len());
            for envelope in &received.to_apply {
                let read = Envelope::read(&envelope.envelope)
                    .map_err(|e| format!("seq {}: {e}", envelope.seq))?;
                let payload = read
                    .open(&account.public().signing, &KEY)
                    .map_err(|e| format!("seq {}: {e}", envelope.seq))?;
                // As the app does: a change only from a range the membership log gives
                // one of the person's phones.
                let ranges: Vec<u32> = (1..=phone_count).map(|n| n * 4096).collect();
                if let Some(framed) =
                    incoming::admit(read.header.what, read.header.range_start, &ranges, &payload)
                {
                    pulled.push(framed);
                }
            }
            // As the app takes changes in: checked on a copy first (a damaged change is
            // left out, and the rest still apply), those that build on changes not here
            // yet held and checked again after later ones.
            let held = phone.disk.held.entry(*kind).or_default();
            let mut checking = incoming::to_check(pulled, held);
            while !checking.is_empty() {
                let parts: Vec<&[u8]> = checking.iter().map(Vec::as_slice).collect();
                let results = incoming::check(*kind, &doc.encode_state(), &parts);
                let passed = incoming::sort(checking, &results, held);
                checking = if passed.is_empty() {
                    Vec::new()
                } else {
                    held.clone()
                };
                let mut before = outgoing::Sent::of(doc);
                for framed in passed {
                    let (_, update) = incoming::unframe(&framed).expect("framed here");
                    if doc.apply_update(update).is_ok() {
                        let after = outgoing::Sent::of(doc);
                        let sent = phone.disk.outgoing.entry(*kind).or_default();
                        outgoing::took_in(sent, &before, &after);
                        before = after;
                    }
                }
            }
            sync.stored(received.up_to);
            for counter in received.to_reseal {
                if let Some((new, payload)) = sync.reseal(counter) {
                    let sealed =
                        seal_change(*kind, sync.document, phone.device, new, &payload, account);
                    sync.queue(new, Waiting { payload, sealed });
                }
            }
            phone.save(*kind);
        }
        Ok(more)
    }

    /// Every phone shows the same plan, with every typed word unless it was deleted.
    fn check(&self) -> Result<(), String> {
        let first = &self.phones[0];
        for (kind, _) in DOCUMENTS {
            let view = first.docs[&kind].view();
            for phone in &self.phones[1..] {
                if phone.docs[&kind].view() != view {
                    return Err(format!(
                        "{kind:?} differs between phones 0 and {}: {:?} / {:?}; waiting for earlier changes: {} / {}; cursors {:?} / {:?}",
                        phone.number,
                        view,
                        phone.docs[&kind].view(),
                        first.docs[&kind].has_missing_updates(),
                        phone.docs[&kind].has_missing_updates(),
                        first.disk.syncs[&kind].cursor,
                        phone.disk.syncs[&kind].cursor,
                    ));
                }
            }
        }
        let mut present = BTreeSet::new();
        let about = first.docs[&SectionKind::AboutMe].view();
        present.extend(tokens_in(about.field("my_story")));
        let safety = first.docs[&SectionKind::SafetyPlan].view();
        for item in &safety.lists[LIST].items {
            present.extend(tokens_in(item.part("text")));
        }
        if let Some(token) = self.ledger.forged.iter().find(|t| present.contains(*t)) {
            return Err(format!("{token}: a forged change's word is shown"));
        }
        for token in &self.ledger.typed {
            let deleted = self.ledger.deleted.contains(token);
            if present.contains(token) == deleted {
                let pending: Vec<bool> = self
                    .phones
                    .iter()
                    .map(|p| p.docs.values().any(SectionDoc::has_missing_updates))
                    .collect();
                return Err(format!(
                    "{token}: {} though it was {} (phones with changes waiting for earlier ones: {pending:?}; restores {})",
                    if deleted { "present" } else { "missing" },
                    if deleted { "deleted" } else { "never deleted" },
                    self.restores,
                ));
            }
        }
        Ok(())
    }
}

/// Words are single characters from U+4E00 up.
const FIRST_TOKEN: u32 = 0x4E00;

/// The words in a text.
fn tokens_in(text: &str) -> Vec<String> {
    text.chars()
        .filter(|&c| c as u32 > FIRST_TOKEN)
        .map(String::from)
        .collect()
}
