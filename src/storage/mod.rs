//! Everything Coplan keeps in the browser's IndexedDB, behind one small API.
//!
//! The schema is versioned: `SCHEMA_VERSION` is the IndexedDB version, and `upgrade` takes
//! a database of any earlier version (0 means new) to this one, step by step. Records are
//! stored in the format the domain crate owns and pins (`PlanDraft::to_stored`).

mod plans;
mod sections;

pub use sections::{OpenSection, StoredSection};

use coplan_domain::{DraftError, PlanDraft, PlanId};
use indexed_db_futures::database::{Database, ObjectStoreName, VersionChangeEvent};
use indexed_db_futures::error::{Error as IdbError, OpenDbError};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};

/// The database every Coplan screen uses.
pub const DATABASE_NAME: &str = "coplan";

/// The IndexedDB schema version this build creates and reads.
pub const SCHEMA_VERSION: u32 = 2;

/// Plan drafts, keyed by plan id; the value is the domain's stored JSON.
pub(crate) const DRAFTS: &str = "drafts";
/// Small settings, keyed by name (for now: which plan is open).
pub(crate) const META: &str = "meta";
pub(crate) const CURRENT_PLAN: &str = "current_plan";
pub(crate) const LOCAL_AUTHOR: &str = "local_author";
/// Each plan section's compacted state, keyed by `[plan id, section]` (schema 2).
pub(crate) const SECTION_SNAPSHOTS: &str = "section_snapshots";
/// Each section's changes since its snapshot, keyed by `[plan id, section, sequence]`
/// (schema 2): an append-only log, one small record per change.
pub(crate) const SECTION_UPDATES: &str = "section_updates";

/// Why the browser's storage did not do what was asked, in words a person can act on.
/// The detail is for the console and never holds plan text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error(
        "This browser will not let Coplan keep anything on this phone. It may be in private mode, or set to block site storage."
    )]
    Unavailable { detail: String },
    #[error(
        "Your plan was saved by a newer version of Coplan. Close every Coplan tab and open it again to get the new version."
    )]
    NewerVersion,
    #[error("Coplan could not save on this phone. The phone may be short of space.")]
    WriteFailed { detail: String },
    #[error("Coplan could not read what is saved on this phone.")]
    ReadFailed { detail: String },
    #[error("{0}")]
    Draft(#[from] DraftError),
}

impl StorageError {
    /// The technical detail, for the console (never plan text).
    pub fn detail(&self) -> &str {
        match self {
            Self::Unavailable { detail }
            | Self::WriteFailed { detail }
            | Self::ReadFailed { detail } => detail,
            Self::NewerVersion | Self::Draft(_) => "",
        }
    }
}

pub(crate) fn describe(e: &impl std::fmt::Debug) -> String {
    format!("{e:?}")
}

impl Storage {
    /// Starts a readwrite transaction over `stores`.
    pub(crate) fn readwrite<S: ObjectStoreName>(
        &self,
        stores: S,
    ) -> Result<Transaction<'_>, StorageError> {
        self.db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(write_failed)
    }
}

pub(crate) fn write_failed(e: IdbError) -> StorageError {
    StorageError::WriteFailed {
        detail: describe(&e),
    }
}

pub(crate) fn read_failed(e: IdbError) -> StorageError {
    StorageError::ReadFailed {
        detail: describe(&e),
    }
}

/// An open Coplan database.
#[derive(Clone)]
pub struct Storage {
    pub(crate) db: Database,
}

thread_local! {
    static SHARED: std::cell::RefCell<Option<Storage>> = const { std::cell::RefCell::new(None) };
}

impl Storage {
    /// The app's one open connection to [`DATABASE_NAME`], opened on first use.
    pub async fn shared() -> Result<Self, StorageError> {
        if let Some(storage) = SHARED.with_borrow(Clone::clone) {
            return Ok(storage);
        }
        let storage = Self::open(DATABASE_NAME).await?;
        storage.step_aside_for_other_tabs();
        SHARED.with_borrow_mut(|slot| *slot = Some(storage.clone()));
        Ok(storage)
    }

