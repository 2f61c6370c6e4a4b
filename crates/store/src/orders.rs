//! Orders and their stage history.

use crate::db::split;
use crate::{Ex, StoreError, StoreResult, customers, now, run};
use chrono::{DateTime, SubsecRound, Utc};
use domain::commerce::StockStatus;
use domain::order::{FINISHED, Fulfilment, Source, Stage, WORK_DONE, balance_due, order_ref};
use domain::{Currency, CustomerId, MeasurementId, Money, OrderId, ProductId, TenantId, UserId};
use serde::Serialize;
use sqlx::types::Json;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Order {
    #[sqlx(try_from = "Uuid")]
    pub id: OrderId,
    /// e.g. `SEW-0042`.
    pub order_ref: String,
    #[sqlx(try_from = "Uuid")]
    pub customer_id: CustomerId,
    pub customer_name: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub measurement_id: Option<Uuid>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub assigned_to: Option<Uuid>,
    pub style_name: Option<String>,
    pub style_details: Option<String>,
    pub fabric_info: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub reference_images: Json<Vec<String>>,
    pub quantity: i32,
    /// Minor units of `currency`.
    pub price: i64,
    pub deposit_amount: i64,
    /// Sum of paid payments.
    pub amount_paid: i64,
    /// `price - amount_paid`, never below zero; computed on every read.
    #[sqlx(skip)]
    pub balance_due: i64,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "NGN")]
    pub currency: Currency,
    #[sqlx(try_from = "String")]
    pub current_stage: Stage,
    pub deadline: Option<DateTime<Utc>>,
    #[sqlx(try_from = "String")]
    pub source: Source,
    pub wa_thread_id: Option<String>,
    pub notes: Option<String>,
    /// Delivery or pickup, for orders taken with a fulfilment choice.
    #[sqlx(skip)]
    pub fulfilment: Option<Fulfilment>,
    #[sqlx(rename = "fulfilment")]
    #[serde(skip)]
    fulfilment_raw: Option<String>,
    /// The zone's name when the order was placed.
    pub delivery_zone: Option<String>,
    /// The zone's fee when the order was placed, minor units.
    pub delivery_fee: i64,
    pub delivery_address: Option<String>,
    /// `transfer`, `cash`, `card`, `mpesa`.
    pub payment_method: Option<String>,
    /// An order placed while closed, for the next opening.
    pub scheduled_for: Option<DateTime<Utc>>,
    /// What the order holds of the stock: `none`, `reserved`, `consumed`
    /// or `released`.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "reserved")]
    pub stock_status: StockStatus,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Order {
    /// The price with its currency.
    pub fn price_money(&self) -> Money {
        Money::new(self.price, self.currency)
    }

    /// What is still due, with its currency.
    pub fn balance_money(&self) -> Money {
        Money::new(self.balance_due, self.currency)
    }
}

fn finish(mut o: Order) -> Order {
    o.balance_due = balance_due(o.price, o.amount_paid);
    // The column's CHECK allows only the two values.
    o.fulfilment = o.fulfilment_raw.as_deref().and_then(|f| f.parse().ok());
    o
}

const SELECT: &str = "SELECT o.id, o.order_ref, o.customer_id, c.name AS customer_name, o.measurement_id, \
     o.assigned_to, o.style_name, o.style_details, o.fabric_info, o.reference_images, o.quantity, o.price, \
     o.deposit_amount, \
     o.amount_paid, \
     o.currency, o.current_stage, o.deadline, o.source, o.wa_thread_id, o.notes, o.fulfilment, \
     o.delivery_zone, o.delivery_fee, o.delivery_address, o.payment_method, o.scheduled_for, o.stock_status, \
     o.created_by, o.created_at, o.updated_at \
     FROM orders o JOIN customers c ON c.id = o.customer_id";

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub customer_id: CustomerId,
    pub measurement_id: Option<MeasurementId>,
    pub assigned_to: Option<UserId>,
    pub style_name: Option<String>,
    pub style_details: Option<String>,
    pub fabric_info: Option<String>,
    pub reference_images: Vec<String>,
    pub quantity: i32,
    pub price: i64,
    pub deposit_amount: i64,
    pub currency: Currency,
    pub deadline: Option<DateTime<Utc>>,
    pub source: Source,
    pub wa_thread_id: Option<String>,
    pub notes: Option<String>,
    pub created_by: Option<UserId>,
    pub fulfilment: Option<Fulfilment>,
    pub delivery_zone: Option<String>,
    /// Minor units; 0 for pickup or free delivery.
    pub delivery_fee: i64,
    pub delivery_address: Option<String>,
    pub payment_method: Option<String>,
    pub scheduled_for: Option<DateTime<Utc>>,
}

