//! The WhatsApp channel's tables: business numbers, the raw webhook intake
//! (`wa_events`), the message log (`wa_messages`) and the per-number send
//! windows.

use crate::{Ex, StoreError, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::outbound::MessageStatus;
use domain::{CustomerId, OrderId, TenantId, WaEventId, WaMessageId, WaNumberId};
use sqlx::types::Json;
use uuid::Uuid;

// ---------------------------------------------------------------- numbers

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Number {
    #[sqlx(try_from = "Uuid")]
    pub id: WaNumberId,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub phone_number_id: String,
    pub display_phone_number: String,
    pub waba_id: Option<String>,
    pub access_token_sealed: Option<String>,
    pub sandbox: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewNumber {
    pub phone_number_id: String,
    pub display_phone_number: String,
    pub waba_id: Option<String>,
    pub access_token_sealed: Option<String>,
    pub sandbox: bool,
}

const NUMBER: &str = "SELECT id, tenant_id, phone_number_id, display_phone_number, waba_id, \
     access_token_sealed, sandbox, active, created_at, updated_at FROM wa_numbers";

pub async fn insert_number(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    n: &NewNumber,
) -> StoreResult<Number> {
    let mut ex = ex.into();
    let id = WaNumberId::new();
    let at = now();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO wa_numbers (id, tenant_id, phone_number_id, display_phone_number, waba_id, \
         access_token_sealed, sandbox, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(&n.phone_number_id)
    .bind(&n.display_phone_number)
    .bind(&n.waba_id)
    .bind(&n.access_token_sealed)
    .bind(n.sandbox)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    get_number(ex, tenant, id).await
}

pub async fn get_number(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: WaNumberId,
) -> StoreResult<Number> {
    let sql = sqlx::AssertSqlSafe(format!("{NUMBER} WHERE tenant_id = $1 AND id = $2"));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Number>(sql).bind(tenant.0).bind(id.0).fetch_one(c).await)?,
    )
}

/// The number Meta addresses by `phone_number_id`, whoever owns it.
pub async fn number_by_phone_number_id(
    ex: impl Into<Ex<'_>>,
    phone_number_id: &str,
) -> StoreResult<Option<Number>> {
    let sql = sqlx::AssertSqlSafe(format!("{NUMBER} WHERE phone_number_id = $1"));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Number>(sql).bind(phone_number_id).fetch_optional(c).await)?,
    )
}

/// A tenant's numbers, oldest first (the first active one sends
/// notifications).
pub async fn numbers(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Vec<Number>> {
    let sql = sqlx::AssertSqlSafe(format!("{NUMBER} WHERE tenant_id = $1 ORDER BY id"));
    Ok(run!(ex, c => sqlx::query_as::<_, Number>(sql).bind(tenant.0).fetch_all(c).await)?)
}

/// Every number on the server (operators, the simulator).
pub async fn all_numbers(ex: impl Into<Ex<'_>>, sandbox_only: bool) -> StoreResult<Vec<Number>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{NUMBER} WHERE ($1 = FALSE OR sandbox = TRUE) ORDER BY tenant_id, id"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Number>(sql).bind(sandbox_only).fetch_all(c).await)?)
}

#[derive(Debug, Clone, Default)]
pub struct NumberPatch {
    pub display_phone_number: Option<String>,
    pub access_token_sealed: Option<String>,
    pub active: Option<bool>,
}

pub async fn update_number(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: WaNumberId,
    p: &NumberPatch,
) -> StoreResult<Number> {
    let mut ex = ex.into();
    let n = run!(ex.re(), c => sqlx::query(
        "UPDATE wa_numbers SET display_phone_number = COALESCE($3, display_phone_number), \
         access_token_sealed = COALESCE($4, access_token_sealed), active = COALESCE($5, active), \
         updated_at = $6 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&p.display_phone_number)
    .bind(&p.access_token_sealed)
    .bind(p.active)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    get_number(ex, tenant, id).await
}

// ----------------------------------------------------------------- events

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Message,
    Status,
    Error,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Message => "message",
            EventKind::Status => "status",
            EventKind::Error => "error",
        }
    }
}

