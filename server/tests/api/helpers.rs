//! A real server per test: port 0, a fresh database (a temp SQLite file, or a new database
//! on the PostgreSQL server named by `COPLAN_TEST_POSTGRES_URL`), and typed helpers.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use coplan_server::{AppState, Config, Database, build};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Declares each listed test body `async fn name(db: Db)` once per database, as
/// `on_sqlite::name` and `on_postgres::name`, so `cargo xtask test` can count both.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $( #[tokio::test] async fn $name() { super::$name($crate::helpers::Db::Sqlite).await } )*
        }
        mod on_postgres {
            $( #[tokio::test] async fn $name() { super::$name($crate::helpers::Db::Postgres).await } )*
        }
    };
}

/// A fresh, empty database of the given kind, kept for the life of the handle.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub async fn new(db: Db) -> Self {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("data/coplan.db").display());
                Self {
                    url,
                    _dir: Some(dir),
                }
            }
            Db::Postgres => {
                let admin = std::env::var("COPLAN_TEST_POSTGRES_URL").expect(
                    "COPLAN_TEST_POSTGRES_URL is not set: run `cargo xtask test`, which starts a \
                     throwaway PostgreSQL server, or point it at one you own",
                );
                Self::on_postgres(&admin).await
            }
        }
    }

    /// A new database on the PostgreSQL server `admin` reaches.
    pub async fn on_postgres(admin: &str) -> Self {
        let name = format!("coplan_test_{}", uuid_simple());
        let pool = sqlx::PgPool::connect(admin)
            .await
            .expect("connect to PostgreSQL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&pool)
            .await
            .expect("create test database");
        pool.close().await;
        let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
        Self {
            url: format!("{base}/{name}"),
            _dir: None,
        }
    }
}

fn uuid_simple() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A running server and a client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: Database,
    /// The server's clock, in milliseconds: starts at the real time, moved by [`Self::advance`].
    clock: std::sync::Arc<std::sync::atomic::AtomicI64>,
    task: tokio::task::JoinHandle<()>,
}

impl TestApp {
    /// Starts a server on the given database, serving `dist` (which may not exist).
    pub async fn spawn(database: &TestDatabase, dist: &Path) -> Self {
        Self::spawn_with(database, dist, |_| {}).await
    }

    pub async fn spawn_with(
        database: &TestDatabase,
        dist: &Path,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config {
            database_url: database.url.clone(),
            dist: dist.to_path_buf(),
            ..Config::default()
        };
        tweak(&mut config);
        let db = Database::connect(&config.database_url)
            .await
            .expect("connect and migrate");
        let clock = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis() as i64,
        ));
        let read = clock.clone();
        let state = AppState::new(db.clone()).await.expect("state").with_clock(
            coplan_server::auth::Clock::from_fn(move || {
                read.load(std::sync::atomic::Ordering::SeqCst)
            }),
        );
        let app = build(state, &config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            coplan_server::router::serve(listener, app, std::future::pending())
                .await
                .unwrap();
        });
        let client = reqwest::Client::builder().build().unwrap();
        Self {
            addr,
            client,
            db,
            clock,
            task,
        }
    }

    /// Moves the server's clock on.
    pub fn advance(&self, ms: i64) {
        self.clock
            .fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }

    /// The server's clock now, in milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Stops the server and closes its database connections.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        self.db.close().await;
    }
}

/// A pretend `dist/` laid out the way Trunk and `cargo xtask` write it.
pub fn fake_dist() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("icons")).unwrap();
    std::fs::write(dist.join("index.html"), INDEX_HTML).unwrap();
    std::fs::write(
        dist.join("coplan-app-0123456789abcdef.js"),
        "export default 1;",
    )
    .unwrap();
    std::fs::write(
        dist.join("coplan-app-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(
        dist.join("coplan-app-0123456789abcdef_bg.wasm.br"),
        b"pretend brotli",
    )
    .unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    std::fs::write(dist.join("manifest.webmanifest"), "{}").unwrap();
    std::fs::write(
        dist.join("icons/icon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
    (dir, dist)
}

pub const LOADER: &str = "import init from '/coplan-app-0123456789abcdef.js'; await init();";

pub const INDEX_HTML: &str = concat!(
    "<!doctype html><html><head><script src=\"/pwa.js\" defer></script>",
    "<script type=\"module\">",
    "import init from '/coplan-app-0123456789abcdef.js'; await init();",
    "</script></head><body><a href=\"tel:116123\">116 123</a></body></html>"
);
