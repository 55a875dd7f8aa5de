//! Files the end-to-end tests need that only the domain can make, written natively before
//! they run (`target/e2e/`).

use std::path::{Path, PathBuf};

use coplan_domain::PlanId;
use coplan_domain::plan::file::PlanFile;
use coplan_domain::plan::schema::PartKind;
use coplan_domain::plan::{AuthorId, Edit, ItemId, SectionDoc, SectionKind, Stamp};

/// Where the plan with a very long care plan is written.
pub const LONG_PLAN: &str = "target/e2e/long-care-plan.json";

/// Writes every fixture; returns the long plan's path.
pub fn write() -> anyhow::Result<PathBuf> {
    let path = Path::new(LONG_PLAN);
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    std::fs::write(path, long_care_plan(800 * 1024))?;
    Ok(path.to_path_buf())
}

/// A plan file whose care plan holds at least `bytes`: its fields and then its lists'
/// items filled to their longest, in letters that take four bytes each. Below the 1 MiB a
/// file's section may hold, above the point where Coplan warns that a section is getting
/// too long.
pub fn long_care_plan(bytes: usize) -> Vec<u8> {
    let stamp = Stamp {
        author: AuthorId::parse("person").expect("a valid id"),
        at_ms: 1_764_000_000_000,
    };
    let doc = SectionDoc::new(SectionKind::CarePlan, 1);
    let spec = SectionKind::CarePlan.spec();
    let long = |chars: u32| "\u{1F30A}".repeat(chars as usize);
    for field in spec.fields {
        let edit = Edit::SetField {
            field: field.name,
            text: long(field.max_chars),
        };
        doc.apply(&edit, &stamp).expect("a valid edit");
    }
    let mut item = 0;
    'filling: for list in spec.lists {
        for _ in 0..list.max_items {
            if doc.encode_state().len() >= bytes {
                break 'filling;
            }
            item += 1;
            let parts = list
                .parts
                .iter()
                .filter(|part| part.kind == PartKind::Text)
                .map(|part| (part.name, long(part.max_chars)))
                .collect();
            let edit = Edit::AddItem {
                list: list.name,
                id: ItemId::parse(&format!("item-{item}")).expect("a valid id"),
                parts,
            };
            doc.apply(&edit, &stamp).expect("a valid edit");
        }
    }
    PlanFile {
        plan_id: PlanId::parse("plan-long").expect("a valid id"),
        created_at_ms: 1_700_000_000_000,
        exported_at_ms: 1_764_000_000_000,
        sections: vec![(SectionKind::CarePlan, doc.encode_state())],
    }
    .to_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_long_plan_is_long_but_still_a_file_coplan_opens() {
        let bytes = super::long_care_plan(800 * 1024);
        let file = coplan_domain::plan::file::PlanFile::parse(&bytes).expect("it opens");
        let state = &file.sections[0].1;
        assert!(state.len() >= 800 * 1024, "{}", state.len());
        assert!(state.len() <= coplan_domain::plan::MAX_UPDATE_BYTES);
    }
}
