//! The chat engine's rows: one conversation session per customer (its state
//! is JSON the engine owns), and the customer's opt-out and human-handoff
//! pause. Everything a replica needs to continue a conversation is here.

use crate::{Ex, StoreError, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::{CustomerId, TenantId};
use sqlx::types::Json;
use uuid::Uuid;

/// A stored conversation: the engine's state and how many turns it took.
#[derive(Debug, Clone)]
pub struct Session {
    pub state: serde_json::Value,
    pub turns: i64,
    pub updated_at: DateTime<Utc>,
}

/// The customer's session, if they have one.
pub async fn load(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
) -> StoreResult<Option<Session>> {
    let row: Option<(Json<serde_json::Value>, i64, DateTime<Utc>)> = run!(ex, c => sqlx::query_as(
        "SELECT state, CAST(turns AS BIGINT), updated_at FROM chat_sessions \
         WHERE tenant_id = $1 AND customer_id = $2",
    )
    .bind(tenant.0)
    .bind(customer.0)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(Json(state), turns, updated_at)| Session {
        state,
        turns,
        updated_at,
    }))
}

/// Writes the session's new state and counts the turn.
pub async fn save(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
    state: &serde_json::Value,
) -> StoreResult<()> {
    let at = now();
    run!(ex, c => sqlx::query(
        "INSERT INTO chat_sessions (id, tenant_id, customer_id, state, turns, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $5) \
         ON CONFLICT (tenant_id, customer_id) DO UPDATE SET \
           state = excluded.state, turns = chat_sessions.turns + 1, updated_at = excluded.updated_at",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(customer.0)
    .bind(Json(state))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The customer's opt-out and handoff pause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub opted_out_at: Option<DateTime<Utc>>,
    pub bot_paused_until: Option<DateTime<Utc>>,
}

pub async fn flags(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
) -> StoreResult<Flags> {
    type Row = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let row: Option<Row> = run!(ex, c => sqlx::query_as(
        "SELECT opted_out_at, bot_paused_until FROM customers WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(customer.0)
    .fetch_optional(c)
    .await)?;
    let (opted_out_at, bot_paused_until) = row.ok_or(StoreError::NotFound)?;
    Ok(Flags {
        opted_out_at,
        bot_paused_until,
    })
}

/// Records (`Some`) or withdraws (`None`) the customer's opt-out. Only a
/// first opt-out sets the time; repeating it keeps the original.
pub async fn set_opted_out(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
    at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE customers SET opted_out_at = CASE WHEN $3 IS NULL THEN NULL \
           ELSE COALESCE(opted_out_at, $3) END, updated_at = $4 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(customer.0)
    .bind(at)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Pauses the bot for the customer until `until` (a person is answering),
/// or resumes it (`None`).
pub async fn set_paused_until(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
    until: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE customers SET bot_paused_until = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(customer.0)
    .bind(until)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
