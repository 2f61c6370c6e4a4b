//! Scheduled messages: a message to one customer at a set time, kept as an
//! editable row until the cycle after its time sends it (by the same rules
//! as every automated message: opt-out, quiet hours, and only inside the
//! customer's 24-hour window, since no template carries a business's own
//! words).

use crate::error::ServiceError;
use crate::services::Services;
use chrono::{DateTime, Duration, Utc};
use domain::{CustomerId, TenantId, UserId};
use store::automation::Scheduled;
use uuid::Uuid;

/// WhatsApp's limit on a text message's body.
const MAX_BODY: usize = 4096;

fn check_body(body: &str) -> Result<String, ServiceError> {
    let b = body.trim();
    if b.is_empty() {
        return Err(ServiceError::invalid("body", "must not be empty"));
    }
    if b.chars().count() > MAX_BODY {
        return Err(ServiceError::invalid(
            "body",
            format!("at most {MAX_BODY} characters"),
        ));
    }
    Ok(b.to_string())
}

fn check_time(send_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), ServiceError> {
    if send_at < now - Duration::minutes(1) {
        return Err(ServiceError::invalid("send_at", "must not be in the past"));
    }
    if send_at > now + Duration::days(366) {
        return Err(ServiceError::invalid("send_at", "at most a year ahead"));
    }
    Ok(())
}

pub async fn create(
    svc: &Services,
    tenant: TenantId,
    customer: CustomerId,
    send_at: DateTime<Utc>,
    body: &str,
    by: Option<UserId>,
) -> Result<Scheduled, ServiceError> {
    let now = svc.clock.now();
    let body = check_body(body)?;
    check_time(send_at, now)?;
    let c = match store::customers::get(&svc.db, tenant, customer).await {
        Ok(c) => c,
        Err(store::StoreError::NotFound) => {
            return Err(ServiceError::invalid("customer_id", "no such customer"));
        }
        Err(e) => return Err(e.into()),
    };
    if c.wa_id.is_none() {
        return Err(ServiceError::invalid(
            "customer_id",
            "this customer has no WhatsApp number",
        ));
    }
    let id = store::automation::schedule(
        &svc.db,
        tenant,
        customer.0,
        send_at,
        &body,
        by.map(|u| u.0),
        now,
    )
    .await?;
    Ok(store::automation::scheduled_one(&svc.db, tenant, id).await?)
}

pub async fn list(svc: &Services, tenant: TenantId) -> Result<Vec<Scheduled>, ServiceError> {
    Ok(store::automation::scheduled(&svc.db, tenant, 500).await?)
}

pub async fn get(svc: &Services, tenant: TenantId, id: Uuid) -> Result<Scheduled, ServiceError> {
    Ok(store::automation::scheduled_one(&svc.db, tenant, id).await?)
}

fn not_scheduled(s: &Scheduled) -> ServiceError {
    ServiceError::conflict(
        "not_scheduled",
        format!("this message is already {}", s.status),
        None,
    )
}

pub async fn update(
    svc: &Services,
    tenant: TenantId,
    id: Uuid,
    send_at: Option<DateTime<Utc>>,
    body: Option<&str>,
) -> Result<Scheduled, ServiceError> {
    let now = svc.clock.now();
    let current = store::automation::scheduled_one(&svc.db, tenant, id).await?;
    let body = body.map(check_body).transpose()?;
    if let Some(at) = send_at {
        check_time(at, now)?;
    }
    if !store::automation::reschedule(&svc.db, tenant, id, send_at, body.as_deref(), now).await? {
        return Err(not_scheduled(&current));
    }
    Ok(store::automation::scheduled_one(&svc.db, tenant, id).await?)
}

pub async fn cancel(svc: &Services, tenant: TenantId, id: Uuid) -> Result<Scheduled, ServiceError> {
    let current = store::automation::scheduled_one(&svc.db, tenant, id).await?;
    let now = svc.clock.now();
    if !store::automation::close_scheduled(&svc.db, tenant, id, "cancelled", None, None, now)
        .await?
    {
        return Err(not_scheduled(&current));
    }
    Ok(store::automation::scheduled_one(&svc.db, tenant, id).await?)
}
