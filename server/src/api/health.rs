//! `GET /api/health`: is the server up, and can it reach its database?

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::error::ApiError;
use crate::router::AppState;
use crate::storage::Store;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    pub instance_id: String,
}

pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.db.ping().await?;
    Ok(Json(Health {
        status: "ok",
        database: state.db.kind(),
        instance_id: state.instance_id.to_string(),
    }))
}
