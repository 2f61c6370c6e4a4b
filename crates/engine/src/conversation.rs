//! The seam between the WhatsApp channel and the conversation engine. The
//! channel stores each customer message, then hands it over here inside the
//! same transaction, so the engine's effects and replies commit with it.

use async_trait::async_trait;
use channels::inbound::InboundMessage;
use domain::{CustomerId, E164, TenantId, WaMessageId};
use store::Tx;
use store::wa::Number;

/// One customer message, stored and attributed.
pub struct Turn<'a> {
    pub tenant: TenantId,
    /// The business number the customer wrote to.
    pub number: &'a Number,
    pub customer: CustomerId,
    pub phone: &'a E164,
    /// The stored message in `wa_messages`.
    pub message_id: WaMessageId,
    pub message: &'a InboundMessage,
}

#[async_trait]
pub trait ConversationEngine: Send + Sync {
    /// Applies one message. Replies are queued with
    /// [`crate::delivery::queue`] on `tx`; an error rolls back the whole
    /// turn (message included) and the job is retried.
    async fn on_message(&self, tx: &mut Tx, turn: &Turn<'_>) -> anyhow::Result<()>;
}
