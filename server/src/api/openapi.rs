//! `GET /api/v1/openapi.json`: the API described in OpenAPI 3.1, written by hand in
//! `server/openapi.json` (a derive macro would cost more build time than the API is large)
//! and built into the binary. It holds no instance data, so anyone may read it;
//! `server/tests/api/openapi.rs` keeps it true to the routes and their checks.

use axum::http::header;
use axum::response::IntoResponse;

/// The description, as written.
pub const DESCRIPTION: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"));

pub async fn description() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DESCRIPTION)
}
