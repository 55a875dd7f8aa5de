//! Everything Coplan keeps in the browser's IndexedDB, behind one small API.
//!
//! The schema is versioned: `SCHEMA_VERSION` is the IndexedDB version, and `upgrade` takes
//! a database of any earlier version (0 means new) to this one, step by step. Records are
//! stored in the format the domain crate owns and pins (`PlanDraft::to_stored`).

mod account;
mod crypto;
mod drafts;
mod history;
mod keys;
mod lock;
mod phone;
mod plans;
mod sections;

pub use account::{AccountReadError, signed_in_hint};
pub use crypto::{DataKey, normalised};
pub use lock::{LockChoices, Locked, UnlockError};
pub use sections::{OpenSection, StoredSection};

use coplan_domain::DraftError;
use coplan_domain::sealed::SealError;
use indexed_db_futures::database::{Database, ObjectStoreName, VersionChangeEvent};
use indexed_db_futures::error::{Error as IdbError, OpenDbError};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};

/// The database every Coplan screen uses.
pub const DATABASE_NAME: &str = "coplan";

/// The IndexedDB schema version this build creates and reads.
pub const SCHEMA_VERSION: u32 = 7;

/// Plan drafts, keyed by plan id; the value is the domain's stored JSON, sealed.
pub(crate) const DRAFTS: &str = "drafts";
/// Small settings, keyed by name: which plan is open, this phone's author id, the data
/// key, and whether the records were sealed. Never plan text.
pub(crate) const META: &str = "meta";
pub(crate) const CURRENT_PLAN: &str = "current_plan";
pub(crate) const LOCAL_AUTHOR: &str = "local_author";
/// Each plan section's compacted state, keyed by `[plan id, section]` (schema 2).
pub(crate) const SECTION_SNAPSHOTS: &str = "section_snapshots";
/// Each section's changes since its snapshot, keyed by `[plan id, section, sequence]`
/// (schema 2): an append-only log, one small record per change.
pub(crate) const SECTION_UPDATES: &str = "section_updates";
/// Safety plans the person chose to open without the PIN, keyed by plan id: each the
/// section's whole state, sealed under the device key (schema 3).
pub(crate) const OPEN_COPIES: &str = "open_copies";
/// The account this phone is signed in to: one record, sealed (schema 6).
pub(crate) const ACCOUNT: &str = "account";
/// Each attached plan's sync (`coplan_domain::sync::record`), keyed by the local plan id,
/// sealed (schema 6).
pub(crate) const SYNC: &str = "sync";
/// Each change received for an attached plan's documents, kept as the server sent it
/// (`coplan_domain::sync::history`), keyed by `[plan id, document, log number]`, sealed
/// (schema 7; docs/history.md).
pub(crate) const HISTORY: &str = "history";

/// Why the browser's storage did not do what was asked, in words a person can act on.
/// The detail is for the console and never holds plan text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("storage unavailable: {detail}")]
    Unavailable { detail: String },
    #[error("database from a newer version")]
    NewerVersion,
    #[error("write failed: {detail}")]
    WriteFailed { detail: String },
    #[error("read failed: {detail}")]
    ReadFailed { detail: String },
    #[error("no WebCrypto (not a secure context)")]
    NotProtected,
    #[error("keys missing over sealed records")]
    KeysMissing,
    #[error("plan deleted")]
    PlanGone,
    #[error("phone forgotten")]
    Forgotten,
    #[error("locked")]
    Locked,
    #[error("{0}")]
    Sealed(#[from] SealError),
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
            Self::NewerVersion
            | Self::KeysMissing
            | Self::Forgotten
            | Self::PlanGone
            | Self::NotProtected
            | Self::Locked
            | Self::Sealed(_)
            | Self::Draft(_) => "",
        }
    }
}

/// A short technical description of an error, for the console: its message (Display is
/// far smaller in the app than Debug of every nested error type).
pub(crate) fn describe(e: &impl std::fmt::Display) -> String {
    e.to_string()
}

/// The same for an error thrown by the browser.
pub(crate) fn describe_js(e: &wasm_bindgen::JsValue) -> String {
    js_sys::Error::from(e.clone())
        .message()
        .as_string()
        .unwrap_or_else(|| "browser error".into())
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
    /// Seals and opens every plan record.
    pub(crate) key: DataKey,
    /// Wraps the data key when no lock is set, and seals the safety plans that open
    /// without the PIN.
    pub(crate) device: DataKey,
}

/// What opening the database gives: the plan, or (a lock is set) the lock screen's part.
pub enum Opened {
    Open(Storage),
    Locked(Locked),
}

/// Where this page stands with the database: the one answer to "locked or open".
pub(crate) enum Phase {
    /// Not opened yet, or closed for another tab's newer version: the next ask opens it.
    Closed,
    Open(Storage),
    /// A lock is set and the data key was let go: asking answers "locked" and opens
    /// nothing; only the right PIN (the lock screen's part) opens it again.
    Locked,
    /// This phone was forgotten (here or in another tab): this page never opens the
    /// database again, so nothing (Hide, a lock message) creates it anew.
    Forgotten,
}

thread_local! {
    pub(crate) static PHASE: std::cell::RefCell<Phase> =
        const { std::cell::RefCell::new(Phase::Closed) };
}