pub struct NewEvent<'a> {
    /// `None` when no tenant owns the `phone_number_id`: stored unroutable.
    pub tenant_id: Option<TenantId>,
    pub phone_number_id: &'a str,
    pub kind: EventKind,
    pub provider_key: &'a str,
    pub payload: &'a serde_json::Value,
}

/// Stores one webhook event on the caller's executor (the intake's
/// transaction, which also enqueues its processing). `None` when the event
/// was already stored: a redelivery changes nothing.
pub async fn record_event(
    ex: impl Into<Ex<'_>>,
    e: &NewEvent<'_>,
) -> StoreResult<Option<WaEventId>> {
    let mut ex = ex.into();
    let id = WaEventId::new();
    let state = if e.tenant_id.is_some() {
        "pending"
    } else {
        "unroutable"
    };
    let n = run!(ex.re(), c => sqlx::query(
        "INSERT INTO wa_events (id, tenant_id, phone_number_id, kind, provider_key, payload, state, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (kind, provider_key) DO NOTHING",
    )
    .bind(id.0)
    .bind(e.tenant_id.map(|t| t.0))
    .bind(e.phone_number_id)
    .bind(e.kind.as_str())
    .bind(e.provider_key)
    .bind(Json(e.payload))
    .bind(state)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok((n == 1).then_some(id))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Event {
    #[sqlx(try_from = "Uuid")]
    pub id: WaEventId,
    pub tenant_id: Option<Uuid>,
    pub phone_number_id: String,
    pub kind: String,
    pub provider_key: String,
    pub payload: Json<serde_json::Value>,
    pub state: String,
    pub received_at: DateTime<Utc>,
}

impl Event {
    pub fn tenant(&self) -> Option<TenantId> {
        self.tenant_id.map(TenantId)
    }
}

pub async fn get_event(ex: impl Into<Ex<'_>>, id: WaEventId) -> StoreResult<Event> {
    Ok(run!(ex, c => sqlx::query_as::<_, Event>(
        "SELECT id, tenant_id, phone_number_id, kind, provider_key, payload, state, received_at \
         FROM wa_events WHERE id = $1",
    )
    .bind(id.0)
    .fetch_one(c)
    .await)?)
}

pub async fn mark_event_processed(ex: impl Into<Ex<'_>>, id: WaEventId) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE wa_events SET state = 'processed', processed_at = $2 WHERE id = $1",
    )
    .bind(id.0)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Counts of stored events by kind and state (metrics, tests).
pub async fn event_counts(ex: impl Into<Ex<'_>>) -> StoreResult<Vec<(String, String, i64)>> {
    Ok(run!(ex, c => sqlx::query_as::<_, (String, String, i64)>(
        "SELECT kind, state, COUNT(*) FROM wa_events GROUP BY kind, state ORDER BY kind, state",
    )
    .fetch_all(c)
    .await)?)
}

// --------------------------------------------------------------- messages

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Message {
    #[sqlx(try_from = "Uuid")]
    pub id: WaMessageId,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    #[sqlx(try_from = "Uuid")]
    pub number_id: WaNumberId,
    pub customer_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub wa_message_id: Option<String>,
    pub direction: String,
    pub from_number: String,
    pub to_number: String,
    pub kind: String,
    pub body: Option<String>,
    pub payload: Json<serde_json::Value>,
    pub content: Option<Json<serde_json::Value>>,
    pub fallback: Option<Json<serde_json::Value>>,
    #[sqlx(try_from = "String")]
    pub status: MessageStatus,
    pub error_code: Option<i64>,
    pub error_title: Option<String>,
    pub error_details: Option<String>,
    pub media_id: Option<String>,
    pub media_path: Option<String>,
    pub media_mime: Option<String>,
    pub received_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Message {
    pub fn customer(&self) -> Option<CustomerId> {
        self.customer_id.map(CustomerId)
    }
}

const MESSAGE: &str = "SELECT id, tenant_id, number_id, customer_id, order_id, wa_message_id, direction, from_number, to_number, kind, body, payload, content, fallback, status, \
     error_code, error_title, error_details, media_id, media_path, media_mime, received_at, sent_at, \
     delivered_at, read_at, created_at, updated_at FROM wa_messages";

pub struct NewInbound<'a> {
    pub tenant_id: TenantId,
    pub number_id: WaNumberId,
    /// `None` for a message from the business's own staff.
    pub customer_id: Option<CustomerId>,
    pub wamid: &'a str,
    pub from_number: &'a str,
    pub to_number: &'a str,
    pub kind: &'a str,
    pub body: Option<&'a str>,
    pub payload: &'a serde_json::Value,
    pub parsed: Option<&'a serde_json::Value>,
    pub media_id: Option<&'a str>,
    pub media_mime: Option<&'a str>,
    pub received_at: DateTime<Utc>,
}

/// Stores an inbound message; `None` if its wamid is already stored.
pub async fn insert_inbound(
    ex: impl Into<Ex<'_>>,
    m: &NewInbound<'_>,
) -> StoreResult<Option<WaMessageId>> {
    let id = WaMessageId::new();
    let at = now();
    let n = run!(ex, c => sqlx::query(
        "INSERT INTO wa_messages (id, tenant_id, number_id, customer_id, wa_message_id, direction, from_number, \
         to_number, kind, body, payload, parsed_data, status, media_id, media_mime, received_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'inbound', $6, $7, $8, $9, $10, $11, 'received', $12, $13, $14, $15, $15) \
         ON CONFLICT (wa_message_id) DO NOTHING",
    )
    .bind(id.0)
    .bind(m.tenant_id.0)
    .bind(m.number_id.0)
    .bind(m.customer_id.map(|c| c.0))
    .bind(m.wamid)
    .bind(m.from_number)
    .bind(m.to_number)
    .bind(m.kind)
    .bind(m.body)
    .bind(Json(m.payload))
    .bind(m.parsed.map(Json))
    .bind(m.media_id)
    .bind(m.media_mime)
    .bind(m.received_at)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok((n == 1).then_some(id))
}

pub struct NewOutbound<'a> {
    pub tenant_id: TenantId,
    pub number_id: WaNumberId,
    pub customer_id: Option<CustomerId>,
    pub order_id: Option<OrderId>,
    pub from_number: &'a str,
    pub to_number: &'a str,
    pub kind: &'a str,
    pub body: &'a str,
    /// The Graph API body that will be sent.
    pub payload: &'a serde_json::Value,
    /// The message as the business wrote it (`channels::OutMessage`).
    pub content: &'a serde_json::Value,
    /// The template to send instead outside the 24-hour window.
    pub fallback: Option<&'a serde_json::Value>,
}

/// Records an outbound message as queued, on the caller's executor (which
/// also enqueues its send).
pub async fn queue_outbound(
    ex: impl Into<Ex<'_>>,
    m: &NewOutbound<'_>,
) -> StoreResult<WaMessageId> {
    let mut ex = ex.into();
    let id = WaMessageId::new();
    let at = now();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO wa_messages (id, tenant_id, number_id, customer_id, order_id, direction, from_number, \
         to_number, kind, body, payload, content, fallback, status, received_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'outbound', $6, $7, $8, $9, $10, $11, $12, 'queued', $13, $13, $13)",
    )
    .bind(id.0)
    .bind(m.tenant_id.0)
    .bind(m.number_id.0)
    .bind(m.customer_id.map(|c| c.0))
    .bind(m.order_id.map(|o| o.0))
    .bind(m.from_number)
    .bind(m.to_number)
    .bind(m.kind)
    .bind(m.body)
    .bind(Json(m.payload))
    .bind(Json(m.content))
    .bind(m.fallback.map(Json))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(id)
}

/// When `from` (digits) last wrote to `number` without being a customer (a
/// staff member): their 24-hour window.
pub async fn last_inbound_from(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    number: WaNumberId,
    from: &str,
) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(run!(ex, c => sqlx::query_scalar::<_, DateTime<Utc>>(
        "SELECT received_at FROM wa_messages WHERE tenant_id = $1 AND customer_id IS NULL \
         AND number_id = $2 AND direction = 'inbound' AND from_number = $3 \
         ORDER BY received_at DESC LIMIT 1",
    )
    .bind(tenant.0)
    .bind(number.0)
    .bind(from)
    .fetch_optional(c)
    .await)?)
}

