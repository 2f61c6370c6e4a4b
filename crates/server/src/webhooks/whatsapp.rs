//! `GET /webhook/whatsapp` (Meta's verification handshake) and `POST
//! /webhook/whatsapp` (deliveries): the signature is checked on the raw
//! bytes, every event is stored under its provider id with its processing
//! job in one transaction, and only then is 200 returned.

use crate::error::{ApiResult, AppError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use std::collections::HashMap;

pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// The handshake: echo `hub.challenge` when the mode is `subscribe` and the
/// token is ours.
pub async fn verify(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let expected = state.config.wa_verify_token.as_ref();
    let mode_ok = q.get("hub.mode").map(String::as_str) == Some("subscribe");
    let token_ok = match (expected, q.get("hub.verify_token")) {
        (Some(e), Some(given)) => crate::auth::tokens::same(e.expose_secret(), given),
        _ => false,
    };
    match (mode_ok && token_ok, q.get("hub.challenge")) {
        (true, Some(challenge)) => (StatusCode::OK, challenge.clone()).into_response(),
        _ => AppError::BadRequest {
            status: StatusCode::FORBIDDEN,
            code: "verification_failed",
            message:
                "hub.mode must be subscribe and hub.verify_token must match SOKONI_WA_VERIFY_TOKEN"
                    .into(),
        }
        .into_response(),
    }
}

/// A delivery from Meta.
pub async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let Some(secret) = state.config.wa_app_secret.as_ref() else {
        return Err(AppError::BadRequest {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "not_configured",
            message: "set SOKONI_WA_APP_SECRET to receive WhatsApp webhooks".into(),
        });
    };
    let header = headers
        .get(SIGNATURE_HEADER)
        .map(|v| v.to_str().unwrap_or_default());
    channels::signature::verify(secret.expose_secret().as_bytes(), &body, header)
        .map_err(|e| AppError::unauthorized("bad_signature", e.to_string()))?;
    let events = channels::inbound::parse(&body).map_err(|e| AppError::BadRequest {
        status: StatusCode::BAD_REQUEST,
        code: "bad_payload",
        message: format!("not a WhatsApp webhook envelope: {e}"),
    })?;
    let recorded = engine::intake::record(&state.db, &events).await?;
    if recorded.stored > 0 {
        state.inbound_wake.notify_waiters();
    }
    Ok((
        StatusCode::OK,
        axum::Json(serde_json::json!({
            "stored": recorded.stored,
            "duplicates": recorded.duplicates,
            "unroutable": recorded.unroutable,
            "templates": recorded.templates,
        })),
    )
        .into_response())
}
