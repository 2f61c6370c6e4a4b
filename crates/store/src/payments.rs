//! Payments against orders: requests sent to providers (with our unique
//! reference), their outcome (paid exactly once, by a conditional update),
//! the provider webhooks stored under their unique event key, each
//! business's provider settings (keys sealed), and the sandbox provider's
//! own charges.

use crate::{Ex, StoreError, StoreResult, customers, now, run};
use chrono::{DateTime, Utc};
use domain::payment::PaymentStatus;
use domain::{Currency, CustomerId, Money, OrderId, PaymentId, TenantId, UserId};
use serde::Serialize;
use sqlx::types::Json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Payment {
    #[sqlx(try_from = "Uuid")]
    pub id: PaymentId,
    #[sqlx(try_from = "Uuid")]
    pub order_id: OrderId,
    pub amount: i64,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "NGN")]
    pub currency: Currency,
    /// `deposit`, `balance` or `full`.
    #[sqlx(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    pub provider: String,
    pub provider_ref: Option<String>,
    pub payment_link: Option<String>,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "pending")]
    pub status: PaymentStatus,
    pub link_sent_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Our reference, as the provider knows the payment.
    pub reference: Option<String>,
    /// The provider's transaction id once confirmed.
    pub provider_txn: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_id: Option<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Why a person must look at it (an amount or currency that differs).
    pub flag: Option<String>,
    /// Why it failed, in the provider's terms.
    pub failure: Option<String>,
    pub reminders_sent: i32,
    #[serde(skip)]
    #[sqlx(default)]
    pub callback_token: Option<String>,
}

impl Payment {
    /// The amount with its currency.
    pub fn money(&self) -> Money {
        Money::new(self.amount, self.currency)
    }
}

const COLUMNS: &str = "id, order_id, amount, currency, type, provider, provider_ref, payment_link, status, \
     link_sent_at, paid_at, created_at, reference, provider_txn, customer_id, expires_at, flag, failure, \
     reminders_sent, callback_token";

pub struct NewPayment<'a> {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub amount: i64,
    pub currency: Currency,
    pub kind: &'a str,
    pub provider: &'a str,
    pub provider_ref: Option<&'a str>,
    pub status: PaymentStatus,
    /// The staff member who received it (transfer, cash).
    pub confirmed_by: Option<UserId>,
}

/// Records a payment and keeps the customer's `total_spent` true.
pub async fn insert(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    p: &NewPayment<'_>,
) -> StoreResult<PaymentId> {
    let mut ex = ex.into();
    let id = PaymentId::new();
    let at = now();
    let paid_at = (p.status == PaymentStatus::Paid).then_some(at);
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO payments (id, tenant_id, order_id, amount, currency, type, provider, provider_ref, status, \
         paid_at, created_at, updated_at, customer_id, confirmed_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(p.order_id.0)
    .bind(p.amount)
    .bind(p.currency.code())
    .bind(p.kind)
    .bind(p.provider)
    .bind(p.provider_ref)
    .bind(p.status.as_str())
    .bind(paid_at)
    .bind(at)
    .bind(p.customer_id.0)
    .bind(p.confirmed_by.map(|u| u.0))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    customers::refresh_stats(ex, tenant, p.customer_id).await?;
    Ok(id)
}

pub async fn for_order(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order: OrderId,
) -> StoreResult<Vec<Payment>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payments WHERE tenant_id = $1 AND order_id = $2 ORDER BY id"
    ));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Payment>(sql).bind(tenant.0).bind(order.0).fetch_all(c).await)?,
    )
}

pub async fn get(ex: impl Into<Ex<'_>>, tenant: TenantId, id: PaymentId) -> StoreResult<Payment> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payments WHERE tenant_id = $1 AND id = $2"
    ));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Payment>(sql).bind(tenant.0).bind(id.0).fetch_one(c).await)?,
    )
}

