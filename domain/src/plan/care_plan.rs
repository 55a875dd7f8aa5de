//! The care and support plan as the person reads it: each life area with its rating, what
//! they would like to be different and its goals (each goal with its actions), where their
//! support sits on the continuum, and when the plan is next looked at together.

use super::schema::{LIFE_AREAS, area_different_field, area_rating_choice};
use super::{ItemView, SectionView};

#[derive(Debug, Clone, PartialEq)]
pub struct CarePlan {
    pub areas: Vec<LifeArea>,
    /// Goals whose life area is missing (written by a later version, perhaps): still shown.
    pub other_goals: Vec<Goal>,
    /// Actions whose goal was removed, perhaps on another phone: still shown, never lost.
    pub orphan_actions: Vec<ItemView>,
    pub continuum: Option<String>,
    pub next_review: Option<String>,
    pub support_network: Vec<ItemView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LifeArea {
    pub key: &'static str,
    /// How satisfied the person is, 1 to 7, if they chose to say.
    pub rating: Option<u8>,
    pub different: String,
    pub goals: Vec<Goal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub item: ItemView,
    pub actions: Vec<ItemView>,
}

impl LifeArea {
    /// Whether anything was written or picked for this area.
    pub fn has_anything(&self) -> bool {
        self.rating.is_some() || !self.different.trim().is_empty() || !self.goals.is_empty()
    }
}

impl CarePlan {
    pub fn from_view(view: &SectionView) -> Self {
        let mut actions: Vec<ItemView> = view.items("actions").to_vec();
        let mut goal_with_actions = |item: &ItemView| {
            let (mine, rest) = actions.drain(..).partition(|a| a.part("goal") == item.id);
            actions = rest;
            Goal {
                item: item.clone(),
                actions: mine,
            }
        };
        let goals = view.items("goals");
        let areas = LIFE_AREAS
            .iter()
            .map(|key| LifeArea {
                key,
                rating: area_rating_choice(key).and_then(|c| view.choice(c).parse().ok()),
                different: area_different_field(key)
                    .map(|f| view.field(f).to_string())
                    .unwrap_or_default(),
                goals: goals
                    .iter()
                    .filter(|g| g.part("area") == *key)
                    .map(&mut goal_with_actions)
                    .collect(),
            })
            .collect();
        let other_goals = goals
            .iter()
            .filter(|g| !LIFE_AREAS.contains(&g.part("area")))
            .map(&mut goal_with_actions)
            .collect();
        let picked = |name: &str| Some(view.choice(name).to_string()).filter(|v| !v.is_empty());
        Self {
            areas,
            other_goals,
            orphan_actions: actions,
            continuum: picked("continuum"),
            next_review: picked("next_review"),
            support_network: view.items("support_network").to_vec(),
        }
    }

    pub fn area(&self, key: &str) -> Option<&LifeArea> {
        self.areas.iter().find(|a| a.key == key)
    }
}
