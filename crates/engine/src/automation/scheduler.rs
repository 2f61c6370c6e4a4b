//! The automation scheduler. Every replica ticks; each tick enqueues the
//! cycle of the schedule's latest fire time under the dedup key
//! `cron:<schedule>:<fire time>`, so exactly one replica runs each cycle,
//! and after a time with every replica down the missed cycle runs once
//! when one comes back (the latest fire time, not every missed one).

use crate::jobs::{self, Job, Queue};
use crate::services::Services;
use crate::worker::{JobError, Perform};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use croner::Cron;
use std::str::FromStr;
use std::sync::Arc;
use store::StoreResult;
use store::jobs::Claimed;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The seed's cycle: every 15 minutes.
pub const DEFAULT_SCHEDULE: &str = "*/15 * * * *";

/// Reads a cron expression (five fields, or six with seconds).
pub fn parse(schedule: &str) -> Result<Cron, String> {
    Cron::from_str(schedule.trim())
        .map_err(|e| format!("{schedule:?} is not a cron expression: {e}"))
}

/// One cycle of automation, for one fire time of one schedule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AutomationCycle {
    pub schedule: String,
    pub fire_at: DateTime<Utc>,
}

impl Job for AutomationCycle {
    const KIND: &'static str = "automation_cycle";
    const QUEUE: Queue = Queue::Default;
    fn tenant(&self) -> Option<domain::TenantId> {
        None
    }
    fn dedup_key(&self) -> Option<String> {
        Some(format!(
            "cron:{}:{}",
            self.schedule,
            self.fire_at.to_rfc3339()
        ))
    }
}

/// The `automation_cycle` job.
pub struct RunCycle(pub Arc<Services>);

#[async_trait]
impl Perform<AutomationCycle> for RunCycle {
    async fn perform(&self, j: AutomationCycle, _job: &Claimed) -> Result<(), JobError> {
        super::run_cycle(&self.0, Some(j.fire_at))
            .await
            .map(|_| ())
            .map_err(|e| JobError::Retry(e.to_string()))
    }
}

/// Enqueues the cycle of the latest fire time at or before `now`; `None`
/// when another replica (or an earlier tick) already did.
pub async fn tick(
    svc: &Services,
    cron: &Cron,
    schedule: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    let Ok(fire_at) = cron.find_previous_occurrence(&now, true) else {
        return Ok(None);
    };
    let job = AutomationCycle {
        schedule: schedule.to_string(),
        fire_at,
    };
    Ok(jobs::enqueue(&svc.db, &job, None).await?.map(|_| fire_at))
}

/// The scheduler of this replica.
pub struct Scheduler {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Scheduler {
    /// Ticks now and at every fire time of `schedule` (checking at least
    /// once a minute, so a clock change or a slow tick is caught up).
    pub fn start(svc: Arc<Services>, schedule: &str) -> Result<Scheduler, String> {
        let cron = parse(schedule)?;
        let schedule = schedule.trim().to_string();
        tracing::info!(schedule = %schedule, "automation scheduler started");
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let now = svc.clock.now();
                match tick(&svc, &cron, &schedule, now).await {
                    Ok(Some(at)) => tracing::info!(fire_at = %at, "automation cycle enqueued"),
                    Ok(None) => {}
                    Err(e) => tracing::warn!("automation tick failed: {e}"),
                }
                let wait = cron
                    .find_next_occurrence(&now, false)
                    .ok()
                    .and_then(|next| (next - now).to_std().ok())
                    .unwrap_or(std::time::Duration::from_secs(60))
                    .min(std::time::Duration::from_secs(60));
                tokio::select! {
                    _ = tokio::time::sleep(wait + std::time::Duration::from_millis(50)) => {}
                    _ = stopped.changed() => break,
                }
            }
        });
        Ok(Scheduler { stop, task })
    }

    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        let _ = self.task.await;
    }
}