thread_local! {
    /// Set when another tab moved the database to a newer version: this page's
    /// connection is closed and it can no longer save (screens say so and stop editing).
    static UPDATED_ELSEWHERE: leptos::prelude::ArcRwSignal<bool> =
        leptos::prelude::ArcRwSignal::new(false);
}

/// Whether another tab moved the database to a newer version (reactive).
pub fn updated_elsewhere() -> leptos::prelude::ArcRwSignal<bool> {
    UPDATED_ELSEWHERE.with(Clone::clone)
}

/// Whether this page's phone was forgotten (see [`Phase::Forgotten`]).
pub fn is_forgotten() -> bool {
    PHASE.with_borrow(|phase| matches!(phase, Phase::Forgotten))
}

/// Marks this page as one whose phone was forgotten, and lets go of its connection.
pub(crate) fn mark_forgotten() -> Option<Storage> {
    set_phase(Phase::Forgotten)
}

/// Moves this page to `phase`, handing back the connection it had open, if any.
pub(crate) fn set_phase(phase: Phase) -> Option<Storage> {
    match PHASE.replace(phase) {
        Phase::Open(storage) => Some(storage),
        _ => None,
    }
}

impl Opened {
    /// The app's one open connection to [`DATABASE_NAME`], opened on first use.
    pub async fn shared() -> Result<Self, StorageError> {
        let known = PHASE.with_borrow(|phase| match phase {
            Phase::Closed => None,
            Phase::Open(storage) => Some(Ok(Self::Open(storage.clone()))),
            Phase::Locked => Some(Err(StorageError::Locked)),
            Phase::Forgotten => Some(Err(StorageError::Forgotten)),
        });
        if let Some(known) = known {
            return known;
        }
        let opened = Storage::open_any(DATABASE_NAME, SCHEMA_VERSION).await?;
        match &opened {
            Self::Open(storage) => storage.make_shared(),
            Self::Locked(_) => {
                set_phase(Phase::Locked);
            }
        }
        Ok(opened)
    }
}

impl Storage {
    /// The shared connection, once open and unlocked (see [`Opened::shared`]).
    pub async fn shared() -> Result<Self, StorageError> {
        match Opened::shared().await? {
            Opened::Open(storage) => Ok(storage),
            Opened::Locked(_) => Err(StorageError::Locked),
        }
    }

    /// Becomes the app's shared connection (opened, or just unlocked).
    pub(crate) fn make_shared(&self) {
        set_phase(Phase::Open(self.clone()));
    }

    /// Locks: the data key is let go, and only the lock screen's part stays at hand.
    /// Writes already under way finish with the key they hold.
    pub fn lock_shared() -> Option<Locked> {
        if !PHASE.with_borrow(|phase| matches!(phase, Phase::Open(_))) {
            return None;
        }
        let storage = set_phase(Phase::Locked)?;
        Some(Locked::new(storage.db, Some(storage.device)))
    }

    /// This phone's author id for the plans it writes, made once and kept.
    pub async fn local_author(&self) -> Result<String, StorageError> {
        // One readwrite transaction: two tabs asking at once are served one after the
        // other, so the second finds what the first stored.
        let tx = self.readwrite(META)?;
        let meta = tx.object_store(META).map_err(write_failed)?;
        let found: Option<String> = meta.get(LOCAL_AUTHOR).await.map_err(write_failed)?;
        if let Some(author) = found {
            return Ok(author);
        }
        let author = format!("phone-{}", crate::platform::random_id());
        meta.put(author.clone())
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
    /// Only tests ask for a version other than [`SCHEMA_VERSION`]. A locked database is
    /// [`StorageError::Locked`].
    pub async fn open_at(name: &str, version: u32) -> Result<Self, StorageError> {
        match Self::open_any(name, version).await? {
            Opened::Open(storage) => Ok(storage),
            Opened::Locked(_) => Err(StorageError::Locked),
        }
    }

    /// Opens the database, locked or not.
    pub async fn open_any(name: &str, version: u32) -> Result<Opened, StorageError> {
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
        phone::step_aside_for_other_tabs(&db);
        Ok(match keys::prepare(&db, version).await? {
            keys::Prepared::Open { data, device } => Opened::Open(Self {
                db,
                key: data,
                device,
            }),
            keys::Prepared::Locked { device } => Opened::Locked(Locked::new(db, device)),
        })
    }

    /// Closes this connection (other tabs may then upgrade the database).
    pub fn close(self) {
        self.db.close();
    }

    /// The names of the object stores, for tests of the upgrade path.
    pub fn store_names(&self) -> Vec<String> {
        self.db.object_store_names().collect()
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
    if old < 3 && new >= 3 {
        db.create_object_store(OPEN_COPIES).build()?;
    }
    // 4: records are sealed in format version 2, with a key id (`coplan_domain::sealed`).
    // No store changes and version 1 records still read; the bump only makes tabs of
    // earlier builds, which cannot read version 2, stop and ask for a reload.
    // 5: section snapshots may be deflated (`coplan_domain::plan::snapshot`). No store
    // changes and plain snapshots still read; the bump stops tabs of earlier builds,
    // which would take a deflated snapshot for a damaged section.
    if old < 6 && new >= 6 {
        db.create_object_store(ACCOUNT).build()?;
        db.create_object_store(SYNC).build()?;
    }
    if old < 7 && new >= 7 {
        db.create_object_store(HISTORY).build()?;
    }
    Ok(())
}
