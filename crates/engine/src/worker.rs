//! The job worker: a few loops per process that claim due jobs from the
//! queue table (`store::jobs`), run the handler registered for each job's
//! kind and record the outcome.
//!
//! - A job is held under a lease; while its handler runs the lease is
//!   extended every third of its length, so a long job is not taken over,
//!   while a worker that dies stops extending and its jobs come back.
//! - A handler returns [`JobError::Retry`] (backoff, dead after
//!   `max_attempts`) or [`JobError::Fatal`] (dead at once). A job of a kind
//!   with no handler, and a handler that panics, count as retryable failures.
//! - Database errors are logged and retried after the poll interval; the
//!   loops never panic and never spin.
//! - [`WorkerHandle::shutdown`] stops claiming (a job whose claim was in
//!   flight is handed back unrun), lets running jobs finish within a grace
//!   period and abandons the rest to their leases.
//!
//! Metrics (through the `metrics` facade): `sokoni_jobs_finished_total{kind,
//! outcome=done|retry|rescheduled|dead}`, `sokoni_job_queue_latency_seconds{kind}` (claim
//! time minus the time the job was due), `sokoni_job_run_seconds{kind}` and
//! `sokoni_job_worker_errors_total{op=claim|extend|record|release|sweep}` (database errors
//! the loops survived).

use crate::jobs::{Job, Queue};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use store::Db;
use store::jobs::{self, Claimed};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinError, JoinHandle};

/// How a handler failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Try again later: the job backs off and is dead after its
    /// `max_attempts`.
    #[error("{0}")]
    Retry(String),
    /// Retrying cannot help: the job is dead at once, with this error.
    #[error("{0}")]
    Fatal(String),
    /// Not now, through no fault of the job (a rate limit's window is full,
    /// an earlier message of the conversation is not sent yet): run it again
    /// at this time, without counting the attempt.
    #[error("rescheduled to {0}")]
    Reschedule(chrono::DateTime<chrono::Utc>),
}

/// Any failure that may pass (a database, a provider), as a retryable job
/// error.
pub fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::Retry(e.to_string())
}

/// A store error is retryable: the database may answer next time.
impl From<store::StoreError> for JobError {
    fn from(e: store::StoreError) -> Self {
        retry(e)
    }
}

/// An `anyhow` error (and so `?` in a handler) is retryable.
impl From<anyhow::Error> for JobError {
    fn from(e: anyhow::Error) -> Self {
        JobError::Retry(format!("{e:#}"))
    }
}

/// Runs jobs of type `J`. Handlers must be idempotent: a job whose worker
/// died, or whose outcome could not be recorded, runs again.
#[async_trait::async_trait]
pub trait Perform<J: Job>: Send + Sync + 'static {
    async fn perform(&self, job: J, meta: &Claimed) -> Result<(), JobError>;
}

/// A typed handler behind the kind-keyed [`Handler`]: reads the payload as
/// `J` (a payload that does not read is dead at once: retrying cannot fix
/// it).
struct Typed<J, H>(H, std::marker::PhantomData<fn() -> J>);

#[async_trait::async_trait]
impl<J: Job, H: Perform<J>> Handler for Typed<J, H> {
    async fn handle(&self, job: &Claimed) -> Result<(), JobError> {
        let payload = J::deserialize(&job.payload.0).map_err(|e| {
            JobError::Fatal(format!("the {} job's payload does not read: {e}", J::KIND))
        })?;
        self.0.perform(payload, job).await
    }
}

/// Runs jobs of one kind, from the stored row. Handlers must be idempotent: a job whose worker
/// died, or whose outcome could not be recorded, runs again.
#[async_trait::async_trait]
pub trait Handler: Send + Sync + 'static {
    async fn handle(&self, job: &Claimed) -> Result<(), JobError>;
}

