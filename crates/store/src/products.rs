//! The catalog: what a business sells, at what price, and (for products that
//! track stock) how many are on hand and how many are held by open orders.
//! Stock never changes here except for the initial count: every later change
//! goes through [`crate::inventory`], which keeps the ledger.

use crate::customers::like_pattern;
use crate::db::split;
use crate::inventory::{self, Movement};
use crate::{Ex, StoreError, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::commerce::saleable;
use domain::{ProductId, TenantId, UserId};
use serde::Serialize;
use sqlx::types::Json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Product {
    #[sqlx(try_from = "Uuid")]
    pub id: ProductId,
    /// The business's own code, unique within it.
    pub sku: String,
    pub name: String,
    /// Other names customers use for it ("jollof", "party rice").
    #[schema(value_type = Vec<String>)]
    pub aliases: Json<Vec<String>>,
    pub category: Option<String>,
    pub description: Option<String>,
    /// Minor units of `currency`.
    pub price: i64,
    pub currency: String,
    /// False while "snoozed": not offered, cannot be ordered.
    pub is_available: bool,
    /// Made-to-order products track no stock.
    pub track_stock: bool,
    pub stock_on_hand: i64,
    /// Held by open orders.
    pub reserved: i64,
    /// `stock_on_hand - reserved` when the product tracks stock; computed on
    /// every read.
    #[sqlx(skip)]
    pub saleable: Option<i64>,
    pub low_stock_threshold: Option<i64>,
    pub sort_order: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Product {
    /// Whether the stock is at or below the low-stock threshold.
    pub fn is_low(&self) -> bool {
        self.track_stock
            && domain::commerce::is_low(self.stock_on_hand, self.reserved, self.low_stock_threshold)
    }
}

pub(crate) fn finish(mut p: Product) -> Product {
    p.saleable = p.track_stock.then(|| saleable(p.stock_on_hand, p.reserved));
    p
}

pub(crate) const SELECT: &str = "SELECT id, sku, name, aliases, category, description, price, currency, \
     is_available, track_stock, stock_on_hand, reserved, low_stock_threshold, sort_order, created_at, updated_at \
     FROM products";

/// Menu order: categories by name with the uncategorised last, then the
/// business's own order, then name.
const MENU_ORDER: &str = "ORDER BY (category IS NULL), category, sort_order, name, id";

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    pub price: i64,
    pub currency: String,
    pub is_available: bool,
    pub track_stock: bool,
    /// The initial count; recorded in the ledger as a receipt when above 0.
    pub stock_on_hand: i64,
    pub low_stock_threshold: Option<i64>,
    pub sort_order: i32,
}

impl Default for NewProduct {
    fn default() -> Self {
        NewProduct {
            sku: String::new(),
            name: String::new(),
            aliases: Vec::new(),
            category: None,
            description: None,
            price: 0,
            currency: String::new(),
            is_available: true,
            track_stock: false,
            stock_on_hand: 0,
            low_stock_threshold: None,
            sort_order: 0,
        }
    }
}

/// Adds a product; its initial stock is a ledger receipt by `by`. Run it in a
/// transaction so the product and its ledger row land together. A taken sku
/// is `StoreError::Unique("products_tenant_sku_key")`.
pub async fn insert(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    n: &NewProduct,
    by: Option<UserId>,
) -> StoreResult<Product> {
    let mut ex = ex.into();
    let id = ProductId::new();
    let at = now();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO products (id, tenant_id, sku, name, aliases, category, description, price, currency, \
         is_available, track_stock, stock_on_hand, reserved, low_stock_threshold, sort_order, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $15)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(&n.sku)
    .bind(&n.name)
    .bind(Json(&n.aliases))
    .bind(&n.category)
    .bind(&n.description)
    .bind(n.price)
    .bind(&n.currency)
    .bind(n.is_available)
    .bind(n.track_stock)
    .bind(n.stock_on_hand)
    .bind(n.low_stock_threshold)
    .bind(n.sort_order)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n.stock_on_hand > 0 {
        inventory::record(
            ex.re(),
            tenant,
            inventory::Entry {
                product: id,
                kind: Movement::Receipt,
                quantity: n.stock_on_hand,
                on_hand_after: n.stock_on_hand,
                reserved_after: 0,
                order: None,
                by,
                reason: Some("initial stock"),
            },
        )
        .await?;
    }
    get(ex, tenant, id).await
}

pub async fn get(ex: impl Into<Ex<'_>>, tenant: TenantId, id: ProductId) -> StoreResult<Product> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE tenant_id = $1 AND id = $2"));
    let p = run!(ex, c => sqlx::query_as::<_, Product>(sql).bind(tenant.0).bind(id.0).fetch_one(c).await)?;
    Ok(finish(p))
}

pub async fn by_sku(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    sku: &str,
) -> StoreResult<Option<Product>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE tenant_id = $1 AND sku = $2"));
    let p = run!(ex, c => sqlx::query_as::<_, Product>(sql).bind(tenant.0).bind(sku).fetch_optional(c).await)?;
    Ok(p.map(finish))
}

