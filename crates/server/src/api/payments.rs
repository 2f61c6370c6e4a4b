//! `/api/v1/payments`: payment links and pushes, reminders, manual
//! confirmation of transfers and cash, the unpaid list, and each business's
//! providers (keys sealed at rest).

use crate::auth::extractor::{Owner, Reader, Writer};
use crate::error::{ApiResult, AppError, ErrorBody, Validator};
use crate::extract::{Json, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::{OrderId, PaymentId};
use engine::payments::{Kind, Method};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::payments::{Debt, Payment};
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    #[schema(value_type = String, format = Uuid)]
    pub order_id: String,
    /// `deposit`, `balance` or `full`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Minor units; by default the deposit still due, the balance, or the
    /// price.
    pub amount: Option<i64>,
    /// `paystack`, `flutterwave`, `mpesa`, `stripe` or `sandbox`; by
    /// default the business's first active provider.
    pub provider: Option<String>,
}

/// Asks a provider for a payment on an order; the link (or M-PESA prompt)
/// reaches the customer on WhatsApp moments later.
#[utoipa::path(post, path = "/payments/generate-link", tag = "payments", security(("bearer" = [])), request_body = LinkRequest,
    responses((status = 201, description = "Requested; the link follows", body = Payment), (status = 404, description = "No such order", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn generate_link(
    State(state): State<AppState>,
    auth: Writer,
    Json(body): Json<LinkRequest>,
) -> ApiResult<(StatusCode, axum::Json<Payment>)> {
    let order: OrderId =
        id(&body.order_id).map_err(|_| AppError::field("order_id", "must be an order id"))?;
    let kind = Kind::parse(&body.kind)
        .ok_or_else(|| AppError::field("type", "use deposit, balance or full"))?;
    let p = engine::payments::request_link(
        &state.services,
        auth.tenant_id,
        &engine::payments::LinkRequest {
            order,
            kind,
            amount: body.amount,
            provider: body.provider,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(p)))
}

/// An order's payments, requests included.
#[utoipa::path(get, path = "/payments/order/{orderId}", tag = "payments", security(("bearer" = [])), params(("orderId" = String, Path)),
    responses((status = 200, description = "OK", body = Vec<Payment>), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn for_order(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<Vec<Payment>>> {
    let oid: OrderId = id(&raw)?;
    store::orders::get(&state.db, auth.tenant_id, oid).await?;
    Ok(axum::Json(
        store::payments::for_order(&state.db, auth.tenant_id, oid).await?,
    ))
}

/// Every order with money still due (not cancelled), earliest deadline
/// first, each with its open request (link, push or awaited transfer) if it
/// has one.
#[utoipa::path(get, path = "/payments/unpaid", tag = "payments", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Vec<Debt>)))]
pub async fn unpaid(
    State(state): State<AppState>,
    auth: Reader,
) -> ApiResult<axum::Json<Vec<Debt>>> {
    Ok(axum::Json(
        engine::payments::unpaid(&state.services, auth.tenant_id).await?,
    ))
}

/// Reminds the customer: the same link while it is valid, else a new one
/// (a fresh reference). Outside the customer's 24-hour window the approved
/// `payment_reminder` template goes instead. A customer who opted out is
/// not reminded (409 `opted_out`).
#[utoipa::path(post, path = "/payments/send-reminder/{paymentId}", tag = "payments", security(("bearer" = [])), params(("paymentId" = String, Path)),
    responses((status = 202, description = "Reminder queued", body = Payment), (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 409, description = "Already paid, or the customer opted out", body = ErrorBody)))]
pub async fn send_reminder(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
) -> ApiResult<(StatusCode, axum::Json<Payment>)> {
    let pid: PaymentId = id(&raw)?;
    let p = engine::payments::remind(&state.services, auth.tenant_id, pid).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(p)))
}

/// Staff confirm a payment they received themselves (a transfer seen in
/// the bank, cash at pickup): the balance, the customer's total and the
/// receipt follow, once.
#[utoipa::path(post, path = "/payments/{paymentId}/confirm", tag = "payments", security(("bearer" = [])), params(("paymentId" = String, Path)),
    responses((status = 200, description = "Paid", body = Payment), (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 409, description = "Already paid", body = ErrorBody)))]
