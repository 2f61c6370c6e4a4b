#![expect(
    clippy::expect_used,
    reason = "test helpers fail loudly, with the reason"
)]

//! Fresh, migrated databases for tests, on SQLite always and on PostgreSQL
//! when `SOKONI_TEST_POSTGRES_URL` is set. Each call gets its own SQLite file
//! or its own PostgreSQL schema, so tests run in parallel without sharing
//! state.

use crate::Db;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

/// Test databases older than this are left over from earlier runs.
const STALE_AFTER: Duration = Duration::from_secs(3600);
static SWEPT_FILES: AtomicBool = AtomicBool::new(false);
static SWEPT_SCHEMAS: AtomicBool = AtomicBool::new(false);

/// The creation time inside a UUID v7 test name.
fn created(name: &str) -> Option<SystemTime> {
    let id = uuid::Uuid::parse_str(name).ok()?;
    let (secs, nanos) = id.get_timestamp()?.to_unix();
    Some(SystemTime::UNIX_EPOCH + Duration::new(secs, nanos))
}

fn stale(name: &str) -> bool {
    created(name)
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE_AFTER)
}

pub const POSTGRES_ENV: &str = "SOKONI_TEST_POSTGRES_URL";

/// A fresh database and the URL another process (a spawned `sokoni`, a
/// worker) can open the same database with.
pub struct Fresh {
    pub db: Db,
    pub url: String,
}

/// A migrated SQLite database in a new file under the system temp dir.
pub async fn sqlite() -> Db {
    sqlite_fresh().await.db
}

/// A migrated PostgreSQL schema of its own, or `None` (with a note on
/// stderr) when no test server is configured.
pub async fn postgres() -> Option<Db> {
    postgres_fresh().await.map(|f| f.db)
}

/// [`sqlite`], with its URL.
pub async fn sqlite_fresh() -> Fresh {
    let dir = std::env::temp_dir().join("sokoni-tests");
    std::fs::create_dir_all(&dir).expect("create temp dir for test databases");
    if !SWEPT_FILES.swap(true, Ordering::SeqCst)
        && let Ok(entries) = std::fs::read_dir(&dir)
    {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if stale(name.split('.').next().unwrap_or_default()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let path = dir.join(format!("{}.db", uuid::Uuid::now_v7()));
    // Tests need no power-loss durability: skip the fsync of every commit.
    let url = format!("sqlite://{}?synchronous=normal", path.display());
    let db = Db::connect(&url).await.expect("open test sqlite");
    db.migrate().await.expect("migrate test sqlite");
    Fresh { db, url }
}

/// [`postgres`], with a URL whose `search_path` is the test's schema.
pub async fn postgres_fresh() -> Option<Fresh> {
    let Ok(url) = std::env::var(POSTGRES_ENV) else {
        eprintln!("skipped PostgreSQL: {POSTGRES_ENV} is not set");
        return None;
    };
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("connect to SOKONI_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("create test schema");
    if !SWEPT_SCHEMAS.swap(true, Ordering::SeqCst) {
        let old: Vec<String> = sqlx::query_scalar(
            "SELECT schema_name::text FROM information_schema.schemata WHERE schema_name LIKE 't\\_%'",
        )
        .fetch_all(&admin)
        .await
        .unwrap_or_default();
        for name in old.into_iter().filter(|n| stale(&n[2..])) {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {name} CASCADE"
            )))
            .execute(&admin)
            .await;
        }
    }
    admin.close().await;
    let opts = PgConnectOptions::from_str(&url)
        .expect("parse SOKONI_TEST_POSTGRES_URL")
        .options([("search_path", schema.as_str())]);
    let pool = PgPoolOptions::new()
        .max_connections(6)
        .connect_with(opts)
        .await
        .expect("connect to test schema");
    let db = Db::Postgres(pool);
    db.migrate().await.expect("migrate test schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}options[search_path]={schema}");
    Some(Fresh { db, url })
}

/// Every backend available to this test run: SQLite, and PostgreSQL when
/// configured.
pub async fn backends() -> Vec<Db> {
    let mut all = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        all.push(pg);
    }
    all
}

/// [`backends`], with their URLs.
pub async fn backends_fresh() -> Vec<Fresh> {
    let mut all = vec![sqlite_fresh().await];
    if let Some(pg) = postgres_fresh().await {
        all.push(pg);
    }
    all
}

/// Makes every queued job due now, skipping the rest of its backoff (so a
/// test can run the next attempt without waiting).
pub async fn make_jobs_due(db: &Db) {
    let at = crate::now();
    crate::run!(db, c => sqlx::query("UPDATE jobs SET run_at = $1 WHERE status = 'queued'")
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .expect("make jobs due");
}

/// Moves every dashboard session's last request `hours` into the past, as
/// if its browser had sat unused that long.
pub async fn idle_web_sessions(db: &Db, hours: i64) {
    let at = crate::now() - chrono::Duration::hours(hours);
    crate::run!(db, c => sqlx::query("UPDATE web_sessions SET last_seen_at = $1")
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
    .expect("idle web sessions");
}

/// A business for store tests, with its vertical's usual country:
/// a tailor in Lagos (NGN, `SEW-`), a shop in Nairobi (KES, `SHP-`), a
/// restaurant in Buenos Aires (ARS, `PED-`). `slug` names it and must be
/// unique within the database.
pub async fn tenant(db: &Db, slug: &str, vertical: domain::tenant::Vertical) -> domain::TenantId {
    use domain::tenant::Vertical;
    let (currency, timezone, locale, country, prefix) = match vertical {
        Vertical::Tailor => ("NGN", "Africa/Lagos", "en-NG", "NG", "SEW"),
        Vertical::Shop => ("KES", "Africa/Nairobi", "en-KE", "KE", "SHP"),
        Vertical::Restaurant => (
            "ARS",
            "America/Argentina/Buenos_Aires",
            "es-AR",
            "AR",
            "PED",
        ),
    };
    let t = crate::tenants::NewTenant {
        business_name: format!("Business {slug}"),
        slug: slug.into(),
        phone: None,
        vertical,
        currency: domain::Currency::parse(currency).expect("a known currency"),
        timezone: timezone.into(),
        locale: locale.to_string().try_into().expect("a valid locale"),
        country: country.into(),
        order_prefix: prefix.into(),
    };
    crate::tenants::insert(db, &t)
        .await
        .expect("insert the test business")
        .id
}
