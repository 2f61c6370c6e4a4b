//! Messages to people, written in the same transaction as the change that
//! caused them. The WhatsApp channel delivers them (a `deliver_outbox` job is
//! enqueued with each).

use crate::jobs::{self, NewJob};
use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::TenantId;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub channel: String,
    pub recipient: String,
    pub kind: String,
    pub body: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

pub async fn push(
    ex: impl Into<Ex<'_>>,
    tenant: Option<TenantId>,
    recipient: &str,
    kind: &str,
    body: &str,
) -> StoreResult<Uuid> {
    let mut ex = ex.into();
    let id = Uuid::now_v7();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO outbox (id, tenant_id, channel, recipient, kind, body, created_at) \
         VALUES ($1, $2, 'whatsapp', $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(tenant.map(|t| t.0))
    .bind(recipient)
    .bind(kind)
    .bind(body)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    jobs::enqueue(
        ex,
        &NewJob {
            tenant_id: tenant,
            queue: "outbound",
            kind: "deliver_outbox",
            payload: serde_json::json!({ "outbox_id": id }),
            run_at: None,
            dedup_key: Some(format!("outbox:{id}")),
        },
    )
    .await?;
    Ok(id)
}

/// Messages for a recipient, newest first (operators, tests, the simulator).
pub async fn for_recipient(
    ex: impl Into<Ex<'_>>,
    recipient: &str,
) -> StoreResult<Vec<OutboxMessage>> {
    Ok(run!(ex, c => sqlx::query_as::<_, OutboxMessage>(
        "SELECT id, channel, recipient, kind, body, status, created_at FROM outbox \
         WHERE recipient = $1 ORDER BY id DESC",
    )
    .bind(recipient)
    .fetch_all(c)
    .await)?)
}
