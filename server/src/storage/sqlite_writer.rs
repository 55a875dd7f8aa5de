//! SQLite's one writer. SQLite commits one transaction at a time, and with
//! `synchronous=FULL` each commit waits for the disk, so a push in its own transaction
//! costs a disk flush: the push bench measured 837 pushes a second, two flushes each
//! (the push and its audit row), on a disk that flushes about 3,000 times a second.
//!
//! Here every push and audit row goes to one task, which takes whatever has arrived (up to
//! [`BATCH`]), runs each in its own savepoint of one transaction, commits once, and only
//! then answers each caller. An answer still means "on disk": nobody hears "stored" before
//! the commit that stores it. A push refused or failing rolls back its own savepoint only;
//! a failed commit fails every job in it, and each caller's phone sends again.

use sqlx::{Acquire, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use super::{AuditEntry, Pushed, StoreError};

/// The most jobs one commit carries.
const BATCH: usize = 256;

/// Jobs waiting for the writer before callers wait to hand theirs over.
const QUEUE: usize = 4 * BATCH;

struct PushJob {
    document: String,
    device: String,
    counter: i64,
    body: Vec<u8>,
    covers: Option<i64>,
    now_ms: i64,
    reply: oneshot::Sender<Result<Pushed, StoreError>>,
}

struct AuditJob {
    at_ms: i64,
    account: Option<String>,
    phone: Option<String>,
    action: String,
    target: String,
    allowed: bool,
    reply: oneshot::Sender<Result<(), StoreError>>,
}

enum Job {
    Push(PushJob),
    Audit(AuditJob),
}

/// What one job came to inside the transaction, answered once it commits.
enum Done {
    Push(
        oneshot::Sender<Result<Pushed, StoreError>>,
        Result<Pushed, StoreError>,
    ),
    Audit(
        oneshot::Sender<Result<(), StoreError>>,
        Result<(), StoreError>,
    ),
}

/// The handle a store keeps; clones share the one writer.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task on `pool`; it ends once every handle is dropped.
    pub fn start(pool: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, queue));
        Self { jobs }
    }

    pub async fn push(
        &self,
        document: &str,
        device: &str,
        counter: i64,
        body: &[u8],
        covers: Option<i64>,
        now_ms: i64,
    ) -> Result<Pushed, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Push(PushJob {
            document: document.to_owned(),
            device: device.to_owned(),
            counter,
            body: body.to_vec(),
            covers,
            now_ms,
            reply,
        }))
        .await?;
        answer.await.map_err(|_| stopped())?
    }

    pub async fn audit(&self, entry: &AuditEntry<'_>) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Audit(AuditJob {
            at_ms: entry.at_ms,
            account: entry.account.map(str::to_owned),
            phone: entry.phone.map(str::to_owned),
            action: entry.action.to_owned(),
            target: entry.target.to_owned(),
            allowed: entry.allowed,
            reply,
        }))
        .await?;
        answer.await.map_err(|_| stopped())?
    }

    async fn send(&self, job: Job) -> Result<(), StoreError> {
        self.jobs.send(job).await.map_err(|_| stopped())
    }
}

fn stopped() -> StoreError {
    StoreError::Write("the writer stopped".into())
}

async fn run(pool: SqlitePool, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut batch, BATCH).await > 0 {
        write(&pool, &mut batch).await;
    }
}

/// Writes `batch` (emptying it) in one transaction and answers every job in it.
async fn write(pool: &SqlitePool, batch: &mut Vec<Job>) {
    let mut done = Vec::with_capacity(batch.len());
    let committed = async {
        let mut tx = pool.begin().await?;
        for job in batch.drain(..) {
            let savepoint = tx.begin().await?;
            done.push(match job {
                Job::Push(job) => {
                    let result = push(savepoint, &job).await;
                    Done::Push(job.reply, result)
                }
                Job::Audit(job) => {
                    let result = audit(savepoint, &job).await;
                    Done::Audit(job.reply, result)
                }
            });
        }
        tx.commit().await
    }
    .await;
    // Jobs never reached (the transaction failed before them) are dropped with their
    // reply: their callers hear that the writer stopped, and their phones send again.
    batch.clear();
    match committed {
        Ok(()) => {
            for job in done {
                match job {
                    Done::Push(reply, result) => _ = reply.send(result),
                    Done::Audit(reply, result) => _ = reply.send(result),
                }
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, jobs = done.len(), "a grouped write failed to commit");
            let failed = || StoreError::Write(e.to_string());
            for job in done {
                match job {
                    Done::Push(reply, _) => _ = reply.send(Err(failed())),
                    Done::Audit(reply, _) => _ = reply.send(Err(failed())),
                }
            }
        }
    }
}

async fn push(
    savepoint: sqlx::Transaction<'_, sqlx::Sqlite>,
    job: &PushJob,
) -> Result<Pushed, StoreError> {
    super::cursor_log::push_in!(
        savepoint,
        &job.document,
        &job.device,
        job.counter,
        &job.body,
        job.covers,
        job.now_ms
    )
}

async fn audit(
    mut savepoint: sqlx::Transaction<'_, sqlx::Sqlite>,
    job: &AuditJob,
) -> Result<(), StoreError> {
    sqlx::query(super::plans::INSERT_AUDIT)
        .bind(job.at_ms)
        .bind(job.account.as_deref())
        .bind(job.phone.as_deref())
        .bind(&job.action)
        .bind(&job.target)
        .bind(job.allowed)
        .execute(&mut *savepoint)
        .await?;
    savepoint.commit().await?;
    Ok(())
}
