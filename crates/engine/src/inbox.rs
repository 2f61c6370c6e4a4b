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
    let who = customer
        .name
        .clone()
        .or_else(|| customer.wa_profile_name.clone())
        .or_else(|| customer.phone.clone())
        .unwrap_or_default();
    let phone = customer
        .phone
        .clone()
        .or_else(|| customer.wa_id.clone())
        .unwrap_or_default();
    let language = domain::text::language_of(&tenant.locale.to_string());
    for to in staff_phones(tx, tenant).await? {
        crate::notify::to_outbox(
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
