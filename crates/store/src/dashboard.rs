//! The owner's dashboard reads: a few aggregate queries on indexes, whatever
//! the number of orders (never a query per order). Which orders, payments
//! and instants each view means is decided by `engine::dashboard`; this
//! module only runs the queries it is given bounds for.

use crate::{Ex, StoreResult, run};
use chrono::{DateTime, Utc};
use domain::order::{FINISHED, Fulfilment, Source, Stage, WORK_DONE, pipeline};
use domain::tenant::Vertical;
use domain::{Currency, CustomerId, OrderId, PaymentId, TenantId};
use serde::Serialize;
use uuid::Uuid;

/// Every stage an order can be in that is not finished, from the
/// pipelines themselves (so a new stage is counted without a change here).
pub fn active_stages() -> Vec<Stage> {
    let mut out: Vec<Stage> = Vec::new();
    for v in Vertical::ALL {
        for s in pipeline(v).stages {
            if !s.is_terminal() && !out.contains(s) {
                out.push(*s);
            }
        }
    }
    out
}

/// `'a', 'b'` for a SQL `IN` list of stages (our own constants, not input).
fn sql_list(stages: &[Stage]) -> String {
    stages
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An order as a dashboard card shows it, as stored (the engine derives
/// urgency, balance and the display name).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardRow {
    #[sqlx(try_from = "Uuid")]
    pub id: OrderId,
    pub order_ref: String,
    #[sqlx(try_from = "Uuid")]
    pub customer_id: CustomerId,
    pub customer_name: Option<String>,
    pub customer_profile_name: Option<String>,
    pub customer_phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    pub deadline: Option<DateTime<Utc>>,
    pub price: i64,
    pub deposit_amount: i64,
    /// Sum of paid payments.
    pub paid: i64,
    #[sqlx(try_from = "String")]
    pub currency: Currency,
    #[sqlx(try_from = "String")]
    pub source: Source,
    pub fulfilment: Option<String>,
    pub style_name: Option<String>,
    pub quantity: i32,
    /// The first two lines' names, in the order they were added.
    pub first_item: Option<String>,
    pub second_item: Option<String>,
    pub item_count: i64,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CardRow {
    pub fn fulfilment(&self) -> Option<Fulfilment> {
        self.fulfilment.as_deref().and_then(|f| f.parse().ok())
    }
}

/// One statement for every card list: the order, its customer, what was
/// paid and its first lines, each by an index lookup on the order.
const CARD_SELECT: &str = "SELECT o.id, o.order_ref, o.customer_id, c.name AS customer_name, \
     c.wa_profile_name AS customer_profile_name, c.phone AS customer_phone, o.current_stage AS stage, \
     o.deadline, o.price, o.deposit_amount, \
     (SELECT CAST(COALESCE(SUM(p.amount), 0) AS BIGINT) FROM payments p \
        WHERE p.tenant_id = o.tenant_id AND p.order_id = o.id AND p.status = 'paid') AS paid, \
     o.currency, o.source, o.fulfilment, o.style_name, o.quantity, \
     (SELECT i.name FROM order_items i WHERE i.tenant_id = o.tenant_id AND i.order_id = o.id \
        ORDER BY i.id LIMIT 1) AS first_item, \
     (SELECT i.name FROM order_items i WHERE i.tenant_id = o.tenant_id AND i.order_id = o.id \
        ORDER BY i.id LIMIT 1 OFFSET 1) AS second_item, \
     (SELECT COUNT(*) FROM order_items i WHERE i.tenant_id = o.tenant_id AND i.order_id = o.id) AS item_count, \
     o.scheduled_for, o.created_at, o.updated_at \
     FROM orders o JOIN customers c ON c.id = o.customer_id";

/// Which cards a list returns. Every bound is an instant the engine
/// computed in the business's timezone.
#[derive(Debug, Clone, Default)]
pub struct CardQuery {
    /// Orders not finished; with `finished_since`, also those that
    /// reached a finished stage at or after it.
    pub active: bool,
    pub finished_since: Option<DateTime<Utc>>,
    /// Due before this instant, or created at/after `created_from` (the
    /// "today" list: due today or overdue, plus today's new orders).
    pub due_before_or_created_from: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Created (or scheduled) within `[from, to)`.
    pub created_within: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub stage: Option<Stage>,
    pub source: Option<Source>,
    pub customer: Option<CustomerId>,
    /// Deadline within `[from, to)`.
    pub due_from: Option<DateTime<Utc>>,
    pub due_to: Option<DateTime<Utc>>,
    /// Part of the ref, the customer's name or profile name (lowercase
    /// LIKE patterns), or of their phone.
    pub search: Option<Search>,
    pub sort: CardSort,
    pub limit: i64,
}

/// LIKE patterns for a search box (see [`search`]).
#[derive(Debug, Clone)]
pub struct Search {
    pub text: String,
    pub phone: String,
}

/// The patterns a search for `q` matches with: lowercase text anywhere in
/// a name or ref, and the phone pattern of [`crate::customers::phone_pattern`].
pub fn search(q: &str) -> Option<Search> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    Some(Search {
        text: crate::customers::like_pattern(&q.to_lowercase()),
        phone: crate::customers::phone_pattern(q),
    })
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CardSort {
    /// Earliest deadline first, orders without one last.
    #[default]
    Due,
    /// Newest first.
    Newest,
}

/// The cards `q` selects, at most `q.limit`.
pub async fn cards(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    q: &CardQuery,
) -> StoreResult<Vec<CardRow>> {
    let active = sql_list(&active_stages());
    let finished = sql_list(FINISHED);
    Ok(run!(ex, c => {
        let mut b = sqlx::QueryBuilder::new(CARD_SELECT);
        b.push(" WHERE o.tenant_id = ").push_bind(tenant.0);
        if q.active {
            b.push(" AND (o.current_stage IN (").push(&active).push(")");
            if let Some(since) = q.finished_since {
                // updated_at is at least the moment the order entered its
                // current stage: it narrows by index, the open stage row
                // says exactly.
                b.push(" OR (o.current_stage IN (").push(&finished).push(") AND o.updated_at >= ")
                    .push_bind(since)
                    .push(" AND EXISTS (SELECT 1 FROM order_stages s WHERE s.order_id = o.id \
                           AND s.exited_at IS NULL AND s.entered_at >= ")
                    .push_bind(since)
                    .push("))");
            }
            b.push(")");
        }
        if let Some((due_before, created_from)) = q.due_before_or_created_from {
            b.push(" AND (o.deadline < ").push_bind(due_before)
                .push(" OR o.created_at >= ").push_bind(created_from).push(")");
        }
        if let Some((from, to)) = q.created_within {
            b.push(" AND ((o.created_at >= ").push_bind(from).push(" AND o.created_at < ").push_bind(to)
                .push(") OR (o.scheduled_for >= ").push_bind(from).push(" AND o.scheduled_for < ")
                .push_bind(to).push("))");
        }
        if let Some(s) = q.stage {
            b.push(" AND o.current_stage = ").push_bind(s.as_str());
        }
        if let Some(s) = q.source {
            b.push(" AND o.source = ").push_bind(s.as_str());
        }
        if let Some(cu) = q.customer {
            b.push(" AND o.customer_id = ").push_bind(cu.0);
        }
        if let Some(d) = q.due_from {
            b.push(" AND o.deadline >= ").push_bind(d);
        }
        if let Some(d) = q.due_to {
            b.push(" AND o.deadline < ").push_bind(d);
        }
        if let Some(s) = &q.search {
            b.push(" AND (LOWER(o.order_ref) LIKE ").push_bind(s.text.clone()).push(" ESCAPE '\\'")
                .push(" OR LOWER(c.name) LIKE ").push_bind(s.text.clone()).push(" ESCAPE '\\'")
                .push(" OR LOWER(c.wa_profile_name) LIKE ").push_bind(s.text.clone()).push(" ESCAPE '\\'")
                .push(" OR c.phone LIKE ").push_bind(s.phone.clone()).push(" ESCAPE '\\')");
        }
        b.push(match q.sort {
            CardSort::Due => " ORDER BY o.deadline IS NULL, o.deadline, o.created_at, o.id LIMIT ",
            CardSort::Newest => " ORDER BY o.created_at DESC, o.id DESC LIMIT ",
        });
        b.push_bind(q.limit);
        b.build_query_as::<CardRow>().fetch_all(c).await
    })?)
}

/// The bounds of the "today" figures, as instants.
#[derive(Debug, Clone, Copy)]
pub struct TodayBounds {
    pub now: DateTime<Utc>,
    /// The week (or whatever period "due this week" means): `[from, to)`.
    pub week_from: DateTime<Utc>,
    pub week_to: DateTime<Utc>,
    /// The urgent rule's horizon (`domain::order::urgent_due_before`).
    pub urgent_before: DateTime<Utc>,
}

/// Counts over the business's unfinished orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct OrderCounts {
    pub active: i64,
    pub due_week: i64,
    /// Of `due_week`, those due before the urgent horizon whose work is not
    /// done (`order::WORK_DONE`).
    pub due_week_urgent: i64,
    /// Past their deadline, work not done.
    pub overdue: i64,
}

/// One scan of the unfinished orders (by the stage index).
pub async fn order_counts(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    b: &TodayBounds,
) -> StoreResult<OrderCounts> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS active, \
           CAST(COALESCE(SUM(CASE WHEN deadline >= $2 AND deadline < $3 THEN 1 ELSE 0 END), 0) AS BIGINT) AS due_week, \
           CAST(COALESCE(SUM(CASE WHEN deadline >= $2 AND deadline < $3 AND deadline < $4 \
                AND current_stage NOT IN ({done}) THEN 1 ELSE 0 END), 0) AS BIGINT) AS due_week_urgent, \
           CAST(COALESCE(SUM(CASE WHEN deadline < $5 AND current_stage NOT IN ({done}) THEN 1 ELSE 0 END), 0) \
                AS BIGINT) AS overdue \
         FROM orders WHERE tenant_id = $1 AND current_stage IN ({active})",
        done = sql_list(WORK_DONE),
        active = sql_list(&active_stages()),
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, OrderCounts>(sql)
        .bind(tenant.0)
        .bind(b.week_from)
        .bind(b.week_to)
        .bind(b.urgent_before)
        .bind(b.now)
        .fetch_one(c)
        .await)?)
}

