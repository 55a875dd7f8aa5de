//! `GET /api/health`: is the server up, and can it reach its database? It says nothing
//! else: not which database, not the instance's id (which will salt passphrases), since
//! anyone can ask.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::error::ApiError;
use crate::router::AppState;
use crate::storage::Store;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
}

pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.db.ping().await?;
    Ok(Json(Health { status: "ok" }))
}
