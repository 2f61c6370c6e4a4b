//! The job workers of this process: one pool per queue, so a burst of
//! outbound sends (held back by the rate limit) never delays inbound
//! processing.

use crate::state::AppState;
use engine::jobs::Queue;
use engine::worker::{Registry, WorkerConfig, WorkerHandle, Workers, default_worker_name};
use std::sync::Arc;
use std::time::Duration;

/// Every queue the server's jobs use.
pub fn all_queues() -> Vec<Queue> {
    Queue::ALL.to_vec()
}

/// Queues named on the command line.
pub fn parse_queues(names: &[String]) -> anyhow::Result<Vec<Queue>> {
    names
        .iter()
        .map(|n| {
            Queue::parse(n).ok_or_else(|| {
                let known: Vec<&str> = Queue::ALL.iter().map(|q| q.as_str()).collect();
                anyhow::anyhow!("unknown queue {n:?}; the queues are {}", known.join(", "))
            })
        })
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

/// This process's automation scheduler, unless automation is off.
pub fn scheduler(
    state: &AppState,
) -> anyhow::Result<Option<engine::automation::scheduler::Scheduler>> {
    if !state.config.automation {
        return Ok(None);
    }
    engine::automation::scheduler::Scheduler::start(
        state.services.clone(),
        &state.config.automation_cron,
    )
    .map(Some)
    .map_err(|e| anyhow::anyhow!("automation_cron: {e}"))
}

/// Starts a pool for each of `queues`.
pub fn start(state: &AppState, queues: &[Queue]) -> Running {
    let registry: Arc<Registry> = Arc::new(engine::registry(state.services.clone()));
    let name = default_worker_name();
    let handles = queues
        .iter()
        .map(|q| {
            let mut cfg = WorkerConfig::new(format!("{name}/{q}"));
            cfg.queues = vec![*q];
            cfg.concurrency = state.config.worker_concurrency;
            cfg.lease = Duration::from_secs(120);
            cfg.wake = match q {
                Queue::Inbound => state.inbound_wake.clone(),
                Queue::Outbound | Queue::Bulk => state.services.outbound_wake.clone(),
                Queue::Default => cfg.wake,
            };
            Workers::start(state.db.clone(), registry.clone(), cfg)
        })
        .collect();
    tracing::info!(queues = ?queues, concurrency = state.config.worker_concurrency, "workers started");
    Running(handles)
}
