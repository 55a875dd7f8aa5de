//! The plan itself: one CRDT document (Yrs) per section, a fixed schema on top of each
//! (free-text fields and lists of items), typed edits that become CRDT transactions, and
//! typed read views. Every change carries who made it and when.

pub mod agreement;
pub mod card;
pub mod care_plan;
pub mod check_ins;
mod edit;
pub mod file;
pub mod history;
mod ids;
pub mod safety_plan;
pub mod schema;
mod section_doc;
pub mod snapshot;
pub mod suggestions;
pub mod summary;
pub mod text_splice;
mod view;
pub mod workload;

pub use edit::{Edit, PlanError, Toward};
pub use ids::{AuthorId, ItemId, Stamp};
pub use schema::{LIFE_AREAS, SAFETY_PLAN_STEPS, SectionKind};
pub use section_doc::{SectionDoc, Touched};
pub use view::{FieldView, ItemView, ListView, SectionView};

/// The schema version written into every section document.
pub const PLAN_SCHEMA_VERSION: u32 = 1;

/// The largest update (or whole section state) accepted from a file or another device.
pub const MAX_UPDATE_BYTES: usize = 1024 * 1024;

/// From this many stored bytes a section is getting too long: the person is told, while
/// there is still room, that past [`MAX_UPDATE_BYTES`] it could not go into a saved copy
/// (or, later, to another phone). It still opens and saves on this phone whatever its size.
pub const LONG_SECTION_BYTES: usize = MAX_UPDATE_BYTES / 4 * 3;
