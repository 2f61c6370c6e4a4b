//! The one way to message a person. Every message a business sends outside
//! a conversation's own replies (payment links, receipts, reminders, stage
//! notices, staff alerts, the API's sends, later automation and broadcasts)
//! comes through here, which decides:
//!
//! - the number it is sent from (the business's first active number);
//! - whether it may go at all: a message that is not essential
//!   ([`Purpose::essential`]) to a customer who opted out is refused with
//!   [`OutboundError::OptedOut`];
//! - how it reaches someone whose 24-hour window is closed: the template
//!   its purpose declares ([`Purpose::template`]), with the parameters the
//!   caller gives, **only when the business has it approved in that
//!   language** (`store::templates`); without one the message is still
//!   queued, sent inside the window and blocked outside it. A send never
//!   names a template that is not approved: a template the caller gives (the
//!   message itself, or its fallback) that is not is refused with
//!   [`OutboundError::Invalid`] naming the field;
//! - its queue: what nobody waits for is sent from the bulk queue, never
//!   ahead of anyone's reply.
//!
//! The message is queued in the caller's transaction, so it exists exactly
//! when the change that caused it commits. [`send_many`] does the same for
//! many people with one opt-out query.

use crate::delivery::{Outgoing, QueueError, queue};
use channels::outbound::OutMessage;
use domain::outbound::Purpose;
use domain::{CustomerId, E164, OrderId, TenantId, WaMessageId};
use std::collections::HashSet;
use store::customers::Customer;
use store::wa::Number;
use store::{Ex, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// Not essential, and the customer said stop.
    #[error("the customer opted out of messages that are not about their orders")]
    OptedOut,
    /// The customer has no WhatsApp number.
    #[error("this customer has no WhatsApp number")]
    NoWhatsapp,
    /// The business has no active number to send from.
    #[error("the business has no active WhatsApp number")]
    NoNumber,
    /// The message breaks one of WhatsApp's limits.
    #[error("{0}: {1}")]
    Invalid(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<QueueError> for OutboundError {
    fn from(e: QueueError) -> Self {
        match e {
            QueueError::Invalid(f, m) => OutboundError::Invalid(f, m),
            QueueError::OptedOut => OutboundError::OptedOut,
            QueueError::Store(e) => OutboundError::Store(e),
        }
    }
}

/// Who a message is for.
#[derive(Debug, Clone, Copy)]
pub enum To<'a> {
    Customer(&'a Customer),
    /// A staff member's phone (they may not be a customer).
    Staff(&'a E164),
}

/// One message to one person.
#[derive(Debug, Clone)]
pub struct Note<'a> {
    pub tenant: TenantId,
    pub to: To<'a>,
    pub purpose: Purpose,
    pub order: Option<OrderId>,
    /// The recipient's language (`en`, `es`, `sw`), for the template.
    pub language: &'a str,
    /// What is sent inside the window.
    pub message: OutMessage,
    /// The body parameters of the purpose's template, sent outside it.
    pub template_params: Vec<String>,
    /// A template the caller chose instead of the purpose's (the API).
    pub fallback: Option<OutMessage>,
    /// Send from this number rather than the business's first active one
    /// (the API lets staff choose).
    pub number: Option<&'a Number>,
    /// Send from the bulk queue even if the purpose is essential.
    pub bulk: bool,
}

impl<'a> Note<'a> {
    /// A text message with `purpose`'s template parameters.
    pub fn text(
        tenant: TenantId,
        to: To<'a>,
        purpose: Purpose,
        language: &'a str,
        body: String,
        template_params: Vec<String>,
    ) -> Self {
        Note {
            tenant,
            to,
            purpose,
            order: None,
            language,
            message: OutMessage::Text {
                body,
                preview_url: true,
            },
            template_params,
            fallback: None,
            number: None,
            bulk: false,
        }
    }

    pub fn about(mut self, order: OrderId) -> Self {
        self.order = Some(order);
        self
    }

    fn customer(&self) -> Option<&Customer> {
        match self.to {
            To::Customer(c) => Some(c),
            To::Staff(_) => None,
        }
    }
}

/// The approved template that carries `purpose` outside the window.
pub fn template(purpose: Purpose, language: &str, params: &[String]) -> Option<OutMessage> {
    purpose.template().map(|name| OutMessage::Template {
        name: name.to_string(),
        language: language.to_string(),
        header: Vec::new(),
        body: params.to_vec(),
        buttons: Vec::new(),
    })
}

/// The number a business sends from: its first active one.
pub async fn sending_number(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
) -> Result<Number, OutboundError> {
    store::wa::numbers(ex, tenant)
        .await?
        .into_iter()
        .find(|n| n.active)
        .ok_or(OutboundError::NoNumber)
}

/// Whether `purpose` may reach `customer`, as decided by their opt-out.
pub fn allowed(purpose: Purpose, customer: &Customer) -> bool {
    purpose.essential() || customer.opted_out_at.is_none()
}

/// Queues one message in the caller's transaction.
pub async fn send(ex: impl Into<Ex<'_>>, n: &Note<'_>) -> Result<WaMessageId, OutboundError> {
    let mut ex = ex.into();
    if let Some(c) = n.customer()
        && !allowed(n.purpose, c)
    {
        return Err(OutboundError::OptedOut);
    }
    let number = match n.number {
        Some(num) => num.clone(),
        None => sending_number(ex.re(), n.tenant).await?,
    };
    put(ex, &number, n, None).await
}

/// A message a person at the business writes to one customer: the API's
/// send and the dashboard's reply box.
#[derive(Debug, Clone)]
pub struct ByHand<'a> {
    pub tenant: &'a store::tenants::Tenant,
    pub customer: &'a Customer,
    pub number: &'a Number,
    pub order: Option<OrderId>,
    pub message: OutMessage,
    /// An approved template to send instead if the window has closed.
    pub fallback: Option<OutMessage>,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Queues a message written by hand in the caller's transaction. Answering
/// someone who wrote within the day is a reply; anything else the business
/// sends is its own message, refused after an opt-out.
pub async fn send_by_hand(
    ex: impl Into<Ex<'_>>,
    m: &ByHand<'_>,
) -> Result<WaMessageId, OutboundError> {
    let purpose = if crate::delivery::window_open(m.customer.last_inbound_at, m.now) {
        Purpose::Reply
    } else {
        Purpose::Promotion
    };
    let language = domain::text::language_of(&m.tenant.locale.to_string());
    send(
        ex,
        &Note {
            tenant: m.tenant.id,
            to: To::Customer(m.customer),
            purpose,
            order: m.order,
            language,
            message: m.message.clone(),
            template_params: Vec::new(),
            fallback: m.fallback.clone(),
            number: Some(m.number),
            bulk: false,
        },
    )
    .await
}

/// Queues many messages of one business in the caller's transaction, with
/// one opt-out query for all their customers (customer rows may be stale:
/// the opt-out is read fresh). Each message gets its own outcome.
pub async fn send_many(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    notes: &[Note<'_>],
) -> Result<Vec<Result<WaMessageId, OutboundError>>, StoreError> {
    let mut ex = ex.into();
    let ids: Vec<CustomerId> = notes
        .iter()
        .filter(|n| !n.purpose.essential())
        .filter_map(|n| n.customer().map(|c| c.id))
        .collect();
    let opted: HashSet<CustomerId> = store::customers::opted_out(ex.re(), tenant, &ids).await?;
    let approved = store::templates::approved_set(ex.re(), tenant).await?;
    let number = match sending_number(ex.re(), tenant).await {
        Ok(n) => Some(n),
        Err(OutboundError::Store(e)) => return Err(e),
        Err(_) => None,
    };
    let mut out = Vec::with_capacity(notes.len());
    for n in notes {
        let refused = !n.purpose.essential() && n.customer().is_some_and(|c| opted.contains(&c.id));
        let r = match n.number.or(number.as_ref()) {
            _ if refused => Err(OutboundError::OptedOut),
            Some(num) => put(ex.re(), num, n, Some(&approved)).await,
            None => Err(OutboundError::NoNumber),
        };
        if let Err(OutboundError::Store(e)) = r {
            return Err(e);
        }
        out.push(r);
    }
    Ok(out)
}

/// Whether `tenant` has template `name` approved in `language`: from the
/// batch's set when given, else one query.
async fn is_approved(
    ex: Ex<'_>,
    tenant: TenantId,
    approved: Option<&HashSet<(String, String)>>,
    name: &str,
    language: &str,
) -> Result<bool, StoreError> {
    match approved {
        Some(set) => Ok(set.contains(&(name.to_string(), language.to_string()))),
        None => store::templates::approved(ex, tenant, name, language).await,
    }
}

/// The name and language of a template message.
fn template_of(m: &OutMessage) -> Option<(&str, &str)> {
    match m {
        OutMessage::Template { name, language, .. } => Some((name, language)),
        _ => None,
    }
}

fn not_approved(field: &str, name: &str, language: &str) -> OutboundError {
    OutboundError::Invalid(
        field.to_string(),
        format!(
            "template {name:?} is not approved for language {language:?} (submit and sync the business's templates)"
        ),
    )
}

async fn put(
    mut ex: Ex<'_>,
    number: &Number,
    n: &Note<'_>,
    approved: Option<&HashSet<(String, String)>>,
) -> Result<WaMessageId, OutboundError> {
    let (to, customer) = match n.to {
        To::Customer(c) => (
            c.wa_id
                .as_deref()
                .and_then(|w| E164::from_wa_id(w).ok())
                .ok_or(OutboundError::NoWhatsapp)?,
            Some(c.id),
        ),
        To::Staff(phone) => (phone.clone(), None),
    };
    // A template the caller names must be approved (the API's 422)…
    if let Some((name, lang)) = template_of(&n.message)
        && !is_approved(ex.re(), n.tenant, approved, name, lang).await?
    {
        return Err(not_approved("name", name, lang));
    }
    let fallback = match &n.fallback {
        Some(fb) => {
            if let Some((name, lang)) = template_of(fb)
                && !is_approved(ex.re(), n.tenant, approved, name, lang).await?
            {
                return Err(not_approved("fallback.name", name, lang));
            }
            Some(fb.clone())
        }
        // …the purpose's goes along only when it is; without it the message
        // waits for the window (outside it, the send path blocks it).
        None => match n.purpose.template() {
            Some(name) if is_approved(ex.re(), n.tenant, approved, name, n.language).await? => {
                template(n.purpose, n.language, &n.template_params)
            }
            _ => None,
        },
    };
    let id = queue(
        ex,
        &Outgoing {
            tenant: n.tenant,
            number,
            customer,
            order: n.order,
            to: &to,
            message: &n.message,
            fallback: fallback.as_ref(),
            purpose: n.purpose,
            bulk: n.bulk,
        },
    )
    .await?;
    tracing::info!(to = %to.masked(), purpose = n.purpose.as_str(), "message queued");
    Ok(id)
}