/// The handler of each job kind.
#[derive(Default)]
pub struct Registry {
    handlers: HashMap<&'static str, Arc<dyn Handler>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the handler of job type `J`, replacing any earlier one.
    pub fn add<J: Job>(&mut self, h: impl Perform<J>) {
        self.handlers
            .insert(J::KIND, Arc::new(Typed(h, std::marker::PhantomData)));
    }

    /// Registers a raw handler of `kind` (tests of the worker itself),
    /// replacing any earlier one.
    pub fn register(&mut self, kind: &'static str, h: Arc<dyn Handler>) {
        self.handlers.insert(kind, h);
    }

    /// The registered kinds, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    /// The handler of `kind`, if one is registered.
    pub fn get(&self, kind: &str) -> Option<Arc<dyn Handler>> {
        self.handlers.get(kind).cloned()
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.kinds())
            .finish()
    }
}

/// How a process runs its workers.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The worker id prefix; concurrent loop `n` claims as `<name>-<n>`. Must
    /// be unique per process (see [`default_worker_name`]): a lease belongs to
    /// the name that claimed it.
    pub name: String,
    /// The queues to claim from, taken round-robin.
    pub queues: Vec<Queue>,
    /// How many jobs run at once (at least one).
    pub concurrency: usize,
    /// How long a claimed job is held before another worker may take it
    /// over; extended every third of it while the handler runs.
    pub lease: Duration,
    /// How long an idle loop waits before looking for due jobs again.
    pub poll_interval: Duration,
    /// Enqueuers in this process call `notify_one`/`notify_waiters` on it
    /// after committing a job, so an idle loop claims it without waiting for
    /// the poll.
    pub wake: Arc<Notify>,
}

impl WorkerConfig {
    /// Queue [`Queue::Default`], 4 concurrent jobs, a 5 minute lease, a 500 ms poll.
    pub fn new(name: impl Into<String>) -> Self {
        WorkerConfig {
            name: name.into(),
            queues: vec![Queue::Default],
            concurrency: 4,
            lease: Duration::from_secs(300),
            poll_interval: Duration::from_millis(500),
            wake: Arc::new(Notify::new()),
        }
    }
}

/// `<hostname or "sokoni">:<pid>:<random>`, different on every call, so
/// every process (and every worker set in it) holds leases under its own
/// name.
pub fn default_worker_name() -> String {
    let host = hostname().unwrap_or_else(|| "sokoni".to_string());
    let mut tag = [0u8; 4];
    if getrandom::fill(&mut tag).is_err() {
        // Unique enough without randomness: the pid already tells processes
        // apart, the clock tells calls apart.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        tag = nanos.to_le_bytes();
    }
    let tag: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    format!("{host}:{}:{tag}", std::process::id())
}

fn hostname() -> Option<String> {
    let clean = |s: String| {
        let s = s.trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    std::env::var("HOSTNAME")
        .ok()
        .and_then(clean)
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .and_then(clean)
        })
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .and_then(clean)
        })
}

/// Starts worker loops.
pub struct Workers;

impl Workers {
    /// Spawns `cfg.concurrency` loops on the current Tokio runtime (must be
    /// called inside one). They run until [`WorkerHandle::shutdown`].
    pub fn start(db: Db, registry: Arc<Registry>, cfg: WorkerConfig) -> WorkerHandle {
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(Shared {
            ctx: Ctx::new(db, cfg.lease, cfg.poll_interval),
            registry,
            queues: cfg.queues,
            wake: cfg.wake,
        });
        if shared.queues.is_empty() {
            tracing::warn!(worker = %cfg.name, "job worker started with no queues: it will never claim a job");
        }
        let mut tasks: Vec<JoinHandle<()>> = (0..cfg.concurrency.max(1))
            .map(|n| {
                let worker = format!("{}-{n}", cfg.name);
                tokio::spawn(slot(shared.clone(), worker, n, stopped.clone()))
            })
            .collect();
        tasks.push(tokio::spawn(sweep(shared.clone(), stopped.clone())));
        tracing::info!(worker = %cfg.name, queues = ?shared.queues, kinds = ?shared.registry.kinds(), "job worker started");
        WorkerHandle {
            name: cfg.name,
            stop,
            tasks,
        }
    }
}

