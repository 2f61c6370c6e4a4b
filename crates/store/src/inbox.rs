//! The inbox: conversations a person must pick up, one open entry per
//! customer, with the reason the bot gave up or promised follow-up. Rows
//! only; the engine decides when a conversation needs a person
//! (`engine::inbox`).

use crate::{Ex, StoreError, StoreResult, run};
use chrono::{DateTime, Utc};
use domain::messages::Attention;
use domain::{CustomerId, TenantId, UserId};
use uuid::Uuid;

/// An inbox entry's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct EntryId(pub Uuid);

impl std::str::FromStr for EntryId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(EntryId)
    }
}

impl std::fmt::Display for EntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One conversation waiting for a person (or, once resolved, that waited).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: EntryId,
    pub customer_id: CustomerId,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub reason: Attention,
    pub detail: Option<String>,
    /// When the conversation first needed a person (a later reason keeps it).
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<UserId>,
    /// The customer's latest message: its text (or caption), kind and time.
    pub last_body: Option<String>,
    pub last_kind: Option<String>,
    pub last_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    customer_id: Uuid,
    customer_name: Option<String>,
    customer_phone: Option<String>,
    reason: String,
    detail: Option<String>,
    opened_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    resolved_by: Option<Uuid>,
    last_body: Option<String>,
    last_kind: Option<String>,
    last_at: Option<DateTime<Utc>>,
}

impl TryFrom<Row> for Entry {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, Self::Error> {
        Ok(Entry {
            id: EntryId(r.id),
            customer_id: CustomerId(r.customer_id),
            customer_name: r.customer_name,
            customer_phone: r.customer_phone,
            reason: r
                .reason
                .parse()
                .map_err(|e: String| StoreError::Sqlx(sqlx::Error::Decode(e.into())))?,
            detail: r.detail,
            opened_at: r.opened_at,
            updated_at: r.updated_at,
            resolved_at: r.resolved_at,
            resolved_by: r.resolved_by.map(UserId),
            last_body: r.last_body,
            last_kind: r.last_kind,
            last_at: r.last_at,
        })
    }
}

const SELECT: &str = "SELECT i.id, i.customer_id, c.name AS customer_name, c.phone AS customer_phone, \
     i.reason, i.detail, i.opened_at, i.updated_at, i.resolved_at, i.resolved_by, \
     m.body AS last_body, m.kind AS last_kind, m.created_at AS last_at \
     FROM inbox i JOIN customers c ON c.id = i.customer_id AND c.tenant_id = i.tenant_id \
     LEFT JOIN wa_messages m ON m.id = (SELECT w.id FROM wa_messages w \
         WHERE w.tenant_id = i.tenant_id AND w.customer_id = i.customer_id AND w.direction = 'inbound' \
         ORDER BY w.created_at DESC, w.id DESC LIMIT 1)";

/// Opens the customer's entry, or, if one is open, moves it to the new
/// reason and detail (one open entry per customer, enforced by a unique
/// index). Returns the entry's id and whether it was newly opened.
pub async fn open(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
    reason: Attention,
    detail: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<(EntryId, bool)> {
    let fresh = Uuid::now_v7();
    let id: Uuid = run!(ex, c => sqlx::query_scalar(
        "INSERT INTO inbox (id, tenant_id, customer_id, reason, detail, opened_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) \
         ON CONFLICT (tenant_id, customer_id) WHERE resolved_at IS NULL DO UPDATE SET \
           reason = excluded.reason, detail = excluded.detail, updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(fresh)
    .bind(tenant.0)
    .bind(customer.0)
    .bind(reason.as_str())
    .bind(detail)
    .bind(at)
    .fetch_one(c)
    .await)?;
    Ok((EntryId(id), id == fresh))
}

/// Open entries, the most recently updated first.
pub async fn list_open(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    limit: i64,
) -> StoreResult<Vec<Entry>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.tenant_id = $1 AND i.resolved_at IS NULL \
         ORDER BY i.updated_at DESC, i.id DESC LIMIT $2"
    ));
    let rows = run!(ex, c => sqlx::query_as::<_, Row>(sql)
        .bind(tenant.0)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    rows.into_iter().map(Entry::try_from).collect()
}

pub async fn get(ex: impl Into<Ex<'_>>, tenant: TenantId, id: EntryId) -> StoreResult<Entry> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE i.tenant_id = $1 AND i.id = $2"));
    let row = run!(ex, c => sqlx::query_as::<_, Row>(sql)
        .bind(tenant.0)
        .bind(id.0)
        .fetch_one(c)
        .await)?;
    row.try_into()
}

/// The customer's open entry, if any.
pub async fn open_for(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
) -> StoreResult<Option<Entry>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.tenant_id = $1 AND i.customer_id = $2 AND i.resolved_at IS NULL"
    ));
    let row = run!(ex, c => sqlx::query_as::<_, Row>(sql)
        .bind(tenant.0)
        .bind(customer.0)
        .fetch_optional(c)
        .await)?;
    row.map(Entry::try_from).transpose()
}

/// Marks the entry resolved (by `by`, at `at`). Returns the customer when
/// this call resolved it, `None` when it was already resolved;
/// [`StoreError::NotFound`] when the tenant has no such entry.
pub async fn resolve(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: EntryId,
    by: Option<UserId>,
    at: DateTime<Utc>,
) -> StoreResult<Option<CustomerId>> {
    let mut ex = ex.into();
    let done: Option<Uuid> = run!(ex.re(), c => sqlx::query_scalar(
        "UPDATE inbox SET resolved_at = $3, resolved_by = $4, updated_at = $3 \
         WHERE tenant_id = $1 AND id = $2 AND resolved_at IS NULL RETURNING customer_id",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(at)
    .bind(by.map(|u| u.0))
    .fetch_optional(c)
    .await)?;
    if let Some(customer) = done {
        return Ok(Some(CustomerId(customer)));
    }
    let exists: Option<Uuid> = run!(ex, c => sqlx::query_scalar(
        "SELECT id FROM inbox WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    match exists {
        Some(_) => Ok(None),
        None => Err(StoreError::NotFound),
    }
}
