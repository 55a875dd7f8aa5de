//! Where the server keeps data: one [`Store`] trait, one implementation per database, each
//! with its own `migrations/` folder. Applied migrations are never edited; add a new one.

mod postgres;
mod sqlite;

use std::future::Future;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A storage failure. It names the operation and the database's own message, which never
/// contains plan text because plans reach the database only as bound parameters.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("could not migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("unsupported DATABASE_URL: use sqlite://path or postgres://…")]
    UnsupportedUrl,
}

/// How one pooled connection commits: the database's own words for its settings, and
/// whether an acknowledged write survives a crash or a power cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Durability {
    pub settings: String,
    pub durable: bool,
}

/// What the API needs from a database.
pub trait Store: Clone + Send + Sync + 'static {
    /// `"sqlite"` or `"postgres"`, for the health check and logs.
    fn kind(&self) -> &'static str;
    /// Answers when the database is reachable.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// This database's id, made from `new_id` the first time and kept from then on.
    fn instance_id(&self, new_id: &str) -> impl Future<Output = Result<String, StoreError>> + Send;
    /// How every connection the pool can hold commits, each asked while all are held (so
    /// none is asked twice): the server acknowledges a write only once it is durable.
    fn durability(&self) -> impl Future<Output = Result<Vec<Durability>, StoreError>> + Send;
}

/// The database chosen by `DATABASE_URL`.
#[derive(Clone)]
pub enum Database {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Database {
    /// Connects to and migrates the database named by `url`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite(SqliteStore::connect(url).await?))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres(PostgresStore::connect(url).await?))
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// Waits for open connections to finish and closes them.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.close().await,
            Self::Postgres(s) => s.close().await,
        }
    }
}

impl Store for Database {
    fn kind(&self) -> &'static str {
        match self {
            Self::Sqlite(s) => s.kind(),
            Self::Postgres(s) => s.kind(),
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.ping().await,
            Self::Postgres(s) => s.ping().await,
        }
    }

    async fn instance_id(&self, new_id: &str) -> Result<String, StoreError> {
        match self {
            Self::Sqlite(s) => s.instance_id(new_id).await,
            Self::Postgres(s) => s.instance_id(new_id).await,
        }
    }

    async fn durability(&self) -> Result<Vec<Durability>, StoreError> {
        match self {
            Self::Sqlite(s) => s.durability().await,
            Self::Postgres(s) => s.durability().await,
        }
    }
}
