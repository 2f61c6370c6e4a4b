#![expect(
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

//! Three replicas run the automation cycle at the same moment on the same
//! database: every (business, kind, target, step, day) is decided once,
//! and every message is queued once.

use chrono::{DateTime, Utc};
use engine::automation::{CycleReport, run_cycle};
use engine::clock::ManualClock;
use server::config::Config;
use server::state::AppState;
use std::sync::Arc;
use store::Db;
use tokio::sync::Barrier;

const BUSINESSES: usize = 5;
const CUSTOMERS: usize = 300;
const ORDERS: usize = 60;

/// A replica: its own pool on the database at `url`, its own services, the
/// clock at `now`.
async fn replica(url: &str, now: DateTime<Utc>) -> AppState {
    let db = Db::connect(url).await.expect("connect a replica");
    let secret =
        secrecy::SecretString::from("test-secret-key-that-is-long-enough-1234".to_string());
    let config = Config {
        database_url: Some(url.to_string()),
        data_dir: std::env::temp_dir().join(format!("sokoni-test-data-{}", uuid::Uuid::now_v7())),
        ..Config::default()
    };
    server::state_with_clock(db, &secret, config, None, Arc::new(ManualClock::at(now)))
}

async fn scalar(db: &Db, sql: &'static str) -> i64 {
    store::run!(db, c => sqlx::query_scalar::<_, i64>(sql).fetch_one(c).await)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn three_at_once(fresh: store::testing::Fresh) {
    let backend = fresh.db.backend();
    let now = store::now();
    let seeded = server::bench::seed_automation(&fresh.db, BUSINESSES, CUSTOMERS, ORDERS, now)
        .await
        .expect("seed");
    eprintln!(
        "{backend}: seeded {} rows; to fire: {}",
        seeded.total_rows(),
        seeded.expected
    );
    let replicas = [
        replica(&fresh.url, now).await,
        replica(&fresh.url, now).await,
        replica(&fresh.url, now).await,
    ];
    let gate = Arc::new(Barrier::new(replicas.len()));
    let mut tasks = Vec::new();
    for state in &replicas {
        let services = state.services.clone();
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            gate.wait().await;
            run_cycle(&services, None).await
        }));
    }
    let mut reports: Vec<CycleReport> = Vec::new();
    for t in tasks {
        let r = t.await.expect("a cycle task");
        reports.push(r.unwrap_or_else(|e| panic!("{backend}: a cycle failed: {e:?}")));
    }
    for r in &reports {
        eprintln!("{backend}: {r:?}");
    }

    let db = &fresh.db;
    let twice = scalar(
        db,
        "SELECT COUNT(*) FROM (SELECT tenant_id, kind, target_id, step, day FROM automation_ledger \
         GROUP BY tenant_id, kind, target_id, step, day HAVING COUNT(*) > 1) d",
    )
    .await;
    assert_eq!(
        twice, 0,
        "{backend}: a (tenant, kind, target, step, day) decided twice"
    );
    // The seed's ledger is of the days before; the cycles' rows are today's.
    let sent_rows = scalar(
        db,
        "SELECT COUNT(*) FROM automation_ledger WHERE outcome = 'sent' AND run_id IS NOT NULL",
    )
    .await;
    let queued = scalar(
        db,
        "SELECT COUNT(*) FROM wa_messages WHERE direction = 'outbound' AND status = 'queued'",
    )
    .await;
    let reported: u64 = reports.iter().map(|r| r.sent).sum();
    eprintln!(
        "{backend}: ledger sent {sent_rows}, messages queued {queued}, reported sent {reported}"
    );
    assert!(sent_rows > 0, "{backend}: nothing was sent");
    assert_eq!(
        queued, sent_rows,
        "{backend}: queued outbound messages ≠ ledger rows sent"
    );
    assert_eq!(
        u64::try_from(sent_rows).unwrap_or_default(),
        reported,
        "{backend}: the reports' sent ≠ ledger rows sent"
    );
    let distinct_messages = scalar(
        db,
        "SELECT COUNT(DISTINCT message_id) FROM automation_ledger WHERE outcome = 'sent' AND run_id IS NOT NULL",
    )
    .await;
    assert_eq!(
        distinct_messages, sent_rows,
        "{backend}: a message shared by two ledger rows, or a sent row without its message"
    );
    // A cycle right after finds nothing new to send.
    let again = run_cycle(&replicas[0].services, None)
        .await
        .unwrap_or_else(|e| panic!("{backend}: the cycle after: {e:?}"));
    assert_eq!(again.sent, 0, "{backend}: the cycle after sent again");
    assert_eq!(
        scalar(
            db,
            "SELECT COUNT(*) FROM wa_messages WHERE direction = 'outbound' AND status = 'queued'"
        )
        .await,
        queued,
        "{backend}: the cycle after queued messages"
    );
    for s in replicas {
        s.db.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_at_once_postgres() {
    let Some(fresh) = store::testing::postgres_fresh().await else {
        eprintln!(
            "skipped: {} is not set (PostgreSQL concurrency test)",
            store::testing::POSTGRES_ENV
        );
        return;
    };
    three_at_once(fresh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_at_once_sqlite() {
    three_at_once(store::testing::sqlite_fresh().await).await;
}
