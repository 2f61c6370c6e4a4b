//! Conversations a person must pick up. Whenever the bot promises a
//! customer a person (a voice note it cannot read, "I have paid", transfer
//! details it does not have, a request for a person, a checkout that
//! failed), [`needs_person`] records it in the business's inbox (one open
//! entry per customer: a new reason updates it) and alerts every staff
//! member with a phone, in the caller's transaction. Staff resolve entries
//! from the dashboard or the API ([`resolve`]), which also hands the
//! conversation back to the bot.

use domain::messages::{Attention, Msg};
use domain::tenant::Role;
use domain::{CustomerId, E164, TenantId, UserId};
use store::customers::Customer;
use store::inbox::{Entry, EntryId};
use store::tenants::Tenant;
use store::{Db, StoreResult, Tx};

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
    if c.last_inbound_at
        .is_none_or(|t| now - t >= crate::delivery::WINDOW)
    {
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
    let hours = store::business::get(&mut *tx, tenant.id)
        .await?
        .handoff_hours;
    let until = now + chrono::Duration::hours(i64::from(hours));
    store::chat::set_paused_until(&mut *tx, tenant.id, c.id, Some(until)).await?;
    let before = store::staff::set_replying_to(&mut *tx, tenant.id, user, Some(c.id)).await?;
    Ok(HandReply::Sent {
        customer: who,
        first: before != Some(c.id),
    })
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
/// whether they were with a person.
pub async fn hand_back(
    db: &Db,
    tenant: TenantId,
    customer: CustomerId,
    by: UserId,
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<bool> {
    let mut tx = db.begin().await?;
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
