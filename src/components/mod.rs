//! Pieces shared by several screens.

pub mod crisis_lines;
pub mod header;
pub mod keeping;
pub mod save_status;
