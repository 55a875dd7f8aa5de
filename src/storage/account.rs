//! The account this phone is signed in to (schema 6): one record, sealed under the data
//! key like every plan record, so the app lock protects the account's keys too. Signing
//! out removes it; the plans stay.

use coplan_domain::keys::AccountRecord;
use coplan_domain::sealed::Place;
use indexed_db_futures::prelude::*;
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use coplan_domain::PlanId;
use coplan_domain::sync::record::PlanSync;

use super::{ACCOUNT, HISTORY, SYNC, Storage, StorageError, read_failed, write_failed};

/// The one record's key.
const THIS_ACCOUNT: &str = "this";

/// Marks a pending suggestion's key in the sync store (`<plan>.s.<document>.<nonce>`);
/// a plan's id never holds a dot.
const PENDING_MARK: &str = ".s.";
/// The key of a plan's access log copy in the sync store (`<plan>.access`).
const ACCESS_MARK: &str = ".access";
/// Beside a plan's sync record: who can see each part, in words, as last worked out.
const READERS_MARK: &str = ".readers";
/// Beside a plan's sync record: its membership log as last fetched and verified (the
/// server's JSON, `wire::MembershipLog`), for reading offline; verified again when read.
const MEMBERS_MARK: &str = ".members";
/// Beside a plan's sync record, per part (`<plan>.built.<part>`): the part's history as
/// last built (`coplan_domain::plan::history::Kept`), to carry on from. Goes with the plan.
pub(super) const BUILT_MARK: &str = ".built.";

/// Where page `page` of a part's kept history is kept: beside the kept history, its key
/// followed by a dot and the page's number.
fn history_page_key(plan: &PlanId, section: &str, page: u32) -> String {
    format!("{}{BUILT_MARK}{section}.{page}", plan.as_str())
}

/// Deletes in `sync` the history of the plan's part `section` as built and kept, and
/// every page of it.
pub(super) async fn forget_built(
    sync: &indexed_db_futures::object_store::ObjectStore<'_>,
    plan: &PlanId,
    section: &str,
) -> Result<(), StorageError> {
    let built = format!("{}{BUILT_MARK}{section}", plan.as_str());
    sync.delete(built.as_str()).await.map_err(write_failed)?;
    let pages = format!("{built}.");
    let range = indexed_db_futures::KeyRange::Bound(
        JsValue::from(pages.as_str()),
        false,
        JsValue::from(format!("{pages}\u{ffff}")),
        false,
    );
    sync.delete::<JsValue, _>(range).await.map_err(write_failed)
}
/// What is kept beside a plan's sync record about its members, by the mark after the
/// plan's id: it goes with the plan (`Storage::delete_plan`).
/// Beside a plan's sync record: what the caseload last worked out about the plan, with the
/// token it was worked out under ([`Storage::case_copies`]).
const CASE_MARK: &str = ".case";
/// Beside a plan's sync record: a number changed whenever anything the caseload reads of
/// the plan is written (its parts, its membership log), so a kept case is used only
/// while nothing it was worked out from has changed.
const CASE_TOKEN_MARK: &str = ".case-token";
pub(super) const ABOUT_MEMBERS: [&str; 5] = [
    ACCESS_MARK,
    READERS_MARK,
    MEMBERS_MARK,
    CASE_MARK,
    CASE_TOKEN_MARK,
];

/// Changes the plan's case token (and drops the case kept), in a transaction that writes
/// to the plan's parts
/// (`sync`, the sync store, must be in it): what the caseload kept of the plan is out of
/// date once it commits.
pub(super) async fn case_changed(
    sync: &indexed_db_futures::object_store::ObjectStore<'_>,
    plan: &PlanId,
) -> Result<(), StorageError> {
    sync.put(JsValue::from_f64(js_sys::Math::random()))
        .with_key(format!("{}{CASE_TOKEN_MARK}", plan.as_str()))
        .without_key_type()
        .await
        .map_err(write_failed)?;
    // (The token alone would do; without the copy, the caseload does not unseal it to
    // find that out.)
    sync.delete(format!("{}{CASE_MARK}", plan.as_str()).as_str())
        .await
        .map_err(write_failed)
}

const PLACE: Place<'static> = Place {
    store: ACCOUNT,
    key: THIS_ACCOUNT,
};

