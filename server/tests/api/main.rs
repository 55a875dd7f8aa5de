//! The API over real HTTP, against a real SQLite file and a real PostgreSQL server. Every
//! test body runs on both databases (see `on_both_databases!`).

mod helpers;

mod accounts;
mod authorisation;
mod cards;
mod compaction;
mod convergence;
mod crash;
mod cursor_log;
mod disabled;
mod durability;
mod epochs;
mod errors;
mod health;
mod invites;
mod leaving;
mod members;
mod openapi;
mod phones;
mod processes;
mod restore;
mod schemathesis;
mod second_factor;
mod sync;
mod web;
