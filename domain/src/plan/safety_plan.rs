//! The safety plan as the person reads it: the steps in order, each with its items,
//! hidden steps marked (and left out of counts), contacts with a checked phone number.

use super::schema::SAFETY_PLAN_STEPS;
use super::{ItemView, SectionView};
use crate::phone::{PhoneError, PhoneNumber};

#[derive(Debug, Clone, PartialEq)]
pub struct SafetyPlan {
    pub steps: Vec<SafetyStep>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SafetyStep {
    /// The stored name of the step (`warning_signs`, …); the app finds its words by it.
    pub key: &'static str,
    pub hidden: bool,
    pub items: Vec<ItemView>,
}

impl SafetyPlan {
    pub fn from_view(view: &SectionView) -> Self {
        let steps = SAFETY_PLAN_STEPS
            .iter()
            .map(|key| {
                let list = view.lists.get(key).cloned().unwrap_or_default();
                SafetyStep {
                    key,
                    hidden: list.hidden,
                    items: list.items,
                }
            })
            .collect();
        Self { steps }
    }

    /// How many items the shown steps hold (hidden steps are not counted).
    pub fn shown_item_count(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| !s.hidden)
            .map(|s| s.items.len())
            .sum()
    }
}

/// A contact's number, checked: None when no number was written.
pub fn contact_phone(item: &ItemView) -> Option<Result<PhoneNumber, PhoneError>> {
    let typed = item.part("phone");
    (!typed.trim().is_empty()).then(|| PhoneNumber::parse(typed))
}
