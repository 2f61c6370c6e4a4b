//! `/api/v1/customers`: customer profiles, found by WhatsApp id or phone.

use crate::api::auth::required_text;
use crate::api::{Page, PageParams, cursor, page, page_limit};
use crate::auth::extractor::{Reader, Writer};
use crate::error::{ApiResult, AppError, ErrorBody, Validator};
use crate::extract::{Json, Query, double_option, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use domain::{CustomerId, E164};
use serde::Deserialize;
use store::customers::{Customer, CustomerPatch, NewCustomer};
use store::orders::{Filter, Order, Sort};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomerRequest {
    #[schema(example = "Amaka Obi")]
    pub name: String,
    /// Local (`08031234567`) or international; stored as E.164.
    #[schema(example = "08031234567")]
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birthday: Option<NaiveDate>,
    pub notes: Option<String>,
}

fn check_email(v: &mut Validator, email: Option<&str>) -> Option<String> {
    email.map(|e| crate::api::auth::normalise_email(v, "email", e))
}

fn check_notes(v: &mut Validator, notes: Option<&str>) -> Option<String> {
    let n = notes
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    v.check(
        n.as_ref().is_none_or(|n| n.chars().count() <= 4000),
        "notes",
        "must be at most 4000 characters",
    );
    n
}

/// Adds a customer.
#[utoipa::path(post, path = "/customers", tag = "customers", security(("bearer" = [])), request_body = NewCustomerRequest,
    responses((status = 201, description = "Created", body = Customer), (status = 409, description = "Conflicts with what is stored", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Writer,
    Json(body): Json<NewCustomerRequest>,
) -> ApiResult<(StatusCode, axum::Json<Customer>)> {
    let tenant = store::tenants::get(&state.db, auth.tenant_id).await?;
    let mut v = Validator::new();
    let name = required_text(&mut v, "name", &body.name, 150);
    let phone = body
        .phone
        .as_deref()
        .and_then(|p| v.take("phone", E164::parse(p, &tenant.country)));
    let email = check_email(&mut v, body.email.as_deref());
    let notes = check_notes(&mut v, body.notes.as_deref());
    v.finish()?;
    let new = NewCustomer {
        name: Some(name),
        wa_id: phone.as_ref().map(E164::wa_id),
        phone: phone.map(|p| p.to_string()),
        email,
        birthday: body.birthday,
        notes,
    };
    let c = store::customers::insert(&state.db, auth.tenant_id, &new).await?;
    Ok((StatusCode::CREATED, axum::Json(c)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CustomerSearch {
    /// Part of a name, or digits of a phone number.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// Lists customers, newest first; `q` searches names and phone numbers.
#[utoipa::path(get, path = "/customers", tag = "customers", security(("bearer" = [])), params(CustomerSearch),
    responses((status = 200, description = "OK", body = Page<Customer>), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Reader,
    Query(params): Query<CustomerSearch>,
) -> ApiResult<axum::Json<Page<Customer>>> {
    let limit = page_limit(params.limit)?;
    let before = cursor::<CustomerId>(params.cursor.as_deref())?;
    let q = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let rows = store::customers::list(&state.db, auth.tenant_id, q, before, limit + 1).await?;
    Ok(axum::Json(page(rows, limit, |c| c.id.to_string())))
}

/// One customer.
#[utoipa::path(get, path = "/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, description = "OK", body = Customer), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<Customer>> {
    let cid: CustomerId = id(&raw)?;
    Ok(axum::Json(
        store::customers::get(&state.db, auth.tenant_id, cid).await?,
    ))
}

/// The customer whose WhatsApp id (or any form of their number) this is.
#[utoipa::path(get, path = "/customers/by-wa/{waId}", tag = "customers", security(("bearer" = [])),
    params(("waId" = String, Path, description = "WhatsApp id, e.g. 2348031234567")),
    responses((status = 200, description = "OK", body = Customer), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn by_wa(
    State(state): State<AppState>,
    auth: Reader,
    Path(wa_id): Path<String>,
) -> ApiResult<axum::Json<Customer>> {
    let phone = E164::from_wa_id(&wa_id).map_err(|_| AppError::NotFound)?;
    let c = store::customers::find_by_phone(&state.db, auth.tenant_id, phone.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(axum::Json(c))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatchRequest {
    pub name: Option<String>,
    /// `null` removes the number.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub birthday: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

/// Changes a customer's profile; absent fields stay, `null` clears.
#[utoipa::path(patch, path = "/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CustomerPatchRequest,
    responses((status = 200, description = "OK", body = Customer), (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 409, description = "Conflicts with what is stored", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
    Json(body): Json<CustomerPatchRequest>,
) -> ApiResult<axum::Json<Customer>> {
    let cid: CustomerId = id(&raw)?;
    let tenant = store::tenants::get(&state.db, auth.tenant_id).await?;
    let mut v = Validator::new();
    let name = body
        .name
        .as_deref()
        .map(|n| required_text(&mut v, "name", n, 150));
    let phone = match &body.phone {
        Some(Some(p)) => v
            .take("phone", E164::parse(p, &tenant.country))
            .map(|e| Some((e.to_string(), e.wa_id()))),
        Some(None) => Some(None),
        None => None,
    };
    let email = body
        .email
        .as_ref()
        .map(|e| check_email(&mut v, e.as_deref()));
    let notes = body
        .notes
        .as_ref()
        .map(|n| check_notes(&mut v, n.as_deref()));
    v.finish()?;
    let patch = CustomerPatch {
        name,
        phone,
        email,
        birthday: body.birthday,
        notes,
    };
    let c = store::customers::update(&state.db, auth.tenant_id, cid, &patch).await?;
    Ok(axum::Json(c))
}

/// The customer's orders, newest first.
#[utoipa::path(get, path = "/customers/{id}/orders", tag = "customers", security(("bearer" = [])),
    params(("id" = String, Path), PageParams),
    responses((status = 200, description = "OK", body = Page<Order>), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn orders(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
    Query(params): Query<PageParams>,
) -> ApiResult<axum::Json<Page<Order>>> {
    let cid: CustomerId = id(&raw)?;
    if !store::customers::exists(&state.db, auth.tenant_id, cid).await? {
        return Err(AppError::NotFound);
    }
    let limit = page_limit(params.limit)?;
    let before = cursor(params.cursor.as_deref())?;
    let filter = Filter {
        customer: Some(cid),
        ..Filter::default()
    };
    let rows = store::orders::list(
        &state.db,
        auth.tenant_id,
        &filter,
        Sort::Newest { before },
        limit + 1,
    )
    .await?;
    Ok(axum::Json(page(rows, limit, |o| o.id.to_string())))
}
