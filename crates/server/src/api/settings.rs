//! `/api/v1/settings`: the business's own settings.

use crate::api::auth::required_text;
use crate::auth::extractor::{Owner, Reader};
use crate::error::{ApiResult, ErrorBody, Validator};
use crate::extract::{Json, double_option};
use crate::state::AppState;
use axum::extract::State;
use chrono::{DateTime, Utc};
use domain::order::PaymentMethod;
use domain::phone::valid_country;
use domain::tenant::{Locale, parse_timezone, valid_order_prefix};
use domain::text::{Overrides, check_override};
use domain::{E164, TenantId};
use serde::{Deserialize, Serialize};
use store::business::{ConsumeOn, Settings};
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
    Ok(axum::Json(apply(&state, auth.tenant_id, body).await?))
}

/// Checks and applies a change of the business's details: the rules the API
/// and the dashboard's form share. Errors name the request's fields.
pub(crate) async fn apply(
    state: &AppState,
    tenant: TenantId,
    body: SettingsPatch,
) -> ApiResult<Tenant> {
    let current = store::tenants::get(&state.db, tenant).await?;
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
    store::tenants::update(&state.db, tenant, &patch).await?;
    Ok(store::tenants::get(&state.db, tenant).await?)
}

/// How the business takes orders (the opening hours are under `/hours`).
#[derive(Serialize, ToSchema)]
pub struct OrderingSettings {
    /// Whether orders placed while closed are taken for the next opening.
    pub accepts_scheduled: bool,
    pub offers_delivery: bool,
    pub offers_pickup: bool,
    /// In the order offered to customers.
    pub payment_methods: Vec<PaymentMethod>,
    /// Shown to customers who pay by transfer.
    pub bank_details: Option<String>,
    /// When an order's reserved stock leaves the shelf.
    pub consume_stock_on: ConsumeOn,
    /// The share of the total asked up front, 0 to 100.
    pub deposit_percent: i32,
    /// How long "talk to a person" pauses the bot for that customer, 1 to 720.
    pub handoff_hours: i32,
    /// The business's own wording of the bot's texts: language → text key →
    /// template, using the same `{arguments}` as the built-in text.
    #[schema(value_type = std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>)]
    pub texts: Overrides,
    /// Absent while they are the defaults.
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<Settings> for OrderingSettings {
    fn from(s: Settings) -> Self {
        OrderingSettings {
            accepts_scheduled: s.accepts_scheduled,
            offers_delivery: s.offers_delivery,
            offers_pickup: s.offers_pickup,
            payment_methods: s.payment_methods,
            bank_details: s.bank_details,
            consume_stock_on: s.consume_stock_on,
            deposit_percent: s.deposit_percent,
            handoff_hours: s.handoff_hours,
            texts: s.texts,
            updated_at: s.updated_at,
        }
    }
}

/// How the business takes orders: fulfilment, payment, deposits, stock,
/// the human hand-off and its own wording.
#[utoipa::path(get, path = "/settings/ordering", tag = "settings", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = OrderingSettings), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn get_ordering(
    State(state): State<AppState>,
    auth: Reader,
) -> ApiResult<axum::Json<OrderingSettings>> {
    Ok(axum::Json(
        store::business::get(&state.db, auth.tenant_id)
            .await?
            .into(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderingPatch {
    pub accepts_scheduled: Option<bool>,
    pub offers_delivery: Option<bool>,
    pub offers_pickup: Option<bool>,
    /// Not empty, no repeats: `transfer`, `cash`, `card`, `mpesa`.
    pub payment_methods: Option<Vec<String>>,
    /// Up to 500 characters; `null` removes them.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub bank_details: Option<Option<String>>,
    pub consume_stock_on: Option<ConsumeOn>,
    pub deposit_percent: Option<i32>,
    pub handoff_hours: Option<i32>,
    /// Replaces every override; `{}` returns to the built-in texts.
    #[schema(value_type = Option<std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>>)]
    pub texts: Option<Overrides>,
}

/// Changes how the business takes orders (owner only); absent fields stay.
#[utoipa::path(patch, path = "/settings/ordering", tag = "settings", security(("bearer" = [])), request_body = OrderingPatch,
    responses((status = 200, description = "OK", body = OrderingSettings), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error (`texts.es.greeting`)", body = ErrorBody)))]
pub async fn update_ordering(
    State(state): State<AppState>,
    auth: Owner,
    Json(body): Json<OrderingPatch>,
) -> ApiResult<axum::Json<OrderingSettings>> {
    Ok(axum::Json(
        apply_ordering(&state, auth.tenant_id, body).await?.into(),
    ))
}

/// Checks and applies a change of how the business takes orders (and its
/// wording); shared by the API and the dashboard.
pub(crate) async fn apply_ordering(
    state: &AppState,
    tenant: TenantId,
    body: OrderingPatch,
) -> ApiResult<Settings> {
    let current = store::business::get(&state.db, tenant).await?;
    let mut v = Validator::new();
    let delivery = body.offers_delivery.unwrap_or(current.offers_delivery);
    let pickup = body.offers_pickup.unwrap_or(current.offers_pickup);
    if !delivery && !pickup {
        let field = if body.offers_pickup.is_some() {
            "offers_pickup"
        } else {
            "offers_delivery"
        };
        v.error(field, "offer delivery, pickup or both");
    }
    let payment_methods = body.payment_methods.as_ref().map(|methods| {
        v.check(!methods.is_empty(), "payment_methods", "offer at least one");
        let mut parsed: Vec<PaymentMethod> = Vec::new();
        for (i, m) in methods.iter().enumerate() {
            let field = format!("payment_methods[{i}]");
            match m.parse::<PaymentMethod>() {
                Ok(pm) if parsed.contains(&pm) => v.error(&field, "listed twice"),
                Ok(pm) => parsed.push(pm),
                Err(_) => v.error(
                    &field,
                    format!(
                        "unknown method; use one of {}",
                        PaymentMethod::ALL.map(|p| p.as_str()).join(", ")
                    ),
                ),
            }
        }
        parsed
    });
    let bank_details = body.bank_details.as_ref().map(|b| {
        let t = b.as_deref().map(str::trim).filter(|t| !t.is_empty());
        v.check(
            t.is_none_or(|t| t.chars().count() <= 500),
            "bank_details",
            "must be at most 500 characters",
        );
        t.map(str::to_string)
    });
    if let Some(d) = body.deposit_percent {
        v.check(
            (0..=100).contains(&d),
            "deposit_percent",
            "must be 0 to 100",
        );
    }
    if let Some(h) = body.handoff_hours {
        v.check((1..=720).contains(&h), "handoff_hours", "must be 1 to 720");
    }
    if let Some(texts) = &body.texts {
        for (lang, keys) in texts {
            for (key, text) in keys {
                if let Err(e) = check_override(lang, key, text) {
                    v.error(&format!("texts.{lang}.{key}"), e);
                }
            }
        }
    }
    v.finish()?;
    let patch = store::business::SettingsPatch {
        hours: None,
        accepts_scheduled: body.accepts_scheduled,
        offers_delivery: body.offers_delivery,
        offers_pickup: body.offers_pickup,
        payment_methods,
        bank_details,
        consume_stock_on: body.consume_stock_on,
        deposit_percent: body.deposit_percent,
        handoff_hours: body.handoff_hours,
        texts: body.texts,
        ..Default::default()
    };
    Ok(store::business::update(&state.db, tenant, &patch).await?)
}
