//! The automation engine: every cycle, for every business, finds who should
//! hear what and sends it once, within WhatsApp's rules and the person's
//! wishes. (Being built: this is the interface.)

use crate::error::ServiceError;
use crate::services::Services;
use chrono::{DateTime, Utc};
use domain::TenantId;
use store::{Ex, StoreResult};

/// What one cycle did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CycleReport {
    pub run_id: Option<uuid::Uuid>,
    /// Targets the triggers chose (after what was already done today).
    pub targets: u64,
    pub sent: u64,
    pub skipped: u64,
    pub deferred: u64,
    /// Rows inserted or updated (ledger, messages, jobs, runs).
    pub rows_written: u64,
    /// Time spent waiting on the database.
    pub db_time: std::time::Duration,
}

/// Runs one cycle now, for the cron fire time `fire_at` (`None`: run-once).
pub async fn run_cycle(
    svc: &Services,
    fire_at: Option<DateTime<Utc>>,
) -> Result<CycleReport, ServiceError> {
    let _ = (svc, fire_at);
    Ok(CycleReport::default())
}

/// Gives a new business the default triggers (each enabled, with the seed's
/// thresholds).
pub async fn install_defaults(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let _ = (ex.into(), tenant, at);
    Ok(())
}
