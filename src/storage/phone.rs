//! The browser as a whole: stepping aside when another tab upgrades or deletes the
//! database, and "Forget this phone", which removes everything Coplan keeps here.

use indexed_db_futures::database::Database;

use super::{DATABASE_NAME, Phase, Storage, StorageError, describe, set_phase, write_failed};

/// When another tab upgrades or deletes the database ("Forget this phone"), this tab
/// closes its connection so that tab is not kept waiting. After a deletion this tab
/// shows a page saying so (which reads no storage), so it shows nothing no longer kept.
pub(super) fn step_aside_for_other_tabs(db: &Database) {
    use indexed_db_futures::internals::SystemRepr;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let connection = db.as_sys().clone();
    let db = connection.clone();
    let on_change = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        db.close();
        let deleted = js_sys::Reflect::get(&event, &"newVersion".into())
            .map(|v| v.is_null())
            .unwrap_or(false);
        if deleted {
            super::mark_forgotten();
            crate::platform::replace_route("/forgotten");
        } else {
            use leptos::prelude::Set;
            set_phase(Phase::Closed);
            super::updated_elsewhere().set(true);
        }
    });
    connection.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
    // The connection lives as long as the page, and so does its listener.
    on_change.forget();
}

impl Storage {
    /// Deletes everything Coplan keeps in this browser: the database (after closing this
    /// tab's connection), the offline copy, the service worker and any site storage.
    pub async fn forget_this_phone() -> Result<(), StorageError> {
        Self::forget(DATABASE_NAME).await
    }

    /// The same, for the database called `name` (tests use their own): the plans, then
    /// the app's worker and its offline copy.
    pub(crate) async fn forget(name: &str) -> Result<(), StorageError> {
        use wasm_bindgen_futures::JsFuture;
        Self::forget_plans(name).await?;
        let Some(window) = web_sys::window() else {
            return Ok(());
        };
        let failed = |e: wasm_bindgen::JsValue| StorageError::WriteFailed {
            detail: super::describe_js(&e),
        };
        // The worker first, so no install of it writes a cache after they are deleted.
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
        if let Ok(caches) = window.caches() {
            let names = JsFuture::from(caches.keys()).await.map_err(failed)?;
            for name in js_sys::Array::from(&names).iter() {
                let name = name.as_string().unwrap_or_default();
                JsFuture::from(caches.delete(&name)).await.map_err(failed)?;
            }
        }
        Ok(())
    }

    /// Removes every plan and setting, but not the app: the offline copy of Coplan and
    /// its 24/7 lines stay (H3). Used when the chosen number of wrong tries is reached.
    pub(crate) async fn forget_plans(name: &str) -> Result<(), StorageError> {
        if name == DATABASE_NAME
            && let Some(storage) = super::mark_forgotten()
        {
            storage.close();
        }
        Database::delete_by_name(name)
            .map_err(|e| StorageError::WriteFailed {
                detail: describe(&e),
            })?
            .await
            .map_err(write_failed)?;
        if let Some(window) = web_sys::window() {
            for storage in [window.local_storage(), window.session_storage()]
                .into_iter()
                .flatten()
                .flatten()
            {
                let _ = storage.clear();
            }
        }
        Ok(())
    }
}
