//! The chat simulator at `/sandbox/chat`: type as a customer of a sandbox
//! number and see what the business sends back. What you type becomes a
//! real Meta webhook envelope, signed with the app secret and handed to the
//! real intake handler, so everything after it is the production path.
//!
//! Mounted only under `demo` or with the `sandbox` setting. Outside `demo`
//! its APIs need a login, and reach only the caller's own business's
//! sandbox numbers (another business's answer 404, as if they did not
//! exist): a thread is never readable by someone who could not read it at
//! `/api/v1/whatsapp/messages/...`.

use crate::api::whatsapp::WaMessage;
use crate::auth::extractor::{Reader, Writer};
use crate::config::SandboxAccess;
use crate::error::{ApiResult, AppError, Validator};
use crate::extract::{Json, Query};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use domain::{E164, TenantId};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::wa::Number;

const HTML: &str = include_str!("../assets/sandbox/chat.html");
const JS: &str = include_str!("../assets/sandbox/chat.js");
const CSS: &str = include_str!("../assets/sandbox/chat.css");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/chat", get(|| async { Html(HTML) }))
        .route(
            "/sandbox/chat.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    JS,
                )
            }),
        )
        .route(
            "/sandbox/chat.css",
            get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], CSS) }),
        )
        .route("/sandbox/api/numbers", get(numbers))
        .route("/sandbox/api/inbound", post(inbound))
        .route("/sandbox/api/thread", get(thread))
}

#[derive(Serialize)]
struct SandboxNumber {
    phone_number_id: String,
    display_phone_number: String,
    business_name: String,
    vertical: String,
    locale: String,
}

/// Whose sandbox numbers the caller may use: every business's in `demo`
/// (no login), otherwise only the logged-in business's (`Some`).
fn scope(state: &AppState, login: Result<TenantId, AppError>) -> ApiResult<Option<TenantId>> {
    match state.config.sandbox_access() {
        SandboxAccess::Open => Ok(None),
        SandboxAccess::LoggedIn | SandboxAccess::Off => login.map(Some),
    }
}

async fn numbers(
    State(state): State<AppState>,
    login: Result<Reader, AppError>,
) -> ApiResult<axum::Json<Value>> {
    let scope = scope(&state, login.map(|a| a.tenant_id))?;
    let mut out = Vec::new();
    for n in store::wa::all_numbers(&state.db, true).await? {
        if !n.active || scope.is_some_and(|t| t != n.tenant_id) {
            continue;
        }
        let t = store::tenants::get(&state.db, n.tenant_id).await?;
        out.push(SandboxNumber {
            phone_number_id: n.phone_number_id,
            display_phone_number: n.display_phone_number,
            business_name: t.business_name,
            vertical: t.vertical.as_str().to_string(),
            locale: t.locale.to_string(),
        });
    }
    Ok(axum::Json(json!({ "numbers": out })))
}

const NOT_SANDBOX: &str = "not an active sandbox number";

