//! Conversations a person must pick up. Whenever the bot promises a
//! customer a person (a voice note it cannot read, "I have paid", transfer
//! details it does not have, a request for a person, a checkout that
//! failed), [`needs_person`] records it in the business's inbox (one open
//! entry per customer: a new reason updates it) and alerts every staff
//! member with a phone, in the caller's transaction. Staff resolve entries
//! from the dashboard or the API ([`resolve`]), which also hands the
//! conversation back to the bot; from the dashboard they also take a
//! conversation over ([`take_over`]), hand it back ([`hand_back`]) and
//! write to the customer ([`answer`]).

use crate::error::{ServiceError, ServiceResult};
use crate::services::Services;
use channels::outbound::OutMessage;
use chrono::{DateTime, Utc};
use domain::messages::{Attention, Msg};
use domain::tenant::Role;
use domain::{CustomerId, E164, TenantId, UserId, WaMessageId};
use store::customers::Customer;
use store::inbox::{Entry, EntryId};
use store::tenants::Tenant;
use store::{Db, Ex, StoreResult, Tx};

/// Records that `customer` needs a person for `reason` (`detail`: what
/// they said or sent) and alerts the staff, inside `tx`. Returns the
/// inbox entry.
pub async fn needs_person(
    tx: &mut Tx,
    tenant: TenantId,
    customer: CustomerId,
    reason: Attention,
    detail: &str,
) -> anyhow::Result<EntryId> {
    let t = store::tenants::get(&mut *tx, tenant).await?;
    let c = store::customers::get(&mut *tx, tenant, customer).await?;
    record(tx, &t, &c, reason, detail).await
}

/// [`needs_person`] for a caller that has the tenant and customer rows.
pub(crate) async fn record(
    tx: &mut Tx,
    tenant: &Tenant,
    customer: &Customer,
    reason: Attention,
    detail: &str,
) -> anyhow::Result<EntryId> {
    let detail = detail.trim();
    let (id, opened) = store::inbox::open(
        &mut *tx,
        tenant.id,
        customer.id,
        reason,
        Some(detail).filter(|d| !d.is_empty()),
        store::now(),
    )
    .await?;
    metrics::counter!("sokoni_inbox_total", "reason" => reason.as_str(), "opened" => opened.to_string())
        .increment(1);
    let who = display_name(customer);
    let phone = customer
        .phone
        .clone()
        .or_else(|| customer.wa_id.clone())
        .unwrap_or_default();
    let language = domain::text::language_of(&tenant.locale.to_string());
    for to in staff_phones(tx, tenant).await? {
        let sent = crate::notify::to_person(
            (&mut *tx).into(),
            Some(tenant.id),
            &to,
            language,
            &Msg::NeedsPerson {
                customer: &who,
                phone: &phone,
                why: reason,
                text: detail,
            },
        )
        .await?;
        // A reply to this alert goes to the customer.
        if let Some(id) = sent {
            store::staff::set_about(&mut *tx, tenant.id, id, customer.id).await?;
        }
    }
    Ok(id)
}

/// The numbers of the business's active owners and staff who have one.
async fn staff_phones(tx: &mut Tx, tenant: &Tenant) -> StoreResult<Vec<E164>> {
    let users = store::users::list(&mut *tx, tenant.id).await?;
    Ok(users
        .iter()
        .filter(|u| u.is_active && matches!(u.role, Role::Owner | Role::Staff))
        .filter_map(|u| u.phone.as_deref())
        .filter_map(|p| E164::parse(p, &tenant.country).ok())
        .collect())
}

/// How a staff member's reply to an alert went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandReply {
    /// Queued to the customer. `first`: this staff member was not already
    /// answering them (so they are told how to hand back).
    Sent { customer: String, first: bool },
    /// The customer last wrote more than 24 hours ago: only a template may
    /// reach them.
    WindowClosed { customer: String },
    /// The customer has no WhatsApp number any more.
    Unreachable,
}