/// The site-storage key that says this phone holds an account, so the app knows at start
/// whether to fetch the sync code, without opening the account record.
const SIGNED_IN_HINT: &str = "coplan:signed-in";

fn site_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Whether this phone was signed in when last seen (a hint: the record decides).
pub fn signed_in_hint() -> bool {
    site_storage().is_some_and(|s| s.get_item(SIGNED_IN_HINT).ok().flatten().is_some())
}

/// Why the stored account did not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountReadError {
    #[error("{0}")]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Record(#[from] coplan_domain::keys::AccountRecordError),
}

impl Storage {
    /// The account this phone is signed in to, if any.
    pub async fn account(&self) -> Result<Option<AccountRecord>, AccountReadError> {
        let tx = self.db.transaction(ACCOUNT).build().map_err(read_failed)?;
        let stored: Option<JsValue> = tx
            .object_store(ACCOUNT)
            .map_err(read_failed)?
            .get(THIS_ACCOUNT)
            .primitive()
            .map_err(read_failed)?
            .await
            .map_err(read_failed)?;
        drop(tx);
        let Some(stored) = stored else {
            return Ok(None);
        };
        let plain = self
            .key
            .open(&Uint8Array::new(&stored).to_vec(), PLACE)
            .await
            .map_err(StorageError::from)?;
        let text = String::from_utf8(plain)
            .map_err(|_| coplan_domain::keys::AccountRecordError::Damaged)?;
        Ok(Some(AccountRecord::from_stored(&text)?))
    }

