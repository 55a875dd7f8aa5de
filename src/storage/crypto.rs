//! Encryption at rest: every stored plan record is sealed with AES-256-GCM through the
//! browser's WebCrypto, under a random data key. The data key is only ever stored wrapped
//! (sealed as a key): with no app lock, under this phone's device key, a non-extractable
//! key the browser keeps in IndexedDB (its bytes cannot be read by page script or the
//! developer tools, but a copy of the whole browser profile holds it too); with a lock,
//! under a key derived from the PIN or passphrase (PBKDF2-SHA-256), which is never stored.
//! The record format (version, key id, nonce, ciphertext) belongs to
//! `coplan_domain::sealed`; each key carries the id written into what it seals.

use coplan_domain::sealed::{self, KeyId, NONCE_BYTES, Place, SealError};
use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{StorageError, describe_js};

const ALGORITHM: &str = "AES-GCM";

/// An AES-256-GCM key: the data key every plan record is sealed with, the device key, or
/// a key derived from a PIN or passphrase (the last two seal keys as well as records).
#[derive(Clone)]
pub struct DataKey {
    key: web_sys::CryptoKey,
    id: KeyId,
}

/// What a new key may do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// Seals records; its bytes can be wrapped, so a lock can be set over it later.
    Records,
    /// Seals records and wraps keys, and never leaves the browser.
    Device,
}

