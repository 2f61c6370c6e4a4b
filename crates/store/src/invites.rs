//! Invite codes: what an operator hands a prospective owner. Only the
//! code's hash is stored (and its first characters, to tell codes apart in
//! a list); a code opens one business, once, before it expires, unless it
//! was revoked. The rules (what a code looks like, how it is hashed) are in
//! `engine::onboarding`.

use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::tenant::Plan;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Invite {
    pub id: Uuid,
    #[serde(skip)]
    pub code_hash: String,
    /// The code's first four characters (`7F3K`).
    pub hint: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "free")]
    pub plan: Plan,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    /// The business the code opened.
    #[sqlx(try_from = "Option<Uuid>")]
    #[schema(value_type = Option<String>)]
    pub used_by: OptTenant,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A nullable tenant reference as sqlx reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OptTenant(pub Option<TenantId>);

impl From<Option<Uuid>> for OptTenant {
    fn from(u: Option<Uuid>) -> Self {
        OptTenant(u.map(TenantId))
    }
}

/// Where a code stands at `at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InviteStatus {
    Open,
    Used,
    Expired,
    Revoked,
}

impl Invite {
    pub fn status(&self, at: DateTime<Utc>) -> InviteStatus {
        if self.used_at.is_some() {
            InviteStatus::Used
        } else if self.revoked_at.is_some() {
            InviteStatus::Revoked
        } else if self.expires_at <= at {
            InviteStatus::Expired
        } else {
            InviteStatus::Open
        }
    }
}

const COLUMNS: &str =
    "id, code_hash, hint, plan, expires_at, used_at, used_by, revoked_at, created_at";

pub struct NewInvite<'a> {
    pub code_hash: &'a str,
    pub hint: &'a str,
    pub plan: Plan,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(ex: impl Into<Ex<'_>>, n: &NewInvite<'_>) -> StoreResult<Invite> {
    let mut ex = ex.into();
    let id = Uuid::now_v7();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO invite_codes (id, code_hash, hint, plan, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(n.code_hash)
    .bind(n.hint)
    .bind(n.plan.as_str())
    .bind(n.expires_at)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    get(ex, id).await
}

pub async fn get(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<Invite> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM invite_codes WHERE id = $1"));
    Ok(run!(ex, c => sqlx::query_as::<_, Invite>(sql).bind(id).fetch_one(c).await)?)
}

pub async fn by_hash(ex: impl Into<Ex<'_>>, code_hash: &str) -> StoreResult<Option<Invite>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM invite_codes WHERE code_hash = $1"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Invite>(sql).bind(code_hash).fetch_optional(c).await)?)
}

/// Every code, newest first.
pub async fn list(ex: impl Into<Ex<'_>>) -> StoreResult<Vec<Invite>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM invite_codes ORDER BY created_at DESC, id DESC"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Invite>(sql).fetch_all(c).await)?)
}

/// Revokes a code not yet used; false when it was used or already revoked.
pub async fn revoke(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<bool> {
    let n = run!(ex, c => sqlx::query(
        "UPDATE invite_codes SET revoked_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Marks the code used by `tenant`, in one conditional update: only one
/// caller ever wins, and only while it is open at `at`.
pub async fn consume(
    ex: impl Into<Ex<'_>>,
    id: Uuid,
    tenant: TenantId,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = run!(ex, c => sqlx::query(
        "UPDATE invite_codes SET used_at = $3, used_by = $2 \
         WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
    )
    .bind(id)
    .bind(tenant.0)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}
