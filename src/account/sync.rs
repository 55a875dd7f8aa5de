//! Backup and sync of the person's plans across their own phones (issue 12), one round at
//! a time: attach the open plan, store its section keys wrapped to the person, take in
//! the plans this phone lacks, then for each section put what changed here in the outbox
//! (sealed, signed, stored before it is sent) and push and pull: every plan's documents
//! in one request a pass (`batch`).
//!
//! The rules that keep every word are the engine's (`coplan_domain::sync`): a change is
//! stored in the outbox before it is sent and sent until the server has it; what arrives
//! is stored before the cursor moves. Only one tab of a phone syncs (a Web Lock); the
//! others hear its changes over the tab relay like any other tab's.

use coplan_domain::PlanId;
use coplan_domain::envelope::{Encoding, Envelope, Header, What, seal};
use coplan_domain::key_envelope::{KeyAddress, KeyEnvelope, KeyEnvelopeError, seal_key};
use coplan_domain::keys::AccountRecord;
use coplan_domain::membership::{Membership, Right, Sender};
use coplan_domain::plan::{SectionDoc, SectionKind, card};
use coplan_domain::sync::compaction;
use coplan_domain::sync::history::{HistoryEntry, change_payload, read_change_payload};
use coplan_domain::sync::incoming;
use coplan_domain::sync::outgoing::{self, next_change};
use coplan_domain::sync::record::{PlanSync, SectionSync};
use coplan_domain::sync::wire::{read_response, write_request};
use coplan_domain::sync::{DocumentSync, Pulled, Waiting, id_from_hex, id_to_hex, requests};
use coplan_domain::wire::{AttachPlan, AttachedPlan, Blob, Bytes, KeyEnvelopes, Plans};
use js_sys::Uint8Array;

use super::api::{self, ApiProblem};
use super::flows::Problem;
use super::members;
use super::wake::Wake;
use crate::platform::{fill_random, fresh_client_id};
use crate::storage::{Storage, StorageError};

/// The longest the syncing tab goes without a round while all is well (a round also
/// starts as soon as the server has news, or a change is written here).
const QUIET_MS: i32 = 60_000;
/// How long a round waits after a change written here, so that typing is sent in one
/// change rather than a round a keystroke.
const SETTLE_MS: i32 = 2_000;
/// How long the server may hold a wait (it answers sooner with news).
const WAIT_PATH: &str = "/api/v1/sync/wait?seconds=25";
/// How often a locked phone looks whether it was unlocked (asking opens nothing).
const LOCKED_MS: i32 = 2_000;
/// The longest wait after failures (offline, server down), doubling from a second.
const MOST_MS: i32 = 30_000;

thread_local! {
    static STARTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Starts syncing in this tab, once: the tab that holds the phone's sync lock syncs
/// while the phone is signed in, whenever the server or this phone has something new;
/// another tab waits for the lock and takes over when that tab closes.
pub fn start() {
    if STARTED.replace(true) {
        return;
    }
    leptos::task::spawn_local(async {
        // Every tab says who can see each part as last worked out, until a round says more.
        super::readers::show_kept().await;
        // (Not awaited: it may ask the server for the log, and the first round goes on.)
        leptos::task::spawn_local(super::agree::show_kept());
        // No Web Locks (an old browser): every tab syncs, which is safe, only wasteful.
        let _ = crate::platform::hold_lock("coplan:sync", false).await;
        let mut failures = 0u32;
        let mut round = 0u32;
        super::notice::show();
        while crate::storage::signed_in_hint() {
            // A wait the server named still runs, even across a reload of the page.
            if let Some(ms) = named_wait_left() {
                crate::platform::pause(ms).await;
            }
            // Listening starts before the round: a change written while it runs (after it
            // read that section) starts the next round, rather than waiting a quiet minute.
            let during = listen(QUIET_MS).await;
            let mut result = sync_now().await;
            if result.is_ok() {
                failures = 0;
                super::notice::synced();
                // Every third round, whether a new phone signed in.
                if round.is_multiple_of(3)
                    && let Ok(account) =
                        api::get::<coplan_domain::wire::Account>("/api/v1/account").await
                {
                    super::notice::phones(&account.phones);
                }
                round = round.wrapping_add(1);
                result = match wait_for_news(during).await {
                    Ok(Woke::Server) => Ok(()),
                    Ok(Woke::Here) => {
                        crate::platform::pause(SETTLE_MS).await;
                        Ok(())
                    }
                    Err(problem) => Err(problem),
                };
            }
            if let Err(Problem::Storage(StorageError::Locked)) = result {
                // Locked: what arrives stays sealed on the server, what is written here
                // waits in the outbox, and sync goes on within moments of unlocking.
                crate::platform::pause(LOCKED_MS).await;
                continue;
            }
            if let Err(problem) = result {
                // Offline, or unlocked since the page opened: the kept lines meanwhile.
                super::readers::show_kept().await;
                failures = failures.saturating_add(1);
                let signed_out = matches!(
                    &problem,
                    Problem::Api(ApiProblem::Refused { code, .. }) if code == "sign_in_needed"
                );
                super::notice::failed(signed_out);
                if matches!(
                    &problem,
                    Problem::Api(ApiProblem::Refused { code, .. }) if code == "account_disabled"
                ) {
                    super::notice::turned_off();
                }
                leptos::logging::warn!("sync waits: {problem:?}");
                match told_to_wait(&problem) {
                    // The server is busy or limiting: it said how long, and nothing here
                    // ends that wait early (a change written waits in the outbox).
                    Some(ms) => {
                        let ms = ms.max(backoff(failures));
                        name_wait(ms);
                        crate::platform::pause(ms).await;
                    }
                    // Coming back online, or a change written, ends the wait early.
                    None => listen(backoff(failures)).await.woken().await,
                }
            }
        }
        STARTED.set(false);
    });
}

/// What ended a wait for news.
enum Woke {
    /// The server has something new for one of the documents.
    Server,
    /// A change written here, the browser online again, the app shown, or a quiet minute.
    Here,
}

/// A wait for a change written here (on any plan that syncs, or the open one), the
/// browser coming online or the app shown; at the latest after `ms`.
async fn listen(ms: i32) -> Wake {
    let channels = match Storage::shared().await {
        Ok(storage) => {
            let records = storage.sync_records().await.unwrap_or_default();
            channels(&storage, &records).await
        }
        Err(_) => Vec::new(),
    };
    Wake::new(&channels, ms)
}

/// Waits until a round is worth its cost: the server answers a parked request (the
/// long-poll) with news for one of this phone's documents, or [`Wake`] ends the wait.
/// `during` has listened since the round before began; it goes once the wait's own
/// listening (on what may now be more plans) has started, so nothing falls between them.
async fn wait_for_news(during: Wake) -> Result<Woke, Problem> {
    let storage = Storage::shared().await?;
    let records = storage.sync_records().await?;
    let wake = Wake::new(&channels(&storage, &records).await, QUIET_MS);
    if during.has_woken() {
        return Ok(Woke::Here);
    }
    drop(during);
    let requests: Vec<_> = records
        .iter()
        .flat_map(|(_, record)| {
            // On the person's phones, members' suggestions too (the person reaches every
            // one; a member's phone hears of a decision at its next round).
            let suggestions = record
                .suggestions
                .iter()
                .filter(|_| record.person.is_none())
                .map(|s| &s.sync.engine);
            record
                .documents
                .iter()
                .map(|s| &s.engine)
                .chain(suggestions)
                .map(|engine| engine.request(0))
        })
        .collect();
    if requests.is_empty() {
        wake.woken().await;
        return Ok(Woke::Here);
    }
    loop {
        let controller = web_sys::AbortController::new().map_err(|_| unexpected())?;
        wake.abort_on_wake(&controller);
        let asked = api::send_bytes_until(
            WAIT_PATH,
            write_request(&requests),
            Some(&controller.signal()),
        )
        .await;
        if wake.has_woken() {
            return Ok(Woke::Here);
        }
        let heads = read_response(&asked?).map_err(|_| unexpected())?;
        // A document left out of the answer is one this account may no longer reach (it
        // was removed, or lost the right to read it): a round finds out which.
        let news = heads.iter().any(|head| {
            requests
                .iter()
                .any(|r| r.document == head.document && r.after != head.head)
        }) || requests
            .iter()
            .any(|r| !heads.iter().any(|head| head.document == r.document));
        if news {
            return Ok(Woke::Server);
        }
    }
}

/// The tab relay's channels of every plan on this phone that syncs, and of the open
/// plan (which is attached once something is written in it); and the one on which a
/// tab says another plan is open.
async fn channels(storage: &Storage, records: &[(PlanId, PlanSync)]) -> Vec<String> {
    let mut plans: Vec<PlanId> = records.iter().map(|(plan, _)| plan.clone()).collect();
    if let Ok(Some(open)) = storage.current_plan().await
        && let Ok(open) = PlanId::parse(&open)
        && !plans.contains(&open)
    {
        plans.push(open);
    }
    let sections = plans.iter().flat_map(|plan| {
        SectionKind::ALL
            .into_iter()
            .map(move |kind| crate::plan::tab_relay::channel_name(plan, kind))
    });
    // And a plan started or chosen since, whose first words attach it.
    let opened = crate::plan::tab_relay::OPEN_PLAN_CHANNEL.to_string();
    sections.chain(std::iter::once(opened)).collect()
}

/// The wait after `failures` failures in a row: doubling from a second to [`MOST_MS`],
/// with up to a quarter more at random so that phones do not all come back at once.
fn backoff(failures: u32) -> i32 {
    let base = 1_000i32.saturating_mul(1 << failures.min(5)).min(MOST_MS);
    let [spread] = random::<1>();
    base + base / 4 * i32::from(spread) / 255
}

/// Where the end of a wait the server named is kept (milliseconds since 1970), so that
/// a page loaded again meanwhile does not ask again before it.
const NAMED_WAIT_UNTIL: &str = "coplan:sync-not-before";

fn name_wait(ms: i32) {
    let until = crate::platform::now_ms() + u64::try_from(ms).unwrap_or(0);
    if let Some(site) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = site.set_item(NAMED_WAIT_UNTIL, &until.to_string());
    }
}

