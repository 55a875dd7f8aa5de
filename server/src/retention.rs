//! How long the server keeps what it records about people (docs/accounts.md, "What the
//! server knows"): every process purges, hourly, the limits' buckets nobody has touched for
//! a day (by then every bucket is full again, so forgetting one changes no answer) and the
//! audit rows older than a year. It also compacts the documents' logs (issue 13): a
//! snapshot a phone uploaded, unreported after [`COMPACTION_GRACE_MS`], becomes its
//! document's base and the entries it covers are dropped. Deleting is idempotent and
//! compaction takes each document's row, so several processes on one database do this
//! side by side safely.

use std::time::Duration;

use crate::auth::Clock;
use crate::storage::{Compacted, CursorLog, Database, Forgotten, Store, StoreError};

/// A bucket of the limits on guessing is kept this long after it was last used.
pub const LIMITS_KEPT_MS: i64 = 24 * 60 * 60 * 1000;
/// An audit row is kept this long (365 days).
pub const AUDIT_KEPT_MS: i64 = 365 * 24 * 60 * 60 * 1000;
/// How long a snapshot waits before it becomes its document's base: time for the
/// person's other phones, even one left in a drawer for a week, to check it and report
/// it if it does not cover what it claims.
pub const COMPACTION_GRACE_MS: i64 = 14 * 24 * 60 * 60 * 1000;
/// How often a process purges.
const EVERY: Duration = Duration::from_secs(60 * 60);

/// Deletes what is older than it is kept, as of `now_ms`.
pub async fn forget_old(db: &Database, now_ms: i64) -> Result<Forgotten, StoreError> {
    db.forget_old(now_ms - LIMITS_KEPT_MS, now_ms - AUDIT_KEPT_MS)
        .await
}

/// Makes the snapshots older than the grace period, as of `now_ms`, their documents' bases.
pub async fn compact(db: &Database, now_ms: i64) -> Result<Compacted, StoreError> {
    db.compact(now_ms - COMPACTION_GRACE_MS).await
}

/// Forgets invites that ran out, as of `now_ms` (they can never be redeemed again).
pub async fn forget_invites(db: &Database, now_ms: i64) -> Result<u64, StoreError> {
    use crate::storage::invites::InviteStore as _;
    db.forget_invites(now_ms).await
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
            match compact(&db, clock.now_ms()).await {
                Ok(done) => {
                    tracing::info!(
                        documents = done.documents,
                        dropped = done.dropped,
                        "compacted logs"
                    )
                }
                Err(error) => tracing::warn!(%error, "compacting logs failed"),
            }
            match forget_invites(&db, clock.now_ms()).await {
                Ok(gone) => tracing::info!(invites = gone, "forgot invites that ran out"),
                Err(error) => tracing::warn!(%error, "forgetting invites failed"),
            }
        }
    });
}
