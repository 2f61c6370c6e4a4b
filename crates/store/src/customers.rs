//! Customers of a tenant, identified by their canonical phone number.

use crate::db::split;
use crate::{Ex, StoreError, StoreResult, now, run};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{CustomerId, TenantId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Customer {
    #[sqlx(try_from = "Uuid")]
    pub id: CustomerId,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub name: Option<String>,
    /// E.164, e.g. `+2348031234567`.
    pub phone: Option<String>,
    /// The WhatsApp id: the same number, digits only.
    pub wa_id: Option<String>,
    pub email: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub notes: Option<String>,
    /// Orders that were not cancelled.
    pub total_orders: i32,
    /// Sum of paid payments, in minor units of `currency`.
    pub total_spent: i64,
    pub currency: String,
    pub last_order_at: Option<DateTime<Utc>>,
    /// The name on the customer's WhatsApp profile.
    pub wa_profile_name: Option<String>,
    /// The customer's last WhatsApp message: free-form replies are allowed
    /// for 24 hours after it.
    pub last_inbound_at: Option<DateTime<Utc>>,
    /// When the customer asked for no more messages (written by the chat
    /// engine).
    pub opted_out_at: Option<DateTime<Utc>>,
    /// The bot stays quiet for this customer until then: a person took over.
    pub bot_paused_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT c.id, c.tenant_id, c.name, c.phone, c.wa_id, c.email, c.birthday, c.notes, \
     c.total_orders, c.total_spent, t.currency, c.last_order_at, c.wa_profile_name, c.last_inbound_at, c.opted_out_at, c.bot_paused_until, \
     c.created_at, c.updated_at \
     FROM customers c JOIN tenants t ON t.id = c.tenant_id";

#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub wa_id: Option<String>,
    pub email: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub notes: Option<String>,
}

pub async fn insert(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    n: &NewCustomer,
) -> StoreResult<Customer> {
    let mut ex = ex.into();
    let id = CustomerId::new();
    let at = now();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO customers (id, tenant_id, name, phone, wa_id, email, birthday, notes, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(&n.name)
    .bind(&n.phone)
    .bind(&n.wa_id)
    .bind(&n.email)
    .bind(n.birthday)
    .bind(&n.notes)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    get(ex, tenant, id).await
}

pub async fn get(ex: impl Into<Ex<'_>>, tenant: TenantId, id: CustomerId) -> StoreResult<Customer> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.tenant_id = $1 AND c.id = $2"));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Customer>(sql).bind(tenant.0).bind(id.0).fetch_one(c).await)?,
    )
}

/// Whether the customer exists in this tenant (cheap check before writes).
pub async fn exists(ex: impl Into<Ex<'_>>, tenant: TenantId, id: CustomerId) -> StoreResult<bool> {
    let n: i64 = run!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

pub async fn find_by_phone(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    phone: &str,
) -> StoreResult<Option<Customer>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.tenant_id = $1 AND c.phone = $2"));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Customer>(sql).bind(tenant.0).bind(phone).fetch_optional(c).await)?,
    )
}

/// Escapes `%`, `_` and `\` so user text matches literally in LIKE.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

/// The LIKE pattern a search for `q` matches phone numbers with: its
/// digits without a trunk 0, when it has three or more.
pub fn phone_pattern(q: &str) -> String {
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    // Local forms start with the trunk 0 ("0723…"), stored numbers
    // with the country code ("+254723…").
    let digits = digits.trim_start_matches('0');
    if digits.len() >= 3 {
        like_pattern(digits)
    } else {
        like_pattern(&q.trim().to_lowercase())
    }
}