/// What is left of a wait the server named (at most [`MOST_MS`]), if any.
fn named_wait_left() -> Option<i32> {
    let site = web_sys::window()?.local_storage().ok()??;
    let until: u64 = site.get_item(NAMED_WAIT_UNTIL).ok()??.parse().ok()?;
    let left = until.checked_sub(crate::platform::now_ms())?;
    if left == 0 {
        let _ = site.remove_item(NAMED_WAIT_UNTIL);
        return None;
    }
    Some(i32::try_from(left).unwrap_or(MOST_MS).min(MOST_MS))
}

/// How long the server asked this phone to wait (`Retry-After`), with up to a quarter
/// more at random so that phones turned away together do not all come back together.
fn told_to_wait(problem: &Problem) -> Option<i32> {
    let Problem::Api(ApiProblem::Refused {
        retry_after_s: Some(seconds),
        ..
    }) = problem
    else {
        return None;
    };
    let base = i32::try_from(u64::from(*seconds) * 1_000)
        .unwrap_or(MOST_MS)
        .min(MOST_MS);
    let [spread] = random::<1>();
    Some(base + base / 4 * i32::from(spread) / 255)
}

/// Rounds one call makes at most while the server says it has more.
const MAX_ROUNDS: usize = 20;
/// Changes pushed per document per request.
const MAX_PUSH: usize = 16;

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    fill_random(&mut bytes).expect("the browser gave no random source");
    bytes
}

fn kind_of(section: &str) -> Option<SectionKind> {
    SectionKind::DOCUMENTS
        .into_iter()
        .find(|k| k.key() == section)
}

fn unexpected() -> Problem {
    Problem::Api(ApiProblem::Unexpected { status: 200 })
}