impl Default for NewOrder {
    /// An empty dashboard order of one piece; set at least the customer and
    /// the currency.
    fn default() -> Self {
        NewOrder {
            customer_id: CustomerId(Uuid::nil()),
            measurement_id: None,
            assigned_to: None,
            style_name: None,
            style_details: None,
            fabric_info: None,
            reference_images: Vec::new(),
            quantity: 1,
            price: 0,
            deposit_amount: 0,
            currency: Currency::USD,
            deadline: None,
            source: Source::Dashboard,
            wa_thread_id: None,
            notes: None,
            created_by: None,
            fulfilment: None,
            delivery_zone: None,
            delivery_fee: 0,
            delivery_address: None,
            payment_method: None,
            scheduled_for: None,
        }
    }
}

/// Creates an order with the tenant's next ref, opens its first stage and
/// updates the customer's figures. Run it in a transaction: the ref is taken
/// under the tenant's row lock.
pub async fn insert(ex: impl Into<Ex<'_>>, tenant: TenantId, n: &NewOrder) -> StoreResult<Order> {
    let mut ex = ex.into();
    let (prefix, seq) = crate::tenants::next_order_number(ex.re(), tenant).await?;
    let id = OrderId::new();
    let at = now();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO orders (id, tenant_id, order_ref, customer_id, measurement_id, assigned_to, style_name, \
         style_details, fabric_info, reference_images, quantity, price, deposit_amount, currency, current_stage, \
         deadline, source, wa_thread_id, notes, created_by, created_at, updated_at, fulfilment, delivery_zone, \
         delivery_fee, delivery_address, payment_method, scheduled_for) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'received', $15, $16, $17, $18, \
         $19, $20, $20, $21, $22, $23, $24, $25, $26)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(order_ref(&prefix, seq))
    .bind(n.customer_id.0)
    .bind(n.measurement_id.map(|m| m.0))
    .bind(n.assigned_to.map(|u| u.0))
    .bind(&n.style_name)
    .bind(&n.style_details)
    .bind(&n.fabric_info)
    .bind(Json(&n.reference_images))
    .bind(n.quantity)
    .bind(n.price)
    .bind(n.deposit_amount)
    .bind(n.currency.code())
    .bind(n.deadline.map(|d| d.trunc_subsecs(6)))
    .bind(n.source.as_str())
    .bind(&n.wa_thread_id)
    .bind(&n.notes)
    .bind(n.created_by.map(|u| u.0))
    .bind(at)
    .bind(n.fulfilment.map(|f| f.as_str()))
    .bind(&n.delivery_zone)
    .bind(n.delivery_fee)
    .bind(&n.delivery_address)
    .bind(&n.payment_method)
    .bind(n.scheduled_for.map(|d| d.trunc_subsecs(6)))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    open_stage(ex.re(), tenant, id, Stage::Received, n.created_by, None, at).await?;
    customers::refresh_stats(ex.re(), tenant, n.customer_id).await?;
    get(ex, tenant, id).await
}

async fn open_stage(
    ex: Ex<'_>,
    tenant: TenantId,
    order: OrderId,
    stage: Stage,
    by: Option<UserId>,
    note: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "INSERT INTO order_stages (id, tenant_id, order_id, stage, entered_at, changed_by, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(order.0)
    .bind(stage.as_str())
    .bind(at)
    .bind(by.map(|u| u.0))
    .bind(note)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn get(ex: impl Into<Ex<'_>>, tenant: TenantId, id: OrderId) -> StoreResult<Order> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE o.tenant_id = $1 AND o.id = $2"));
    let o = run!(ex, c => sqlx::query_as::<_, Order>(sql).bind(tenant.0).bind(id.0).fetch_one(c).await)?;
    Ok(finish(o))
}

/// The business's order with this ref (`SEW-0042`), if any.
pub async fn by_ref(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order_ref: &str,
) -> StoreResult<Option<Order>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE o.tenant_id = $1 AND o.order_ref = $2"
    ));
    let o = run!(ex, c => sqlx::query_as::<_, Order>(sql).bind(tenant.0).bind(order_ref).fetch_optional(c).await)?;
    Ok(o.map(finish))
}

