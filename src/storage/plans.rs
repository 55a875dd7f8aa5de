//! The plans on this phone: listing them, choosing which is open, deleting one with all
//! it holds, and moving a foundation-era draft's name into the plan's About me.

use coplan_domain::plan::SectionKind;
use coplan_domain::{PlanDraft, PlanId, PreferredName};
use indexed_db_futures::KeyRange;
use indexed_db_futures::prelude::*;
use js_sys::Array;
use wasm_bindgen::JsValue;

use super::drafts::set_open_plan;
use super::sections::update_key;
use super::{
    CURRENT_PLAN, DRAFTS, HISTORY, META, OPEN_COPIES, SECTION_SNAPSHOTS, SECTION_UPDATES, SYNC,
    Storage, StorageError, read_failed, write_failed,
};

/// Every key that starts with `[plan]`: up to, not including, `[plan, []]`.
fn plan_range(plan: &PlanId) -> KeyRange<JsValue> {
    let lower = Array::of1(&plan.as_str().into());
    let upper = Array::of2(&plan.as_str().into(), &Array::new().into());
    KeyRange::Bound(lower.into(), false, upper.into(), true)
}

impl Storage {
    /// Every plan on this phone, oldest first.
    pub async fn all_plans(&self) -> Result<Vec<PlanDraft>, StorageError> {
        let tx = self.db.transaction(DRAFTS).build().map_err(read_failed)?;
        let store = tx.object_store(DRAFTS).map_err(read_failed)?;
        let ids: Vec<String> = store
            .get_all_keys()
            .await
            .map_err(read_failed)?
            .collect::<Result<_, _>>()
            .map_err(read_failed)?;
        let values: Vec<JsValue> = store
            .get_all::<JsValue>()
            .primitive()
            .map_err(read_failed)?
            .await
            .map_err(read_failed)?
            .collect::<Result<_, _>>()
            .map_err(read_failed)?;
        drop(tx);
        let mut plans = Vec::with_capacity(ids.len());
        for (id, value) in ids.iter().zip(&values) {
            plans.push(self.open_draft(id, value).await?);
        }
        plans.sort_by_key(|p| p.created_at_ms);
        Ok(plans)
    }