/// A staff member's reply to an alert about `customer` (WhatsApp's reply-to
/// context): `text` goes to the customer from `number`, inside their
/// window, into their thread; the bot stays quiet for them (the handoff
/// hours) and this staff member is the one answering until `done`.
pub async fn reply_by_hand(
    tx: &mut Tx,
    tenant: &Tenant,
    number: &store::wa::Number,
    user: UserId,
    customer: CustomerId,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<HandReply> {
    let c = store::customers::get(&mut *tx, tenant.id, customer).await?;
    let who = display_name(&c);
    let Some(to) = c.wa_id.as_deref().and_then(|w| E164::from_wa_id(w).ok()) else {
        return Ok(HandReply::Unreachable);
    };
    if !crate::delivery::window_open(c.last_inbound_at, now) {
        return Ok(HandReply::WindowClosed { customer: who });
    }
    let message = channels::outbound::OutMessage::Text {
        body: text.to_string(),
        preview_url: true,
    };
    crate::delivery::queue(
        &mut *tx,
        &crate::delivery::Outgoing {
            tenant: tenant.id,
            number,
            customer: Some(c.id),
            order: None,
            to: &to,
            message: &message,
            fallback: None,
            purpose: domain::outbound::Purpose::Reply,
            bulk: false,
        },
    )
    .await?;
    pause_bot(&mut *tx, tenant.id, c.id, now).await?;
    let before = store::staff::set_replying_to(&mut *tx, tenant.id, user, Some(c.id)).await?;
    Ok(HandReply::Sent {
        customer: who,
        first: before != Some(c.id),
    })
}

/// Keeps the bot quiet for `customer` for the business's handoff hours
/// from `now`: a person is answering. Returns until when.
pub async fn pause_bot(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> StoreResult<DateTime<Utc>> {
    let mut ex = ex.into();
    let hours = store::business::get(ex.re(), tenant).await?.handoff_hours;
    let until = now + chrono::Duration::hours(i64::from(hours));
    store::chat::set_paused_until(ex, tenant, customer, Some(until)).await?;
    Ok(until)
}

/// A person takes a conversation over from the dashboard: the bot pauses
/// for the handoff hours and what the customer says reaches `by` (on
/// their phone, when they have one) until they hand it back. The inbox
/// entry, if any, stays open until it is resolved. Another business's
/// customer is [`store::StoreError::NotFound`].
pub async fn take_over(
    db: &Db,
    tenant: TenantId,
    customer: CustomerId,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<DateTime<Utc>> {
    let mut tx = db.begin().await?;
    store::customers::lock(&mut tx, tenant, customer).await?;
    let until = pause_bot(&mut tx, tenant, customer, now).await?;
    store::staff::set_replying_to(&mut tx, tenant, by, Some(customer)).await?;
    tx.commit().await?;
    Ok(until)
}

/// What a person writes to a customer from the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compose {
    /// Free text: only inside the customer's 24-hour window.
    Text(String),
    /// One of the business's approved templates, with its body parameters.
    Template {
        name: String,
        language: String,
        params: Vec<String>,
    },
}

/// The longest free text a person may send (WhatsApp's limit for a body).
pub const TEXT_MAX: usize = 4096;

/// Sends what a person wrote to `customer` through the one outbound path
/// ([`crate::outbound::send_by_hand`]): free text only inside the window
/// (`window_closed` outside it, on field `text`), a template only when it
/// is approved and every parameter is given (`template`, `params`), and
/// nothing that is not essential after an opt-out (`opted_out`).
pub async fn answer(
    svc: &Services,
    tenant: TenantId,
    customer: CustomerId,
    compose: Compose,
) -> ServiceResult<WaMessageId> {
    let t = store::tenants::get(&svc.db, tenant).await?;
    let c = store::customers::get(&svc.db, tenant, customer).await?;
    let now = svc.clock.now();
    let message = match compose {
        Compose::Text(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Err(ServiceError::invalid("text", "write a message"));
            }
            if text.chars().count() > TEXT_MAX {
                return Err(ServiceError::invalid(
                    "text",
                    format!("at most {TEXT_MAX} characters"),
                ));
            }
            if !crate::delivery::window_open(c.last_inbound_at, now) {
                return Err(ServiceError::conflict(
                    "window_closed",
                    "more than 24 hours since the customer last wrote: send an approved template",
                    Some("text"),
                ));
            }
            OutMessage::Text {
                body: text.to_string(),
                preview_url: true,
            }
        }
        Compose::Template {
            name,
            language,
            params,
        } => {
            let known = store::templates::list(&svc.db, tenant)
                .await?
                .into_iter()
                .find(|x| x.name == name && x.language == language && x.status == "approved")
                .ok_or_else(|| ServiceError::invalid("template", "is not an approved template"))?;
            let params: Vec<String> = params.iter().map(|p| p.trim().to_string()).collect();
            let wanted = usize::try_from(known.params).unwrap_or(0);
            if params.len() != wanted || params.iter().any(String::is_empty) {
                return Err(ServiceError::invalid(
                    "params",
                    format!("fill in all {wanted} parameters"),
                ));
            }
            OutMessage::Template {
                name,
                language,
                header: Vec::new(),
                body: params,
                buttons: Vec::new(),
            }
        }
    };
    let number = crate::outbound::sending_number(&svc.db, tenant).await?;
    let mut tx = svc.db.begin().await?;
    let id = crate::outbound::send_by_hand(
        &mut tx,
        &crate::outbound::ByHand {
            tenant: &t,
            customer: &c,
            number: &number,
            order: None,
            message,
            fallback: None,
            now,
        },
    )
    .await
    .map_err(|e| match e {
        crate::outbound::OutboundError::Invalid(field, message) => {
            ServiceError::invalid(field, message)
        }
        other => other.into(),
    })?;
    tx.commit().await?;
    svc.wake_outbound();
    Ok(id)
}

/// What a paused customer says reaches the staff answering them (or, while
/// nobody is, every staff member), as a message they can reply to.
pub(crate) async fn forward(
    tx: &mut Tx,
    tenant: &Tenant,
    customer: &Customer,
    text: &str,
) -> anyhow::Result<()> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(());
    }
    let answering = store::staff::replying_to(&mut *tx, tenant.id, customer.id).await?;
    let users = store::users::list(&mut *tx, tenant.id).await?;
    let to: Vec<E164> = users
        .iter()
        .filter(|u| u.is_active && matches!(u.role, Role::Owner | Role::Staff))
        .filter(|u| answering.is_empty() || answering.contains(&u.id))
        .filter_map(|u| u.phone.as_deref())
        .filter_map(|p| E164::parse(p, &tenant.country).ok())
        .collect();
    let who = display_name(customer);
    let language = domain::text::language_of(&tenant.locale.to_string());
    for phone in to {
        let sent = crate::notify::to_person(
            (&mut *tx).into(),
            Some(tenant.id),
            &phone,
            language,
            &Msg::CustomerSays {
                customer: &who,
                text,
            },
        )
        .await?;
        if let Some(id) = sent {
            store::staff::set_about(&mut *tx, tenant.id, id, customer.id).await?;
        }
    }
    Ok(())
}

