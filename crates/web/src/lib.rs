//! jiqun-web: the HTTP face of jiqun. Handlers extract and parse, then call the domain and
//! the store; HTML comes from compile-checked askama templates; every page works without
//! JavaScript.

pub mod api_catalog;
pub mod applications;
pub mod auth;
pub mod charts;
pub mod clusters;
pub mod dashboard;
pub mod download;
pub mod error;
pub mod expert;
pub mod health;
pub mod jobs;
pub mod library_figures;
pub mod listing;
pub mod ministry;
pub mod outreach;
pub mod pages;
pub mod provincial;
pub mod public;
pub mod recognitions;
pub mod report;
pub mod security;
pub mod tiers;
pub mod tokens;

use axum::Router;
use axum::routing::{get, post};
use jiqun_domain::clock::Clock;
use jiqun_store::Db;
use std::sync::Arc;
use std::time::Duration;

/// Settings of the web layer, loaded once at start.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Sessions idle longer than this are ended (default 30 minutes).
    pub idle_timeout: Duration,
    /// Mark cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// Failed logins in a row that lock an account.
    pub max_failed_logins: i64,
    /// How long a locked account stays locked.
    pub lockout: Duration,
    /// Largest request body accepted.
    pub max_body_bytes: usize,
    /// Where uploaded files are kept (under the data directory in production).
    pub files_dir: std::path::PathBuf,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            idle_timeout: Duration::from_secs(30 * 60),
            secure_cookies: false,
            max_failed_logins: 5,
            lockout: Duration::from_secs(15 * 60),
            max_body_bytes: 25 * 1024 * 1024,
            files_dir: std::env::temp_dir().join("jiqun-files"),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<health::Metrics>,
}

impl AppState {
    pub fn new(db: Db, clock: Arc<dyn Clock>, config: WebConfig) -> Self {
        AppState {
            db,
            clock,
            config: Arc::new(config),
            metrics: Arc::new(health::Metrics::default()),
        }
    }
}

/// The whole application: pages, health endpoints, static files, security headers.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/clusters", get(pages::clusters))
        .route("/clusters/{id}", get(pages::cluster))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/static/app.css", get(pages::stylesheet))
        .route("/inbox", get(pages::inbox))
        .route("/inbox/{id}/read", post(pages::mark_read))
        .merge(clusters::routes())
        .merge(dashboard::routes())
        .merge(applications::routes())
        .merge(ministry::routes())
        .merge(expert::routes())
        .merge(public::routes())
        .merge(recognitions::routes())
        .merge(jobs::routes())
        .merge(tokens::routes())
        .merge(api_catalog::routes())
        .merge(tiers::routes())
        .merge(library_figures::routes())
        .merge(outreach::routes())
        .merge(provincial::routes())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            health::count_requests,
        ))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(max_body))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
