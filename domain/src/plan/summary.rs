//! What a section holds, counted in neutral words for the plan overview ("Warning signs:
//! 2"), never as progress: no percentages, nothing "incomplete", hidden steps not counted.

use super::check_ins::check_ins;
use super::schema::LIFE_AREAS;
use super::{SectionKind, SectionView};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryLine {
    /// A list with items in it (hidden lists are left out).
    Count { list: &'static str, count: usize },
    /// The fields with words in them.
    Written { fields: Vec<&'static str> },
    /// How many life areas have a rating.
    Rated { count: usize },
    /// Actions, and how many of them are done.
    Steps { count: usize, done: usize },
    /// How many check-ins, and when the last was made.
    CheckIns { count: usize, last_at_ms: u64 },
}

/// What a section holds; empty when nothing was written ("Nothing here yet").
pub fn summarise(kind: SectionKind, view: &SectionView) -> Vec<SummaryLine> {
    let mut lines = Vec::new();
    let fields: Vec<&'static str> = kind
        .spec()
        .fields
        .iter()
        .filter(|f| !view.field(f.name).trim().is_empty())
        .map(|f| f.name)
        .collect();
    match kind {
        SectionKind::CheckIns => {
            let all = check_ins(view);
            if let Some(last) = all.last() {
                lines.push(SummaryLine::CheckIns {
                    count: all.len(),
                    last_at_ms: last.at_ms,
                });
            }
            return lines;
        }
        SectionKind::CarePlan => {
            let rated = LIFE_AREAS
                .iter()
                .filter(|a| !view.choice(&format!("rating_{a}")).is_empty())
                .count();
            if rated > 0 {
                lines.push(SummaryLine::Rated { count: rated });
            }
            if !fields.is_empty() {
                lines.push(SummaryLine::Written { fields });
            }
            count(&mut lines, view, "goals");
            let actions = view.items("actions");
            if !actions.is_empty() {
                lines.push(SummaryLine::Steps {
                    count: actions.len(),
                    done: actions.iter().filter(|a| a.part("done") == "yes").count(),
                });
            }
            count(&mut lines, view, "support_network");
            return lines;
        }
        _ => {}
    }
    if !fields.is_empty() {
        lines.push(SummaryLine::Written { fields });
    }
    for list in kind.spec().lists {
        count(&mut lines, view, list.name);
    }
    lines
}

fn count(lines: &mut Vec<SummaryLine>, view: &SectionView, list: &'static str) {
    let Some(found) = view.lists.get(list) else {
        return;
    };
    if !found.hidden && !found.items.is_empty() {
        lines.push(SummaryLine::Count {
            list,
            count: found.items.len(),
        });
    }
}
