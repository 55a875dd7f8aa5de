//! The history store (schema 7; docs/history.md §2): every change this phone receives
//! for an attached plan's documents, kept as the server sent it (still sealed under the
//! section key, still signed), and sealed again under the data key like every record, so
//! the app lock covers it. Keyed `[plan, document, log number]`; deleted with its plan.

use coplan_domain::PlanId;
use coplan_domain::sealed::Place;
use coplan_domain::sync::history::HistoryEntry;
use indexed_db_futures::KeyRange;
use indexed_db_futures::prelude::*;
use js_sys::Array;
use wasm_bindgen::JsValue;

use super::crypto::key_text;
use super::sections::{bytes, plan_still_there};
use super::{DRAFTS, HISTORY, Storage, StorageError, read_failed, write_failed};

fn history_key(plan: &PlanId, document: &str, seq: u64) -> JsValue {
    Array::of3(
        &plan.as_str().into(),
        &document.into(),
        &(seq as f64).into(),
    )
    .into()
}

impl Storage {
    /// Keeps `entries` in `document`'s history, in one transaction that first checks
    /// the plan is still on this phone (a plan deleted meanwhile gets none).
    pub async fn keep_history(
        &self,
        plan: &PlanId,
        document: &str,
        entries: &[HistoryEntry],
    ) -> Result<(), StorageError> {
        let mut sealed = Vec::with_capacity(entries.len());
        for entry in entries {
            let key = history_key(plan, document, entry.seq);
            let text = key_text(&key);
            let place = Place {
                store: HISTORY,
                key: &text,
            };
            sealed.push((key, bytes(&self.key.seal(&entry.to_stored(), place).await?)));
        }
        let tx = self.readwrite([DRAFTS, HISTORY])?;
        plan_still_there(&tx, plan).await?;
        let store = tx.object_store(HISTORY).map_err(write_failed)?;
        for (key, value) in sealed {
            store
                .put(value)
                .with_key(key)
                .without_key_type()
                .await
                .map_err(write_failed)?;
        }
        tx.commit().await.map_err(write_failed)
    }

    /// `document`'s history in `plan`, in log order. An entry that does not open or
    /// read is left out.
    pub async fn history(
        &self,
        plan: &PlanId,
        document: &str,
    ) -> Result<Vec<HistoryEntry>, StorageError> {
        self.history_after(plan, document, 0).await
    }

    /// `document`'s history in `plan` after log number `after`, in log order (read by
    /// key range: only these entries are unsealed). An entry that does not open or read
    /// is left out.
    pub async fn history_after(
        &self,
        plan: &PlanId,
        document: &str,
        after: u64,
    ) -> Result<Vec<HistoryEntry>, StorageError> {
        self.history_after_most(plan, document, after, None).await
    }

    /// The same, at most `most` of them (the first, in log order).
    pub async fn history_after_most(
        &self,
        plan: &PlanId,
        document: &str,
        after: u64,
        most: Option<u32>,
    ) -> Result<Vec<HistoryEntry>, StorageError> {
        let lower = history_key(plan, document, after.saturating_add(1));
        let upper: JsValue = Array::of3(
            &plan.as_str().into(),
            &document.into(),
            &Array::new().into(),
        )
        .into();
        let range = || KeyRange::Bound(lower.clone(), false, upper.clone(), true);
        let most = most.unwrap_or(u32::MAX);
        let tx = self.db.transaction(HISTORY).build().map_err(read_failed)?;
        let store = tx.object_store(HISTORY).map_err(read_failed)?;
        let keys: Vec<JsValue> = store
            .get_all_keys::<JsValue>()
            .with_query::<JsValue, _>(range())
            .with_limit(most)
            .primitive()
            .map_err(read_failed)?
            .await
            .map_err(read_failed)?
            .collect::<Result<_, _>>()
            .map_err(read_failed)?;
        let values: Vec<JsValue> = store
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(range())
            .with_limit(most)
            .primitive()
            .map_err(read_failed)?
            .await
            .map_err(read_failed)?
            .collect::<Result<_, _>>()
            .map_err(read_failed)?;
        drop(store);
        drop(tx);
        let mut entries = Vec::with_capacity(keys.len());
        for (key, value) in keys.into_iter().zip(values) {
            let text = key_text(&key);
            let Some(plain) = self.open_record(HISTORY, &text, &value).await else {
                continue;
            };
            if let Ok(entry) = HistoryEntry::from_stored(&plain) {
                entries.push(entry);
            }
        }
        entries.sort_by_key(|e| e.seq);
        Ok(entries)
    }
}
