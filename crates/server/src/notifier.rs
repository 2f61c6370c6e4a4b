//! Sending a message to a person outside a conversation (login codes, staff
//! alerts). The first implementation records it in the outbox table, in the
//! caller's transaction; the WhatsApp channel delivers from there.

use async_trait::async_trait;
use channels::outbound::{OutMessage, TemplateButton};
use domain::messages::{Msg, render};
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
        let body = render(language, msg);
        let template = msg.fallback_template().map(|f| {
            serde_json::to_value(OutMessage::Template {
                name: f.name.to_string(),
                language: language.to_string(),
                header: Vec::new(),
                body: f.body,
                buttons: f
                    .url_button
                    .map(|param| TemplateButton {
                        sub_type: "url".into(),
                        index: 0,
                        param,
                    })
                    .into_iter()
                    .collect(),
            })
        });
        let template = template.transpose()?;
        store::outbox::push(
            ex,
            tenant,
            to.as_str(),
            msg.kind(),
            &body,
            template.as_ref(),
        )
        .await?;
        tracing::info!(to = %to.masked(), kind = msg.kind(), "message queued in the outbox");
        Ok(())
    }
}
