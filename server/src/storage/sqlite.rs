//! The embedded default: one SQLite file (under `./data/` unless told otherwise).

use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::{Durability, Head, Logged, Pushed, Store, StoreError};

/// Connections in the pool (SQLite writes one at a time whatever this says).
const CONNECTIONS: u32 = 4;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
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
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        MIGRATIONS.run(&pool).await?;
        Ok(Self { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
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
        let mut held = Vec::new();
        for _ in 0..CONNECTIONS {
            held.push(self.pool.acquire().await?);
        }
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

    async fn create_document(&self, id: &str, log_id: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO documents (id, log_id) VALUES (?, ?) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(log_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn head(&self, id: &str) -> Result<Option<Head>, StoreError> {
        let found: Option<(i64, String)> =
            sqlx::query_as("SELECT head, log_id FROM documents WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.map(|(head, log_id)| Head { head, log_id }))
    }

    async fn push(
        &self,
        document: &str,
        device: &str,
        counter: i64,
        body: &[u8],
    ) -> Result<Pushed, StoreError> {
        let mut tx = self.pool.begin().await?;
        // Taking the document's row first holds it until commit: numbers follow commit
        // order, with no gaps (a refused push rolls its number back).
        let taken: Option<(i64,)> =
            sqlx::query_as("UPDATE documents SET head = head + 1 WHERE id = ? RETURNING head")
                .bind(document)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((seq,)) = taken else {
            return Ok(Pushed::NoDocument);
        };
        let earlier: Option<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, body FROM envelopes WHERE document_id = ? AND device_id = ? AND counter = ?",
        )
        .bind(document)
        .bind(device)
        .bind(counter)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((seq, stored)) = earlier {
            tx.rollback().await?;
            return Ok(if stored == body {
                Pushed::Repeated { seq }
            } else {
                Pushed::CounterReused
            });
        }
        sqlx::query(
            "INSERT INTO envelopes (document_id, seq, device_id, counter, body) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(document)
        .bind(seq)
        .bind(device)
        .bind(counter)
        .bind(body)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Pushed::Stored { seq })
    }

    async fn pull(
        &self,
        document: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Logged>, StoreError> {
        let rows: Vec<(i64, String, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, device_id, counter, body FROM envelopes WHERE document_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(document)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, device, counter, body)| Logged {
                seq,
                device,
                counter,
                body,
            })
            .collect())
    }
}