/// The browser's WebCrypto, or why Coplan cannot protect the plan here.
fn subtle() -> Result<web_sys::SubtleCrypto, StorageError> {
    // The global scope's: a page's window, or a Web Worker's own.
    let crypto = crate::platform::global_crypto().ok_or(StorageError::NotProtected)?;
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

fn wrapping_usages() -> JsValue {
    let all = Array::of2(&"encrypt".into(), &"decrypt".into());
    all.push(&"wrapKey".into());
    all.push(&"unwrapKey".into());
    all.into()
}

fn gcm(nonce: &[u8], aad: &[u8]) -> web_sys::AesGcmParams {
    let params = web_sys::AesGcmParams::new(ALGORITHM, &Uint8Array::from(nonce));
    params.set_additional_data_u8_array(&Uint8Array::from(aad));
    params
}

async fn resolve(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(promise?).await
}

fn crypto_failed(e: JsValue) -> StorageError {
    StorageError::WriteFailed {
        detail: describe_js(&e),
    }
}

impl DataKey {
    /// A new random key that can never leave the browser, for records only (what every
    /// phone had before the app lock; now only tests make one).
    pub async fn generate() -> Result<Self, StorageError> {
        Self::generate_for(KeyUse::Records, false).await
    }

    /// A new random key for `use_`; `wrappable` lets its bytes be wrapped under another key.
    pub async fn generate_for(use_: KeyUse, wrappable: bool) -> Result<Self, StorageError> {
        let params = web_sys::AesKeyGenParams::new(ALGORITHM, 256);
        let usages = match use_ {
            KeyUse::Records => usages(),
            KeyUse::Device => wrapping_usages(),
        };
        let key = resolve(subtle()?.generate_key_with_object(&params, wrappable, &usages))
            .await
            .map_err(crypto_failed)?;
        let id = match use_ {
            KeyUse::Records => KeyId::DATA,
            KeyUse::Device => KeyId::DEVICE,
        };
        Ok(Self::from_parts(key, id))
    }

    /// The key a PIN or passphrase stands for: PBKDF2-SHA-256 over its UTF-8 bytes. It
    /// only wraps and unwraps the data key, and is never stored.
    pub async fn from_secret(
        secret: &str,
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, StorageError> {
        Self::derive(normalised(secret).as_bytes(), salt, iterations).await
    }

    /// The key from the secret exactly as typed, as locks and files made before secrets
    /// were normalised (before 3 December 2026) hold: tried only when the normalised
    /// secret differs and did not open.
    pub async fn from_secret_as_typed(
        secret: &str,
        salt: &[u8],
        iterations: u32,
    ) -> Result<Self, StorageError> {
        Self::derive(secret.as_bytes(), salt, iterations).await
    }

    async fn derive(secret: &[u8], salt: &[u8], iterations: u32) -> Result<Self, StorageError> {
        let subtle = subtle()?;
        let derive = Array::of1(&"deriveKey".into());
        let base = resolve(subtle.import_key_with_str(
            "raw",
            &Uint8Array::from(secret),
            "PBKDF2",
            false,
            &derive,
        ))
        .await
        .map_err(crypto_failed)?;
        let params = web_sys::Pbkdf2Params::new_with_str(
            "PBKDF2",
            "SHA-256",
            iterations,
            &Uint8Array::from(salt),
        );
        let target = web_sys::AesDerivedKeyParams::new(ALGORITHM, 256);
        let key = resolve(subtle.derive_key_with_object_and_object(
            &params,
            &base.unchecked_into(),
            &target,
            false,
            &wrapping_usages(),
        ))
        .await
        .map_err(crypto_failed)?;
        Ok(Self::from_parts(key, KeyId::SECRET))
    }

    fn from_parts(key: JsValue, id: KeyId) -> Self {
        Self {
            key: key.unchecked_into(),
            id,
        }
    }

    /// The associated data for what this key seals now, kept at `place`.
    fn associated_data(&self, place: Place<'_>) -> Vec<u8> {
        sealed::associated_data(sealed::SEALED_VERSION, Some(self.id), place)
    }

    /// `key`, sealed under this key for `place` (the bytes never pass through page
    /// memory).
    pub async fn wrap(&self, key: &DataKey, place: Place<'_>) -> Result<Vec<u8>, StorageError> {
        let mut nonce = [0u8; NONCE_BYTES];
        crate::platform::fill_random(&mut nonce).ok_or(StorageError::NotProtected)?;
        let params = gcm(&nonce, &self.associated_data(place));
        let wrapped = resolve(subtle()?.wrap_key_with_object("raw", &key.key, &self.key, &params))
            .await
            .map_err(crypto_failed)?;
        Ok(sealed::to_stored(
            self.id,
            &nonce,
            &Uint8Array::new(&wrapped).to_vec(),
        ))
    }

    /// The record's parts, if it was sealed by this key (version 1 records name no key
    /// and are tried).
    fn read<'a>(&self, stored: &'a [u8]) -> Result<sealed::Sealed<'a>, SealError> {
        let record = sealed::from_stored(stored)?;
        match record.key_id {
            Some(id) if id != self.id => Err(SealError::Damaged),
            _ => Ok(record),
        }
    }

    /// The data key this key wrapped; a wrong PIN, a changed byte or a moved record fails.
    /// `wrappable` is asked for only to wrap it again (setting or changing a lock).
    pub async fn unwrap(
        &self,
        stored: &[u8],
        place: Place<'_>,
        wrappable: bool,
    ) -> Result<DataKey, SealError> {
        let record = self.read(stored)?;
        let subtle = subtle().map_err(|_| SealError::Damaged)?;
        let key = resolve(subtle.unwrap_key_with_u8_array_and_object_and_str(
            "raw",
            record.ciphertext,
            &self.key,
            &gcm(record.nonce, &record.associated_data(place)),
            ALGORITHM,
            wrappable,
            &usages(),
        ))
        .await
        .map_err(|_| SealError::Damaged)?;
        Ok(Self::from_parts(key, KeyId::DATA))
    }

    /// A key from raw bytes: only for the known-answer test.
    pub async fn from_raw_for_tests(raw: &[u8]) -> Result<Self, StorageError> {
        let algorithm = Object::new();
        let _ = js_sys::Reflect::set(&algorithm, &"name".into(), &ALGORITHM.into());
        let promise = subtle()?
            .import_key_with_object("raw", &Uint8Array::from(raw), &algorithm, false, &usages())
            .map_err(crypto_failed)?;
        let key = JsFuture::from(promise).await.map_err(crypto_failed)?;
        Ok(Self::from_parts(key, KeyId::DATA))
    }

    /// The key as IndexedDB stores it (a CryptoKey is kept whole, bytes unreadable).
    pub fn as_stored(&self) -> &JsValue {
        &self.key
    }

    /// A key IndexedDB kept whole, with the id of what it is (the device key, or the
    /// data key as phones kept it before the app lock).
    pub fn from_stored(value: JsValue, id: KeyId) -> Option<Self> {
        let key = value.dyn_into::<web_sys::CryptoKey>().ok()?;
        Some(Self { key, id })
    }

    /// Seals `plain` for `place`, with a fresh random nonce.
    pub async fn seal(&self, plain: &[u8], place: Place<'_>) -> Result<Vec<u8>, StorageError> {
        let mut nonce = [0u8; NONCE_BYTES];
        crate::platform::fill_random(&mut nonce).ok_or(StorageError::NotProtected)?;
        self.seal_with_nonce(plain, place, &nonce).await
    }

    /// Seals with a given nonce: only `seal` (fresh nonces) and the known-answer test.
    pub async fn seal_with_nonce(
        &self,
        plain: &[u8],
        place: Place<'_>,
        nonce: &[u8; NONCE_BYTES],
    ) -> Result<Vec<u8>, StorageError> {
        let params = gcm(nonce, &self.associated_data(place));
        let ciphertext =
            resolve(subtle()?.encrypt_with_object_and_u8_array(&params, &self.key, plain))
                .await
                .map_err(crypto_failed)?;
        Ok(sealed::to_stored(
            self.id,
            nonce,
            &Uint8Array::new(&ciphertext).to_vec(),
        ))
    }

    /// Opens a sealed record kept at `place`. A changed byte, a record moved from
    /// elsewhere, or one sealed by another key, fails authentication and is refused.
    pub async fn open(&self, stored: &[u8], place: Place<'_>) -> Result<Vec<u8>, SealError> {
        let record = self.read(stored)?;
        let subtle = subtle().map_err(|_| SealError::Damaged)?;
        let plain = resolve(subtle.decrypt_with_object_and_u8_array(
            &gcm(record.nonce, &record.associated_data(place)),
            &self.key,
            record.ciphertext,
        ))
        .await
        .map_err(|_| SealError::Damaged)?;
        Ok(Uint8Array::new(&plain).to_vec())
    }
}

/// A PIN or passphrase in Unicode's composed form (NFC), which keys are derived from: the
/// same words typed on another keyboard or system give the same key.
pub fn normalised(secret: &str) -> String {
    js_sys::JsString::from(secret).normalize("NFC").into()
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
