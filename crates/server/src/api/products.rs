//! `/api/v1/products`: the catalog. Stock counts change through
//! `/api/v1/inventory`, never here (except the initial count).

use crate::api::auth::required_text;
use crate::auth::extractor::{Reader, Writer};
use crate::error::{ApiResult, ErrorBody, Validator};
use crate::extract::{Json, Query, double_option, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::ProductId;
use serde::{Deserialize, Serialize};
use store::products::{NewProduct, Product, ProductFilter, ProductPatch};
use utoipa::ToSchema;

pub(crate) const MAX_PRICE: i64 = 1_000_000_000_000;
/// More units than any shop counts ([`engine::catalog::MAX_STOCK`]).
pub(crate) const MAX_STOCK: i64 = engine::catalog::MAX_STOCK;
const MAX_ALIASES: usize = 20;

#[derive(Serialize, ToSchema)]
pub struct ProductList {
    /// In menu order: by category (uncategorised last), then `sort_order`,
    /// then name.
    pub items: Vec<Product>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ProductSearch {
    /// Only this category.
    pub category: Option<String>,
    /// `true`: only products on offer; `false`: only snoozed ones.
    pub available: Option<bool>,
    /// A part of the name or sku.
    pub q: Option<String>,
}

/// The catalog, with stock figures for products that track stock.
#[utoipa::path(get, path = "/products", tag = "products", security(("bearer" = [])), params(ProductSearch),
    responses((status = 200, description = "OK", body = ProductList), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Reader,
    Query(p): Query<ProductSearch>,
) -> ApiResult<axum::Json<ProductList>> {
    let f = ProductFilter {
        category: p.category.map(|c| c.trim().to_string()),
        available_only: p.available == Some(true),
        search: p.q,
    };
    let mut items = store::products::list(&state.db, auth.tenant_id, &f).await?;
    if p.available == Some(false) {
        items.retain(|p| !p.is_available);
    }
    Ok(axum::Json(ProductList { items }))
}

fn check_sku(v: &mut Validator, sku: &str) {
    let ok = (1..=64).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    v.check(
        ok,
        "sku",
        "use 1 to 64 letters, digits, dots, dashes or underscores",
    );
}

fn check_aliases(v: &mut Validator, aliases: &[String]) -> Vec<String> {
    v.check(
        aliases.len() <= MAX_ALIASES,
        "aliases",
        &format!("at most {MAX_ALIASES} aliases"),
    );
    aliases
        .iter()
        .enumerate()
        .map(|(i, a)| required_text(v, &format!("aliases[{i}]"), a, 100))
        .collect()
}

fn check_price(v: &mut Validator, price: i64) {
    v.check(
        (0..=MAX_PRICE).contains(&price),
        "price",
        "must be a whole number of minor units, 0 or more",
    );
}

fn check_threshold(v: &mut Validator, threshold: Option<i64>) {
    v.check(
        threshold.is_none_or(|t| (0..=MAX_STOCK).contains(&t)),
        "low_stock_threshold",
        "must be 0 or more",
    );
}

/// Trimmed; empty means none.
fn optional_text(v: &mut Validator, field: &str, text: Option<&str>, max: usize) -> Option<String> {
    let t = text.map(str::trim).filter(|t| !t.is_empty());
    v.check(
        t.is_none_or(|t| t.chars().count() <= max),
        field,
        &format!("must be at most {max} characters"),
    );
    t.map(str::to_string)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProductRequest {
    /// 1 to 64 of `A-Z a-z 0-9 . _ -`, unique in the business.
    #[schema(example = "JOLLOF-L")]
    pub sku: String,
    #[schema(example = "Jollof rice (large)")]
    pub name: String,
    /// Other names customers use, up to 20.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub category: Option<String>,
    pub description: Option<String>,
    /// Minor units of the business currency.
    pub price: i64,
    /// The business currency (the default); no other is accepted.
    pub currency: Option<String>,
    /// Default true; false "snoozes" the product.
    pub is_available: Option<bool>,
    /// Default false (made to order).
    #[serde(default)]
    pub track_stock: bool,
    /// The count on hand now, for products that track stock.
    pub stock_on_hand: Option<i64>,
    pub low_stock_threshold: Option<i64>,
    #[serde(default)]
    pub sort_order: i32,
}

/// Adds a product to the catalog.
#[utoipa::path(post, path = "/products", tag = "products", security(("bearer" = [])), request_body = NewProductRequest,
    responses((status = 201, description = "Created", body = Product), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 409, description = "The sku is taken", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Writer,
    Json(body): Json<NewProductRequest>,
) -> ApiResult<(StatusCode, axum::Json<Product>)> {
    let tenant = store::tenants::get(&state.db, auth.tenant_id).await?;
    let currency = tenant.currency.code().to_string();
    let mut v = Validator::new();
    let sku = body.sku.trim().to_string();
    check_sku(&mut v, &sku);
    let name = required_text(&mut v, "name", &body.name, 200);
    let aliases = check_aliases(&mut v, &body.aliases);
    let category = optional_text(&mut v, "category", body.category.as_deref(), 100);
    let description = optional_text(&mut v, "description", body.description.as_deref(), 2000);
    check_price(&mut v, body.price);
    if let Some(c) = &body.currency {
        v.check(
            c.trim().eq_ignore_ascii_case(&currency),
            "currency",
            &format!("must be the business currency, {currency}"),
        );
    }
    let stock = body.stock_on_hand.unwrap_or(0);
    v.check(
        (0..=MAX_STOCK).contains(&stock),
        "stock_on_hand",
        "must be 0 or more",
    );
    v.check(
        body.track_stock || stock == 0,
        "stock_on_hand",
        "only products that track stock have a count; set track_stock",
    );
    check_threshold(&mut v, body.low_stock_threshold);
    v.finish()?;
    let new = NewProduct {
        sku,
        name,
        aliases,
        category,
        description,
        price: body.price,
        currency,
        is_available: body.is_available.unwrap_or(true),
        track_stock: body.track_stock,
        stock_on_hand: stock,
        low_stock_threshold: body.low_stock_threshold,
        sort_order: body.sort_order,
    };
    let mut tx = state.db.begin().await?;
    let p = store::products::insert(&mut tx, auth.tenant_id, &new, Some(auth.user_id)).await?;
    tx.commit().await?;
    tracing::info!(product = %p.id, tenant = %auth.tenant_id, "product created");
    Ok((StatusCode::CREATED, axum::Json(p)))
}

/// One product.
#[utoipa::path(get, path = "/products/{id}", tag = "products", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "OK", body = Product), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<Product>> {
    let pid: ProductId = id(&raw)?;
    Ok(axum::Json(
        store::products::get(&state.db, auth.tenant_id, pid).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductPatchRequest {
    pub name: Option<String>,
    pub aliases: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub price: Option<i64>,
    /// false "snoozes" the product: not offered, cannot be ordered.
    pub is_available: Option<bool>,
    /// Cannot be turned off while open orders hold stock.
    pub track_stock: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub low_stock_threshold: Option<Option<i64>>,
    pub sort_order: Option<i32>,
}

/// Changes a product, including snoozing it (`is_available: false`); absent
/// fields stay, `null` clears. Stock changes go through
/// `POST /inventory/{productId}/movements`.
#[utoipa::path(patch, path = "/products/{id}", tag = "products", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = ProductPatchRequest,
    responses((status = 200, description = "OK", body = Product), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
    Json(body): Json<ProductPatchRequest>,
) -> ApiResult<axum::Json<Product>> {
    let pid: ProductId = id(&raw)?;
    let current = store::products::get(&state.db, auth.tenant_id, pid).await?;
    let mut v = Validator::new();
    let name = body
        .name
        .as_deref()
        .map(|n| required_text(&mut v, "name", n, 200));
    let aliases = body.aliases.as_deref().map(|a| check_aliases(&mut v, a));
    let category = body
        .category
        .as_ref()
        .map(|c| optional_text(&mut v, "category", c.as_deref(), 100));
    let description = body
        .description
        .as_ref()
        .map(|d| optional_text(&mut v, "description", d.as_deref(), 2000));
    if let Some(p) = body.price {
        check_price(&mut v, p);
    }
    if let Some(t) = body.low_stock_threshold {
        check_threshold(&mut v, t);
    }
    if body.track_stock == Some(false) {
        v.check(
            current.reserved == 0,
            "track_stock",
            "open orders hold some of this stock; deliver or cancel them first",
        );
    }
    v.finish()?;
    let patch = ProductPatch {
        name,
        aliases,
        category,
        description,
        price: body.price,
        is_available: body.is_available,
        track_stock: body.track_stock,
        low_stock_threshold: body.low_stock_threshold,
        sort_order: body.sort_order,
    };
    let p = store::products::update(&state.db, auth.tenant_id, pid, &patch).await?;
    Ok(axum::Json(p))
}
