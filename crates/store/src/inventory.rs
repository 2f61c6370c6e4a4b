//! The stock ledger. Every change of a product's stock is one conditional
//! `UPDATE` of the product row plus one `stock_movements` row saying who,
//! why, by how much and what the figures were after it.
//!
//! Concurrency: a reservation is `UPDATE … SET reserved = reserved + q WHERE
//! stock_on_hand - reserved >= q`. On PostgreSQL the row lock makes a second
//! writer wait and then re-check the `WHERE` against the committed row; on
//! SQLite write transactions are serialised (`BEGIN IMMEDIATE`). Either way
//! two orders can never both take the last unit, and the table's checks
//! (`reserved <= stock_on_hand`, both `>= 0`) back it up.

use crate::products::{self, Product};
use crate::{Ex, StoreError, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::commerce::{StockStatus, saleable};
use domain::{OrderId, ProductId, TenantId, UserId};
use serde::Serialize;
use uuid::Uuid;

/// What a ledger row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// Stock came in (`quantity` > 0 on hand).
    Receipt,
    /// A reserved unit left with an order (on hand and reserved both drop).
    Sale,
    /// A count correction, either way, with a reason.
    Adjustment,
    /// An order holds units (`quantity` > 0 reserved).
    Reservation,
    /// An order let its units go (`quantity` < 0 reserved).
    Release,
}

impl Movement {
    pub fn as_str(&self) -> &'static str {
        match self {
            Movement::Receipt => "receipt",
            Movement::Sale => "sale",
            Movement::Adjustment => "adjustment",
            Movement::Reservation => "reservation",
            Movement::Release => "release",
        }
    }
}

impl TryFrom<String> for Movement {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        [
            Movement::Receipt,
            Movement::Sale,
            Movement::Adjustment,
            Movement::Reservation,
            Movement::Release,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
        .ok_or(s)
    }
}

/// One row of the ledger.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StockMovement {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub product_id: ProductId,
    #[sqlx(try_from = "String")]
    pub kind: Movement,
    /// Signed: of on hand for receipt, sale and adjustment; of reserved for
    /// reservation and release.
    pub quantity: i64,
    pub on_hand_after: i64,
    pub reserved_after: i64,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub order_id: Option<Uuid>,
    /// The order's ref, while the order exists.
    pub order_ref: Option<String>,
    /// Who did it; none for the chat bot and the system.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub user_id: Option<Uuid>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum StockError {
    /// Not enough saleable stock (or the product is snoozed: saleable 0).
    #[error("only {saleable} of {sku} can be sold")]
    Insufficient { sku: String, saleable: i64 },
    #[error("this product does not track stock")]
    NotTracked,
    /// A receipt of 0 or less, or an adjustment of 0.
    #[error("the quantity must not be zero (and above zero for a receipt)")]
    InvalidQuantity,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A ledger row to write.
pub(crate) struct Entry<'a> {
    pub product: ProductId,
    pub kind: Movement,
    pub quantity: i64,
    pub on_hand_after: i64,
    pub reserved_after: i64,
    pub order: Option<OrderId>,
    pub by: Option<UserId>,
    pub reason: Option<&'a str>,
}

pub(crate) async fn record(ex: Ex<'_>, tenant: TenantId, e: Entry<'_>) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "INSERT INTO stock_movements (id, tenant_id, product_id, kind, quantity, on_hand_after, reserved_after, \
         order_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(e.product.0)
    .bind(e.kind.as_str())
    .bind(e.quantity)
    .bind(e.on_hand_after)
    .bind(e.reserved_after)
    .bind(e.order.map(|o| o.0))
    .bind(e.by.map(|u| u.0))
    .bind(e.reason)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Why a conditional stock update matched no row: the product is missing,
/// does not track stock, or has too little.
async fn refusal(ex: Ex<'_>, tenant: TenantId, product: ProductId) -> StockError {
    match products::get(ex, tenant, product).await {
        Err(e) => e.into(),
        Ok(p) if !p.track_stock => StockError::NotTracked,
        Ok(p) => StockError::Insufficient {
            saleable: if p.is_available {
                saleable(p.stock_on_hand, p.reserved)
            } else {
                0
            },
            sku: p.sku,
        },
    }
}

/// Stock came in: `qty` (> 0) more on hand.
pub async fn receive(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    product: ProductId,
    qty: i64,
    by: Option<UserId>,
    reason: Option<&str>,
) -> Result<Product, StockError> {
    if qty <= 0 {
        return Err(StockError::InvalidQuantity);
    }
    change_on_hand(
        ex.into(),
        tenant,
        product,
        qty,
        Movement::Receipt,
        by,
        reason,
    )
    .await
}

/// A count correction of `delta` (either sign) on hand, with a reason. It
/// cannot take on hand below what is reserved (nor below zero).
pub async fn adjust(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    product: ProductId,
    delta: i64,
    by: Option<UserId>,
    reason: &str,
) -> Result<Product, StockError> {
    if delta == 0 {
        return Err(StockError::InvalidQuantity);
    }
    change_on_hand(
        ex.into(),
        tenant,
        product,
        delta,
        Movement::Adjustment,
        by,
        Some(reason),
    )
    .await
}

