//! The job queue table. Jobs are enqueued inside the caller's transaction
//! (an outbox), so a job exists exactly when the write that needs it does.
//! The worker runtime that claims and runs them is `engine::worker`.

use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::{JobId, TenantId};
use serde::Serialize;

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

/// A job a worker has claimed: it holds the lease until `locked_until`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: JobId,
    pub queue: String,
    pub kind: String,
    pub payload: sqlx::types::Json<serde_json::Value>,
    /// Including this one.
    pub attempts: i32,
    pub max_attempts: i32,
    /// When the job was due; the claim time minus this is its queue latency.
    pub run_at: DateTime<Utc>,
}

/// Marks jobs whose lease ran out on their final attempt as dead, so a job
/// that keeps killing its worker stops being retried. [`claim`] never takes
/// such a job; workers sweep them now and then (not on every claim: on
/// SQLite every write statement takes the database's write lock).
pub async fn bury_expired(db: &crate::Db) -> StoreResult<u64> {
    let at = now();
    Ok(run!(db, c => sqlx::query(
        "UPDATE jobs SET status = 'dead', locked_by = NULL, locked_until = NULL, updated_at = $1, \
         last_error = COALESCE(last_error, 'the worker stopped during the final attempt') \
         WHERE status = 'running' AND locked_until < $1 AND attempts >= max_attempts",
    )
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Claims the next due job of `queue` for `worker` with a lease of `lease`:
/// a queued job whose time has come, or a running one whose worker's lease
/// expired (it crashed) and that has attempts left. Each job goes to exactly
/// one claimer.
pub async fn claim(
    db: &crate::Db,
    queue: &str,
    worker: &str,
    lease: chrono::Duration,
) -> StoreResult<Option<Claimed>> {
    claim_in(db, Some(queue), worker, lease).await
}

/// [`claim`] from any queue: for tests and one-off drains that run every
/// due job.
pub async fn claim_any(
    db: &crate::Db,
    worker: &str,
    lease: chrono::Duration,
) -> StoreResult<Option<Claimed>> {
    claim_in(db, None, worker, lease).await
}

async fn claim_in(
    db: &crate::Db,
    queue: Option<&str>,
    worker: &str,
    lease: chrono::Duration,
) -> StoreResult<Option<Claimed>> {
    let at = now();
    // Without a queue, $1 is bound (NULL) but not used.
    let of_queue = if queue.is_some() {
        "queue = $1"
    } else {
        "$1 IS NULL"
    };
    let pick = format!(
        "SELECT id FROM jobs WHERE {of_queue} \
         AND ((status = 'queued' AND run_at <= $2) OR (status = 'running' AND locked_until < $2 AND attempts < max_attempts)) \
         ORDER BY run_at, id LIMIT 1"
    );
    const SET: &str = "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $3, \
         locked_until = $4, updated_at = $2 WHERE id = ";
    const RETURNING: &str = " RETURNING id, queue, kind, payload, attempts, max_attempts, run_at";
    let claimed = match db {
        // SKIP LOCKED: concurrent claimers pass over each other's rows
        // instead of queueing behind them.
        crate::Db::Postgres(p) => {
            let sql =
                sqlx::AssertSqlSafe(format!("{SET}({pick} FOR UPDATE SKIP LOCKED){RETURNING}"));
            sqlx::query_as::<_, Claimed>(sql)
                .bind(queue)
                .bind(at)
                .bind(worker)
                .bind(at + lease)
                .fetch_optional(p)
                .await?
        }
        // SQLite has one writer at a time: the statement is atomic.
        crate::Db::Sqlite(p) => {
            let sql = sqlx::AssertSqlSafe(format!("{SET}({pick}){RETURNING}"));
            sqlx::query_as::<_, Claimed>(sql)
                .bind(queue)
                .bind(at)
                .bind(worker)
                .bind(at + lease)
                .fetch_optional(p)
                .await?
        }
    };
    Ok(claimed)
}

/// Marks a claimed job done. False if the lease was lost (another worker
/// reclaimed it), in which case nothing changes.
pub async fn complete(db: &crate::Db, id: JobId, worker: &str) -> StoreResult<bool> {
    let n = run!(db, c => sqlx::query(
        "UPDATE jobs SET status = 'done', locked_by = NULL, locked_until = NULL, last_error = NULL, \
         updated_at = $3 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id.0)
    .bind(worker)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Extends the lease `worker` holds on a running job to `until`: the
/// heartbeat of a long handler. False if the worker no longer holds it
/// (another worker reclaimed it, or it was finished or buried), in which case
/// nothing changes.
pub async fn extend(
    db: &crate::Db,
    id: JobId,
    worker: &str,
    until: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = run!(db, c => sqlx::query(
        "UPDATE jobs SET locked_until = $3, updated_at = $4 \
         WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id.0)
    .bind(worker)
    .bind(until)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Hands a claimed job back as if it had never been claimed: queued, due
/// as before, this attempt not counted (a worker that was told to stop while
/// its claim was in flight). False if `worker` no longer holds it.
pub async fn release(db: &crate::Db, id: JobId, worker: &str) -> StoreResult<bool> {
    let n = run!(db, c => sqlx::query(
        "UPDATE jobs SET status = 'queued', attempts = attempts - 1, locked_by = NULL, locked_until = NULL, \
         updated_at = $3 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id.0)
    .bind(worker)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Puts a claimed job back in the queue, due at `run_at`, without counting
/// this attempt (a rate limit's window is full; an earlier message must go
/// first). False if `worker` no longer holds it.
pub async fn reschedule(
    db: &crate::Db,
    id: JobId,
    worker: &str,
    run_at: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = run!(db, c => sqlx::query(
        "UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_at = $3, locked_by = NULL, \
         locked_until = NULL, updated_at = $4 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id.0)
    .bind(worker)
    .bind(run_at)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Marks a claimed job dead at once, keeping `error`: a failure no retry can
/// fix. False if `worker` no longer holds it, in which case nothing changes.
/// Operators can still [`retry`] it.
pub async fn bury(db: &crate::Db, id: JobId, worker: &str, error: &str) -> StoreResult<bool> {
    let error: String = error.chars().take(2000).collect();
    let n = run!(db, c => sqlx::query(
        "UPDATE jobs SET status = 'dead', last_error = $3, locked_by = NULL, locked_until = NULL, \
         updated_at = $4 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(id.0)
    .bind(worker)
    .bind(&error)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Seconds to wait before attempt `attempts + 1`: 2^attempts, capped at an
/// hour, with ±25% jitter so failed jobs do not retry in lockstep.
pub fn backoff(attempts: i32, jitter_unit: f64) -> chrono::Duration {
    let base = 2f64.powi(attempts.clamp(0, 30)).min(3600.0);
    let factor = 0.75 + 0.5 * jitter_unit.clamp(0.0, 1.0);
    chrono::Duration::milliseconds((base * factor * 1000.0) as i64)
}

/// Records a failed attempt: the job is queued again after its backoff, or
/// dead once it has used all its attempts. The error is kept either way.
pub async fn fail(db: &crate::Db, job: &Claimed, worker: &str, error: &str) -> StoreResult<bool> {
    let at = now();
    let dead = job.attempts >= job.max_attempts;
    let mut jitter = [0u8; 1];
    // Jitter needs no cryptographic quality; a failed read means no jitter.
    let unit = if getrandom_fill(&mut jitter) {
        f64::from(jitter[0]) / 255.0
    } else {
        0.5
    };
    let run_at = at + backoff(job.attempts, unit);
    let error: String = error.chars().take(2000).collect();
    let n = run!(db, c => sqlx::query(
        "UPDATE jobs SET status = $3, run_at = $4, last_error = $5, locked_by = NULL, locked_until = NULL, \
         updated_at = $6 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
    )
    .bind(job.id.0)
    .bind(worker)
    .bind(if dead { "dead" } else { "queued" })
    .bind(run_at)
    .bind(&error)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

fn getrandom_fill(buf: &mut [u8]) -> bool {
    getrandom::fill(buf).is_ok()
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobStatus {
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Done,
        JobStatus::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|j| j.as_str() == s)
    }
}

impl TryFrom<String> for JobStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        JobStatus::parse(&s).ok_or_else(|| format!("unknown job status {s:?}"))
    }
}

impl std::fmt::Display for JobStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A job as operators see it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct JobRow {
    #[sqlx(try_from = "uuid::Uuid")]
    pub id: JobId,
    pub queue: String,
    pub kind: String,
    #[sqlx(try_from = "String")]
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub dedup_key: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Jobs, newest first, optionally of one status.
pub async fn list(
    db: &crate::Db,
    status: Option<JobStatus>,
    limit: i64,
) -> StoreResult<Vec<JobRow>> {
    Ok(run!(db, c => sqlx::query_as::<_, JobRow>(
        "SELECT id, queue, kind, status, attempts, max_attempts, run_at, locked_by, last_error, dedup_key, created_at \
         FROM jobs WHERE ($1 IS NULL OR status = $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(status.map(JobStatus::as_str))
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Puts a dead job back in the queue with fresh attempts. False if the job
/// does not exist or is not dead.
pub async fn retry(db: &crate::Db, id: JobId) -> StoreResult<bool> {
    let at = now();
    let n = run!(db, c => sqlx::query(
        "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $2, updated_at = $2 \
         WHERE id = $1 AND status = 'dead'",
    )
    .bind(id.0)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Deletes finished jobs (done, and dead if asked) last changed before
/// `before`. Done jobs with a dedup key are kept until then, so the key
/// keeps blocking duplicates for that long.
pub async fn purge(db: &crate::Db, before: DateTime<Utc>, include_dead: bool) -> StoreResult<u64> {
    Ok(run!(db, c => sqlx::query(
        "DELETE FROM jobs WHERE updated_at < $1 AND (status = 'done' OR ($2 AND status = 'dead'))",
    )
    .bind(before)
    .bind(include_dead)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// Jobs waiting, running or dead, by kind and state (metrics). Done jobs
/// are left out: they are most of the table, and their count is the
/// process's own `sokoni_jobs_finished_total`.
pub async fn counts(db: &crate::Db) -> StoreResult<Vec<(String, String, i64)>> {
    Ok(run!(db, c => sqlx::query_as::<_, (String, String, i64)>(
        "SELECT kind, status, COUNT(*) FROM jobs WHERE status IN ('queued', 'running', 'dead') \
         GROUP BY kind, status ORDER BY kind, status",
    )
    .fetch_all(c)
    .await)?)
}

/// Seconds the oldest due, unclaimed job has been waiting (metrics: queue
/// lag), or `None` when nothing is waiting.
pub async fn oldest_due_age(db: &crate::Db) -> StoreResult<Option<f64>> {
    let at = now();
    let oldest: Option<DateTime<Utc>> = run!(db, c => sqlx::query_scalar(
        "SELECT MIN(run_at) FROM jobs WHERE status = 'queued' AND run_at <= $1",
    )
    .bind(at)
    .fetch_one(c)
    .await)?;
    Ok(oldest.map(|t| (at - t).num_milliseconds() as f64 / 1000.0))
}
