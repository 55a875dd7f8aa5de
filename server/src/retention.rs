//! How long the server keeps what it records about people (docs/accounts.md, "What the
//! server knows"): every process purges, hourly, the limits' buckets nobody has touched for
//! a day (by then every bucket is full again, so forgetting one changes no answer) and the
//! audit rows older than a year. Deleting is idempotent, so several processes on one
//! database purge side by side safely.

use std::time::Duration;

use crate::auth::Clock;
use crate::storage::{Database, Forgotten, Store, StoreError};

/// A bucket of the limits on guessing is kept this long after it was last used.
pub const LIMITS_KEPT_MS: i64 = 24 * 60 * 60 * 1000;
/// An audit row is kept this long (365 days).
pub const AUDIT_KEPT_MS: i64 = 365 * 24 * 60 * 60 * 1000;
/// How often a process purges.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Deletes what is older than it is kept, as of `now_ms`.
pub async fn forget_old(db: &Database, now_ms: i64) -> Result<Forgotten, StoreError> {
    db.forget_old(now_ms - LIMITS_KEPT_MS, now_ms - AUDIT_KEPT_MS)
        .await
}

/// Purges at start and then hourly, for as long as the process runs. A failed purge is
/// logged (counts only) and tried again at the next hour.
pub fn spawn(db: Database, clock: Clock) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        loop {
            every.tick().await;
            match forget_old(&db, clock.now_ms()).await {
                Ok(gone) => {
                    tracing::info!(limits = gone.limits, audit = gone.audit, "purged old rows")
                }
                Err(error) => tracing::warn!(%error, "purging old rows failed"),
            }
        }
    });
}