/// Which orders a list returns.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub stage: Option<Stage>,
    pub customer: Option<CustomerId>,
    /// Deadline strictly before this instant.
    pub due_before: Option<DateTime<Utc>>,
    pub source: Option<Source>,
    /// Leave out finished orders (`order::FINISHED`).
    pub unfinished: bool,
    /// Leave out orders whose work is done (`order::WORK_DONE`).
    pub not_ready: bool,
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Newest first, with `before` as the cursor.
    Newest { before: Option<OrderId> },
    /// Earliest deadline first (today and urgent views).
    Deadline,
}

pub async fn list(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    f: &Filter,
    sort: Sort,
    limit: i64,
) -> StoreResult<Vec<Order>> {
    let (cursor, order_by) = match sort {
        Sort::Newest { before } => (before, " ORDER BY o.id DESC LIMIT "),
        Sort::Deadline => (None, " ORDER BY o.deadline ASC, o.id ASC LIMIT "),
    };
    // Only the filters given reach the SQL, so the planner sees plain
    // predicates it can match to an index (tenant and deadline, tenant and
    // customer, tenant and stage).
    let rows = run!(ex, c => {
        let mut q = sqlx::QueryBuilder::new(SELECT);
        q.push(" WHERE o.tenant_id = ").push_bind(tenant.0);
        if let Some(s) = f.stage {
            q.push(" AND o.current_stage = ").push_bind(s.as_str());
        }
        if let Some(cu) = f.customer {
            q.push(" AND o.customer_id = ").push_bind(cu.0);
        }
        if let Some(d) = f.due_before {
            q.push(" AND o.deadline < ").push_bind(d);
        }
        if let Some(s) = f.source {
            q.push(" AND o.source = ").push_bind(s.as_str());
        }
        if let Some(before) = cursor {
            q.push(" AND o.id < ").push_bind(before.0);
        }
        if f.unfinished {
            q.push(" AND o.current_stage NOT IN (").push(sql_list(FINISHED)).push(")");
        }
        if f.not_ready {
            q.push(" AND o.current_stage NOT IN (").push(sql_list(WORK_DONE)).push(")");
        }
        q.push(order_by).push_bind(limit);
        q.build_query_as::<Order>().fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(finish).collect())
}

/// `'a', 'b'` for a SQL `IN` list of stages (our own constants, not input).
fn sql_list(stages: &[Stage]) -> String {
    stages
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, Default)]
pub struct OrderPatch {
    pub style_name: Option<Option<String>>,
    pub style_details: Option<Option<String>>,
    pub fabric_info: Option<Option<String>>,
    pub reference_images: Option<Vec<String>>,
    pub quantity: Option<i32>,
    pub price: Option<i64>,
    pub deposit_amount: Option<i64>,
    pub deadline: Option<Option<DateTime<Utc>>>,
    pub notes: Option<Option<String>>,
    pub assigned_to: Option<Option<UserId>>,
    pub measurement_id: Option<Option<MeasurementId>>,
}

