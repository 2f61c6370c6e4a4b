//! Versioned, immutable measurements. A change is a new version; the old
//! ones stay exactly as they were taken.

use crate::{Ex, StoreResult, customers, now, run};
use chrono::{DateTime, Utc};
use domain::measurement::Unit;
use domain::{CustomerId, MeasurementId, TenantId, UserId};
use serde::Serialize;
use sqlx::types::Json;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Measurement {
    #[sqlx(try_from = "Uuid")]
    pub id: MeasurementId,
    #[sqlx(try_from = "Uuid")]
    pub customer_id: CustomerId,
    pub version: i32,
    pub is_current: bool,
    #[sqlx(try_from = "String")]
    pub unit: Unit,
    pub chest: Option<f64>,
    pub waist: Option<f64>,
    pub hip: Option<f64>,
    pub shoulder: Option<f64>,
    pub sleeve: Option<f64>,
    pub inseam: Option<f64>,
    pub neck: Option<f64>,
    /// Any other named measurement, in the same unit.
    #[schema(value_type = BTreeMap<String, f64>)]
    pub custom_fields: Json<BTreeMap<String, f64>>,
    pub notes: Option<String>,
    pub taken_at: DateTime<Utc>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Measurement {
    /// The same measurements expressed in `unit`.
    pub fn in_unit(mut self, unit: Unit) -> Self {
        if unit == self.unit {
            return self;
        }
        let from = self.unit;
        for v in [
            &mut self.chest,
            &mut self.waist,
            &mut self.hip,
            &mut self.shoulder,
            &mut self.sleeve,
            &mut self.inseam,
            &mut self.neck,
        ] {
            *v = v.map(|x| from.convert(x, unit));
        }
        for v in self.custom_fields.0.values_mut() {
            *v = from.convert(*v, unit);
        }
        self.unit = unit;
        self
    }
}

/// The values of one version. Standard fields have columns; the rest go in
/// `custom`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    pub unit: Unit,
    pub chest: Option<f64>,
    pub waist: Option<f64>,
    pub hip: Option<f64>,
    pub shoulder: Option<f64>,
    pub sleeve: Option<f64>,
    pub inseam: Option<f64>,
    pub neck: Option<f64>,
    pub custom: BTreeMap<String, f64>,
    pub notes: Option<String>,
    pub taken_at: Option<DateTime<Utc>>,
}

impl From<&Measurement> for Values {
    fn from(m: &Measurement) -> Self {
        Values {
            unit: m.unit,
            chest: m.chest,
            waist: m.waist,
            hip: m.hip,
            shoulder: m.shoulder,
            sleeve: m.sleeve,
            inseam: m.inseam,
            neck: m.neck,
            custom: m.custom_fields.0.clone(),
            notes: m.notes.clone(),
            taken_at: None,
        }
    }
}

const COLUMNS: &str = "id, customer_id, version, is_current, unit, chest, waist, hip, shoulder, \
     sleeve, inseam, neck, custom_fields, notes, taken_at, created_by, created_at";

/// Records a new version and makes it current. Must run in a transaction:
/// the customer's row lock serialises concurrent versions.
pub async fn add_version(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
    v: &Values,
    by: Option<UserId>,
) -> StoreResult<Measurement> {
    let mut ex = ex.into();
    customers::lock(ex.re(), tenant, customer).await?;
    let last: Option<i32> = run!(ex.re(), c => sqlx::query_scalar(
        "SELECT MAX(version) FROM measurements WHERE tenant_id = $1 AND customer_id = $2",
    )
    .bind(tenant.0)
    .bind(customer.0)
    .fetch_one(c)
    .await)?;
    run!(ex.re(), c => sqlx::query(
        "UPDATE measurements SET is_current = FALSE WHERE tenant_id = $1 AND customer_id = $2 AND is_current = TRUE",
    )
    .bind(tenant.0)
    .bind(customer.0)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    let id = MeasurementId::new();
    let at = now();
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO measurements (id, tenant_id, customer_id, version, is_current, unit, chest, waist, hip, \
         shoulder, sleeve, inseam, neck, custom_fields, notes, taken_at, created_by, created_at) \
         VALUES ($1, $2, $3, $4, TRUE, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(id.0)
    .bind(tenant.0)
    .bind(customer.0)
    .bind(last.unwrap_or(0) + 1)
    .bind(v.unit.as_str())
    .bind(v.chest)
    .bind(v.waist)
    .bind(v.hip)
    .bind(v.shoulder)
    .bind(v.sleeve)
    .bind(v.inseam)
    .bind(v.neck)
    .bind(Json(&v.custom))
    .bind(&v.notes)
    .bind(v.taken_at.unwrap_or(at))
    .bind(by.map(|u| u.0))
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    get(ex, tenant, id).await
}

pub async fn get(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: MeasurementId,
) -> StoreResult<Measurement> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM measurements WHERE tenant_id = $1 AND id = $2"
    ));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Measurement>(sql).bind(tenant.0).bind(id.0).fetch_one(c).await)?,
    )
}

/// Every version, newest first.
pub async fn history(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
) -> StoreResult<Vec<Measurement>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM measurements WHERE tenant_id = $1 AND customer_id = $2 ORDER BY version DESC"
    ));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Measurement>(sql).bind(tenant.0).bind(customer.0).fetch_all(c).await)?,
    )
}

pub async fn current(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
) -> StoreResult<Option<Measurement>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM measurements WHERE tenant_id = $1 AND customer_id = $2 AND is_current = TRUE"
    ));
    Ok(
        run!(ex, c => sqlx::query_as::<_, Measurement>(sql).bind(tenant.0).bind(customer.0).fetch_optional(c).await)?,
    )
}
