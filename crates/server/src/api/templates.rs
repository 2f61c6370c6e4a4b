//! `/api/v1/whatsapp/templates`: the business's WhatsApp message templates
//! as Meta last reported them, and the owner's two actions: sync them from
//! Meta, and submit Sokoni's standard templates for review (a sandbox
//! number's account approves them at once).

use crate::auth::extractor::{Owner, Reader};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use engine::templates::{Report, TemplatesError};
use serde::Serialize;
use utoipa::ToSchema;

/// One template in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaTemplate {
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// The WhatsApp Business Account (`sandbox` for the sandbox's).
    pub waba_id: String,
    pub name: String,
    pub language: String,
    /// `utility`, `marketing` or `authentication`.
    pub category: String,
    /// `pending`, `approved`, `rejected`, `paused`, `disabled`, `in_appeal`,
    /// `deleted`, `limit_exceeded` or `archived`. Only `approved` is sent.
    pub status: String,
    /// Meta's reason for a rejection or a pause.
    pub reason: Option<String>,
    /// Meta's template id.
    pub meta_id: Option<String>,
    /// The body, with `{{1}}`, `{{2}}`… for its parameters.
    pub body: String,
    pub params: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<store::templates::Template> for WaTemplate {
    fn from(t: store::templates::Template) -> Self {
        WaTemplate {
            id: t.id,
            waba_id: t.waba_id,
            name: t.name,
            language: t.language,
            category: t.category,
            status: t.status,
            reason: t.reason,
            meta_id: t.meta_id,
            body: t.body,
            params: t.params,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaTemplateList {
    pub items: Vec<WaTemplate>,
}

/// What a sync or a submission did, and the templates afterwards.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateReport {
    /// The WhatsApp Business Accounts reached.
    pub accounts: Vec<String>,
    /// Template rows inserted or updated.
    pub written: usize,
    /// Templates left as they were (already submitted; or listed by Meta
    /// with a status or category Sokoni does not store).
    pub unchanged: usize,
    /// Real numbers without a `waba_id`: nothing of theirs is reached.
    pub numbers_without_account: usize,
    pub items: Vec<WaTemplate>,
}

/// The HTTP answer for a template service error.
pub fn error(e: TemplatesError) -> AppError {
    match e {
        TemplatesError::NoAccount => AppError::conflict("no_whatsapp_account", e.to_string(), None),
        TemplatesError::Token { .. } => AppError::conflict("no_access_token", e.to_string(), None),
        TemplatesError::Graph { ref source, .. } => AppError::BadRequest {
            status: if source.is_retryable() {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::BAD_GATEWAY
            },
            code: if source.is_retryable() {
                "whatsapp_unavailable"
            } else {
                "whatsapp_refused"
            },
            message: e.to_string(),
        },
        TemplatesError::Store(s) => s.into(),
    }
}

async fn report(
    state: &AppState,
    tenant: domain::TenantId,
    r: Report,
) -> ApiResult<TemplateReport> {
    let items = store::templates::list(&state.db, tenant).await?;
    Ok(TemplateReport {
        accounts: r.accounts,
        written: r.written,
        unchanged: r.unchanged,
        numbers_without_account: r.numbers_without_account,
        items: items.into_iter().map(WaTemplate::from).collect(),
    })
}

/// The business's templates, by name and language.
#[utoipa::path(get, path = "/whatsapp/templates", tag = "whatsapp", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = WaTemplateList), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Reader,
) -> ApiResult<axum::Json<WaTemplateList>> {
    let items = store::templates::list(&state.db, auth.tenant_id).await?;
    Ok(axum::Json(WaTemplateList {
        items: items.into_iter().map(WaTemplate::from).collect(),
    }))
}

/// Reads every template of the business's WhatsApp Business Accounts from
/// Meta and stores their statuses (owner only).
#[utoipa::path(post, path = "/whatsapp/templates/sync", tag = "whatsapp", security(("bearer" = [])),
    responses((status = 200, description = "Synced", body = TemplateReport), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 409, description = "No number on a WhatsApp Business Account, or no access token", body = ErrorBody),
              (status = 502, description = "Meta refused the call", body = ErrorBody), (status = 503, description = "Meta could not be reached; try again", body = ErrorBody)))]
pub async fn sync(
    State(state): State<AppState>,
    auth: Owner,
) -> ApiResult<axum::Json<TemplateReport>> {
    let r = engine::templates::sync(&state.services, auth.tenant_id)
        .await
        .map_err(error)?;
    Ok(axum::Json(report(&state, auth.tenant_id, r).await?))
}

/// Submits Sokoni's standard templates the business does not have yet, in
/// its language and English, for Meta's review (owner only). They are
/// stored `pending` until Meta's webhook or a sync says otherwise; on a
/// sandbox number's account they are approved at once.
#[utoipa::path(post, path = "/whatsapp/templates/submit", tag = "whatsapp", security(("bearer" = [])),
    responses((status = 200, description = "Submitted", body = TemplateReport), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 409, description = "No number on a WhatsApp Business Account, or no access token", body = ErrorBody),
              (status = 502, description = "Meta refused a template", body = ErrorBody), (status = 503, description = "Meta could not be reached; try again", body = ErrorBody)))]
pub async fn submit(
    State(state): State<AppState>,
    auth: Owner,
) -> ApiResult<axum::Json<TemplateReport>> {
    let r = engine::templates::submit(&state.services, auth.tenant_id)
        .await
        .map_err(error)?;
    Ok(axum::Json(report(&state, auth.tenant_id, r).await?))
}