pub async fn update(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: OrderId,
    p: &OrderPatch,
) -> StoreResult<Order> {
    let mut ex = ex.into();
    let (style_set, style) = split(&p.style_name);
    let (details_set, details) = split(&p.style_details);
    let (fabric_set, fabric) = split(&p.fabric_info);
    let (deadline_set, deadline) = split(&p.deadline);
    let (notes_set, notes) = split(&p.notes);
    let (assigned_set, assigned) = split(&p.assigned_to);
    let (measure_set, measure) = split(&p.measurement_id);
    let done = run!(ex.re(), c => sqlx::query(
        "UPDATE orders SET \
           style_name = CASE WHEN $3 THEN $4 ELSE style_name END, \
           style_details = CASE WHEN $5 THEN $6 ELSE style_details END, \
           fabric_info = CASE WHEN $7 THEN $8 ELSE fabric_info END, \
           reference_images = COALESCE($9, reference_images), \
           quantity = COALESCE($10, quantity), \
           price = COALESCE($11, price), \
           deposit_amount = COALESCE($12, deposit_amount), \
           deadline = CASE WHEN $13 THEN $14 ELSE deadline END, \
           notes = CASE WHEN $15 THEN $16 ELSE notes END, \
           assigned_to = CASE WHEN $17 THEN $18 ELSE assigned_to END, \
           measurement_id = CASE WHEN $19 THEN $20 ELSE measurement_id END, \
           updated_at = $21 \
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(style_set)
    .bind(&style)
    .bind(details_set)
    .bind(&details)
    .bind(fabric_set)
    .bind(&fabric)
    .bind(p.reference_images.as_ref().map(Json))
    .bind(p.quantity)
    .bind(p.price)
    .bind(p.deposit_amount)
    .bind(deadline_set)
    .bind(deadline.map(|d| d.trunc_subsecs(6)))
    .bind(notes_set)
    .bind(&notes)
    .bind(assigned_set)
    .bind(assigned.map(|u| u.0))
    .bind(measure_set)
    .bind(measure.map(|m| m.0))
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    get(ex, tenant, id).await
}

/// Moves an order from `from` to `to`: closes the open stage row and opens
/// the next, with who and when. Returns false, changing nothing, if the order
/// is no longer at `from` (someone else moved it first).
pub async fn change_stage(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order: &Order,
    to: Stage,
    by: Option<UserId>,
    note: Option<&str>,
) -> StoreResult<bool> {
    let mut ex = ex.into();
    let at = now();
    let done = run!(ex.re(), c => sqlx::query(
        "UPDATE orders SET current_stage = $3, updated_at = $5 \
         WHERE tenant_id = $1 AND id = $2 AND current_stage = $4",
    )
    .bind(tenant.0)
    .bind(order.id.0)
    .bind(to.as_str())
    .bind(order.current_stage.as_str())
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Ok(false);
    }
    run!(ex.re(), c => sqlx::query(
        "UPDATE order_stages SET exited_at = $3 WHERE tenant_id = $1 AND order_id = $2 AND exited_at IS NULL",
    )
    .bind(tenant.0)
    .bind(order.id.0)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    open_stage(ex, tenant, order.id, to, by, note, at).await?;
    Ok(true)
}

/// One line of an order: a product at the price it had when ordered.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OrderItem {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// None once the product is gone; `sku` and `name` stay.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub product_id: Option<Uuid>,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    /// Minor units of the order's currency.
    pub unit_price: i64,
    /// `quantity × unit_price`.
    pub line_total: i64,
    pub created_at: DateTime<Utc>,
}

/// A line to add to an order.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub product_id: Option<ProductId>,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price: i64,
}

/// Adds lines to an order (`line_total = quantity × unit_price`,
/// saturating). `NotFound` if the order or a product is not this tenant's.
/// Reserve their stock afterwards with
/// [`inventory::reserve`], in the same transaction.
pub async fn add_items(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order: OrderId,
    items: &[NewItem],
) -> StoreResult<Vec<OrderItem>> {
    let mut ex = ex.into();
    let at = now();
    for i in items {
        run!(ex.re(), c => sqlx::query(
            "INSERT INTO order_items (id, tenant_id, order_id, product_id, sku, name, quantity, unit_price, \
             line_total, created_at) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
             WHERE EXISTS (SELECT 1 FROM orders WHERE tenant_id = $2 AND id = $3) \
               AND ($4 IS NULL OR EXISTS (SELECT 1 FROM products WHERE tenant_id = $2 AND id = $4))",
        )
        .bind(Uuid::now_v7())
        .bind(tenant.0)
        .bind(order.0)
        .bind(i.product_id.map(|p| p.0))
        .bind(&i.sku)
        .bind(&i.name)
        .bind(i.quantity)
        .bind(i.unit_price)
        .bind(i.quantity.saturating_mul(i.unit_price))
        .bind(at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .and_then(|n| if n == 0 { Err(sqlx::Error::RowNotFound) } else { Ok(n) })?;
    }
    self::items(ex, tenant, order).await
}

/// The order's lines, in the order they were added.
pub async fn items(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order: OrderId,
) -> StoreResult<Vec<OrderItem>> {
    Ok(run!(ex, c => sqlx::query_as::<_, OrderItem>(
        "SELECT id, product_id, sku, name, quantity, unit_price, line_total, created_at FROM order_items \
         WHERE tenant_id = $1 AND order_id = $2 ORDER BY id",
    )
    .bind(tenant.0)
    .bind(order.0)
    .fetch_all(c)
    .await)?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StageEntry {
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    pub entered_at: DateTime<Utc>,
    pub exited_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub changed_by: Option<Uuid>,
    pub note: Option<String>,
}

/// The order's stage history, oldest first.
pub async fn stages(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    order: OrderId,
) -> StoreResult<Vec<StageEntry>> {
    Ok(run!(ex, c => sqlx::query_as::<_, StageEntry>(
        "SELECT stage, entered_at, exited_at, changed_by, note FROM order_stages \
         WHERE tenant_id = $1 AND order_id = $2 ORDER BY entered_at, id",
    )
    .bind(tenant.0)
    .bind(order.0)
    .fetch_all(c)
    .await)?)
}
