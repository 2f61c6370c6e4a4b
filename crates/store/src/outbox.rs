//! Messages to people, written in the same transaction as the change that
//! caused them. The WhatsApp channel delivers them (the caller enqueues a
//! `deliver_outbox` job with each).

use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::TenantId;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub channel: String,
    pub recipient: String,
    pub kind: String,
    pub body: String,
    pub status: String,
    /// The approved template to send instead outside the 24-hour window.
    #[serde(skip)]
    pub template: Option<sqlx::types::Json<serde_json::Value>>,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT id, tenant_id, channel, recipient, kind, body, status, template, created_at FROM outbox";

/// Records a message to a person and what became of it: `sent` (handed to
/// the channel's queue) or `blocked` (no business or number to send from).
pub async fn push(
    ex: impl Into<Ex<'_>>,
    tenant: Option<TenantId>,
    recipient: &str,
    kind: &str,
    body: &str,
    template: Option<&serde_json::Value>,
    status: &str,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    let at = now();
    run!(ex, c => sqlx::query(
        "INSERT INTO outbox (id, tenant_id, channel, recipient, kind, body, template, status, created_at, sent_at) \
         VALUES ($1, $2, 'whatsapp', $3, $4, $5, $6, $7, $8, CASE WHEN $7 = 'sent' THEN $8 END)",
    )
    .bind(id)
    .bind(tenant.map(|t| t.0))
    .bind(recipient)
    .bind(kind)
    .bind(body)
    .bind(template.map(sqlx::types::Json))
    .bind(status)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(id)
}

/// Messages for a recipient, newest first (operators, tests, the simulator).
pub async fn for_recipient(
    ex: impl Into<Ex<'_>>,
    recipient: &str,
) -> StoreResult<Vec<OutboxMessage>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE recipient = $1 ORDER BY id DESC"));
    Ok(run!(ex, c => sqlx::query_as::<_, OutboxMessage>(sql)
    .bind(recipient)
    .fetch_all(c)
    .await)?)
}

pub async fn get(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<OutboxMessage> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1"));
    Ok(run!(ex, c => sqlx::query_as::<_, OutboxMessage>(sql).bind(id).fetch_one(c).await)?)
}
