//! PostgreSQL, for deployments that outgrow one machine (`DATABASE_URL=postgres://…`).

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::invites::{InviteRow, InviteStore, NewRedemption, OpenInvite, Opened};
use super::{
    AccessRow, AccountRow, AccountTuple, Appended, Appending, AuditEntry, AuditRow, Bucket,
    Compacted, Created, CursorLog, Durability, Forgotten, Head, KeysPut, Logged, MemberRow,
    NewAccount, NewKeyEnvelope, NewPlan, NewSecrets, NewSession, PhoneRow, PlanRow, Pushed,
    SecondFactor, SessionLimits, SessionRow, Store, StoreError, Taken, insert_session,
};

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
            .acquire_timeout(super::CONNECTION_WAIT)
            .connect_with(options)
            .await
            .map_err(StoreError::Connect)?;
        MIGRATIONS.run(&pool).await?;
        Ok(Self { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

impl CursorLog for PostgresStore {
    super::cursor_log::cursor_log_methods!(push: pool);
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
        let mut held = super::hold_every_connection(&self.pool, CONNECTIONS).await?;
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

    super::accounts::account_methods!();
    super::plans::plan_methods!(audit: pool);
}

impl InviteStore for PostgresStore {
    super::invites::invite_methods!();
}