/// Whether an outbound message to the same person from the same number,
/// written before `m` and after `since`, is still waiting to be sent.
pub async fn earlier_queued(
    ex: impl Into<Ex<'_>>,
    m: &Message,
    since: DateTime<Utc>,
) -> StoreResult<bool> {
    let found: Option<i32> = run!(ex, c => sqlx::query_scalar(
        "SELECT 1 FROM wa_messages WHERE number_id = $1 AND to_number = $2 AND status = 'queued' \
         AND direction = 'outbound' AND id < $3 AND created_at > $4 LIMIT 1",
    )
    .bind(m.number_id.0)
    .bind(&m.to_number)
    .bind(m.id.0)
    .bind(since)
    .fetch_optional(c)
    .await)?;
    Ok(found.is_some())
}

/// A message by id, whichever tenant (jobs carry ids they created).
pub async fn message(ex: impl Into<Ex<'_>>, id: WaMessageId) -> StoreResult<Message> {
    let sql = sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE id = $1"));
    Ok(run!(ex, c => sqlx::query_as::<_, Message>(sql).bind(id.0).fetch_one(c).await)?)
}

pub async fn message_by_wamid(ex: impl Into<Ex<'_>>, wamid: &str) -> StoreResult<Option<Message>> {
    let sql = sqlx::AssertSqlSafe(format!("{MESSAGE} WHERE wa_message_id = $1"));
    Ok(run!(ex, c => sqlx::query_as::<_, Message>(sql).bind(wamid).fetch_optional(c).await)?)
}

