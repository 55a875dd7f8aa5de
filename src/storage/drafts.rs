//! Plan drafts (each plan's id and dates; before the plan sections, its first words),
//! sealed at rest, and which plan is open.

use coplan_domain::sealed::Place;
use coplan_domain::{PlanDraft, PlanId};
use indexed_db_futures::prelude::*;
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use super::{CURRENT_PLAN, DRAFTS, META, Storage, StorageError, read_failed, write_failed};

/// Records `plan` as the one the app opens, inside `tx` (which must include `meta`).
pub(crate) async fn set_open_plan(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    plan: &PlanId,
) -> Result<(), indexed_db_futures::error::Error> {
    tx.object_store(META)?
        .put(plan.as_str().to_string())
        .with_key(CURRENT_PLAN)
        .without_key_type()
        .await
}

/// The open plan's id and its sealed draft, read inside `tx` (which must include `meta`
/// and `drafts`); `None` when no plan is open or its draft is gone.
async fn open_plan_record(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
) -> Result<Option<(String, JsValue)>, indexed_db_futures::error::Error> {
    let current: Option<String> = tx.object_store(META)?.get(CURRENT_PLAN).await?;
    let Some(id) = current else { return Ok(None) };
    let stored: Option<JsValue> = tx
        .object_store(DRAFTS)?
        .get(id.clone())
        .primitive()?
        .await?;
    Ok(stored.map(|value| (id, value)))
}

impl Storage {
    /// A draft sealed for its place in the drafts store.
    pub(crate) async fn seal_draft(&self, draft: &PlanDraft) -> Result<JsValue, StorageError> {
        let place = Place {
            store: DRAFTS,
            key: draft.id.as_str(),
        };
        let sealed = self.key.seal(draft.to_stored().as_bytes(), place).await?;
        Ok(Uint8Array::from(sealed.as_slice()).into())
    }

    /// Opens a sealed draft read from the drafts store under `id`.
    pub(crate) async fn open_draft(
        &self,
        id: &str,
        value: &JsValue,
    ) -> Result<PlanDraft, StorageError> {
        let place = Place {
            store: DRAFTS,
            key: id,
        };
        let plain = self
            .key
            .open(&Uint8Array::new(value).to_vec(), place)
            .await?;
        let json = String::from_utf8(plain).map_err(|_| coplan_domain::DraftError::Unreadable)?;
        Ok(PlanDraft::from_stored(&json)?)
    }

    /// The id of the plan open on this phone, if one was started.
    pub async fn current_plan(&self) -> Result<Option<String>, StorageError> {
        let tx = self.db.transaction(META).build().map_err(read_failed)?;
        tx.object_store(META)
            .map_err(read_failed)?
            .get(CURRENT_PLAN)
            .await
            .map_err(read_failed)
    }

    /// The draft of the plan that is open on this phone, if one was started.
    pub async fn current_draft(&self) -> Result<Option<PlanDraft>, StorageError> {
        let tx = self
            .db
            .transaction([META, DRAFTS])
            .build()
            .map_err(read_failed)?;
        let current = open_plan_record(&tx).await.map_err(read_failed)?;
        drop(tx);
        match current {
            Some((id, value)) => self.open_draft(&id, &value).await.map(Some),
            None => Ok(None),
        }
    }

    /// The open plan, or, when none is open, a new one started and made the open plan, in
    /// one transaction: screens or tabs opening at once on a new phone start one plan
    /// between them.
    pub async fn open_or_start_plan(&self) -> Result<PlanId, StorageError> {
        let id = PlanId::parse(&crate::platform::random_id())?;
        let draft = PlanDraft::new(id.clone(), crate::platform::now_ms());
        let sealed = self.seal_draft(&draft).await?;
        let tx = self.readwrite([META, DRAFTS])?;
        if let Some((current, _)) = open_plan_record(&tx).await.map_err(write_failed)? {
            // Started elsewhere meanwhile: nothing is written here.
            return Ok(PlanId::parse(&current)?);
        }
        tx.object_store(DRAFTS)
            .map_err(write_failed)?
            .put(sealed)
            .with_key(id.as_str().to_string())
            .without_key_type()
            .await
            .map_err(write_failed)?;
        set_open_plan(&tx, &id).await.map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)?;
        self.first_plan_opens_without_pin(&id).await?;
        crate::plan::tab_relay::tell_plan_opened();
        Ok(id)
    }

    /// The first plan on a locked phone gets the same default as when a lock is set over
    /// one plan: its safety plan opens without the PIN.
    async fn first_plan_opens_without_pin(&self, id: &PlanId) -> Result<(), StorageError> {
        if self.lock().await?.is_some() && self.all_plans().await?.len() == 1 {
            self.set_opens_without_pin(id, true).await?;
        }
        Ok(())
    }

    /// Starts a new plan, with a fresh id, and makes it the open plan. The first plan on
    /// a locked phone gets the same default as when a lock is set over one plan: its
    /// safety plan opens without the PIN.
    pub async fn start_plan(&self) -> Result<PlanId, StorageError> {
        let id = PlanId::parse(&crate::platform::random_id())?;
        self.save_draft(&PlanDraft::new(id.clone(), crate::platform::now_ms()))
            .await?;
        self.first_plan_opens_without_pin(&id).await?;
        crate::plan::tab_relay::tell_plan_opened();
        Ok(id)
    }

    /// Adds a new, empty plan (a plan from the person's account arriving on this phone),
    /// and makes it the open plan only if `open`.
    pub async fn add_plan(&self, open: bool) -> Result<PlanId, StorageError> {
        if open {
            return self.start_plan().await;
        }
        let id = PlanId::parse(&crate::platform::random_id())?;
        let draft = PlanDraft::new(id.clone(), crate::platform::now_ms());
        let sealed = self.seal_draft(&draft).await?;
        let tx = self.readwrite(DRAFTS)?;
        tx.object_store(DRAFTS)
            .map_err(write_failed)?
            .put(sealed)
            .with_key(id.as_str().to_string())
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)?;
        Ok(id)
    }

    /// Saves a draft and makes it the open plan, in one transaction: after a crash either
    /// the old or the new draft is there, never half of one.
    pub async fn save_draft(&self, draft: &PlanDraft) -> Result<(), StorageError> {
        // Sealed before the transaction starts: a transaction closes if it waits on
        // anything but IndexedDB.
        let sealed = self.seal_draft(draft).await?;
        let tx = self.readwrite([META, DRAFTS])?;
        tx.object_store(DRAFTS)
            .map_err(write_failed)?
            .put(sealed)
            .with_key(draft.id.as_str().to_string())
            .without_key_type()
            .await
            .map_err(write_failed)?;
        set_open_plan(&tx, &draft.id).await.map_err(write_failed)?;
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