pub async fn confirm(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<Payment>> {
    let pid: PaymentId = id(&raw)?;
    Ok(axum::Json(
        engine::payments::confirm(&state.services, auth.tenant_id, pid, auth.user_id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManualPayment {
    #[schema(value_type = String, format = Uuid)]
    pub order_id: String,
    /// Minor units.
    pub amount: i64,
    /// `transfer` or `cash`.
    pub method: String,
    /// `deposit`, `balance` or `full`; default `balance`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// Records a transfer or cash payment staff received, as paid.
#[utoipa::path(post, path = "/payments/manual", tag = "payments", security(("bearer" = [])), request_body = ManualPayment,
    responses((status = 201, description = "Recorded as paid", body = Payment), (status = 404, description = "No such order", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn manual(
    State(state): State<AppState>,
    auth: Writer,
    Json(body): Json<ManualPayment>,
) -> ApiResult<(StatusCode, axum::Json<Payment>)> {
    let order: OrderId =
        id(&body.order_id).map_err(|_| AppError::field("order_id", "must be an order id"))?;
    let mut v = Validator::new();
    let method = Method::parse(&body.method);
    v.check(method.is_some(), "method", "use transfer or cash");
    let kind = Kind::parse(body.kind.as_deref().unwrap_or("balance"));
    v.check(kind.is_some(), "type", "use deposit, balance or full");
    v.finish()?;
    let (Some(method), Some(kind)) = (method, kind) else {
        return Err(AppError::field("method", "use transfer or cash"));
    };
    let p = engine::payments::record_manual(
        &state.services,
        auth.tenant_id,
        &engine::payments::ManualPayment {
            order,
            amount: body.amount,
            method,
            kind,
            by: auth.user_id,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(p)))
}

/// A provider as the business set it up (keys never shown).
#[derive(Serialize, ToSchema)]
pub struct ProviderView {
    pub provider: String,
    #[schema(value_type = Object)]
    pub settings: Value,
    pub has_keys: bool,
    pub is_active: bool,
    /// Where the provider must post its webhooks.
    pub webhook_url: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderSetup {
    /// Non-secret settings: `base_url`, and for M-PESA `shortcode`,
    /// `party_b`, `transaction_type` (`paybill` or `till`).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub settings: serde_json::Map<String, Value>,
    /// Keys (`secret_key`; Flutterwave `secret_hash`; M-PESA
    /// `consumer_key`, `consumer_secret`, `passkey`; Stripe
    /// `webhook_secrets`), sealed at rest. Absent keeps the stored ones.
    #[schema(value_type = Option<Object>)]
    pub secrets: Option<serde_json::Map<String, Value>>,
    #[serde(default = "yes")]
    pub is_active: bool,
}

fn yes() -> bool {
    true
}

fn view(
    state: &AppState,
    tenant: domain::TenantId,
    r: store::payments::ProviderRow,
) -> ProviderView {
    ProviderView {
        webhook_url: match r.provider.as_str() {
            "mpesa" => "(a per-payment callback URL is sent with each push)".into(),
            p => format!(
                "{}/payments/webhook/{p}/{}",
                state.config.public_url(),
                tenant.0
            ),
        },
        provider: r.provider,
        settings: r.settings.0,
        has_keys: r.secrets_sealed.is_some(),
        is_active: r.is_active,
    }
}

/// The business's payment providers.
#[utoipa::path(get, path = "/payments/providers", tag = "payments", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Vec<ProviderView>), (status = 403, description = "The role does not allow this", body = ErrorBody)))]
pub async fn providers(
    State(state): State<AppState>,
    auth: Owner,
) -> ApiResult<axum::Json<Vec<ProviderView>>> {
    let rows = store::payments::providers(&state.db, auth.tenant_id).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|r| view(&state, auth.tenant_id, r))
            .collect(),
    ))
}

/// Sets up (or changes) one provider; the keys are checked by building the
/// client, and sealed.
#[utoipa::path(put, path = "/payments/providers/{provider}", tag = "payments", security(("bearer" = [])), params(("provider" = String, Path)),
    request_body = ProviderSetup,
    responses((status = 200, description = "OK", body = ProviderView), (status = 403, description = "The role does not allow this", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn set_provider(
    State(state): State<AppState>,
    auth: Owner,
    Path(name): Path<String>,
    Json(body): Json<ProviderSetup>,
) -> ApiResult<axum::Json<ProviderView>> {
    Ok(axum::Json(
        apply_provider(&state, auth.tenant_id, &name, body).await?,
    ))
}

/// Checks, seals and saves one provider's setup; shared by the API and the
/// dashboard. An unknown provider is not found.
pub(crate) async fn apply_provider(
    state: &AppState,
    tenant: domain::TenantId,
    name: &str,
    body: ProviderSetup,
) -> ApiResult<ProviderView> {
    let name = name.to_string();
    if !engine::pay::PROVIDERS.contains(&name.as_str()) || name == "sandbox" {
        return Err(AppError::NotFound);
    }
    let settings = Value::Object(body.settings);
    if let Some(base) = settings.get("base_url") {
        let ok = base
            .as_str()
            .is_some_and(|b| b.starts_with("https://") || b.starts_with("http://"));
        if !ok {
            return Err(AppError::field(
                "settings.base_url",
                "must be an http(s) URL",
            ));
        }
    }
    let sealed = match &body.secrets {
        Some(s) => Some(
            state
                .services
                .sealer
                .seal(&Value::Object(s.clone()).to_string())
                .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?,
        ),
        None => None,
    };
    let svc = &state.services;
    let current = store::payments::provider(&state.db, tenant, &name).await?;
    let candidate = store::payments::ProviderRow::new(
        &name,
        settings.clone(),
        sealed.clone().or(current.and_then(|c| c.secrets_sealed)),
    );
    if let Err(e) = engine::pay::provider_for(&svc.pay, &svc.sealer, &name, Some(&candidate)) {
        return Err(AppError::field("secrets", e.to_string()));
    }
    store::payments::set_provider(
        &state.db,
        tenant,
        &name,
        &settings,
        sealed.as_deref(),
        body.is_active,
    )
    .await?;
    let row = store::payments::provider(&state.db, tenant, &name)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(view(state, tenant, row))
}