/// A payment by our reference, whichever business it belongs to (a
/// webhook names only the reference).
pub async fn by_reference(
    ex: impl Into<Ex<'_>>,
    reference: &str,
) -> StoreResult<Option<(TenantId, Payment)>> {
    by_column(ex, "reference", reference).await
}

/// A payment by the secret part of its M-PESA callback URL.
pub async fn by_callback_token(
    ex: impl Into<Ex<'_>>,
    token: &str,
) -> StoreResult<Option<(TenantId, Payment)>> {
    by_column(ex, "callback_token", token).await
}

/// A payment with the business it belongs to.
#[derive(sqlx::FromRow)]
struct Owned {
    #[sqlx(try_from = "Uuid")]
    tenant_id: TenantId,
    #[sqlx(flatten)]
    payment: Payment,
}

async fn by_column(
    ex: impl Into<Ex<'_>>,
    column: &'static str,
    value: &str,
) -> StoreResult<Option<(TenantId, Payment)>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT tenant_id, {COLUMNS} FROM payments WHERE {column} = $1"
    ));
    let row = run!(ex, c => sqlx::query_as::<_, Owned>(sql).bind(value).fetch_optional(c).await)?;
    Ok(row.map(|o| (o.tenant_id, o.payment)))
}

/// Pending payments of the business, oldest first.
pub async fn unpaid(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Vec<Payment>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payments WHERE tenant_id = $1 AND status = 'pending' ORDER BY id LIMIT 500"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Payment>(sql).bind(tenant.0).fetch_all(c).await)?)
}

/// A payment to ask a provider for.
pub struct NewRequest<'a> {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub amount: i64,
    pub currency: Currency,
    pub kind: &'a str,
    pub provider: &'a str,
    pub reference: &'a str,
    pub callback_token: Option<&'a str>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Records a pending request (the caller enqueues the job that asks the
/// provider: never an HTTP call inside the caller's transaction).
pub async fn request(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    r: &NewRequest<'_>,
) -> StoreResult<PaymentId> {
    let mut ex = ex.into();
    let id = PaymentId::new();
    let at = now();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO payments (id, tenant_id, order_id, customer_id, amount, currency, type, provider, reference, \
         callback_token, expires_at, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $12)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(r.order_id.0)
    .bind(r.customer_id.0)
    .bind(r.amount)
    .bind(r.currency.code())
    .bind(r.kind)
    .bind(r.provider)
    .bind(r.reference)
    .bind(r.callback_token)
    .bind(r.expires_at)
    .bind(at)
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    Ok(id)
}

/// Stores what the provider answered: the link (or nothing, for a push)
/// and its id for the payment.
pub async fn set_initiated(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: PaymentId,
    link: Option<&str>,
    provider_ref: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE payments SET payment_link = $3, provider_ref = COALESCE($4, provider_ref), link_sent_at = $5, \
         first_sent_at = COALESCE(first_sent_at, $5), updated_at = $5 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(link)
    .bind(provider_ref)
    .bind(at)
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    Ok(())
}

