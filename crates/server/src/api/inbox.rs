//! `/api/v1/inbox`: conversations waiting for a person. The bot puts a
//! customer here whenever it promises follow-up (a voice note or photo it
//! cannot read, "I have paid", transfer details the business has not set,
//! a request for a person, three misunderstood messages, a cancellation a
//! person must handle, a declined checkout); staff resolve the entry once
//! they have answered, which also hands the conversation back to the bot.

use crate::auth::extractor::{Reader, Writer};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{Query, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use store::inbox::{Entry, EntryId};
use utoipa::{IntoParams, ToSchema};

/// One conversation waiting for a person.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxEntry {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    #[schema(value_type = String, format = Uuid)]
    pub customer_id: uuid::Uuid,
    pub customer_name: Option<String>,
    /// E.164.
    pub customer_phone: Option<String>,
    /// Why a person is needed (the latest reason): `asked_for_person`,
    /// `not_understood`, `media`, `payment_claimed`, `transfer_details`,
    /// `cancel_request` or `payment_declined`.
    pub reason: String,
    /// What the customer said or sent when the reason arose.
    pub detail: Option<String>,
    /// When the conversation first needed a person.
    pub since: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The customer's latest message.
    pub last_message: Option<LastMessage>,
    /// Absent while open.
    pub resolved_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub resolved_by: Option<uuid::Uuid>,
    /// The customer's WhatsApp thread.
    pub thread_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LastMessage {
    /// `text`, `image`, `audio`, `button_reply`, ...
    pub kind: String,
    /// Its text, caption or button title, when it has one.
    pub body: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<Entry> for InboxEntry {
    fn from(e: Entry) -> Self {
        let last_message = match (e.last_kind, e.last_at) {
            (Some(kind), Some(at)) => Some(LastMessage {
                kind,
                body: e.last_body,
                at,
            }),
            _ => None,
        };
        InboxEntry {
            id: e.id.0,
            customer_id: e.customer_id.0,
            customer_name: e.customer_name,
            customer_phone: e.customer_phone,
            reason: e.reason.as_str().to_string(),
            detail: e.detail,
            since: e.opened_at,
            updated_at: e.updated_at,
            last_message,
            resolved_at: e.resolved_at,
            resolved_by: e.resolved_by.map(|u| u.0),
            thread_url: format!("/api/v1/whatsapp/messages/{}", e.customer_id),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InboxList {
    /// Open entries, the most recently updated first.
    pub items: Vec<InboxEntry>,
}

#[derive(Deserialize, IntoParams)]
pub struct InboxQuery {
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
}

/// The conversations waiting for a person, the most recently updated first.
#[utoipa::path(get, path = "/inbox", tag = "inbox", security(("bearer" = [])), params(InboxQuery),
    responses((status = 200, description = "OK", body = InboxList), (status = 401, description = "Not authenticated", body = ErrorBody),
              (status = 422, description = "Invalid parameters, named in the error", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Reader,
    Query(q): Query<InboxQuery>,
) -> ApiResult<axum::Json<InboxList>> {
    let limit = crate::api::page_limit(q.limit)?;
    let rows = engine::inbox::open_entries(&state.db, auth.tenant_id, limit).await?;
    Ok(axum::Json(InboxList {
        items: rows.into_iter().map(InboxEntry::from).collect(),
    }))
}

/// Marks a conversation as answered by a person: it leaves the inbox and
/// the bot answers the customer again. Resolving twice changes nothing.
#[utoipa::path(post, path = "/inbox/{id}/resolve", tag = "inbox", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Resolved", body = InboxEntry), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<InboxEntry>> {
    let entry: EntryId = id(&raw)?;
    let resolved = engine::inbox::resolve(&state.db, auth.tenant_id, entry, auth.user_id)
        .await
        .map_err(AppError::from)?;
    Ok(axum::Json(resolved.into()))
}
