//! `/api/v1/whatsapp`: a customer's thread, sending a message, and the
//! business's WhatsApp numbers.

use crate::auth::extractor::{Owner, Reader, Writer};
use crate::error::{ApiResult, AppError, ErrorBody, Validator};
use crate::extract::{Json, Query, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use channels::outbound::OutMessage;
use chrono::{DateTime, Utc};
use domain::{CustomerId, OrderId, TenantId, WaMessageId, WaNumberId};
use engine::outbound::ByHand;
use serde::{Deserialize, Serialize};
use store::wa::{Message, NewNumber, Number, NumberPatch};
use utoipa::{IntoParams, ToSchema};

/// One message of a thread, either direction.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaMessage {
    #[schema(value_type = String, format = Uuid)]
    pub id: WaMessageId,
    /// Meta's message id, once known.
    pub wamid: Option<String>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub customer_id: Option<uuid::Uuid>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub order_id: Option<uuid::Uuid>,
    /// `inbound` (from the customer) or `outbound`.
    pub direction: String,
    pub from_number: String,
    pub to_number: String,
    /// `text`, `button_reply`, `image`, ... inbound; `text`, `buttons`,
    /// `list`, `template`, ... outbound.
    pub kind: String,
    /// A readable summary of the message.
    pub body: Option<String>,
    /// Inbound: the message as Meta delivered it. Outbound: the Graph API
    /// request body sent (or to be sent).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// `received` (inbound); `queued`, `sent`, `delivered`, `read`,
    /// `failed` or `blocked` (outbound).
    #[schema(value_type = String, example = "sent")]
    pub status: domain::outbound::MessageStatus,
    /// Why a message failed or was blocked, or why its media was not kept.
    pub error: Option<WaError>,
    pub media_mime: Option<String>,
    /// A voice note's words, as speech to text heard them (absent without
    /// a speech-to-text provider, empty when nothing could be heard).
    pub transcript: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaError {
    /// Meta's error code; absent when we did not send the message.
    pub code: Option<i64>,
    pub title: String,
    pub details: Option<String>,
}

impl From<Message> for WaMessage {
    fn from(m: Message) -> Self {
        let error = m.error_title.map(|title| WaError {
            code: m.error_code,
            title,
            details: m.error_details,
        });
        WaMessage {
            id: m.id,
            wamid: m.wa_message_id,
            customer_id: m.customer_id,
            order_id: m.order_id,
            direction: m.direction,
            from_number: m.from_number,
            to_number: m.to_number,
            kind: m.kind,
            body: m.body,
            payload: m.payload.0,
            status: m.status,
            error,
            media_mime: m.media_mime,
            transcript: m.transcript,
            created_at: m.created_at,
            updated_at: m.updated_at,
            sent_at: m.sent_at,
            delivered_at: m.delivered_at,
            read_at: m.read_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Thread {
    /// Oldest first.
    pub items: Vec<WaMessage>,
    /// Pass as `before` for the previous page; absent on the first message.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub before: Option<WaMessageId>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ThreadQuery {
    /// A message id: return the messages before it.
    pub before: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// A customer's WhatsApp thread, both directions, with delivery statuses
/// and failure reasons.
#[utoipa::path(get, path = "/whatsapp/messages/{customerId}", tag = "whatsapp", security(("bearer" = [])),
    params(("customerId" = String, Path), ThreadQuery),
    responses((status = 200, description = "OK", body = Thread), (status = 404, description = "Not found, or another business's", body = ErrorBody),
              (status = 422, description = "Invalid parameters, named in the error", body = ErrorBody)))]
pub async fn thread(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> ApiResult<axum::Json<Thread>> {
    let customer: CustomerId = id(&raw)?;
    let mut v = Validator::new();
    let before = q
        .before
        .as_deref()
        .and_then(|b| v.take("before", b.parse::<WaMessageId>()));
    let limit = q.limit.unwrap_or(50);
    v.check(
        (1..=200).contains(&limit),
        "limit",
        "must be between 1 and 200",
    );
    v.finish()?;
    if !store::customers::exists(&state.db, auth.tenant_id, customer).await? {
        return Err(AppError::NotFound);
    }
    let page = store::wa::thread(&state.db, auth.tenant_id, customer, before, limit).await?;
    let before = (page.len() as i64 == limit)
        .then(|| page.first().map(|m| m.id))
        .flatten();
    Ok(axum::Json(Thread {
        items: page.into_iter().map(WaMessage::from).collect(),
        before,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendRequest {
    #[schema(value_type = String, format = Uuid)]
    pub customer_id: CustomerId,
    /// What to send: `{"type":"text","body":"..."}`, `{"type":"buttons",
    /// "body":"...","buttons":[{"id":"yes","title":"Yes"}]}`, `{"type":"list",
    /// ...}`, `{"type":"template","name":"...","language":"en","body":["..."]}`,
    /// `{"type":"product",...}`, `{"type":"product_list",...}`,
    /// `{"type":"media","kind":"image","link":"https://..."}`.
    #[schema(value_type = Object)]
    pub message: serde_json::Value,
    /// An approved template to send instead if the customer's 24-hour
    /// window has closed; without one such a message is recorded as blocked.
    #[schema(value_type = Option<Object>)]
    pub fallback_template: Option<serde_json::Value>,
    /// The business number to send from (default: the first active one).
    #[schema(value_type = Option<String>, format = Uuid)]
    pub number_id: Option<WaNumberId>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub order_id: Option<OrderId>,
}

/// Queues a message to a customer. It is checked against Meta's limits
/// first (a 422 names the field); the 24-hour rule is applied when it is
/// sent, and the thread shows the outcome.
#[utoipa::path(post, path = "/whatsapp/send", tag = "whatsapp", security(("bearer" = [])), request_body = SendRequest,
    responses((status = 202, description = "Queued", body = WaMessage), (status = 404, description = "No such customer, number or order in this business", body = ErrorBody),
              (status = 409, description = "The business has no active WhatsApp number, or the customer no WhatsApp", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    auth: Writer,
    Json(body): Json<SendRequest>,
) -> ApiResult<(StatusCode, axum::Json<WaMessage>)> {
    let mut v = Validator::new();
    let message: Option<OutMessage> = v.take("message", serde_json::from_value(body.message));
    let fallback: Option<OutMessage> = match body.fallback_template {
        Some(f) => v.take("fallback_template", serde_json::from_value(f)),
        None => None,
    };
    v.finish()?;
    let Some(message) = message else {
        return Err(AppError::field("message", "is required"));
    };
    let tenant = auth.tenant_id;
    let customer = store::customers::get(&state.db, tenant, body.customer_id).await?;
    if let Some(order) = body.order_id {
        let o = store::orders::get(&state.db, tenant, order).await?;
        if o.customer_id != customer.id {
            return Err(AppError::field("order_id", "belongs to another customer"));
        }
    }
    let number = sending_number(&state, tenant, body.number_id).await?;
    let tenant_row = store::tenants::get(&state.db, tenant).await?;
    let by_hand = ByHand {
        tenant: &tenant_row,
        customer: &customer,
        number: &number,
        order: body.order_id,
        message,
        fallback,
        now: state.services.clock.now(),
    };
    let mut tx = state.db.begin().await?;
    let queued = engine::outbound::send_by_hand(&mut tx, &by_hand)
        .await
        .map_err(crate::error::outbound)?;
    tx.commit().await?;
    state.services.wake_outbound();
    let m = store::wa::message(&state.db, queued).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(m.into())))
}

/// The number to send from: the one asked for (this tenant's, active), or
/// the tenant's first active number.
async fn sending_number(
    state: &AppState,
    tenant: TenantId,
    wanted: Option<WaNumberId>,
) -> ApiResult<Number> {
    let numbers = store::wa::numbers(&state.db, tenant).await?;
    match wanted {
        Some(id) => {
            let n = numbers
                .into_iter()
                .find(|n| n.id == id)
                .ok_or(AppError::NotFound)?;
            if !n.active {
                return Err(AppError::conflict(
                    "number_inactive",
                    "this WhatsApp number is switched off",
                    Some("number_id"),
                ));
            }
            Ok(n)
        }
        None => numbers.into_iter().find(|n| n.active).ok_or_else(|| {
            AppError::conflict(
                "no_whatsapp_number",
                "connect a WhatsApp number first (POST /api/v1/whatsapp/numbers)",
                None,
            )
        }),
    }
}

/// A business's WhatsApp number (the access token is never shown).
#[derive(Debug, Serialize, ToSchema)]
pub struct WaNumber {
    #[schema(value_type = String, format = Uuid)]
    pub id: WaNumberId,
    /// Meta's id for the number; unique on this server.
    pub phone_number_id: String,
    pub display_phone_number: String,
    pub waba_id: Option<String>,
    /// Whether an access token is stored (sealed).
    pub has_access_token: bool,
    /// Sandbox numbers send through the local simulator, not Meta.
    pub sandbox: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<Number> for WaNumber {
    fn from(n: Number) -> Self {
        WaNumber {
            id: n.id,
            phone_number_id: n.phone_number_id,
            display_phone_number: n.display_phone_number,
            waba_id: n.waba_id,
            has_access_token: n.access_token_sealed.is_some(),
            sandbox: n.sandbox,
            active: n.active,
            created_at: n.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaNumberList {
    pub items: Vec<WaNumber>,
}

/// The business's WhatsApp numbers.
#[utoipa::path(get, path = "/whatsapp/numbers", tag = "whatsapp", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = WaNumberList), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn numbers(
    State(state): State<AppState>,
    auth: Reader,
) -> ApiResult<axum::Json<WaNumberList>> {
    let items = store::wa::numbers(&state.db, auth.tenant_id).await?;
    Ok(axum::Json(WaNumberList {
        items: items.into_iter().map(WaNumber::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNumberRequest {
    /// From Meta's WhatsApp Manager (digits).
    pub phone_number_id: String,
    /// The number customers see, e.g. +234 803 000 0001.
    pub display_phone_number: String,
    pub waba_id: Option<String>,
    /// A system-user access token; required unless `sandbox`.
    pub access_token: Option<String>,
    #[serde(default)]
    pub sandbox: bool,
}

/// Checks a number's fields; shared by the API and `sokoni number add`.
pub fn check_number(v: &mut Validator, r: &NewNumberRequest) {
    v.check(
        !r.phone_number_id.is_empty()
            && r.phone_number_id.len() <= 32
            && r.phone_number_id.bytes().all(|b| b.is_ascii_digit()),
        "phone_number_id",
        "must be Meta's numeric phone number id",
    );
    check_display(v, &r.display_phone_number);
    match r.access_token.as_deref() {
        Some(t) => check_token(v, t),
        None => v.check(
            r.sandbox,
            "access_token",
            "is required for a real (non-sandbox) number",
        ),
    }
}

fn check_display(v: &mut Validator, display: &str) {
    let digits = display.chars().filter(char::is_ascii_digit).count();
    v.check(
        (7..=15).contains(&digits) && display.len() <= 32,
        "display_phone_number",
        "must be a phone number with country code",
    );
}

fn check_token(v: &mut Validator, token: &str) {
    v.check(
        !token.trim().is_empty() && token.len() <= 1024,
        "access_token",
        "must not be empty",
    );
}

/// Seals an access token for storage.
fn seal(state: &AppState, token: Option<&str>) -> ApiResult<Option<String>> {
    token
        .map(|t| state.services.sealer.seal(t.trim()))
        .transpose()
        .map_err(|e| AppError::Internal(e.into()))
}

/// Connects a WhatsApp number to the business (owner only). The access
/// token is sealed (AES-256-GCM) before it is stored.
#[utoipa::path(post, path = "/whatsapp/numbers", tag = "whatsapp", security(("bearer" = [])), request_body = NewNumberRequest,
    responses((status = 201, description = "Created", body = WaNumber), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 409, description = "The number is already connected", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn add_number(
    State(state): State<AppState>,
    auth: Owner,
    Json(body): Json<NewNumberRequest>,
) -> ApiResult<(StatusCode, axum::Json<WaNumber>)> {
    let n = check_and_add(&state, auth.tenant_id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(n.into())))
}

/// Checks a new number and stores it; shared by the API and the dashboard.
pub(crate) async fn check_and_add(
    state: &AppState,
    tenant: TenantId,
    body: NewNumberRequest,
) -> ApiResult<Number> {
    let mut v = Validator::new();
    check_number(&mut v, &body);
    v.finish()?;
    add(state, tenant, body).await
}

/// Stores a checked number, sealing its token. A sandbox number's account
/// gets Sokoni's standard templates at once (the sandbox approves them
/// without review); a real number's owner submits them
/// (`POST /api/v1/whatsapp/templates/submit`).
pub async fn add(state: &AppState, tenant: TenantId, r: NewNumberRequest) -> ApiResult<Number> {
    let sandbox = r.sandbox;
    let sealed = seal(state, r.access_token.as_deref())?;
    let n = store::wa::insert_number(
        &state.db,
        tenant,
        &NewNumber {
            phone_number_id: r.phone_number_id,
            display_phone_number: r.display_phone_number.trim().to_string(),
            waba_id: r.waba_id,
            access_token_sealed: sealed,
            sandbox: r.sandbox,
        },
    )
    .await?;
    if sandbox {
        engine::templates::submit_sandbox(&state.services, tenant)
            .await
            .map_err(crate::api::templates::error)?;
    }
    Ok(n)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NumberPatchRequest {
    pub display_phone_number: Option<String>,
    /// A new access token (replaces the stored one).
    pub access_token: Option<String>,
    pub active: Option<bool>,
}

/// Changes a number: its token, display or whether it is active (owner only).
#[utoipa::path(patch, path = "/whatsapp/numbers/{id}", tag = "whatsapp", security(("bearer" = [])), request_body = NumberPatchRequest,
    params(("id" = String, Path)),
    responses((status = 200, description = "OK", body = WaNumber), (status = 404, description = "Not found, or another business's", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn update_number(
    State(state): State<AppState>,
    auth: Owner,
    Path(raw): Path<String>,
    Json(body): Json<NumberPatchRequest>,
) -> ApiResult<axum::Json<WaNumber>> {
    let nid: WaNumberId = id(&raw)?;
    Ok(axum::Json(
        change_number(&state, auth.tenant_id, nid, body)
            .await?
            .into(),
    ))
}

/// Checks and applies a change of a number; shared by the API and the
/// dashboard. Another business's number is not found.
pub(crate) async fn change_number(
    state: &AppState,
    tenant: TenantId,
    nid: WaNumberId,
    body: NumberPatchRequest,
) -> ApiResult<Number> {
    let mut v = Validator::new();
    if let Some(d) = &body.display_phone_number {
        check_display(&mut v, d);
    }
    if let Some(t) = &body.access_token {
        check_token(&mut v, t);
    }
    v.finish()?;
    let sealed = seal(state, body.access_token.as_deref())?;
    let n = store::wa::update_number(
        &state.db,
        tenant,
        nid,
        &NumberPatch {
            display_phone_number: body.display_phone_number.map(|d| d.trim().to_string()),
            access_token_sealed: sealed,
            active: body.active,
        },
    )
    .await?;
    Ok(n)
}
