//! Delivery zones: the areas a business delivers to, each with its fee and
//! minimum order. Orders copy the zone's name and fee when they are placed,
//! so a zone can be changed or deleted without touching past orders.

use crate::{Ex, StoreError, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::{TenantId, ZoneId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Zone {
    #[sqlx(try_from = "Uuid")]
    pub id: ZoneId,
    /// Unique within the business.
    pub name: String,
    /// Minor units of the business currency.
    pub fee: i64,
    /// The smallest order (before the fee) delivered here.
    pub min_order: i64,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT id, name, fee, min_order, is_active, sort_order, created_at, updated_at FROM delivery_zones";

#[derive(Debug, Clone)]
pub struct NewZone {
    pub name: String,
    pub fee: i64,
    pub min_order: i64,
    pub is_active: bool,
    pub sort_order: i32,
}

/// Adds a zone. A name the business already uses is
/// `StoreError::Unique("delivery_zones_tenant_name_key")`.
pub async fn insert(ex: impl Into<Ex<'_>>, tenant: TenantId, n: &NewZone) -> StoreResult<Zone> {
    let mut ex = ex.into();
    let id = ZoneId::new();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO delivery_zones (id, tenant_id, name, fee, min_order, is_active, sort_order, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(&n.name)
    .bind(n.fee)
    .bind(n.min_order)
    .bind(n.is_active)
    .bind(n.sort_order)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    get(ex, tenant, id).await
}

pub async fn get(ex: impl Into<Ex<'_>>, tenant: TenantId, id: ZoneId) -> StoreResult<Zone> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE tenant_id = $1 AND id = $2"));
    Ok(run!(ex, c => sqlx::query_as::<_, Zone>(sql).bind(tenant.0).bind(id.0).fetch_one(c).await)?)
}

/// The business's zones in its own order, then by name.
pub async fn list(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    active_only: bool,
) -> StoreResult<Vec<Zone>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE tenant_id = $1 AND ($2 = FALSE OR is_active = TRUE) ORDER BY sort_order, name, id"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Zone>(sql)
        .bind(tenant.0)
        .bind(active_only)
        .fetch_all(c)
        .await)?)
}

#[derive(Debug, Clone, Default)]
pub struct ZonePatch {
    pub name: Option<String>,
    pub fee: Option<i64>,
    pub min_order: Option<i64>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
}

pub async fn update(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: ZoneId,
    p: &ZonePatch,
) -> StoreResult<Zone> {
    let mut ex = ex.into();
    let done = run!(ex.re(), c => sqlx::query(
        "UPDATE delivery_zones SET \
           name = COALESCE($3, name), \
           fee = COALESCE($4, fee), \
           min_order = COALESCE($5, min_order), \
           is_active = COALESCE($6, is_active), \
           sort_order = COALESCE($7, sort_order), \
           updated_at = $8 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&p.name)
    .bind(p.fee)
    .bind(p.min_order)
    .bind(p.is_active)
    .bind(p.sort_order)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    get(ex, tenant, id).await
}

/// Removes a zone for good; `NotFound` if it is not this business's.
pub async fn delete(ex: impl Into<Ex<'_>>, tenant: TenantId, id: ZoneId) -> StoreResult<()> {
    let done = run!(ex, c => sqlx::query("DELETE FROM delivery_zones WHERE tenant_id = $1 AND id = $2")
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
