//! Where the server keeps data: one [`Store`] trait, one implementation per database, each
//! with its own `migrations/` folder. Applied migrations are never edited; add a new one.

mod cursor_log;
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

/// One envelope as a document's log holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub seq: i64,
    pub device: String,
    pub counter: i64,
    pub body: Vec<u8>,
}

/// What became of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Stored now, as number `seq`.
    Stored { seq: i64 },
    /// Stored before, with this same body, as number `seq`: nothing changed.
    Repeated { seq: i64 },
    /// The device sent another body under this counter before: refused, nothing stored.
    CounterReused,
    /// There is no such document.
    NoDocument,
}

/// Where a document's log stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The last number given; 0 before the first envelope.
    pub head: i64,
    /// This incarnation of the log: it changes when the log is reset or restored.
    pub log_id: String,
}

/// Every connection the pool can hold, held at once, so that a question asked of each
/// reaches each one (for `Store::durability`).
async fn hold_every_connection<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
    connections: u32,
) -> Result<Vec<sqlx::pool::PoolConnection<DB>>, StoreError> {
    let mut held = Vec::new();
    for _ in 0..connections {
        held.push(pool.acquire().await?);
    }
    Ok(held)
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

    /// Makes the document's log, empty, unless it exists already.
    fn create_document(
        &self,
        id: &str,
        log_id: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Where the document's log stands; None if there is no such document.
    fn head(&self, id: &str) -> impl Future<Output = Result<Option<Head>, StoreError>> + Send;
    /// Appends `body`, sent by `device` as its `counter`th envelope for the document: the
    /// next number is taken under the document's row, so numbers follow commit order and
    /// have no gaps; a repeat of the same push changes nothing.
    fn push(
        &self,
        document: &str,
        device: &str,
        counter: i64,
        body: &[u8],
    ) -> impl Future<Output = Result<Pushed, StoreError>> + Send;
    /// Up to `limit` envelopes numbered after `after`, in order.
    fn pull(
        &self,
        document: &str,
        after: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Logged>, StoreError>> + Send;
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

    async fn create_document(&self, id: &str, log_id: &str) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.create_document(id, log_id).await,
            Self::Postgres(s) => s.create_document(id, log_id).await,
        }
    }

    async fn head(&self, id: &str) -> Result<Option<Head>, StoreError> {
        match self {
            Self::Sqlite(s) => s.head(id).await,
            Self::Postgres(s) => s.head(id).await,
        }
    }

    async fn push(
        &self,
        document: &str,
        device: &str,
        counter: i64,
        body: &[u8],
    ) -> Result<Pushed, StoreError> {
        match self {
            Self::Sqlite(s) => s.push(document, device, counter, body).await,
            Self::Postgres(s) => s.push(document, device, counter, body).await,
        }
    }

    async fn pull(
        &self,
        document: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Logged>, StoreError> {
        match self {
            Self::Sqlite(s) => s.pull(document, after, limit).await,
            Self::Postgres(s) => s.pull(document, after, limit).await,
        }
    }
}
