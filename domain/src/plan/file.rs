//! A plan saved as a file (export and import).
