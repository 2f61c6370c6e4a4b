//! The automation engine's rows: triggers, the ledger, runs and scheduled
//! messages, and the candidate queries of each trigger kind.
//!
//! The candidate queries are the one place that reads across businesses:
//! each serves every business whose trigger of one kind has the same
//! thresholds (`params`), so a cycle runs a handful of queries whatever the
//! number of businesses, and each returns only targets (what a trigger
//! finds, before the ledger and the sending rules have their say).

use crate::{Db, Ex, StoreError, StoreResult, run};
use chrono::{DateTime, NaiveDate, Utc};
use domain::TenantId;
use domain::text::Overrides;
use sqlx::types::Json;
use std::collections::HashSet;
use uuid::Uuid;

/// One trigger of one business.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Trigger {
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub kind: String,
    pub enabled: bool,
    pub config: Json<serde_json::Value>,
    pub params: String,
    pub texts: Json<Overrides>,
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A trigger's fields as written (checked by the engine).
#[derive(Debug, Clone)]
pub struct TriggerFields<'a> {
    pub kind: &'a str,
    pub enabled: bool,
    pub config: &'a serde_json::Value,
    pub params: &'a str,
    pub texts: &'a Overrides,
    pub quiet_start: Option<&'a str>,
    pub quiet_end: Option<&'a str>,
}

const TRIGGER: &str = "SELECT id, tenant_id, kind, enabled, config, params, texts, quiet_start, quiet_end, \
     last_run_at, created_at, updated_at FROM automation_triggers";

