//! One open plan section on this page: its CRDT document, who is writing, and the writes
//! to IndexedDB: one write at a time, each a log record holding every change queued since
//! the last one (`write_queue`); every `COMPACT_EVERY` records, a merge of everything
//! stored into one snapshot. A failed write stays first in the queue and is tried again
//! with the next change, or after `RETRY_AFTER`, or when the page is hidden.
//!
//! The session coordinates the pieces that do the rest: the write queue, the CRDT client
//! id (`writer`), the other tabs (`tab_relay`: two tabs typing into one field each see
//! both texts; a tab starts listening before its read of IndexedDB completes, so a change
//! stored while it opens is heard or read, never neither), and the lock screen's copy of
//! the safety plan (`open_copy`).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use coplan_domain::PlanId;
use coplan_domain::plan::{
    AuthorId, Edit, LONG_SECTION_BYTES, PlanError, SectionDoc, SectionKind, SectionView, Stamp,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::save_status::SaveStatus;
use crate::platform::{fresh_client_id, mark, now_ms};
use crate::storage::{Storage, StorageError};

use super::open_copy::OpenCopy;
use super::tab_relay::TabRelay;
use super::write_queue::WriteQueue;
use super::writer;

/// Log records (by this tab) between compacted snapshots.
const COMPACT_EVERY: u32 = 100;
const RETRY_AFTER: Duration = Duration::from_secs(2);

pub struct SectionSession {
    storage: Storage,
    plan: PlanId,
    kind: SectionKind,
    doc: Rc<SectionDoc>,
    author: AuthorId,
    /// Names this session's records in the log: fresh for each session, so two sessions
    /// never overwrite each other's records, whatever CRDT client id each writes under
    /// (a tab reuses its id from visit to visit: `writer`).
    writer: u64,
    /// Keeps this tab from giving the same client id to another session of this section
    /// while this one lives.
    _live: writer::Live,
    next_seq: Cell<u32>,
    /// Changes made here and not yet stored.
    queue: WriteQueue,
    since_compaction: Cell<u32>,
    retry_pending: Cell<bool>,
    /// The lock screen's copy of the safety plan (safety plan only).
    open_copy: OpenCopy,
    /// The sealed snapshot this tab last wrote (its document holds everything in it).
    last_snapshot: std::cell::RefCell<Option<Vec<u8>>>,
    /// Carries this tab's changes to other tabs of the same plan, and theirs here.
    relay: Option<TabRelay>,
    /// Stored changes that were damaged and could not be opened (the rest is shown).
    pub damaged: usize,
    pub view: RwSignal<SectionView>,
    pub status: RwSignal<SaveStatus>,
    /// Changes made and not yet stored.
    pub writing: RwSignal<u32>,
    /// The section's stored bytes, as far as this tab knows (exact after a compaction).
    stored_bytes: Cell<usize>,
    /// True once the section is getting too long to go into a saved copy.
    pub long: RwSignal<bool>,
    /// What `long` was last set to.
    said_long: Cell<bool>,
}

impl SectionSession {
    /// Opens the section of the plan on this phone, starting a plan if there is none.
    pub async fn open(
        kind: SectionKind,
        view: RwSignal<SectionView>,
        status: RwSignal<SaveStatus>,
        writing: RwSignal<u32>,
        long: RwSignal<bool>,
    ) -> Result<Rc<Self>, StorageError> {
        mark("coplan:section-opening");
        let storage = Storage::shared().await?;
        mark("coplan:database-opened");
        let (client_id, live) = writer::client_id(kind).await;
        let doc = Rc::new(SectionDoc::new(kind, client_id));
        // Listening starts as soon as the read transaction's last read is in, before the
        // records are opened, and another tab's write cannot commit until that
        // transaction has: so each of its changes is either in what was read or heard
        // here (merging twice is harmless).
        let mut relay = None;
        let mut found = storage
            .read_open_section(kind, |plan| {
                relay = TabRelay::listen(plan, kind, &doc, view)
            })
            .await?;
        let plan = match &found.draft {
            // A foundation-era draft still holding a name: move it first, then read again.
            Some(draft) if !draft.preferred_name.as_str().is_empty() => {
                let plan = open_plan(&storage).await?.unwrap_or(draft.id.clone());
                found.stored = storage.load_section(&plan, kind).await?;
                found.sealed_snapshot = None;
                plan
            }
            Some(draft) => draft.id.clone(),
            // No plan yet: one is started, unless another screen or tab just did, whose
            // changes are then listened for and read like any others.
            None => {
                let plan = storage.open_or_start_plan().await?;
                if relay.is_none() {
                    relay = TabRelay::listen(&plan, kind, &doc, view);
                }
                found.stored = storage.load_section(&plan, kind).await?;
                plan
            }
        };
        if relay.is_none() {
            relay = TabRelay::listen(&plan, kind, &doc, view);
        }
        let author = match found.author {
            Some(author) => author,
            None => storage.local_author().await?,
        };
        let author = AuthorId::parse(&author).map_err(|_| StorageError::ReadFailed {
            detail: "bad author id".into(),
        })?;
        let stored = found.stored;
        let sealed_snapshot = found.sealed_snapshot;
        mark("coplan:section-read");
        for update in stored.all_updates() {
            doc.apply_stored(update)
                .map_err(|e| StorageError::ReadFailed {
                    detail: e.to_string(),
                })?;
        }
        mark("coplan:section-merged");
        let doc_missing = doc.has_missing_updates();
        view.set(doc.view());
        mark("coplan:section-opened");
        let long_log = stored.updates.len() >= COMPACT_EVERY as usize;
        let stored_bytes = stored.bytes();
        let session = Rc::new(Self {
            storage,
            plan,
            kind,
            doc,
            author,
            writer: fresh_client_id().into(),
            _live: live,
            next_seq: Cell::new(0),
            queue: WriteQueue::default(),
            since_compaction: Cell::new(0),
            retry_pending: Cell::new(false),
            open_copy: OpenCopy::default(),
            last_snapshot: std::cell::RefCell::new(sealed_snapshot),
            relay,
            // A change whose earlier change is missing cannot show: said as damaged, never
            // silently left out.
            damaged: stored.damaged + usize::from(doc_missing),
            view,
            status,
            writing,
            stored_bytes: Cell::new(stored_bytes),
            long,
            said_long: Cell::new(false),
        });
        session.measured(stored_bytes);
        if long_log {
            // Records left by other tabs (perhaps long closed): folded in once, now.
            let folding = Rc::clone(&session);
            spawn_local(async move { folding.compact(true).await });
        }
        Ok(session)
    }

    /// The section as it reads now, without starting a plan or a writing session: for
    /// screens that only show it. None when no plan was started on this phone.
    pub async fn read(kind: SectionKind) -> Result<Option<SectionView>, StorageError> {
        let storage = Storage::shared().await?;
        let Some(plan) = open_plan(&storage).await? else {
            return Ok(None);
        };
        read_section(&storage, &plan, kind).await.map(Some)
    }

    /// Makes a change: the screen updates at once, and the change is queued to be written
    /// to IndexedDB (at once, unless a write is already on its way).
    pub fn edit(self: &Rc<Self>, edit: Edit) -> Result<(), PlanError> {
        let stamp = Stamp {
            author: self.author.clone(),
            at_ms: now_ms(),
        };
        let update = self.doc.apply(&edit, &stamp)?;
        self.view.set(self.doc.view());
        if update.is_empty() {
            return Ok(());
        }
        self.queue.push(update);
        self.writing.set(self.queue.outstanding());
        self.write_next();
        Ok(())
    }

    /// Starts the next write, if none is on its way: every change waiting, as one record.
    /// When it is stored, other tabs hear it, and the next write starts; "Saved" shows
    /// only once nothing is waiting.
    fn write_next(self: &Rc<Self>) {
        let Some(next) = self.queue.start() else {
            return;
        };
        let update = match next {
            Ok(update) => update,
            Err(e) => {
                web_sys::console::warn_1(&format!("coplan write queue: {e}").into());
                return;
            }
        };
        let session = Rc::clone(self);
        spawn_local(async move {
            let seq = session.next_seq.get();
            let result = session
                .storage
                .append_update(&session.plan, session.kind, session.writer, seq, &update)
                .await;
            session.queue.finished(result.is_ok());
            session.writing.set(session.queue.outstanding());
            match result {
                Ok(()) => {
                    session.next_seq.set(seq + 1);
                    session.measured(session.stored_bytes.get() + update.len());
                    if let Some(relay) = &session.relay {
                        relay.post(&update);
                    }
                    if session.kind == SectionKind::SafetyPlan {
                        session.open_copy.refresh_soon(
                            &session.storage,
                            &session.plan,
                            &session.doc,
                        );
                    }
                    let since = session.since_compaction.get() + 1;
                    session.since_compaction.set(since);
                    if since >= COMPACT_EVERY {
                        session.compact(false).await;
                    }
                    if session.queue.outstanding() == 0 {
                        session.status.set(SaveStatus::Saved);
                    }
                    session.write_next();
                }
                Err(e) => session.failed(e),
            }
        });
    }

    /// The section now takes `bytes` on this phone: past [`LONG_SECTION_BYTES`] the screen
    /// says it is getting too long.
    ///
    /// A session outlives its screen (a write ends after the person moved on), so it only
    /// ever sets the screen's signals, which does nothing once they are dropped: reading
    /// one then would stop the app, and the writes queued behind it with it.
    fn measured(&self, bytes: usize) {
        self.stored_bytes.set(bytes);
        let long = bytes >= LONG_SECTION_BYTES;
        if self.said_long.replace(long) != long {
            self.long.set(long);
        }
    }

    /// When the page is hidden or closing: a write waiting to be tried again is tried
    /// now, rather than after its timer.
    pub fn flush(self: &Rc<Self>) {
        self.retry_pending.set(false);
        self.write_next();
    }

    /// Merges everything stored (other tabs' changes too) into this document and writes
    /// the result as the section's snapshot, dropping the log it covers.
    /// While typing, only this tab's own changes are folded into the snapshot (cheap: the
    /// document already holds them); `everything` also folds in other tabs' records, and
    /// runs once when a section opens with a long log.
    async fn compact(self: &Rc<Self>, everything: bool) {
        self.since_compaction.set(0);
        let merge = |stored: &crate::storage::StoredSection| {
            for update in stored.all_updates() {
                // A damaged record cannot be merged; the rest still is, and this copy's
                // own words are all in the document already.
                let _ = self.doc.apply_stored(update);
            }
            let state = self.doc.encode_state();
            self.measured(state.len());
            state
        };
        let compacted = if everything {
            self.storage
                .compact_section(&self.plan, self.kind, merge)
                .await
        } else {
            let known = self.last_snapshot.borrow().clone();
            let written = self
                .storage
                .compact_own_changes(&self.plan, self.kind, self.writer, known.as_deref(), merge)
                .await;
            written.map(|sealed| {
                self.last_snapshot.replace(Some(sealed));
            })
        };
        match compacted {
            Ok(()) => {
                self.view.set(self.doc.view());
                if self.queue.outstanding() == 0 {
                    self.status.set(SaveStatus::Saved);
                }
            }
            // The log still holds every change: the snapshot is tried again later.
            Err(e) => {
                web_sys::console::warn_1(&format!("coplan compaction: {}", e.detail()).into())
            }
        }
    }

    /// Shows the problem and tries the write again soon (sooner if another change comes).
    fn failed(self: &Rc<Self>, error: StorageError) {
        // The connection was closed for a newer version in another tab: no retry can
        // succeed, and the screen already says so.
        if crate::storage::updated_elsewhere().get_untracked() {
            self.status.set(SaveStatus::Idle);
            return;
        }
        // Deleted (in another tab): said plainly, and never tried again.
        if error == StorageError::PlanGone {
            self.status.set(SaveStatus::Failed(error));
            return;
        }
        web_sys::console::warn_1(&format!("coplan save failed: {}", error.detail()).into());
        self.status.set(SaveStatus::Failed(error));
        // The failed change may yet be lost: sessions opened from now on write under a
        // fresh client id (this one keeps its own: its document holds all it wrote).
        writer::retire_after_failure();
        if self.retry_pending.replace(true) {
            return;
        }
        let session = Rc::clone(self);
        set_timeout(
            move || {
                if session.retry_pending.replace(false) {
                    session.write_next();
                }
            },
            RETRY_AFTER,
        );
    }
}

/// The plan open on this phone, if one was started; a foundation-era draft's name is
/// moved into its About me on the way.
pub async fn open_plan(storage: &Storage) -> Result<Option<PlanId>, StorageError> {
    let Some(draft) = storage.current_draft().await? else {
        return Ok(None);
    };
    if !draft.preferred_name.as_str().is_empty() {
        let author = AuthorId::parse(&storage.local_author().await?).ok();
        storage
            .move_draft_name(&draft, |name| {
                let Some(author) = author else {
                    return Vec::new();
                };
                let doc = SectionDoc::new(SectionKind::AboutMe, fresh_client_id());
                let edit = Edit::SetField {
                    field: "called",
                    text: name.to_string(),
                };
                let stamp = Stamp {
                    author,
                    at_ms: draft.updated_at_ms,
                };
                doc.apply(&edit, &stamp).unwrap_or_default()
            })
            .await?;
    }
    Ok(Some(draft.id))
}

/// A section of a plan as it reads now, for screens that only show it.
pub async fn read_section(
    storage: &Storage,
    plan: &PlanId,
    kind: SectionKind,
) -> Result<SectionView, StorageError> {
    Ok(read_doc(storage, plan, kind).await?.view())
}

/// A copy of a section as stored, for reading only (never written: its client id is
/// no one's range).
pub async fn read_doc(
    storage: &Storage,
    plan: &PlanId,
    kind: SectionKind,
) -> Result<SectionDoc, StorageError> {
    let stored = storage.load_section(plan, kind).await?;
    let doc = SectionDoc::new(kind, fresh_client_id());
    for update in stored.all_updates() {
        doc.apply_stored(update)
            .map_err(|e| StorageError::ReadFailed {
                detail: e.to_string(),
            })?;
    }
    Ok(doc)
}
