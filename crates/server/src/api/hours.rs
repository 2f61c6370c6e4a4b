//! `/api/v1/hours`: when the business takes orders, in its own timezone.

use crate::auth::extractor::{Owner, Reader};
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::Json;
use crate::state::AppState;
use axum::extract::State;
use chrono::{NaiveDate, Utc};
use domain::TenantId;
use domain::hours::{Availability, Day, OpeningHours, Shift};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The opening hours, and whether the business takes orders right now.
#[derive(Serialize, ToSchema)]
pub struct HoursView {
    #[serde(flatten)]
    pub hours: OpeningHours,
    /// Worked out now, in the business's timezone.
    pub availability: Availability,
}

async fn view(state: &AppState, tenant: TenantId, hours: OpeningHours) -> ApiResult<HoursView> {
    let t = store::tenants::get(&state.db, tenant).await?;
    Ok(HoursView {
        availability: hours.availability(Utc::now(), t.tz()),
        hours,
    })
}

/// The opening hours; no weekly shifts means always open.
#[utoipa::path(get, path = "/hours", tag = "hours", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = HoursView), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, auth: Reader) -> ApiResult<axum::Json<HoursView>> {
    let hours = store::business::get(&state.db, auth.tenant_id).await?.hours;
    Ok(axum::Json(view(&state, auth.tenant_id, hours).await?))
}

/// The request body: [`OpeningHours`] with the days as plain strings, so a
/// bad shift is reported at its path (`weekly.mon[0]`); serde cannot name a
/// map key it read as an enum.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    #[serde(default)]
    weekly: BTreeMap<String, Vec<Shift>>,
    #[serde(default)]
    last_order_minutes: u32,
    #[serde(default)]
    closed_dates: Vec<NaiveDate>,
}

impl HoursBody {
    fn parse(self) -> ApiResult<OpeningHours> {
        let mut weekly = BTreeMap::new();
        for (day, shifts) in self.weekly {
            let d: Day = day.parse().map_err(|_| {
                AppError::field(
                    &format!("weekly.{day}"),
                    "not a day; use mon, tue, wed, thu, fri, sat or sun",
                )
            })?;
            weekly.insert(d, shifts);
        }
        Ok(OpeningHours {
            weekly,
            last_order_minutes: self.last_order_minutes,
            closed_dates: self.closed_dates,
        })
    }
}

/// Replaces the opening hours (owner only). Shifts may split a day
/// (`11:00`–`15:00` and `19:00`–`23:30`) or run past midnight
/// (`19:00`–`02:00`); they must not overlap.
#[utoipa::path(put, path = "/hours", tag = "hours", security(("bearer" = [])), request_body = OpeningHours,
    responses((status = 200, description = "OK", body = HoursView), (status = 403, description = "The role does not allow this", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error (`weekly.mon[1].opens`)", body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    auth: Owner,
    Json(body): Json<HoursBody>,
) -> ApiResult<axum::Json<HoursView>> {
    let saved = engine::hours::set(&state.db, auth.tenant_id, body.parse()?).await?;
    Ok(axum::Json(view(&state, auth.tenant_id, saved).await?))
}
