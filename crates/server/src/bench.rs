//! `sokoni bench intake`: signed webhook deliveries over real HTTP into a
//! fresh database, with the workers and the chat engine running, then
//! prints the intake throughput (each 200 means the event is durable), the
//! response latency, the intake → stored-in-thread latency, and the inbound
//! message → replies enqueued latency (the conversation turn committed with
//! its replies). Customers of an empanada kitchen (the demo catalog) order
//! through a four-message script: greeting, items, pickup, cash.
//!
//! `sokoni bench automation`: one automation cycle over many businesses
//! (see [`seed_automation`] for the data set), then a second one that must
//! find nothing new.

use crate::config::Config;
use anyhow::Context;
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

mod dashboard;
mod seed;

pub use dashboard::dashboard;

pub use seed::{Expected, SeedSummary, seed_automation, table_counts};

const SECRET: &str = "bench-app-secret";
const PHONE_NUMBER_ID: &str = "100000000000999";

pub async fn intake(
    requests: usize,
    concurrency: usize,
    rate: u32,
    database_url: Option<String>,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        requests > 0 && concurrency > 0,
        "--requests and --concurrency must be positive"
    );
    let tmp = std::env::temp_dir().join(format!("sokoni-bench-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&tmp)?;
    let (url, schema) = match &database_url {
        Some(pg) => {
            let schema = format!("bench_{}", uuid::Uuid::now_v7().simple());
            let admin = store::Db::connect(pg).await?;
            admin.scratch_schema(&schema, true).await?;
            admin.close().await;
            let sep = if pg.contains('?') { '&' } else { '?' };
            (
                format!("{pg}{sep}options[search_path]={schema}"),
                Some((pg.clone(), schema)),
            )
        }
        None => (format!("sqlite://{}", tmp.join("bench.db").display()), None),
    };
    let result = run(&url, &tmp, requests, concurrency, rate).await;
    if let Some((pg, schema)) = schema {
        let admin = store::Db::connect(&pg).await?;
        admin.scratch_schema(&schema, false).await?;
        admin.close().await;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

async fn run(
    url: &str,
    dir: &std::path::Path,
    requests: usize,
    concurrency: usize,
    rate: u32,
) -> anyhow::Result<()> {
    let config = Config {
        database_url: Some(url.to_string()),
        data_dir: dir.to_path_buf(),
        wa_app_secret: Some(SecretString::from(SECRET.to_string())),
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ..Config::default()
    };
    let secret = SecretString::from("bench-secret-key-that-is-long-enough-123".to_string());
    let db = store::Db::connect(url).await?;
    db.migrate().await?;
    let backend = db.backend();
    let state = crate::state_with(db.clone(), &secret, config);
    let session = crate::api::auth::register_business(&state, bench_business())
        .await
        .map_err(|e| anyhow::anyhow!("seeding the bench business: {e:?}"))?;
    let mut tx = db.begin().await?;
    crate::demo_catalog::seed(
        &mut tx,
        session.tenant.id,
        session.tenant.vertical,
        session.tenant.currency,
    )
    .await?;
    // Open around the clock, so the figures do not depend on the hour.
    store::business::update(
        &mut tx,
        session.tenant.id,
        &store::business::SettingsPatch {
            hours: Some(domain::hours::OpeningHours::default()),
            ..store::business::SettingsPatch::default()
        },
    )
    .await?;
    tx.commit().await?;
    crate::api::whatsapp::add(
        &state,
        session.tenant.id,
        crate::api::whatsapp::NewNumberRequest {
            phone_number_id: PHONE_NUMBER_ID.into(),
            display_phone_number: "+2348000000999".into(),
            waba_id: None,
            access_token: None,
            sandbox: true,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("adding the bench number: {e:?}"))?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let workers = crate::workers::start(&state, &crate::workers::all_queues());
    let app = crate::app::router(state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let client = reqwest::Client::new();
    let endpoint = format!("http://{addr}/webhook/whatsapp");
    let gate = Arc::new(Semaphore::new(concurrency));
    let mut tasks = tokio::task::JoinSet::new();
    let started = Instant::now();
    let mut pace =
        (rate > 0).then(|| tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate))));
    for i in 0..requests {
        if let Some(p) = pace.as_mut() {
            p.tick().await;
        }
        let permit = gate.clone().acquire_owned().await?;
        let client = client.clone();
        let endpoint = endpoint.clone();
        tasks.spawn(async move {
            let _permit = permit;
            let wamid = format!("wamid.bench.{i}");
            let body = envelope(i, &wamid).to_string();
            let sig = channels::signature::sign(SECRET.as_bytes(), body.as_bytes());
            let sent_at = Utc::now();
            let t = Instant::now();
            let res = client
                .post(&endpoint)
                .header("content-type", "application/json")
                .header(crate::webhooks::whatsapp::SIGNATURE_HEADER, sig)
                .body(body)
                .send()
                .await;
            let took = t.elapsed();
            match res {
                Ok(r) if r.status().is_success() => Ok((wamid, sent_at, took)),
                Ok(r) => Err(anyhow::anyhow!("delivery {i}: HTTP {}", r.status())),
                Err(e) => Err(anyhow::anyhow!("delivery {i}: {e}")),
            }
        });
    }
    let mut sent: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut response_ms = Vec::with_capacity(requests);
    while let Some(r) = tasks.join_next().await {
        let (wamid, at, took) = r.context("a delivery task")??;
        sent.insert(wamid, at);
        response_ms.push(took.as_secs_f64() * 1000.0);
    }
    let intake_secs = started.elapsed().as_secs_f64();

    // Wait for the workers to put every message in its thread, then for
    // every turn (and the replies it queued) to commit.
    let deadline = Instant::now() + Duration::from_secs(300);
    let stored = wait_for(requests, deadline, || store::wa::inbound_created(&state.db)).await?;
    let all_secs = started.elapsed().as_secs_f64();
    let processed = wait_for(requests, deadline, || {
        store::wa::messages_processed(&state.db)
    })
    .await?;
    let mut stored_ms = since_sent(&sent, &stored);
    let mut replied_ms = since_sent(&sent, &processed);
    let replies = store::wa::outbound_counts(&state.db).await?;
    workers.shutdown(Duration::from_secs(10)).await;
    server.abort();
    db.close().await;

    let paced = if rate > 0 {
        format!(", paced at {rate}/s")
    } else {
        String::new()
    };
    println!(
        "webhook intake on {backend}: {requests} signed deliveries, {concurrency} in flight{paced}"
    );
    println!(
        "  intake:      {:.0} requests/s durable ({:.2} s)",
        requests as f64 / intake_secs,
        intake_secs
    );
    println!(
        "  response:    p50 {:.2} ms, p99 {:.2} ms",
        percentile(&mut response_ms, 0.50),
        percentile(&mut response_ms, 0.99)
    );
    println!(
        "  intake→stored in thread: p50 {:.1} ms, p99 {:.1} ms ({} of {} stored, {:.0} messages/s end to end)",
        percentile(&mut stored_ms, 0.50),
        percentile(&mut stored_ms, 0.99),
        stored.len(),
        requests,
        stored.len() as f64 / all_secs
    );
    println!(
        "  message→replies enqueued: p50 {:.1} ms, p99 {:.1} ms ({} turns; replies by status {replies:?})",
        percentile(&mut replied_ms, 0.50),
        percentile(&mut replied_ms, 0.99),
        replied_ms.len(),
    );
    anyhow::ensure!(
        stored.len() == requests,
        "not every message was stored in time"
    );
    Ok(())
}

/// Each customer's script, one message per delivery, round-robin over 200
/// customers.
const SCRIPT: [&str; 4] = ["hola", "dos de carne y una coca", "retiro", "efectivo"];

fn envelope(i: usize, wamid: &str) -> serde_json::Value {
    let from = format!("54911{:08}", 30_000_000 + (i % 200));
    let text = SCRIPT[(i / 200) % SCRIPT.len()];
    channels::inbound::envelope(
        PHONE_NUMBER_ID,
        "5491150000999",
        json!({
            "contacts": [{ "profile": { "name": format!("Customer {}", i % 200) }, "wa_id": from }],
            "messages": [{ "from": from, "id": wamid, "timestamp": Utc::now().timestamp().to_string(),
                           "type": "text", "text": { "body": text } }]
        }),
    )
}

/// The business `sokoni bench` measures with.
fn bench_business() -> crate::api::auth::RegisterRequest {
    crate::api::auth::RegisterRequest {
        business: crate::api::auth::BusinessInput {
            name: "Bench Empanadas".into(),
            slug: "bench-empanadas".into(),
            phone: None,
            vertical: domain::tenant::Vertical::Restaurant,
            currency: "ARS".into(),
            timezone: "America/Argentina/Buenos_Aires".into(),
            locale: "es-AR".into(),
            country: None,
            order_prefix: None,
        },
        owner: crate::api::auth::OwnerInput {
            name: "Bench Owner".into(),
            email: "bench@example.com".into(),
            password: crate::demo::DEMO_PASSWORD.into(),
            phone: None,
        },
    }
}

/// Polls `rows` until it has `n` rows or the deadline passes.
async fn wait_for<F, Fut>(
    n: usize,
    deadline: Instant,
    rows: F,
) -> anyhow::Result<Vec<(String, DateTime<Utc>)>>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = store::StoreResult<Vec<(String, DateTime<Utc>)>>>,
{
    loop {
        let got = rows().await?;
        if got.len() >= n || Instant::now() > deadline {
            return Ok(got);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Milliseconds from each message's delivery to its row's time.
fn since_sent(sent: &HashMap<String, DateTime<Utc>>, rows: &[(String, DateTime<Utc>)]) -> Vec<f64> {
    rows.iter()
        .filter_map(|(wamid, at)| {
            sent.get(wamid)
                .map(|s| (*at - *s).num_microseconds().unwrap_or(0) as f64 / 1000.0)
        })
        .collect()
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let idx = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[idx.min(v.len() - 1)]
}

/// A fresh database to measure on: a SQLite file in `tmp`, or a new schema
/// in the PostgreSQL database of `database_url`; the second half is what to
/// drop afterwards.
async fn scratch(
    database_url: &Option<String>,
    tmp: &std::path::Path,
) -> anyhow::Result<(String, Option<(String, String)>)> {
    Ok(match database_url {
        Some(pg) => {
            let schema = format!("bench_{}", uuid::Uuid::now_v7().simple());
            let admin = store::Db::connect(pg).await?;
            admin.scratch_schema(&schema, true).await?;
            admin.close().await;
            let sep = if pg.contains('?') { '&' } else { '?' };
            (
                format!("{pg}{sep}options[search_path]={schema}"),
                Some((pg.clone(), schema)),
            )
        }
        None => (format!("sqlite://{}", tmp.join("bench.db").display()), None),
    })
}

/// `sokoni bench automation`: seeds `businesses` businesses with
/// `customers` customers and `orders` open orders in all, runs one
/// automation cycle and then another, and prints what each did and took.
pub async fn automation(
    businesses: usize,
    customers: usize,
    orders: usize,
    database_url: Option<String>,
) -> anyhow::Result<()> {
    let tmp = std::env::temp_dir().join(format!(
        "sokoni-bench-auto-{}",
        uuid::Uuid::now_v7().simple()
    ));
    std::fs::create_dir_all(&tmp)?;
    let (url, schema) = scratch(&database_url, &tmp).await?;
    let result = run_automation(&url, &tmp, businesses, customers, orders).await;
    // SOKONI_BENCH_KEEP=1 leaves the database for a look (EXPLAIN).
    if std::env::var_os("SOKONI_BENCH_KEEP").is_some() {
        println!("  kept:        {url}");
        return result;
    }
    if let Some((pg, schema)) = schema {
        let admin = store::Db::connect(&pg).await?;
        admin.scratch_schema(&schema, false).await?;
        admin.close().await;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    result
}

async fn run_automation(
    url: &str,
    dir: &std::path::Path,
    businesses: usize,
    customers: usize,
    orders: usize,
) -> anyhow::Result<()> {
    let db = store::Db::connect(url).await?;
    db.migrate().await?;
    let backend = db.backend();
    let now = store::now();
    println!(
        "automation on {backend}: {businesses} businesses (tailor, shop, restaurant × Africa/Lagos, \
         Africa/Nairobi, America/Argentina/Buenos_Aires), {customers} customers, {orders} open orders"
    );
    println!(
        "  quiet hours of every business: {q}–{q} (none), so the cycle sends at any hour",
        q = seed::QUIET
    );
    let started = Instant::now();
    let seeded = seed_automation(&db, businesses, customers, orders, now).await?;
    let seed_secs = started.elapsed().as_secs_f64();
    println!(
        "  seed:        {seed_secs:.2} s, {} rows ({:.0} rows/s), of which install_defaults × {businesses}: {:.2} s",
        seeded.total_rows(),
        seeded.total_rows() as f64 / seed_secs,
        seeded.triggers_time.as_secs_f64()
    );
    println!("  seeded to fire: {}", seeded.expected);
    if let store::Db::Postgres(pool) = &db {
        // What autovacuum does to a table this size soon after the load.
        let t = Instant::now();
        sqlx::query("ANALYZE").execute(pool).await?;
        println!(
            "  ANALYZE:     {:.2} s (SQLite: none, as in production)",
            t.elapsed().as_secs_f64()
        );
    }

    let config = Config {
        database_url: Some(url.to_string()),
        data_dir: dir.to_path_buf(),
        ..Config::default()
    };
    let secret = SecretString::from("bench-secret-key-that-is-long-enough-123".to_string());
    let state = crate::state_with(db.clone(), &secret, config);
    for label in ["cycle 1", "cycle 2"] {
        let t = Instant::now();
        let r = engine::automation::run_cycle(&state.services, None)
            .await
            .map_err(|e| anyhow::anyhow!("{label}: {e:?}"))?;
        let wall = t.elapsed();
        println!(
            "  {label}:     wall {:.3} s, db {:.3} s; targets {}, sent {}, skipped {}, deferred {}, rows written {}",
            wall.as_secs_f64(),
            r.db_time.as_secs_f64(),
            r.targets,
            r.sent,
            r.skipped,
            r.deferred,
            r.rows_written
        );
        if let Some(run) = r.run_id
            && r.targets > 0
        {
            let by_kind: Vec<(String, String, i64)> = store::run!(&db, c => sqlx::query_as(
                "SELECT kind, outcome, COUNT(*) FROM automation_ledger WHERE run_id = $1 \
                 GROUP BY kind, outcome ORDER BY kind, outcome",
            )
            .bind(run)
            .fetch_all(c)
            .await)?;
            let line: Vec<String> = by_kind
                .iter()
                .map(|(k, o, n)| format!("{k} {o} {n}"))
                .collect();
            println!("    ledger:    {}", line.join(", "));
        }
    }
    let counts = table_counts(&db).await?;
    let line: Vec<String> = counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
    println!("  rows:        {}", line.join(", "));
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .map(|p| p.split('?').next().unwrap_or(p))
        && let Ok(meta) = std::fs::metadata(path)
    {
        println!(
            "  database:    {:.1} MB (plus its WAL)",
            meta.len() as f64 / 1e6
        );
    }
    db.close().await;
    Ok(())
}
