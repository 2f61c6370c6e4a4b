//! Savepoints inside a transaction: undo part of a unit of work (a stock
//! reservation that came up short) and carry on with the rest. Plain SQL
//! savepoints, which both backends speak the same way.

use crate::{StoreError, StoreResult, Tx, run};

/// Savepoint names are spliced into the SQL, so they are ours, never input.
fn checked(name: &str) -> StoreResult<&str> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return Err(StoreError::Unsupported(
            "a savepoint name other than [a-z_]+",
        ));
    }
    Ok(name)
}

async fn exec(tx: &mut Tx, sql: String) -> StoreResult<()> {
    let sql = sqlx::AssertSqlSafe(sql);
    run!(tx, c => sqlx::query(sql).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// `SAVEPOINT name`: marks a point `rollback_to` can return to.
pub async fn savepoint(tx: &mut Tx, name: &str) -> StoreResult<()> {
    let name = checked(name)?;
    exec(tx, format!("SAVEPOINT {name}")).await
}

/// Undoes everything since `savepoint(name)`; the transaction stays open and
/// the savepoint stays set.
pub async fn rollback_to(tx: &mut Tx, name: &str) -> StoreResult<()> {
    let name = checked(name)?;
    exec(tx, format!("ROLLBACK TO SAVEPOINT {name}")).await
}

/// Keeps what was done since `savepoint(name)` and forgets the mark.
pub async fn release_savepoint(tx: &mut Tx, name: &str) -> StoreResult<()> {
    let name = checked(name)?;
    exec(tx, format!("RELEASE SAVEPOINT {name}")).await
}