/// How many orders have money due and how much in all: the orders of
/// [`crate::payments::debts`] (not cancelled, price above what was paid).
pub async fn owed(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<(i64, i64)> {
    Ok(run!(ex, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT COUNT(*), CAST(COALESCE(SUM(o.price - COALESCE(pd.paid, 0)), 0) AS BIGINT) \
         FROM orders o \
         LEFT JOIN (SELECT order_id, SUM(amount) AS paid FROM payments \
                    WHERE tenant_id = $1 AND status = 'paid' GROUP BY order_id) pd ON pd.order_id = o.id \
         WHERE o.tenant_id = $1 AND o.current_stage <> 'cancelled' AND o.price > COALESCE(pd.paid, 0)",
    )
    .bind(tenant.0)
    .fetch_one(c)
    .await)?)
}

/// Money received (paid payments by paid time) in `[from, split)` and in
/// `[split, to)`: last month and this month.
pub async fn received_split(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    from: DateTime<Utc>,
    split: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<(i64, i64)> {
    Ok(run!(ex, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT CAST(COALESCE(SUM(CASE WHEN paid_at < $3 THEN amount ELSE 0 END), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN paid_at >= $3 THEN amount ELSE 0 END), 0) AS BIGINT) \
         FROM payments WHERE tenant_id = $1 AND status = 'paid' AND paid_at >= $2 AND paid_at < $4",
    )
    .bind(tenant.0)
    .bind(from)
    .bind(split)
    .bind(to)
    .fetch_one(c)
    .await)?)
}