/// One sync of every plan on this phone. Nothing to do when no account is here.
pub async fn sync_now() -> Result<(), Problem> {
    let storage = Storage::shared().await?;
    let Some(account) = storage.account().await.map_err(|_| Problem::Keys)? else {
        return Ok(());
    };
    let phone = id_from_hex(&account.phone).ok_or(Problem::Keys)?;
    let mut records = storage.sync_records().await?;
    let open = storage
        .current_plan()
        .await?
        .and_then(|open| PlanId::parse(&open).ok());
    let open_has_words = match &open {
        Some(plan) => has_words(&storage, plan).await?,
        None => false,
    };
    // A plan with nothing written yet (a screen opened on a new phone starts one) is not
    // attached: the account's own plan is on its way.
    if let Some(open) = open.clone()
        && open_has_words
        && !records.iter().any(|(plan, _)| *plan == open)
    {
        let record = PlanSync {
            request: random(),
            plan: None,
            person: None,
            keys_stored: false,
            documents: Vec::new(),
            suggestions: Vec::new(),
        };
        storage.save_sync_record(&open, &record).await?;
        records.push((open, record));
    }
    let known: Vec<[u8; 16]> = records.iter().filter_map(|(_, r)| r.plan).collect();
    let on_server: Plans = api::get("/api/v1/plans").await?;
    // Someone left one of the account's plans, or was turned off: said until removed.
    super::notice::to_remove(on_server.plans.iter().map(|p| p.to_remove).sum());
    // The first plan to arrive opens, unless the person has written in the one open.
    let mut may_open = !open_has_words && !records.iter().any(|(p, _)| Some(p) == open.as_ref());
    for plan in on_server.plans {
        let Some(id) = id_from_hex(&plan.plan) else {
            continue;
        };
        if known.contains(&id) {
            continue;
        }
        if let Some(adopted) = adopt(&storage, &account, phone, &plan, may_open).await? {
            may_open = false;
            records.push(adopted);
        }
    }
    let here: Vec<PlanId> = storage
        .all_plans()
        .await?
        .into_iter()
        .map(|draft| draft.id)
        .collect();
    let mut shared_open = None;
    let mut own_open = None;
    // Someone else's plan is kept up to date only on a phone with an app lock, and its
    // safety plan never opens without the PIN (only the phone owner's own may).
    let locked = storage.lock().await?.is_some();
    let mut shared_unlocked = false;
    // The plans shared with this account that this round syncs, for the caseload.
    let mut cases = Vec::new();
    let mut to_sync = Vec::new();
    // Whether each plan shared with this account still holds it, asked of the server
    // for all of them at once (a worker's phone may hold thirty).
    let me = account.keys.public().signing;
    let asks = records.iter().filter_map(|(plan, record)| {
        let (person, plan_id) = (record.person?, record.plan?);
        let asked = locked && !record.is_left() && here.contains(plan);
        asked.then_some(async move { (plan_id, members::holds(&person, plan_id, &me).await) })
    });
    let mut held = Vec::new();
    for (plan_id, holds) in futures_util::future::join_all(asks).await {
        held.push((plan_id, holds?));
    }
    for (plan, mut record) in records {
        if record.is_left() {
            continue;
        }
        if let Some(plan_id) = record.plan
            && held.contains(&(plan_id, false))
        {
            // The person removed this account: the plan comes off this phone, and the
            // phone says so.
            storage.delete_plan(&plan).await?;
            record.leave();
            storage.save_sync_record(&plan, &record).await?;
            super::notice::removed_from_plan();
            continue;
        }
        if record.person.is_some() {
            if storage.opens_without_pin(&plan).await? {
                storage.set_opens_without_pin(&plan, false).await?;
            }
            if !locked {
                shared_unlocked = true;
                continue;
            }
        }
        if Some(&plan) == open.as_ref()
            && let (Some(person), Some(plan_id)) = (record.person, record.plan)
        {
            shared_open = Some((person, plan_id, plan.clone()));
        }
        if Some(&plan) == open.as_ref() && record.person.is_none() {
            own_open = record.plan;
        }
        if record.person.is_some() && here.contains(&plan) {
            cases.push(plan.clone());
        }
        if here.contains(&plan) {
            to_sync.push((plan, record));
        } else {
            gone(&storage, &plan, record).await?;
        }
    }
    // The plans sync side by side, each pass's requests for all of them in one request
    // (`batch`): a worker's phone holding thirty plans makes one round trip a pass.
    let batch = super::batch::Batch::new();
    let (storage_ref, account_ref) = (&storage, &account);
    let runs: Vec<_> = to_sync
        .into_iter()
        .map(|(plan, mut record)| {
            let syncing = batch.join();
            async move {
                let synced = sync_plan(
                    storage_ref,
                    account_ref,
                    phone,
                    &plan,
                    &mut record,
                    &syncing,
                )
                .await;
                drop(syncing);
                (plan, record, synced)
            }
        })
        .collect();
    let mut failed = None;
    for (plan, record, synced) in futures_util::future::join_all(runs).await {
        match synced {
            Err(Problem::Storage(StorageError::PlanGone)) => gone(&storage, &plan, record).await?,
            Err(problem) => {
                failed.get_or_insert(problem);
            }
            Ok(()) => {}
        }
    }
    if let Some(problem) = failed {
        return Err(problem);
    }
    // Every screen of someone else's plan says whose it is, as its card names them; and
    // the members the person lets the others see, by the names the person chose.
    let (name, shown) = match &shared_open {
        Some((_, _, local)) => {
            match crate::plan::read_section(&storage, local, SectionKind::Card).await {
                Ok(card) => (
                    Some(card.choice("called").trim().to_string()).filter(|n| !n.is_empty()),
                    card::read(card.choice("shown")).unwrap_or_default(),
                ),
                Err(_) => (None, Vec::new()),
            }
        }
        None => (None, Vec::new()),
    };
    // On someone else's plan, every screen says what this account may change there; and
    // every writing screen, who can see and change that part.
    let may_change = match &shared_open {
        Some((person, plan_id, local)) => {
            let log = members::verified(person, *plan_id, false).await?;
            let lines = super::readers::members_lines(&log, &me, name.as_deref(), &shown);
            super::readers::show(&storage, local, lines).await;
            super::agree::show(&storage, local, *plan_id, &log, me).await;
            let rights = log
                .members
                .get(&me)
                .filter(|m| !m.removed)
                .map_or([Right::None; 5], |m| m.rights);
            Some(coplan_domain::membership::sections_with(
                &rights,
                Right::Edit,
            ))
        }
        None => None,
    };
    match (own_open, &open) {
        (Some(plan_id), Some(local)) => {
            // (Not knowing who can see it, for now, never stops a round.)
            if let Ok(log) = members::verified(&me, plan_id, false).await
                && let Ok(lines) = super::readers::persons_lines(plan_id, &log).await
            {
                super::readers::show(&storage, local, lines).await;
                super::agree::show(&storage, local, plan_id, &log, me).await;
            }
        }
        _ if shared_open.is_none() => {
            crate::plan::readers::set(Default::default());
            crate::plan::agreed::set(Default::default());
        }
        _ => {}
    }
    super::notice::shared_plan(may_change.as_deref(), shared_unlocked, name);
    // A long history is kept built as it arrives, not on opening it; so is what the
    // caseload works out of each plan shared with this account.
    super::history::keep_up();
    super::caseload::keep_up(cases);
    Ok(())
}

/// A plan deleted on this phone (before this round, or while it ran): it stays deleted
/// here, and is not taken in again from the account.
async fn gone(storage: &Storage, plan: &PlanId, mut record: PlanSync) -> Result<(), Problem> {
    record.leave();
    storage.save_sync_record(plan, &record).await?;
    Ok(())
}

