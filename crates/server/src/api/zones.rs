//! `/api/v1/zones`: delivery zones with their fee and minimum order. The
//! owner manages them; orders keep the zone's name and fee as they were.

use crate::api::auth::required_text;
use crate::api::products::MAX_PRICE;
use crate::auth::extractor::{Owner, Reader};
use crate::error::{ApiResult, ErrorBody, Validator};
use crate::extract::{Json, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{TenantId, ZoneId};
use serde::{Deserialize, Serialize};
use store::zones::{NewZone, Zone, ZonePatch};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ZoneList {
    /// By `sort_order`, then name.
    pub items: Vec<Zone>,
}

/// Every delivery zone, active or not.
#[utoipa::path(get, path = "/zones", tag = "zones", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = ZoneList), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: Reader) -> ApiResult<axum::Json<ZoneList>> {
    let items = store::zones::list(&state.db, auth.tenant_id, false).await?;
    Ok(axum::Json(ZoneList { items }))
}

fn check_money(v: &mut Validator, field: &str, amount: Option<i64>) {
    if let Some(a) = amount {
        v.check(
            (0..=MAX_PRICE).contains(&a),
            field,
            "must be a whole number of minor units, 0 or more",
        );
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewZoneRequest {
    /// 1 to 60 characters, unique in the business.
    #[schema(example = "Westlands")]
    pub name: String,
    /// Minor units of the business currency.
    pub fee: i64,
    /// The smallest order (before the fee) delivered here; default 0.
    #[serde(default)]
    pub min_order: i64,
    /// Default true.
    pub is_active: Option<bool>,
    #[serde(default)]
    pub sort_order: i32,
}

/// Adds a delivery zone (owner only).
#[utoipa::path(post, path = "/zones", tag = "zones", security(("bearer" = [])), request_body = NewZoneRequest,
    responses((status = 201, description = "Created", body = Zone), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 409, description = "The name is taken", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Owner,
    Json(body): Json<NewZoneRequest>,
) -> ApiResult<(StatusCode, axum::Json<Zone>)> {
    let z = create_zone(&state, auth.tenant_id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(z)))
}

/// Checks and adds a zone; shared by the API and the dashboard.
pub(crate) async fn create_zone(
    state: &AppState,
    tenant: TenantId,
    body: NewZoneRequest,
) -> ApiResult<Zone> {
    let mut v = Validator::new();
    let name = required_text(&mut v, "name", &body.name, 60);
    check_money(&mut v, "fee", Some(body.fee));
    check_money(&mut v, "min_order", Some(body.min_order));
    v.finish()?;
    Ok(store::zones::insert(
        &state.db,
        tenant,
        &NewZone {
            name,
            fee: body.fee,
            min_order: body.min_order,
            is_active: body.is_active.unwrap_or(true),
            sort_order: body.sort_order,
        },
    )
    .await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ZonePatchRequest {
    pub name: Option<String>,
    pub fee: Option<i64>,
    pub min_order: Option<i64>,
    pub is_active: Option<bool>,
    pub sort_order: Option<i32>,
}

/// Changes a delivery zone (owner only); absent fields stay.
#[utoipa::path(patch, path = "/zones/{id}", tag = "zones", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ZonePatchRequest,
    responses((status = 200, description = "OK", body = Zone), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 409, description = "The name is taken", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Owner,
    Path(raw): Path<String>,
    Json(body): Json<ZonePatchRequest>,
) -> ApiResult<axum::Json<Zone>> {
    let zid: ZoneId = id(&raw)?;
    Ok(axum::Json(
        update_zone(&state, auth.tenant_id, zid, body).await?,
    ))
}

/// Checks and applies a change of a zone; shared by the API and the
/// dashboard. Another business's zone is not found.
pub(crate) async fn update_zone(
    state: &AppState,
    tenant: TenantId,
    zid: ZoneId,
    body: ZonePatchRequest,
) -> ApiResult<Zone> {
    let mut v = Validator::new();
    let name = body
        .name
        .as_deref()
        .map(|n| required_text(&mut v, "name", n, 60));
    check_money(&mut v, "fee", body.fee);
    check_money(&mut v, "min_order", body.min_order);
    v.finish()?;
    let patch = ZonePatch {
        name,
        fee: body.fee,
        min_order: body.min_order,
        is_active: body.is_active,
        sort_order: body.sort_order,
    };
    Ok(store::zones::update(&state.db, tenant, zid, &patch).await?)
}

/// Deletes a delivery zone (owner only). Past orders keep its name and fee.
#[utoipa::path(delete, path = "/zones/{id}", tag = "zones", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204, description = "Deleted"), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    auth: Owner,
    Path(raw): Path<String>,
) -> ApiResult<StatusCode> {
    let zid: ZoneId = id(&raw)?;
    store::zones::delete(&state.db, auth.tenant_id, zid).await?;
    Ok(StatusCode::NO_CONTENT)
}