/// A customer in the dashboard's list, with their figures (kept true by
/// [`crate::customers::refresh_stats`] in every write that moves them).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerRow {
    #[sqlx(try_from = "Uuid")]
    pub id: CustomerId,
    pub name: Option<String>,
    pub wa_profile_name: Option<String>,
    pub phone: Option<String>,
    /// Orders that were not cancelled.
    pub total_orders: i32,
    /// Sum of paid payments.
    pub total_spent: i64,
    pub last_order_at: Option<DateTime<Utc>>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    /// The later of the last order and the last message, else when the
    /// customer was added.
    pub last_activity: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A page of customers, the most recently active first; `q` matches part
/// of the name or WhatsApp name (any case) or of the phone.
pub async fn customers(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    q: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<CustomerRow>> {
    let s = q.and_then(search);
    Ok(run!(ex, c => sqlx::query_as::<_, CustomerRow>(
        "SELECT id, name, wa_profile_name, phone, total_orders, total_spent, last_order_at, last_inbound_at, \
           CASE WHEN last_order_at IS NULL THEN COALESCE(last_inbound_at, created_at) \
                WHEN last_inbound_at IS NULL OR last_order_at >= last_inbound_at THEN last_order_at \
                ELSE last_inbound_at END AS last_activity, \
           created_at \
         FROM customers WHERE tenant_id = $1 \
           AND ($2 IS NULL OR LOWER(name) LIKE $2 ESCAPE '\\' OR LOWER(wa_profile_name) LIKE $2 ESCAPE '\\' \
                OR phone LIKE $3 ESCAPE '\\') \
         ORDER BY last_activity DESC, id DESC LIMIT $4 OFFSET $5",
    )
    .bind(tenant.0)
    .bind(s.as_ref().map(|s| s.text.clone()))
    .bind(s.as_ref().map(|s| s.phone.clone()))
    .bind(limit)
    .bind(offset)
    .fetch_all(c)
    .await)?)
}

/// When the customer's first order that counts (not cancelled) was placed.
pub async fn first_order_at(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(
        run!(ex, c => sqlx::query_scalar::<_, Option<DateTime<Utc>>>(
        "SELECT MIN(created_at) FROM orders \
         WHERE tenant_id = $1 AND customer_id = $2 AND current_stage <> 'cancelled'",
    )
    .bind(tenant.0)
    .bind(customer.0)
    .fetch_one(c)
    .await)?,
    )
}

/// A payment as the payments board lists it, with its order and customer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PaymentLine {
    #[sqlx(try_from = "Uuid")]
    pub id: PaymentId,
    #[sqlx(try_from = "Uuid")]
    pub order_id: OrderId,
    pub order_ref: String,
    #[sqlx(try_from = "Uuid")]
    pub customer_id: CustomerId,
    pub customer_name: Option<String>,
    pub customer_profile_name: Option<String>,
    pub customer_phone: Option<String>,
    pub amount: i64,
    pub currency: String,
    /// `deposit`, `balance` or `full`.
    pub kind: String,
    pub provider: String,
    pub status: String,
    pub paid_at: Option<DateTime<Utc>>,
    /// Why a person must look at it.
    pub flag: Option<String>,
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const PAYMENT_SELECT: &str = "SELECT p.id, p.order_id, o.order_ref, o.customer_id, c.name AS customer_name, \
     c.wa_profile_name AS customer_profile_name, c.phone AS customer_phone, p.amount, p.currency, \
     p.type AS kind, p.provider, p.status, p.paid_at, p.flag, p.failure, p.created_at, p.updated_at \
     FROM payments p JOIN orders o ON o.id = p.order_id JOIN customers c ON c.id = o.customer_id";

/// Payments received since `since`, newest first.
pub async fn paid_payments(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    since: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<PaymentLine>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PAYMENT_SELECT} WHERE p.tenant_id = $1 AND p.status = 'paid' AND p.paid_at >= $2 \
         ORDER BY p.paid_at DESC, p.id DESC LIMIT $3"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, PaymentLine>(sql)
        .bind(tenant.0)
        .bind(since)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Payments flagged for a person (an amount or currency the provider
/// reports differently, a verify that disagrees, an overpayment, a request
/// the provider refused), the most recently changed first.
pub async fn flagged_payments(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    limit: i64,
) -> StoreResult<Vec<PaymentLine>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{PAYMENT_SELECT} WHERE p.tenant_id = $1 AND p.flag IS NOT NULL \
         ORDER BY p.updated_at DESC, p.id DESC LIMIT $2"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, PaymentLine>(sql)
        .bind(tenant.0)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// The latest write of each kind the dashboard shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Changes {
    pub orders: Option<DateTime<Utc>>,
    pub payments: Option<DateTime<Utc>>,
    pub messages: Option<DateTime<Utc>>,
}

/// Three index seeks in one round trip (each `(tenant_id, updated_at)`).
pub async fn changes(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Changes> {
    Ok(run!(ex, c => sqlx::query_as::<_, Changes>(
        "SELECT \
           (SELECT updated_at FROM orders WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1) AS orders, \
           (SELECT updated_at FROM payments WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1) AS payments, \
           (SELECT updated_at FROM wa_messages WHERE tenant_id = $1 ORDER BY updated_at DESC LIMIT 1) AS messages",
    )
    .bind(tenant.0)
    .fetch_one(c)
    .await)?)
}

/// A business of realistic size for benchmarks of these reads (`sokoni
/// bench`, the timing tests): customers and a year of orders, most of them
/// long delivered and paid, some cancelled, the recent ones in progress
/// and a few overdue, with their stage rows, payments, lines and the
/// customers' figures. Written in large batches in one transaction, with
/// the timestamps a year of use leaves (this is a fixture writer, not a
/// repository: nothing else writes history).
pub mod bench {
    use crate::{Db, StoreResult, run};
    use chrono::{DateTime, Duration, SubsecRound, Utc};
    use domain::TenantId;
    use domain::order::{Source, Stage, pipeline};
    use uuid::Uuid;

    /// One multi-row INSERT of `rows` (`head` names the columns), the
    /// row closure compiled once per backend.
    macro_rules! insert_rows {
        ($tx:ident, $head:expr, $rows:expr, |$b:ident, $r:pat_param| $push:block) => {
            run!(&mut $tx, c => {
                let mut qb = sqlx::QueryBuilder::new($head);
                qb.push_values($rows, |mut $b, $r| $push);
                qb.build().execute(c).await.map(|r| r.rows_affected())
            })?
        };
    }

    #[derive(Debug, Clone, Copy)]
    pub struct Plan {
        pub customers: usize,
        pub orders: usize,
        /// The bench's "now": orders reach a year back from it.
        pub now: DateTime<Utc>,
    }

    /// What was written.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct Seeded {
        pub customers: usize,
        pub orders: usize,
        pub active_orders: usize,
        pub payments: usize,
        pub items: usize,
    }

    /// A small deterministic generator (the same data on every run).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, below: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % below.max(1)
        }
    }

    struct Order {
        id: Uuid,
        customer: usize,
        stage: Stage,
        price: i64,
        deposit: i64,
        deadline: DateTime<Utc>,
        created: DateTime<Utc>,
        updated: DateTime<Utc>,
    }

    const ROWS_PER_STATEMENT: usize = 400;

    pub async fn seed(db: &Db, tenant: TenantId, plan: &Plan) -> StoreResult<Seeded> {
        let t = crate::tenants::get(db, tenant).await?;
        let currency = t.currency.code().to_string();
        let now = plan.now.trunc_subsecs(6);
        let mut rng = Lcg(0x5eed ^ plan.orders as u64);
        let work: Vec<Stage> = pipeline(t.vertical)
            .stages
            .iter()
            .copied()
            .filter(|s| !s.is_terminal())
            .collect();
        let n_customers = plan.customers.max(1);
        let customer_ids: Vec<Uuid> = (0..n_customers).map(|_| Uuid::now_v7()).collect();
        let mut orders = Vec::with_capacity(plan.orders);
        for i in 0..plan.orders {
            // Spread over a year, the newest last.
            let age_min = (plan.orders - i) as i64 * 525_600 / plan.orders.max(1) as i64;
            let created = now - Duration::minutes(age_min);
            let deadline = created + Duration::days(3 + rng.next(12) as i64);
            let recent = age_min < 10 * 24 * 60;
            let stage = if recent || rng.next(100) < 2 {
                work[rng.next(work.len() as u64) as usize]
            } else if rng.next(100) < 8 {
                Stage::Cancelled
            } else {
                Stage::Delivered
            };
            let price = 100 * (50 + rng.next(2_000) as i64) * 100;
            let finished = created + Duration::days(1 + rng.next(10) as i64);
            orders.push(Order {
                id: Uuid::now_v7(),
                customer: rng.next(n_customers as u64) as usize,
                stage,
                price,
                deposit: price / 2,
                deadline,
                created,
                updated: if stage.is_terminal() {
                    finished.min(now)
                } else {
                    created
                },
            });
        }
        let mut tx = db.begin().await?;
        let (prefix, last): (String, i64) = run!(&mut tx, c => sqlx::query_as(
            "UPDATE tenants SET order_seq = order_seq + $2 WHERE id = $1 RETURNING order_prefix, order_seq",
        )
        .bind(tenant.0)
        .bind(plan.orders as i64)
        .fetch_one(c)
        .await)?;
        let first_seq = last - plan.orders as i64 + 1;

        // Payments: finished orders paid in full, work in progress half
        // the time with its deposit, else a deposit link pending.
        struct Pay {
            order: usize,
            amount: i64,
            kind: &'static str,
            status: &'static str,
            at: DateTime<Utc>,
        }
        let mut pays = Vec::new();
        for (i, o) in orders.iter().enumerate() {
            match o.stage {
                Stage::Delivered => pays.push(Pay {
                    order: i,
                    amount: o.price,
                    kind: "full",
                    status: "paid",
                    at: o.updated,
                }),
                Stage::Cancelled => {}
                _ if rng.next(2) == 0 => pays.push(Pay {
                    order: i,
                    amount: o.deposit,
                    kind: "deposit",
                    status: "paid",
                    at: o.created,
                }),
                _ => pays.push(Pay {
                    order: i,
                    amount: o.deposit,
                    kind: "deposit",
                    status: "pending",
                    at: o.created,
                }),
            }
        }
        // The customers' figures, as refresh_stats would compute them.
        let mut stats = vec![(0i32, 0i64, None::<DateTime<Utc>>); n_customers];
        for o in &orders {
            if o.stage != Stage::Cancelled {
                let s = &mut stats[o.customer];
                s.0 += 1;
                s.2 = Some(s.2.map_or(o.created, |d: DateTime<Utc>| d.max(o.created)));
            }
        }
        for p in pays.iter().filter(|p| p.status == "paid") {
            stats[orders[p.order].customer].1 += p.amount;
        }

        let year_ago = now - Duration::days(400);
        for (chunk_no, chunk) in customer_ids.chunks(ROWS_PER_STATEMENT).enumerate() {
            insert_rows!(
                tx,
                "INSERT INTO customers (id, tenant_id, name, phone, wa_id, total_orders, total_spent, \
                 last_order_at, last_inbound_at, created_at, updated_at) ",
                chunk.iter().enumerate(),
                |b, (j, id)| {
                    let k = chunk_no * ROWS_PER_STATEMENT + j;
                    let (orders_n, spent, last) = stats[k];
                    let phone = format!("+2547{k:08}");
                    b.push_bind(*id)
                        .push_bind(tenant.0)
                        .push_bind(format!("Customer {k}"))
                        .push_bind(phone.clone())
                        .push_bind(phone.trim_start_matches('+').to_string())
                        .push_bind(orders_n)
                        .push_bind(spent)
                        .push_bind(last)
                        .push_bind(last)
                        .push_bind(year_ago)
                        .push_bind(year_ago);
                }
            );
        }
        for (chunk_no, chunk) in orders.chunks(ROWS_PER_STATEMENT).enumerate() {
            insert_rows!(
                tx,
                "INSERT INTO orders (id, tenant_id, order_ref, customer_id, style_name, quantity, price, \
                 deposit_amount, currency, current_stage, deadline, source, created_at, updated_at) ",
                chunk.iter().enumerate(),
                |b, (j, o)| {
                    let seq = first_seq + (chunk_no * ROWS_PER_STATEMENT + j) as i64;
                    let source = if j % 3 == 0 {
                        Source::Dashboard
                    } else {
                        Source::Whatsapp
                    };
                    b.push_bind(o.id)
                        .push_bind(tenant.0)
                        .push_bind(domain::order::order_ref(&prefix, seq))
                        .push_bind(customer_ids[o.customer])
                        .push_bind(if j % 2 == 0 {
                            Some("Senator suit")
                        } else {
                            None
                        })
                        .push_bind(1i32)
                        .push_bind(o.price)
                        .push_bind(o.deposit)
                        .push_bind(currency.clone())
                        .push_bind(o.stage.as_str())
                        .push_bind(o.deadline)
                        .push_bind(source.as_str())
                        .push_bind(o.created)
                        .push_bind(o.updated);
                }
            );
            insert_rows!(
                tx,
                "INSERT INTO order_stages (id, tenant_id, order_id, stage, entered_at) ",
                chunk.iter(),
                |b, o| {
                    b.push_bind(Uuid::now_v7())
                        .push_bind(tenant.0)
                        .push_bind(o.id)
                        .push_bind(o.stage.as_str())
                        .push_bind(o.updated);
                }
            );
            insert_rows!(
                tx,
                "INSERT INTO order_items (id, tenant_id, order_id, sku, name, quantity, unit_price, \
                 line_total, created_at) ",
                chunk.iter(),
                |b, o| {
                    b.push_bind(Uuid::now_v7())
                        .push_bind(tenant.0)
                        .push_bind(o.id)
                        .push_bind("SUIT")
                        .push_bind("Senator suit")
                        .push_bind(1i64)
                        .push_bind(o.price)
                        .push_bind(o.price)
                        .push_bind(o.created);
                }
            );
        }
        for chunk in pays.chunks(ROWS_PER_STATEMENT) {
            insert_rows!(
                tx,
                "INSERT INTO payments (id, tenant_id, order_id, customer_id, amount, currency, type, \
                 provider, status, paid_at, created_at, updated_at) ",
                chunk.iter(),
                |b, p| {
                    let o = &orders[p.order];
                    b.push_bind(Uuid::now_v7())
                        .push_bind(tenant.0)
                        .push_bind(o.id)
                        .push_bind(customer_ids[o.customer])
                        .push_bind(p.amount)
                        .push_bind(currency.clone())
                        .push_bind(p.kind)
                        .push_bind("cash")
                        .push_bind(p.status)
                        .push_bind((p.status == "paid").then_some(p.at))
                        .push_bind(p.at)
                        .push_bind(p.at);
                }
            );
        }
        tx.commit().await?;
        Ok(Seeded {
            customers: n_customers,
            orders: orders.len(),
            active_orders: orders.iter().filter(|o| !o.stage.is_terminal()).count(),
            payments: pays.len(),
            items: orders.len(),
        })
    }
}
