//! The plan: opening a section for writing (`Editing`), the shared editors every section
//! screen is built from (text boxes, picks, lists with undo), the overview of a plan and
//! the list of plans on this phone.

pub mod agreed;
mod editing;
mod fields;
mod frame;
mod lists;
mod open_copy;
mod overview;
mod plan_file;
mod plans;
pub mod readers;
mod section_page;
mod session;
pub mod tab_relay;
mod text_box;
mod write_queue;
pub mod writer;

pub use editing::Editing;
pub use fields::{ChoiceEditor, FieldEditor};
pub use frame::EditorFrame;
pub use lists::{Below, ListEditor, focus_first_in};
pub use overview::{OverviewPage, SECTIONS, section_title};
pub use plan_file::ExportButton;
pub use plans::PlansPage;
pub use section_page::{AboutMePage, CrisisWishesPage};
pub use session::{SectionSession, open_plan, read_doc, read_section};
pub use text_box::{BoxKind, TextBox};