/// Hands `customer` back to the bot: their open entry is resolved, the
/// pause ends, and nobody is answering them by hand any more. Answers
/// whether they were with a person; another business's customer is
/// [`store::StoreError::NotFound`].
pub async fn hand_back(
    db: &Db,
    tenant: TenantId,
    customer: CustomerId,
    by: UserId,
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
    store::customers::lock(&mut tx, tenant, customer).await?;
    let entry = store::inbox::open_for(&mut tx, tenant, customer).await?;
    if let Some(e) = &entry {
        store::inbox::resolve(&mut tx, tenant, e.id, Some(by), now).await?;
    }
    let paused = store::chat::flags(&mut tx, tenant, customer)
        .await?
        .bot_paused_until
        .is_some_and(|u| u > now);
    store::chat::set_paused_until(&mut tx, tenant, customer, None).await?;
    for user in store::staff::replying_to(&mut tx, tenant, customer).await? {
        store::staff::set_replying_to(&mut tx, tenant, user, None).await?;
    }
    tx.commit().await?;
    Ok(entry.is_some() || paused)
}

/// How staff see a customer: their name, else their WhatsApp name or phone.
pub fn display_name(c: &Customer) -> String {
    display_name_of(
        c.name.as_deref(),
        c.wa_profile_name.as_deref(),
        c.phone.as_deref(),
    )
}

/// [`display_name`] from the three columns it reads, for views that
/// select only those.
pub fn display_name_of(name: Option<&str>, profile: Option<&str>, phone: Option<&str>) -> String {
    name.or(profile).or(phone).unwrap_or_default().to_string()
}

/// The business's open entries, the most recently updated first.
pub async fn open_entries(db: &Db, tenant: TenantId, limit: i64) -> StoreResult<Vec<Entry>> {
    store::inbox::list_open(db, tenant, limit).await
}

/// Resolves an entry (a person has answered) and ends the bot's pause for
/// that customer, so the bot answers them again. Resolving twice changes
/// nothing; another business's entry is [`store::StoreError::NotFound`].
pub async fn resolve(db: &Db, tenant: TenantId, id: EntryId, by: UserId) -> StoreResult<Entry> {
    let mut tx = db.begin().await?;
    if let Some(customer) =
        store::inbox::resolve(&mut tx, tenant, id, Some(by), store::now()).await?
    {
        store::chat::set_paused_until(&mut tx, tenant, customer, None).await?;
    }
    let entry = store::inbox::get(&mut tx, tenant, id).await?;
    tx.commit().await?;
    Ok(entry)
}