/// Whether anything was ever written in `plan` on this phone.
async fn has_words(storage: &Storage, plan: &PlanId) -> Result<bool, Problem> {
    for kind in SectionKind::ALL {
        let stored = storage.load_section(plan, kind).await?;
        if stored.snapshot.is_some() || !stored.updates.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A plan on the server that this phone does not have yet: a new plan here, with the
/// section keys the server holds for this account. None while some key is missing (the
/// phone that attached the plan has not stored them yet).
async fn adopt(
    storage: &Storage,
    account: &AccountRecord,
    phone: [u8; 16],
    plan: &AttachedPlan,
    opens: bool,
) -> Result<Option<(PlanId, PlanSync)>, Problem> {
    let id = id_from_hex(&plan.plan).ok_or_else(unexpected)?;
    let Some(documents) =
        documents_with_keys(account, phone, plan, &account.keys.public().signing, true).await?
    else {
        return Ok(None);
    };
    let local = storage.add_plan(opens).await?;
    let record = PlanSync {
        request: random(),
        plan: Some(id),
        person: None,
        keys_stored: true,
        documents,
        suggestions: Vec::new(),
    };
    storage.save_sync_record(&local, &record).await?;
    Ok(Some((local, record)))
}

/// The plan's documents with their keys at epoch 0, from the key envelopes the server
/// holds for this account, each signed by `signer` (the person); later epochs' keys are
/// taken in by [`catch_up`], against the membership log. None if `every` and some
/// document has no key (the phone that attached the plan has not stored them yet);
/// otherwise a document without a key (a part this account may not read) is left out.
async fn documents_with_keys(
    account: &AccountRecord,
    phone: [u8; 16],
    plan: &AttachedPlan,
    signer: &[u8; 32],
    every: bool,
) -> Result<Option<Vec<SectionSync>>, Problem> {
    let id = id_from_hex(&plan.plan).ok_or_else(unexpected)?;
    let keys: KeyEnvelopes = api::get(&format!("/api/v1/plans/{}/keys", plan.plan)).await?;
    let opened: Vec<([u8; 16], [u8; 32])> = open_keys(&keys, id, signer, account)
        .into_iter()
        .filter(|k| k.epoch == 0)
        .map(|k| (k.document, k.key))
        .collect();
    let mut documents = Vec::with_capacity(plan.documents.len());
    for document in &plan.documents {
        let Some(doc_id) = id_from_hex(&document.id) else {
            continue;
        };
        let Some((_, key)) = opened.iter().find(|(d, _)| *d == doc_id) else {
            if every {
                return Ok(None);
            }
            continue;
        };
        documents.push(SectionSync::new(
            document.section.clone(),
            *key,
            DocumentSync::new(doc_id, phone),
        ));
    }
    Ok(Some(documents))
}

/// A plan the person let this account into from an invite, onto this phone: a new plan
/// here, with the key of each part this account may read (signed by the person, whose
/// key was pinned in the room), synced from now on. Opened at once unless the person
/// using this phone has written in the plan open now. Its local id.
pub async fn adopt_shared(plan: &str, person: [u8; 32]) -> Result<PlanId, Problem> {
    let storage = Storage::shared().await?;
    let account = storage
        .account()
        .await
        .map_err(|_| Problem::Keys)?
        .ok_or(Problem::Keys)?;
    let phone = id_from_hex(&account.phone).ok_or(Problem::Keys)?;
    let id = id_from_hex(plan).ok_or_else(unexpected)?;
    let here = storage.sync_records().await?;
    if let Some((local, _)) = here
        .iter()
        .find(|(_, r)| r.plan == Some(id) && !r.is_left())
    {
        return Ok(local.clone());
    }
    let attached: AttachedPlan = api::get(&format!("/api/v1/plans/{plan}")).await?;
    let documents = documents_with_keys(&account, phone, &attached, &person, false)
        .await?
        .unwrap_or_default();
    let local = storage.add_plan(false).await?;
    let record = PlanSync {
        request: random(),
        plan: Some(id),
        person: Some(person),
        keys_stored: true,
        documents,
        suggestions: Vec::new(),
    };
    storage.save_sync_record(&local, &record).await?;
    let open_has_words = match storage.current_plan().await?.map(|p| PlanId::parse(&p)) {
        Some(Ok(open)) => has_words(&storage, &open).await?,
        _ => false,
    };
    if !open_has_words {
        storage.choose_plan(&local).await?;
    }
    super::wake::now();
    Ok(local)
}

/// Attaches the plan if it is not yet, stores its keys if they are not yet, then pushes
/// and pulls until the server has nothing more.
async fn sync_plan(
    storage: &Storage,
    account: &AccountRecord,
    phone: [u8; 16],
    plan: &PlanId,
    record: &mut PlanSync,
    syncing: &super::batch::Syncing,
) -> Result<(), Problem> {
    if record.plan.is_none() {
        let attached: AttachedPlan = api::send(
            "POST",
            "/api/v1/plans",
            &AttachPlan {
                request: Bytes(record.request),
            },
        )
        .await?;
        record.plan = Some(id_from_hex(&attached.plan).ok_or_else(unexpected)?);
        record.documents = attached
            .documents
            .iter()
            .filter_map(|d| {
                let engine = DocumentSync::new(id_from_hex(&d.id)?, phone);
                Some(SectionSync::new(d.section.clone(), random(), engine))
            })
            .collect();
        storage.save_sync_record(plan, record).await?;
    }
    let plan_id = record.plan.ok_or_else(unexpected)?;
    if !record.keys_stored {
        store_keys(account, plan_id, record).await?;
        storage.save_sync_record(plan, record).await?;
    }
    let me = account.keys.public().signing;
    let person = record.person.unwrap_or(me);
    // Every other phone checks a change's range against the plan's membership log: this
    // phone is in it before it sends anything (on a plan shared with this account, the
    // person's phone put it there when it let this account in).
    if record.person.is_none() {
        members::join(account, phone, plan_id).await?;
    }
    let mut membership = members::verified(&person, plan_id, false).await?;
    if person != me {
        // A section this account may no longer read is synced no more (the server would
        // leave it out of every answer).
        let before = record.documents.len();
        record.documents.retain(|section| {
            kind_of(&section.section).is_some_and(|kind| membership.right(&me, kind) != Right::None)
        });
        // A section the person has since let this account read: its document and key
        // (at epoch 0; `catch_up` takes in later epochs' keys) join the record.
        let held = |kind: SectionKind, record: &PlanSync| {
            record
                .documents
                .iter()
                .any(|s| kind_of(&s.section) == Some(kind))
        };
        let gained = SectionKind::DOCUMENTS
            .into_iter()
            .any(|kind| membership.right(&me, kind) != Right::None && !held(kind, record));
        if gained {
            let attached: AttachedPlan =
                api::get(&format!("/api/v1/plans/{}", id_to_hex(&plan_id))).await?;
            let found = documents_with_keys(account, phone, &attached, &person, false).await?;
            for section in found.unwrap_or_default() {
                if kind_of(&section.section).is_some_and(|kind| {
                    membership.right(&me, kind) != Right::None && !held(kind, record)
                }) {
                    record.documents.push(section);
                }
            }
        }
        if record.documents.len() != before || gained {
            storage.save_sync_record(plan, record).await?;
        }
    }
    // The card is a convenience: a fault in keeping it never stops the plan's sync (it is
    // tried again next round).
    if person == me {
        match add_card(account, phone, plan_id, &membership, record).await {
            Ok(true) => storage.save_sync_record(plan, record).await?,
            Ok(false) => {}
            Err(_) => web_sys::console::warn_1(&"sync: the plan's card has no key yet".into()),
        }
        if write_card(storage, plan, &membership).await.is_err() {
            web_sys::console::warn_1(&"sync: the plan's card was not brought up to date".into());
        }
    }
    // Whether the log was fetched again this call because a section's key epoch moved on.
    let mut refreshed = false;
    for _ in 0..MAX_ROUNDS {
        if catch_up(account, plan_id, person, &membership, record).await? {
            storage.save_sync_record(plan, record).await?;
        }
        let mut sections = Vec::with_capacity(record.documents.len());
        for section in &mut record.documents {
            let Some(kind) = kind_of(&section.section) else {
                sections.push(None);
                continue;
            };
            let doc = SectionDoc::new(kind, fresh_client_id());
            for update in storage.load_section(plan, kind).await?.all_updates() {
                doc.apply_stored(update).map_err(|_| unexpected())?;
            }
            // Only what this account may change goes out; only the person's phones send
            // snapshots (they hold everyone's words).
            if membership.right(&me, kind) == Right::Edit {
                queue_changes(account, plan_id, kind, section, &doc, person == me)?;
            }
            if person == me {
                queue_snapshot(account, plan_id, kind, section, &doc)?;
            }
            sections.push(Some((kind, doc)));
        }
        storage.save_sync_record(plan, record).await?;
        let requests = requests(record.documents.iter().map(|s| &s.engine), MAX_PUSH);
        let responses = syncing.exchange(requests).await?;
        let mut more = false;
        let mut needs_keys = false;
        for response in responses {
            let Some(at) = record
                .documents
                .iter()
                .position(|s| s.engine.document == response.document)
            else {
                continue;
            };
            let section = &mut record.documents[at];
            // Sealed under an epoch this phone has no key for yet: nothing of this
            // answer is taken (the cursor stays, what was pushed goes again, the same
            // bytes) until the log and the new key are here.
            let ahead = response.pulled.iter().any(|pulled| {
                Envelope::read(&pulled.envelope).is_ok_and(|e| e.header.epoch > section.epoch)
            });
            if ahead {
                needs_keys = true;
                continue;
            }
            let before = section.engine.cursor;
            let received = section.engine.receive(&response);
            more |= received.more;
            needs_keys |= received.stale_epoch;
            // Every change up to the new cursor, this phone's own included, goes into the
            // history store before it is taken in (a snapshot is checked against it) and
            // before the cursor moves past it.
            keep_history(storage, plan, &response, received.up_to).await?;
            if let Some((kind, doc)) = &sections[at] {
                let first = response.pulled.first().map(|p| p.seq);
                let pulled = FromLog {
                    envelopes: &received.to_apply,
                    before,
                    first,
                };
                let trusted = Trusted {
                    person,
                    plan: plan_id,
                    fetched: std::cell::Cell::new(false),
                };
                take_in(storage, &trusted, plan, *kind, section, doc, pulled).await?;
                // The copy the lock screen opens without the PIN catches up too.
                if *kind == SectionKind::SafetyPlan && !received.to_apply.is_empty() {
                    storage
                        .refresh_open_copy(plan, || doc.encode_state())
                        .await?;
                }
                if received.restored {
                    section.engine.send_whole_state = true;
                }
            }
            section.engine.stored(received.up_to);
            for counter in received.to_reseal {
                if let (Some(again), Some((kind, _))) =
                    (section.engine.reseal(counter), &sections[at])
                {
                    let sealing = Sealing {
                        counter: again.counter,
                        what: again.what,
                        covers: again.covers,
                    };
                    let payload = again.payload;
                    let sealed = seal_change(account, plan_id, *kind, section, sealing, &payload)?;
                    section
                        .engine
                        .queue(again.counter, Waiting { payload, sealed });
                    more = true;
                }
            }
        }
        storage.save_sync_record(plan, record).await?;
        if needs_keys {
            // Once a call: a key still missing after that waits for the next round.
            if refreshed {
                break;
            }
            refreshed = true;
            membership = members::verified(&person, plan_id, true).await?;
            continue;
        }
        let waiting = record.documents.iter().any(|s| s.engine.has_waiting());
        if !more && !waiting {
            break;
        }
    }
    // Members' suggestions: the documents the log names that this phone holds, then
    // what was written to them here and there.
    if super::suggestions::adopt(account, phone, plan_id, &membership, record).await? {
        storage.save_sync_record(plan, record).await?;
    }
    super::suggestions::round(storage, account, plan, plan_id, person, record, syncing).await?;
    // The log as this round verified it, for reading offline.
    members::keep(storage, plan, plan_id).await;
    Ok(())
}

/// A plan attached before plans had cards: the card the server made for it joins the
/// record, with a new key stored for the person and wrapped to every member who reads it,
/// or the key another of the person's phones stored first. False when the record has it
/// (or the server has none).
async fn add_card(
    account: &AccountRecord,
    phone: [u8; 16],
    plan: [u8; 16],
    membership: &Membership,
    record: &mut PlanSync,
) -> Result<bool, Problem> {
    let card = SectionKind::Card;
    if !record.keys_stored || record.documents.iter().any(|s| s.section == card.key()) {
        return Ok(false);
    }
    let attached: AttachedPlan = api::get(&format!("/api/v1/plans/{}", id_to_hex(&plan))).await?;
    let Some(document) = attached
        .documents
        .iter()
        .find(|d| d.section == card.key())
        .and_then(|d| id_from_hex(&d.id))
    else {
        return Ok(false);
    };
    let keys = (card, document, vec![(0, random())]);
    let mut envelopes = Vec::new();
    for reader in membership.readers(card) {
        envelopes.extend(members::wrap_keys(
            account,
            plan,
            &reader,
            std::iter::once(&keys),
        )?);
    }
    members::put_keys(plan, envelopes).await?;
    // Whichever phone stored first, the card's key is the one the server holds.
    let me = account.keys.public().signing;
    let section = documents_with_keys(account, phone, &attached, &me, false)
        .await?
        .unwrap_or_default()
        .into_iter()
        .find(|s| s.engine.document == document)
        .ok_or_else(unexpected)?;
    record.documents.push(section);
    Ok(true)
}

/// Keeps the plan's card saying what About me and the care plan say now (the name the
/// person goes by, the next review date), and naming to the others only members the log
/// still holds (a removed member's name goes with them), as a change of this phone's
/// like any other.
async fn write_card(
    storage: &Storage,
    plan: &PlanId,
    membership: &Membership,
) -> Result<(), Problem> {
    let read = |kind| crate::plan::read_section(storage, plan, kind);
    let called = read(SectionKind::AboutMe)
        .await?
        .field("called")
        .to_string();
    let review = read(SectionKind::CarePlan)
        .await?
        .choice("next_review")
        .to_string();
    let shown = card::read(read(SectionKind::Card).await?.choice("shown")).unwrap_or_default();
    let kept: Vec<_> = shown
        .iter()
        .filter(|(key, _)| membership.members.get(key).is_some_and(|m| !m.removed))
        .cloned()
        .collect();
    let mut choices = vec![("called", called), ("next_review", review)];
    if kept != shown {
        choices.push(("shown", card::write(&kept)));
    }
    set_card(storage, plan, choices).await
}

/// Sets the plan card's choices to these values, as a change of this phone's, where they
/// say something else now. Only the person's phones write the card.
pub(super) async fn set_card(
    storage: &Storage,
    plan: &PlanId,
    choices: Vec<(&'static str, String)>,
) -> Result<(), Problem> {
    let view = crate::plan::read_section(storage, plan, SectionKind::Card).await?;
    let edits: Vec<_> = choices
        .into_iter()
        .filter(|(name, value)| view.choice(name) != value)
        .map(|(name, value)| coplan_domain::plan::Edit::SetChoice { name, value })
        .collect();
    write_edits(storage, plan, SectionKind::Card, edits).await
}

/// Writes `edits` to the plan's `kind`, as changes of this phone's (stored, then synced
/// like any other), and tells this phone's open screens of that part.
pub(super) async fn write_edits(
    storage: &Storage,
    plan: &PlanId,
    kind: SectionKind,
    edits: Vec<coplan_domain::plan::Edit>,
) -> Result<(), Problem> {
    if edits.is_empty() {
        return Ok(());
    }
    let doc = section_doc(storage, plan, kind).await?;
    let author = coplan_domain::plan::AuthorId::parse(&storage.local_author().await?)
        .map_err(|_| unexpected())?;
    let stamp = coplan_domain::plan::Stamp {
        author,
        at_ms: js_sys::Date::now() as u64,
    };
    let updates = edits
        .iter()
        .map(|edit| doc.apply(edit, &stamp).map_err(|_| unexpected()))
        .collect::<Result<Vec<_>, _>>()?;
    write_updates(storage, plan, kind, &updates).await
}

/// The plan's `kind` as this phone holds it, to write under this phone's client id.
pub(super) async fn section_doc(
    storage: &Storage,
    plan: &PlanId,
    kind: SectionKind,
) -> Result<SectionDoc, Problem> {
    let (client, _live) = crate::plan::writer::client_id(kind).await;
    let doc = SectionDoc::new(kind, client);
    for update in storage.load_section(plan, kind).await?.all_updates() {
        doc.apply_stored(update).map_err(|_| unexpected())?;
    }
    Ok(doc)
}

/// Stores `updates` (made on [`section_doc`]'s copy) as changes of this phone's, synced
/// like any other, and tells this phone's open screens of that part.
pub(super) async fn write_updates(
    storage: &Storage,
    plan: &PlanId,
    kind: SectionKind,
    updates: &[Vec<u8>],
) -> Result<(), Problem> {
    let writer = u64::from(fresh_client_id());
    for (seq, update) in updates.iter().enumerate() {
        // An edit that changes nothing (an item brought back twice) writes nothing.
        if update.is_empty() {
            continue;
        }
        storage
            .append_update(plan, kind, writer, seq as u32, update)
            .await?;
        if let Ok(channel) =
            web_sys::BroadcastChannel::new(&crate::plan::tab_relay::channel_name(plan, kind))
        {
            let _ = channel.post_message(&Uint8Array::from(update.as_slice()));
            channel.close();
        }
    }
    Ok(())
}

/// Takes in the keys of the epochs the membership log has started past what this phone
/// holds for each section (someone who could read it was removed): each from the key
/// envelopes the server holds for this account, signed by the person, and only the one
/// whose digest the log's entry holds. Then every change waiting under an earlier epoch
/// is sealed again under the new key (the server would refuse it as stale), so nothing
/// written offline across a removal is stuck. Whether anything changed.
async fn catch_up(
    account: &AccountRecord,
    plan: [u8; 16],
    person: [u8; 32],
    membership: &Membership,
    record: &mut PlanSync,
) -> Result<bool, Problem> {
    let started = |section: &SectionSync| {
        membership
            .epochs
            .get(&section.engine.document)
            .copied()
            .unwrap_or(0)
    };
    if record.documents.iter().all(|s| started(s) <= s.epoch) {
        return Ok(false);
    }
    let path = format!("/api/v1/plans/{}/keys", id_to_hex(&plan));
    let stored: KeyEnvelopes = api::get(&path).await?;
    let opened = open_keys(&stored, plan, &person, account);
    let mut changed = false;
    for section in &mut record.documents {
        let Some(kind) = kind_of(&section.section) else {
            continue;
        };
        let document = section.engine.document;
        while section.epoch < started(section) {
            let next = section.epoch + 1;
            let found = opened
                .iter()
                .find(|k| k.document == document && k.epoch == next)
                .map(|k| k.key);
            let Some(key) =
                found.filter(|key| membership.vouches_for_key(&plan, &document, next, key))
            else {
                // Not here yet, or not the key the log vouches for (one the server made
                // or swapped, signed by the person for something else): this section
                // waits, and says nothing it cannot open; the phone says it turned the
                // key away.
                if found.is_some() {
                    super::notice::refused(super::notice::Refused::Key);
                } else {
                    web_sys::console::warn_1(&"sync: a section's new key is not here yet".into());
                }
                break;
            };
            section.next_epoch(key);
            changed = true;
        }
        for counter in section.engine.sealed_before(section.epoch) {
            let Some(again) = section.engine.reseal(counter) else {
                continue;
            };
            let sealing = Sealing {
                counter: again.counter,
                what: again.what,
                covers: again.covers,
            };
            let payload = again.payload;
            let sealed = seal_change(account, plan, kind, section, sealing, &payload)?;
            section
                .engine
                .queue(again.counter, Waiting { payload, sealed });
            changed = true;
        }
    }
    Ok(changed)
}

/// A key opened from a key envelope, by the document and epoch it names.
pub(super) struct KeyAddressed {
    pub(super) document: [u8; 16],
    pub(super) epoch: u32,
    pub(super) key: [u8; 32],
}

/// The keys among `stored` that are for `plan`, opened with this account's keys, each
/// signed by `person` (every key of a plan is the person's phone's). One for this plan
/// and this account that the person did not sign, or that was changed on its way, is
/// left out, and the phone says it turned it away: only the server could have made it.
pub(super) fn open_keys(
    stored: &KeyEnvelopes,
    plan: [u8; 16],
    person: &[u8; 32],
    account: &AccountRecord,
) -> Vec<KeyAddressed> {
    let mut opened = Vec::with_capacity(stored.envelopes.len());
    let mut turned_away = false;
    for blob in &stored.envelopes {
        let Ok(envelope) = KeyEnvelope::read(blob.as_slice()) else {
            continue;
        };
        if envelope.address.plan != plan {
            continue;
        }
        match envelope.open(person, &account.keys) {
            Ok(key) => opened.push(KeyAddressed {
                document: envelope.address.document,
                epoch: envelope.address.epoch,
                key,
            }),
            Err(KeyEnvelopeError::BadSignature | KeyEnvelopeError::DoesNotOpen) => {
                turned_away = true;
            }
            Err(_) => {}
        }
    }
    if turned_away {
        super::notice::refused(super::notice::Refused::Key);
    }
    opened
}

/// Keeps every change an answer pulled for a document, up to `up_to`, in the history
/// store.
pub(super) async fn keep_history(
    storage: &Storage,
    plan: &PlanId,
    response: &coplan_domain::sync::DocumentResponse,
    up_to: u64,
) -> Result<(), Problem> {
    let kept: Vec<HistoryEntry> = response
        .pulled
        .iter()
        .filter(|p| p.seq <= up_to)
        .map(|p| HistoryEntry {
            seq: p.seq,
            received_ms: p.received_ms,
            envelope: p.envelope.clone(),
        })
        .collect();
    if !kept.is_empty() {
        let document = id_to_hex(&response.document);
        storage.keep_history(plan, &document, &kept).await?;
    }
    Ok(())
}

/// Wraps every section's key to the person and stores them; if the server already holds
/// keys for this plan (another try got there first), those are the keys.
async fn store_keys(
    account: &AccountRecord,
    plan: [u8; 16],
    record: &mut PlanSync,
) -> Result<(), Problem> {
    let receiving = account.keys.public().receiving;
    let envelopes = record
        .documents
        .iter()
        .map(|s| {
            let address = KeyAddress {
                plan,
                document: s.engine.document,
                epoch: 0,
            };
            let sealed = seal_key(
                &address,
                &s.key,
                &receiving,
                &random(),
                &random(),
                &account.keys,
            );
            Blob::new(sealed).ok_or_else(unexpected)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let path = format!("/api/v1/plans/{}/keys", id_to_hex(&plan));
    match api::send_only("PUT", &path, Some(&KeyEnvelopes { envelopes })).await {
        Ok(()) => {}
        Err(ApiProblem::Refused { code, .. }) if code == "key_taken" => {
            let stored: KeyEnvelopes = api::get(&path).await?;
            for blob in &stored.envelopes {
                let Ok(envelope) = KeyEnvelope::read(blob.as_slice()) else {
                    continue;
                };
                let Ok(key) = envelope.open(&account.keys.public().signing, &account.keys) else {
                    continue;
                };
                if let Some(section) = record
                    .documents
                    .iter_mut()
                    .find(|s| s.engine.document == envelope.address.document)
                {
                    section.key = key;
                }
            }
        }
        Err(other) => return Err(other.into()),
    }
    record.keys_stored = true;
    Ok(())
}

/// Puts what `doc` holds beyond what was already queued into the outbox, sealed.
fn queue_changes(
    account: &AccountRecord,
    plan: [u8; 16],
    kind: SectionKind,
    section: &mut SectionSync,
    doc: &SectionDoc,
    persons_phone: bool,
) -> Result<(), Problem> {
    let whole = section.engine.send_whole_state;
    let Some(update) = next_change(doc, &mut section.sent, whole).map_err(|_| unexpected())? else {
        return Ok(());
    };
    let (what, update) = outgoing::shape(doc, update, account.range_start);
    if what == What::Snapshot && !persons_phone {
        // A member's phone sends only its own words; every other phone would refuse a
        // snapshot from it.
        web_sys::console::warn_1(&"sync: a member's change held others' words; not sent".into());
        return Ok(());
    }
    let held = !section.held.is_empty();
    let covers = match what {
        // A snapshot holds everything this phone took in from the log, unless something
        // did not open here or waits outside the document (then it claims nothing).
        What::Snapshot => section.engine.tail.claim(section.engine.cursor, held),
        What::Change => 0,
    };
    let payload = change_payload(js_sys::Date::now() as u64, &update);
    queue_sealed(account, plan, kind, section, what, covers, payload)?;
    section.engine.send_whole_state = false;
    Ok(())
}

/// Seals `payload` under the section's next counter and puts it in the outbox.
fn queue_sealed(
    account: &AccountRecord,
    plan: [u8; 16],
    kind: SectionKind,
    section: &mut SectionSync,
    what: What,
    covers: u64,
    payload: Vec<u8>,
) -> Result<(), Problem> {
    let counter = section.engine.take_counter();
    let sealing = Sealing {
        counter,
        what,
        covers,
    };
    let sealed = seal_change(account, plan, kind, section, sealing, &payload)?;
    section.engine.queue(counter, Waiting { payload, sealed });
    Ok(())
}

/// Past the threshold, or when a snapshot that reached this phone did not cover what it
/// claimed, seals the whole section as a snapshot (`sync::compaction`).
fn queue_snapshot(
    account: &AccountRecord,
    plan: [u8; 16],
    kind: SectionKind,
    section: &mut SectionSync,
    doc: &SectionDoc,
) -> Result<(), Problem> {
    let engine = &section.engine;
    let waiting = engine.has_waiting() || !section.held.is_empty();
    let Some(covers) = engine
        .tail
        .to_send(compaction::THRESHOLD, engine.cursor, waiting)
    else {
        return Ok(());
    };
    let payload = change_payload(js_sys::Date::now() as u64, &doc.encode_state());
    section.sent = Some(outgoing::Sent::of(doc));
    queue_sealed(
        account,
        plan,
        kind,
        section,
        What::Snapshot,
        covers,
        payload,
    )?;
    section.engine.tail.sent();
    Ok(())
}

/// What an envelope is and claims.
struct Sealing {
    counter: u64,
    what: What,
    covers: u64,
}

fn seal_change(
    account: &AccountRecord,
    plan: [u8; 16],
    kind: SectionKind,
    section: &SectionSync,
    sealing: Sealing,
    payload: &[u8],
) -> Result<Vec<u8>, Problem> {
    let phone = id_from_hex(&account.phone).ok_or_else(unexpected)?;
    let header = Header {
        what: sealing.what,
        encoding: Encoding::Yrs,
        kind: kind.code(),
        plan,
        document: section.engine.document,
        epoch: section.epoch,
        device: phone,
        counter: sealing.counter,
        range_start: account.range_start,
        covers: sealing.covers,
    };
    seal(&header, payload, &section.key, &random(), &account.keys).map_err(|_| unexpected())
}

/// What one answer brought for a document: the envelopes from other phones to take in,
/// in log order; the cursor before the answer; and the first number it pulled (a base
/// snapshot sent first, standing for the log it covers, comes first).
struct FromLog<'a> {
    envelopes: &'a [Pulled],
    before: u64,
    first: Option<u64>,
}

/// A snapshot claiming to cover part of the log, to check once the checker passed it.
struct Claim {
    seq: u64,
    covers: u64,
    /// Sent first, standing for entries this phone never received.
    taken_early: bool,
    update: Vec<u8>,
}

/// Takes in envelopes from other phones, in log order: each checked (the account signed
/// it, for this document and epoch; a change's range is one of the person's phones' in
/// the plan's membership log) and opened; then all of them checked in the checker's
/// worker against this section's state, before the app decodes any (AGENTS: untrusted
/// input); then each that passed merged, stored, and told to this phone's open screens.
/// One that fails a check is left out, and the rest go on; one that builds on changes not
/// here yet is held in the sync record and checked again after later ones
/// (`sync::incoming`). A check that does not finish fails the round, which tries again
/// later, so nothing is skipped for a worker's fault. Then each snapshot that passed is
/// checked to cover what this phone received (`sync::compaction`); one that does not,
/// or that did not open, is reported, and this phone sends a snapshot of its own.
/// Whose plan a round syncs: the person's signing key (this account's own, or pinned in
/// the room for a plan shared with it) and the plan's id on the server.
struct Trusted {
    person: [u8; 32],
    plan: [u8; 16],
    /// Whether the log was already fetched again for this answer: envelopes it does not
    /// vouch for then stay unvouched, without a request each.
    fetched: std::cell::Cell<bool>,
}

impl Trusted {
    /// Who the plan's membership log says sealed an envelope with `header`; the log is
    /// fetched again (once) when the header names a phone it does not hold yet.
    async fn sender(&self, kind: SectionKind, header: &Header) -> Result<Option<Sender>, Problem> {
        let find =
            |log: &Membership| log.sender(header.what, kind, &header.device, header.range_start);
        let known = members::verified(&self.person, self.plan, false).await?;
        if let Some(found) = find(&known) {
            return Ok(Some(found));
        }
        if self.fetched.replace(true) {
            return Ok(None);
        }
        Ok(find(
            &members::verified(&self.person, self.plan, true).await?,
        ))
    }
}

async fn take_in(
    storage: &Storage,
    trusted: &Trusted,
    plan: &PlanId,
    kind: SectionKind,
    section: &mut SectionSync,
    doc: &SectionDoc,
    from_log: FromLog<'_>,
) -> Result<(), Problem> {
    let mut opened: Vec<(What, u32, Vec<u8>, Vec<u32>)> =
        Vec::with_capacity(from_log.envelopes.len());
    let mut claims = Vec::new();
    let mut unopened = Vec::new();
    let mut turned_away = false;
    for pulled in from_log.envelopes {
        let Ok(envelope) = Envelope::read(&pulled.envelope) else {
            continue;
        };
        let header = envelope.header;
        if header.document != section.engine.document {
            continue;
        }
        // Opened only with the key of the member the log says sealed it: a change from
        // anyone without edit here, or from a phone not theirs, does not open. Sealed
        // under a key this phone holds, that is something the server should never have
        // sent (it refuses such a change), and the phone says it turned it away; under
        // an epoch's key this phone never had, it only cannot be read here.
        let sender = trusted.sender(kind, &header).await?;
        let payload = section.key_at(header.epoch).and_then(|key| {
            let opened = sender
                .as_ref()
                .and_then(|sender| envelope.open(&sender.signing, key).ok());
            turned_away |= opened.is_none();
            opened
        });
        let Some(update) = payload
            .as_deref()
            .and_then(read_change_payload)
            .map(|(_, update)| update.to_vec())
        else {
            unopened.push(pulled.seq);
            continue;
        };
        if header.what == What::Snapshot && header.covers > 0 {
            claims.push(Claim {
                seq: pulled.seq,
                covers: header.covers,
                taken_early: from_log.first == Some(pulled.seq) && pulled.seq > from_log.before + 1,
                update: update.clone(),
            });
        }
        let ranges = sender.map(|s| s.ranges).unwrap_or_default();
        opened.push((header.what, header.range_start, update, ranges));
    }
    if turned_away {
        super::notice::refused(super::notice::Refused::Change(kind));
    }
    let document = id_to_hex(&section.engine.document);
    for seq in unopened {
        section.engine.tail.not_opened(seq);
        section.engine.tail.snapshot_due();
        report(&document, seq).await;
    }
    // A change may insert only under its sender's ids, from a range the membership log
    // gives that member (anything else is left out); a snapshot, signed by the person,
    // holds everyone's words.
    let updates: Vec<Vec<u8>> = opened
        .into_iter()
        .filter_map(|(what, range, update, ranges)| incoming::admit(what, range, &ranges, &update))
        .collect();
    // What this phone held before: a base standing for entries it never received must
    // hold it all, or this phone's words go again.
    let held_before = claims
        .iter()
        .any(|c| c.taken_early)
        .then(|| doc.encode_state());
    let mut passed_all = Vec::new();
    let mut checking = incoming::to_check(updates, &section.held);
    while !checking.is_empty() {
        let parts: Vec<&[u8]> = checking.iter().map(Vec::as_slice).collect();
        let verdicts = super::batch::check_updates(kind.code(), &doc.encode_state(), &parts)
            .await
            .map_err(|_| unexpected())?;
        let passed = incoming::sort(checking, &verdicts, &mut section.held);
        // Held changes may build on what passed: they are checked again after it.
        checking = if passed.is_empty() {
            Vec::new()
        } else {
            section.held.clone()
        };
        take_in_checked(storage, plan, kind, section, doc, &passed).await?;
        passed_all.extend(passed);
    }
    for claim in claims {
        let checked = passed_all
            .iter()
            .any(|framed| incoming::unframe(framed).is_some_and(|(_, u)| u == claim.update));
        if checked {
            check_claim(
                storage,
                trusted,
                plan,
                kind,
                section,
                &claim,
                held_before.as_deref(),
            )
            .await?;
        }
    }
    Ok(())
}

/// Checks a snapshot that passed the checker covers what this phone received up to what
/// it claims (from the history store, after the last snapshot that passed), and, for a
/// base sent first, everything this phone held; reports it if it does not.
async fn check_claim(
    storage: &Storage,
    trusted: &Trusted,
    plan: &PlanId,
    kind: SectionKind,
    section: &mut SectionSync,
    claim: &Claim,
    held_before: Option<&[u8]>,
) -> Result<(), Problem> {
    let document = id_to_hex(&section.engine.document);
    let keys = section.keys();
    let tail = &mut section.engine.tail;
    let known = if claim.taken_early {
        section.engine.cursor.min(claim.seq - 1)
    } else {
        claim.seq - 1
    };
    let upto = claim.covers.min(known);
    let from = tail.check_from(upto).min(upto);
    let history = storage.history(plan, &document).await?;
    let mut received: Vec<Vec<u8>> = Vec::new();
    for entry in history
        .iter()
        .filter(|entry| entry.seq > from && entry.seq <= upto)
    {
        let Ok(envelope) = Envelope::read(&entry.envelope) else {
            continue;
        };
        let Some(sender) = trusted.sender(kind, &envelope.header).await? else {
            continue;
        };
        let epoch = envelope.header.epoch;
        let Some((_, key)) = keys.iter().find(|(e, _)| *e == epoch) else {
            continue;
        };
        let Ok(payload) = envelope.open(&sender.signing, key) else {
            continue;
        };
        if let Some((_, update)) = read_change_payload(&payload) {
            received.push(update.to_vec());
        }
    }
    let parts: Vec<&[u8]> = received.iter().map(Vec::as_slice).collect();
    if compaction::covers(kind, &claim.update, &parts) {
        tail.checked(claim.seq, claim.covers);
    } else {
        tail.snapshot_due();
        report(&document, claim.seq).await;
    }
    if let Some(held) = held_before
        && claim.taken_early
        && !compaction::covers(kind, &claim.update, &[held])
    {
        tail.snapshot_due();
    }
    Ok(())
}

/// Tells the server a snapshot must never become a base. A report that does not arrive
/// changes nothing here: this phone sends its own snapshot, covering more, anyway.
async fn report(document: &str, seq: u64) {
    let path = format!("/api/v1/documents/{document}/reports/{seq}");
    if let Err(problem) = api::send_only::<()>("POST", &path, None).await {
        web_sys::console::warn_1(&format!("a snapshot report did not arrive: {problem:?}").into());
    }
}

/// Merges, stores and tells this phone's open screens each change that passed its check.
async fn take_in_checked(
    storage: &Storage,
    plan: &PlanId,
    kind: SectionKind,
    section: &mut SectionSync,
    doc: &SectionDoc,
    passed: &[Vec<u8>],
) -> Result<(), Problem> {
    // Where the section stands before each change (after the one before it).
    let mut before = outgoing::Sent::of(doc);
    for framed in passed {
        let Some((_, update)) = incoming::unframe(framed) else {
            continue;
        };
        if doc.apply_update(update).is_err() {
            continue;
        }
        storage
            .append_update(plan, kind, fresh_client_id().into(), 0, update)
            .await?;
        // For `cargo xtask bench`: a new phone taking in a long section.
        crate::platform::mark(&format!("coplan:took-in:{}", kind.key()));
        let after = outgoing::Sent::of(doc);
        outgoing::took_in(&mut section.sent, &before, &after);
        before = after;
        if let Ok(channel) =
            web_sys::BroadcastChannel::new(&crate::plan::tab_relay::channel_name(plan, kind))
        {
            let _ = channel.post_message(&Uint8Array::from(update));
            channel.close();
        }
    }
    Ok(())
}
