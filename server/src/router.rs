//! Every route the server answers, and the layers every answer passes through.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth::Clock;
use crate::config::Config;
use crate::error::ApiError;
use crate::storage::{Database, Store, StoreError};
use crate::{api, security, web};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub instance_id: Arc<str>,
    pub clock: Clock,
    /// From [`Config::trusted_proxy`], set by [`build`].
    pub trusted_proxy: Option<std::net::IpAddr>,
    /// From [`Config::invite_limits`], set by [`build`].
    pub invite_limits: crate::auth::InviteLimits,
    /// Word of documents that grew, for parked sync requests.
    pub news: crate::news::News,
}

impl AppState {
    /// Readies the state for a connected, migrated database.
    pub async fn new(db: Database) -> Result<Self, StoreError> {
        let instance_id = db.instance_id(&uuid::Uuid::new_v4().to_string()).await?;
        Ok(Self {
            instance_id: instance_id.into(),
            clock: Clock::system(),
            trusted_proxy: None,
            invite_limits: crate::auth::InviteLimits::default(),
            news: match db.postgres_pool() {
                Some(pool) => crate::news::News::across_processes(pool),
                None => crate::news::News::new(),
            },
            db,
        })
    }

    /// The same, on another clock (tests move it).
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }
}

/// The whole server: the API under `/api`, the app shell for everything else.
pub fn build(mut state: AppState, config: &Config) -> Router {
    state.trusted_proxy = config.trusted_proxy;
    state.invite_limits = config.invite_limits;
    let shell = web::AppShell::load(&config.dist);
    let csp = security::content_security_policy(&shell.inline_script_hashes());

    let api = Router::new()
        .route("/health", get(api::health))
        .nest("/v1", api::v1::routes(state.clone()))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .with_state(state);

    Router::new()
        .nest("/api", api)
        .fallback_service(web::service(Arc::new(shell)))
        .layer(middleware::from_fn_with_state(
            Arc::new(InFlight::new(config.max_in_flight)),
            at_most,
        ))
        .layer(middleware::from_fn(cache_policy))
        .layer(middleware::from_fn_with_state(
            security::SecurityHeaders::new(&csp, config.hsts),
            security::add_headers,
        ))
        .layer(CompressionLayer::new().br(true).gzip(true))
        .layer(middleware::from_fn_with_state(
            config.max_body_bytes,
            body_limit,
        ))
        .layer(middleware::map_response(json_body_too_large))
        .layer(
            TraceLayer::new_for_http()
                // Only the method and path are logged: never a query string or a body.
                .make_span_with(|req: &Request| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                // Every 5xx the API decides is logged with its cause where it is made
                // (`ApiError`), and `busy` is counted (`at_most`): no second line here.
                .on_failure(()),
        )
}

/// Plan data is never cached by the browser's HTTP cache; the app's hashed files are
/// cached for a year; everything else (index.html, sw.js, the manifest) is revalidated.
async fn cache_policy(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    let policy = if path.starts_with("/api/") || path == "/api" {
        "no-store"
    } else if res.status().is_success() && web::is_hashed_asset(&path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    res
}

/// API paths that do not count against [`Config::max_in_flight`]: a long-poll spends
/// its time parked (it takes a pooled connection only to read heads, and is answered 503
/// if none comes), and a load balancer's health check must not be turned away as busy.
const UNCOUNTED: [&str; 2] = ["/api/v1/sync/wait", "/api/health"];

/// Answers an API request 503 `busy` (with `Retry-After`) at once when `in_flight` has
/// no room: beyond capacity a phone is told to come back, rather than queued until its
/// own patience runs out, and what the server holds in memory for requests stays bounded.
async fn at_most(State(in_flight): State<Arc<InFlight>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/api/") || UNCOUNTED.contains(&path) {
        return next.run(req).await;
    }
    match in_flight.room.try_acquire() {
        Ok(_held) => next.run(req).await,
        Err(_) => {
            in_flight.turned_away();
            ApiError::Busy.into_response()
        }
    }
}

/// The room for API requests at once, and a count of those turned away.
struct InFlight {
    room: tokio::sync::Semaphore,
    /// Turned away since the log last said so.
    unsaid: std::sync::atomic::AtomicU64,
    /// When the log last said so.
    said: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How often, at most, the log says how many requests were turned away as busy.
const BUSY_LOG_EVERY: Duration = Duration::from_secs(10);

impl InFlight {
    fn new(room: usize) -> Self {
        Self {
            room: tokio::sync::Semaphore::new(room),
            unsaid: 0.into(),
            said: std::sync::Mutex::new(None),
        }
    }

    /// Counts one turned away; says how many, at most every [`BUSY_LOG_EVERY`].
    fn turned_away(&self) {
        use std::sync::atomic::Ordering;
        self.unsaid.fetch_add(1, Ordering::Relaxed);
        let Ok(mut said) = self.said.try_lock() else {
            return;
        };
        if said.is_none_or(|at| at.elapsed() >= BUSY_LOG_EVERY) {
            *said = Some(std::time::Instant::now());
            let count = self.unsaid.swap(0, Ordering::Relaxed);
            tracing::warn!(count, "busy: requests turned away, each told to retry");
        }
    }
}

/// Paths whose bodies carry sealed changes, and so have their own, larger limit
/// ([`coplan_domain::limits::SYNC_BODY_MAX_BYTES`], set where they are routed).
const SYNC_PATHS: [&str; 2] = ["/api/v1/sync", "/api/v1/sync/wait"];

/// Caps every request's body at `limit` bytes (the setting), except on [`SYNC_PATHS`]:
/// a request saying it is larger is answered 413 at once, one that grows past it as it
/// is read fails as it is read (413 too).
async fn body_limit(State(limit): State<usize>, req: Request, next: Next) -> Response {
    if SYNC_PATHS.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return ApiError::BodyTooLarge.into_response();
    }
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// The body limit answers in plain text; clients get the same JSON as every other error.
async fn json_body_too_large(res: Response) -> Response {
    if res.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::BodyTooLarge.into_response();
    }
    res
}

/// Serves `app` on `listener`, telling handlers each request's peer address (for the
/// limits on guessing). `main` and the tests both serve through here.
/// `shutdown` resolving starts a graceful stop.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// How long graceful shutdown waits for open requests before giving up.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
