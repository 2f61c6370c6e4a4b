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
use domain::{E164, TenantId, WaMessageId};
use store::Ex;

/// The message itself: a question with its two buttons, or text.
fn message_for(msg: &Msg<'_>, body: &str) -> OutMessage {
    match msg {
        Msg::StaffAsk { yes, no, .. } => OutMessage::Buttons {
            header: None,
            body: body.to_string(),
            footer: None,
            buttons: [(STAFF_YES, yes), (STAFF_NO, no)]
                .into_iter()
                .map(|(id, title)| channels::outbound::Button {
                    id: id.to_string(),
                    title: title.chars().take(20).collect(),
                })
                .collect(),
        },
        _ => OutMessage::Text {
            body: body.to_string(),
            preview_url: false,
        },
    }
}

/// The ids of a staff question's buttons ([`Msg::StaffAsk`]).
pub const STAFF_YES: &str = "staff:yes";
pub const STAFF_NO: &str = "staff:no";

pub async fn to_outbox(
    ex: Ex<'_>,
    tenant: Option<TenantId>,
    to: &E164,
    language: &str,
    msg: &Msg<'_>,
) -> anyhow::Result<()> {
    to_person(ex, tenant, to, language, msg).await.map(drop)
}

/// [`to_outbox`], answering the queued message's id (`None` when it was
/// kept as `blocked`), so the caller can note what it was about.
pub async fn to_person(
    ex: Ex<'_>,
    tenant: Option<TenantId>,
    to: &E164,
    language: &str,
    msg: &Msg<'_>,
) -> anyhow::Result<Option<WaMessageId>> {
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
    let mut queued = None;
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
                message: message_for(msg, &body),
                template_params: Vec::new(),
                fallback,
                number: None,
                bulk: false,
            };
            match outbound::send(ex.re(), &note).await {
                Ok(id) => {
                    queued = Some(id);
                    "sent"
                }
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
    Ok(queued)
}
