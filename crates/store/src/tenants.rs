//! Tenants: the businesses on this server.

use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::money::Currency;
use domain::tenant::{Locale, Plan, Vertical};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Tenant {
    #[sqlx(try_from = "Uuid")]
    pub id: TenantId,
    pub business_name: String,
    pub slug: String,
    pub phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub vertical: Vertical,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    pub timezone: String,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "en-NG")]
    pub locale: Locale,
    /// ISO 3166 country: the default for phone numbers typed without a prefix.
    pub country: String,
    /// Order refs are `<prefix>-<sequence>`, e.g. `SEW-0042`.
    pub order_prefix: String,
    #[sqlx(try_from = "String")]
    pub plan: Plan,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Tenant {
    /// The tenant's timezone (validated when it was stored).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::UTC)
    }
}

#[derive(Debug, Clone)]
pub struct NewTenant {
    pub business_name: String,
    pub slug: String,
    pub phone: Option<String>,
    pub vertical: Vertical,
    pub currency: Currency,
    pub timezone: String,
    pub locale: Locale,
    pub country: String,
    pub order_prefix: String,
}

const COLUMNS: &str = "id, business_name, slug, phone, vertical, currency, timezone, locale, country, \
     order_prefix, plan, is_active, created_at, updated_at";

pub async fn insert(ex: impl Into<Ex<'_>>, t: &NewTenant) -> StoreResult<Tenant> {
    let id = TenantId::new();
    let at = now();
    run!(ex, c => sqlx::query(
        "INSERT INTO tenants (id, business_name, slug, phone, vertical, currency, timezone, locale, \
         country, order_prefix, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(id.0)
    .bind(&t.business_name)
    .bind(&t.slug)
    .bind(&t.phone)
    .bind(t.vertical.as_str())
    .bind(t.currency.code())
    .bind(&t.timezone)
    .bind(t.locale.to_string())
    .bind(&t.country)
    .bind(&t.order_prefix)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(Tenant {
        id,
        business_name: t.business_name.clone(),
        slug: t.slug.clone(),
        phone: t.phone.clone(),
        vertical: t.vertical,
        currency: t.currency,
        timezone: t.timezone.clone(),
        locale: t.locale.clone(),
        country: t.country.clone(),
        order_prefix: t.order_prefix.clone(),
        plan: Plan::Free,
        is_active: true,
        created_at: at,
        updated_at: at,
    })
}

pub async fn get(ex: impl Into<Ex<'_>>, id: TenantId) -> StoreResult<Tenant> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM tenants WHERE id = $1"));
    Ok(run!(ex, c => sqlx::query_as::<_, Tenant>(sql).bind(id.0).fetch_one(c).await)?)
}

pub async fn get_by_slug(ex: impl Into<Ex<'_>>, slug: &str) -> StoreResult<Tenant> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM tenants WHERE slug = $1"));
    Ok(run!(ex, c => sqlx::query_as::<_, Tenant>(sql).bind(slug).fetch_one(c).await)?)
}

/// The changeable business settings; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TenantPatch {
    pub business_name: Option<String>,
    pub phone: Option<Option<String>>,
    pub timezone: Option<String>,
    pub locale: Option<Locale>,
    pub country: Option<String>,
    pub order_prefix: Option<String>,
}

pub async fn update(ex: impl Into<Ex<'_>>, id: TenantId, p: &TenantPatch) -> StoreResult<()> {
    let (phone_set, phone) = crate::db::split(&p.phone);
    let done = run!(ex, c => sqlx::query(
        "UPDATE tenants SET \
           business_name = COALESCE($2, business_name), \
           phone = CASE WHEN $3 THEN $4 ELSE phone END, \
           timezone = COALESCE($5, timezone), \
           locale = COALESCE($6, locale), \
           country = COALESCE($7, country), \
           order_prefix = COALESCE($8, order_prefix), \
           updated_at = $9 \
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(&p.business_name)
    .bind(phone_set)
    .bind(phone)
    .bind(&p.timezone)
    .bind(p.locale.as_ref().map(|l| l.to_string()))
    .bind(&p.country)
    .bind(&p.order_prefix)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// Takes the tenant's next order number. Inside the order's transaction the
/// row lock serialises concurrent creates, and a rollback returns the number,
/// so refs are unique and gap-free.
pub async fn next_order_number(ex: impl Into<Ex<'_>>, id: TenantId) -> StoreResult<(String, i64)> {
    let row: (String, i64) = run!(ex, c => sqlx::query_as(
        "UPDATE tenants SET order_seq = order_seq + 1 WHERE id = $1 RETURNING order_prefix, order_seq",
    )
    .bind(id.0)
    .fetch_one(c)
    .await)?;
    Ok(row)
}

/// All tenants, for operators and the demo.
pub async fn list_all(ex: impl Into<Ex<'_>>) -> StoreResult<Vec<Tenant>> {
    let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM tenants ORDER BY id"));
    Ok(run!(ex, c => sqlx::query_as::<_, Tenant>(sql).fetch_all(c).await)?)
}

/// Businesses by id (automation's cycle), in bounded batches.
pub async fn by_ids(ex: impl Into<Ex<'_>>, ids: &[TenantId]) -> StoreResult<Vec<Tenant>> {
    let ids: Vec<Uuid> = ids.iter().map(|t| t.0).collect();
    crate::select_in(
        ex,
        &format!("SELECT {COLUMNS} FROM tenants WHERE id"),
        &ids,
        "",
    )
    .await
}
