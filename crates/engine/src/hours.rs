//! The opening-hours service: the week's shifts and closed dates (the API
//! and the dashboard set them whole), and the owner's "closed today" and
//! "open again" from the chat. Dates are the business's local dates.

use crate::error::ServiceError;
use crate::services::Services;
use chrono::NaiveDate;
use domain::TenantId;
use domain::hours::OpeningHours;
use store::business::SettingsPatch;

/// Checks and saves the business's hours; answers what was saved.
pub async fn set(
    db: &store::Db,
    tenant: TenantId,
    hours: OpeningHours,
) -> Result<OpeningHours, ServiceError> {
    hours
        .validate()
        .map_err(|e| ServiceError::invalid(e.field, e.message))?;
    let patch = SettingsPatch {
        hours: Some(hours),
        ..SettingsPatch::default()
    };
    Ok(store::business::update(db, tenant, &patch).await?.hours)
}

/// What closing or opening today did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayChange {
    /// The business's local date.
    pub date: NaiveDate,
    /// False when today already was (closing) or was not (opening) a
    /// closed date: nothing changed.
    pub changed: bool,
}

/// Closes the business for the rest of its local day: the bot takes no
/// orders until tomorrow's first opening (scheduled orders, where the
/// business takes them, still wait for it).
pub async fn close_today(svc: &Services, tenant: TenantId) -> Result<DayChange, ServiceError> {
    change_today(svc, tenant, true).await
}

/// Opens today again when it was closed with [`close_today`] (or as a
/// closed date); today's weekly shifts apply.
pub async fn reopen_today(svc: &Services, tenant: TenantId) -> Result<DayChange, ServiceError> {
    change_today(svc, tenant, false).await
}

async fn change_today(
    svc: &Services,
    tenant: TenantId,
    close: bool,
) -> Result<DayChange, ServiceError> {
    let t = store::tenants::get(&svc.db, tenant).await?;
    let date = svc.clock.now().with_timezone(&t.tz()).date_naive();
    let mut hours = store::business::get(&svc.db, tenant).await?.hours;
    let changed = if close {
        hours.close_on(date)
    } else {
        hours.reopen_on(date)
    };
    if changed {
        set(&svc.db, tenant, hours).await?;
    }
    Ok(DayChange { date, changed })
}
