//! Staff in their own business's chat: which customer each alert was about
//! (a staff member's reply to it goes to that customer), and each staff
//! member's session (the customer they are answering by hand, the last
//! command they may undo, a destructive command waiting for their yes).
//! The engine owns the JSON of `undo` and `pending`.

use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::{CustomerId, TenantId, UserId, WaMessageId};
use sqlx::types::Json;
use uuid::Uuid;

/// Marks an outbound message to staff as being about `customer`.
pub async fn set_about(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    message: WaMessageId,
    customer: CustomerId,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE wa_messages SET about_customer_id = $3 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(message.0)
    .bind(customer.0)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// The customer the business's message `wamid` (the one a staff member
/// replied to) was about, if it was an alert about one.
pub async fn about(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    wamid: &str,
) -> StoreResult<Option<CustomerId>> {
    let row: Option<(Option<Uuid>,)> = run!(ex, c => sqlx::query_as(
        "SELECT about_customer_id FROM wa_messages \
         WHERE wa_message_id = $2 AND tenant_id = $1 AND direction = 'outbound'",
    )
    .bind(tenant.0)
    .bind(wamid)
    .fetch_optional(c)
    .await)?;
    Ok(row.and_then(|(c,)| c).map(CustomerId))
}

/// What a staff member's session holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    pub replying_to: Option<CustomerId>,
    pub undo: Option<(serde_json::Value, DateTime<Utc>)>,
    pub pending: Option<(serde_json::Value, DateTime<Utc>)>,
}

type Row = (
    Option<Uuid>,
    Option<Json<serde_json::Value>>,
    Option<DateTime<Utc>>,
    Option<Json<serde_json::Value>>,
    Option<DateTime<Utc>>,
);

fn session_of(r: Row) -> Session {
    let (replying_to, undo, undo_until, pending, pending_until) = r;
    Session {
        replying_to: replying_to.map(CustomerId),
        undo: undo.zip(undo_until).map(|(Json(v), t)| (v, t)),
        pending: pending.zip(pending_until).map(|(Json(v), t)| (v, t)),
    }
}

/// The staff member's session (empty when they have none yet).
pub async fn session(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
) -> StoreResult<Session> {
    let row: Option<Row> = run!(ex, c => sqlx::query_as(
        "SELECT replying_to, undo, undo_until, pending, pending_until FROM staff_sessions \
         WHERE tenant_id = $1 AND user_id = $2",
    )
    .bind(tenant.0)
    .bind(user.0)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(session_of).unwrap_or_default())
}

/// Which of a session's slots a write sets.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Undo,
    Pending,
}

async fn put(
    ex: Ex<'_>,
    tenant: TenantId,
    user: UserId,
    slot: Slot,
    value: Option<(&serde_json::Value, DateTime<Utc>)>,
) -> StoreResult<()> {
    let (col, until) = match slot {
        Slot::Undo => ("undo", "undo_until"),
        Slot::Pending => ("pending", "pending_until"),
    };
    let Some((v, t)) = value else {
        // Forgetting never creates a session.
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE staff_sessions SET {col} = NULL, {until} = NULL, updated_at = $3 \
             WHERE tenant_id = $1 AND user_id = $2 AND {col} IS NOT NULL"
        ));
        run!(ex, c => sqlx::query(sql)
            .bind(tenant.0)
            .bind(user.0)
            .bind(now())
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
        return Ok(());
    };
    let sql = sqlx::AssertSqlSafe(format!(
        "INSERT INTO staff_sessions (id, tenant_id, user_id, {col}, {until}, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET \
           {col} = excluded.{col}, {until} = excluded.{until}, updated_at = excluded.updated_at"
    ));
    run!(ex, c => sqlx::query(sql)
        .bind(Uuid::now_v7())
        .bind(tenant.0)
        .bind(user.0)
        .bind(Json(v))
        .bind(t)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Keeps `undo` (the last command's inverse) until `until`; `None` forgets it.
pub async fn set_undo(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
    undo: Option<(&serde_json::Value, DateTime<Utc>)>,
) -> StoreResult<()> {
    put(ex.into(), tenant, user, Slot::Undo, undo).await
}

/// Keeps a destructive command waiting for a yes until `until`.
pub async fn set_pending(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
    pending: Option<(&serde_json::Value, DateTime<Utc>)>,
) -> StoreResult<()> {
    put(ex.into(), tenant, user, Slot::Pending, pending).await
}

async fn take(
    ex: Ex<'_>,
    tenant: TenantId,
    user: UserId,
    slot: Slot,
) -> StoreResult<Option<(serde_json::Value, DateTime<Utc>)>> {
    let (col, until) = match slot {
        Slot::Undo => ("undo", "undo_until"),
        Slot::Pending => ("pending", "pending_until"),
    };
    let mut ex = ex;
    let current = session(ex.re(), tenant, user).await?;
    let Some((value, at)) = (match slot {
        Slot::Undo => current.undo,
        Slot::Pending => current.pending,
    }) else {
        return Ok(None);
    };
    // Clear it only if it is still the one read: of two takers, one wins.
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE staff_sessions SET {col} = NULL, {until} = NULL, updated_at = $3 \
         WHERE tenant_id = $1 AND user_id = $2 AND {until} = $4"
    ));
    let taken = run!(ex, c => sqlx::query(sql)
        .bind(tenant.0)
        .bind(user.0)
        .bind(now())
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok((taken == 1).then_some((value, at)))
}

/// Takes the undo away (whoever takes it runs it, once), with its deadline.
pub async fn take_undo(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
) -> StoreResult<Option<(serde_json::Value, DateTime<Utc>)>> {
    take(ex.into(), tenant, user, Slot::Undo).await
}

/// Takes the command waiting for a yes away, with its deadline.
pub async fn take_pending(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
) -> StoreResult<Option<(serde_json::Value, DateTime<Utc>)>> {
    take(ex.into(), tenant, user, Slot::Pending).await
}

/// Records (`Some`) or ends (`None`) the customer this staff member is
/// answering by hand. Returns the customer they were answering before.
pub async fn set_replying_to(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
    customer: Option<CustomerId>,
) -> StoreResult<Option<CustomerId>> {
    let mut ex = ex.into();
    let before = session(ex.re(), tenant, user).await?.replying_to;
    run!(ex, c => sqlx::query(
        "INSERT INTO staff_sessions (id, tenant_id, user_id, replying_to, updated_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (tenant_id, user_id) DO UPDATE SET \
           replying_to = excluded.replying_to, updated_at = excluded.updated_at",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(user.0)
    .bind(customer.map(|c| c.0))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(before)
}

/// The staff members answering `customer` by hand now.
pub async fn replying_to(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
) -> StoreResult<Vec<UserId>> {
    let rows: Vec<(Uuid,)> = run!(ex, c => sqlx::query_as(
        "SELECT user_id FROM staff_sessions WHERE tenant_id = $1 AND replying_to = $2 ORDER BY user_id",
    )
    .bind(tenant.0)
    .bind(customer.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|(u,)| UserId(u)).collect())
}
