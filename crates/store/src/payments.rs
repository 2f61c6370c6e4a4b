//! Payments against orders. The providers arrive with the payments issue;
//! here is what balances need: recording a payment and reading them back.

use crate::{Ex, StoreResult, customers, now, run};
use chrono::{DateTime, Utc};
use domain::{CustomerId, OrderId, PaymentId, TenantId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Payment {
    #[sqlx(try_from = "Uuid")]
    pub id: PaymentId,
    #[sqlx(try_from = "Uuid")]
    pub order_id: OrderId,
    pub amount: i64,
    pub currency: String,
    /// `deposit`, `balance` or `full`.
    #[sqlx(rename = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    pub provider: String,
    pub provider_ref: Option<String>,
    pub payment_link: Option<String>,
    /// `pending`, `paid`, `failed`, `expired` or `refunded`.
    pub status: String,
    pub link_sent_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub struct NewPayment<'a> {
    pub order_id: OrderId,
    pub customer_id: CustomerId,
    pub amount: i64,
    pub currency: &'a str,
    pub kind: &'a str,
    pub provider: &'a str,
    pub provider_ref: Option<&'a str>,
    pub status: &'a str,
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
    let paid_at = (p.status == "paid").then_some(at);
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO payments (id, tenant_id, order_id, amount, currency, type, provider, provider_ref, status, \
         paid_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(p.order_id.0)
    .bind(p.amount)
    .bind(p.currency)
    .bind(p.kind)
    .bind(p.provider)
    .bind(p.provider_ref)
    .bind(p.status)
    .bind(paid_at)
    .bind(at)
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
    Ok(run!(ex, c => sqlx::query_as::<_, Payment>(
        "SELECT id, order_id, amount, currency, type, provider, provider_ref, payment_link, status, \
         link_sent_at, paid_at, created_at FROM payments WHERE tenant_id = $1 AND order_id = $2 ORDER BY id",
    )
    .bind(tenant.0)
    .bind(order.0)
    .fetch_all(c)
    .await)?)
}