/// Marks the payment paid, once: returns false if it already was (a
/// second webhook, a second verify) and then changes nothing. The
/// customer's lifetime value follows in the same transaction.
pub async fn mark_paid(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    p: &Payment,
    provider_txn: Option<&str>,
    by: Option<UserId>,
) -> StoreResult<bool> {
    let mut ex = ex.into();
    let at = now();
    let done = run!(ex.re(), c => sqlx::query(
        "UPDATE payments SET status = 'paid', paid_at = $3, provider_txn = COALESCE($4, provider_txn), \
         confirmed_by = $5, failure = NULL, updated_at = $3 \
         WHERE tenant_id = $1 AND id = $2 AND status IN ('pending', 'failed', 'expired')",
    )
    .bind(tenant.0)
    .bind(p.id.0)
    .bind(at)
    .bind(provider_txn)
    .bind(by.map(|u| u.0))
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    if done == 0 {
        return Ok(false);
    }
    if let Some(customer) = p.customer_id {
        customers::refresh_stats(ex, tenant, CustomerId(customer)).await?;
    }
    Ok(true)
}

/// Records a failure (the customer cancelled, a wrong PIN) on a pending
/// payment; a paid one is never un-paid.
pub async fn mark_failed(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: PaymentId,
    failure: &str,
) -> StoreResult<bool> {
    let done = run!(ex, c => sqlx::query(
        "UPDATE payments SET status = 'failed', failure = $3, updated_at = $4 \
         WHERE tenant_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(failure)
    .bind(now())
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    Ok(done > 0)
}

/// Flags the payment for staff (it stays as it was).
pub async fn flag(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: PaymentId,
    why: &str,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE payments SET flag = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(why)
    .bind(now())
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    Ok(())
}

/// Moves a pending payment to a new attempt: a fresh reference (and
/// callback token), the old link forgotten, a reminder counted (the caller
/// enqueues the job that asks the provider again).
pub async fn renew(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: PaymentId,
    reference: &str,
    callback_token: Option<&str>,
    expires_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let mut ex = ex.into();
    let done = run!(ex.re(), c => sqlx::query(
        "UPDATE payments SET reference = $3, callback_token = $4, expires_at = $5, payment_link = NULL, \
         provider_ref = NULL, status = 'pending', failure = NULL, reminders_sent = reminders_sent + 1, updated_at = $6 \
         WHERE tenant_id = $1 AND id = $2 AND status IN ('pending', 'failed', 'expired')",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(reference)
    .bind(callback_token)
    .bind(expires_at)
    .bind(now())
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Counts a reminder that re-sent a still-valid link.
pub async fn count_reminder(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: PaymentId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE payments SET reminders_sent = reminders_sent + 1, link_sent_at = $3, updated_at = $3 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(at)
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    Ok(())
}

/// Stores an authenticated webhook under its unique key (the caller
/// enqueues its verification in the same transaction); a redelivery
/// returns `None` and changes nothing. The key is scoped to the business whose keys
/// signed it: another business's event naming the same reference is its
/// own, and cannot shadow this one's.
pub async fn record_event(
    ex: impl Into<Ex<'_>>,
    tenant: Option<TenantId>,
    provider: &str,
    event_key: &str,
    payment: Option<PaymentId>,
    payload: &serde_json::Value,
) -> StoreResult<Option<Uuid>> {
    let mut ex = ex.into();
    let id = Uuid::now_v7();
    let state = if payment.is_some() {
        "pending"
    } else {
        "unmatched"
    };
    let event_key = match tenant {
        Some(t) => format!("{}:{event_key}", t.0),
        None => format!("server:{event_key}"),
    };
    let inserted = run!(ex.re(), c => sqlx::query(
        "INSERT INTO payment_events (id, tenant_id, provider, event_key, payment_id, payload, state, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (provider, event_key) DO NOTHING",
    )
    .bind(id)
    .bind(tenant.map(|t| t.0))
    .bind(provider)
    .bind(&event_key)
    .bind(payment.map(|p| p.0))
    .bind(Json(payload))
    .bind(state)
    .bind(now())
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    Ok((inserted == 1).then_some(id))
}

/// The claim a stored event made, for the verify job.
pub async fn event_payload(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<serde_json::Value> {
    let Json(v): Json<serde_json::Value> = run!(ex, c => sqlx::query_scalar(
        "SELECT payload FROM payment_events WHERE id = $1",
    )
    .bind(id)
    .fetch_one(c)
    .await)?;
    Ok(v)
}

pub async fn mark_event_processed(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE payment_events SET state = 'processed', processed_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now())
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    Ok(())
}

/// One business's settings for one provider.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProviderRow {
    pub provider: String,
    pub settings: Json<serde_json::Value>,
    pub secrets_sealed: Option<String>,
    pub is_active: bool,
}

impl ProviderRow {
    /// A row as it would be stored (to check settings before storing them).
    pub fn new(
        provider: &str,
        settings: serde_json::Value,
        secrets_sealed: Option<String>,
    ) -> Self {
        ProviderRow {
            provider: provider.to_string(),
            settings: Json(settings),
            secrets_sealed,
            is_active: true,
        }
    }
}

pub async fn provider(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    name: &str,
) -> StoreResult<Option<ProviderRow>> {
    Ok(run!(ex, c => sqlx::query_as::<_, ProviderRow>(
        "SELECT provider, settings, secrets_sealed, is_active FROM payment_providers \
         WHERE tenant_id = $1 AND provider = $2",
    )
    .bind(tenant.0)
    .bind(name)
    .fetch_optional(c)
    .await)?)
}

pub async fn providers(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Vec<ProviderRow>> {
    Ok(run!(ex, c => sqlx::query_as::<_, ProviderRow>(
        "SELECT provider, settings, secrets_sealed, is_active FROM payment_providers \
         WHERE tenant_id = $1 ORDER BY created_at, provider",
    )
    .bind(tenant.0)
    .fetch_all(c)
    .await)?)
}

/// Creates or replaces the business's settings for `provider`.
pub async fn set_provider(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    provider: &str,
    settings: &serde_json::Value,
    secrets_sealed: Option<&str>,
    is_active: bool,
) -> StoreResult<()> {
    let at = now();
    run!(ex, c => sqlx::query(
        "INSERT INTO payment_providers (id, tenant_id, provider, settings, secrets_sealed, is_active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (tenant_id, provider) DO UPDATE SET \
           settings = excluded.settings, secrets_sealed = COALESCE(excluded.secrets_sealed, payment_providers.secrets_sealed), \
           is_active = excluded.is_active, updated_at = excluded.updated_at",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(provider)
    .bind(Json(settings))
    .bind(secrets_sealed)
    .bind(is_active)
    .bind(at)
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    Ok(())
}

/// A charge on the sandbox provider's checkout.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SandboxCharge {
    pub id: Uuid,
    pub reference: String,
    pub amount: i64,
    pub currency: String,
    pub description: String,
    pub return_url: String,
    pub status: String,
}

/// Opens a charge; asking again for the same reference returns it.
pub async fn sandbox_open(
    ex: impl Into<Ex<'_>>,
    reference: &str,
    amount: i64,
    currency: &str,
    description: &str,
    return_url: &str,
) -> StoreResult<SandboxCharge> {
    let mut ex = ex.into();
    let at = now();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO sandbox_charges (id, reference, amount, currency, description, return_url, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7) ON CONFLICT (reference) DO NOTHING",
    )
    .bind(Uuid::now_v7())
    .bind(reference)
    .bind(amount)
    .bind(currency)
    .bind(description)
    .bind(return_url)
    .bind(at)
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    sandbox_get(ex, reference)
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn sandbox_get(
    ex: impl Into<Ex<'_>>,
    reference: &str,
) -> StoreResult<Option<SandboxCharge>> {
    Ok(run!(ex, c => sqlx::query_as::<_, SandboxCharge>(
        "SELECT id, reference, amount, currency, description, return_url, status FROM sandbox_charges WHERE reference = $1",
    )
    .bind(reference)
    .fetch_optional(c)
    .await)?)
}

/// Settles a pending charge as paid or failed; false if already settled.
pub async fn sandbox_settle(
    ex: impl Into<Ex<'_>>,
    reference: &str,
    status: &str,
) -> StoreResult<bool> {
    let done = run!(ex, c => sqlx::query(
        "UPDATE sandbox_charges SET status = $2, updated_at = $3 WHERE reference = $1 AND status = 'pending'",
    )
    .bind(reference)
    .bind(status)
    .bind(now())
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?;
    Ok(done > 0)
}

/// Voids the order's open (pending) requests, of `kind` if given, and only
/// those for more than `above` if given: a new request supersedes the old
/// one, and a payment that lowered the balance makes larger links stale.
/// The rows stay, `expired` with the failure `superseded`. Returns how many.
pub async fn supersede_open(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order: OrderId,
    kind: Option<&str>,
    above: Option<i64>,
) -> StoreResult<u64> {
    Ok(run!(ex, c => sqlx::query(
        "UPDATE payments SET status = 'expired', failure = 'superseded', updated_at = $5 \
         WHERE tenant_id = $1 AND order_id = $2 AND status = 'pending' \
         AND ($3 IS NULL OR type = $3) AND ($4 IS NULL OR amount > $4)",
    )
    .bind(tenant.0)
    .bind(order.0)
    .bind(kind)
    .bind(above)
    .bind(now())
    .execute(c)
    .await
    .map(|x| x.rows_affected()))?)
}

/// An order with money still due, and its open request if it has one.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Debt {
    #[sqlx(try_from = "Uuid")]
    pub order_id: OrderId,
    pub order_ref: String,
    #[sqlx(try_from = "Uuid")]
    pub customer_id: CustomerId,
    pub customer_name: Option<String>,
    pub current_stage: String,
    pub deadline: Option<DateTime<Utc>>,
    /// When the order was placed: how long the money has been owed.
    pub created_at: DateTime<Utc>,
    pub price: i64,
    pub amount_paid: i64,
    pub balance_due: i64,
    pub currency: String,
    /// The pending request (link, push or transfer awaited), if one is open.
    #[sqlx(skip)]
    pub request: Option<Payment>,
}

/// Every order of the business with a balance due (not cancelled),
/// earliest deadline first, each with its open request if any: two
/// queries, whatever the number of orders.
pub async fn debts(ex: impl Into<Ex<'_>>, tenant: TenantId, limit: i64) -> StoreResult<Vec<Debt>> {
    let mut ex = ex.into();
    let mut rows: Vec<Debt> = run!(ex.re(), c => sqlx::query_as::<_, Debt>(
        "SELECT o.id AS order_id, o.order_ref, o.customer_id, c.name AS customer_name, o.current_stage, \
         o.deadline, o.created_at, o.price, o.currency, \
         CAST(COALESCE(pd.paid, 0) AS BIGINT) AS amount_paid, \
         CAST(o.price - COALESCE(pd.paid, 0) AS BIGINT) AS balance_due \
         FROM orders o JOIN customers c ON c.id = o.customer_id \
         LEFT JOIN (SELECT order_id, SUM(amount) AS paid FROM payments \
                    WHERE tenant_id = $1 AND status = 'paid' GROUP BY order_id) pd ON pd.order_id = o.id \
         WHERE o.tenant_id = $1 AND o.current_stage <> 'cancelled' AND o.price > COALESCE(pd.paid, 0) \
         ORDER BY o.deadline IS NULL, o.deadline, o.id LIMIT $2",
    )
    .bind(tenant.0)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM payments WHERE tenant_id = $1 AND status = 'pending' ORDER BY id"
    ));
    let open: Vec<Payment> =
        run!(ex, c => sqlx::query_as::<_, Payment>(sql).bind(tenant.0).fetch_all(c).await)?;
    let mut by_order: std::collections::HashMap<OrderId, Payment> =
        std::collections::HashMap::new();
    for p in open {
        by_order.insert(p.order_id, p);
    }
    for d in &mut rows {
        d.request = by_order.remove(&d.order_id);
    }
    Ok(rows)
}

/// How many payments the business received since `since`, and their sum.
pub async fn paid_since(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    since: DateTime<Utc>,
) -> StoreResult<(i64, i64)> {
    Ok(run!(ex, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM payments \
         WHERE tenant_id = $1 AND status = 'paid' AND paid_at >= $2",
    )
    .bind(tenant.0)
    .bind(since)
    .fetch_one(c)
    .await)?)
}
