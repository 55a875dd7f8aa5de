//! The plans on this phone: listing them, choosing which is open, deleting one with all
//! it holds, and moving a foundation-era draft's name into the plan's About me.

use coplan_domain::plan::SectionKind;
use coplan_domain::{PlanDraft, PlanId, PreferredName};
use indexed_db_futures::KeyRange;
use indexed_db_futures::prelude::*;
use js_sys::Array;
use wasm_bindgen::JsValue;

use super::sections::{bytes, update_key};
use super::{
    CURRENT_PLAN, DRAFTS, META, SECTION_SNAPSHOTS, SECTION_UPDATES, Storage, StorageError,
    read_failed, write_failed,
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
        let stored: Vec<String> = tx
            .object_store(DRAFTS)
            .map_err(read_failed)?
            .get_all()
            .await
            .map_err(read_failed)?
            .collect::<Result<_, _>>()
            .map_err(read_failed)?;
        let mut plans = stored
            .iter()
            .map(|json| PlanDraft::from_stored(json).map_err(StorageError::from))
            .collect::<Result<Vec<_>, _>>()?;
        plans.sort_by_key(|p| p.created_at_ms);
        Ok(plans)
    }

    /// Makes `plan` the one the app opens.
    pub async fn choose_plan(&self, plan: &PlanId) -> Result<(), StorageError> {
        let tx = self.readwrite(META)?;
        tx.object_store(META)
            .map_err(write_failed)?
            .put(plan.as_str().to_string())
            .with_key(CURRENT_PLAN)
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }

    /// Deletes a plan and everything it holds, in one transaction: afterwards none of it
    /// is left, or (if the phone stops half way) all of it still is.
    pub async fn delete_plan(&self, plan: &PlanId) -> Result<(), StorageError> {
        let tx = self.readwrite([META, DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES])?;
        for store in [SECTION_SNAPSHOTS, SECTION_UPDATES] {
            tx.object_store(store)
                .map_err(write_failed)?
                .delete::<JsValue, _>(plan_range(plan))
                .await
                .map_err(write_failed)?;
        }
        tx.object_store(DRAFTS)
            .map_err(write_failed)?
            .delete(plan.as_str())
            .await
            .map_err(write_failed)?;
        let meta = tx.object_store(META).map_err(write_failed)?;
        let current: Option<String> = meta.get(CURRENT_PLAN).await.map_err(write_failed)?;
        if current.as_deref() == Some(plan.as_str()) {
            meta.delete(CURRENT_PLAN).await.map_err(write_failed)?;
        }
        tx.commit().await.map_err(write_failed)
    }

    /// Moves the name a foundation-era draft holds into the plan's About me, in one
    /// transaction: `write_name` turns the name into an About me change, which is logged
    /// while the draft forgets the name. Does nothing when the draft holds no name.
    pub async fn move_draft_name(
        &self,
        plan: &PlanId,
        write_name: impl FnOnce(&str) -> Vec<u8>,
    ) -> Result<(), StorageError> {
        let tx = self.readwrite([DRAFTS, SECTION_UPDATES])?;
        let drafts = tx.object_store(DRAFTS).map_err(write_failed)?;
        let stored: Option<String> = drafts.get(plan.as_str()).await.map_err(write_failed)?;
        let Some(mut draft) = stored
            .map(|json| PlanDraft::from_stored(&json))
            .transpose()?
        else {
            return Ok(());
        };
        if draft.preferred_name.as_str().is_empty() {
            return Ok(());
        }
        let update = write_name(draft.preferred_name.as_str());
        // Writer 0 is never a tab's client id, so this record cannot clash with one.
        tx.object_store(SECTION_UPDATES)
            .map_err(write_failed)?
            .put(bytes(&update))
            .with_key(update_key(plan, SectionKind::AboutMe, 0, 0))
            .without_key_type()
            .await
            .map_err(write_failed)?;
        draft.preferred_name = PreferredName::default();
        drafts
            .put(draft.to_stored())
            .with_key(plan.as_str().to_string())
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }
}

impl Storage {
    /// Brings a plan from a file onto this phone and opens it, in one transaction. Each
    /// section is merged with what is already stored for the same plan (a CRDT merge:
    /// nothing on the phone is overwritten); `merge` returns the merged state, or None to
    /// stop, in which case nothing at all is changed.
    pub async fn import_plan(
        &self,
        draft: &PlanDraft,
        sections: &[(SectionKind, Vec<u8>)],
        merge: impl Fn(SectionKind, &super::StoredSection, &[u8]) -> Option<Vec<u8>>,
    ) -> Result<(), StorageError> {
        let tx = self.readwrite([META, DRAFTS, SECTION_SNAPSHOTS, SECTION_UPDATES])?;
        let drafts = tx.object_store(DRAFTS).map_err(write_failed)?;
        let known: Option<String> = drafts.get(draft.id.as_str()).await.map_err(write_failed)?;
        if known.is_none() {
            drafts
                .put(draft.to_stored())
                .with_key(draft.id.as_str().to_string())
                .without_key_type()
                .await
                .map_err(write_failed)?;
        }
        for (kind, state) in sections {
            let stored = super::sections::read_section(&tx, &draft.id, *kind)
                .await
                .map_err(write_failed)?;
            let Some(merged) = merge(*kind, &stored, state) else {
                // Dropping the transaction without committing rolls every change back.
                return Err(StorageError::WriteFailed {
                    detail: "a section of the file could not be merged".into(),
                });
            };
            super::sections::replace_section(&tx, &draft.id, *kind, &merged)
                .await
                .map_err(write_failed)?;
        }
        tx.object_store(META)
            .map_err(write_failed)?
            .put(draft.id.as_str().to_string())
            .with_key(CURRENT_PLAN)
            .without_key_type()
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }
}