/// A customer's thread, oldest first; `after` is a message id (cursor).
pub async fn thread(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
    before: Option<WaMessageId>,
    limit: i64,
) -> StoreResult<Vec<Message>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({MESSAGE} WHERE tenant_id = $1 AND customer_id = $2 AND ($3 IS NULL OR id < $3) \
         ORDER BY id DESC LIMIT $4) page ORDER BY id"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Message>(sql)
        .bind(tenant.0)
        .bind(customer.0)
        .bind(before.map(|b| b.0))
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// A customer's messages changed at or after `since`, oldest change first
/// (the simulator polls with the last `updated_at` it saw).
pub async fn changed_since(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
    since: Option<DateTime<Utc>>,
    limit: i64,
) -> StoreResult<Vec<Message>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{MESSAGE} WHERE tenant_id = $1 AND customer_id = $2 AND ($3 IS NULL OR updated_at >= $3) \
         ORDER BY updated_at, id LIMIT $4"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Message>(sql)
        .bind(tenant.0)
        .bind(customer.0)
        .bind(since)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// A staff member's own chat with a business number (no customer row):
/// what they wrote to it and what it answered, as [`changed_since`].
pub async fn staff_changed_since(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    number: WaNumberId,
    wa_id: &str,
    since: Option<DateTime<Utc>>,
    limit: i64,
) -> StoreResult<Vec<Message>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{MESSAGE} WHERE tenant_id = $1 AND number_id = $2 AND customer_id IS NULL \
         AND (from_number = $3 OR to_number = $3) AND ($4 IS NULL OR updated_at >= $4) \
         ORDER BY updated_at, id LIMIT $5"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Message>(sql)
        .bind(tenant.0)
        .bind(number.0)
        .bind(wa_id)
        .bind(since)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Records what the provider accepted. Only a queued message moves.
