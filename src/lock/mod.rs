//! The app lock as the app sees it: whether Coplan is opening, open or locked, and what
//! locks it: the person ("Lock now", quick hide), another tab, or auto-lock after a
//! chosen time in the background or without use. Following a Call or Text link skips
//! the background lock once, so a call from the safety plan never ends at a PIN prompt.
//!
//! Locking lets go of the data key (`Storage::lock_shared`); writes already under way
//! finish with the key they hold, so no word typed before the lock is lost.

mod screen;
mod settings;

use std::rc::Rc;
use std::time::Duration;

use coplan_domain::lock::SecretKind;
use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

pub use screen::LockScreen;
pub use settings::LockSettings;
pub(crate) use settings::SecretInput;

use crate::platform::{mark, replace_route};
use crate::storage::{Locked, Opened, Storage, UnlockError};

/// The channel tabs tell each other to lock on (it carries no plan text).
const CHANNEL: &str = "coplan:lock";
const IDLE_CHECK_EVERY: Duration = Duration::from_secs(15);
/// A tap that hands the screen to the phone (a Call or Text link, choosing a file, the
/// print screen) counts only if the page hides this soon after.
const STEP_OUT_HIDES_WITHIN_MS: f64 = 5_000.0;
/// However long a call lasts, coming back after this long meets the lock as usual.
const CALL_AT_MOST_MS: f64 = 2.0 * 60.0 * 60.0 * 1_000.0;
/// The same for choosing a file or printing.
const CHOOSING_AT_MOST_MS: f64 = 10.0 * 60.0 * 1_000.0;
/// What hands the screen to the phone and back: Call and Text links, and controls marked
/// `data-steps-out` (the file chooser, the print buttons). With "lock at once", leaving
/// through one of these does not tear down what the person was doing.
const STEPS_OUT: &str = "a[href^='tel:'], a[href^='sms:'], [data-steps-out]";
/// Where every tab of this phone writes when it was last used (so one tab in use keeps
/// the others from locking for lack of use), at most this often.
const LAST_USE_KEY: &str = "coplan:last-use";
const LAST_USE_WRITE_EVERY_MS: f64 = 5_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The database is opening: only the header (with the safety plan button) shows.
    Opening,
    Open,
    Locked,
}

/// The auto-lock choices of the lock that is set.
#[derive(Debug, Clone, Copy, PartialEq)]
struct AutoLock {
    grace_ms: f64,
    /// 0: never for idleness.
    idle_ms: f64,
}

#[derive(Clone, Copy)]
pub struct AppLock {
    pub gate: RwSignal<Gate>,
    /// The lock screen's part of the database, while locked.
    locked: StoredValue<Option<Rc<Locked>>, LocalStorage>,
    /// Set while a lock is set and Coplan is open.
    auto: StoredValue<Option<AutoLock>>,
    /// When something that hands the screen to the phone was last tapped, and how long
    /// the person may then be away (cleared when the page next hides).
    stepped_out_at: StoredValue<Option<(f64, f64)>>,
    /// The page hid for a call, a file or printing (within seconds of the tap): how long
    /// it may stay away without locking.
    stepped_out: StoredValue<Option<f64>>,
    hidden_at: StoredValue<Option<f64>>,
    last_use: StoredValue<f64>,
    /// When this tab last wrote its use for the others.
    last_use_shared: StoredValue<f64>,
    channel: StoredValue<Option<web_sys::BroadcastChannel>, LocalStorage>,
}

impl AppLock {
    /// Opens the database and listens for what locks the app.
    pub fn install() -> Self {
        let lock = Self {
            gate: RwSignal::new(Gate::Opening),
            locked: StoredValue::new_local(None),
            auto: StoredValue::new(None),
            stepped_out_at: StoredValue::new(None),
            stepped_out: StoredValue::new(None),
            hidden_at: StoredValue::new(None),
            last_use: StoredValue::new(js_sys::Date::now()),
            last_use_shared: StoredValue::new(0.0),
            channel: StoredValue::new_local(web_sys::BroadcastChannel::new(CHANNEL).ok()),
        };
        provide_context(lock);
        mark("coplan:app-opening");
        spawn_local(async move {
            match Opened::shared().await {
                Ok(Opened::Open(storage)) => lock.opened(&storage).await,
                Ok(Opened::Locked(locked)) => lock.show_locked(locked),
                // Each screen says plainly what went wrong with storage.
                Err(_) => lock.gate.set(Gate::Open),
            }
        });
        lock.listen();
        lock
    }

