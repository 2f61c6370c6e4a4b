//! Sending a message to a person outside a conversation (login codes, staff
//! alerts). The first implementation records it in the outbox table, in the
//! caller's transaction; the WhatsApp channel delivers from there.

use async_trait::async_trait;
use domain::messages::Msg;
use domain::{E164, TenantId};
use store::Ex;

#[async_trait]
pub trait Notifier: Send + Sync {
    async fn notify(
        &self,
        ex: Ex<'_>,
        tenant: Option<TenantId>,
        to: &E164,
        language: &str,
        msg: &Msg<'_>,
    ) -> anyhow::Result<()>;
}

/// Writes the rendered message to the outbox.
pub struct OutboxNotifier;

#[async_trait]
impl Notifier for OutboxNotifier {
    async fn notify(
        &self,
        ex: Ex<'_>,
        tenant: Option<TenantId>,
        to: &E164,
        language: &str,
        msg: &Msg<'_>,
    ) -> anyhow::Result<()> {
        engine::notify::to_outbox(ex, tenant, to, language, msg).await
    }
}
