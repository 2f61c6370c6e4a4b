//! The job workers of this process: one pool per queue, so a burst of
//! outbound sends (held back by the rate limit) never delays inbound
//! processing.

use crate::state::AppState;
use engine::worker::{Registry, WorkerConfig, WorkerHandle, Workers, default_worker_name};
use std::sync::Arc;
use std::time::Duration;

/// Every queue the server's jobs use.
pub fn all_queues() -> Vec<String> {
    ["inbound", "outbound", "default"]
        .into_iter()
        .map(String::from)
        .collect()
}

pub struct Running(Vec<WorkerHandle>);

impl Running {
    /// Stops claiming and lets running jobs finish, up to `grace`.
    pub async fn shutdown(self, grace: Duration) {
        // Every pool stops claiming at once; then each drains.
        for h in &self.0 {
            h.stop_claiming();
        }
        for h in self.0 {
            h.shutdown(grace).await;
        }
        tracing::info!("workers stopped");
    }
}

/// Starts a pool for each of `queues`.
pub fn start(state: &AppState, queues: &[String]) -> Running {
    let registry: Arc<Registry> = Arc::new(engine::registry(state.services.clone()));
    let name = default_worker_name();
    let handles = queues
        .iter()
        .map(|q| {
            let mut cfg = WorkerConfig::new(format!("{name}/{q}"));
            cfg.queues = vec![q.clone()];
            cfg.concurrency = state.config.worker_concurrency;
            cfg.lease = Duration::from_secs(120);
            cfg.wake = match q.as_str() {
                "inbound" => state.inbound_wake.clone(),
                "outbound" => state.services.outbound_wake.clone(),
                _ => cfg.wake,
            };
            Workers::start(state.db.clone(), registry.clone(), cfg)
        })
        .collect();
    tracing::info!(queues = ?queues, concurrency = state.config.worker_concurrency, "workers started");
    Running(handles)
}
