//! The `sokoni` server: configuration, the HTTP API and the command line.

pub mod api;
pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod extract;
pub mod net;
pub mod notifier;
pub mod state;

use crate::auth::tokens::Keys;
use crate::config::Config;
use crate::notifier::OutboxNotifier;
use crate::state::AppState;
use std::sync::Arc;
use store::Db;

/// Connects, migrates and builds the shared state.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let secret = config.resolve_secret()?;
    if config.database_url().starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    Ok(state_with(db, Keys::new(&secret), config))
}

pub fn state_with(db: Db, keys: Keys, config: Config) -> AppState {
    AppState {
        db,
        keys,
        config: Arc::new(config),
        notifier: Arc::new(OutboxNotifier),
    }
}

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let listen = state.config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    tracing::info!(address = %listen, backend = state.db.backend(), "serving");
    let db = state.db.clone();
    let app = app::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
