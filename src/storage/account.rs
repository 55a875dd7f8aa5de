//! The account this phone is signed in to (schema 6): one record, sealed under the data
//! key like every plan record, so the app lock protects the account's keys too. Signing
//! out removes it; the plans stay.

use coplan_domain::keys::AccountRecord;
use coplan_domain::sealed::Place;
use indexed_db_futures::prelude::*;
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use super::{ACCOUNT, Storage, StorageError, read_failed, write_failed};

/// The one record's key.
const THIS_ACCOUNT: &str = "this";

const PLACE: Place<'static> = Place {
    store: ACCOUNT,
    key: THIS_ACCOUNT,
};

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
        tx.commit().await.map_err(write_failed)
    }

    /// Forgets the account on this phone (its keys with it); the plans stay.
    pub async fn remove_account(&self) -> Result<(), StorageError> {
        let tx = self.readwrite(ACCOUNT)?;
        tx.object_store(ACCOUNT)
            .map_err(write_failed)?
            .delete(THIS_ACCOUNT)
            .await
            .map_err(write_failed)?;
        tx.commit().await.map_err(write_failed)
    }
}
