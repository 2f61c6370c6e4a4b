//! The database handle over both backends, transactions, and the macro that
//! runs one query body against whichever backend is live.

use crate::error::StoreResult;
use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A connection pool on one of the two supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either backend. Dropping it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Where a repository function runs: straight on the pool, or inside a
/// caller's transaction.
pub enum Ex<'a> {
    Pool(&'a Db),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Ex<'a> {
    fn from(db: &'a Db) -> Self {
        Ex::Pool(db)
    }
}

impl<'a> From<&'a mut Tx> for Ex<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Ex::Tx(tx)
    }
}

impl Ex<'_> {
    /// Reborrows, so one function can run several statements on the same
    /// executor.
    pub fn re(&mut self) -> Ex<'_> {
        match self {
            Ex::Pool(db) => Ex::Pool(db),
            Ex::Tx(tx) => Ex::Tx(tx),
        }
    }
}

/// Runs `$body` with `$c` bound to an executor of whichever backend `$ex`
/// is on. The body is compiled once per backend, so it must only use SQL and
/// types both understand.
#[macro_export]
macro_rules! run {
    ($ex:expr, $c:ident => $body:expr) => {{
        let ex: $crate::Ex<'_> = $ex.into();
        match ex {
            $crate::Ex::Pool($crate::Db::Sqlite($c)) => $body,
            $crate::Ex::Pool($crate::Db::Postgres($c)) => $body,
            $crate::Ex::Tx($crate::Tx::Sqlite(t)) => {
                let $c = &mut **t;
                $body
            }
            $crate::Ex::Tx($crate::Tx::Postgres(t)) => {
                let $c = &mut **t;
                $body
            }
        }
    }};
}

/// Takes `synchronous=full|normal` out of a SQLite URL's query (sqlx does
/// not read it): FULL unless it says otherwise.
fn sqlite_synchronous(url: &str) -> StoreResult<(String, SqliteSynchronous)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), SqliteSynchronous::Full));
    };
    let mut mode = SqliteSynchronous::Full;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("synchronous", v)) => {
                mode = match v.to_ascii_lowercase().as_str() {
                    "full" => SqliteSynchronous::Full,
                    "normal" => SqliteSynchronous::Normal,
                    other => {
                        return Err(crate::StoreError::BadOption(format!(
                            "synchronous={other}: use full or normal"
                        )));
                    }
                }
            }
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    Ok((url, mode))
}

/// The current time as stored: UTC, truncated to microseconds (PostgreSQL's
/// precision), so what is written reads back equal on both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`). A SQLite file
    /// is created if missing and runs in WAL mode with foreign keys on and
    /// `synchronous=FULL`: a transaction that committed (and was answered
    /// 200) survives a power loss. `?synchronous=normal` on the URL trades
    /// that for speed (a power loss may lose the last transactions; a crash
    /// of the process never does).
    pub async fn connect(url: &str) -> StoreResult<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(20)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let (url, synchronous) = sqlite_synchronous(url)?;
            let url = url.as_str();
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let in_memory = url.contains(":memory:") || url.contains("mode=memory");
            let pool = SqlitePoolOptions::new()
                // An in-memory database lives in one connection.
                .max_connections(if in_memory { 1 } else { 8 })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(600))
                })
                .max_lifetime(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(1800))
                })
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(crate::StoreError::BadUrl)
        }
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy timeout
    /// instead of failing when a read lock cannot be upgraded.
    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Creates (`create`) or drops a PostgreSQL schema: a throwaway
    /// database inside a server, for benchmarks. `name` must be a plain
    /// identifier.
    pub async fn scratch_schema(&self, name: &str, create: bool) -> StoreResult<()> {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(crate::StoreError::Unsupported(
                "a schema name other than [A-Za-z0-9_]",
            ));
        }
        let sql = if create {
            format!("CREATE SCHEMA {name}")
        } else {
            format!("DROP SCHEMA IF EXISTS {name} CASCADE")
        };
        match self {
            Db::Postgres(p) => {
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await?;
                Ok(())
            }
            Db::Sqlite(_) => Err(crate::StoreError::Unsupported("schemas on SQLite")),
        }
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> StoreResult<()> {
        run!(self, c => sqlx::query("SELECT 1").execute(c).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }

    /// Writes a consistent copy of a SQLite database to `path`
    /// (`VACUUM INTO`). PostgreSQL deployments use `pg_dump`.
    pub async fn backup_to(&self, path: &str) -> StoreResult<()> {
        match self {
            Db::Sqlite(p) => {
                sqlx::query("VACUUM INTO $1").bind(path).execute(p).await?;
                Ok(())
            }
            Db::Postgres(_) => Err(crate::StoreError::Unsupported(
                "backup of PostgreSQL: use pg_dump against SOKONI_DATABASE_URL",
            )),
        }
    }
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// For PATCH-style updates: whether a field is being set, and to what
/// (`Some(None)` sets NULL). Binds as `CASE WHEN $set THEN $value ELSE col END`.
pub(crate) fn split<T: Clone>(v: &Option<Option<T>>) -> (bool, Option<T>) {
    match v {
        Some(inner) => (true, inner.clone()),
        None => (false, None),
    }
}

/// Runs `head` followed by `IN (<ids>)` and `tail` in batches of 500 ids
/// (under both backends' bind limits) and collects the rows: the bulk
/// reads by id of the automation cycle and the outbound batch.
pub async fn select_in<R>(
    ex: impl Into<Ex<'_>>,
    head: &str,
    ids: &[uuid::Uuid],
    tail: &str,
) -> StoreResult<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let mut out = Vec::with_capacity(ids.len());
    let mut ex = ex.into();
    for chunk in ids.chunks(500) {
        let rows: Vec<R> = crate::run!(ex.re(), c => {
            let mut qb = sqlx::QueryBuilder::new(head);
            qb.push(" IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            qb.push(tail);
            qb.build_query_as::<R>().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_is_durable_unless_the_url_says_normal() {
        let full = |u: &str| sqlite_synchronous(u).map(|(url, m)| (url, m as u8)).ok();
        let f = SqliteSynchronous::Full as u8;
        let n = SqliteSynchronous::Normal as u8;
        assert_eq!(full("sqlite://a.db"), Some(("sqlite://a.db".into(), f)));
        assert_eq!(
            full("sqlite://a.db?synchronous=normal"),
            Some(("sqlite://a.db".into(), n))
        );
        assert_eq!(
            full("sqlite://a.db?mode=rwc&synchronous=FULL&cache=shared"),
            Some(("sqlite://a.db?mode=rwc&cache=shared".into(), f))
        );
        assert!(sqlite_synchronous("sqlite://a.db?synchronous=off").is_err());
    }

    #[tokio::test]
    async fn the_connection_runs_with_the_setting() {
        let dir = std::env::temp_dir().join(format!("sokoni-sync-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        for (query, expected) in [("", 2), ("?synchronous=normal", 1)] {
            let url = format!("sqlite://{}/s.db{query}", dir.display());
            let Db::Sqlite(pool) = Db::connect(&url).await.unwrap() else {
                panic!("not sqlite");
            };
            let mode: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&pool)
                .await
                .unwrap();
            assert_eq!(mode, expected, "{url}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