pub async fn mark_sent(
    ex: impl Into<Ex<'_>>,
    id: WaMessageId,
    wamid: &str,
    payload: &serde_json::Value,
    kind: &str,
) -> StoreResult<bool> {
    let at = now();
    let n = run!(ex, c => sqlx::query(
        "UPDATE wa_messages SET status = 'sent', wa_message_id = $2, payload = $3, kind = $4, sent_at = $5, \
         updated_at = $5 WHERE id = $1 AND status = 'queued'",
    )
    .bind(id.0)
    .bind(wamid)
    .bind(Json(payload))
    .bind(kind)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// A message that will not be delivered: `failed` (the provider refused
/// it) or `blocked` (we did not send it). Only a queued message moves.
pub async fn mark_undeliverable(
    ex: impl Into<Ex<'_>>,
    id: WaMessageId,
    status: MessageStatus,
    code: Option<i64>,
    title: &str,
    details: Option<&str>,
) -> StoreResult<bool> {
    let n = run!(ex, c => sqlx::query(
        "UPDATE wa_messages SET status = $2, error_code = $3, error_title = $4, error_details = $5, \
         updated_at = $6 WHERE id = $1 AND status = 'queued'",
    )
    .bind(id.0)
    .bind(status.as_str())
    .bind(code)
    .bind(title)
    .bind(details)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// The statuses an outbound message moves through, in order: a reported
/// status only replaces an earlier one, so `read` is never followed by
/// `delivered`, and `delivered` may be skipped. Meta's other statuses
/// (`warning`, `deleted`) do not move a message. `blocked` is ours and final.
const STATUS_ORDER: [&str; 5] = ["queued", "sent", "delivered", "failed", "read"];

fn status_rank(status: &str) -> Option<usize> {
    STATUS_ORDER.iter().position(|s| *s == status)
}

/// The SQL twin of [`status_rank`] over the `status` column.
fn rank_sql() -> String {
    let arms: String = STATUS_ORDER
        .iter()
        .enumerate()
        .map(|(i, s)| format!("WHEN '{s}' THEN {i} "))
        .collect();
    format!("CASE status {arms}ELSE {} END", STATUS_ORDER.len())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusOutcome {
    Applied,
    /// The message already has this status or a later one.
    Stale,
    /// A status that does not move messages (`warning`, `deleted`).
    Ignored,
    /// No message has this wamid (yet).
    Unknown,
}

pub struct StatusChange<'a> {
    pub wamid: &'a str,
    pub status: &'a str,
    pub at: DateTime<Utc>,
    pub error_code: Option<i64>,
    pub error_title: Option<&'a str>,
    pub error_details: Option<&'a str>,
}

/// Moves an outbound message forward to a status Meta reported.
pub async fn apply_status(
    ex: impl Into<Ex<'_>>,
    s: &StatusChange<'_>,
) -> StoreResult<StatusOutcome> {
    let Some(rank) = status_rank(s.status) else {
        return Ok(StatusOutcome::Ignored);
    };
    let mut ex = ex.into();
    let rank_sql = rank_sql();
    let sql = sqlx::AssertSqlSafe(format!(
        "UPDATE wa_messages SET status = $2, updated_at = $3, \
         sent_at = CASE WHEN $2 = 'sent' THEN COALESCE(sent_at, $4) ELSE sent_at END, \
         delivered_at = CASE WHEN $2 = 'delivered' THEN $4 ELSE delivered_at END, \
         read_at = CASE WHEN $2 = 'read' THEN $4 ELSE read_at END, \
         error_code = COALESCE($5, error_code), error_title = COALESCE($6, error_title), \
         error_details = COALESCE($7, error_details) \
         WHERE wa_message_id = $1 AND direction = 'outbound' AND {rank_sql} < $8"
    ));
    let n = run!(ex.re(), c => sqlx::query(sql)
        .bind(s.wamid)
        .bind(s.status)
        .bind(now())
        .bind(s.at)
        .bind(s.error_code)
        .bind(s.error_title)
        .bind(s.error_details)
        .bind(rank as i64)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if n == 1 {
        return Ok(StatusOutcome::Applied);
    }
    let known: i64 = run!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM wa_messages WHERE wa_message_id = $1",
    )
    .bind(s.wamid)
    .fetch_one(c)
    .await)?;
    Ok(if known > 0 {
        StatusOutcome::Stale
    } else {
        StatusOutcome::Unknown
    })
}

pub async fn set_media_path(
    ex: impl Into<Ex<'_>>,
    id: WaMessageId,
    path: &str,
    mime: &str,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE wa_messages SET media_path = $2, media_mime = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(id.0)
    .bind(path)
    .bind(mime)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Outbound messages by status (metrics).
pub async fn outbound_counts(ex: impl Into<Ex<'_>>) -> StoreResult<Vec<(String, i64)>> {
    Ok(run!(ex, c => sqlx::query_as::<_, (String, i64)>(
        "SELECT status, COUNT(*) FROM wa_messages WHERE direction = 'outbound' GROUP BY status ORDER BY status",
    )
    .fetch_all(c)
    .await)?)
}

/// Outbound messages still waiting to be sent (metrics: read from the
/// partial index of queued messages, never the whole table).
pub async fn queued_outbound(ex: impl Into<Ex<'_>>) -> StoreResult<i64> {
    Ok(run!(ex, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM wa_messages WHERE status = 'queued'",
    )
    .fetch_one(c)
    .await)?)
}

/// Stored webhook events not yet processed, by kind (metrics: the
/// backlog, from its partial index).
pub async fn pending_events(ex: impl Into<Ex<'_>>) -> StoreResult<Vec<(String, i64)>> {
    Ok(run!(ex, c => sqlx::query_as::<_, (String, i64)>(
        "SELECT kind, COUNT(*) FROM wa_events WHERE state = 'pending' GROUP BY kind ORDER BY kind",
    )
    .fetch_all(c)
    .await)?)
}

// ------------------------------------------------------------- rate limit

/// Takes one send slot of `number` in the one-second window `second`
/// (Unix seconds). False when `limit` messages already went out in it. The
/// count is a row, so every replica shares it.
pub async fn take_send_slot(
    ex: impl Into<Ex<'_>>,
    number: WaNumberId,
    second: i64,
    limit: i32,
) -> StoreResult<bool> {
    let mut ex = ex.into();
    let sent: i32 = run!(ex.re(), c => sqlx::query_scalar(
        "INSERT INTO wa_rate_windows (number_id, window_start, sent) VALUES ($1, $2, 1) \
         ON CONFLICT (number_id, window_start) DO UPDATE SET sent = wa_rate_windows.sent + 1 \
         RETURNING sent",
    )
    .bind(number.0)
    .bind(second)
    .fetch_one(c)
    .await)?;
    if sent == 1 {
        // The first send of a window clears this number's old windows.
        run!(ex, c => sqlx::query(
            "DELETE FROM wa_rate_windows WHERE number_id = $1 AND window_start < $2",
        )
        .bind(number.0)
        .bind(second - 60)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    }
    Ok(sent <= limit)
}

/// Records why an inbound message's media was not kept.
pub async fn set_media_error(
    ex: impl Into<Ex<'_>>,
    id: WaMessageId,
    reason: &str,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE wa_messages SET error_title = 'media not downloaded', error_details = $2, updated_at = $3 \
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(reason)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Every inbound message's wamid and when it was stored (benchmarks).
pub async fn inbound_created(ex: impl Into<Ex<'_>>) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
    Ok(run!(ex, c => sqlx::query_as::<_, (String, DateTime<Utc>)>(
        "SELECT wa_message_id, created_at FROM wa_messages WHERE direction = 'inbound' AND wa_message_id IS NOT NULL",
    )
    .fetch_all(c)
    .await)?)
}

/// When each message event finished processing (its conversation turn and
/// the replies it queued committed), by wamid: the bench's
/// message → reply-enqueued latency.
pub async fn messages_processed(
    ex: impl Into<Ex<'_>>,
) -> StoreResult<Vec<(String, DateTime<Utc>)>> {
    Ok(run!(ex, c => sqlx::query_as::<_, (String, DateTime<Utc>)>(
        "SELECT provider_key, processed_at FROM wa_events WHERE kind = 'message' AND processed_at IS NOT NULL",
    )
    .fetch_all(c)
    .await)?)
}
