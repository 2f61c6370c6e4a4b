//! `/api/v1/orders`: orders, their production stages and balances.

use crate::api::{Page, cursor, page, page_limit};
use crate::auth::extractor::{Reader, Writer};
use crate::error::{ApiResult, AppError, ErrorBody, Validator};
use crate::extract::{Json, Query, double_option, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::order::{Source, Stage, pipeline};
use domain::{CustomerId, MeasurementId, OrderId, UserId};
use serde::{Deserialize, Serialize};
use store::orders::{Filter, NewOrder, Order, OrderItem, OrderPatch, Sort, StageEntry};
use store::tenants::Tenant;
use utoipa::ToSchema;

/// An order with its lines, stage history and the stages it may move to
/// next.
#[derive(Serialize, ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    /// The products ordered, at their prices then; empty for orders without
    /// catalog lines.
    pub items: Vec<OrderItem>,
    pub stages: Vec<StageEntry>,
    pub allowed_stages: Vec<Stage>,
    /// The customer's WhatsApp conversation, for orders that came from it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_url: Option<String>,
}

/// Parses a deadline: an RFC 3339 instant, or a date meaning the end of that
/// day in the tenant's timezone.
fn parse_deadline(raw: &str, tenant: &Tenant) -> Result<DateTime<Utc>, &'static str> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| "use a date (2026-12-12) or an RFC 3339 time")?;
    let end = date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN));
    tenant
        .tz()
        .from_local_datetime(&end)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or("that time does not exist in the business's timezone")
}

fn check_money(v: &mut Validator, field: &str, amount: Option<i64>) {
    if let Some(a) = amount {
        v.check(
            (0..=1_000_000_000_000).contains(&a),
            field,
            "must be a whole number of minor units, 0 or more",
        );
    }
}

fn check_images(v: &mut Validator, images: &[String]) {
    v.check(images.len() <= 10, "reference_images", "at most 10 images");
    for (i, url) in images.iter().enumerate() {
        let ok = url.len() <= 2000
            && (url.starts_with("https://")
                || url.starts_with("http://")
                || url.starts_with("/media/"));
        v.check(
            ok,
            &format!("reference_images[{i}]"),
            "must be an http(s) URL",
        );
    }
}

