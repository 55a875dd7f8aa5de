//! Saving the open plan as a file, and bringing a plan back from one. A file is checked in
//! full (`PlanFile::parse`) before anything is stored; a bad file changes nothing.

use coplan_domain::PlanDraft;
use coplan_domain::lock::{self, SecretKind};
use coplan_domain::plan::file::{LockedFile, PlanFile};
use coplan_domain::plan::{SectionDoc, SectionKind};
use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::session::open_plan;
use crate::i18n::{Say, Text, t};
use crate::lock::SecretInput;
use crate::platform::{fresh_client_id, now_ms};
use crate::storage::{DataKey, Storage};

/// "Save a copy of my plan", with what the file is and is not.
#[component]
pub fn ExportButton() -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let passphrase = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let kind = RwSignal::new(SecretKind::Passphrase);
    // With the app lock on, a copy is locked too unless the person says otherwise: a
    // plain file in Downloads would undo the lock.
    let app_lock = use_context::<crate::lock::AppLock>();
    let locked_here = move || app_lock.is_some_and(|lock| lock.is_set());
    let unlocked_ok = RwSignal::new(false);
    let save = move |_| {
        let (typed, twice) = (passphrase.get_untracked(), again.get_untracked());
        if !typed.is_empty()
            && let Err(e) = lock::check_new_secret(SecretKind::Passphrase, &typed, &twice)
        {
            problem.set(Some(e.say()));
            return;
        }
        if typed.is_empty() && locked_here() && !unlocked_ok.get_untracked() {
            problem.set(Some(t(Text::CopyNeedsPassphrase).to_string()));
            return;
        }
        spawn_local(async move {
            match export(&typed).await {
                Ok(()) => problem.set(None),
                Err(message) => problem.set(Some(message)),
            }
        })
    };
    view! {
        <section class="app-step" aria-labelledby="keep-a-copy">
            <h2 id="keep-a-copy">{t(Text::KeepACopyHeading)}</h2>
            <p>{t(Text::KeepACopyBody)}</p>
            {move || problem.get().map(|message| view! {
                <p class="app-field__error" role="alert">
                    <span class="app-visually-hidden">{t(Text::ErrorPrefix)}" "</span>{message}
                </p>
            })}
            <SecretInput id="file-passphrase" label=Text::FilePassphrase kind=kind value=passphrase/>
            <SecretInput id="file-passphrase-again" label=Text::LockAgain kind=kind value=again/>
            <div class="app-check" hidden=move || !locked_here()>
                <input
                    id="file-without-passphrase"
                    class="app-check__box"
                    type="checkbox"
                    prop:checked=move || unlocked_ok.get()
                    on:change=move |ev| unlocked_ok.set(event_target_checked(&ev))
                />
                <label class="app-check__label" for="file-without-passphrase">{t(Text::SaveWithoutPassphrase)}</label>
            </div>
            <button class="app-button app-button--secondary" type="button" on:click=save>{t(Text::SaveACopy)}</button>
        </section>
    }
}

/// Everything of the open plan, as a file the browser downloads; locked with
/// `passphrase` unless it is empty.
async fn export(passphrase: &str) -> Result<(), String> {
    let storage = Storage::shared().await.map_err(|e| e.say())?;
    let plan = open_plan(&storage)
        .await
        .map_err(|e| e.say())?
        .ok_or_else(|| t(Text::NoPlanToSave).to_string())?;
    let draft = storage
        .current_draft()
        .await
        .map_err(|e| e.say())?
        .ok_or_else(|| t(Text::NoPlanToSave).to_string())?;
    let mut sections = Vec::new();
    for kind in SectionKind::ALL {
        let stored = storage
            .load_section(&plan, kind)
            .await
            .map_err(|e| e.say())?;
        if stored.snapshot.is_none() && stored.updates.is_empty() {
            continue;
        }
        let doc = SectionDoc::new(kind, fresh_client_id());
        for update in stored.all_updates() {
            doc.apply_stored(update).map_err(|e| e.say())?;
        }
        sections.push((kind, doc.encode_state()));
    }
    let file = PlanFile {
        plan_id: plan,
        created_at_ms: draft.created_at_ms,
        exported_at_ms: now_ms(),
        sections,
    };
    let mut bytes = file.to_bytes();
    let mut name = file.suggested_file_name();
    if !passphrase.is_empty() {
        bytes = lock_file(passphrase, &bytes).await.map_err(|e| e.say())?;
        name = name.replace(".json", "-locked.json");
    }
    download(&bytes, &name).map_err(|_| t(Text::SaveACopyFailed).to_string())
}

/// A plan file sealed under a key from `passphrase` (fresh salt, PBKDF2-SHA-256).
async fn lock_file(
    passphrase: &str,
    plain: &[u8],
) -> Result<Vec<u8>, crate::storage::StorageError> {
    let mut salt = vec![0u8; lock::SALT_BYTES];
    crate::platform::fill_random(&mut salt).ok_or(crate::storage::StorageError::NotProtected)?;
    let key = DataKey::from_secret(passphrase, &salt, lock::ITERATIONS).await?;
    let sealed = key.seal(plain, LockedFile::PLACE).await?;
    Ok(LockedFile {
        iterations: lock::ITERATIONS,
        salt,
        sealed,
    }
    .to_bytes())
}

fn download(bytes: &[u8], name: &str) -> Result<(), JsValue> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(JsValue::NULL)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // Withdrawn later, not at once: some browsers cancel a download whose address goes
    // while it starts.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        REVOKE_AFTER,
    );
    Ok(())
}

