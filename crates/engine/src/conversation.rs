//! The seam between the WhatsApp channel and the conversation engine. The
//! channel stores each inbound message, works out who wrote it (a
//! [`Sender`]), then hands it over here inside the same transaction, so the
//! engine's effects and replies commit with it.

use async_trait::async_trait;
use channels::inbound::InboundMessage;
use domain::tenant::Role;
use domain::{CustomerId, E164, TenantId, UserId, WaMessageId};
use store::Tx;
use store::wa::Number;

/// Who wrote to the business's number. Each kind of sender has its own
/// flow in the engine: a customer orders, a staff member runs the business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    /// A customer of the business (found or created by WhatsApp id).
    Customer { id: CustomerId },
    /// An active user of the business whose phone is the sender's: never
    /// turned into a customer.
    Staff {
        user: UserId,
        name: String,
        role: Role,
    },
}

/// One inbound message, stored and attributed.
pub struct Turn<'a> {
    pub tenant: TenantId,
    /// The business number the message was sent to.
    pub number: &'a Number,
    pub sender: Sender,
    pub phone: &'a E164,
    /// The stored message in `wa_messages`.
    pub message_id: WaMessageId,
    pub message: &'a InboundMessage,
}

#[async_trait]
pub trait ConversationEngine: Send + Sync {
    /// Applies one message. Replies are queued with
    /// the delivery queue (or, to staff, the notifier) on
    /// `tx`; an error rolls back the whole turn (message included) and the
    /// job is retried.
    async fn on_message(&self, tx: &mut Tx, turn: &Turn<'_>) -> anyhow::Result<()>;
}