fn optional_text(v: &mut Validator, field: &str, text: Option<&str>, max: usize) -> Option<String> {
    let t = text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    v.check(
        t.as_ref().is_none_or(|t| t.chars().count() <= max),
        field,
        &format!("must be at most {max} characters"),
    );
    t
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrderRequest {
    pub customer_id: CustomerId,
    /// A measurement version of this customer. Absent: the current one;
    /// `null`: none.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub measurement_id: Option<Option<MeasurementId>>,
    pub assigned_to: Option<UserId>,
    #[schema(example = "Ankara midi dress")]
    pub style_name: Option<String>,
    pub style_details: Option<String>,
    pub fabric_info: Option<String>,
    #[serde(default)]
    pub reference_images: Vec<String>,
    /// Default 1.
    pub quantity: Option<i32>,
    /// Minor units of the business currency: 4500000 is ₦45,000.
    #[serde(default)]
    pub price: i64,
    #[serde(default)]
    pub deposit_amount: i64,
    /// `2026-12-12` (end of that day, business time) or an RFC 3339 time.
    pub deadline: Option<String>,
    /// Default `dashboard`.
    pub source: Option<Source>,
    pub notes: Option<String>,
}

/// Creates an order with the next order ref.
#[utoipa::path(post, path = "/orders", tag = "orders", security(("bearer" = [])), request_body = NewOrderRequest,
    responses((status = 201, description = "Created", body = OrderDetail), (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Writer,
    Json(body): Json<NewOrderRequest>,
) -> ApiResult<(StatusCode, axum::Json<OrderDetail>)> {
    let tenant = store::tenants::get(&state.db, auth.tenant_id).await?;
    let mut v = Validator::new();
    let style_name = optional_text(&mut v, "style_name", body.style_name.as_deref(), 200);
    let style_details = optional_text(&mut v, "style_details", body.style_details.as_deref(), 4000);
    let fabric_info = optional_text(&mut v, "fabric_info", body.fabric_info.as_deref(), 2000);
    let notes = optional_text(&mut v, "notes", body.notes.as_deref(), 4000);
    check_images(&mut v, &body.reference_images);
    let quantity = body.quantity.unwrap_or(1);
    v.check(
        (1..=10_000).contains(&quantity),
        "quantity",
        "must be between 1 and 10000",
    );
    check_money(&mut v, "price", Some(body.price));
    check_money(&mut v, "deposit_amount", Some(body.deposit_amount));
    // Checked here too so that every wrong field is named at once.
    v.take(
        "deposit_amount",
        domain::order::check_deposit(body.deposit_amount, body.price),
    );
    let deadline = body
        .deadline
        .as_deref()
        .and_then(|d| v.take("deadline", parse_deadline(d, &tenant)));
    v.finish()?;

    let order = NewOrder {
        customer_id: body.customer_id,
        assigned_to: body.assigned_to,
        style_name,
        style_details,
        fabric_info,
        reference_images: body.reference_images,
        quantity,
        price: body.price,
        deposit_amount: body.deposit_amount,
        currency: tenant.currency,
        deadline,
        source: body.source.unwrap_or(Source::Dashboard),
        wa_thread_id: None,
        notes,
        created_by: Some(auth.user_id),
        ..NewOrder::default()
    };
    let order = engine::orders::create(
        &state.services,
        auth.tenant_id,
        engine::orders::Create {
            order,
            measurement: body.measurement_id,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(detail(&state, &tenant, order).await?),
    ))
}

async fn detail(state: &AppState, tenant: &Tenant, order: Order) -> ApiResult<OrderDetail> {
    let stages = store::orders::stages(&state.db, tenant.id, order.id).await?;
    let items = store::orders::items(&state.db, tenant.id, order.id).await?;
    let allowed_stages = pipeline(tenant.vertical).next_stages(order.current_stage);
    let thread_url = (order.source == Source::Whatsapp)
        .then(|| format!("/api/v1/whatsapp/messages/{}", order.customer_id));
    Ok(OrderDetail {
        order,
        items,
        stages,
        allowed_stages,
        thread_url,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct OrderSearch {
    pub stage: Option<Stage>,
    pub customer_id: Option<CustomerId>,
    /// Orders with a deadline before this date (business time) or instant.
    pub due_before: Option<String>,
    pub source: Option<Source>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// Lists orders, newest first, with optional filters.
#[utoipa::path(get, path = "/orders", tag = "orders", security(("bearer" = [])), params(OrderSearch),
    responses((status = 200, description = "OK", body = Page<Order>), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Reader,
    Query(p): Query<OrderSearch>,
) -> ApiResult<axum::Json<Page<Order>>> {
    let limit = page_limit(p.limit)?;
    let before = cursor::<OrderId>(p.cursor.as_deref())?;
    let due_before = match &p.due_before {
        Some(d) => {
            let tenant = store::tenants::get(&state.db, auth.tenant_id).await?;
            Some(parse_deadline(d, &tenant).map_err(|m| AppError::field("due_before", m))?)
        }
        None => None,
    };
    let f = Filter {
        stage: p.stage,
        customer: p.customer_id,
        due_before,
        source: p.source,
        ..Filter::default()
    };
    let rows = store::orders::list(
        &state.db,
        auth.tenant_id,
        &f,
        Sort::Newest { before },
        limit + 1,
    )
    .await?;
    Ok(axum::Json(page(rows, limit, |o| o.id.to_string())))
}

#[derive(Serialize, ToSchema)]
pub struct OrderList {
    /// Earliest deadline first.
    pub items: Vec<Order>,
}

/// Due today (business time) or overdue, and not yet delivered.
#[utoipa::path(get, path = "/orders/today", tag = "orders", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = OrderList)))]
pub async fn today(
    State(state): State<AppState>,
    auth: Reader,
) -> ApiResult<axum::Json<OrderList>> {
    let items = engine::orders::due_today(&state.services, auth.tenant_id).await?;
    Ok(axum::Json(OrderList { items }))
}

/// Due within 48 hours (or overdue) and not yet ready.
#[utoipa::path(get, path = "/orders/urgent", tag = "orders", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = OrderList)))]
pub async fn urgent(
    State(state): State<AppState>,
    auth: Reader,
) -> ApiResult<axum::Json<OrderList>> {
    let items = engine::orders::urgent(&state.services, auth.tenant_id).await?;
    Ok(axum::Json(OrderList { items }))
}

/// One order with its stage history.
#[utoipa::path(get, path = "/orders/{id}", tag = "orders", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "OK", body = OrderDetail), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<OrderDetail>> {
    let oid: OrderId = id(&raw)?;
    let order = store::orders::get(&state.db, auth.tenant_id, oid).await?;
    let tenant = store::tenants::get(&state.db, auth.tenant_id).await?;
    Ok(axum::Json(detail(&state, &tenant, order).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderPatchRequest {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub style_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub style_details: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub fabric_info: Option<Option<String>>,
    pub reference_images: Option<Vec<String>>,
    pub quantity: Option<i32>,
    pub price: Option<i64>,
    pub deposit_amount: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub deadline: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub assigned_to: Option<Option<UserId>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub measurement_id: Option<Option<MeasurementId>>,
}

/// Changes an order's details; absent fields stay, `null` clears. Stage
/// changes go through `PATCH /orders/{id}/stage`.
#[utoipa::path(patch, path = "/orders/{id}", tag = "orders", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = OrderPatchRequest,
    responses((status = 200, description = "OK", body = OrderDetail), (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
    Json(body): Json<OrderPatchRequest>,
) -> ApiResult<axum::Json<OrderDetail>> {
    let oid: OrderId = id(&raw)?;
    let tenant = store::tenants::get(&state.db, auth.tenant_id).await?;
    let mut v = Validator::new();
    let text = |v: &mut Validator, f: &str, t: &Option<Option<String>>, max| {
        t.as_ref()
            .map(|inner| optional_text(v, f, inner.as_deref(), max))
    };
    let style_name = text(&mut v, "style_name", &body.style_name, 200);
    let style_details = text(&mut v, "style_details", &body.style_details, 4000);
    let fabric_info = text(&mut v, "fabric_info", &body.fabric_info, 2000);
    let notes = text(&mut v, "notes", &body.notes, 4000);
    if let Some(images) = &body.reference_images {
        check_images(&mut v, images);
    }
    if let Some(q) = body.quantity {
        v.check(
            (1..=10_000).contains(&q),
            "quantity",
            "must be between 1 and 10000",
        );
    }
    check_money(&mut v, "price", body.price);
    check_money(&mut v, "deposit_amount", body.deposit_amount);
    let deadline = match &body.deadline {
        Some(Some(d)) => v.take("deadline", parse_deadline(d, &tenant)).map(Some),
        Some(None) => Some(None),
        None => None,
    };
    v.finish()?;
    let patch = OrderPatch {
        style_name,
        style_details,
        fabric_info,
        reference_images: body.reference_images,
        quantity: body.quantity,
        price: body.price,
        deposit_amount: body.deposit_amount,
        deadline,
        notes,
        assigned_to: body.assigned_to,
        measurement_id: body.measurement_id,
    };
    let order = engine::orders::update(&state.services, auth.tenant_id, oid, &patch).await?;
    Ok(axum::Json(detail(&state, &tenant, order).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageChange {
    pub stage: Stage,
    pub note: Option<String>,
    /// Start work before the deposit is in (staff's decision).
    #[serde(default)]
    pub override_deposit: bool,
    /// Hand the order over (`delivered`) with money still due (staff's
    /// decision).
    #[serde(default)]
    pub override_balance: bool,
}

/// Moves an order along its pipeline: forward (optional stages may be
/// skipped), back one stage for rework, or to `cancelled`. Cancelling gives
/// back the stock the order held; delivering takes it off the shelf (unless
/// the business consumes stock on payment). Work starts when the deposit is
/// in, a pickup order never goes `out_for_delivery`, and an order with money
/// due is handed over only with `override_balance`. The customer hears when
/// the order is ready (with the balance and its link), on its way, and
/// delivered.
#[utoipa::path(patch, path = "/orders/{id}/stage", tag = "orders", security(("bearer" = [])), params(("id" = String, Path)),
    request_body = StageChange,
    responses((status = 200, description = "OK", body = OrderDetail), (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 409, description = "Conflicts with what is stored", body = ErrorBody)))]
pub async fn change_stage(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
    Json(body): Json<StageChange>,
) -> ApiResult<axum::Json<OrderDetail>> {
    let oid: OrderId = id(&raw)?;
    let mut v = Validator::new();
    let note = optional_text(&mut v, "note", body.note.as_deref(), 1000);
    v.finish()?;
    let order = engine::orders::change_stage(
        &state.services,
        auth.tenant_id,
        oid,
        &engine::orders::StageChange {
            to: body.stage,
            note,
            by: Some(auth.user_id),
            override_deposit: body.override_deposit,
            override_balance: body.override_balance,
        },
    )
    .await?;
    let tenant = store::tenants::get(&state.db, auth.tenant_id).await?;
    Ok(axum::Json(detail(&state, &tenant, order).await?))
}
