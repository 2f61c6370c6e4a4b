//! The job queue table. Jobs are enqueued inside the caller's transaction
//! (an outbox), so a job exists exactly when the write that needs it does.
//! Workers arrive with the WhatsApp channel issue.

use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::{JobId, TenantId};

pub struct NewJob<'a> {
    pub tenant_id: Option<TenantId>,
    pub queue: &'a str,
    pub kind: &'a str,
    pub payload: serde_json::Value,
    pub run_at: Option<DateTime<Utc>>,
    /// A job with a dedup key already queued is not enqueued again.
    pub dedup_key: Option<String>,
}

/// Enqueues a job; returns `None` if its dedup key was already taken.
pub async fn enqueue(ex: impl Into<Ex<'_>>, j: &NewJob<'_>) -> StoreResult<Option<JobId>> {
    let id = JobId::new();
    let at = now();
    let done = run!(ex, c => sqlx::query(
        "INSERT INTO jobs (id, tenant_id, queue, kind, payload, run_at, dedup_key, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(id.0)
    .bind(j.tenant_id.map(|t| t.0))
    .bind(j.queue)
    .bind(j.kind)
    .bind(sqlx::types::Json(&j.payload))
    .bind(j.run_at.unwrap_or(at))
    .bind(&j.dedup_key)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok((done == 1).then_some(id))
}

/// Queued jobs of one kind (operators and tests).
pub async fn count_queued(ex: impl Into<Ex<'_>>, kind: &str) -> StoreResult<i64> {
    Ok(run!(ex, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = 'queued'",
    )
    .bind(kind)
    .fetch_one(c)
    .await)?)
}