pub async fn insert_trigger(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    t: &TriggerFields<'_>,
    at: DateTime<Utc>,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    run!(ex, c => sqlx::query(
        "INSERT INTO automation_triggers (id, tenant_id, kind, enabled, config, params, texts, quiet_start, \
         quiet_end, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(id)
    .bind(tenant.0)
    .bind(t.kind)
    .bind(t.enabled)
    .bind(Json(t.config))
    .bind(t.params)
    .bind(Json(t.texts))
    .bind(t.quiet_start)
    .bind(t.quiet_end)
    .bind(at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(id)
}

/// Replaces a trigger's fields (its kind stays).
pub async fn update_trigger(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: Uuid,
    t: &TriggerFields<'_>,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let n = run!(ex, c => sqlx::query(
        "UPDATE automation_triggers SET enabled = $3, config = $4, params = $5, texts = $6, quiet_start = $7, \
         quiet_end = $8, updated_at = $9 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id)
    .bind(t.enabled)
    .bind(Json(t.config))
    .bind(t.params)
    .bind(Json(t.texts))
    .bind(t.quiet_start)
    .bind(t.quiet_end)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn triggers(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Vec<Trigger>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{TRIGGER} WHERE tenant_id = $1 ORDER BY created_at, id"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Trigger>(sql).bind(tenant.0).fetch_all(c).await)?)
}

pub async fn trigger(ex: impl Into<Ex<'_>>, tenant: TenantId, id: Uuid) -> StoreResult<Trigger> {
    let sql = sqlx::AssertSqlSafe(format!("{TRIGGER} WHERE tenant_id = $1 AND id = $2"));
    run!(ex, c => sqlx::query_as::<_, Trigger>(sql).bind(tenant.0).bind(id).fetch_optional(c).await)?
        .ok_or(StoreError::NotFound)
}

/// Every trigger of these kinds in these businesses (the cycle's wording,
/// quiet hours), in bounded batches.
pub async fn triggers_by_id(ex: impl Into<Ex<'_>>, ids: &[Uuid]) -> StoreResult<Vec<Trigger>> {
    crate::select_in(ex, &format!("{TRIGGER} WHERE id"), ids, "").await
}

/// The distinct (kind, params) of enabled triggers: one candidate query each.
pub async fn groups(ex: impl Into<Ex<'_>>) -> StoreResult<Vec<(String, String)>> {
    Ok(run!(ex, c => sqlx::query_as::<_, (String, String)>(
        "SELECT DISTINCT kind, params FROM automation_triggers WHERE enabled ORDER BY kind, params",
    )
    .fetch_all(c)
    .await)?)
}

/// Stamps the triggers of one group with the cycle's time.
pub async fn touch(
    ex: impl Into<Ex<'_>>,
    kind: &str,
    params: &str,
    at: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(run!(ex, c => sqlx::query(
        "UPDATE automation_triggers SET last_run_at = $3 WHERE kind = $1 AND params = $2 AND enabled",
    )
    .bind(kind)
    .bind(params)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// What a trigger's query found: the target and what its message needs.
/// Each query fills the fields of its kind.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Candidate {
    pub trigger_id: Option<Uuid>,
    pub tenant_id: Uuid,
    pub target_id: Uuid,
    #[sqlx(default)]
    pub customer_id: Option<Uuid>,
    #[sqlx(default)]
    pub order_id: Option<Uuid>,
    #[sqlx(default)]
    pub order_ref: Option<String>,
    /// The balance (order_ready) or the payment's amount (unpaid_balance).
    #[sqlx(default)]
    pub amount: Option<i64>,
    #[sqlx(default)]
    pub link: Option<String>,
    #[sqlx(default)]
    pub expires_at: Option<DateTime<Utc>>,
    #[sqlx(default)]
    pub first_sent_at: Option<DateTime<Utc>>,
    /// The last escalation step sent, by index (unpaid_balance).
    #[sqlx(default)]
    pub last_step: Option<i32>,
    #[sqlx(default)]
    pub deadline: Option<DateTime<Utc>>,
    #[sqlx(default)]
    pub stage: Option<String>,
    #[sqlx(default)]
    pub assigned_to: Option<Uuid>,
    #[sqlx(default)]
    pub customer_name: Option<String>,
    #[sqlx(default)]
    pub product: Option<String>,
    #[sqlx(default)]
    pub available: Option<i64>,
    #[sqlx(default)]
    pub threshold: Option<i64>,
    /// A scheduled message's text.
    #[sqlx(default)]
    pub body: Option<String>,
    #[sqlx(default)]
    pub birthday: Option<NaiveDate>,
}

async fn candidates(ex: Ex<'_>, sql: String, binds: Binds<'_>) -> StoreResult<Vec<Candidate>> {
    let sql = sqlx::AssertSqlSafe(sql);
    Ok(run!(ex, c => {
        let mut q = sqlx::query_as::<_, Candidate>(sql);
        for b in binds.0 {
            q = match b {
                Bind::Text(s) => q.bind(s),
                Bind::Time(t) => q.bind(t),
                Bind::Int(i) => q.bind(i),
                Bind::Id(u) => q.bind(u),
            };
        }
        q.fetch_all(c).await
    })?)
}

enum Bind<'a> {
    Text(&'a str),
    Time(DateTime<Utc>),
    Int(i64),
    Id(Option<Uuid>),
}

struct Binds<'a>(Vec<Bind<'a>>);

const FROM_TRIGGERS: &str = "FROM automation_triggers t";
/// The triggers of one group: enabled ones, or (a dry run) the one named
/// by `$3` whether enabled or not.
const OF_GROUP: &str =
    "t.kind = $1 AND t.params = $2 AND (($3 IS NULL AND t.enabled) OR t.id = $3)";

/// customer_inactive: last order before `cutoff`, nothing open, not sent
/// this kind since `quiet_since`.
pub async fn inactive(
    ex: impl Into<Ex<'_>>,
    params: &str,
    only: Option<Uuid>,
    cutoff: DateTime<Utc>,
    quiet_since: DateTime<Utc>,
) -> StoreResult<Vec<Candidate>> {
    candidates(
        ex.into(),
        format!(
            "SELECT t.id AS trigger_id, c.tenant_id, c.id AS target_id, c.id AS customer_id \
             {FROM_TRIGGERS} JOIN customers c ON c.tenant_id = t.tenant_id AND c.last_order_at < $4 \
             WHERE {OF_GROUP} \
             AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id \
                 AND o.current_stage NOT IN ('delivered', 'cancelled')) \
             AND NOT EXISTS (SELECT 1 FROM automation_ledger l WHERE l.tenant_id = c.tenant_id \
                 AND l.customer_id = c.id AND l.kind = $1 AND l.outcome <> 'deferred' AND l.created_at > $5)"
        ),
        Binds(vec![
            Bind::Text("customer_inactive"),
            Bind::Text(params),
        Bind::Id(only),
            Bind::Time(cutoff),
            Bind::Time(quiet_since),
        ]),
    )
    .await
}

/// What an order has been paid: by (business, order), on the payments'
/// index that leads with the business.
const PAID: &str = "COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.tenant_id = o.tenant_id \
     AND p.order_id = o.id AND p.status = 'paid'), 0)";

/// order_ready: ready with money due and no message about it since
/// `quiet_since`; the open link if it is still valid at `now`.
pub async fn ready(
    ex: impl Into<Ex<'_>>,
    params: &str,
    only: Option<Uuid>,
    quiet_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Candidate>> {
    candidates(
        ex.into(),
        format!(
            "SELECT t.id AS trigger_id, o.tenant_id, o.id AS target_id, o.customer_id, o.id AS order_id, \
             o.order_ref, CAST(o.price - {PAID} AS BIGINT) AS amount, \
             (SELECT p.payment_link FROM payments p WHERE p.tenant_id = o.tenant_id AND p.order_id = o.id \
                 AND p.status = 'pending' \
                 AND p.payment_link IS NOT NULL AND (p.expires_at IS NULL OR p.expires_at > $5) \
                 ORDER BY p.created_at DESC LIMIT 1) AS link \
             {FROM_TRIGGERS} JOIN orders o ON o.tenant_id = t.tenant_id AND o.current_stage = 'ready' \
             WHERE {OF_GROUP} AND o.price > {PAID} \
             AND NOT EXISTS (SELECT 1 FROM wa_messages m WHERE m.order_id = o.id AND m.direction = 'outbound' \
                 AND m.created_at > $4)"
        ),
        Binds(vec![
            Bind::Text("order_ready"),
            Bind::Text(params),
        Bind::Id(only),
            Bind::Time(quiet_since),
            Bind::Time(now),
        ]),
    )
    .await
}

/// unpaid_balance: pending payments whose link first went out at or before
/// `cutoff` (the first step's day) and whose final reminder has not been
/// sent, with the last step sent.
pub async fn unpaid(
    ex: impl Into<Ex<'_>>,
    params: &str,
    only: Option<Uuid>,
    cutoff: DateTime<Utc>,
) -> StoreResult<Vec<Candidate>> {
    candidates(
        ex.into(),
        format!(
            "SELECT t.id AS trigger_id, p.tenant_id, p.id AS target_id, o.customer_id, o.id AS order_id, \
             o.order_ref, p.amount, p.payment_link AS link, p.expires_at, p.first_sent_at, \
             (SELECT MAX(CASE l.step WHEN 'gentle' THEN 0 WHEN 'firm' THEN 1 WHEN 'final' THEN 2 END) \
                 FROM automation_ledger l WHERE l.target_id = p.id AND l.kind = $1 AND l.outcome <> 'deferred') AS last_step \
             {FROM_TRIGGERS} JOIN payments p ON p.tenant_id = t.tenant_id AND p.status = 'pending' \
                 AND p.first_sent_at <= $4 \
             JOIN orders o ON o.id = p.order_id AND o.current_stage <> 'cancelled' \
             WHERE {OF_GROUP} \
             AND NOT EXISTS (SELECT 1 FROM automation_ledger l WHERE l.target_id = p.id AND l.kind = $1 \
                 AND l.step = 'final' AND l.outcome <> 'deferred')"
        ),
        Binds(vec![
            Bind::Text("unpaid_balance"),
            Bind::Text(params),
        Bind::Id(only),
            Bind::Time(cutoff),
        ]),
    )
    .await
}

/// deadline_risk: unfinished orders in `stages` due between `from` and
/// `until`.
pub async fn deadline(
    ex: impl Into<Ex<'_>>,
    params: &str,
    only: Option<Uuid>,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    stages: &[&str],
) -> StoreResult<Vec<Candidate>> {
    let marks: Vec<String> = (0..stages.len()).map(|i| format!("${}", i + 6)).collect();
    let mut binds = vec![
        Bind::Text("deadline_risk"),
        Bind::Text(params),
        Bind::Id(only),
        Bind::Time(from),
        Bind::Time(until),
    ];
    binds.extend(stages.iter().map(|s| Bind::Text(s)));
    candidates(
        ex.into(),
        format!(
            "SELECT t.id AS trigger_id, o.tenant_id, o.id AS target_id, o.customer_id, o.id AS order_id, \
             o.order_ref, o.deadline, o.current_stage AS stage, o.assigned_to, c.name AS customer_name \
             {FROM_TRIGGERS} JOIN orders o ON o.tenant_id = t.tenant_id AND o.deadline > $4 AND o.deadline <= $5 \
             JOIN customers c ON c.id = o.customer_id \
             WHERE {OF_GROUP} AND o.current_stage IN ({})",
            marks.join(", ")
        ),
        Binds(binds),
    )
    .await
}

/// birthday: customers with at least one order whose birthday falls on
/// one of `days` (month and day), not sent this kind since `quiet_since`.
pub async fn birthdays(
    ex: impl Into<Ex<'_>>,
    params: &str,
    only: Option<Uuid>,
    days: &[NaiveDate],
    quiet_since: DateTime<Utc>,
) -> StoreResult<Vec<Candidate>> {
    let ex = ex.into();
    let month_day = match &ex {
        Ex::Pool(Db::Sqlite(_)) | Ex::Tx(crate::Tx::Sqlite(_)) => "strftime('%m-%d', c.birthday)",
        _ => "to_char(c.birthday, 'MM-DD')",
    };
    let md: Vec<String> = days.iter().map(|d| d.format("%m-%d").to_string()).collect();
    let marks: Vec<String> = (0..md.len()).map(|i| format!("${}", i + 5)).collect();
    let mut binds = vec![
        Bind::Text("birthday"),
        Bind::Text(params),
        Bind::Id(only),
        Bind::Time(quiet_since),
    ];
    binds.extend(md.iter().map(|s| Bind::Text(s)));
    candidates(
        ex,
        format!(
            "SELECT t.id AS trigger_id, c.tenant_id, c.id AS target_id, c.id AS customer_id, c.birthday \
             {FROM_TRIGGERS} JOIN customers c ON c.tenant_id = t.tenant_id AND c.birthday IS NOT NULL \
                 AND c.total_orders >= 1 \
             WHERE {OF_GROUP} AND {month_day} IN ({}) \
             AND NOT EXISTS (SELECT 1 FROM automation_ledger l WHERE l.tenant_id = c.tenant_id \
                 AND l.customer_id = c.id AND l.kind = $1 AND l.outcome <> 'deferred' AND l.created_at > $4)",
            marks.join(", ")
        ),
        Binds(binds),
    )
    .await
}

/// repeat_customer: customers with `orders` or more orders, one of them
/// delivered since `delivered_since`, not sent this kind since
/// `quiet_since`.
pub async fn repeat(
    ex: impl Into<Ex<'_>>,
    params: &str,
    only: Option<Uuid>,
    orders: i64,
    delivered_since: DateTime<Utc>,
    quiet_since: DateTime<Utc>,
) -> StoreResult<Vec<Candidate>> {
    candidates(
        ex.into(),
        format!(
            "SELECT t.id AS trigger_id, c.tenant_id, c.id AS target_id, c.id AS customer_id \
             {FROM_TRIGGERS} JOIN customers c ON c.tenant_id = t.tenant_id AND c.total_orders >= $4 \
             WHERE {OF_GROUP} \
             AND c.id IN (SELECT o.customer_id FROM order_stages s JOIN orders o ON o.id = s.order_id \
                 WHERE s.stage = 'delivered' AND s.entered_at > $5) \
             AND NOT EXISTS (SELECT 1 FROM automation_ledger l WHERE l.tenant_id = c.tenant_id \
                 AND l.customer_id = c.id AND l.kind = $1 AND l.outcome <> 'deferred' AND l.created_at > $6)"
        ),
        Binds(vec![
            Bind::Text("repeat_customer"),
            Bind::Text(params),
        Bind::Id(only),
            Bind::Int(orders),
            Bind::Time(delivered_since),
            Bind::Time(quiet_since),
        ]),
    )
    .await
}

/// ` AND` the order is not cancelled and belongs to one of `customers`.
fn push_owners<DB: sqlx::Database>(
    qb: &mut sqlx::QueryBuilder<DB>,
    tenants: &[Uuid],
    customers: &[(TenantId, Uuid)],
) where
    Uuid: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    qb.push(" AND o.current_stage <> 'cancelled' AND o.tenant_id IN (");
    let mut list = qb.separated(", ");
    for t in tenants {
        list.push_bind(*t);
    }
    qb.push(") AND o.customer_id IN (");
    let mut list = qb.separated(", ");
    for (_, id) in customers {
        list.push_bind(*id);
    }
    qb.push(")");
}

/// What each of `customers` (business, customer) ordered: their styles
/// and products, one row per mention (the caller counts), read by the
/// orders' index that leads with the business.
pub async fn past_items(
    ex: impl Into<Ex<'_>>,
    customers: &[(TenantId, Uuid)],
) -> StoreResult<Vec<(Uuid, String)>> {
    let mut out = Vec::new();
    let mut ex = ex.into();
    for chunk in customers.chunks(300) {
        let mut tenants: Vec<Uuid> = chunk.iter().map(|(t, _)| t.0).collect();
        tenants.sort();
        tenants.dedup();
        let rows: Vec<(Uuid, String)> = run!(ex.re(), c => {
            // Their styles, then the products of their orders; each half
            // filtered by business and customer, on the orders' index.
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT o.customer_id, o.style_name FROM orders o WHERE o.style_name IS NOT NULL",
            );
            push_owners(&mut qb, &tenants, chunk);
            qb.push(
                " UNION ALL SELECT o.customer_id, i.name FROM order_items i \
                 JOIN orders o ON o.id = i.order_id AND o.tenant_id = i.tenant_id WHERE TRUE",
            );
            push_owners(&mut qb, &tenants, chunk);
            qb.build_query_as().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// low_stock: tracked products at or below their threshold.
pub async fn low_stock(
    ex: impl Into<Ex<'_>>,
    params: &str,
    only: Option<Uuid>,
) -> StoreResult<Vec<Candidate>> {
    candidates(
        ex.into(),
        format!(
            "SELECT t.id AS trigger_id, p.tenant_id, p.id AS target_id, p.name AS product, \
             CAST(p.stock_on_hand - p.reserved AS BIGINT) AS available, p.low_stock_threshold AS threshold \
             {FROM_TRIGGERS} JOIN products p ON p.tenant_id = t.tenant_id AND p.track_stock \
                 AND p.low_stock_threshold IS NOT NULL \
             WHERE {OF_GROUP} AND p.stock_on_hand - p.reserved <= p.low_stock_threshold"
        ),
        Binds(vec![Bind::Text("low_stock"), Bind::Text(params), Bind::Id(only)]),
    )
    .await
}

/// daily_summary: one candidate per business of the group (the engine
/// keeps those whose hour has come).
pub async fn summaries(
    ex: impl Into<Ex<'_>>,
    params: &str,
    only: Option<Uuid>,
) -> StoreResult<Vec<Candidate>> {
    candidates(
        ex.into(),
        format!(
            "SELECT t.id AS trigger_id, t.tenant_id, t.tenant_id AS target_id {FROM_TRIGGERS} WHERE {OF_GROUP}"
        ),
        Binds(vec![Bind::Text("daily_summary"), Bind::Text(params), Bind::Id(only)]),
    )
    .await
}

/// scheduled_message: scheduled messages due at `now`.
pub async fn scheduled_due(
    ex: impl Into<Ex<'_>>,
    params: &str,
    only: Option<Uuid>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Candidate>> {
    candidates(
        ex.into(),
        format!(
            "SELECT t.id AS trigger_id, s.tenant_id, s.id AS target_id, s.customer_id, s.body \
             {FROM_TRIGGERS} JOIN scheduled_messages s ON s.tenant_id = t.tenant_id AND s.status = 'scheduled' \
                 AND s.send_at <= $4 \
             WHERE {OF_GROUP}"
        ),
        Binds(vec![
            Bind::Text("scheduled_message"),
            Bind::Text(params),
        Bind::Id(only),
            Bind::Time(now),
        ]),
    )
    .await
}

/// A business's figures for the owner's daily summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayFigures {
    pub orders: i64,
    pub due: i64,
    pub unpaid: i64,
    pub unpaid_count: i64,
    pub sales: i64,
}

/// The daily summary's figures of businesses whose day began at
/// `day_start` (one timezone): orders placed and money paid since then,
/// orders due before `due_until`, and balances due. One query per batch
/// of businesses, each figure an aggregate on an index leading with the
/// business.
pub async fn day_figures(
    ex: impl Into<Ex<'_>>,
    tenants: &[TenantId],
    day_start: DateTime<Utc>,
    now: DateTime<Utc>,
    due_until: DateTime<Utc>,
) -> StoreResult<std::collections::HashMap<TenantId, DayFigures>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        orders: i64,
        due: i64,
        unpaid: i64,
        unpaid_count: i64,
        sales: i64,
    }
    let mut out = std::collections::HashMap::new();
    let mut ex = ex.into();
    for chunk in tenants.chunks(500) {
        let rows: Vec<Row> = run!(ex.re(), c => {
            let mut qb = sqlx::QueryBuilder::new("SELECT t.id, \
                 (SELECT COUNT(*) FROM orders o WHERE o.tenant_id = t.id AND o.created_at >= ");
            qb.push_bind(day_start).push(" AND o.current_stage <> 'cancelled') AS orders, \
                 (SELECT COUNT(*) FROM orders o WHERE o.tenant_id = t.id AND o.deadline > ");
            qb.push_bind(now).push(" AND o.deadline <= ").push_bind(due_until).push(
                " AND o.current_stage NOT IN ('delivered', 'cancelled')) AS due, \
                 CAST(COALESCE((SELECT SUM(o.price - COALESCE(pd.paid, 0)) FROM orders o \
                     LEFT JOIN (SELECT order_id, SUM(amount) AS paid FROM payments WHERE tenant_id = t.id \
                                AND status = 'paid' GROUP BY order_id) pd ON pd.order_id = o.id \
                     WHERE o.tenant_id = t.id AND o.current_stage <> 'cancelled' \
                     AND o.price > COALESCE(pd.paid, 0)), 0) AS BIGINT) AS unpaid, \
                 (SELECT COUNT(*) FROM orders o WHERE o.tenant_id = t.id AND o.current_stage <> 'cancelled' \
                     AND o.price > COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.order_id = o.id \
                         AND p.status = 'paid'), 0)) AS unpaid_count, \
                 CAST(COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.tenant_id = t.id \
                     AND p.status = 'paid' AND p.paid_at >= ",
            );
            qb.push_bind(day_start).push("), 0) AS BIGINT) AS sales FROM tenants t WHERE t.id IN (");
            let mut list = qb.separated(", ");
            for t in chunk {
                list.push_bind(t.0);
            }
            qb.push(")");
            qb.build_query_as::<Row>().fetch_all(c).await
        })?;
        out.extend(rows.into_iter().map(|r| {
            (
                TenantId(r.id),
                DayFigures {
                    orders: r.orders,
                    due: r.due,
                    unpaid: r.unpaid,
                    unpaid_count: r.unpaid_count,
                    sales: r.sales,
                },
            )
        }));
    }
    Ok(out)
}

/// One line of the ledger: what became of one target on one day.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub tenant: TenantId,
    pub trigger_id: Option<Uuid>,
    pub run_id: Option<Uuid>,
    pub kind: &'a str,
    pub target_id: Uuid,
    pub step: &'a str,
    pub day: NaiveDate,
    pub customer_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    /// `sent`, `skipped` or `deferred`.
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    pub until: Option<DateTime<Utc>>,
    pub body: Option<&'a str>,
}

/// Writes the entry, or takes over a deferred one with the same key.
/// `None`: the key is already sent or skipped (by another replica, or an
/// earlier cycle): nothing may be sent.
pub async fn claim(
    ex: impl Into<Ex<'_>>,
    e: &Entry<'_>,
    at: DateTime<Utc>,
) -> StoreResult<Option<Uuid>> {
    Ok(run!(ex, c => sqlx::query_scalar::<_, Uuid>(
        "INSERT INTO automation_ledger (id, tenant_id, trigger_id, run_id, kind, target_id, step, day, customer_id, \
         order_id, outcome, reason, until, body, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
         ON CONFLICT (tenant_id, kind, target_id, step, day) DO UPDATE SET \
           trigger_id = excluded.trigger_id, run_id = excluded.run_id, outcome = excluded.outcome, \
           reason = excluded.reason, until = excluded.until, body = excluded.body, updated_at = excluded.updated_at \
         WHERE automation_ledger.outcome = 'deferred' \
         RETURNING id",
    )
    .bind(Uuid::now_v7())
    .bind(e.tenant.0)
    .bind(e.trigger_id)
    .bind(e.run_id)
    .bind(e.kind)
    .bind(e.target_id)
    .bind(e.step)
    .bind(e.day)
    .bind(e.customer_id)
    .bind(e.order_id)
    .bind(e.outcome)
    .bind(e.reason)
    .bind(e.until)
    .bind(e.body)
    .bind(at)
    .fetch_optional(c)
    .await)?)
}

/// Records the message a sent entry queued (or, when the send was refused
/// after all, the reason it became a skip).
pub async fn settle(
    ex: impl Into<Ex<'_>>,
    id: Uuid,
    message_id: Option<Uuid>,
    skipped: Option<&str>,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE automation_ledger SET message_id = $2, \
         outcome = CASE WHEN $3 IS NULL THEN outcome ELSE 'skipped' END, reason = COALESCE($3, reason) \
         WHERE id = $1",
    )
    .bind(id)
    .bind(message_id)
    .bind(skipped)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The (target, step, day) of `kind` already sent or skipped on or after
/// `since`, among `targets`: what a cycle leaves alone.
pub async fn done(
    ex: impl Into<Ex<'_>>,
    kind: &str,
    targets: &[Uuid],
    since: NaiveDate,
) -> StoreResult<HashSet<(Uuid, String, NaiveDate)>> {
    let mut out = HashSet::new();
    let mut ex = ex.into();
    for chunk in targets.chunks(500) {
        let rows: Vec<(Uuid, String, NaiveDate)> = run!(ex.re(), c => {
            let mut qb = sqlx::QueryBuilder::new("SELECT target_id, step, day FROM automation_ledger WHERE kind = ");
            qb.push_bind(kind)
                .push(" AND outcome <> 'deferred' AND day >= ")
                .push_bind(since)
                .push(" AND target_id IN (");
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// A ledger line as read back.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub id: Uuid,
    pub trigger_id: Option<Uuid>,
    pub run_id: Option<Uuid>,
    pub kind: String,
    pub target_id: Uuid,
    pub step: String,
    pub day: NaiveDate,
    pub customer_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub outcome: String,
    pub reason: Option<String>,
    pub until: Option<DateTime<Utc>>,
    pub message_id: Option<Uuid>,
    pub body: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const OUTCOME: &str = "SELECT id, trigger_id, run_id, kind, target_id, step, day, customer_id, order_id, outcome, \
     reason, until, message_id, body, created_at, updated_at FROM automation_ledger";

/// The business's ledger lines of the given runs, or its latest lines.
pub async fn outcomes(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    runs: &[Uuid],
    limit: i64,
) -> StoreResult<Vec<Outcome>> {
    Ok(run!(ex, c => {
        let mut qb = sqlx::QueryBuilder::new(OUTCOME);
        qb.push(" WHERE tenant_id = ").push_bind(tenant.0);
        if !runs.is_empty() {
            qb.push(" AND run_id IN (");
            let mut list = qb.separated(", ");
            for r in runs {
                list.push_bind(*r);
            }
            qb.push(")");
        }
        qb.push(" ORDER BY updated_at DESC, id DESC LIMIT ").push_bind(limit);
        qb.build_query_as::<Outcome>().fetch_all(c).await
    })?)
}

/// One cycle as a business sees it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Run {
    pub id: Uuid,
    pub fire_at: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

pub async fn start_run(
    ex: impl Into<Ex<'_>>,
    fire_at: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    run!(ex, c => sqlx::query("INSERT INTO automation_runs (id, fire_at, started_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(fire_at)
        .bind(at)
        .execute(c)
        .await
        .map(|_| ()))?;
    Ok(id)
}

#[expect(clippy::too_many_arguments, reason = "one run's figures, all required")]
pub async fn finish_run(
    ex: impl Into<Ex<'_>>,
    id: Uuid,
    at: DateTime<Utc>,
    targets: u64,
    sent: u64,
    skipped: u64,
    deferred: u64,
    error: Option<&str>,
) -> StoreResult<()> {
    let n = |v: u64| i32::try_from(v).unwrap_or(i32::MAX);
    run!(ex, c => sqlx::query(
        "UPDATE automation_runs SET finished_at = $2, targets = $3, sent = $4, skipped = $5, deferred = $6, \
         error = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(at)
    .bind(n(targets))
    .bind(n(sent))
    .bind(n(skipped))
    .bind(n(deferred))
    .bind(error)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// The latest runs that did something for the business.
pub async fn runs(ex: impl Into<Ex<'_>>, tenant: TenantId, limit: i64) -> StoreResult<Vec<Run>> {
    Ok(run!(ex, c => sqlx::query_as::<_, Run>(
        "SELECT r.id, r.fire_at, r.started_at, r.finished_at, r.error FROM automation_runs r \
         WHERE EXISTS (SELECT 1 FROM automation_ledger l WHERE l.run_id = r.id AND l.tenant_id = $1) \
         ORDER BY r.started_at DESC, r.id DESC LIMIT $2",
    )
    .bind(tenant.0)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// A message to one customer at a set time.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Scheduled {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub send_at: DateTime<Utc>,
    pub body: String,
    /// `scheduled`, `sent`, `skipped` or `cancelled`.
    pub status: String,
    pub reason: Option<String>,
    pub message_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const SCHEDULED: &str = "SELECT id, customer_id, send_at, body, status, reason, message_id, created_by, \
     created_at, updated_at FROM scheduled_messages";

pub async fn schedule(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: Uuid,
    send_at: DateTime<Utc>,
    body: &str,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<Uuid> {
    let id = Uuid::now_v7();
    run!(ex, c => sqlx::query(
        "INSERT INTO scheduled_messages (id, tenant_id, customer_id, send_at, body, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(id)
    .bind(tenant.0)
    .bind(customer)
    .bind(send_at)
    .bind(body)
    .bind(by)
    .bind(at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(id)
}

pub async fn scheduled(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    limit: i64,
) -> StoreResult<Vec<Scheduled>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SCHEDULED} WHERE tenant_id = $1 ORDER BY send_at DESC, id DESC LIMIT $2"
    ));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Scheduled>(sql).bind(tenant.0).bind(limit).fetch_all(c).await)?,
    )
}

pub async fn scheduled_one(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: Uuid,
) -> StoreResult<Scheduled> {
    let sql = sqlx::AssertSqlSafe(format!("{SCHEDULED} WHERE tenant_id = $1 AND id = $2"));
    run!(ex, c => sqlx::query_as::<_, Scheduled>(sql).bind(tenant.0).bind(id).fetch_optional(c).await)?
        .ok_or(StoreError::NotFound)
}

/// Changes a message still scheduled; `None` fields stay. Returns whether
/// it was still scheduled.
pub async fn reschedule(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: Uuid,
    send_at: Option<DateTime<Utc>>,
    body: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    Ok(run!(ex, c => sqlx::query(
        "UPDATE scheduled_messages SET send_at = COALESCE($3, send_at), body = COALESCE($4, body), updated_at = $5 \
         WHERE tenant_id = $1 AND id = $2 AND status = 'scheduled'",
    )
    .bind(tenant.0)
    .bind(id)
    .bind(send_at)
    .bind(body)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected() > 0))?)
}

/// Closes a scheduled message: `sent` with its message, `skipped` with the
/// reason, or `cancelled`. Returns whether it was still scheduled.
pub async fn close_scheduled(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: Uuid,
    status: &str,
    reason: Option<&str>,
    message_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    Ok(run!(ex, c => sqlx::query(
        "UPDATE scheduled_messages SET status = $3, reason = $4, message_id = $5, updated_at = $6 \
         WHERE tenant_id = $1 AND id = $2 AND status = 'scheduled'",
    )
    .bind(tenant.0)
    .bind(id)
    .bind(status)
    .bind(reason)
    .bind(message_id)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected() > 0))?)
}

/// Customers by id across businesses (the cycle's targets), in bounded
/// batches.
pub async fn customers(
    ex: impl Into<Ex<'_>>,
    ids: &[Uuid],
) -> StoreResult<Vec<crate::customers::Customer>> {
    crate::customers::by_ids(ex, ids).await
}

/// A staff member who can be told something on WhatsApp.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffPhone {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub name: String,
    pub phone: String,
    pub role: String,
}

/// The active staff with a phone of these businesses.
pub async fn staff(ex: impl Into<Ex<'_>>, tenants: &[TenantId]) -> StoreResult<Vec<StaffPhone>> {
    let ids: Vec<Uuid> = tenants.iter().map(|t| t.0).collect();
    crate::select_in(
        ex,
        "SELECT id, tenant_id, name, phone, role FROM users WHERE is_active AND phone IS NOT NULL AND tenant_id",
        &ids,
        " ORDER BY created_at, id",
    )
    .await
}

/// Which of these businesses have an active WhatsApp number.
pub async fn with_number(
    ex: impl Into<Ex<'_>>,
    tenants: &[TenantId],
) -> StoreResult<HashSet<TenantId>> {
    let ids: Vec<Uuid> = tenants.iter().map(|t| t.0).collect();
    let rows: Vec<(Uuid,)> = crate::select_in(
        ex,
        "SELECT DISTINCT tenant_id FROM wa_numbers WHERE active AND tenant_id",
        &ids,
        "",
    )
    .await?;
    Ok(rows.into_iter().map(|(t,)| TenantId(t)).collect())
}
