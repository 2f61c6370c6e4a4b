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

pub const POSTGRES_ENV: &str = "SOKONI_TEST_POSTGRES_URL";

/// A migrated SQLite database in a new file under the system temp dir.
pub async fn sqlite() -> Db {
    let dir = std::env::temp_dir().join("sokoni-tests");
    std::fs::create_dir_all(&dir).expect("create temp dir for test databases");
    let path = dir.join(format!("{}.db", uuid::Uuid::now_v7()));
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("open test sqlite");
    db.migrate().await.expect("migrate test sqlite");
    db
}

/// A migrated PostgreSQL schema of its own, or `None` (with a note on
/// stderr) when no test server is configured.
pub async fn postgres() -> Option<Db> {
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
    Some(db)
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
