//! Messages to a person outside a conversation (login codes, staff alerts):
//! rendered from the catalog and written to the outbox in the caller's
//! transaction, with the approved template WhatsApp needs when that
//! person's 24-hour window is closed. `deliver_outbox` sends them.

use channels::outbound::{OutMessage, SUB_TYPE_URL, TemplateButton};
use domain::messages::{Msg, render};
use domain::{E164, TenantId};
use store::Ex;

pub async fn to_outbox(
    ex: Ex<'_>,
    tenant: Option<TenantId>,
    to: &E164,
    language: &str,
    msg: &Msg<'_>,
) -> anyhow::Result<()> {
    let body = render(language, msg);
    let template = msg
        .fallback_template()
        .map(|f| {
            serde_json::to_value(OutMessage::Template {
                name: f.name.to_string(),
                language: language.to_string(),
                header: Vec::new(),
                body: f.body,
                buttons: f
                    .url_button
                    .map(|param| TemplateButton {
                        sub_type: SUB_TYPE_URL.into(),
                        index: 0,
                        param,
                    })
                    .into_iter()
                    .collect(),
            })
        })
        .transpose()?;
    let mut ex = ex;
    let outbox_id = store::outbox::push(
        ex.re(),
        tenant,
        to.as_str(),
        msg.kind(),
        &body,
        template.as_ref(),
    )
    .await?;
    crate::jobs::enqueue(
        ex,
        &crate::jobs::DeliverOutbox {
            outbox_id,
            tenant_id: tenant,
        },
        None,
    )
    .await?;
    tracing::info!(to = %to.masked(), kind = msg.kind(), "message queued in the outbox");
    Ok(())
}
