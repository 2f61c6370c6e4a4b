//! The job worker runtime on both backends: every job runs once across
//! loops and processes, failures retry or die, panics and database errors
//! are survived, leases are kept alive while a handler runs and taken over
//! when its process dies, and shutdown is graceful.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use domain::JobId;
use engine::jobs::{Job, Queue};
use engine::worker::{
    Handler, JobError, Perform, Registry, WorkerConfig, Workers, default_worker_name,
};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use store::jobs::{self, Claimed, NewJob};
use store::testing::{self, Fresh};
use store::{Db, run};
use tokio::sync::Notify;

// ---------------------------------------------------------------------------
// Helpers

async fn enqueue_at(
    db: &Db,
    queue: &str,
    kind: &str,
    run_at: Option<chrono::DateTime<chrono::Utc>>,
) -> JobId {
    jobs::enqueue(
        db,
        &NewJob {
            tenant_id: None,
            queue,
            kind,
            payload: json!({}),
            run_at,
            dedup_key: None,
        },
    )
    .await
    .unwrap()
    .unwrap()
}

async fn enqueue(db: &Db, kind: &str) -> JobId {
    enqueue_at(db, "default", kind, None).await
}

#[derive(Debug)]
struct Row {
    status: String,
    attempts: i32,
    last_error: Option<String>,
    locked_by: Option<String>,
    run_at: chrono::DateTime<chrono::Utc>,
}

async fn row(db: &Db, id: JobId) -> Row {
    let (status, attempts, last_error, locked_by, run_at) = run!(db, c => sqlx::query_as::<
        _,
        (String, i32, Option<String>, Option<String>, chrono::DateTime<chrono::Utc>),
    >("SELECT status, attempts, last_error, locked_by, run_at FROM jobs WHERE id = $1")
    .bind(id.0)
    .fetch_one(c)
    .await)
    .unwrap();
    Row {
        status,
        attempts,
        last_error,
        locked_by,
        run_at,
    }
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    run!(db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await).unwrap()
}

async fn exec(db: &Db, sql: &'static str) {
    run!(db, c => sqlx::query(sql).execute(c).await.map(|_| ())).unwrap();
}

/// Polls `check` until it holds; panics with `what` after `timeout`.
async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn wait_status(db: &Db, id: JobId, status: &str, timeout: Duration) -> Row {
    eventually(&format!("job {id} to be {status}"), timeout, || async {
        row(db, id).await.status == status
    })
    .await;
    row(db, id).await
}

/// A quick-polling configuration for tests.
fn config(concurrency: usize) -> WorkerConfig {
    let mut cfg = WorkerConfig::new(default_worker_name());
    cfg.concurrency = concurrency;
    cfg.poll_interval = Duration::from_millis(20);
    cfg
}

