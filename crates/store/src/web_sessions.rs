//! The dashboard's browser sessions and the demo's sign-in links. Tokens are
//! stored as hashes; the caller hashes what the cookie or link carries.

use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Duration, Utc};
use domain::{TenantId, UserId};
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebSession {
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    #[sqlx(try_from = "Uuid")]
    pub user_id: UserId,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl WebSession {
    /// Whether the session still signs its browser in at `at`: not ended,
    /// not past its absolute expiry, not idle longer than `idle`.
    pub fn is_live(&self, at: DateTime<Utc>, idle: Duration) -> bool {
        self.ended_at.is_none() && at < self.expires_at && at - self.last_seen_at < idle
    }
}

pub async fn insert(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
    token_hash: &str,
    csrf_token: &str,
    ttl: Duration,
) -> StoreResult<Uuid> {
    let at = now();
    let id = Uuid::now_v7();
    run!(ex, c => sqlx::query(
        "INSERT INTO web_sessions (id, tenant_id, user_id, token_hash, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(id)
    .bind(tenant.0)
    .bind(user.0)
    .bind(token_hash)
    .bind(csrf_token)
    .bind(at)
    .bind(at + ttl)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(id)
}

pub async fn by_token(ex: impl Into<Ex<'_>>, token_hash: &str) -> StoreResult<Option<WebSession>> {
    Ok(run!(ex, c => sqlx::query_as::<_, WebSession>(
        "SELECT id, tenant_id, user_id, csrf_token, created_at, last_seen_at, expires_at, ended_at \
         FROM web_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(c)
        .await)?)
}

/// Marks the session seen at `at`, when it was last seen before `older_than`
/// (so a busy page writes at most once a minute).
pub async fn touch(
    ex: impl Into<Ex<'_>>,
    id: Uuid,
    at: DateTime<Utc>,
    older_than: DateTime<Utc>,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE web_sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $3 AND ended_at IS NULL",
    )
    .bind(id)
    .bind(at)
    .bind(older_than)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Ends one session (logout). Ending an ended session changes nothing.
pub async fn end(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<bool> {
    let n = run!(ex, c => sqlx::query(
        "UPDATE web_sessions SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(id)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Ends every open session of a user (deactivated, or signed out everywhere).
pub async fn end_all(ex: impl Into<Ex<'_>>, tenant: TenantId, user: UserId) -> StoreResult<u64> {
    Ok(run!(ex, c => sqlx::query(
        "UPDATE web_sessions SET ended_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND ended_at IS NULL",
    )
    .bind(tenant.0)
    .bind(user.0)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

// ---- sign-in links ----------------------------------------------------------

pub async fn insert_link(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
    token_hash: &str,
    ttl: Duration,
) -> StoreResult<()> {
    let at = now();
    run!(ex, c => sqlx::query(
        "INSERT INTO login_links (id, tenant_id, user_id, token_hash, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(user.0)
    .bind(token_hash)
    .bind(at + ttl)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The user a sign-in link names, while it has not expired.
pub async fn link_user(
    ex: impl Into<Ex<'_>>,
    token_hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<Option<(TenantId, UserId)>> {
    let row: Option<(Uuid, Uuid)> = run!(ex, c => sqlx::query_as(
        "SELECT tenant_id, user_id FROM login_links WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(at)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(t, u)| (TenantId(t), UserId(u))))
}