/// Running workers. Dropping the handle detaches them: they run until the
/// runtime ends; call [`WorkerHandle::shutdown`] to stop them cleanly.
#[must_use = "workers should be stopped with WorkerHandle::shutdown"]
#[derive(Debug)]
pub struct WorkerHandle {
    name: String,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl WorkerHandle {
    /// Stops claiming new jobs, without waiting: running jobs go on. With
    /// several worker sets, call it on each before shutting them down one by
    /// one, so none claims while the others drain.
    pub fn stop_claiming(&self) {
        self.stop.send_replace(true);
    }

    /// Stops claiming jobs at once, lets the running ones finish (and
    /// records their outcome) for up to `grace`, then abandons the rest: their
    /// handlers are cancelled and their leases, no longer extended, expire,
    /// so another worker runs them again.
    pub async fn shutdown(self, grace: Duration) {
        self.stop_claiming();
        let deadline = tokio::time::Instant::now() + grace;
        let mut abandoned = 0;
        for mut task in self.tasks {
            match tokio::time::timeout_at(deadline, &mut task).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(worker = %self.name, "job worker loop failed: {e}"),
                Err(_) => {
                    task.abort();
                    abandoned += 1;
                    // Cancelled at its next await; wait for it so nothing of
                    // ours still runs when shutdown returns.
                    let _ = task.await;
                }
            }
        }
        if abandoned > 0 {
            tracing::warn!(
                worker = %self.name,
                abandoned,
                "job worker grace period over: running jobs abandoned to their leases"
            );
        } else {
            tracing::info!(worker = %self.name, "job worker stopped");
        }
    }
}

/// Runs claimed jobs and records their outcome.
struct Ctx {
    db: Db,
    lease: Duration,
    lease_chrono: chrono::Duration,
    poll_interval: Duration,
}

impl Ctx {
    fn new(db: Db, lease: Duration, poll_interval: Duration) -> Ctx {
        // A third of it must be a usable heartbeat period.
        let lease = lease.max(Duration::from_millis(30));
        Ctx {
            db,
            lease,
            lease_chrono: chrono::Duration::from_std(lease)
                .unwrap_or_else(|_| chrono::Duration::minutes(5)),
            poll_interval,
        }
    }
}

/// What the loops of one worker set share.
struct Shared {
    ctx: Ctx,
    registry: Arc<Registry>,
    queues: Vec<Queue>,
    wake: Arc<Notify>,
}

/// Runs every due job of any queue, one after the other in this task (each
/// handler still in a task of its own), until none is due; returns how many
/// ran, whatever their outcome. For tests and one-off drains: production
/// uses [`Workers`]. A job whose retry falls due while this runs runs again.
pub async fn run_due(db: &Db, registry: &Registry, worker: &str) -> store::StoreResult<usize> {
    let ctx = Ctx::new(
        db.clone(),
        Duration::from_secs(300),
        Duration::from_millis(100),
    );
    jobs::bury_expired(db).await?;
    let mut ran = 0;
    while let Some(job) = jobs::claim_any(&ctx.db, worker, ctx.lease_chrono).await? {
        run(&ctx, registry, worker, job).await;
        ran += 1;
    }
    Ok(ran)
}

/// Never retry a failing database faster than this, whatever the poll
/// interval says.
const MIN_ERROR_PAUSE: Duration = Duration::from_millis(100);

fn db_error(op: &'static str) {
    metrics::counter!("sokoni_job_worker_errors_total", "op" => op).increment(1);
}

