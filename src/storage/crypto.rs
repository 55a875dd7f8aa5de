//! Encryption at rest: every stored plan record is sealed with AES-256-GCM through the
//! browser's WebCrypto, under a random data key. With no app lock, the data key is a
//! non-extractable key the browser keeps in IndexedDB: its bytes cannot be read by page
//! script or the developer tools, but a copy of the whole browser profile holds it too.
//! The record format (version, nonce, ciphertext) belongs to `coplan_domain::sealed`.

use coplan_domain::sealed::{self, NONCE_BYTES, SealError};
use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{StorageError, describe_js};

const ALGORITHM: &str = "AES-GCM";

/// The key every plan record on this phone is sealed with.
#[derive(Clone)]
pub struct DataKey(web_sys::CryptoKey);

/// The browser's WebCrypto, or why Coplan cannot protect the plan here.
fn subtle() -> Result<web_sys::SubtleCrypto, StorageError> {
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or(StorageError::NotProtected)?;
    // Browsers leave `crypto.subtle` undefined outside secure contexts (plain http://).
    let subtle =
        js_sys::Reflect::get(&crypto, &"subtle".into()).map_err(|_| StorageError::NotProtected)?;
    if subtle.is_undefined() || subtle.is_null() {
        return Err(StorageError::NotProtected);
    }
    Ok(subtle.unchecked_into())
}

fn usages() -> JsValue {
    Array::of2(&"encrypt".into(), &"decrypt".into()).into()
}

fn crypto_failed(e: JsValue) -> StorageError {
    StorageError::WriteFailed {
        detail: describe_js(&e),
    }
}

impl DataKey {
    /// A new random key that can never leave the browser.
    pub async fn generate() -> Result<Self, StorageError> {
        let params = web_sys::AesKeyGenParams::new(ALGORITHM, 256);
        let promise = subtle()?
            .generate_key_with_object(&params, false, &usages())
            .map_err(crypto_failed)?;
        let key = JsFuture::from(promise).await.map_err(crypto_failed)?;
        Ok(Self(key.unchecked_into()))
    }

    /// A key from raw bytes: only for the known-answer test.
    pub async fn from_raw_for_tests(raw: &[u8]) -> Result<Self, StorageError> {
        let algorithm = Object::new();
        let _ = js_sys::Reflect::set(&algorithm, &"name".into(), &ALGORITHM.into());
        let promise = subtle()?
            .import_key_with_object("raw", &Uint8Array::from(raw), &algorithm, false, &usages())
            .map_err(crypto_failed)?;
        let key = JsFuture::from(promise).await.map_err(crypto_failed)?;
        Ok(Self(key.unchecked_into()))
    }

    /// The key as IndexedDB stores it (a CryptoKey is kept whole, bytes unreadable).
    pub fn as_stored(&self) -> &JsValue {
        &self.0
    }

    pub fn from_stored(value: JsValue) -> Option<Self> {
        value.dyn_into::<web_sys::CryptoKey>().ok().map(Self)
    }

    /// Seals `plain` for the place `aad` names, with a fresh random nonce.
    pub async fn seal(&self, plain: &[u8], aad: &[u8]) -> Result<Vec<u8>, StorageError> {
        let mut nonce = [0u8; NONCE_BYTES];
        crate::platform::fill_random(&mut nonce).ok_or(StorageError::NotProtected)?;
        self.seal_with_nonce(plain, aad, &nonce).await
    }

    /// Seals with a given nonce: only `seal` (fresh nonces) and the known-answer test.
    pub async fn seal_with_nonce(
        &self,
        plain: &[u8],
        aad: &[u8],
        nonce: &[u8; NONCE_BYTES],
    ) -> Result<Vec<u8>, StorageError> {
        let params = web_sys::AesGcmParams::new(ALGORITHM, &Uint8Array::from(&nonce[..]));
        params.set_additional_data_u8_array(&Uint8Array::from(aad));
        let promise = subtle()?
            .encrypt_with_object_and_u8_array(&params, &self.0, plain)
            .map_err(crypto_failed)?;
        let ciphertext = JsFuture::from(promise).await.map_err(crypto_failed)?;
        Ok(sealed::to_stored(
            nonce,
            &Uint8Array::new(&ciphertext).to_vec(),
        ))
    }

    /// Opens a sealed record kept at the place `aad` names. A changed byte, or a record
    /// moved from elsewhere, fails authentication and is refused.
    pub async fn open(&self, stored: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let record = sealed::from_stored(stored)?;
        let params = web_sys::AesGcmParams::new(ALGORITHM, &Uint8Array::from(&record.nonce[..]));
        params.set_additional_data_u8_array(&Uint8Array::from(aad));
        let subtle = subtle().map_err(|_| SealError::Damaged)?;
        let promise = subtle
            .decrypt_with_object_and_u8_array(&params, &self.0, record.ciphertext)
            .map_err(|_| SealError::Damaged)?;
        let plain = JsFuture::from(promise)
            .await
            .map_err(|_| SealError::Damaged)?;
        Ok(Uint8Array::new(&plain).to_vec())
    }
}

/// A record's key as text, for its associated data: array keys joined with "/".
pub fn key_text(key: &JsValue) -> String {
    if let Some(parts) = key.dyn_ref::<Array>() {
        return parts
            .iter()
            .map(|part| key_text(&part))
            .collect::<Vec<_>>()
            .join("/");
    }
    if let Some(number) = key.as_f64() {
        // Keys hold whole numbers (client ids below 2^53, sequence numbers).
        return (number as u64).to_string();
    }
    key.as_string().unwrap_or_default()
}