async fn change_on_hand(
    mut ex: Ex<'_>,
    tenant: TenantId,
    product: ProductId,
    delta: i64,
    kind: Movement,
    by: Option<UserId>,
    reason: Option<&str>,
) -> Result<Product, StockError> {
    let after: Option<(i64, i64)> = run!(ex.re(), c => sqlx::query_as(
        "UPDATE products SET stock_on_hand = stock_on_hand + $3, updated_at = $4 \
         WHERE tenant_id = $1 AND id = $2 AND track_stock = TRUE \
           AND stock_on_hand + $3 >= reserved AND stock_on_hand + $3 >= 0 \
         RETURNING stock_on_hand, reserved",
    )
    .bind(tenant.0)
    .bind(product.0)
    .bind(delta)
    .bind(now())
    .fetch_optional(c)
    .await)
    .map_err(StoreError::from)?;
    let Some((on_hand, reserved)) = after else {
        return Err(refusal(ex, tenant, product).await);
    };
    record(
        ex.re(),
        tenant,
        Entry {
            product,
            kind,
            quantity: delta,
            on_hand_after: on_hand,
            reserved_after: reserved,
            order: None,
            by,
            reason,
        },
    )
    .await?;
    Ok(products::get(ex, tenant, product).await?)
}

/// What an order's lines ask of one product.
#[derive(sqlx::FromRow)]
struct Need {
    product_id: Uuid,
    sku: String,
    track_stock: bool,
    is_available: bool,
    quantity: i64,
}

/// Holds the stock an order's lines need: for each product that tracks
/// stock, `reserved += quantity` if that much is saleable. Products that do
/// not track stock are not held, but a snoozed one is refused like one sold
/// out (saleable 0). Runs once per order: an order already holding (or done
/// with) its stock is left as it is.
///
/// On `Insufficient` some products may already be held: the caller must roll
/// back its transaction (or return to a savepoint taken before the call,
/// see [`crate::savepoint`]). Products are taken in id order, so two orders
/// wanting the same products cannot deadlock on PostgreSQL.
pub async fn reserve(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order: OrderId,
    by: Option<UserId>,
) -> Result<(), StockError> {
    let mut ex = ex.into();
    let needs: Vec<Need> = run!(ex.re(), c => sqlx::query_as(
        "SELECT p.id AS product_id, p.sku, p.track_stock, p.is_available, \
                CAST(SUM(i.quantity) AS BIGINT) AS quantity \
         FROM order_items i JOIN products p ON p.id = i.product_id AND p.tenant_id = i.tenant_id \
         WHERE i.tenant_id = $1 AND i.order_id = $2 \
         GROUP BY p.id, p.sku, p.track_stock, p.is_available \
         ORDER BY p.id",
    )
    .bind(tenant.0)
    .bind(order.0)
    .fetch_all(c)
    .await)
    .map_err(StoreError::from)?;
    if let Some(n) = needs.iter().find(|n| !n.is_available) {
        return Err(StockError::Insufficient {
            sku: n.sku.clone(),
            saleable: 0,
        });
    }
    if !needs.iter().any(|n| n.track_stock) {
        return Ok(());
    }
    // Flip the order first, so a second call does nothing.
    if !flip(
        ex.re(),
        tenant,
        order,
        StockStatus::None,
        StockStatus::Reserved,
    )
    .await?
    {
        return Ok(());
    }
    let at = now();
    for n in needs.iter().filter(|n| n.track_stock) {
        let after: Option<(i64, i64)> = run!(ex.re(), c => sqlx::query_as(
            "UPDATE products SET reserved = reserved + $3, updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND track_stock = TRUE AND is_available = TRUE \
               AND stock_on_hand - reserved >= $3 \
             RETURNING stock_on_hand, reserved",
        )
        .bind(tenant.0)
        .bind(n.product_id)
        .bind(n.quantity)
        .bind(at)
        .fetch_optional(c)
        .await)
        .map_err(StoreError::from)?;
        let Some((on_hand, reserved)) = after else {
            return Err(refusal(ex, tenant, ProductId(n.product_id)).await);
        };
        record(
            ex.re(),
            tenant,
            Entry {
                product: ProductId(n.product_id),
                kind: Movement::Reservation,
                quantity: n.quantity,
                on_hand_after: on_hand,
                reserved_after: reserved,
                order: Some(order),
                by,
                reason: None,
            },
        )
        .await?;
    }
    Ok(())
}

