//! One open plan section on this page: its CRDT document, who is writing, and the writes
//! to IndexedDB (one log record per change, in order; every `COMPACT_EVERY` changes, a
//! merge of everything stored into one snapshot; after a failed write, the same merge,
//! retried, so the words on screen are never only on screen for long).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use coplan_domain::plan::{AuthorId, Edit, PlanError, SectionDoc, SectionKind, SectionView, Stamp};
use coplan_domain::{PlanDraft, PlanId};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::save_status::SaveStatus;
use crate::platform::{fresh_client_id, now_ms, random_id};
use crate::storage::{Storage, StorageError};

/// Changes (by this tab) between compacted snapshots.
const COMPACT_EVERY: u32 = 100;
const RETRY_AFTER: Duration = Duration::from_secs(2);

pub struct SectionSession {
    storage: Storage,
    plan: PlanId,
    kind: SectionKind,
    doc: SectionDoc,
    author: AuthorId,
    /// This tab's CRDT client id, which also names its records in the log.
    writer: u64,
    next_seq: Cell<u32>,
    since_compaction: Cell<u32>,
    retry_pending: Cell<bool>,
    pub view: RwSignal<SectionView>,
    pub status: RwSignal<SaveStatus>,
    /// Writes started and not yet finished.
    pub writing: RwSignal<u32>,
}

impl SectionSession {
    /// Opens the section of the plan on this phone, starting a plan if there is none.
    pub async fn open(
        kind: SectionKind,
        view: RwSignal<SectionView>,
        status: RwSignal<SaveStatus>,
        writing: RwSignal<u32>,
    ) -> Result<Rc<Self>, StorageError> {
        mark("coplan:section-opening");
        let storage = Storage::shared().await?;
        let plan = match storage.current_draft().await? {
            Some(draft) => draft.id,
            None => {
                let id = PlanId::parse(&random_id())?;
                storage
                    .save_draft(&PlanDraft::new(id.clone(), now_ms()))
                    .await?;
                id
            }
        };
        let author = AuthorId::parse(&storage.local_author().await?).map_err(|_| {
            StorageError::ReadFailed {
                detail: "bad author id".into(),
            }
        })?;
        mark("coplan:section-reading");
        let stored = storage.load_section(&plan, kind).await?;
        mark("coplan:section-read");
        let writer = fresh_client_id();
        let doc = SectionDoc::new(kind, writer);
        for update in stored.all_updates() {
            doc.apply_update(update)
                .map_err(|e| StorageError::ReadFailed {
                    detail: e.to_string(),
                })?;
        }
        mark("coplan:section-merged");
        view.set(doc.view());
        mark("coplan:section-opened");
        Ok(Rc::new(Self {
            storage,
            plan,
            kind,
            doc,
            author,
            writer,
            next_seq: Cell::new(0),
            since_compaction: Cell::new(0),
            retry_pending: Cell::new(false),
            view,
            status,
            writing,
        }))
    }

    /// The section as it reads now, without starting a plan or a writing session: for
    /// screens that only show it. None when no plan was started on this phone.
    pub async fn read(kind: SectionKind) -> Result<Option<SectionView>, StorageError> {
        let storage = Storage::shared().await?;
        let Some(draft) = storage.current_draft().await? else {
            return Ok(None);
        };
        let stored = storage.load_section(&draft.id, kind).await?;
        let doc = SectionDoc::new(kind, fresh_client_id());
        for update in stored.all_updates() {
            doc.apply_update(update)
                .map_err(|e| StorageError::ReadFailed {
                    detail: e.to_string(),
                })?;
        }
        Ok(Some(doc.view()))
    }

    /// Makes a change: the screen updates at once, and the change is written to IndexedDB
    /// before anything else happens to it.
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
        let seq = self.next_seq.get();
        self.next_seq.set(seq + 1);
        let session = Rc::clone(self);
        self.writing.update(|n| *n += 1);
        spawn_local(async move {
            let appended = session.storage.append_update(
                &session.plan,
                session.kind,
                session.writer,
                seq,
                &update,
            );
            let result = appended.await;
            session.writing.update(|n| *n = n.saturating_sub(1));
            match result {
                Ok(()) => {
                    session.status.set(SaveStatus::Saved);
                    let since = session.since_compaction.get() + 1;
                    session.since_compaction.set(since);
                    if since >= COMPACT_EVERY {
                        session.compact().await;
                    }
                }
                Err(e) => session.failed(e),
            }
        });
        Ok(())
    }

    /// Merges everything stored (other tabs' changes too) into this document and writes
    /// the result as the section's snapshot, dropping the log it covers.
    async fn compact(self: &Rc<Self>) {
        self.since_compaction.set(0);
        let merge = |stored: &crate::storage::StoredSection| {
            for update in stored.all_updates() {
                // A damaged record cannot be merged; the rest still is, and this copy's
                // own words are all in the document already.
                let _ = self.doc.apply_update(update);
            }
            self.doc.encode_state()
        };
        match self
            .storage
            .compact_section(&self.plan, self.kind, merge)
            .await
        {
            Ok(()) => {
                self.view.set(self.doc.view());
                self.status.set(SaveStatus::Saved);
            }
            Err(e) => self.failed(e),
        }
    }

    /// Shows the problem and tries again soon, writing everything as one snapshot.
    fn failed(self: &Rc<Self>, error: StorageError) {
        web_sys::console::warn_1(&format!("coplan save failed: {}", error.detail()).into());
        self.status.set(SaveStatus::Failed(error));
        if self.retry_pending.replace(true) {
            return;
        }
        let session = Rc::clone(self);
        set_timeout(
            move || {
                session.retry_pending.set(false);
                spawn_local(async move { session.compact().await });
            },
            RETRY_AFTER,
        );
    }
}

/// A named moment in the browser's performance timeline, read by `cargo xtask bench`.
fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
