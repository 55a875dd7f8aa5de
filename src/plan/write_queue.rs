//! One section's changes on their way to IndexedDB: one write at a time, and every change
//! queued behind it goes with the next write, merged into one update. A failed write puts
//! its update back at the front of the queue, so it goes with the next write too and no
//! later change is ever stored without it (a later change builds on it and would not show
//! without it).

use std::cell::{Cell, RefCell};

use coplan_domain::plan::{PlanError, SectionDoc};

#[derive(Default)]
pub struct WriteQueue {
    waiting: RefCell<Vec<Vec<u8>>>,
    in_flight: Cell<bool>,
}

impl WriteQueue {
    /// Queues one change's update.
    pub fn push(&self, update: Vec<u8>) {
        self.waiting.borrow_mut().push(update);
    }

    /// The next write: everything waiting, as one update. None while a write is on its
    /// way or nothing waits.
    pub fn start(&self) -> Option<Result<Vec<u8>, PlanError>> {
        if self.in_flight.get() || self.waiting.borrow().is_empty() {
            return None;
        }
        let waiting = std::mem::take(&mut *self.waiting.borrow_mut());
        let merged = SectionDoc::merge_updates(&waiting);
        match &merged {
            Ok(merged) => self.waiting.borrow_mut().push(merged.clone()),
            // Never expected (each came from this tab's document): keep them as they were.
            Err(_) => *self.waiting.borrow_mut() = waiting,
        }
        if merged.is_ok() {
            self.in_flight.set(true);
        }
        Some(merged)
    }

    /// The write started last has ended. Stored: its update leaves the queue. Failed: it
    /// stays first in line.
    pub fn finished(&self, stored: bool) {
        self.in_flight.set(false);
        if stored {
            self.waiting.borrow_mut().remove(0);
        }
    }

    /// Changes not yet stored (the one on its way included).
    pub fn outstanding(&self) -> u32 {
        self.waiting.borrow().len() as u32
    }
}
