//! Messages to a person who may not be a customer (login codes, staff
//! alerts, the staff flow's answers): rendered from the catalog, recorded in
//! the outbox (the journal of what we told whom) and queued through the
//! outbound service in the caller's transaction, with the approved template
//! the message declares for when that person's 24-hour window is closed
//! (when the business has it approved in that language; else the purpose's,
//! `staff_alert`, if that one is).
//! Without a business or an active number to send from, the outbox row is
//! kept as `blocked`.

use crate::outbound::{self, Note, OutboundError, To};
use channels::outbound::{OutMessage, SUB_TYPE_URL, TemplateButton};
use domain::messages::{Msg, render};
use domain::outbound::Purpose;
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
    let template = msg.fallback_template().map(|f| OutMessage::Template {
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
    });
    let stored = template.as_ref().map(serde_json::to_value).transpose()?;
    let mut ex = ex;
    let status = match tenant {
        None => "blocked",
        Some(t) => {
            // Only an approved template may go outside the window.
            let fallback = match &template {
                Some(OutMessage::Template { name, .. })
                    if store::templates::approved(ex.re(), t, name, language).await? =>
                {
                    template.clone()
                }
                _ => None,
            };
            let note = Note {
                tenant: t,
                to: To::Staff(to),
                purpose: Purpose::StaffAlert,
                order: None,
                language,
                message: OutMessage::Text {
                    body: body.clone(),
                    preview_url: false,
                },
                template_params: Vec::new(),
                fallback,
                number: None,
                bulk: false,
            };
            match outbound::send(ex.re(), &note).await {
                Ok(_) => "sent",
                Err(OutboundError::Store(e)) => return Err(e.into()),
                Err(e) => {
                    tracing::warn!(to = %to.masked(), kind = msg.kind(), "message not queued: {e}");
                    "blocked"
                }
            }
        }
    };
    store::outbox::push(
        ex,
        tenant,
        to.as_str(),
        msg.kind(),
        &body,
        stored.as_ref(),
        status,
    )
    .await?;
    tracing::info!(to = %to.masked(), kind = msg.kind(), status, "message to a person");
    Ok(())
}
