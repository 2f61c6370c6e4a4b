//! The sandbox payment provider's side: what Paystack or Stripe would run.
//! The `payments::sandbox` client opens charges through its JSON API and
//! verifies them there; the customer pays (or fails) on a checkout page,
//! which then posts a signed webhook to our own
//! `/payments/webhook/sandbox`, exactly as a provider would. Mounted with
//! the rest of the sandbox (`demo`, or the `sandbox` setting), and on only
//! when `sandbox_payments_secret` is set too (`demo` sets it).

use crate::error::{ApiResult, AppError};
use crate::extract::Json;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use domain::money::{Currency, Money};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::json;
use store::payments::SandboxCharge;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/pay/api/charges", post(open))
        .route("/sandbox/pay/api/charges/{reference}", get(status))
        .route("/sandbox/pay/{reference}", get(page))
        .route("/sandbox/pay/{reference}/{outcome}", post(settle))
}

fn secret(state: &AppState) -> ApiResult<&secrecy::SecretString> {
    state.config.sandbox_payments().ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenCharge {
    reference: String,
    amount: i64,
    currency: String,
    description: String,
    return_url: String,
}

async fn open(
    State(state): State<AppState>,
    Json(body): Json<OpenCharge>,
) -> ApiResult<(StatusCode, axum::Json<serde_json::Value>)> {
    secret(&state)?;
    let ok_ref = !body.reference.is_empty()
        && body.reference.len() <= 64
        && body
            .reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.=".contains(&b));
    if !ok_ref {
        return Err(AppError::field(
            "reference",
            "1-64 characters: letters, digits, - . =",
        ));
    }
    if body.amount <= 0 {
        return Err(AppError::field("amount", "must be above 0"));
    }
    if Currency::parse(&body.currency).is_err() {
        return Err(AppError::field("currency", "must be an ISO currency code"));
    }
    let c = store::payments::sandbox_open(
        &state.db,
        &body.reference,
        body.amount,
        &body.currency,
        &body.description,
        &body.return_url,
    )
    .await?;
    let url = format!("{}/sandbox/pay/{}", state.config.public_url(), c.reference);
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({ "url": url, "id": c.id })),
    ))
}

async fn charge(state: &AppState, reference: &str) -> ApiResult<SandboxCharge> {
    secret(state)?;
    store::payments::sandbox_get(&state.db, reference)
        .await?
        .ok_or(AppError::NotFound)
}

async fn status(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> ApiResult<axum::Json<SandboxCharge>> {
    Ok(axum::Json(charge(&state, &reference).await?))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn shown(c: &SandboxCharge) -> String {
    Currency::parse(&c.currency)
        .map(|cur| Money::new(c.amount, cur).display("en"))
        .unwrap_or_else(|_| format!("{} {}", c.amount, c.currency))
}

fn html(title: &str, inner: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;}}\
         .amount{{font-size:2rem;margin:.5rem 0}}button{{font-size:1rem;padding:.7rem 1.2rem;margin:.3rem .3rem 0 0;border-radius:.4rem;border:1px solid #888;cursor:pointer}}\
         .pay{{background:#0a7d32;color:#fff;border-color:#0a7d32}}.note{{color:#666;font-size:.9rem}}\
         @media (prefers-color-scheme:dark){{body{{background:#111;color:#eee}}}}</style></head>\
         <body>{inner}</body></html>",
        title = esc(title)
    ))
}

async fn page(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> ApiResult<Html<String>> {
    let c = charge(&state, &reference).await?;
    let body = match c.status.as_str() {
        "pending" => format!(
            "<h1>Sandbox checkout</h1><p>{desc}</p><p class=\"amount\">{amount}</p>\
             <form method=\"post\" action=\"/sandbox/pay/{r}/pay\" style=\"display:inline\"><button class=\"pay\">Pay</button></form>\
             <form method=\"post\" action=\"/sandbox/pay/{r}/fail\" style=\"display:inline\"><button>Decline</button></form>\
             <p class=\"note\">No money moves: this page stands in for a payment provider and notifies Sokoni \
             with a signed webhook, as a provider would.</p>",
            desc = esc(&c.description),
            amount = esc(&shown(&c)),
            r = esc(&c.reference),
        ),
        other => format!(
            "<h1>Sandbox checkout</h1><p>{desc}</p><p class=\"amount\">{amount}</p><p>This charge is {status}.</p>",
            desc = esc(&c.description),
            amount = esc(&shown(&c)),
            status = esc(other),
        ),
    };
    Ok(html("Sandbox checkout", &body))
}

async fn settle(
    State(state): State<AppState>,
    Path((reference, outcome)): Path<(String, String)>,
) -> ApiResult<Response> {
    let secret = secret(&state)?.clone();
    let (status, event) = match outcome.as_str() {
        "pay" => ("paid", "charge.paid"),
        "fail" => ("failed", "charge.failed"),
        _ => return Err(AppError::NotFound),
    };
    let c = charge(&state, &reference).await?;
    if store::payments::sandbox_settle(&state.db, &reference, status).await? {
        let body = json!({
            "event": event,
            "id": c.id,
            "reference": c.reference,
            "amount": c.amount,
            "currency": c.currency,
        })
        .to_string();
        let signature = payments::sandbox::sign(secret.expose_secret().as_bytes(), body.as_bytes());
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-sandbox-signature",
            HeaderValue::from_str(&signature).map_err(|e| AppError::Internal(e.into()))?,
        );
        let res = crate::webhooks::payments::receive_sandbox(
            State(state.clone()),
            headers,
            Bytes::from(body),
        )
        .await?
        .into_response();
        if !res.status().is_success() {
            return Err(AppError::Internal(anyhow::anyhow!(
                "our webhook answered {}",
                res.status()
            )));
        }
    }
    let done = if status == "paid" {
        "Paid. You can go back to WhatsApp: your receipt is on its way."
    } else {
        "Declined. Nothing was charged."
    };
    Ok(html(
        "Sandbox checkout",
        &format!(
            "<h1>Sandbox checkout</h1><p class=\"amount\">{}</p><p>{done}</p>",
            esc(&shown(&c))
        ),
    )
    .into_response())
}

/// `GET /payments/return/{reference}`: where every provider's checkout
/// sends the customer back (mounted whether or not the sandbox is).
pub async fn returned(Path(_reference): Path<String>) -> Html<String> {
    html(
        "Thank you",
        "<h1>Thank you</h1><p>You can go back to WhatsApp: the business confirms your payment there.</p>",
    )
}