    /// When another tab upgrades or deletes the database ("Forget this phone"), this tab
    /// closes its connection so that tab is not kept waiting. After a deletion this tab
    /// shows a page saying so (which reads no storage), so it shows nothing no longer kept.
    fn step_aside_for_other_tabs(&self) {
        use indexed_db_futures::internals::SystemRepr;
        use wasm_bindgen::JsCast;
        use wasm_bindgen::closure::Closure;
        let db = self.db.as_sys().clone();
        let on_change = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            db.close();
            SHARED.with_borrow_mut(|slot| *slot = None);
            let deleted = js_sys::Reflect::get(&event, &"newVersion".into())
                .map(|v| v.is_null())
                .unwrap_or(false);
            // Moved within the app, not reloaded: a reload would start the offline copy
            // (and a database) again.
            if deleted && let Some(window) = web_sys::window() {
                if let Ok(history) = window.history() {
                    let _ = history.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some("/forgotten"),
                    );
                }
                if let Ok(popstate) = web_sys::Event::new("popstate") {
                    let _ = window.dispatch_event(&popstate);
                }
            }
        });
        self.db
            .as_sys()
            .set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        // The connection lives as long as the page, and so does its listener.
        on_change.forget();
    }

    /// Deletes everything Coplan keeps in this browser: the database (after closing this
    /// tab's connection), the offline copy, the service worker and any site storage.
    pub async fn forget_this_phone() -> Result<(), StorageError> {
        use wasm_bindgen_futures::JsFuture;
        if let Some(storage) = SHARED.with_borrow_mut(Option::take) {
            storage.close();
        }
        Database::delete_by_name(DATABASE_NAME)
            .map_err(|e| StorageError::WriteFailed {
                detail: describe(&e),
            })?
            .await
            .map_err(write_failed)?;
        let Some(window) = web_sys::window() else {
            return Ok(());
        };
        let failed = |e: wasm_bindgen::JsValue| StorageError::WriteFailed {
            detail: describe(&e),
        };
        if let Ok(caches) = window.caches() {
            let names = JsFuture::from(caches.keys()).await.map_err(failed)?;
            for name in js_sys::Array::from(&names).iter() {
                let name = name.as_string().unwrap_or_default();
                JsFuture::from(caches.delete(&name)).await.map_err(failed)?;
            }
        }
        let workers = window.navigator().service_worker();
        let registrations = JsFuture::from(workers.get_registrations())
            .await
            .map_err(failed)?;
        for registration in js_sys::Array::from(&registrations).iter() {
            let registration: web_sys::ServiceWorkerRegistration = registration.into();
            JsFuture::from(registration.unregister().map_err(failed)?)
                .await
                .map_err(failed)?;
        }
        for storage in [window.local_storage(), window.session_storage()]
            .into_iter()
            .flatten()
            .flatten()
        {
            let _ = storage.clear();
        }
        Ok(())
    }

    /// This phone's author id for the plans it writes, made once and kept.
    pub async fn local_author(&self) -> Result<String, StorageError> {
        let tx = self.db.transaction(META).build().map_err(read_failed)?;
        let found: Option<String> = tx
            .object_store(META)
            .map_err(read_failed)?
            .get(LOCAL_AUTHOR)
            .await
            .map_err(read_failed)?;
        drop(tx);
        if let Some(author) = found {
            return Ok(author);
        }
        let author = format!("phone-{}", crate::platform::random_id());
        let tx = self.readwrite(META)?;
        tx.object_store(META)
            .map_err(write_failed)?
            .put(author.clone())
            .with_key(LOCAL_AUTHOR)
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)?;
        Ok(author)
    }

    /// Opens (creating or upgrading as needed) the database called `name`.
    pub async fn open(name: &str) -> Result<Self, StorageError> {
        Self::open_at(name, SCHEMA_VERSION).await
    }

    /// Opens the database at a given schema version: the upgrade path, step by step.
    /// Only tests ask for a version other than [`SCHEMA_VERSION`].
    pub async fn open_at(name: &str, version: u32) -> Result<Self, StorageError> {
        let db = Database::open(name)
            .with_version(version)
            .with_on_upgrade_needed(move |event: VersionChangeEvent, db: Database| {
                upgrade(event.old_version() as u32, version, &db)
            })
            .await
            .map_err(|e| match e {
                OpenDbError::Base(IdbError::DomException(ref dom))
                    if dom.name() == "VersionError" =>
                {
                    StorageError::NewerVersion
                }
                other => StorageError::Unavailable {
                    detail: describe(&other),
                },
            })?;
        Ok(Self { db })
    }

    /// Closes this connection (other tabs may then upgrade the database).
    pub fn close(self) {
        self.db.close();
    }

    /// The names of the object stores, for tests of the upgrade path.
    pub fn store_names(&self) -> Vec<String> {
        self.db.object_store_names().collect()
    }

    /// The draft of the plan that is open on this phone, if one was started.
    pub async fn current_draft(&self) -> Result<Option<PlanDraft>, StorageError> {
        let tx = self
            .db
            .transaction([META, DRAFTS])
            .build()
            .map_err(read_failed)?;
        let current: Option<String> = tx
            .object_store(META)
            .map_err(read_failed)?
            .get(CURRENT_PLAN)
            .await
            .map_err(read_failed)?;
        let Some(id) = current else { return Ok(None) };
        let stored: Option<String> = tx
            .object_store(DRAFTS)
            .map_err(read_failed)?
            .get(id)
            .await
            .map_err(read_failed)?;
        stored
            .map(|json| PlanDraft::from_stored(&json).map_err(StorageError::from))
            .transpose()
    }

    /// Saves a draft and makes it the open plan, in one transaction: after a crash either
    /// the old or the new draft is there, never half of one.
    pub async fn save_draft(&self, draft: &PlanDraft) -> Result<(), StorageError> {
        let tx = self.readwrite([META, DRAFTS])?;
        tx.object_store(DRAFTS)
            .map_err(write_failed)?
            .put(draft.to_stored())
            .with_key(draft.id.as_str().to_string())
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.object_store(META)
            .map_err(write_failed)?
            .put(draft.id.as_str().to_string())
            .with_key(CURRENT_PLAN)
            .without_key_type()
            .await
            .map_err(write_failed)?;
        // Resolves on the transaction's `complete`: the words are on disk.
        tx.commit().await.map_err(write_failed)
    }

    /// Removes a plan's draft (and forgets it as the open plan).
    pub async fn delete_draft(&self, id: &PlanId) -> Result<(), StorageError> {
        let tx = self.readwrite([META, DRAFTS])?;
        tx.object_store(DRAFTS)
            .map_err(write_failed)?
            .delete(id.as_str())
            .await
            .map_err(write_failed)?;
        tx.object_store(META)
            .map_err(write_failed)?
            .delete(CURRENT_PLAN)
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }
}

/// Takes a database from `old` (0 when new) to `new`, one version at a time. Never edit a
/// step once released: add the next one.
fn upgrade(old: u32, new: u32, db: &Database) -> indexed_db_futures::Result<()> {
    if old < 1 && new >= 1 {
        db.create_object_store(DRAFTS).build()?;
        db.create_object_store(META).build()?;
    }
    if old < 2 && new >= 2 {
        db.create_object_store(SECTION_SNAPSHOTS).build()?;
        db.create_object_store(SECTION_UPDATES).build()?;
    }
    Ok(())
}
