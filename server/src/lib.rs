//! Coplan's thin API server: a storage layer per database, a few JSON endpoints under
//! `/api`, and the built app from `dist/`, all behind the same security headers.
//!
//! Start reading at [`router::build`], which lists every route.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod news;
pub mod retention;
pub mod router;
pub mod security;
pub mod storage;
pub mod sync;
pub mod web;

pub use config::Config;
pub use router::{AppState, build};
pub use storage::Database;