/// Resolves once shutdown is requested; never if the handle was dropped
/// (detached workers run on).
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// One worker loop: claim, run, record; wait when nothing is due.
async fn slot(
    sh: Arc<Shared>,
    worker: String,
    first_queue: usize,
    mut stop: watch::Receiver<bool>,
) {
    let mut next_queue = first_queue;
    loop {
        if *stop.borrow() {
            break;
        }
        // Listen for wake-ups before looking, so a job enqueued between an
        // empty claim and the wait is not missed.
        let woken = sh.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let pause = match claim_next(&sh, &worker, &mut next_queue).await {
            Ok(Some(job)) if *stop.borrow() => {
                // Stop was requested while the claim was in flight.
                hand_back(&sh.ctx, &worker, &job).await;
                break;
            }
            Ok(Some(job)) => {
                run(&sh.ctx, &sh.registry, &worker, job).await;
                continue;
            }
            Ok(None) => None,
            Err(e) => {
                db_error("claim");
                tracing::warn!(%worker, "job worker could not claim: {e}");
                Some(sh.ctx.poll_interval.max(MIN_ERROR_PAUSE))
            }
        };
        let idle = pause.is_none();
        tokio::select! {
            () = stop_requested(&mut stop) => break,
            () = tokio::time::sleep(pause.unwrap_or(sh.ctx.poll_interval)) => {}
            () = &mut woken, if idle => {}
        }
    }
}

async fn hand_back(ctx: &Ctx, worker: &str, job: &Claimed) {
    match jobs::release(&ctx.db, job.id, worker).await {
        Ok(_) => tracing::debug!(%worker, job = %job.id, "job handed back unrun: stopping"),
        Err(e) => {
            db_error("release");
            tracing::warn!(%worker, job = %job.id, "could not hand back a job claimed while stopping; it runs when its lease expires: {e}");
        }
    }
}

/// Buries jobs whose worker died on their final attempt, once per lease
/// period (a job's lease must run out before it can be buried anyway).
async fn sweep(sh: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let every = sh.ctx.lease.max(Duration::from_secs(1));
    loop {
        match jobs::bury_expired(&sh.ctx.db).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                jobs = n,
                "jobs died with their worker on their final attempt"
            ),
            Err(e) => {
                db_error("sweep");
                tracing::warn!("could not sweep expired jobs: {e}");
            }
        }
        tokio::select! {
            () = stop_requested(&mut stop) => break,
            () = tokio::time::sleep(every) => {}
        }
    }
}

/// The next due job of this loop's queues, starting after the queue it last
/// took a job from.
async fn claim_next(
    sh: &Shared,
    worker: &str,
    next_queue: &mut usize,
) -> store::StoreResult<Option<Claimed>> {
    let n = sh.queues.len();
    for k in 0..n {
        let i = (*next_queue + k) % n;
        if let Some(job) = jobs::claim(
            &sh.ctx.db,
            sh.queues[i].as_str(),
            worker,
            sh.ctx.lease_chrono,
        )
        .await?
        {
            *next_queue = (i + 1) % n;
            return Ok(Some(job));
        }
    }
    Ok(None)
}

async fn run(ctx: &Ctx, registry: &Registry, worker: &str, job: Claimed) {
    let kind = job.kind.clone();
    let waited = (store::now() - job.run_at)
        .to_std()
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    metrics::histogram!("sokoni_job_queue_latency_seconds", "kind" => kind.clone()).record(waited);
    tracing::debug!(%worker, job = %job.id, %kind, attempt = job.attempts, "job started");
    let started = Instant::now();
    let result = match registry.get(&kind) {
        Some(handler) => supervise(ctx, worker, &job, handler).await,
        None => Err(JobError::Retry(format!("no handler for job kind {kind}"))),
    };
    metrics::histogram!("sokoni_job_run_seconds", "kind" => kind)
        .record(started.elapsed().as_secs_f64());
    record(ctx, worker, &job, result).await;
}

