//! The `sokoni` server: configuration, the HTTP API and the command line.

pub mod api;
pub mod app;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod demo_catalog;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod net;
pub mod notifier;
pub mod sandbox;
pub mod sandbox_pay;
pub mod state;
pub mod webhooks;
pub mod workers;

use crate::auth::tokens::Keys;
use crate::config::Config;
use crate::notifier::OutboxNotifier;
use crate::state::AppState;
use channels::MediaLimits;
use channels::cloud::CloudApi;
use channels::sandbox::SandboxChannel;
use engine::chat::ChatEngine;
use engine::conversation::ConversationEngine;
use engine::seal::Sealer;
use engine::{ChannelSettings, Services};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use store::Db;
use tokio::sync::Notify;

/// Connects, migrates and builds the shared state.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let secret = config.resolve_secret()?;
    if config.database_url().starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let db = Db::connect(&config.database_url()).await?;
    db.migrate().await?;
    Ok(state_with(db, &secret, config))
}

/// The shared state over an open, migrated database, with the chat
/// engine on the configured models (`SOKONI_LLM_*`, `SOKONI_STT_*`; the
/// built-in parser by default) and the wall clock.
pub fn state_with(db: Db, secret: &SecretString, config: Config) -> AppState {
    // One set of clients for the engine and the services.
    let models = config.models();
    let engine = ChatEngine::with_models(&models).with_payments(pay_settings(&config));
    assemble(
        db,
        secret,
        config,
        Some(Arc::new(engine)),
        engine::clock::system(),
        models,
    )
}

/// The shared state with a given conversation engine (tests fix its
/// clock), or none: messages are stored and nobody answers.
pub fn state_with_engine(
    db: Db,
    secret: &SecretString,
    config: Config,
    engine: Option<Arc<dyn ConversationEngine>>,
) -> AppState {
    state_with_clock(db, secret, config, engine, engine::clock::system())
}

/// The shared state with a given conversation engine and the clock every
/// service reads (tests give the engine the same one, and move it).
pub fn state_with_clock(
    db: Db,
    secret: &SecretString,
    config: Config,
    engine: Option<Arc<dyn ConversationEngine>>,
    clock: Arc<dyn engine::clock::Clock>,
) -> AppState {
    let models = config.models();
    assemble(db, secret, config, engine, clock, models)
}

fn assemble(
    db: Db,
    secret: &SecretString,
    config: Config,
    engine: Option<Arc<dyn ConversationEngine>>,
    clock: Arc<dyn engine::clock::Clock>,
    models: engine::models::Models,
) -> AppState {
    let cloud = Arc::new(CloudApi::new(
        &config.wa_api_base,
        std::time::Duration::from_secs(config.wa_timeout_secs),
    ));
    tracing::info!(llm = %models.provider, stt = ?models.transcribe.as_ref().map(|t| t.name()), "language models");
    let services = Arc::new(Services {
        models,
        db: db.clone(),
        cloud: cloud.clone(),
        sandbox: Arc::new(SandboxChannel),
        templates: cloud,
        sealer: Sealer::new(secret.expose_secret().as_bytes()),
        conversation: engine,
        settings: ChannelSettings {
            rate_limit_per_sec: config.wa_rate_limit_per_sec,
            media_dir: config.data_dir.join("media"),
            media_limits: MediaLimits {
                max_bytes: config.media_max_bytes,
                ..MediaLimits::default()
            },
            ..ChannelSettings::default()
        },
        outbound_wake: Arc::new(Notify::new()),
        pay: pay_settings(&config),
        clock,
        onboarding: onboarding_settings(&config, secret),
    });
    AppState {
        db,
        keys: Keys::new(secret),
        config: Arc::new(config),
        notifier: Arc::new(OutboxNotifier),
        services,
        inbound_wake: Arc::new(Notify::new()),
    }
}

/// The payment settings the configuration gives.
pub fn pay_settings(config: &Config) -> engine::pay::PaySettings {
    engine::pay::PaySettings {
        public_url: config.public_url(),
        sandbox_secret: config.sandbox_payments().cloned(),
        mpesa_query_after: chrono::Duration::seconds(config.mpesa_query_after_secs.max(1)),
        ..engine::pay::PaySettings::default()
    }
}

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests and
/// running jobs.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    metrics::install();
    let listen = state.config.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    tracing::info!(address = %listen, backend = state.db.backend(), "serving");
    let db = state.db.clone();
    let workers = state
        .config
        .workers
        .then(|| workers::start(&state, &workers::all_queues()));
    let scheduler = match state.config.workers {
        true => workers::scheduler(&state)?,
        false => None,
    };
    let app = app::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    if let Some(s) = scheduler {
        s.shutdown().await;
    }
    if let Some(w) = workers {
        w.shutdown(std::time::Duration::from_secs(30)).await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

pub async fn shutdown_signal() {
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

/// The onboarding chat's settings when an onboarding number is configured:
/// sign-in codes are hashed with the same key as `/auth/otp/verify` checks.
pub fn onboarding_settings(
    config: &Config,
    secret: &SecretString,
) -> Option<engine::onboarding::OnboardingSettings> {
    let phone_number_id = config.onboarding_phone_number_id.clone()?;
    let keys = Arc::new(Keys::new(secret));
    Some(engine::onboarding::OnboardingSettings {
        phone_number_id,
        public_url: config.public_url(),
        otp_hash: Arc::new(move |phone: &str, code: &str| keys.otp_hash(phone, code)),
    })
}
