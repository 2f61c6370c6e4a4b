//! `/api/v1/inventory`: stock levels and the ledger. Every change is a
//! movement with who and why; open orders hold stock as reservations.

use crate::api::page_limit;
use crate::auth::extractor::{Reader, Writer};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Query, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::ProductId;
use serde::{Deserialize, Serialize};
use store::inventory::StockMovement;
use store::products::Product;
use utoipa::ToSchema;

/// One product's stock.
#[derive(Serialize, ToSchema)]
pub struct StockLevel {
    #[schema(value_type = String, format = Uuid)]
    pub product_id: ProductId,
    pub sku: String,
    pub name: String,
    pub category: Option<String>,
    pub is_available: bool,
    pub stock_on_hand: i64,
    /// Held by open orders.
    pub reserved: i64,
    /// `stock_on_hand - reserved`.
    pub saleable: i64,
    pub low_stock_threshold: Option<i64>,
    /// Saleable is at or below the threshold.
    pub low: bool,
}

impl From<Product> for StockLevel {
    fn from(p: Product) -> Self {
        StockLevel {
            low: p.is_low(),
            saleable: p.saleable.unwrap_or_default(),
            product_id: p.id,
            sku: p.sku,
            name: p.name,
            category: p.category,
            is_available: p.is_available,
            stock_on_hand: p.stock_on_hand,
            reserved: p.reserved,
            low_stock_threshold: p.low_stock_threshold,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct StockList {
    /// Products that track stock, in menu order.
    pub items: Vec<StockLevel>,
}

/// Stock levels of every product that tracks stock.
#[utoipa::path(get, path = "/inventory", tag = "inventory", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = StockList), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: Reader) -> ApiResult<axum::Json<StockList>> {
    let items = store::inventory::tracked(&state.db, auth.tenant_id)
        .await?
        .into_iter()
        .map(StockLevel::from)
        .collect();
    Ok(axum::Json(StockList { items }))
}

/// What staff may record; sales, reservations and releases come from orders.
#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// Stock came in: `quantity` > 0.
    Receipt,
    /// A count correction, either sign, with a reason.
    Adjustment,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MovementRequest {
    pub kind: MovementKind,
    /// Units; above 0 for a receipt, not 0 for an adjustment.
    pub quantity: i64,
    /// Required for an adjustment ("3 damaged", "stock count").
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MovementResult {
    /// The ledger row written.
    pub movement: StockMovement,
    /// The product's stock after it.
    pub product: StockLevel,
}

/// Records a receipt or an adjustment. An adjustment cannot take the count
/// below what open orders hold.
#[utoipa::path(post, path = "/inventory/{productId}/movements", tag = "inventory", security(("bearer" = [])),
    params(("productId" = String, Path)), request_body = MovementRequest,
    responses((status = 201, description = "Recorded", body = MovementResult), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
    Json(body): Json<MovementRequest>,
) -> ApiResult<(StatusCode, axum::Json<MovementResult>)> {
    let pid: ProductId = id(&raw)?;
    let q = body.quantity;
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let m = match body.kind {
        MovementKind::Receipt => engine::catalog::Movement::Receipt {
            quantity: q,
            reason: reason.map(str::to_string),
        },
        MovementKind::Adjustment => engine::catalog::Movement::Adjustment {
            delta: q,
            reason: reason.unwrap_or_default().to_string(),
        },
    };
    let (movement, product) =
        engine::catalog::record(&state.db, auth.tenant_id, pid, &m, Some(auth.user_id)).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(MovementResult {
            movement,
            product: product.into(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct MovementList {
    /// Newest first.
    pub items: Vec<StockMovement>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct MovementParams {
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
}

/// A product's stock ledger, newest first.
#[utoipa::path(get, path = "/inventory/{productId}/movements", tag = "inventory", security(("bearer" = [])),
    params(("productId" = String, Path), MovementParams),
    responses((status = 200, description = "OK", body = MovementList), (status = 404, description = "Not found, or another business's", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn movements(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
    Query(p): Query<MovementParams>,
) -> ApiResult<axum::Json<MovementList>> {
    let pid: ProductId = id(&raw)?;
    let limit = page_limit(p.limit)?;
    // 404 for another business's product, not an empty ledger.
    store::products::get(&state.db, auth.tenant_id, pid).await?;
    let items = store::inventory::movements(&state.db, auth.tenant_id, pid, limit).await?;
    Ok(axum::Json(MovementList { items }))
}
