//! `/api/v1/operator`: the platform operator's API, behind its own bearer
//! token (`SOKONI_OPERATOR_TOKEN`; unset, every call is 401). Invite codes:
//! issue, list, revoke. The rules are `engine::onboarding`'s; the CLI's
//! `sokoni invite` parses its flags with the same functions as here.

use crate::error::{ApiResult, AppError, ErrorBody, Validator};
use crate::extract::Json;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::tenant::Plan;
use engine::onboarding::{InviteError, Issued};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use store::invites::{Invite, InviteStatus};
use utoipa::ToSchema;

/// The most codes one request issues.
pub const MAX_COUNT: usize = 500;
/// The longest a code may stay valid.
pub const MAX_DAYS: i64 = 366;

/// The operator, authenticated by `SOKONI_OPERATOR_TOKEN`.
pub struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Some(expected) = state.config.operator_token.as_ref() else {
            return Err(AppError::unauthorized(
                "operator_disabled",
                "the operator API is off: set SOKONI_OPERATOR_TOKEN",
            ));
        };
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                AppError::unauthorized(
                    "unauthenticated",
                    "send Authorization: Bearer <operator token>",
                )
            })?;
        if !crate::auth::tokens::same(given, expected.expose_secret()) {
            return Err(AppError::unauthorized(
                "invalid_token",
                "the operator token is wrong",
            ));
        }
        Ok(Operator)
    }
}

/// `free`, `pro` or `scale`.
pub fn parse_plan(s: &str) -> Result<Plan, String> {
    s.trim()
        .to_ascii_lowercase()
        .parse()
        .map_err(|_| "must be free, pro or scale".to_string())
}

/// `14d`, `48h` from `now`, or a date (`2026-12-31`: the end of that day,
/// UTC); in the future and at most [`MAX_DAYS`] away.
pub fn parse_expiry(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let t = s.trim();
    let bad =
        || format!("must be a duration like 14d or 48h, or a date like 2026-12-31 (got {t:?})");
    let at = if let Some(n) = t.strip_suffix('d') {
        now + Duration::days(n.parse::<i64>().map_err(|_| bad())?)
    } else if let Some(n) = t.strip_suffix('h') {
        now + Duration::hours(n.parse::<i64>().map_err(|_| bad())?)
    } else {
        let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| bad())?;
        d.succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
            .ok_or_else(bad)?
    };
    if at <= now {
        return Err("must be in the future".into());
    }
    if at > now + Duration::days(MAX_DAYS) {
        return Err(format!("must be at most {MAX_DAYS} days away"));
    }
    Ok(at)
}

/// An invite as the operator sees it: never its code, except once when issued.
#[derive(Serialize, ToSchema)]
pub struct InviteView {
    pub id: uuid::Uuid,
    /// Only in the answer that issued it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The code's first four characters.
    pub hint: String,
    #[schema(value_type = String, example = "free")]
    pub plan: Plan,
    pub status: InviteStatus,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    /// The business the code opened.
    #[schema(value_type = Option<String>)]
    pub used_by: Option<domain::TenantId>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl InviteView {
    pub fn of(i: Invite, now: DateTime<Utc>) -> Self {
        InviteView {
            id: i.id,
            code: None,
            status: i.status(now),
            hint: i.hint,
            plan: i.plan,
            expires_at: i.expires_at,
            used_at: i.used_at,
            used_by: i.used_by.0,
            revoked_at: i.revoked_at,
            created_at: i.created_at,
        }
    }

    pub fn issued(i: &Issued, now: DateTime<Utc>) -> Self {
        InviteView {
            code: Some(i.code.clone()),
            ..InviteView::of(i.invite.clone(), now)
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InviteList {
    /// Newest first.
    pub items: Vec<InviteView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitesRequest {
    /// `free` (default), `pro` or `scale`: the plan the business gets.
    pub plan: Option<String>,
    /// 1 to 500; default 1.
    pub count: Option<usize>,
    /// `14d` (default), `48h`, or a date `2026-12-31`.
    pub expires: Option<String>,
}

/// Issues invite codes; the answer is the only place they appear in clear.
#[utoipa::path(post, path = "/operator/invites", tag = "operator", security(("bearer" = [])), request_body = NewInvitesRequest,
    responses((status = 201, description = "Created", body = InviteList), (status = 401, description = "Not the operator", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    _op: Operator,
    Json(body): Json<NewInvitesRequest>,
) -> ApiResult<(StatusCode, axum::Json<InviteList>)> {
    let now = state.services.clock.now();
    let mut v = Validator::new();
    let plan = match parse_plan(body.plan.as_deref().unwrap_or("free")) {
        Ok(p) => Some(p),
        Err(m) => {
            v.check(false, "plan", &m);
            None
        }
    };
    let count = body.count.unwrap_or(1);
    v.check(
        (1..=MAX_COUNT).contains(&count),
        "count",
        &format!("must be 1 to {MAX_COUNT}"),
    );
    let expires = match parse_expiry(body.expires.as_deref().unwrap_or("14d"), now) {
        Ok(e) => Some(e),
        Err(m) => {
            v.check(false, "expires", &m);
            None
        }
    };
    v.finish()?;
    let (Some(plan), Some(expires)) = (plan, expires) else {
        return Err(AppError::field("plan", "invalid"));
    };
    let issued = engine::onboarding::issue(&state.db, plan, count, expires)
        .await
        .map_err(invite_error)?;
    Ok((
        StatusCode::CREATED,
        axum::Json(InviteList {
            items: issued.iter().map(|i| InviteView::issued(i, now)).collect(),
        }),
    ))
}

/// Every invite code, newest first (never the codes themselves).
#[utoipa::path(get, path = "/operator/invites", tag = "operator", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = InviteList), (status = 401, description = "Not the operator", body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _op: Operator,
) -> ApiResult<axum::Json<InviteList>> {
    let now = state.services.clock.now();
    let items = store::invites::list(&state.db)
        .await?
        .into_iter()
        .map(|i| InviteView::of(i, now))
        .collect();
    Ok(axum::Json(InviteList { items }))
}

/// Revokes a code not yet used.
#[utoipa::path(delete, path = "/operator/invites/{id}", tag = "operator", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "Revoked", body = InviteView), (status = 401, description = "Not the operator", body = ErrorBody),
              (status = 404, description = "No such invite", body = ErrorBody), (status = 409, description = "Used or already revoked", body = ErrorBody),
              (status = 422, description = "Not an id", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    _op: Operator,
    Path(raw): Path<String>,
) -> ApiResult<axum::Json<InviteView>> {
    let id: uuid::Uuid = raw
        .trim()
        .parse()
        .map_err(|_| AppError::field("id", "must be an invite id"))?;
    let now = state.services.clock.now();
    let invite = engine::onboarding::revoke(&state.db, id)
        .await
        .map_err(invite_error)?;
    Ok(axum::Json(InviteView::of(invite, now)))
}

fn invite_error(e: InviteError) -> AppError {
    match e {
        InviteError::NotFound => AppError::NotFound,
        InviteError::NotRevocable => AppError::conflict(
            "invite_not_revocable",
            "the code was already used or revoked",
            Some("id"),
        ),
        InviteError::Store(e) => e.into(),
    }
}
