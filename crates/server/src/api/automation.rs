//! `/api/v1/automation`: the business's triggers (enable, thresholds,
//! wording, quiet hours), a dry run of one ("who would receive what right
//! now, and why not"), the runs and what each did per target, the quiet
//! hours, and scheduled messages. The rules are `engine::automation`'s.

use crate::auth::extractor::{Owner, Reader, Writer};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Json, Query, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use engine::automation::triggers::{TriggerInput, TriggerView};
use engine::automation::{Preview, scheduled, triggers};
use serde::{Deserialize, Serialize};
use store::automation::{Outcome, Run, Scheduled};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct TriggerList {
    pub items: Vec<TriggerView>,
}

/// The business's triggers.
#[utoipa::path(get, path = "/automation/triggers", tag = "automation", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = TriggerList), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    auth: Reader,
) -> ApiResult<axum::Json<TriggerList>> {
    Ok(axum::Json(TriggerList {
        items: triggers::list(&state.services, auth.tenant_id).await?,
    }))
}

/// Adds a trigger (owner only). Every business starts with one of each
/// kind; another of a kind (a second win-back after 90 days, say) never
/// messages a target that one of its kind already reached that day.
#[utoipa::path(post, path = "/automation/triggers", tag = "automation", security(("bearer" = [])), request_body = TriggerInput,
    responses((status = 201, description = "Created", body = TriggerView), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error (`kind`, `config.days`, `texts.en.auto_inactive`, `quiet_start`)", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Owner,
    Json(body): Json<TriggerInput>,
) -> ApiResult<(StatusCode, axum::Json<TriggerView>)> {
    let t = triggers::create(&state.services, auth.tenant_id, &body).await?;
    Ok((StatusCode::CREATED, axum::Json(t)))
}

