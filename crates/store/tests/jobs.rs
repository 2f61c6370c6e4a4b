//! The job queue on both backends: each job runs once, crashed workers'
//! jobs come back, failures back off and end dead, operators can retry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

use chrono::Duration;
use serde_json::json;
use std::collections::HashSet;
use store::jobs::{self, NewJob};
use store::{Db, testing};

fn job(dedup: Option<&str>) -> NewJob<'static> {
    NewJob {
        tenant_id: None,
        queue: "default",
        kind: "a",
        payload: json!({"n": 1}),
        run_at: None,
        dedup_key: dedup.map(str::to_string),
    }
}

#[tokio::test]
async fn dedup_keys_enqueue_once() {
    for db in testing::backends().await {
        assert!(
            jobs::enqueue(&db, &job(Some("cron:x:1")))
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            jobs::enqueue(&db, &job(Some("cron:x:1")))
                .await
                .unwrap()
                .is_none(),
            "{}",
            db.backend()
        );
        assert!(jobs::enqueue(&db, &job(None)).await.unwrap().is_some());
        assert!(
            jobs::enqueue(&db, &job(None)).await.unwrap().is_some(),
            "no key, no dedup"
        );
        assert_eq!(jobs::count_queued(&db, "a").await.unwrap(), 3);
    }
}

