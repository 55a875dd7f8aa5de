//! Starts the Coplan server: settings from the environment, structured logs, the database,
//! then HTTP until Ctrl-C or SIGTERM, finishing open requests before it stops.
//! `coplan-server restored` instead marks a database just put back from a backup, and
//! `coplan-server disable <username>` turns off the account of someone who left.

use anyhow::Context as _;
use coplan_server::storage::Store as _;
use coplan_server::{AppState, Config, Database, build, config::redact_password};
use tracing_subscriber::EnvFilter;

/// jemalloc, with its background thread handing freed memory back to the system within
/// seconds. With glibc's allocator the server kept what 10,000 parked long-polls had used
/// after they left (335 MiB, against 13 MiB before them), and more after each round;
/// mimalloc kept 446 MiB. `cargo xtask bench pushes` prints the numbers.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    init_logs(config.json_logs);
    match std::env::args().nth(1).as_deref() {
        None => serve(config).await,
        Some("restored") => restored(&config).await,
        Some("disable") => disable(&config, std::env::args().nth(2).as_deref()).await,
        Some(other) => anyhow::bail!(
            "unknown command {other:?}: `coplan-server` serves the app; `coplan-server restored` \
             marks a database just put back from a backup; `coplan-server disable <username>` \
             turns off an account"
        ),
    }
}

/// `coplan-server restored`, run once after the database is put back from a backup and
/// before the server serves again: every document's log gets a new id, so each phone
/// sends again whatever the backup lacks (docs/ARCHITECTURE.md, "Restore from a backup").
async fn restored(config: &Config) -> anyhow::Result<()> {
    let db = Database::connect(&config.database_url)
        .await
        .with_context(|| format!("opening {}", redact_password(&config.database_url)))?;
    let marked = db.mark_restored(&coplan_server::auth::random_id()).await?;
    db.close().await;
    tracing::info!(documents = marked, "marked as restored from a backup");
    println!(
        "Marked {marked} documents as restored from a backup. Phones will send again what \
         the backup lacks when they next sync."
    );
    Ok(())
}

/// `coplan-server disable <username>`: the service turns off the account of someone who
/// left (a worker), on a running server's database. From the next request the server
/// refuses its sessions and sign-ins with `account_disabled` (a wait already parked
/// notices when it ends, within 25 seconds), and each person whose plan it was a member
/// of sees it marked in Who can see your plan, to remove it and start new keys. Nothing
/// is deleted: the account's own plans stay on its phones.
async fn disable(config: &Config, username: Option<&str>) -> anyhow::Result<()> {
    let username = username
        .and_then(|typed| coplan_domain::account::Username::parse(typed).ok())
        .context("usage: coplan-server disable <username>")?;
    let db = Database::connect(&config.database_url)
        .await
        .with_context(|| format!("opening {}", redact_password(&config.database_url)))?;
    let now_ms = coplan_server::auth::Clock::system().now_ms();
    let found = db.disable_account(username.as_str(), now_ms).await?;
    // Waits its phones parked on running server processes (PostgreSQL) end now and find
    // the account turned off; on SQLite, one process, they notice when they next check.
    if let (Some(account), Some(pool)) = (&found, db.postgres_pool()) {
        for phone in db.phones(account).await? {
            let word = coplan_server::news::News::phone_word(&phone.id);
            if coplan_server::news::tell_processes(&pool, &word)
                .await
                .is_err()
            {
                tracing::warn!("running servers were not told at once");
            }
        }
    }
    db.close().await;
    match found {
        Some(_) => {
            tracing::info!("an account was turned off");
            println!("The account {} is turned off.", username.as_str());
            Ok(())
        }
        None => anyhow::bail!("there is no account {}", username.as_str()),
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let db = Database::connect(&config.database_url)
        .await
        .with_context(|| format!("opening {}", redact_password(&config.database_url)))?;
    let state = AppState::new(db.clone()).await?;
    let news = state.news.clone();
    coplan_server::retention::spawn(db.clone(), coplan_server::auth::Clock::system());
    let app = build(state, &config);

    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, database = %redact_password(&config.database_url), dist = %config.dist.display(), "Coplan is serving");
    println!("Coplan is running. Open http://{addr}/ in a browser. Press Ctrl-C to stop.");

    let stopping = async move {
        shutdown_signal().await;
        // Parked sync requests answer now rather than hold the stop for their whole wait.
        news.close();
    };
    coplan_server::router::serve(listener, app, stopping).await?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn init_logs(json: bool) {
    let filter =
        EnvFilter::try_from_env("COPLAN_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
}

/// Resolves on Ctrl-C or SIGTERM; a second signal is left to the default (stop at once).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut sig) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            sig.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    let grace = coplan_server::router::SHUTDOWN_GRACE;
    tracing::info!(
        grace_secs = grace.as_secs(),
        "stopping: finishing open requests"
    );
    tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        tracing::warn!("open requests did not finish in time; stopping anyway");
        std::process::exit(1);
    });
}
