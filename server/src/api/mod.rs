//! JSON endpoints. Unversioned operational ones (`/api/health`) live here; the plan API
//! will be grouped by version (`/api/v1/...`) in submodules. `server/openapi.json`
//! describes them all.

mod health;
pub mod invites;
pub mod openapi;
pub mod sync;
pub mod v1;

pub use health::health;

use crate::error::ApiError;

/// Any `/api` address that does not exist.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// A known `/api` address asked with the wrong method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