    /// Makes `plan` the one the app opens.
    pub async fn choose_plan(&self, plan: &PlanId) -> Result<(), StorageError> {
        let tx = self.readwrite(META)?;
        set_open_plan(&tx, plan).await.map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)?;
        crate::plan::tab_relay::tell_plan_opened();
        Ok(())
    }

    /// Deletes a plan and everything it holds, in one transaction: afterwards none of it
    /// is left, or (if the phone stops half way) all of it still is. Its sync record stays
    /// (marked left, so the plan is not taken in again), without what was kept beside it
    /// about the plan's members.
    pub async fn delete_plan(&self, plan: &PlanId) -> Result<(), StorageError> {
        let tx = self.readwrite([
            META,
            DRAFTS,
            SECTION_SNAPSHOTS,
            SECTION_UPDATES,
            OPEN_COPIES,
            HISTORY,
            SYNC,
        ])?;
        let sync = tx.object_store(SYNC).map_err(write_failed)?;
        for mark in super::account::ABOUT_MEMBERS {
            sync.delete(format!("{}{mark}", plan.as_str()).as_str())
                .await
                .map_err(write_failed)?;
        }
        for kind in coplan_domain::plan::SectionKind::ALL {
            super::account::forget_built(&sync, plan, kind.key()).await?;
        }
        for store in [SECTION_SNAPSHOTS, SECTION_UPDATES, HISTORY] {
            tx.object_store(store)
                .map_err(write_failed)?
                .delete::<JsValue, _>(plan_range(plan))
                .await
                .map_err(write_failed)?;
        }
        for store in [DRAFTS, OPEN_COPIES] {
            tx.object_store(store)
                .map_err(write_failed)?
                .delete(plan.as_str())
                .await
                .map_err(write_failed)?;
        }
        let meta = tx.object_store(META).map_err(write_failed)?;
        let current: Option<String> = meta.get(CURRENT_PLAN).await.map_err(write_failed)?;
        if current.as_deref() == Some(plan.as_str()) {
            meta.delete(CURRENT_PLAN).await.map_err(write_failed)?;
        }
        tx.commit().await.map_err(write_failed)
    }

    /// Moves the name a foundation-era draft holds into the plan's About me, in one
    /// transaction: `write_name` turns the name into an About me change, which is logged
    /// while the draft forgets the name. Does nothing when the draft holds no name. The
    /// change's key is fixed, so two tabs doing this at once leave one change, not two.
    pub async fn move_draft_name(
        &self,
        draft: &PlanDraft,
        write_name: impl FnOnce(&str) -> Vec<u8>,
    ) -> Result<(), StorageError> {
        if draft.preferred_name.as_str().is_empty() {
            return Ok(());
        }
        let update = write_name(draft.preferred_name.as_str());
        // Writer 0 never names a session's records (theirs are non-zero), so this record
        // cannot clash with one.
        let key = update_key(&draft.id, SectionKind::AboutMe, 0, 0);
        let sealed_update = self.seal_update(&key, &update).await?;
        let mut forgot = draft.clone();
        forgot.preferred_name = PreferredName::default();
        let sealed_draft = self.seal_draft(&forgot).await?;
        let tx = self.readwrite([DRAFTS, SECTION_UPDATES, SYNC])?;
        super::account::case_changed(&tx.object_store(SYNC).map_err(write_failed)?, &draft.id)
            .await?;
        tx.object_store(SECTION_UPDATES)
            .map_err(write_failed)?
            .put(sealed_update)
            .with_key(key)
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.object_store(DRAFTS)
            .map_err(write_failed)?
            .put(sealed_draft)
            .with_key(draft.id.as_str().to_string())
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }
}

impl Storage {
    /// Brings a plan from a file onto this phone and opens it, in one transaction. Each
    /// section's state is added to the section's log as one change (a CRDT merge when the
    /// plan is already here: nothing on the phone is overwritten). `writer` names these
    /// records in the log and must be fresh (a new random number), so they never clash
    /// with another's.
    pub async fn import_plan(
        &self,
        draft: &PlanDraft,
        sections: &[(SectionKind, Vec<u8>)],
        writer: u64,
    ) -> Result<(), StorageError> {
        let sealed_draft = self.seal_draft(draft).await?;
        let mut records = Vec::with_capacity(sections.len());
        for (kind, state) in sections {
            let key = update_key(&draft.id, *kind, writer, 0);
            records.push((self.seal_update(&key, state).await?, key));
        }
        let tx = self.readwrite([META, DRAFTS, SECTION_UPDATES, SYNC])?;
        super::account::case_changed(&tx.object_store(SYNC).map_err(write_failed)?, &draft.id)
            .await?;
        let drafts = tx.object_store(DRAFTS).map_err(write_failed)?;
        let known: Option<JsValue> = drafts
            .get(draft.id.as_str())
            .primitive()
            .map_err(write_failed)?
            .await
            .map_err(write_failed)?;
        if known.is_none() {
            drafts
                .put(sealed_draft)
                .with_key(draft.id.as_str().to_string())
                .without_key_type()
                .await
                .map_err(write_failed)?;
        }
        let log = tx.object_store(SECTION_UPDATES).map_err(write_failed)?;
        for (sealed, key) in records {
            log.put(sealed)
                .with_key(key)
                .without_key_type()
                .await
                .map_err(write_failed)?;
        }
        set_open_plan(&tx, &draft.id).await.map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)?;
        // The lock screen's copy of the safety plan, if this plan has one, now shows what
        // the file added (sealed again from everything stored).
        if sections
            .iter()
            .any(|(kind, _)| *kind == SectionKind::SafetyPlan)
            && self.opens_without_pin(&draft.id).await?
        {
            self.set_opens_without_pin(&draft.id, true).await?;
        }
        Ok(())
    }
}