fn registry(handlers: Vec<(&'static str, Arc<dyn Handler>)>) -> Arc<Registry> {
    let mut r = Registry::new();
    for (kind, h) in handlers {
        r.register(kind, h);
    }
    Arc::new(r)
}

/// Records the id of every job it runs.
#[derive(Default)]
struct Recorder {
    runs: Mutex<Vec<JobId>>,
}

#[async_trait::async_trait]
impl Handler for Recorder {
    async fn handle(&self, job: &Claimed) -> Result<(), JobError> {
        self.runs.lock().unwrap().push(job.id);
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// A process-wide metrics recorder, so tests can read what the worker
// reported. Tests use kinds of their own and compare before and after.

#[derive(Default)]
struct Metrics {
    counters: Mutex<HashMap<String, Arc<AtomicU64>>>,
    histograms: Mutex<HashMap<String, Arc<Samples>>>,
}

#[derive(Default)]
struct Samples(Mutex<Vec<f64>>);

impl metrics::HistogramFn for Samples {
    fn record(&self, value: f64) {
        self.0.lock().unwrap().push(value);
    }
}

fn key_text(key: &metrics::Key) -> String {
    let mut labels: Vec<String> = key
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    labels.sort();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl metrics::Recorder for Metrics {
    fn describe_counter(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }
    fn describe_gauge(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }
    fn describe_histogram(
        &self,
        _: metrics::KeyName,
        _: Option<metrics::Unit>,
        _: metrics::SharedString,
    ) {
    }
    fn register_counter(&self, key: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Counter {
        let mut all = self.counters.lock().unwrap();
        metrics::Counter::from_arc(all.entry(key_text(key)).or_default().clone())
    }
    fn register_gauge(&self, _: &metrics::Key, _: &metrics::Metadata<'_>) -> metrics::Gauge {
        metrics::Gauge::noop()
    }
    fn register_histogram(
        &self,
        key: &metrics::Key,
        _: &metrics::Metadata<'_>,
    ) -> metrics::Histogram {
        let mut all = self.histograms.lock().unwrap();
        metrics::Histogram::from_arc(all.entry(key_text(key)).or_default().clone())
    }
}

impl Metrics {
    /// The recorder, installed on first use.
    fn get() -> &'static Metrics {
        static METRICS: OnceLock<&'static Metrics> = OnceLock::new();
        METRICS.get_or_init(|| {
            let m: &'static Metrics = Box::leak(Box::default());
            metrics::set_global_recorder(m).expect("no other metrics recorder in this test binary");
            m
        })
    }

    fn counter(&self, key: &str) -> u64 {
        self.counters
            .lock()
            .unwrap()
            .get(key)
            .map_or(0, |c| c.load(Ordering::SeqCst))
    }

    fn samples(&self, key: &str) -> Vec<f64> {
        self.histograms
            .lock()
            .unwrap()
            .get(key)
            .map_or_else(Vec::new, |h| h.0.lock().unwrap().clone())
    }
}

fn finished(kind: &str, outcome: &str) -> String {
    format!("sokoni_jobs_finished_total{{kind={kind},outcome={outcome}}}")
}

// ---------------------------------------------------------------------------
// In-process behaviour

#[test]
fn config_defaults_names_and_errors() {
    let cfg = WorkerConfig::new("w");
    assert_eq!(cfg.name, "w");
    assert_eq!(cfg.queues, vec![Queue::Default]);
    assert_eq!(cfg.concurrency, 4);
    assert_eq!(cfg.lease, Duration::from_secs(300));
    assert_eq!(cfg.poll_interval, Duration::from_millis(500));

    let (a, b) = (default_worker_name(), default_worker_name());
    assert_ne!(a, b, "every call names a different worker");
    let parts: Vec<&str> = a.split(':').collect();
    assert_eq!(parts.len(), 3, "host:pid:random, got {a}");
    assert!(!parts[0].is_empty());
    assert_eq!(parts[1], std::process::id().to_string());
    assert!(parts[2].len() >= 4 && parts[2].chars().all(|c| c.is_ascii_hexdigit()));

    let mut r = Registry::new();
    r.register("b", Arc::new(Recorder::default()));
    r.register("a", Arc::new(Recorder::default()));
    assert_eq!(r.kinds(), vec!["a", "b"]);
    assert!(r.get("a").is_some() && r.get("c").is_none());

    let e: JobError = anyhow::anyhow!("timeout")
        .context("calling the provider")
        .into();
    match e {
        JobError::Retry(msg) => assert_eq!(msg, "calling the provider: timeout"),
        other => panic!("anyhow errors are retryable, not {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_jobs_on_four_loops_each_run_once() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        let mut ids = HashSet::new();
        for _ in 0..200 {
            ids.insert(enqueue(&db, "record").await);
        }
        let rec = Arc::new(Recorder::default());
        let workers = Workers::start(
            db.clone(),
            registry(vec![("record", rec.clone())]),
            config(4),
        );
        eventually("all 200 jobs done", Duration::from_secs(60), || async {
            count(&db, "SELECT COUNT(*) FROM jobs WHERE status = 'done'").await == 200
        })
        .await;
        workers.shutdown(Duration::from_secs(5)).await;
        let runs = rec.runs.lock().unwrap().clone();
        assert_eq!(runs.len(), 200, "one run per job on {}", db.backend());
        assert_eq!(
            runs.into_iter().collect::<HashSet<_>>(),
            ids,
            "every job ran"
        );
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM jobs WHERE attempts <> 1 OR locked_by IS NOT NULL"
            )
            .await,
            0,
            "each job claimed once and released"
        );
    }
}

/// Fails the first attempt of each job, succeeds after.
struct Flaky;

#[async_trait::async_trait]
impl Handler for Flaky {
    async fn handle(&self, job: &Claimed) -> Result<(), JobError> {
        if job.attempts == 1 {
            return Err(JobError::Retry("the provider is down".into()));
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_job_succeeds_on_its_second_attempt() {
    let m = Metrics::get();
    for Fresh { db, .. } in testing::backends_fresh().await {
        let (retried, done) = (
            m.counter(&finished("flaky", "retry")),
            m.counter(&finished("flaky", "done")),
        );
        let latencies = m
            .samples("sokoni_job_queue_latency_seconds{kind=flaky}")
            .len();
        let runs = m.samples("sokoni_job_run_seconds{kind=flaky}").len();
        let id = enqueue(&db, "flaky").await;
        let cfg = config(2);
        let wake = cfg.wake.clone();
        let workers = Workers::start(db.clone(), registry(vec![("flaky", Arc::new(Flaky))]), cfg);
        eventually(
            "the first attempt to fail",
            Duration::from_secs(20),
            || async {
                let r = row(&db, id).await;
                r.status == "queued" && r.attempts == 1
            },
        )
        .await;
        let failed = row(&db, id).await;
        assert_eq!(failed.last_error.as_deref(), Some("the provider is down"));
        assert!(
            failed.run_at > store::now(),
            "backs off on {}",
            db.backend()
        );
        // Skip the backoff (unit-tested in store) and wake the idle loops.
        run!(&db, c => sqlx::query("UPDATE jobs SET run_at = $1 WHERE id = $2")
            .bind(store::now() - chrono::Duration::seconds(1))
            .bind(id.0)
            .execute(c)
            .await
            .map(|_| ()))
        .unwrap();
        wake.notify_waiters();
        let r = wait_status(&db, id, "done", Duration::from_secs(20)).await;
        workers.shutdown(Duration::from_secs(5)).await;
        assert_eq!(r.attempts, 2, "{}", db.backend());
        assert_eq!(r.last_error, None, "a success clears the error");
        assert_eq!(m.counter(&finished("flaky", "retry")), retried + 1);
        assert_eq!(m.counter(&finished("flaky", "done")), done + 1);
        let lat = m.samples("sokoni_job_queue_latency_seconds{kind=flaky}");
        assert_eq!(lat.len(), latencies + 2, "a latency per claim");
        assert!(lat.iter().all(|s| *s >= 0.0));
        assert_eq!(
            m.samples("sokoni_job_run_seconds{kind=flaky}").len(),
            runs + 2
        );
    }
}

struct Fatal;

#[async_trait::async_trait]
impl Handler for Fatal {
    async fn handle(&self, _: &Claimed) -> Result<(), JobError> {
        Err(JobError::Fatal("the order was deleted".into()))
    }
}

struct Panics;

#[async_trait::async_trait]
impl Handler for Panics {
    async fn handle(&self, _: &Claimed) -> Result<(), JobError> {
        panic!("boom in the handler");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fatal_errors_die_unknown_kinds_and_panics_retry_and_the_worker_survives() {
    let m = Metrics::get();
    for Fresh { db, .. } in testing::backends_fresh().await {
        let dead = m.counter(&finished("fatal", "dead"));
        let unknown = m.counter(&finished("nobody_handles_this", "retry"));
        let panicked = m.counter(&finished("panics", "retry"));
        // Due in this order; one loop takes them one after the other.
        let at = |s: i64| Some(store::now() - chrono::Duration::seconds(s));
        let fatal = enqueue_at(&db, "default", "fatal", at(4)).await;
        let nope = enqueue_at(&db, "default", "nobody_handles_this", at(3)).await;
        let panics = enqueue_at(&db, "default", "panics", at(2)).await;
        let after = enqueue_at(&db, "default", "record", at(1)).await;
        let rec = Arc::new(Recorder::default());
        let reg = registry(vec![
            ("fatal", Arc::new(Fatal)),
            ("panics", Arc::new(Panics)),
            ("record", rec.clone()),
        ]);
        let workers = Workers::start(db.clone(), reg, config(1));
        wait_status(&db, after, "done", Duration::from_secs(20)).await;
        workers.shutdown(Duration::from_secs(5)).await;
        assert_eq!(
            *rec.runs.lock().unwrap(),
            vec![after],
            "the worker went on after the panic"
        );

        let f = row(&db, fatal).await;
        assert_eq!(
            (f.status.as_str(), f.attempts),
            ("dead", 1),
            "fatal is dead at once on {}",
            db.backend()
        );
        assert_eq!(f.last_error.as_deref(), Some("the order was deleted"));

        let n = row(&db, nope).await;
        assert_eq!((n.status.as_str(), n.attempts), ("queued", 1));
        assert_eq!(
            n.last_error.as_deref(),
            Some("no handler for job kind nobody_handles_this")
        );

        let p = row(&db, panics).await;
        assert_eq!((p.status.as_str(), p.attempts), ("queued", 1));
        assert_eq!(
            p.last_error.as_deref(),
            Some("handler panicked: boom in the handler")
        );
        assert_eq!(p.locked_by, None);

        assert_eq!(m.counter(&finished("fatal", "dead")), dead + 1);
        assert_eq!(
            m.counter(&finished("nobody_handles_this", "retry")),
            unknown + 1
        );
        assert_eq!(m.counter(&finished("panics", "retry")), panicked + 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_on_the_last_attempt_is_dead() {
    let m = Metrics::get();
    for Fresh { db, .. } in testing::backends_fresh().await {
        let dead = m.counter(&finished("flaky_last", "dead"));
        let id = enqueue(&db, "flaky_last").await;
        exec(&db, "UPDATE jobs SET max_attempts = 1").await;
        let workers = Workers::start(
            db.clone(),
            registry(vec![("flaky_last", Arc::new(Flaky))]),
            config(1),
        );
        let r = wait_status(&db, id, "dead", Duration::from_secs(20)).await;
        workers.shutdown(Duration::from_secs(5)).await;
        assert_eq!(r.attempts, 1);
        assert_eq!(r.last_error.as_deref(), Some("the provider is down"));
        assert_eq!(
            m.counter(&finished("flaky_last", "dead")),
            dead + 1,
            "{}",
            db.backend()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_claims_only_from_its_queues() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        let a = enqueue_at(&db, "inbound", "record", None).await;
        let b = enqueue_at(&db, "outbound", "record", None).await;
        let other = enqueue_at(&db, "bulk", "record", None).await;
        let rec = Arc::new(Recorder::default());
        let mut cfg = config(1);
        cfg.queues = vec![Queue::Inbound, Queue::Outbound];
        let workers = Workers::start(db.clone(), registry(vec![("record", rec.clone())]), cfg);
        wait_status(&db, a, "done", Duration::from_secs(20)).await;
        wait_status(&db, b, "done", Duration::from_secs(20)).await;
        workers.shutdown(Duration::from_secs(5)).await;
        assert_eq!(row(&db, other).await.status, "queued", "{}", db.backend());
        assert_eq!(rec.runs.lock().unwrap().len(), 2);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_due_drains_every_queue_in_the_calling_task() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        let a = enqueue_at(&db, "inbound", "record", None).await;
        let b = enqueue_at(&db, "outbound", "record", None).await;
        let flaky = enqueue(&db, "flaky").await;
        let later = enqueue_at(
            &db,
            "default",
            "record",
            Some(store::now() + chrono::Duration::seconds(60)),
        )
        .await;
        let rec = Arc::new(Recorder::default());
        let reg = registry(vec![("record", rec.clone()), ("flaky", Arc::new(Flaky))]);
        let ran = engine::worker::run_due(&db, &reg, "drain").await.unwrap();
        assert_eq!(ran, 3, "every due job, once, on {}", db.backend());
        assert_eq!(row(&db, a).await.status, "done");
        assert_eq!(row(&db, b).await.status, "done");
        let f = row(&db, flaky).await;
        assert_eq!(
            (f.status.as_str(), f.attempts),
            ("queued", 1),
            "backing off"
        );
        assert_eq!(row(&db, later).await.status, "queued");
        assert_eq!(*rec.runs.lock().unwrap(), vec![a, b]);
        assert_eq!(
            engine::worker::run_due(&db, &reg, "drain").await.unwrap(),
            0
        );
    }
}

/// Signals that it started, takes `time`, then records that it finished.
struct Slow {
    started: Arc<Notify>,
    time: Duration,
    finished: Arc<AtomicBool>,
}

#[async_trait::async_trait]
impl Handler for Slow {
    async fn handle(&self, _: &Claimed) -> Result<(), JobError> {
        self.started.notify_one();
        tokio::time::sleep(self.time).await;
        self.finished.store(true, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_running_job_finish_and_claims_nothing_more() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        let running = enqueue(&db, "slow").await;
        let slow = Arc::new(Slow {
            started: Arc::new(Notify::new()),
            time: Duration::from_millis(500),
            finished: Arc::new(AtomicBool::new(false)),
        });
        let mut cfg = config(2);
        // Idle loops wait out the test: no claim is in flight at shutdown.
        cfg.poll_interval = Duration::from_secs(30);
        let wake = cfg.wake.clone();
        let workers = Workers::start(db.clone(), registry(vec![("slow", slow.clone())]), cfg);
        tokio::time::timeout(Duration::from_secs(20), slow.started.notified())
            .await
            .expect("the slow job started");
        let t0 = Instant::now();
        // The shutdown future is polled first: it has asked the loops to
        // stop before the second job is enqueued.
        let ((), later) = tokio::join!(workers.shutdown(Duration::from_secs(5)), async {
            let id = enqueue(&db, "slow").await;
            wake.notify_waiters();
            id
        });
        let took = t0.elapsed();
        assert!(
            slow.finished.load(Ordering::SeqCst),
            "the running handler finished"
        );
        assert!(
            took < Duration::from_secs(4),
            "shutdown returned when the job was done, took {took:?}"
        );
        let r = row(&db, running).await;
        assert_eq!(
            (r.status.as_str(), r.attempts),
            ("done", 1),
            "{}",
            db.backend()
        );
        let l = row(&db, later).await;
        assert_eq!(
            (l.status.as_str(), l.attempts),
            ("queued", 0),
            "nothing claimed after shutdown"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_claiming_stops_every_set_before_any_drains() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        let rec = Arc::new(Recorder::default());
        let reg = registry(vec![("record", rec.clone())]);
        let wake = Arc::new(Notify::new());
        let sets: Vec<_> = (0..2)
            .map(|_| {
                let mut cfg = config(1);
                cfg.poll_interval = Duration::from_millis(10);
                cfg.wake = wake.clone();
                Workers::start(db.clone(), reg.clone(), cfg)
            })
            .collect();
        let first = enqueue(&db, "record").await;
        wake.notify_waiters();
        wait_status(&db, first, "done", Duration::from_secs(20)).await;
        for s in &sets {
            s.stop_claiming();
        }
        let later = enqueue(&db, "record").await;
        wake.notify_waiters();
        for s in sets {
            s.shutdown(Duration::from_secs(5)).await;
        }
        assert_eq!(row(&db, later).await.status, "queued", "{}", db.backend());
        assert_eq!(*rec.runs.lock().unwrap(), vec![first]);
    }
}

/// Sets its flag when dropped: tells whether a handler was cancelled.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

struct Forever {
    started: Arc<Notify>,
    cancelled: Arc<AtomicBool>,
}

#[async_trait::async_trait]
impl Handler for Forever {
    async fn handle(&self, _: &Claimed) -> Result<(), JobError> {
        let _flag = DropFlag(self.cancelled.clone());
        self.started.notify_one();
        std::future::pending::<()>().await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_abandons_a_job_that_outlives_the_grace_period() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        let id = enqueue(&db, "forever").await;
        let h = Arc::new(Forever {
            started: Arc::new(Notify::new()),
            cancelled: Arc::new(AtomicBool::new(false)),
        });
        let workers = Workers::start(
            db.clone(),
            registry(vec![("forever", h.clone())]),
            config(2),
        );
        tokio::time::timeout(Duration::from_secs(20), h.started.notified())
            .await
            .expect("the job started");
        let t0 = Instant::now();
        workers.shutdown(Duration::from_millis(300)).await;
        let took = t0.elapsed();
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(3),
            "waited out the grace period, then returned: {took:?}"
        );
        eventually(
            "the handler to be cancelled",
            Duration::from_secs(5),
            || async { h.cancelled.load(Ordering::SeqCst) },
        )
        .await;
        let r = row(&db, id).await;
        assert_eq!(r.status, "running", "left to its lease on {}", db.backend());
        assert!(r.locked_by.is_some());
    }
}

/// Counts its runs and takes `time`.
struct Long {
    runs: AtomicU64,
    time: Duration,
}

#[async_trait::async_trait]
impl Handler for Long {
    async fn handle(&self, _: &Claimed) -> Result<(), JobError> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(self.time).await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_heartbeat_keeps_a_job_longer_than_its_lease() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        let id = enqueue(&db, "long").await;
        let long = Arc::new(Long {
            runs: AtomicU64::new(0),
            time: Duration::from_millis(2000),
        });
        let reg = registry(vec![("long", long.clone())]);
        // Two worker sets polling fast: without the heartbeat the second
        // would take the job over once the 900 ms lease ran out.
        let mut sets = Vec::new();
        for _ in 0..2 {
            let mut cfg = config(2);
            cfg.lease = Duration::from_millis(900);
            sets.push(Workers::start(db.clone(), reg.clone(), cfg));
        }
        let r = wait_status(&db, id, "done", Duration::from_secs(20)).await;
        for s in sets {
            s.shutdown(Duration::from_secs(5)).await;
        }
        assert_eq!(
            long.runs.load(Ordering::SeqCst),
            1,
            "ran once on {}",
            db.backend()
        );
        assert_eq!(r.attempts, 1, "never taken over");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_errors_are_logged_and_retried_without_spinning() {
    let m = Metrics::get();
    let errors = "sokoni_job_worker_errors_total{op=claim}";
    for Fresh { db, .. } in testing::backends_fresh().await {
        let rec = Arc::new(Recorder::default());
        let mut cfg = config(2);
        cfg.poll_interval = Duration::from_millis(10);
        let wake = cfg.wake.clone();
        let workers = Workers::start(db.clone(), registry(vec![("record", rec.clone())]), cfg);
        // The queue table disappears under the running worker...
        exec(&db, "ALTER TABLE jobs RENAME TO jobs_away").await;
        let before = m.counter(errors);
        let t0 = Instant::now();
        eventually("claims to fail", Duration::from_secs(10), || async {
            m.counter(errors) > before
        })
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let failed = m.counter(errors) - before;
        let window = t0.elapsed();
        // ...and comes back.
        exec(&db, "ALTER TABLE jobs_away RENAME TO jobs").await;
        // At most one failed claim per loop per 100 ms (the floor on the
        // pause after an error), with slack for the edges of the window.
        let bound = 2 * (window.as_millis() as u64 / 100 + 2);
        assert!(
            failed <= bound,
            "{failed} failed claims in {window:?}: a tight loop on {}",
            db.backend()
        );
        let id = enqueue(&db, "record").await;
        wake.notify_waiters();
        wait_status(&db, id, "done", Duration::from_secs(20)).await;
        workers.shutdown(Duration::from_secs(5)).await;
        assert_eq!(
            *rec.runs.lock().unwrap(),
            vec![id],
            "the loops survived the errors"
        );
    }
}

// ---------------------------------------------------------------------------
// Several processes. The test binary re-runs itself as the worker process:
// `child_worker_process` does its work only when CHILD_MODE is set.

const CHILD_URL: &str = "SOKONI_WORKER_TEST_CHILD_URL";
const CHILD_MODE: &str = "SOKONI_WORKER_TEST_CHILD_MODE";
const CHILD_PEERS: &str = "SOKONI_WORKER_TEST_CHILD_PEERS";
const CHILD_TEST: &str = "child_worker_process";

fn spawn_child(url: &str, mode: &str, peers: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD_URL, url)
        .env(CHILD_MODE, mode)
        .env(CHILD_PEERS, peers.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn output(child: &mut Child) -> String {
    let mut all = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut all);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut all);
    }
    all
}

/// Waits for a child to exit successfully.
async fn wait_child(mut child: Child, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = output(&mut child);
            assert!(status.success(), "worker process failed ({status}):\n{out}");
            assert!(out.contains("1 passed"), "the child test ran:\n{out}");
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("worker process timed out:\n{}", output(&mut child));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn create_probe_tables(db: &Db) {
    exec(
        db,
        "CREATE TABLE probe_runs (job_id TEXT NOT NULL, worker TEXT NOT NULL)",
    )
    .await;
    exec(db, "CREATE TABLE probe_ready (worker TEXT NOT NULL)").await;
}

/// Records each run in `probe_runs` under its process's worker name, then
/// takes `pause` (or forever).
struct Probe {
    db: Db,
    worker: String,
    pause: Option<Duration>,
}

#[async_trait::async_trait]
impl Handler for Probe {
    async fn handle(&self, job: &Claimed) -> Result<(), JobError> {
        run!(&self.db, c => sqlx::query("INSERT INTO probe_runs (job_id, worker) VALUES ($1, $2)")
            .bind(job.id.to_string())
            .bind(&self.worker)
            .execute(c)
            .await
            .map(|_| ()))
        .map_err(|e| JobError::Retry(e.to_string()))?;
        match self.pause {
            Some(p) => tokio::time::sleep(p).await,
            None => std::future::pending::<()>().await,
        }
        Ok(())
    }
}

/// The worker process of the multi-process tests. Run normally it is an
/// entry point that does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_worker_process() {
    let (Ok(url), Ok(mode)) = (std::env::var(CHILD_URL), std::env::var(CHILD_MODE)) else {
        println!(
            "child entry point of the multi-process worker tests: idle unless {CHILD_MODE} is set"
        );
        return;
    };
    let db = Db::connect(&url).await.unwrap();
    let name = default_worker_name();
    match mode.as_str() {
        // Wait for the peers, then work until no job is left.
        "drain" => {
            let peers: i64 = std::env::var(CHILD_PEERS).unwrap().parse().unwrap();
            run!(&db, c => sqlx::query("INSERT INTO probe_ready (worker) VALUES ($1)")
                .bind(&name)
                .execute(c)
                .await
                .map(|_| ()))
            .unwrap();
            eventually(
                "all worker processes to be ready",
                Duration::from_secs(60),
                || async { count(&db, "SELECT COUNT(*) FROM probe_ready").await >= peers },
            )
            .await;
            let probe = Probe {
                db: db.clone(),
                worker: name.clone(),
                pause: Some(Duration::from_millis(10)),
            };
            let mut cfg = WorkerConfig::new(name);
            cfg.concurrency = 2;
            cfg.poll_interval = Duration::from_millis(20);
            let workers =
                Workers::start(db.clone(), registry(vec![("probe", Arc::new(probe))]), cfg);
            eventually("the queue to drain", Duration::from_secs(60), || async {
                count(
                    &db,
                    "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')",
                )
                .await
                    == 0
            })
            .await;
            workers.shutdown(Duration::from_secs(5)).await;
        }
        // Claim the job and hang in its handler until killed.
        "hang" => {
            let probe = Probe {
                db: db.clone(),
                worker: name.clone(),
                pause: None,
            };
            let mut cfg = WorkerConfig::new(name);
            cfg.concurrency = 1;
            cfg.lease = Duration::from_secs(2);
            cfg.poll_interval = Duration::from_millis(20);
            let workers =
                Workers::start(db.clone(), registry(vec![("probe", Arc::new(probe))]), cfg);
            // The parent kills us long before this.
            tokio::time::sleep(Duration::from_secs(60)).await;
            workers.shutdown(Duration::ZERO).await;
            panic!("the hanging worker process was not killed");
        }
        other => panic!("unknown child mode {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_processes_share_the_queue_and_run_each_job_once() {
    for Fresh { db, url } in testing::backends_fresh().await {
        create_probe_tables(&db).await;
        let mut ids = HashSet::new();
        for _ in 0..150 {
            ids.insert(enqueue(&db, "probe").await.to_string());
        }
        let children: Vec<Child> = (0..3).map(|_| spawn_child(&url, "drain", 3)).collect();
        for child in children {
            wait_child(child, Duration::from_secs(120)).await;
        }
        let runs: Vec<(String, String)> = run!(&db, c => sqlx::query_as::<_, (String, String)>(
            "SELECT job_id, worker FROM probe_runs"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        assert_eq!(runs.len(), 150, "one run per job on {}", db.backend());
        let ran: HashSet<String> = runs.iter().map(|(j, _)| j.clone()).collect();
        assert_eq!(ran, ids, "every job ran exactly once");
        let processes: HashSet<&str> = runs.iter().map(|(_, w)| w.as_str()).collect();
        assert!(
            processes.len() >= 2,
            "the work was shared, got {processes:?}"
        );
        assert_eq!(
            count(&db, "SELECT COUNT(*) FROM jobs WHERE status = 'done'").await,
            150
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_job_runs_again_after_its_lease() {
    for Fresh { db, url } in testing::backends_fresh().await {
        create_probe_tables(&db).await;
        let id = enqueue(&db, "probe").await;
        let mut child = spawn_child(&url, "hang", 1);
        let started = async {
            eventually(
                "the child to start the job",
                Duration::from_secs(60),
                || async { count(&db, "SELECT COUNT(*) FROM probe_runs").await == 1 },
            )
            .await;
        };
        // Fail with the child's output rather than a bare timeout.
        if tokio::time::timeout(Duration::from_secs(61), started)
            .await
            .is_err()
            || child.try_wait().unwrap().is_some()
        {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the child did not start the job:\n{}", output(&mut child));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let held = row(&db, id).await;
        assert_eq!((held.status.as_str(), held.attempts), ("running", 1));

        let name = default_worker_name();
        let probe = Probe {
            db: db.clone(),
            worker: name.clone(),
            pause: Some(Duration::ZERO),
        };
        let mut cfg = config(1);
        cfg.name = name.clone();
        cfg.lease = Duration::from_secs(2);
        let workers = Workers::start(db.clone(), registry(vec![("probe", Arc::new(probe))]), cfg);
        let r = wait_status(&db, id, "done", Duration::from_secs(20)).await;
        workers.shutdown(Duration::from_secs(5)).await;
        assert_eq!(r.attempts, 2, "run again once on {}", db.backend());
        let runs: Vec<(String, String)> = run!(&db, c => sqlx::query_as::<_, (String, String)>(
            "SELECT job_id, worker FROM probe_runs"
        )
        .fetch_all(c)
        .await)
        .unwrap();
        assert_eq!(runs.len(), 2);
        assert!(runs.iter().all(|(j, _)| *j == id.to_string()));
        assert_ne!(runs[0].1, runs[1].1, "by another worker");
        assert!(runs.iter().any(|(_, w)| *w == name));
    }
}

// ---------------------------------------------------------------------------
// Typed jobs

/// A job type of the tests' own.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Greet {
    name: String,
}

impl Job for Greet {
    const KIND: &'static str = "greet";
    const QUEUE: Queue = Queue::Default;
    fn tenant(&self) -> Option<domain::TenantId> {
        None
    }
    fn dedup_key(&self) -> Option<String> {
        Some(format!("greet:{}", self.name))
    }
}

#[derive(Default)]
struct Greeter {
    seen: Mutex<Vec<String>>,
}

#[async_trait::async_trait]
impl Perform<Greet> for Arc<Greeter> {
    async fn perform(&self, job: Greet, _meta: &Claimed) -> Result<(), JobError> {
        self.seen.lock().unwrap().push(job.name);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_job_reaches_its_handler_as_its_type_once_per_key() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        let greet = Greet {
            name: "Funmi".into(),
        };
        assert!(
            engine::jobs::enqueue(&db, &greet, None)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            engine::jobs::enqueue(&db, &greet, None)
                .await
                .unwrap()
                .is_none(),
            "the dedup key holds"
        );
        // A row of the kind whose payload does not read is dead at once.
        let broken = enqueue_at(&db, "default", "greet", None).await;
        let greeter = Arc::new(Greeter::default());
        let mut r = Registry::new();
        r.add::<Greet>(greeter.clone());
        assert_eq!(engine::worker::run_due(&db, &r, "w").await.unwrap(), 2);
        assert_eq!(*greeter.seen.lock().unwrap(), vec!["Funmi".to_string()]);
        let b = row(&db, broken).await;
        assert_eq!(b.status, "dead", "{}", db.backend());
        assert!(b.last_error.unwrap().contains("does not read"));
    }
}

/// Asks to be run again later, the first time.
struct Later(AtomicU64);

#[async_trait::async_trait]
impl Handler for Later {
    async fn handle(&self, _job: &Claimed) -> Result<(), JobError> {
        if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(JobError::Reschedule(
                store::now() + chrono::Duration::hours(1),
            ));
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rescheduled_job_waits_without_spending_an_attempt() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        let id = enqueue(&db, "later").await;
        let reg = registry(vec![("later", Arc::new(Later(AtomicU64::new(0))))]);
        assert_eq!(engine::worker::run_due(&db, &reg, "w").await.unwrap(), 1);
        let r = row(&db, id).await;
        assert_eq!(
            (r.status.as_str(), r.attempts),
            ("queued", 0),
            "{}",
            db.backend()
        );
        assert!(r.run_at > store::now() + chrono::Duration::minutes(59));
        assert_eq!(r.locked_by, None);
    }
}

/// Holds each job a while, like a send waiting on a slow provider.
struct SlowSend;

#[async_trait::async_trait]
impl Handler for SlowSend {
    async fn handle(&self, _job: &Claimed) -> Result<(), JobError> {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_business_bulk_send_never_delays_another_business_reply() {
    for Fresh { db, .. } in testing::backends_fresh().await {
        // A broadcast of 40 sends is queued first, then one reply.
        for _ in 0..40 {
            enqueue_at(&db, Queue::Bulk.as_str(), "send", None).await;
        }
        let reply = enqueue_at(&db, Queue::Outbound.as_str(), "send", None).await;
        let reg = registry(vec![("send", Arc::new(SlowSend))]);
        // One pool per queue, as the server runs them.
        let pools: Vec<_> = [Queue::Bulk, Queue::Outbound]
            .into_iter()
            .map(|q| {
                let mut cfg = config(1);
                cfg.queues = vec![q];
                Workers::start(db.clone(), reg.clone(), cfg)
            })
            .collect();
        wait_status(&db, reply, "done", Duration::from_secs(20)).await;
        let bulk_left = count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE queue = 'bulk' AND status <> 'done'",
        )
        .await;
        for p in pools {
            p.shutdown(Duration::from_secs(5)).await;
        }
        assert!(
            bulk_left >= 30,
            "the reply went while the broadcast was still going ({bulk_left} left) on {}",
            db.backend()
        );
    }
}