/// A sandbox number by Meta id; real numbers are not reachable from here.
/// Logged in (`scope`), another business's number is not found (404);
/// in `demo`, a number that is not an active sandbox one is `None`.
async fn sandbox_number(
    state: &AppState,
    phone_number_id: &str,
    scope: Option<TenantId>,
) -> ApiResult<Option<Number>> {
    let number = store::wa::number_by_phone_number_id(&state.db, phone_number_id)
        .await?
        .filter(|n| n.sandbox && n.active);
    match scope {
        None => Ok(number),
        Some(tenant) => match number {
            Some(n) if n.tenant_id == tenant => Ok(Some(n)),
            _ => Err(AppError::NotFound),
        },
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InboundRequest {
    phone_number_id: String,
    /// The customer's WhatsApp id (digits).
    from: String,
    profile_name: Option<String>,
    /// A `messages[]` item without `from`, `id` and `timestamp`.
    message: Value,
}

async fn inbound(
    State(state): State<AppState>,
    login: Result<Writer, AppError>,
    Json(req): Json<InboundRequest>,
) -> ApiResult<axum::Json<Value>> {
    let scope = scope(&state, login.map(|a| a.tenant_id))?;
    let mut v = Validator::new();
    let number = sandbox_number(&state, &req.phone_number_id, scope).await?;
    v.check(number.is_some(), "phone_number_id", NOT_SANDBOX);
    v.check(
        req.from.bytes().all(|b| b.is_ascii_digit()) && E164::from_wa_id(&req.from).is_ok(),
        "from",
        "must be a WhatsApp id: country code and number, digits only",
    );
    let kind = req
        .message
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    v.check(
        req.message.is_object() && !kind.is_empty() && req.message.get(kind).is_some(),
        "message",
        "must be a WhatsApp message object with a type and its body",
    );
    if let Some(name) = &req.profile_name {
        v.check(
            name.chars().count() <= 100,
            "profile_name",
            "at most 100 characters",
        );
    }
    v.finish()?;
    let Some(number) = number else {
        return Err(AppError::field("phone_number_id", NOT_SANDBOX));
    };
    let Some(secret) = state.config.wa_app_secret.as_ref() else {
        return Err(AppError::BadRequest {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "not_configured",
            message: "set SOKONI_WA_APP_SECRET to use the simulator".into(),
        });
    };
    let wamid = format!("wamid.sandbox.in.{}", uuid::Uuid::now_v7().simple());
    let mut message = req.message;
    message["from"] = json!(req.from);
    message["id"] = json!(wamid);
    message["timestamp"] = json!(Utc::now().timestamp().to_string());
    let mut contact = json!({ "wa_id": req.from });
    if let Some(name) = req.profile_name.filter(|n| !n.trim().is_empty()) {
        contact["profile"] = json!({ "name": name });
    }
    let display: String = number
        .display_phone_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let envelope = channels::inbound::envelope(
        &number.phone_number_id,
        &display,
        json!({ "contacts": [contact], "messages": [message] }),
    );
    let body = envelope.to_string();
    let signature = channels::signature::sign(secret.expose_secret().as_bytes(), body.as_bytes());
    let mut headers = HeaderMap::new();
    headers.insert(
        crate::webhooks::whatsapp::SIGNATURE_HEADER,
        HeaderValue::from_str(&signature).map_err(|e| AppError::Internal(e.into()))?,
    );
    let res = crate::webhooks::whatsapp::receive(State(state), headers, Bytes::from(body))
        .await?
        .into_response();
    if !res.status().is_success() {
        return Err(AppError::Internal(anyhow::anyhow!(
            "the intake answered {}",
            res.status()
        )));
    }
    Ok(axum::Json(json!({ "wamid": wamid })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThreadQuery {
    phone_number_id: String,
    wa_id: String,
    /// The `cursor` of the previous answer.
    after: Option<String>,
}

async fn thread(
    State(state): State<AppState>,
    login: Result<Reader, AppError>,
    Query(q): Query<ThreadQuery>,
) -> ApiResult<axum::Json<Value>> {
    let scope = scope(&state, login.map(|a| a.tenant_id))?;
    let number = sandbox_number(&state, &q.phone_number_id, scope)
        .await?
        .ok_or_else(|| AppError::field("phone_number_id", NOT_SANDBOX))?;
    let phone = E164::from_wa_id(&q.wa_id)
        .map_err(|_| AppError::field("wa_id", "must be a WhatsApp id, digits only"))?;
    let since: Option<DateTime<Utc>> = match q.after.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(
            DateTime::parse_from_rfc3339(a)
                .map_err(|_| AppError::field("after", "not a cursor from a previous answer"))?
                .with_timezone(&Utc),
        ),
        None => None,
    };
    let customer =
        store::customers::find_by_wa_id(&state.db, number.tenant_id, &phone.wa_id()).await?;
    let rows = match customer {
        Some(c) => store::wa::changed_since(&state.db, number.tenant_id, c.id, since, 500).await?,
        // A staff member's phone: their own chat with the number.
        None => {
            store::wa::staff_changed_since(
                &state.db,
                number.tenant_id,
                number.id,
                &phone.wa_id(),
                since,
                500,
            )
            .await?
        }
    };
    let cursor = rows
        .iter()
        .map(|m| m.updated_at)
        .max()
        .or(since)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    let messages: Vec<WaMessage> = rows.into_iter().map(WaMessage::from).collect();
    Ok(axum::Json(
        json!({ "messages": messages, "cursor": cursor }),
    ))
}