#[tokio::test]
async fn concurrent_workers_claim_each_job_exactly_once() {
    for db in testing::backends().await {
        for _ in 0..40 {
            jobs::enqueue(&db, &job(None)).await.unwrap();
        }
        let mut tasks = Vec::new();
        for w in 0..4 {
            let db: Db = db.clone();
            tasks.push(tokio::spawn(async move {
                let name = format!("worker-{w}");
                let mut got = Vec::new();
                while let Some(j) = jobs::claim(&db, "default", &name, Duration::seconds(60))
                    .await
                    .unwrap()
                {
                    assert!(jobs::complete(&db, j.id, &name).await.unwrap());
                    got.push(j.id);
                }
                got
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        assert_eq!(all.len(), 40, "{}", db.backend());
        assert_eq!(
            all.iter().collect::<HashSet<_>>().len(),
            40,
            "no job twice on {}",
            db.backend()
        );
        assert_eq!(
            jobs::list(&db, Some(jobs::JobStatus::Done), 100)
                .await
                .unwrap()
                .len(),
            40
        );
    }
}

#[tokio::test]
async fn a_crashed_workers_job_is_claimed_again_after_its_lease() {
    for db in testing::backends().await {
        jobs::enqueue(&db, &job(None)).await.unwrap();
        // The worker "dies" holding a lease that has already run out.
        let first = jobs::claim(&db, "default", "dead-worker", Duration::milliseconds(-1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.attempts, 1);
        let again = jobs::claim(&db, "default", "live-worker", Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.id, first.id);
        assert_eq!(again.attempts, 2);
        assert!(
            !jobs::complete(&db, first.id, "dead-worker").await.unwrap(),
            "the old lease is void"
        );
        assert!(jobs::complete(&db, again.id, "live-worker").await.unwrap());
        assert!(
            jobs::claim(&db, "default", "x", Duration::seconds(60))
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn a_job_that_kills_its_worker_on_the_final_attempt_is_buried_not_reclaimed() {
    for db in testing::backends().await {
        let mut j = job(None);
        j.kind = "poison";
        jobs::enqueue(&db, &j).await.unwrap();
        // A single attempt allowed: the first claim is the final one.
        let sql = sqlx::AssertSqlSafe("UPDATE jobs SET max_attempts = 1".to_string());
        match &db {
            Db::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
            Db::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
        }
        let held = jobs::claim(&db, "default", "dies", Duration::milliseconds(-1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(held.attempts, 1);
        assert!(
            jobs::claim(&db, "default", "next", Duration::seconds(60))
                .await
                .unwrap()
                .is_none(),
            "an expired final attempt is not run again on {}",
            db.backend()
        );
        assert_eq!(jobs::bury_expired(&db).await.unwrap(), 1);
        assert_eq!(jobs::bury_expired(&db).await.unwrap(), 0);
        let dead = jobs::list(&db, Some(jobs::JobStatus::Dead), 10)
            .await
            .unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(
            dead[0].last_error.as_deref(),
            Some("the worker stopped during the final attempt")
        );
    }
}

#[tokio::test]
async fn failures_back_off_then_die_and_can_be_retried() {
    for db in testing::backends().await {
        let id = jobs::enqueue(&db, &job(None)).await.unwrap().unwrap();
        let mut attempts = 0;
        loop {
            // Make the job due now, whatever its backoff said.
            store::run!(&db, c => sqlx::query("UPDATE jobs SET run_at = $1 WHERE status = 'queued'")
                .bind(store::now() - Duration::seconds(1)).execute(c).await.map(|_| ())).unwrap();
            let Some(j) = jobs::claim(&db, "default", "w", Duration::seconds(60))
                .await
                .unwrap()
            else {
                break;
            };
            attempts += 1;
            assert!(
                jobs::fail(&db, &j, "w", &format!("provider said no ({attempts})"))
                    .await
                    .unwrap()
            );
            let row = &jobs::list(&db, None, 10).await.unwrap()[0];
            if attempts < 8 {
                assert_eq!(row.status, jobs::JobStatus::Queued);
                assert!(row.run_at > store::now(), "backs off into the future");
            }
        }
        assert_eq!(attempts, 8, "max_attempts on {}", db.backend());
        let dead = jobs::list(&db, Some(jobs::JobStatus::Dead), 10)
            .await
            .unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!(dead[0].last_error.as_deref(), Some("provider said no (8)"));
        assert!(jobs::retry(&db, id).await.unwrap());
        assert!(
            !jobs::retry(&db, id).await.unwrap(),
            "only dead jobs are retried"
        );
        let back = jobs::claim(&db, "default", "w", Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back.attempts, 1);
        assert!(jobs::complete(&db, back.id, "w").await.unwrap());
        assert_eq!(
            jobs::purge(&db, store::now() + Duration::seconds(1), false)
                .await
                .unwrap(),
            1
        );
        assert!(jobs::list(&db, None, 10).await.unwrap().is_empty());
    }
}

#[test]
fn backoff_doubles_with_jitter_and_a_cap() {
    assert_eq!(jobs::backoff(1, 0.5).num_milliseconds(), 2000);
    assert_eq!(jobs::backoff(3, 0.5).num_milliseconds(), 8000);
    assert_eq!(jobs::backoff(3, 0.0).num_milliseconds(), 6000);
    assert_eq!(jobs::backoff(3, 1.0).num_milliseconds(), 10000);
    assert_eq!(jobs::backoff(40, 0.5).num_seconds(), 3600);
}

#[tokio::test]
async fn a_claim_reports_when_the_job_was_due() {
    for db in testing::backends().await {
        let due = store::now() - Duration::seconds(5);
        let mut j = job(None);
        j.run_at = Some(due);
        jobs::enqueue(&db, &j).await.unwrap();
        let claimed = jobs::claim(&db, "default", "w", Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.run_at, due, "{}", db.backend());
    }
}

#[tokio::test]
async fn only_the_holder_extends_a_lease() {
    for db in testing::backends().await {
        jobs::enqueue(&db, &job(None)).await.unwrap();
        // A lease that has already run out: anyone could reclaim the job...
        let j = jobs::claim(&db, "default", "holder", Duration::milliseconds(-1))
            .await
            .unwrap()
            .unwrap();
        assert!(
            !jobs::extend(&db, j.id, "other", store::now() + Duration::seconds(60))
                .await
                .unwrap(),
            "a worker that does not hold the job cannot extend it"
        );
        // ...until the holder's heartbeat extends it.
        assert!(
            jobs::extend(&db, j.id, "holder", store::now() + Duration::seconds(60))
                .await
                .unwrap(),
            "{}",
            db.backend()
        );
        assert!(
            jobs::claim(&db, "default", "other", Duration::seconds(60))
                .await
                .unwrap()
                .is_none(),
            "an extended lease is not reclaimed on {}",
            db.backend()
        );
        // Let the lease run out again: another worker takes the job over and
        // the old holder can no longer extend it.
        assert!(
            jobs::extend(&db, j.id, "holder", store::now() - Duration::seconds(1))
                .await
                .unwrap()
        );
        let taken = jobs::claim(&db, "default", "other", Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((taken.id, taken.attempts), (j.id, 2));
        assert!(
            !jobs::extend(&db, j.id, "holder", store::now() + Duration::seconds(60))
                .await
                .unwrap()
        );
        assert!(jobs::complete(&db, j.id, "other").await.unwrap());
        assert!(
            !jobs::extend(&db, j.id, "other", store::now() + Duration::seconds(60))
                .await
                .unwrap(),
            "a finished job has no lease"
        );
        let row = &jobs::list(&db, None, 10).await.unwrap()[0];
        assert_eq!(row.status, jobs::JobStatus::Done);
    }
}

#[tokio::test]
async fn bury_kills_a_held_job_at_once() {
    for db in testing::backends().await {
        let id = jobs::enqueue(&db, &job(None)).await.unwrap().unwrap();
        let j = jobs::claim(&db, "default", "holder", Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert!(
            !jobs::bury(&db, j.id, "other", "not mine").await.unwrap(),
            "only the holder buries"
        );
        assert_eq!(
            jobs::list(&db, None, 10).await.unwrap()[0].status,
            jobs::JobStatus::Running
        );
        assert!(
            jobs::bury(&db, j.id, "holder", "the order no longer exists")
                .await
                .unwrap()
        );
        let row = &jobs::list(&db, None, 10).await.unwrap()[0];
        assert_eq!(row.status, jobs::JobStatus::Dead, "{}", db.backend());
        assert_eq!(
            row.attempts, 1,
            "dead after one attempt of {}",
            row.max_attempts
        );
        assert_eq!(
            row.last_error.as_deref(),
            Some("the order no longer exists")
        );
        assert_eq!(row.locked_by, None);
        assert!(
            !jobs::bury(&db, j.id, "holder", "again").await.unwrap(),
            "a dead job is no longer held"
        );
        assert!(
            jobs::claim(&db, "default", "w", Duration::seconds(60))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            jobs::retry(&db, id).await.unwrap(),
            "operators can retry it"
        );
        assert_eq!(jobs::count_queued(&db, "a").await.unwrap(), 1);
    }
}

#[tokio::test]
async fn claim_any_takes_due_jobs_of_every_queue() {
    for db in testing::backends().await {
        let mut a = job(None);
        a.queue = "inbound";
        a.run_at = Some(store::now() - Duration::seconds(2));
        let mut b = job(None);
        b.queue = "outbound";
        b.run_at = Some(store::now() - Duration::seconds(1));
        let mut later = job(None);
        later.run_at = Some(store::now() + Duration::seconds(60));
        let a = jobs::enqueue(&db, &a).await.unwrap().unwrap();
        let b = jobs::enqueue(&db, &b).await.unwrap().unwrap();
        jobs::enqueue(&db, &later).await.unwrap().unwrap();
        let lease = Duration::seconds(60);
        let first = jobs::claim_any(&db, "w", lease).await.unwrap().unwrap();
        let second = jobs::claim_any(&db, "w", lease).await.unwrap().unwrap();
        assert_eq!(
            (
                first.id,
                first.queue.as_str(),
                second.id,
                second.queue.as_str()
            ),
            (a, "inbound", b, "outbound"),
            "oldest due first on {}",
            db.backend()
        );
        assert!(
            jobs::claim_any(&db, "w", lease).await.unwrap().is_none(),
            "a job not yet due is left"
        );
        assert!(
            jobs::claim(&db, "inbound", "w", lease)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn release_hands_a_job_back_unrun() {
    for db in testing::backends().await {
        let id = jobs::enqueue(&db, &job(None)).await.unwrap().unwrap();
        let j = jobs::claim(&db, "default", "holder", Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert!(
            !jobs::release(&db, id, "other").await.unwrap(),
            "only the holder"
        );
        assert!(jobs::release(&db, id, "holder").await.unwrap());
        let row = &jobs::list(&db, None, 10).await.unwrap()[0];
        assert_eq!(
            (row.status.as_str(), row.attempts),
            ("queued", 0),
            "{}",
            db.backend()
        );
        assert_eq!(row.locked_by, None);
        assert_eq!(row.run_at, j.run_at, "due as before");
        assert!(
            !jobs::release(&db, id, "holder").await.unwrap(),
            "no longer held"
        );
        let again = jobs::claim(&db, "default", "w", Duration::seconds(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (again.id, again.attempts),
            (id, 1),
            "claimed at once, first attempt"
        );
    }
}
