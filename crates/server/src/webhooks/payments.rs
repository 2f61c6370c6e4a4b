//! Payment provider webhooks. Each is authenticated on its raw bytes with
//! the business's own keys (401 and nothing stored otherwise), recorded
//! under the provider's unique event key with its verification job in one
//! transaction, and answered 200; a redelivery changes nothing. Nothing is
//! marked paid here: the `verify_payment` job asks the provider first.
//!
//! Paths: `/payments/webhook/{provider}/{tenantId}` for Paystack,
//! Flutterwave and Stripe (each business signs with its own keys, so the
//! path says whose keys to check), `/payments/webhook/mpesa/{token}` (an
//! unguessable per-payment path: Daraja callbacks carry no signature), and
//! `/payments/webhook/sandbox` (the server's sandbox checkout).

use crate::error::{ApiResult, AppError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use domain::{PaymentId, TenantId};
use payments::{PaymentProvider, Status, WebhookError, WebhookEvent};
use serde_json::{Value, json};
use std::sync::Arc;

fn lower_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| {
            Some((
                k.as_str().to_ascii_lowercase(),
                v.to_str().ok()?.to_string(),
            ))
        })
        .collect()
}

fn refused(e: &WebhookError) -> AppError {
    if e.is_auth() {
        AppError::BadRequest {
            status: StatusCode::UNAUTHORIZED,
            code: "bad_signature",
            message: e.to_string(),
        }
    } else {
        AppError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "bad_payload",
            message: e.to_string(),
        }
    }
}

fn not_found() -> AppError {
    AppError::BadRequest {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        message: "no such webhook".into(),
    }
}

/// `POST /payments/webhook/{provider}/{tenantId}`.
pub async fn receive(
    State(state): State<AppState>,
    Path((provider, tenant)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    if !matches!(provider.as_str(), "paystack" | "flutterwave" | "stripe") {
        return Err(not_found());
    }
    let tenant = tenant
        .parse::<uuid::Uuid>()
        .map(TenantId)
        .map_err(|_| not_found())?;
    let row = store::payments::provider(&state.db, tenant, &provider).await?;
    let Some(row) = row.filter(|r| r.is_active) else {
        return Err(not_found());
    };
    let svc = &state.services;
    let client = engine::pay::provider_for(&svc.pay, &svc.sealer, &provider, Some(&row))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    accept(&state, client, Some(tenant), &headers, &body).await
}

/// `POST /payments/webhook/sandbox`.
pub async fn receive_sandbox(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let svc = &state.services;
    let client = engine::pay::provider_for(&svc.pay, &svc.sealer, "sandbox", None)
        .map_err(|_| not_found())?;
    accept(&state, client, None, &headers, &body).await
}

/// `POST /payments/webhook/mpesa/{token}`.
pub async fn receive_mpesa(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    if token.len() < 32 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    let Some((tenant, payment)) = store::payments::by_callback_token(&state.db, &token).await?
    else {
        return Err(not_found());
    };
    let row = store::payments::provider(&state.db, tenant, "mpesa").await?;
    let svc = &state.services;
    let client = engine::pay::provider_for(&svc.pay, &svc.sealer, "mpesa", row.as_ref())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let event = client
        .parse_webhook(&lower_headers(&headers), &body, Utc::now())
        .map_err(|e| refused(&e))?;
    // The callback must be about the push this path was made for (a
    // callback racing the push's own answer is taken; the query that
    // follows checks it with Daraja).
    if event.provider_ref.is_some()
        && payment.provider_ref.is_some()
        && event.provider_ref != payment.provider_ref
    {
        return Err(AppError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "bad_payload",
            message: "the callback is for another request".into(),
        });
    }
    store_event(
        &state,
        Some(tenant),
        client.name(),
        &event,
        Some(payment.id),
        &body,
    )
    .await
}

async fn accept(
    state: &AppState,
    client: Arc<dyn PaymentProvider>,
    tenant: Option<TenantId>,
    headers: &HeaderMap,
    body: &Bytes,
) -> ApiResult<Response> {
    let event = client
        .parse_webhook(&lower_headers(headers), body, Utc::now())
        .map_err(|e| refused(&e))?;
    // The payment it is about: by our reference, within the business whose
    // keys signed it (or any, for the server's own sandbox).
    let mut found = None;
    if let Some(reference) = &event.reference
        && let Some((t, p)) = store::payments::by_reference(&state.db, reference).await?
        && tenant.is_none_or(|mine| mine == t)
        && p.provider == client.name()
    {
        found = Some((t, p.id));
    }
    let tenant = found.map(|(t, _)| t).or(tenant);
    store_event(
        state,
        tenant,
        client.name(),
        &event,
        found.map(|(_, p)| p),
        body,
    )
    .await
}

async fn store_event(
    state: &AppState,
    tenant: Option<TenantId>,
    provider: &str,
    event: &WebhookEvent,
    payment: Option<PaymentId>,
    raw: &[u8],
) -> ApiResult<Response> {
    let claimed = match &event.claimed {
        Status::Paid => "paid",
        Status::Pending => "pending",
        Status::Failed(_) => "failed",
    };
    let raw: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
    let payload = json!({
        "kind": event.kind,
        "claimed": claimed,
        "reference": event.reference,
        "provider_ref": event.provider_ref,
        "amount": event.amount,
        "currency": event.currency,
        "body": raw,
    });
    let stored = engine::payments::record_webhook(
        &state.services,
        tenant,
        provider,
        &event.event_key,
        payment,
        &payload,
    )
    .await?;
    let outcome = if stored.is_none() {
        "duplicate"
    } else if payment.is_none() {
        "unmatched"
    } else {
        "stored"
    };
    metrics::counter!("sokoni_payment_webhooks_total", "provider" => provider.to_string(), "outcome" => outcome)
        .increment(1);
    Ok((StatusCode::OK, axum::Json(json!({ "status": outcome }))).into_response())
}