/// How long a saved copy's address outlives the download it starts.
const REVOKE_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// "Open a plan from a file": checked in full, then merged in one transaction.
#[component]
pub fn ImportForm(#[prop(into)] on_imported: Callback<()>) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    // A locked file waiting for its passphrase.
    let locked = RwSignal::new(None::<LockedFile>);
    let passphrase = RwSignal::new(String::new());
    let kind = RwSignal::new(SecretKind::Passphrase);
    let finish = move |result: Result<(), String>| match result {
        Ok(()) => {
            problem.set(None);
            locked.set(None);
            done.set(true);
            // Nothing to tell if the person has left the screen meanwhile.
            let _ = on_imported.try_run(());
        }
        Err(message) => problem.set(Some(message)),
    };
    let unlock_file = move |_| {
        let Some(file) = locked.get_untracked() else {
            return;
        };
        let typed = passphrase.get_untracked();
        passphrase.set(String::new());
        spawn_local(async move { finish(open_locked(&file, &typed).await) });
    };
    let chosen = move |ev: web_sys::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        done.set(false);
        locked.set(None);
        spawn_local(async move {
            match read_file(file).await {
                Ok(Chosen::Locked(file)) => {
                    problem.set(None);
                    locked.set(Some(file));
                }
                Ok(Chosen::Plain(bytes)) => finish(import(&bytes).await),
                Err(message) => problem.set(Some(message)),
            }
        });
    };
    view! {
        <section class="app-step" aria-labelledby="open-from-file">
            <h2 id="open-from-file">{t(Text::OpenFromFileHeading)}</h2>
            <div class="app-field">
                <label class="app-field__label" for="plan-file">{t(Text::ChooseAFile)}</label>
                <span class="app-field__hint" id="plan-file-hint">{t(Text::ChooseAFileHint)}</span>
                {move || problem.get().map(|message| view! {
                    <span class="app-field__error" id="plan-file-error" role="alert">
                        <span class="app-visually-hidden">{t(Text::ErrorPrefix)}" "</span>{message}
                    </span>
                })}
                <input
                    class="app-field__file"
                    id="plan-file"
                    type="file"
                    accept=".json,application/json"
                    data-steps-out=""
                    aria-describedby=move || if problem.with(Option::is_some) { "plan-file-hint plan-file-error" } else { "plan-file-hint" }
                    on:change=chosen
                />
            </div>
            <div hidden=move || locked.with(Option::is_none)>
                <SecretInput id="file-unlock" label=Text::FileIsLocked kind=kind value=passphrase/>
                <button class="app-button app-button--secondary" type="button" on:click=unlock_file>{t(Text::OpenLockedFile)}</button>
            </div>
            <p role="status">{move || done.get().then(|| t(Text::PlanOpenedFromFile))}</p>
        </section>
    }
}

enum Chosen {
    Plain(Vec<u8>),
    Locked(LockedFile),
}

/// The chosen file's bytes, or the locked file they hold.
async fn read_file(file: web_sys::File) -> Result<Chosen, String> {
    if file.size() > LockedFile::MAX_FILE_BYTES as f64 {
        return Err(coplan_domain::plan::file::FileError::TooLarge.say());
    }
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| t(Text::FileUnreadable).to_string())?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    match LockedFile::parse(&bytes).map_err(|e| e.say())? {
        Some(locked) => Ok(Chosen::Locked(locked)),
        None => Ok(Chosen::Plain(bytes)),
    }
}

/// A locked file, opened with its passphrase, then loaded like any plan file.
async fn open_locked(file: &LockedFile, passphrase: &str) -> Result<(), String> {
    let key = DataKey::from_secret(passphrase, &file.salt, file.iterations)
        .await
        .map_err(|e| e.say())?;
    let mut plain = key.open(&file.sealed, LockedFile::PLACE).await.ok();
    // A file locked before passphrases were normalised holds a key from the words as
    // typed.
    if plain.is_none() && crate::storage::normalised(passphrase) != passphrase {
        let key = DataKey::from_secret_as_typed(passphrase, &file.salt, file.iterations)
            .await
            .map_err(|e| e.say())?;
        plain = key.open(&file.sealed, LockedFile::PLACE).await.ok();
    }
    let plain = plain.ok_or_else(|| t(Text::FilePassphraseWrong).to_string())?;
    import(&plain).await
}

async fn import(bytes: &[u8]) -> Result<(), String> {
    // Checked away from the app first: only a file that loads whole there is read here.
    crate::checker::check_plan_file(bytes)
        .await
        .map_err(|refused| match refused {
            crate::checker::Refused::File(e) => e.say(),
            crate::checker::Refused::Unchecked => t(Text::FileNotChecked).to_string(),
        })?;
    let parsed = PlanFile::parse(bytes).map_err(|e| e.say())?;
    let storage = Storage::shared().await.map_err(|e| e.say())?;
    let mut draft = PlanDraft::new(parsed.plan_id.clone(), parsed.created_at_ms);
    draft.updated_at_ms = parsed.exported_at_ms;
    // Each section joins what is on the phone as one more change: a merge, never a
    // replacement, in one transaction.
    storage
        .import_plan(&draft, &parsed.sections, fresh_client_id().into())
        .await
        .map_err(|e| e.say())?;
    // The file may hold changes made under ids this phone writes under, beyond what its
    // records hold now (a plan removed and brought back): none of them is used again.
    super::writer::retire_everywhere();
    Ok(())
}
