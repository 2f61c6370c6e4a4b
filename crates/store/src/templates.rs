//! The WhatsApp message templates of each business's WhatsApp Business
//! Account, as Meta last reported them (a sandbox number's are the
//! sandbox's, approved at once). Rows only: syncing with Meta and
//! submitting Sokoni's standard templates is `engine::templates`.

use crate::{Ex, StoreResult, run};
use chrono::{DateTime, Utc};
use domain::TenantId;
use std::collections::HashSet;
use uuid::Uuid;

/// One template in one language.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct Template {
    pub id: Uuid,
    pub waba_id: String,
    pub name: String,
    pub language: String,
    /// `utility`, `marketing` or `authentication`.
    pub category: String,
    /// `pending`, `approved`, `rejected`, `paused`, `disabled`, …
    pub status: String,
    pub reason: Option<String>,
    pub meta_id: Option<String>,
    pub body: String,
    pub params: i32,
    pub updated_at: DateTime<Utc>,
}

/// What is written for one template.
#[derive(Debug, Clone)]
pub struct Upsert<'a> {
    pub waba_id: &'a str,
    pub name: &'a str,
    pub language: &'a str,
    pub category: &'a str,
    pub status: &'a str,
    pub reason: Option<&'a str>,
    pub meta_id: Option<&'a str>,
    pub body: &'a str,
    pub params: i32,
    pub components: &'a serde_json::Value,
}

/// Inserts the template or brings the stored one up to date.
pub async fn upsert(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    t: &Upsert<'_>,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "INSERT INTO wa_templates (id, tenant_id, waba_id, name, language, category, status, reason, meta_id, \
         body, params, components, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
         ON CONFLICT (tenant_id, waba_id, name, language) DO UPDATE SET \
           category = excluded.category, status = excluded.status, reason = excluded.reason, \
           meta_id = COALESCE(excluded.meta_id, wa_templates.meta_id), body = excluded.body, \
           params = excluded.params, components = excluded.components, updated_at = excluded.updated_at",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(t.waba_id)
    .bind(t.name)
    .bind(t.language)
    .bind(t.category)
    .bind(t.status)
    .bind(t.reason)
    .bind(t.meta_id)
    .bind(t.body)
    .bind(t.params)
    .bind(t.components)
    .bind(at)
    .execute(c)
    .await
    .map(|_| ()))?;
    Ok(())
}

const COLUMNS: &str =
    "id, waba_id, name, language, category, status, reason, meta_id, body, params, updated_at";

/// The business's templates, by name and language.
pub async fn list(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Vec<Template>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM wa_templates WHERE tenant_id = $1 ORDER BY name, language, waba_id"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Template>(sql).bind(tenant.0).fetch_all(c).await)?)
}

/// Whether the business may send template `name` in `language` now.
pub async fn approved(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    name: &str,
    language: &str,
) -> StoreResult<bool> {
    let n: i64 = run!(ex, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM wa_templates WHERE tenant_id = $1 AND name = $2 AND language = $3 \
         AND status = 'approved'",
    )
    .bind(tenant.0)
    .bind(name)
    .bind(language)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

/// Every approved (business, name, language) of `tenants`, in bounded
/// batches: what a cycle of automation may send outside the window.
pub async fn approved_many(
    ex: impl Into<Ex<'_>>,
    tenants: &[TenantId],
) -> StoreResult<HashSet<(TenantId, String, String)>> {
    let ids: Vec<Uuid> = tenants.iter().map(|t| t.0).collect();
    let rows: Vec<(Uuid, String, String)> = crate::select_in(
        ex,
        "SELECT tenant_id, name, language FROM wa_templates WHERE status = 'approved' AND tenant_id",
        &ids,
        "",
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|(t, n, l)| (TenantId(t), n, l))
        .collect())
}

/// Every approved (name, language) of one business: what a batch of its
/// messages may carry outside the window, in one query.
pub async fn approved_set(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
) -> StoreResult<HashSet<(String, String)>> {
    let rows: Vec<(String, String)> = run!(ex, c => sqlx::query_as(
        "SELECT name, language FROM wa_templates WHERE tenant_id = $1 AND status = 'approved'",
    )
    .bind(tenant.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().collect())
}

/// Applies a status Meta reported for a template of `waba_id` (every
/// business on that account) at `at`. A report older than what is stored,
/// or one that says what is stored already (a redelivery), changes
/// nothing. Returns the rows changed.
pub async fn set_status(
    ex: impl Into<Ex<'_>>,
    waba_id: &str,
    name: &str,
    language: &str,
    status: &str,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(run!(ex, c => sqlx::query(
        "UPDATE wa_templates SET status = $4, reason = $5, updated_at = $6 \
         WHERE waba_id = $1 AND name = $2 AND language = $3 AND updated_at <= $6 \
         AND (status <> $4 OR reason IS DISTINCT FROM $5)",
    )
    .bind(waba_id)
    .bind(name)
    .bind(language)
    .bind(status)
    .bind(reason)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}

/// [`set_status`] for the template Meta knows as `meta_id` (a report that
/// names no language).
pub async fn set_status_by_meta_id(
    ex: impl Into<Ex<'_>>,
    waba_id: &str,
    meta_id: &str,
    status: &str,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(run!(ex, c => sqlx::query(
        "UPDATE wa_templates SET status = $3, reason = $4, updated_at = $5 \
         WHERE waba_id = $1 AND meta_id = $2 AND updated_at <= $5 \
         AND (status <> $3 OR reason IS DISTINCT FROM $4)",
    )
    .bind(waba_id)
    .bind(meta_id)
    .bind(status)
    .bind(reason)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?)
}