/// The products with these skus (unknown ones are left out), in menu order.
pub async fn by_skus(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    skus: &[String],
) -> StoreResult<Vec<Product>> {
    if skus.is_empty() {
        return Ok(Vec::new());
    }
    // One placeholder per sku: SQLite has no array binds.
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE tenant_id = $1 AND sku IN ({}) {MENU_ORDER}",
        (2..skus.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let rows = run!(ex, c => {
        let mut q = sqlx::query_as::<_, Product>(sql).bind(tenant.0);
        for s in skus {
            q = q.bind(s);
        }
        q.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(finish).collect())
}

/// Which products a list returns.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    pub category: Option<String>,
    /// Leave out snoozed products.
    pub available_only: bool,
    /// A part of the name or sku, case-insensitive.
    pub search: Option<String>,
}

/// The catalog in menu order.
pub async fn list(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    f: &ProductFilter,
) -> StoreResult<Vec<Product>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE tenant_id = $1 \
           AND ($2 IS NULL OR category = $2) \
           AND ($3 = FALSE OR is_available = TRUE) \
           AND ($4 IS NULL OR LOWER(name) LIKE $4 ESCAPE '\\' OR LOWER(sku) LIKE $4 ESCAPE '\\') \
         {MENU_ORDER}"
    ));
    let pattern = f
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| like_pattern(&s.to_lowercase()));
    let rows = run!(ex, c => sqlx::query_as::<_, Product>(sql)
        .bind(tenant.0)
        .bind(&f.category)
        .bind(f.available_only)
        .bind(&pattern)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(finish).collect())
}

/// The menu's categories with how many products each can sell now
/// (available, and made to order or with saleable stock), in menu order.
/// Products without a category are counted under `""`.
pub async fn categories(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
) -> StoreResult<Vec<(String, i64)>> {
    Ok(run!(ex, c => sqlx::query_as::<_, (String, i64)>(
        "SELECT COALESCE(category, '') AS name, COUNT(*) AS n FROM products \
         WHERE tenant_id = $1 AND is_available = TRUE \
           AND (track_stock = FALSE OR stock_on_hand - reserved > 0) \
         GROUP BY category \
         ORDER BY MIN(sort_order), COALESCE(category, '')",
    )
    .bind(tenant.0)
    .fetch_all(c)
    .await)?)
}

/// A change to a product; absent fields stay, `Some(None)` clears. Stock is
/// not here: it changes through [`crate::inventory`].
#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    pub name: Option<String>,
    pub aliases: Option<Vec<String>>,
    pub category: Option<Option<String>>,
    pub description: Option<Option<String>>,
    pub price: Option<i64>,
    pub is_available: Option<bool>,
    pub track_stock: Option<bool>,
    pub low_stock_threshold: Option<Option<i64>>,
    pub sort_order: Option<i32>,
}

pub async fn update(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: ProductId,
    p: &ProductPatch,
) -> StoreResult<Product> {
    let mut ex = ex.into();
    let (category_set, category) = split(&p.category);
    let (description_set, description) = split(&p.description);
    let (threshold_set, threshold) = split(&p.low_stock_threshold);
    let done = run!(ex.re(), c => sqlx::query(
        "UPDATE products SET \
           name = COALESCE($3, name), \
           aliases = COALESCE($4, aliases), \
           category = CASE WHEN $5 THEN $6 ELSE category END, \
           description = CASE WHEN $7 THEN $8 ELSE description END, \
           price = COALESCE($9, price), \
           is_available = COALESCE($10, is_available), \
           track_stock = COALESCE($11, track_stock), \
           low_stock_threshold = CASE WHEN $12 THEN $13 ELSE low_stock_threshold END, \
           sort_order = COALESCE($14, sort_order), \
           updated_at = $15 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&p.name)
    .bind(p.aliases.as_ref().map(Json))
    .bind(category_set)
    .bind(&category)
    .bind(description_set)
    .bind(&description)
    .bind(p.price)
    .bind(p.is_available)
    .bind(p.track_stock)
    .bind(threshold_set)
    .bind(threshold)
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
