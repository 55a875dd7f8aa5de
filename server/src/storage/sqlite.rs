//! The embedded default: one SQLite file (under `./data/` unless told otherwise).

use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::invites::{InviteRow, InviteStore, NewRedemption, OpenInvite, Opened};
use super::sqlite_writer::Writer;
use super::{
    AccessRow, AccountRow, AccountTuple, Appended, Appending, AuditEntry, AuditRow, Bucket,
    Compacted, Created, CursorLog, Durability, Forgotten, Head, KeysPut, Logged, MemberRow,
    NewAccount, NewKeyEnvelope, NewPlan, NewSecrets, NewSession, PhoneRow, PlanRow, Pushed,
    SecondFactor, SessionLimits, SessionRow, Store, StoreError, Taken, insert_session,
};

/// Connections in the pool (SQLite writes one at a time whatever this says).
const CONNECTIONS: u32 = 4;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Every push and audit row goes through it: one commit for all that arrive together.
    writer: Writer,
}

impl SqliteStore {
    /// Opens (creating if needed, with its folder) and migrates the file named by `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(StoreError::Connect)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Every acknowledged write survives a power cut: a person's words are not cache.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true);
        if let Some(folder) = options.get_filename().parent()
            && !folder.as_os_str().is_empty()
        {
            std::fs::create_dir_all(folder).map_err(|e| StoreError::Connect(e.into()))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(super::CONNECTION_WAIT)
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        MIGRATIONS.run(&pool).await?;
        let writer = Writer::start(pool.clone());
        Ok(Self { pool, writer })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl CursorLog for SqliteStore {
    super::cursor_log::cursor_log_methods!(push: writer);
}

impl Store for SqliteStore {
    fn kind(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn instance_id(&self, new_id: &str) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO server_instance (singleton, instance_id) VALUES (1, ?) ON CONFLICT (singleton) DO NOTHING")
            .bind(new_id)
            .execute(&self.pool)
            .await?;
        let (id,): (String,) =
            sqlx::query_as("SELECT instance_id FROM server_instance WHERE singleton = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(id)
    }

    async fn durability(&self) -> Result<Vec<Durability>, StoreError> {
        let mut held = super::hold_every_connection(&self.pool, CONNECTIONS).await?;
        let mut found = Vec::new();
        for connection in &mut held {
            let (journal,): (String,) = sqlx::query_as("PRAGMA journal_mode")
                .fetch_one(&mut **connection)
                .await?;
            let (synchronous,): (i64,) = sqlx::query_as("PRAGMA synchronous")
                .fetch_one(&mut **connection)
                .await?;
            // 2 is FULL: WAL then syncs on every commit.
            found.push(Durability {
                durable: journal.eq_ignore_ascii_case("wal") && synchronous >= 2,
                settings: format!("journal_mode={journal} synchronous={synchronous}"),
            });
        }
        Ok(found)
    }

    super::accounts::account_methods!();
    super::plans::plan_methods!(audit: writer);
}

impl InviteStore for SqliteStore {
    super::invites::invite_methods!();
}
