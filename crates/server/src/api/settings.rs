//! `/api/v1/settings`: the business's own settings.

use crate::api::auth::required_text;
use crate::auth::extractor::{Owner, Reader};
use crate::error::{ApiResult, ErrorBody, Validator};
use crate::extract::{Json, double_option};
use crate::state::AppState;
use axum::extract::State;
use domain::E164;
use domain::phone::valid_country;
use domain::tenant::{Locale, parse_timezone, valid_order_prefix};
use serde::Deserialize;
use store::tenants::{Tenant, TenantPatch};
use utoipa::ToSchema;

/// The business's settings.
#[utoipa::path(get, path = "/settings", tag = "settings", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Tenant), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, auth: Reader) -> ApiResult<axum::Json<Tenant>> {
    Ok(axum::Json(
        store::tenants::get(&state.db, auth.tenant_id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    pub business_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub country: Option<String>,
    pub order_prefix: Option<String>,
}

/// Changes business settings (owner only). Currency and vertical are fixed
/// at registration: existing orders are priced and staged by them.
#[utoipa::path(patch, path = "/settings", tag = "settings", security(("bearer" = [])), request_body = SettingsPatch,
    responses((status = 200, description = "OK", body = Tenant), (status = 403, description = "The role does not allow this", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Owner,
    Json(body): Json<SettingsPatch>,
) -> ApiResult<axum::Json<Tenant>> {
    let current = store::tenants::get(&state.db, auth.tenant_id).await?;
    let mut v = Validator::new();
    let business_name = body
        .business_name
        .as_deref()
        .map(|n| required_text(&mut v, "business_name", n, 200));
    if let Some(tz) = &body.timezone {
        v.check(
            parse_timezone(tz).is_some(),
            "timezone",
            "must be an IANA timezone like Africa/Lagos",
        );
    }
    let locale: Option<Locale> = body
        .locale
        .as_deref()
        .and_then(|l| v.take("locale", Locale::parse(l)));
    let country = body
        .country
        .as_deref()
        .map(|c| c.trim().to_ascii_uppercase());
    if let Some(c) = &country {
        v.check(
            valid_country(c),
            "country",
            "must be an ISO 3166 country code like NG",
        );
    }
    if let Some(p) = &body.order_prefix {
        v.check(
            valid_order_prefix(p),
            "order_prefix",
            "use 2-6 uppercase letters",
        );
    }
    let phone_country = country.clone().unwrap_or(current.country.clone());
    let phone = match &body.phone {
        Some(Some(p)) => v
            .take("phone", E164::parse(p, &phone_country))
            .map(|e| Some(e.to_string())),
        Some(None) => Some(None),
        None => None,
    };
    v.finish()?;
    let patch = TenantPatch {
        business_name,
        phone,
        timezone: body.timezone.map(|t| t.trim().to_string()),
        locale,
        country,
        order_prefix: body.order_prefix,
    };
    store::tenants::update(&state.db, auth.tenant_id, &patch).await?;
    Ok(axum::Json(
        store::tenants::get(&state.db, auth.tenant_id).await?,
    ))
}