/// Moves the order's `stock_status` from `from` to `to`; false if it was not
/// at `from` (already done, or never held anything).
async fn flip(
    ex: Ex<'_>,
    tenant: TenantId,
    order: OrderId,
    from: StockStatus,
    to: StockStatus,
) -> StoreResult<bool> {
    let done = run!(ex, c => sqlx::query(
        "UPDATE orders SET stock_status = $4 WHERE tenant_id = $1 AND id = $2 AND stock_status = $3",
    )
    .bind(tenant.0)
    .bind(order.0)
    .bind(from.as_str())
    .bind(to.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// What the order holds, per product: the sum of its reservation rows. The
/// ledger, not the current lines or settings, says what to give back.
async fn held(ex: Ex<'_>, tenant: TenantId, order: OrderId) -> StoreResult<Vec<(Uuid, i64)>> {
    Ok(run!(ex, c => sqlx::query_as::<_, (Uuid, i64)>(
        "SELECT product_id, CAST(SUM(quantity) AS BIGINT) FROM stock_movements \
         WHERE tenant_id = $1 AND order_id = $2 AND kind = 'reservation' \
         GROUP BY product_id ORDER BY product_id",
    )
    .bind(tenant.0)
    .bind(order.0)
    .fetch_all(c)
    .await)?)
}

/// Gives back what the order holds (it was cancelled). Once: returns false,
/// changing nothing, unless the order's stock is `reserved`.
pub async fn release(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order: OrderId,
    by: Option<UserId>,
) -> StoreResult<bool> {
    settle(ex.into(), tenant, order, by, Movement::Release).await
}

/// The order's reserved units leave the shop (it was delivered, or paid,
/// per the business's `consume_stock_on`): on hand and reserved both drop.
/// Once: returns false, changing nothing, unless the order's stock is
/// `reserved`.
pub async fn consume(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order: OrderId,
    by: Option<UserId>,
) -> StoreResult<bool> {
    settle(ex.into(), tenant, order, by, Movement::Sale).await
}

async fn settle(
    mut ex: Ex<'_>,
    tenant: TenantId,
    order: OrderId,
    by: Option<UserId>,
    kind: Movement,
) -> StoreResult<bool> {
    let (to, on_hand_sql) = match kind {
        Movement::Sale => (StockStatus::Consumed, "stock_on_hand - $3"),
        _ => (StockStatus::Released, "stock_on_hand"),
    };
    if !flip(ex.re(), tenant, order, StockStatus::Reserved, to).await? {
        return Ok(false);
    }
    let sql = format!(
        "UPDATE products SET stock_on_hand = {on_hand_sql}, reserved = reserved - $3, updated_at = $4 \
         WHERE tenant_id = $1 AND id = $2 RETURNING stock_on_hand, reserved"
    );
    let at = now();
    for (product, qty) in held(ex.re(), tenant, order).await? {
        let after: Option<(i64, i64)> = run!(ex.re(), c => sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(tenant.0)
            .bind(product)
            .bind(qty)
            .bind(at)
            .fetch_optional(c)
            .await)?;
        // A product deleted since holds nothing any more.
        let Some((on_hand, reserved)) = after else {
            continue;
        };
        record(
            ex.re(),
            tenant,
            Entry {
                product: ProductId(product),
                kind,
                quantity: -qty,
                on_hand_after: on_hand,
                reserved_after: reserved,
                order: Some(order),
                by,
                reason: None,
            },
        )
        .await?;
    }
    Ok(true)
}

/// The product's ledger, newest first.
pub async fn movements(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    product: ProductId,
    limit: i64,
) -> StoreResult<Vec<StockMovement>> {
    Ok(run!(ex, c => sqlx::query_as::<_, StockMovement>(
        "SELECT m.id, m.product_id, m.kind, m.quantity, m.on_hand_after, m.reserved_after, m.order_id, \
                o.order_ref, m.user_id, m.reason, m.created_at \
         FROM stock_movements m LEFT JOIN orders o ON o.id = m.order_id \
         WHERE m.tenant_id = $1 AND m.product_id = $2 \
         ORDER BY m.created_at DESC, m.id DESC LIMIT $3",
    )
    .bind(tenant.0)
    .bind(product.0)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Products that track stock and have a threshold, at or below it, lowest
/// saleable first.
pub async fn low_stock(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Vec<Product>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} WHERE tenant_id = $1 AND track_stock = TRUE AND low_stock_threshold IS NOT NULL \
           AND stock_on_hand - reserved <= low_stock_threshold \
         ORDER BY stock_on_hand - reserved, name, id",
        products::SELECT
    ));
    let rows = run!(ex, c => sqlx::query_as::<_, Product>(sql).bind(tenant.0).fetch_all(c).await)?;
    Ok(rows.into_iter().map(products::finish).collect())
}

/// Every product that tracks stock, in menu order (the inventory view).
pub async fn tracked(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Vec<Product>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} WHERE tenant_id = $1 AND track_stock = TRUE \
         ORDER BY (category IS NULL), category, sort_order, name, id",
        products::SELECT
    ));
    let rows = run!(ex, c => sqlx::query_as::<_, Product>(sql).bind(tenant.0).fetch_all(c).await)?;
    Ok(rows.into_iter().map(products::finish).collect())
}
