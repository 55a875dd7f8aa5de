//! PostgreSQL, for deployments that outgrow one machine (`DATABASE_URL=postgres://…`).

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{Durability, Head, Logged, Pushed, Store, StoreError};

/// Connections in the pool.
const CONNECTIONS: u32 = 8;

static MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects to and migrates the database named by `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        // Every acknowledged write is on disk, whatever the database's own default says:
        // a person's words are not cache.
        let options = PgConnectOptions::from_str(url)
            .map_err(StoreError::Connect)?
            .options([("synchronous_commit", "on")]);
        let pool = PgPoolOptions::new()
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

impl Store for PostgresStore {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn instance_id(&self, new_id: &str) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO server_instance (singleton, instance_id) VALUES (1, $1) ON CONFLICT (singleton) DO NOTHING")
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
            let (commit,): (String,) = sqlx::query_as("SHOW synchronous_commit")
                .fetch_one(&mut **connection)
                .await?;
            found.push(Durability {
                durable: commit != "off" && commit != "local",
                settings: format!("synchronous_commit={commit}"),
            });
        }
        Ok(found)
    }

    async fn create_document(&self, id: &str, log_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO documents (id, log_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(log_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn head(&self, id: &str) -> Result<Option<Head>, StoreError> {
        let found: Option<(i64, String)> =
            sqlx::query_as("SELECT head, log_id FROM documents WHERE id = $1")
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
            sqlx::query_as("UPDATE documents SET head = head + 1 WHERE id = $1 RETURNING head")
                .bind(document)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((seq,)) = taken else {
            return Ok(Pushed::NoDocument);
        };
        let earlier: Option<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, body FROM envelopes WHERE document_id = $1 AND device_id = $2 AND counter = $3",
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
            "INSERT INTO envelopes (document_id, seq, device_id, counter, body) VALUES ($1, $2, $3, $4, $5)",
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
            "SELECT seq, device_id, counter, body FROM envelopes WHERE document_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
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
