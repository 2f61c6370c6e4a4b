//! Onboarding sessions: one applicant's guided chat on the platform's
//! onboarding number, by phone and invite code. The step and the answers
//! (JSON the engine owns) are stored after every message, so a restart or a
//! day's pause continues where the applicant was. One session per code and
//! at most one business per session, both unique indexes.

use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::tenant::Plan;
use sqlx::types::Json;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: Uuid,
    pub phone: String,
    pub invite_id: Uuid,
    pub step: String,
    pub answers: Json<serde_json::Value>,
    pub tenant_id: Option<Uuid>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Session {
    pub fn tenant(&self) -> Option<TenantId> {
        self.tenant_id.map(TenantId)
    }
}

const COLUMNS: &str =
    "id, phone, invite_id, step, answers, tenant_id, finished_at, created_at, updated_at";

/// Opens the session of `phone` with the code `invite_id`. A code already
/// taken by a session is `StoreError::Unique("onboarding_sessions_invite_key")`.
pub async fn start(
    ex: impl Into<Ex<'_>>,
    phone: &str,
    invite_id: Uuid,
    step: &str,
    answers: &serde_json::Value,
) -> StoreResult<Session> {
    let mut ex = ex.into();
    let id = Uuid::now_v7();
    let at = now();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO onboarding_sessions (id, phone, invite_id, step, answers, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id)
    .bind(phone)
    .bind(invite_id)
    .bind(step)
    .bind(Json(answers))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    get(ex, id).await
}

pub async fn get(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<Session> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM onboarding_sessions WHERE id = $1"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Session>(sql).bind(id).fetch_one(c).await)?)
}

/// The session a code opened, whoever holds it.
pub async fn by_invite(ex: impl Into<Ex<'_>>, invite_id: Uuid) -> StoreResult<Option<Session>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM onboarding_sessions WHERE invite_id = $1"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Session>(sql).bind(invite_id).fetch_optional(c).await)?)
}

/// The phone's newest session (finished or not).
pub async fn latest(ex: impl Into<Ex<'_>>, phone: &str) -> StoreResult<Option<Session>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM onboarding_sessions WHERE phone = $1 \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Session>(sql).bind(phone).fetch_optional(c).await)?)
}

/// Locks the session's row for the turn (PostgreSQL; SQLite has one writer).
pub async fn lock(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<()> {
    let ex: Ex<'_> = ex.into();
    if let Ex::Tx(crate::Tx::Postgres(t)) = ex {
        sqlx::query("SELECT id FROM onboarding_sessions WHERE id = $1 FOR UPDATE")
            .bind(id)
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// Stores the step and answers after a turn.
pub async fn save(
    ex: impl Into<Ex<'_>>,
    id: Uuid,
    step: &str,
    answers: &serde_json::Value,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE onboarding_sessions SET step = $2, answers = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(step)
    .bind(Json(answers))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records the business the session created. A second business for the
/// same session is `StoreError::Unique("onboarding_sessions_tenant_key")`
/// only across sessions; within one, the `tenant_id IS NULL` guard makes a
/// repeat a no-op that returns false.
pub async fn finish(ex: impl Into<Ex<'_>>, id: Uuid, tenant: TenantId) -> StoreResult<bool> {
    let at = now();
    let n = run!(ex, c => sqlx::query(
        "UPDATE onboarding_sessions SET tenant_id = $2, finished_at = $3, updated_at = $3 \
         WHERE id = $1 AND tenant_id IS NULL",
    )
    .bind(id)
    .bind(tenant.0)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Gives a new business the plan of the invite that opened it.
pub async fn set_plan(ex: impl Into<Ex<'_>>, tenant: TenantId, plan: Plan) -> StoreResult<()> {
    run!(ex, c => sqlx::query("UPDATE tenants SET plan = $2, updated_at = $3 WHERE id = $1")
        .bind(tenant.0)
        .bind(plan.as_str())
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