/// A page of customers, newest first. `q` matches a part of the name (case
/// insensitive) or, if it has digits, a part of the phone number.
pub async fn list(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    q: Option<&str>,
    before: Option<CustomerId>,
    limit: i64,
) -> StoreResult<Vec<Customer>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.tenant_id = $1 \
           AND ($2 IS NULL OR LOWER(c.name) LIKE $2 ESCAPE '\\' OR c.phone LIKE $3 ESCAPE '\\') \
           AND ($4 IS NULL OR c.id < $4) \
         ORDER BY c.id DESC LIMIT $5"
    ));
    let name_pat = q.map(|q| like_pattern(&q.trim().to_lowercase()));
    let phone_pat = q.map(phone_pattern);
    Ok(run!(ex, c => sqlx::query_as::<_, Customer>(sql)
        .bind(tenant.0)
        .bind(&name_pat)
        .bind(&phone_pat)
        .bind(before.map(|b| b.0))
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

#[derive(Debug, Clone, Default)]
pub struct CustomerPatch {
    pub name: Option<String>,
    /// `Some(None)` clears the phone (and the WhatsApp id with it).
    pub phone: Option<Option<(String, String)>>,
    pub email: Option<Option<String>>,
    pub birthday: Option<Option<NaiveDate>>,
    pub notes: Option<Option<String>>,
}

pub async fn update(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: CustomerId,
    p: &CustomerPatch,
) -> StoreResult<Customer> {
    let mut ex = ex.into();
    let (phone_set, phone) = split(&p.phone);
    let (phone, wa_id) = match phone {
        Some((p, w)) => (Some(p), Some(w)),
        None => (None, None),
    };
    let (email_set, email) = split(&p.email);
    let (bday_set, bday) = split(&p.birthday);
    let (notes_set, notes) = split(&p.notes);
    let done = run!(ex.re(), c => sqlx::query(
        "UPDATE customers SET \
           name = COALESCE($3, name), \
           phone = CASE WHEN $4 THEN $5 ELSE phone END, \
           wa_id = CASE WHEN $4 THEN $6 ELSE wa_id END, \
           email = CASE WHEN $7 THEN $8 ELSE email END, \
           birthday = CASE WHEN $9 THEN $10 ELSE birthday END, \
           notes = CASE WHEN $11 THEN $12 ELSE notes END, \
           updated_at = $13 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&p.name)
    .bind(phone_set)
    .bind(&phone)
    .bind(&wa_id)
    .bind(email_set)
    .bind(&email)
    .bind(bday_set)
    .bind(bday)
    .bind(notes_set)
    .bind(&notes)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    get(ex, tenant, id).await
}

/// Recomputes `total_orders`, `total_spent` and `last_order_at` from the
/// orders and payments themselves, inside the transaction that changed them,
/// so the figures cannot drift.
pub async fn refresh_stats(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: CustomerId,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE customers SET \
           total_orders = (SELECT COUNT(*) FROM orders o \
               WHERE o.tenant_id = $1 AND o.customer_id = $2 AND o.current_stage <> 'cancelled'), \
           total_spent = (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM payments p \
               JOIN orders o ON o.id = p.order_id \
               WHERE p.tenant_id = $1 AND o.customer_id = $2 AND p.status = 'paid'), \
           last_order_at = (SELECT MAX(o.created_at) FROM orders o \
               WHERE o.tenant_id = $1 AND o.customer_id = $2 AND o.current_stage <> 'cancelled') \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes the customer's row lock inside a transaction, serialising writers
/// that derive something from the customer's current state (the next
/// measurement version).
pub async fn lock(ex: impl Into<Ex<'_>>, tenant: TenantId, id: CustomerId) -> StoreResult<()> {
    let done = run!(ex, c => sqlx::query(
        "UPDATE customers SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Finds or creates the customer who wrote from WhatsApp id `wa_id`
/// (canonical digits, `phone` its E.164 form), keeps their profile name,
/// and moves `last_inbound_at` forward to `at` (never back: messages may be
/// processed out of order). The name is filled from the profile only when
/// staff have not set one.
pub async fn touch_from_whatsapp(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    phone: &str,
    wa_id: &str,
    profile_name: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<CustomerId> {
    let mut ex = ex.into();
    let stamp = now();
    let id: Uuid = run!(ex.re(), c => sqlx::query_scalar(
        "INSERT INTO customers (id, tenant_id, name, phone, wa_id, wa_profile_name, last_inbound_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $3, $6, $7, $7) \
         ON CONFLICT (tenant_id, wa_id) DO UPDATE SET \
           wa_profile_name = COALESCE(excluded.wa_profile_name, customers.wa_profile_name), \
           name = COALESCE(customers.name, excluded.wa_profile_name), \
           last_inbound_at = CASE WHEN customers.last_inbound_at IS NULL OR customers.last_inbound_at < excluded.last_inbound_at \
                             THEN excluded.last_inbound_at ELSE customers.last_inbound_at END, \
           updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(CustomerId::new().0)
    .bind(tenant.0)
    .bind(profile_name)
    .bind(phone)
    .bind(wa_id)
    .bind(at)
    .bind(stamp)
    .fetch_one(c)
    .await)?;
    Ok(CustomerId(id))
}

/// The customer with WhatsApp id `wa_id` (canonical digits), if any.
pub async fn find_by_wa_id(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    wa_id: &str,
) -> StoreResult<Option<Customer>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.tenant_id = $1 AND c.wa_id = $2"));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Customer>(sql).bind(tenant.0).bind(wa_id).fetch_optional(c).await)?,
    )
}

/// Which of `ids` (customers of `tenant`) opted out: one query for a batch
/// of sends.
pub async fn opted_out(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    ids: &[CustomerId],
) -> StoreResult<std::collections::HashSet<CustomerId>> {
    if ids.is_empty() {
        return Ok(std::collections::HashSet::new());
    }
    let mut out = std::collections::HashSet::new();
    // Bounded batches keep the statement under both backends' bind limits.
    let mut ex = ex.into();
    for chunk in ids.chunks(500) {
        let rows: Vec<Uuid> = run!(ex.re(), c => {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT id FROM customers WHERE opted_out_at IS NOT NULL AND tenant_id = ",
            );
            qb.push_bind(tenant.0).push(" AND id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(id.0);
            }
            qb.push(")");
            qb.build_query_scalar().fetch_all(c).await
        })?;
        out.extend(rows.into_iter().map(CustomerId));
    }
    Ok(out)
}

/// Sets a customer's order history as imported from before Sokoni (the
/// demo's regulars): how many orders and when the last was.
pub async fn set_history(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: CustomerId,
    total_orders: i32,
    last_order_at: DateTime<Utc>,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE customers SET total_orders = $3, last_order_at = $4 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(total_orders)
    .bind(last_order_at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Customers by id, whatever their business (automation's targets), in
/// bounded batches.
pub async fn by_ids(ex: impl Into<Ex<'_>>, ids: &[Uuid]) -> StoreResult<Vec<Customer>> {
    crate::select_in(ex, &format!("{SELECT} WHERE c.id"), ids, "").await
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_pattern_escapes_wildcards() {
        assert_eq!(super::like_pattern("a%b_c"), "%a\\%b\\_c%");
    }
}