/// Changes a trigger (owner only): enable or disable it, its thresholds,
/// its wording per language, its own quiet hours. Absent fields stay.
#[utoipa::path(patch, path = "/automation/triggers/{id}", tag = "automation", security(("bearer" = [])), params(("id" = String, Path)), request_body = TriggerInput,
    responses((status = 200, description = "OK", body = TriggerView), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 404, description = "Not found, or another business's", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Owner,
    Path(raw): Path<String>,
    Json(body): Json<TriggerInput>,
) -> ApiResult<axum::Json<TriggerView>> {
    let tid: Uuid = id(&raw)?;
    Ok(axum::Json(
        triggers::update(&state.services, auth.tenant_id, tid, &body).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct DryRun {
    pub trigger_id: Uuid,
    pub at: DateTime<Utc>,
    /// Every target the trigger finds now (what was already sent today is
    /// left out): who, the rendered text, and what would happen.
    pub items: Vec<Preview>,
}

/// A dry run of one trigger, enabled or not: who would receive what right
/// now, the text, and for each skipped or deferred target why. Sends and
/// writes nothing.
#[utoipa::path(post, path = "/automation/test/{id}", tag = "automation", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "OK", body = DryRun), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<DryRun>> {
    let tid: Uuid = id(&raw)?;
    let items = engine::automation::preview(&state.services, auth.tenant_id, tid).await?;
    Ok(axum::Json(DryRun {
        trigger_id: tid,
        at: state.services.clock.now(),
        items,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct RunView {
    #[serde(flatten)]
    pub run: Run,
    /// What became of each of this business's targets in the run.
    pub outcomes: Vec<Outcome>,
}

#[derive(Serialize, ToSchema)]
pub struct RunList {
    /// The latest runs that did something for the business, newest first.
    pub items: Vec<RunView>,
}

#[derive(Deserialize, IntoParams)]
pub struct RunsQuery {
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
}

/// What fired, when, and the outcome per target: `sent`, `skipped` with
/// the reason, or `deferred` until when.
#[utoipa::path(get, path = "/automation/runs", tag = "automation", security(("bearer" = [])), params(RunsQuery),
    responses((status = 200, description = "OK", body = RunList), (status = 422, description = "Invalid parameters", body = ErrorBody)))]
pub async fn runs(
    State(state): State<AppState>,
    auth: Reader,
    Query(q): Query<RunsQuery>,
) -> ApiResult<axum::Json<RunList>> {
    let limit = crate::api::page_limit(q.limit)?;
    let items = engine::automation::runs(&state.services, auth.tenant_id, limit)
        .await?
        .into_iter()
        .map(|(run, outcomes)| RunView { run, outcomes })
        .collect();
    Ok(axum::Json(RunList { items }))
}

/// The business's quiet hours, in its own time.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursBody {
    /// "HH:MM", e.g. "21:00".
    pub quiet_start: String,
    /// "HH:MM", e.g. "08:00"; equal to the start: never quiet.
    pub quiet_end: String,
}

/// When nothing automated is sent (default 21:00–08:00).
#[utoipa::path(get, path = "/automation/settings", tag = "automation", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = QuietHoursBody)))]
pub async fn get_settings(
    State(state): State<AppState>,
    auth: Reader,
) -> ApiResult<axum::Json<QuietHoursBody>> {
    let (quiet_start, quiet_end) = triggers::quiet_hours(&state.services, auth.tenant_id).await?;
    Ok(axum::Json(QuietHoursBody {
        quiet_start,
        quiet_end,
    }))
}

/// Changes the quiet hours (owner only).
#[utoipa::path(put, path = "/automation/settings", tag = "automation", security(("bearer" = [])), request_body = QuietHoursBody,
    responses((status = 200, description = "OK", body = QuietHoursBody), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 422, description = "Not times, named in the error", body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    auth: Owner,
    Json(body): Json<QuietHoursBody>,
) -> ApiResult<axum::Json<QuietHoursBody>> {
    let (quiet_start, quiet_end) = triggers::set_quiet_hours(
        &state.services,
        auth.tenant_id,
        &body.quiet_start,
        &body.quiet_end,
    )
    .await?;
    Ok(axum::Json(QuietHoursBody {
        quiet_start,
        quiet_end,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ScheduledList {
    pub items: Vec<Scheduled>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScheduled {
    pub customer_id: Uuid,
    /// When to send it (RFC 3339); the cycle after it sends it, outside
    /// quiet hours and only inside the customer's 24-hour window.
    pub send_at: DateTime<Utc>,
    /// Up to 4096 characters.
    pub body: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledPatch {
    pub send_at: Option<DateTime<Utc>>,
    pub body: Option<String>,
}

/// Scheduled messages, the latest first.
#[utoipa::path(get, path = "/automation/scheduled", tag = "automation", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = ScheduledList)))]
pub async fn scheduled_list(
    State(state): State<AppState>,
    auth: Reader,
) -> ApiResult<axum::Json<ScheduledList>> {
    Ok(axum::Json(ScheduledList {
        items: scheduled::list(&state.services, auth.tenant_id).await?,
    }))
}

/// Schedules a message to one customer.
#[utoipa::path(post, path = "/automation/scheduled", tag = "automation", security(("bearer" = [])), request_body = NewScheduled,
    responses((status = 201, description = "Scheduled", body = Scheduled), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn scheduled_create(
    State(state): State<AppState>,
    auth: Writer,
    Json(body): Json<NewScheduled>,
) -> ApiResult<(StatusCode, axum::Json<Scheduled>)> {
    let s = scheduled::create(
        &state.services,
        auth.tenant_id,
        domain::CustomerId(body.customer_id),
        body.send_at,
        &body.body,
        Some(auth.user_id),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(s)))
}

#[utoipa::path(get, path = "/automation/scheduled/{id}", tag = "automation", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "OK", body = Scheduled), (status = 404, description = "Not found, or another business's", body = ErrorBody)))]
pub async fn scheduled_get(
    State(state): State<AppState>,
    auth: Reader,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<Scheduled>> {
    let sid: Uuid = id(&raw)?;
    Ok(axum::Json(
        scheduled::get(&state.services, auth.tenant_id, sid).await?,
    ))
}

/// Changes a message that is still scheduled.
#[utoipa::path(patch, path = "/automation/scheduled/{id}", tag = "automation", security(("bearer" = [])), params(("id" = String, Path)), request_body = ScheduledPatch,
    responses((status = 200, description = "OK", body = Scheduled), (status = 404, description = "Not found, or another business's", body = ErrorBody),
              (status = 409, description = "Already sent, skipped or cancelled", body = ErrorBody), (status = 422, description = "Invalid fields", body = ErrorBody)))]
pub async fn scheduled_update(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
    Json(body): Json<ScheduledPatch>,
) -> ApiResult<axum::Json<Scheduled>> {
    let sid: Uuid = id(&raw)?;
    Ok(axum::Json(
        scheduled::update(
            &state.services,
            auth.tenant_id,
            sid,
            body.send_at,
            body.body.as_deref(),
        )
        .await?,
    ))
}

/// Cancels a message that is still scheduled.
#[utoipa::path(delete, path = "/automation/scheduled/{id}", tag = "automation", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, description = "Cancelled", body = Scheduled), (status = 404, description = "Not found, or another business's", body = ErrorBody),
              (status = 409, description = "Already sent, skipped or cancelled", body = ErrorBody)))]
pub async fn scheduled_cancel(
    State(state): State<AppState>,
    auth: Writer,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<Scheduled>> {
    let sid: Uuid = id(&raw)?;
    Ok(axum::Json(
        scheduled::cancel(&state.services, auth.tenant_id, sid).await?,
    ))
}