    fn listen(self) {
        let _ = window_event_listener_untyped("visibilitychange", move |_| self.on_visibility());
        for event in ["pointerdown", "keydown"] {
            let _ = window_event_listener_untyped(event, move |_| self.used());
        }
        let _ = window_event_listener(ev::click, move |event| {
            let link = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|e| e.closest(STEPS_OUT).ok().flatten());
            if let Some(link) = link {
                let at_most = if link.has_attribute("data-steps-out") {
                    CHOOSING_AT_MOST_MS
                } else {
                    CALL_AT_MOST_MS
                };
                self.stepped_out_at
                    .set_value(Some((js_sys::Date::now(), at_most)));
            }
        });
        let _ = set_interval_with_handle(move || self.check_idle(), IDLE_CHECK_EVERY);
        if let Some(channel) = self.channel.get_value() {
            let on_message = Closure::<dyn Fn()>::new(move || self.lock_if_set(false));
            channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            // The app's lock listener lives as long as the page.
            on_message.forget();
        }
    }

    /// Open and unlocked: reads the lock's auto-lock choices, if one is set.
    async fn opened(self, storage: &Storage) {
        self.last_use.set_value(js_sys::Date::now());
        let record = storage.lock().await.ok().flatten();
        self.auto.set_value(record.map(|r| AutoLock {
            grace_ms: f64::from(r.background_grace_s) * 1_000.0,
            idle_ms: f64::from(r.idle_s) * 1_000.0,
        }));
        mark("coplan:app-opened");
        self.gate.set(Gate::Open);
    }

    fn show_locked(self, locked: Locked) {
        self.locked.set_value(Some(Rc::new(locked)));
        self.auto.set_value(None);
        self.gate.set(Gate::Locked);
    }

    /// Whether a lock is set (and Coplan open).
    pub fn is_set(self) -> bool {
        self.auto.get_value().is_some()
    }

    /// Locks now, if a lock is set, and tells the other tabs to lock too.
    pub fn lock_now(self) {
        self.lock_if_set(true);
    }

    fn lock_if_set(self, tell_others: bool) {
        if tell_others {
            self.tell_others();
        }
        if self.auto.get_value().is_some() {
            self.let_go();
            return;
        }
        // Another tab may just have set a lock this tab has not heard of yet.
        if self.gate.get_untracked() == Gate::Open {
            spawn_local(async move {
                if let Ok(storage) = Storage::shared().await
                    && let Ok(Some(_)) = storage.lock().await
                {
                    self.let_go();
                }
            });
        }
    }

    fn let_go(self) {
        if let Some(locked) = Storage::lock_shared() {
            self.show_locked(locked);
        }
    }

    /// The lock was just set, changed or removed here: reads its choices again.
    pub fn changed(self) {
        spawn_local(async move {
            if let Ok(storage) = Storage::shared().await {
                self.opened(&storage).await;
            }
        });
    }

    /// A lock was just set here: every other tab locks.
    pub fn tell_others(self) {
        if let Some(channel) = self.channel.get_value() {
            let _ = channel.post_message(&"lock".into());
        }
    }

    /// Tries the PIN or passphrase; the app opens when it is right.
    pub async fn unlock(self, secret: &str) -> Result<(), UnlockError> {
        let Some(locked) = self.locked.get_value() else {
            return Ok(());
        };
        mark("coplan:unlocking");
        let storage = locked.unlock(secret, js_sys::Date::now()).await?;
        mark("coplan:unlocked");
        self.locked.set_value(None);
        self.opened(&storage).await;
        Ok(())
    }

    /// After everything was removed for too many wrong tries: the app shows the page
    /// saying so, which reads no storage.
    pub fn removed(self) {
        self.locked.set_value(None);
        replace_route("/forgotten");
        self.gate.set(Gate::Open);
    }

    pub fn locked_part(self) -> Option<Rc<Locked>> {
        self.locked.get_value()
    }

    fn on_visibility(self) {
        let Some(auto) = self.auto.get_value() else {
            return;
        };
        let hidden = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.hidden());
        let now = js_sys::Date::now();
        if hidden {
            // Stepped out only if the page hid within seconds of the tap: a tap that never
            // left the page (no dialler, a cancelled prompt) counts for nothing later.
            let tapped = self.stepped_out_at.write_value().take();
            let stepped_out = tapped
                .filter(|(at, _)| now - at <= STEP_OUT_HIDES_WITHIN_MS)
                .map(|(_, at_most)| at_most);
            self.stepped_out.set_value(stepped_out);
            self.hidden_at.set_value(Some(now));
            if auto.grace_ms <= 0.0 && stepped_out.is_none() {
                self.lock_now();
            }
            return;
        }
        let stepped_out = self.stepped_out.write_value().take();
        let Some(away) = self.hidden_at.write_value().take().map(|at| now - at) else {
            return;
        };
        let excused = stepped_out.is_some_and(|at_most| away < at_most);
        if !excused && away >= auto.grace_ms {
            self.lock_now();
        }
    }

    /// This tab was used: noted here, and for the other tabs (not on every key).
    fn used(self) {
        let now = js_sys::Date::now();
        self.last_use.set_value(now);
        let told = self.last_use_shared.get_value();
        // Only with a lock set (nothing else needs it), and never once the phone was
        // forgotten (nothing of Coplan is left in site storage).
        if self.auto.get_value().is_some()
            && !crate::storage::is_forgotten()
            && (now - told >= LAST_USE_WRITE_EVERY_MS || now < told)
            && let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten())
        {
            // Whole milliseconds, written and read as an integer: formatting or parsing an f64
            // would bring about 15 KB of float code onto the first visit.
            let _ = storage.set_item(LAST_USE_KEY, &(now as u64).to_string());
            self.last_use_shared.set_value(now);
        }
    }

    /// When the phone was last used in any tab of Coplan.
    fn last_use_anywhere(self) -> f64 {
        let shared = web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(LAST_USE_KEY).ok().flatten())
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0.0, |ms| ms as f64);
        self.last_use.get_value().max(shared)
    }

    fn check_idle(self) {
        if let Some(auto) = self.auto.get_value()
            && auto.idle_ms > 0.0
            && js_sys::Date::now() - self.last_use_anywhere() >= auto.idle_ms
        {
            self.lock_now();
        }
    }
}

/// The words for the secret's kind (a PIN, or a passphrase).
pub fn secret_label(kind: Option<SecretKind>) -> crate::i18n::Text {
    use crate::i18n::Text;
    match kind {
        Some(SecretKind::Pin) => Text::LockPin,
        Some(SecretKind::Passphrase) => Text::LockPassphrase,
        None => Text::LockPinOrPassphrase,
    }
}