    /// Keeps `record` as this phone's account, in place of any before it.
    pub async fn save_account(&self, record: &AccountRecord) -> Result<(), StorageError> {
        let sealed = self.key.seal(record.to_stored().as_bytes(), PLACE).await?;
        let tx = self.readwrite(ACCOUNT)?;
        tx.object_store(ACCOUNT)
            .map_err(write_failed)?
            .put(JsValue::from(Uint8Array::from(sealed.as_slice())))
            .with_key(THIS_ACCOUNT)
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)?;
        if let Some(storage) = site_storage() {
            let _ = storage.set_item(SIGNED_IN_HINT, "1");
        }
        Ok(())
    }

    /// Every plan's sync record, by local plan id. A record that does not open or read
    /// is left out (and its plan is attached again, as a new plan: never a collision).
    pub async fn sync_records(&self) -> Result<Vec<(PlanId, PlanSync)>, StorageError> {
        let tx = self.db.transaction(SYNC).build().map_err(read_failed)?;
        // Only the records themselves: not what is kept beside them (a plan's id holds no
        // dot), which were each copied out and unsealed here before (3 MB for a kept
        // history of 10,000 changes, on every round).
        let found = super::keys::records_where(&tx, SYNC, |key| PlanId::parse(key).is_ok())
            .await
            .map_err(read_failed)?;
        drop(tx);
        let mut records = Vec::with_capacity(found.len());
        for (id, value) in found {
            let Some(plain) = self.open_record(SYNC, &id, &value).await else {
                continue;
            };
            let read = String::from_utf8(plain)
                .ok()
                .and_then(|text| PlanSync::from_stored(&text).ok());
            if let (Some(record), Ok(plan)) = (read, PlanId::parse(&id)) {
                records.push((plan, record));
            }
        }
        Ok(records)
    }

    /// A record read from `store` under `key`, opened; None when it does not open.
    pub(super) async fn open_record(
        &self,
        store: &str,
        key: &str,
        value: &JsValue,
    ) -> Option<Vec<u8>> {
        let place = Place { store, key };
        self.key
            .open(&Uint8Array::new(value).to_vec(), place)
            .await
            .ok()
    }

    /// Keeps `plan`'s sync record (before anything it says is sent).
    pub async fn save_sync_record(
        &self,
        plan: &PlanId,
        record: &PlanSync,
    ) -> Result<(), StorageError> {
        let place = Place {
            store: SYNC,
            key: plan.as_str(),
        };
        let sealed = self.key.seal(record.to_stored().as_bytes(), place).await?;
        let tx = self.readwrite(SYNC)?;
        tx.object_store(SYNC)
            .map_err(write_failed)?
            .put(JsValue::from(Uint8Array::from(sealed.as_slice())))
            .with_key(plan.as_str().to_owned())
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }

    /// Keeps a suggestion, or a decision on one, written on this phone to a suggestions
    /// document of `plan` until the syncing tab takes it into the plan's sync record
    /// ([`Self::pending_suggestions`]): each its own record, so no tab ever rewrites
    /// another's (the sync record is only ever written by the syncing tab).
    pub async fn add_pending_suggestion(
        &self,
        plan: &PlanId,
        document: &str,
        update: &[u8],
    ) -> Result<(), StorageError> {
        let nonce: String = crate::platform::random_bytes::<8>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let key = format!("{}{PENDING_MARK}{document}.{nonce}", plan.as_str());
        self.put_beside(&key, update).await
    }

    /// Keeps `bytes` sealed in the sync store under `key` (one beside a plan's sync
    /// record: its key starts with the plan's id and a dot).
    async fn put_beside(&self, key: &str, bytes: &[u8]) -> Result<(), StorageError> {
        let place = Place { store: SYNC, key };
        let sealed = self.key.seal(bytes, place).await?;
        let tx = self.readwrite(SYNC)?;
        tx.object_store(SYNC)
            .map_err(write_failed)?
            .put(JsValue::from(Uint8Array::from(sealed.as_slice())))
            .with_key(key.to_owned())
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }

    /// Keeps the plan's access log as this phone last put it in words.
    pub async fn keep_access_copy(&self, plan: &PlanId, copy: &[u8]) -> Result<(), StorageError> {
        self.put_beside(&format!("{}{ACCESS_MARK}", plan.as_str()), copy)
            .await
    }

    /// The plan's access log as this phone last put it in words, if it ever did.
    pub async fn access_copy(&self, plan: &PlanId) -> Result<Option<Vec<u8>>, StorageError> {
        self.beside(&format!("{}{ACCESS_MARK}", plan.as_str()))
            .await
    }

    /// Keeps the plan's membership log as last fetched and verified.
    pub async fn keep_members_copy(&self, plan: &PlanId, copy: &[u8]) -> Result<(), StorageError> {
        self.put_beside(&format!("{}{MEMBERS_MARK}", plan.as_str()), copy)
            .await?;
        // Who may change each part, and whose marks of agreement count, may differ now.
        self.case_changed(plan).await
    }

    /// The plan's case token now (0 before anything was written): what the caseload works
    /// out after reading it may be kept with it ([`Self::keep_case_copies`]).
    pub async fn case_token(&self, plan: &PlanId) -> Result<f64, StorageError> {
        let tx = self.db.transaction(SYNC).build().map_err(read_failed)?;
        let token: Option<JsValue> = tx
            .object_store(SYNC)
            .map_err(read_failed)?
            .get(format!("{}{CASE_TOKEN_MARK}", plan.as_str()))
            .primitive()
            .map_err(read_failed)?
            .await
            .map_err(read_failed)?;
        Ok(token.and_then(|t| t.as_f64()).unwrap_or(0.0))
    }

    /// Marks what the caseload kept of the plan as out of date.
    pub async fn case_changed(&self, plan: &PlanId) -> Result<(), StorageError> {
        let tx = self.readwrite(SYNC)?;
        case_changed(&tx.object_store(SYNC).map_err(write_failed)?, plan).await?;
        tx.commit().await.map_err(write_failed)
    }

    /// Keeps what the caseload worked out about each plan after reading its token, in
    /// one transaction: (plan, token, what was worked out).
    pub async fn keep_case_copies(
        &self,
        copies: &[(PlanId, f64, Vec<u8>)],
    ) -> Result<(), StorageError> {
        let mut sealed = Vec::with_capacity(copies.len());
        for (plan, token, case) in copies {
            let key = format!("{}{CASE_MARK}", plan.as_str());
            let mut kept = token.to_be_bytes().to_vec();
            kept.extend_from_slice(case);
            let place = Place {
                store: SYNC,
                key: &key,
            };
            sealed.push((key.clone(), self.key.seal(&kept, place).await?));
        }
        let tx = self.readwrite(SYNC)?;
        let store = tx.object_store(SYNC).map_err(write_failed)?;
        for (key, bytes) in sealed {
            store
                .put(JsValue::from(Uint8Array::from(bytes.as_slice())))
                .with_key(key)
                .without_key_type()
                .await
                .map_err(write_failed)?;
        }
        tx.commit().await.map_err(write_failed)
    }

    /// Whether the caseload keeps something of every one of `plans` (it is dropped when
    /// what it came from is written): keys only, nothing unsealed.
    pub async fn cases_kept(&self, plans: &[PlanId]) -> Result<bool, StorageError> {
        let tx = self.db.transaction(SYNC).build().map_err(read_failed)?;
        let keys: Vec<String> = tx
            .object_store(SYNC)
            .map_err(read_failed)?
            .get_all_keys::<JsValue>()
            .primitive()
            .map_err(read_failed)?
            .await
            .map_err(read_failed)?
            .filter_map(|key| key.ok()?.as_string())
            .filter(|key| key.ends_with(CASE_MARK))
            .collect();
        Ok(plans
            .iter()
            .all(|plan| keys.contains(&format!("{}{CASE_MARK}", plan.as_str()))))
    }

    /// For each plan, in one reading: its case token now, and what the caseload last
    /// worked out about it if nothing it was worked out from has been written since.
    pub async fn case_copies(
        &self,
        plans: &[PlanId],
    ) -> Result<Vec<(f64, Option<Vec<u8>>)>, StorageError> {
        let tx = self.db.transaction(SYNC).build().map_err(read_failed)?;
        let store = tx.object_store(SYNC).map_err(read_failed)?;
        let mut read = Vec::with_capacity(plans.len());
        for plan in plans {
            let token: Option<JsValue> = store
                .get(format!("{}{CASE_TOKEN_MARK}", plan.as_str()))
                .primitive()
                .map_err(read_failed)?
                .await
                .map_err(read_failed)?;
            let key = format!("{}{CASE_MARK}", plan.as_str());
            let copy: Option<JsValue> = store
                .get(key.as_str())
                .primitive()
                .map_err(read_failed)?
                .await
                .map_err(read_failed)?;
            read.push((token.and_then(|t| t.as_f64()).unwrap_or(0.0), key, copy));
        }
        drop(tx);
        let mut found = Vec::with_capacity(read.len());
        for (token, key, copy) in read {
            let case = match copy {
                Some(value) => self.open_record(SYNC, &key, &value).await,
                None => None,
            }
            .and_then(|kept| {
                let (kept_token, case) = kept.split_first_chunk::<8>()?;
                (f64::from_be_bytes(*kept_token) == token).then(|| case.to_vec())
            });
            found.push((token, case));
        }
        Ok(found)
    }

    /// The plan's membership log as last kept, if it ever was (to be verified again).
    pub async fn members_copy(&self, plan: &PlanId) -> Result<Option<Vec<u8>>, StorageError> {
        self.beside(&format!("{}{MEMBERS_MARK}", plan.as_str()))
            .await
    }

    /// Keeps the history of the plan's part `section` (its stored name) as last built.
    pub async fn keep_history_built(
        &self,
        plan: &PlanId,
        section: &str,
        built: &[u8],
    ) -> Result<(), StorageError> {
        self.put_beside(&format!("{}{BUILT_MARK}{section}", plan.as_str()), built)
            .await
    }

    /// The history of the plan's part `section` as last built and kept, if it was.
    pub async fn history_built(
        &self,
        plan: &PlanId,
        section: &str,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        self.beside(&format!("{}{BUILT_MARK}{section}", plan.as_str()))
            .await
    }

    /// Keeps page `page` of older entries of the history of the plan's part `section`
    /// (`coplan_domain::plan::history::Kept::page_out`), before the history that counts it.
    pub async fn keep_history_page(
        &self,
        plan: &PlanId,
        section: &str,
        page: u32,
        entries: &[u8],
    ) -> Result<(), StorageError> {
        self.put_beside(&history_page_key(plan, section, page), entries)
            .await
    }

    /// Page `page` of the older entries of the history of the plan's part `section`.
    pub async fn history_page(
        &self,
        plan: &PlanId,
        section: &str,
        page: u32,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        self.beside(&history_page_key(plan, section, page)).await
    }

    /// Forgets the history of the plan's part `section` as built and kept, pages and all
    /// (it is built again from the changes next time).
    pub async fn forget_history_built(
        &self,
        plan: &PlanId,
        section: &str,
    ) -> Result<(), StorageError> {
        let tx = self.readwrite(SYNC)?;
        forget_built(&tx.object_store(SYNC).map_err(write_failed)?, plan, section).await?;
        tx.commit().await.map_err(write_failed)
    }

    /// Keeps who can see each part of the plan, in words, as this phone last worked it out.
    pub async fn keep_readers_copy(&self, plan: &PlanId, copy: &[u8]) -> Result<(), StorageError> {
        self.put_beside(&format!("{}{READERS_MARK}", plan.as_str()), copy)
            .await
    }

    /// Who can see each part of the plan, in words, as this phone last worked it out.
    pub async fn readers_copy(&self, plan: &PlanId) -> Result<Option<Vec<u8>>, StorageError> {
        self.beside(&format!("{}{READERS_MARK}", plan.as_str()))
            .await
    }

    /// What [`Self::put_beside`] kept under `key`, opened (None if none, or if it does not
    /// open).
    async fn beside(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let tx = self.db.transaction(SYNC).build().map_err(read_failed)?;
        let stored: Option<JsValue> = tx
            .object_store(SYNC)
            .map_err(read_failed)?
            .get(key)
            .primitive()
            .map_err(read_failed)?
            .await
            .map_err(read_failed)?;
        drop(tx);
        match stored {
            Some(value) => Ok(self.open_record(SYNC, key, &value).await),
            None => Ok(None),
        }
    }

    /// The suggestions and decisions written on this phone to `plan`'s suggestions
    /// documents and not yet taken into its sync record: (record key, document, update).
    pub async fn pending_suggestions(
        &self,
        plan: &PlanId,
    ) -> Result<Vec<(String, String, Vec<u8>)>, StorageError> {
        let prefix = format!("{}{PENDING_MARK}", plan.as_str());
        let tx = self.db.transaction(SYNC).build().map_err(read_failed)?;
        let found = super::keys::records_where(&tx, SYNC, |key| key.starts_with(&prefix))
            .await
            .map_err(read_failed)?;
        drop(tx);
        let mut pending = Vec::new();
        for (key, value) in found {
            let Some(document) = key
                .strip_prefix(&prefix)
                .and_then(|rest| rest.split('.').next())
                .map(str::to_owned)
            else {
                continue;
            };
            if let Some(update) = self.open_record(SYNC, &key, &value).await {
                pending.push((key, document, update));
            }
        }
        Ok(pending)
    }

    /// What [`Self::pending_suggestions`] gives, for every plan at once: (local plan id,
    /// record key, document, update).
    pub async fn all_pending_suggestions(
        &self,
    ) -> Result<Vec<(String, String, String, Vec<u8>)>, StorageError> {
        let tx = self.db.transaction(SYNC).build().map_err(read_failed)?;
        let found = super::keys::records_where(&tx, SYNC, |key| key.contains(PENDING_MARK))
            .await
            .map_err(read_failed)?;
        drop(tx);
        let mut pending = Vec::new();
        for (key, value) in found {
            let Some((plan, document)) = key.split_once(PENDING_MARK).and_then(|(plan, rest)| {
                Some((plan.to_owned(), rest.split('.').next()?.to_owned()))
            }) else {
                continue;
            };
            if let Some(update) = self.open_record(SYNC, &key, &value).await {
                pending.push((plan, key, document, update));
            }
        }
        Ok(pending)
    }

    /// Drops pending records once the sync record holds what they held.
    pub async fn drop_pending_suggestions(&self, keys: &[String]) -> Result<(), StorageError> {
        if keys.is_empty() {
            return Ok(());
        }
        let tx = self.readwrite(SYNC)?;
        let store = tx.object_store(SYNC).map_err(write_failed)?;
        for key in keys {
            store.delete(key.as_str()).await.map_err(write_failed)?;
        }
        tx.commit().await.map_err(write_failed)
    }

    /// Forgets the account on this phone (its keys, and the plans' sync records with
    /// their section keys, and their history); the plans stay.
    pub async fn remove_account(&self) -> Result<(), StorageError> {
        let tx = self.readwrite([ACCOUNT, SYNC, HISTORY])?;
        tx.object_store(ACCOUNT)
            .map_err(write_failed)?
            .delete(THIS_ACCOUNT)
            .await
            .map_err(write_failed)?;
        // History is sealed under the section keys that go with the sync records.
        for store in [SYNC, HISTORY] {
            tx.object_store(store)
                .map_err(write_failed)?
                .clear()
                .map_err(write_failed)?
                .await
                .map_err(write_failed)?;
        }
        tx.commit().await.map_err(write_failed)?;
        if let Some(storage) = site_storage() {
            let _ = storage.remove_item(SIGNED_IN_HINT);
        }
        Ok(())
    }
}
