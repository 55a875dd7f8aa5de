//! One section open for writing on a screen: its view, the edit path (every change goes
//! to IndexedDB before anything else happens to it), the problem line, and undo for
//! removals and cleared words, shared by every editor on the screen.

use crate::i18n::Say;
use std::rc::Rc;
use std::time::Duration;

use coplan_domain::plan::{Edit, ItemId, SectionKind, SectionView, Toward};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::session::SectionSession;
use crate::components::save_status::SaveStatus;
use crate::i18n::Text;

/// How long the undo bar stays on screen.
pub const UNDO_FOR: Duration = Duration::from_secs(12);

/// What Undo puts back: the edits that restore it, and what the bar says.
#[derive(Debug, Clone, PartialEq)]
pub struct Undoable {
    pub said: Text,
    pub restore: Vec<Edit>,
    /// Tells one removal from the next, so an old bar's timer never hides a new one.
    pub serial: u64,
}

#[derive(Clone, Copy)]
pub struct Editing {
    pub kind: SectionKind,
    pub view: RwSignal<SectionView>,
    pub status: RwSignal<SaveStatus>,
    pub writing: RwSignal<u32>,
    pub problem: RwSignal<Option<String>>,
    pub undo: RwSignal<Option<Undoable>>,
    /// True once the section is open: fields appear only then, so nothing typed goes nowhere.
    pub ready: RwSignal<bool>,
    /// True while the section is getting too long to go into a saved copy.
    pub long: RwSignal<bool>,
    session: StoredValue<Option<Rc<SectionSession>>, LocalStorage>,
    serial: StoredValue<u64>,
}

impl Editing {
    /// Opens `kind` of the plan open on this phone (starting a plan if there is none).
    pub fn open(kind: SectionKind) -> Self {
        let editing = Self {
            kind,
            view: RwSignal::new(SectionView::default()),
            status: RwSignal::new(SaveStatus::Idle),
            writing: RwSignal::new(0),
            problem: RwSignal::new(None),
            undo: RwSignal::new(None),
            ready: RwSignal::new(false),
            long: RwSignal::new(false),
            session: StoredValue::new_local(None),
            serial: StoredValue::new(0),
        };
        // Leaving the page, or hiding it, tries at once any write waiting to be retried.
        for event in ["pagehide", "visibilitychange"] {
            let handle = window_event_listener_untyped(event, move |_| {
                if let Some(session) = editing.session.try_get_value().flatten() {
                    session.flush();
                }
            });
            on_cleanup(move || handle.remove());
        }
        spawn_local(async move {
            let opened = SectionSession::open(
                kind,
                editing.view,
                editing.status,
                editing.writing,
                editing.long,
            )
            .await;
            match opened {
                Ok(session) => {
                    if session.damaged > 0 {
                        let damaged = coplan_domain::sealed::SealError::Damaged;
                        editing.problem.set(Some(damaged.say()));
                    }
                    editing.session.set_value(Some(session));
                    editing.ready.set(true);
                }
                Err(e) => editing.problem.set(Some(e.say())),
            }
        });
        editing
    }

    /// Makes a change; a refused one is said on the problem line, and nothing changes.
    pub fn edit(&self, edit: Edit) {
        let Some(session) = self.session.get_value() else {
            return;
        };
        match session.edit(edit) {
            Ok(()) => self.problem.set(None),
            Err(e) => self.problem.set(Some(e.say())),
        }
    }

    /// A field's new words; emptying a field that held words can be undone.
    pub fn set_field(&self, field: &'static str, text: String) {
        let before = self.view.with_untracked(|v| v.field(field).to_string());
        let cleared = text.trim().is_empty() && !before.trim().is_empty();
        self.edit(Edit::SetField { field, text });
        if cleared {
            self.offer_undo(
                Text::ClearedWords,
                vec![Edit::SetField {
                    field,
                    text: before,
                }],
            );
        }
    }

    /// One part of an item's new words; emptying words can be undone.
    pub fn set_part(&self, list: &'static str, id: &str, part: &'static str, text: String) {
        let Ok(item) = ItemId::parse(id) else { return };
        let before = self
            .view
            .with_untracked(|v| v.part(list, id, part).to_string());
        let cleared = text.trim().is_empty() && !before.trim().is_empty();
        self.edit(Edit::SetPart {
            list,
            id: item.clone(),
            part,
            text,
        });
        if cleared {
            self.offer_undo(
                Text::ClearedWords,
                vec![Edit::SetPart {
                    list,
                    id: item,
                    part,
                    text: before,
                }],
            );
        }
    }

    /// Removes items (an item, or a goal with its actions), offering to put them back
    /// where they were.
    pub fn remove_items(&self, items: &[(&'static str, String)]) {
        let view = self.view.get_untracked();
        let mut restore = Vec::new();
        for (list, id) in items {
            let all = view.items(list);
            let Some(index) = all.iter().position(|i| i.id == *id) else {
                continue;
            };
            let Ok(item) = ItemId::parse(id) else {
                continue;
            };
            let parts = all[index]
                .parts
                .iter()
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            restore.push(Edit::AddItem {
                list,
                id: item.clone(),
                parts,
            });
            // Back at the end of the list, then up to where it was.
            let moves = all.len() - 1 - index;
            restore.extend((0..moves).map(|_| Edit::MoveItem {
                list,
                id: item.clone(),
                toward: Toward::Start,
            }));
            self.edit(Edit::RemoveItem { list, id: item });
        }
        if !restore.is_empty() {
            self.offer_undo(Text::RemovedItem, restore);
        }
    }

    fn offer_undo(&self, said: Text, restore: Vec<Edit>) {
        let serial = self.serial.get_value() + 1;
        self.serial.set_value(serial);
        self.undo.set(Some(Undoable {
            said,
            restore,
            serial,
        }));
        let undo = self.undo;
        set_timeout(
            move || {
                // The screen may be gone by now: a dropped signal is left alone.
                let shown = undo.try_with_untracked(|u| u.as_ref().map(|u| u.serial));
                if shown.flatten() == Some(serial) {
                    undo.set(None);
                }
            },
            UNDO_FOR,
        );
    }

    /// Puts back what the undo bar offers.
    pub fn undo(&self) {
        let Some(undoable) = self.undo.get_untracked() else {
            return;
        };
        self.undo.set(None);
        for edit in undoable.restore {
            self.edit(edit);
        }
    }
}
