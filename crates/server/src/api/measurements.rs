//! `/api/v1/customers/{id}/measurements`: versioned body measurements. Every
//! change is a new version; history is never rewritten.

use crate::auth::extractor::{Reader, Writer};
use crate::error::{ApiResult, AppError, ErrorBody, Validator};
use crate::extract::{Json, Query, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use domain::CustomerId;
use domain::measurement::{STANDARD_FIELDS, Unit, valid_custom_field, valid_value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::measurements::{Measurement, Values};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MeasurementInput {
    /// `in` (default) or `cm`.
    pub unit: Option<Unit>,
    pub chest: Option<f64>,
    pub waist: Option<f64>,
    pub hip: Option<f64>,
    pub shoulder: Option<f64>,
    pub sleeve: Option<f64>,
    pub inseam: Option<f64>,
    pub neck: Option<f64>,
    /// Any other named measurement: `{"agbada_length": 58}`.
    #[serde(default)]
    pub custom_fields: BTreeMap<String, f64>,
    pub notes: Option<String>,
    /// When they were taken; default now.
    pub taken_at: Option<DateTime<Utc>>,
}

impl MeasurementInput {
    fn standard(&self) -> [(&'static str, Option<f64>); 7] {
        [
            ("chest", self.chest),
            ("waist", self.waist),
            ("hip", self.hip),
            ("shoulder", self.shoulder),
            ("sleeve", self.sleeve),
            ("inseam", self.inseam),
            ("neck", self.neck),
        ]
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct UnitParam {
    /// Convert values to `in` or `cm` on read.
    pub unit: Option<Unit>,
}

/// Validates the values of `input` in `unit` (which may differ from the
/// input's own unit for a merged version).
fn validate(input: &MeasurementInput, unit: Unit, need_one: bool) -> ApiResult<()> {
    let mut v = Validator::new();
    for (name, value) in input.standard() {
        if let Some(x) = value {
            v.check(
                valid_value(x, unit),
                name,
                &format!(
                    "must be a positive length of at most {} {}",
                    unit.max_plausible(),
                    unit.as_str()
                ),
            );
        }
    }
    for (name, value) in &input.custom_fields {
        let field = format!("custom_fields.{name}");
        if STANDARD_FIELDS.contains(&name.as_str()) {
            v.error(&field, "is a standard field: send it at the top level");
        } else if !valid_custom_field(name) {
            v.error(
                &field,
                "names use lowercase letters, digits and underscores",
            );
        } else {
            v.check(
                valid_value(*value, unit),
                &field,
                "must be a positive, plausible length",
            );
        }
    }
    v.check(
        input.custom_fields.len() <= 40,
        "custom_fields",
        "at most 40 custom measurements",
    );
    let any = input.standard().iter().any(|(_, x)| x.is_some()) || !input.custom_fields.is_empty();
    v.check(!need_one || any, "body", "give at least one measurement");
    if let Some(t) = input.taken_at {
        v.check(
            t <= Utc::now() + Duration::days(1),
            "taken_at",
            "must not be in the future",
        );
    }
    if let Some(n) = &input.notes {
        v.check(
            n.chars().count() <= 2000,
            "notes",
            "must be at most 2000 characters",
        );
    }
    v.finish()
}

fn values_of(input: MeasurementInput) -> Values {
    Values {
        unit: input.unit.unwrap_or_default(),
        chest: input.chest,
        waist: input.waist,
        hip: input.hip,
        shoulder: input.shoulder,
        sleeve: input.sleeve,
        inseam: input.inseam,
        neck: input.neck,
        custom: input.custom_fields,
        notes: input
            .notes
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        taken_at: input.taken_at.map(|t| t.with_timezone(&Utc)),
    }
}

async fn save(
    state: &AppState,
    auth: &Writer,
    customer: CustomerId,
    values: Values,
) -> ApiResult<Measurement> {
    let mut tx = state.db.begin().await?;
    let m = store::measurements::add_version(
        &mut tx,
        auth.tenant_id,
        customer,
        &values,
        Some(auth.user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

/// Records a complete set of measurements as the customer's new current version.
#[utoipa::path(post, path = "/customers/{id}/measurements", tag = "measurements", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = MeasurementInput,
    responses((status = 201, description = "Created", body = Measurement), (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
    Json(body): Json<MeasurementInput>,
) -> ApiResult<(StatusCode, axum::Json<Measurement>)> {
    let customer: CustomerId = id(&raw)?;
    validate(&body, body.unit.unwrap_or_default(), true)?;
    let m = save(&state, &auth, customer, values_of(body)).await?;
    Ok((StatusCode::CREATED, axum::Json(m)))
}

/// A new version from the current one with the given values changed
/// (values not given are carried over, converted if the unit changes).
#[utoipa::path(post, path = "/customers/{id}/measurements/new-version", tag = "measurements", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = MeasurementInput,
    responses((status = 201, description = "Created", body = Measurement), (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn new_version(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
    Json(body): Json<MeasurementInput>,
) -> ApiResult<(StatusCode, axum::Json<Measurement>)> {
    let customer: CustomerId = id(&raw)?;
    if !store::customers::exists(&state.db, auth.tenant_id, customer).await? {
        return Err(AppError::NotFound);
    }
    let current = store::measurements::current(&state.db, auth.tenant_id, customer).await?;
    let unit = body
        .unit
        .or(current.as_ref().map(|c| c.unit))
        .unwrap_or_default();
    validate(&body, unit, current.is_none())?;
    let mut values = match current {
        Some(c) => Values::from(&c.in_unit(unit)),
        None => Values {
            unit,
            ..Values::default()
        },
    };
    let given = values_of(MeasurementInput {
        unit: Some(unit),
        ..body
    });
    macro_rules! overlay {
        ($($f:ident),*) => { $( if given.$f.is_some() { values.$f = given.$f; } )* };
    }
    overlay!(
        chest, waist, hip, shoulder, sleeve, inseam, neck, notes, taken_at
    );
    values.custom.extend(given.custom);
    let m = save(&state, &auth, customer, values).await?;
    Ok((StatusCode::CREATED, axum::Json(m)))
}

#[derive(Serialize, ToSchema)]
pub struct MeasurementHistory {
    /// Newest version first.
    pub items: Vec<Measurement>,
}

/// Every version of the customer's measurements.
#[utoipa::path(get, path = "/customers/{id}/measurements", tag = "measurements", security(("bearer" = [])),
    params(("id" = String, Path), UnitParam),
    responses((status = 200, description = "OK", body = MeasurementHistory), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
    Query(p): Query<UnitParam>,
) -> ApiResult<axum::Json<MeasurementHistory>> {
    let customer: CustomerId = id(&raw)?;
    if !store::customers::exists(&state.db, auth.tenant_id, customer).await? {
        return Err(AppError::NotFound);
    }
    let rows = store::measurements::history(&state.db, auth.tenant_id, customer).await?;
    let items = rows
        .into_iter()
        .map(|m| match p.unit {
            Some(u) => m.in_unit(u),
            None => m,
        })
        .collect();
    Ok(axum::Json(MeasurementHistory { items }))
}

/// The current version.
#[utoipa::path(get, path = "/customers/{id}/measurements/current", tag = "measurements", security(("bearer" = [])),
    params(("id" = String, Path), UnitParam),
    responses((status = 200, description = "OK", body = Measurement), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn current(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
    Query(p): Query<UnitParam>,
) -> ApiResult<axum::Json<Measurement>> {
    let customer: CustomerId = id(&raw)?;
    let m = store::measurements::current(&state.db, auth.tenant_id, customer)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(axum::Json(match p.unit {
        Some(u) => m.in_unit(u),
        None => m,
    }))
}