/// Cancels a spawned handler when dropped: when the worker loop itself is
/// abandoned at shutdown, its handler stops too.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs the handler in a task of its own (a panic stays there) and extends
/// the lease while it runs.
async fn supervise(
    ctx: &Ctx,
    worker: &str,
    job: &Claimed,
    handler: Arc<dyn Handler>,
) -> Result<(), JobError> {
    let owned = job.clone();
    let mut task = AbortOnDrop(tokio::spawn(async move { handler.handle(&owned).await }));
    let every = ctx.lease / 3;
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut holding = true;
    loop {
        tokio::select! {
            joined = &mut task.0 => return joined.unwrap_or_else(|e| Err(JobError::Retry(crashed(e)))),
            _ = beat.tick(), if holding => {
                match jobs::extend(&ctx.db, job.id, worker, store::now() + ctx.lease_chrono).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(%worker, job = %job.id, kind = %job.kind,
                            "job lease lost while its handler runs: another worker may run it too");
                        holding = false;
                    }
                    Err(e) => {
                        db_error("extend");
                        tracing::warn!(%worker, job = %job.id, "could not extend job lease: {e}");
                    }
                }
            }
        }
    }
}

fn crashed(e: JoinError) -> String {
    if !e.is_panic() {
        return "handler task was cancelled".to_string();
    }
    let payload = e.into_panic();
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    format!("handler panicked: {msg}")
}

/// How many times recording an outcome is tried when the database fails;
/// after that the job's lease runs out and it runs again.
const RECORD_TRIES: u32 = 3;

async fn record(ctx: &Ctx, worker: &str, job: &Claimed, result: Result<(), JobError>) {
    let (outcome, error) = match &result {
        Ok(()) => ("done", None),
        Err(JobError::Retry(e)) if job.attempts >= job.max_attempts => ("dead", Some(e.as_str())),
        Err(JobError::Retry(e)) => ("retry", Some(e.as_str())),
        Err(JobError::Fatal(e)) => ("dead", Some(e.as_str())),
        Err(JobError::Reschedule(_)) => ("rescheduled", None),
    };
    let mut tries = 0;
    let stored = loop {
        tries += 1;
        let r = match &result {
            Ok(()) => jobs::complete(&ctx.db, job.id, worker).await,
            Err(JobError::Retry(e)) => jobs::fail(&ctx.db, job, worker, e).await,
            Err(JobError::Fatal(e)) => jobs::bury(&ctx.db, job.id, worker, e).await,
            Err(JobError::Reschedule(at)) => jobs::reschedule(&ctx.db, job.id, worker, *at).await,
        };
        match r {
            Ok(stored) => break stored,
            Err(e) if tries < RECORD_TRIES => {
                db_error("record");
                tracing::warn!(%worker, job = %job.id, outcome, "could not record job outcome, trying again: {e}");
                tokio::time::sleep(ctx.poll_interval.max(MIN_ERROR_PAUSE)).await;
            }
            Err(e) => {
                db_error("record");
                tracing::error!(%worker, job = %job.id, kind = %job.kind, outcome,
                    "could not record job outcome; it runs again when its lease expires: {e}");
                return;
            }
        }
    };
    if !stored {
        tracing::warn!(%worker, job = %job.id, kind = %job.kind, outcome,
            "job lease was lost before its outcome was recorded: another worker holds it");
        return;
    }
    metrics::counter!("sokoni_jobs_finished_total", "kind" => job.kind.clone(), "outcome" => outcome)
        .increment(1);
    match (outcome, error) {
        ("done", _) => tracing::debug!(%worker, job = %job.id, kind = %job.kind, "job done"),
        ("rescheduled", _) => {
            tracing::debug!(%worker, job = %job.id, kind = %job.kind, "job rescheduled")
        }
        ("retry", Some(e)) => tracing::warn!(%worker, job = %job.id, kind = %job.kind,
            attempt = job.attempts, max_attempts = job.max_attempts, "job failed, will retry: {e}"),
        (_, e) => tracing::error!(%worker, job = %job.id, kind = %job.kind,
            attempt = job.attempts, "job dead: {}", e.unwrap_or_default()),
    }
}
