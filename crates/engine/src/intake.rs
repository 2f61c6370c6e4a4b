//! The inbound path: what the webhook stores before answering 200, and the
//! `process_inbound` job that turns a stored event into a customer, a
//! message in the thread, a status change, and a turn of the conversation.

use crate::conversation::{Sender, Turn};
use crate::jobs;
use crate::services::Services;
use crate::worker::{JobError, Perform, retry};
use async_trait::async_trait;
use channels::inbound::{self, Content, Event};
use domain::{E164, TenantId, WaEventId};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use store::jobs::Claimed;
use store::wa::{self, EventKind, NewEvent, NewInbound, StatusChange, StatusOutcome};
use store::{Db, StoreResult};

/// What one webhook delivery stored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub stored: usize,
    pub duplicates: usize,
    pub unroutable: usize,
    /// Template rows a `message_template_status_update` changed (applied
    /// here, in the same transaction: they belong to an account, not to a
    /// number, and a redelivery changes none).
    pub templates: usize,
}

/// Stores every event of a verified envelope and enqueues their processing,
/// all in one transaction: either the whole delivery is durable (and we may
/// answer 200) or nothing is. A redelivered event hits the unique key and
/// changes nothing. A template status change is applied to the template
/// rows of its account at once ([`crate::templates::apply_status`]).
pub async fn record(db: &Db, events: &[Event]) -> StoreResult<Recorded> {
    let mut out = Recorded::default();
    if events.is_empty() {
        return Ok(out);
    }
    let mut tx = db.begin().await?;
    // An envelope's events nearly always share one number: look it up once.
    let mut owners: HashMap<&str, Option<TenantId>> = HashMap::new();
    for e in events {
        let Some((kind, pnid, key, payload)) = single(e) else {
            if let Event::TemplateStatus(t) = e {
                let changed = crate::templates::apply_status(&mut tx, t, store::now()).await?;
                out.templates += usize::try_from(changed).unwrap_or(usize::MAX);
                let outcome = if changed > 0 { "applied" } else { "unchanged" };
                metrics::counter!("sokoni_wa_inbound_events_total", "kind" => "template_status", "outcome" => outcome)
                    .increment(1);
            }
            continue;
        };
        let tenant = match owners.get(pnid) {
            Some(t) => *t,
            None => {
                let t = wa::number_by_phone_number_id(&mut tx, pnid)
                    .await?
                    .filter(|n| n.active)
                    .map(|n| n.tenant_id);
                owners.insert(pnid, t);
                t
            }
        };
        let stored = wa::record_event(
            &mut tx,
            &NewEvent {
                tenant_id: tenant,
                phone_number_id: pnid,
                kind,
                provider_key: &key,
                payload: &payload,
            },
        )
        .await?;
        if let (Some(event_id), Some(t)) = (stored, tenant) {
            jobs::enqueue(
                &mut tx,
                &jobs::ProcessInbound {
                    event_id,
                    tenant_id: Some(t),
                },
                None,
            )
            .await?;
        }
        let outcome = match (stored, tenant) {
            (None, _) => {
                out.duplicates += 1;
                "duplicate"
            }
            (Some(_), None) => {
                out.unroutable += 1;
                "unroutable"
            }
            (Some(_), Some(_)) => {
                out.stored += 1;
                "stored"
            }
        };
        metrics::counter!("sokoni_wa_inbound_events_total", "kind" => kind.as_str(), "outcome" => outcome)
            .increment(1);
    }
    tx.commit().await?;
    Ok(out)
}

/// One event as a self-contained envelope (so processing parses it with
/// the same code as the intake), with its kind, number and unique key;
/// `None` for what is not stored (a template status, applied at once).
fn single(e: &Event) -> Option<(EventKind, &str, String, Value)> {
    let envelope = inbound::envelope;
    Some(match e {
        Event::Message(m) => {
            let mut contact = json!({ "wa_id": m.from });
            if let Some(name) = &m.profile_name {
                contact["profile"] = json!({ "name": name });
            }
            (
                EventKind::Message,
                &m.phone_number_id,
                m.id.clone(),
                envelope(
                    &m.phone_number_id,
                    &m.display_phone_number,
                    json!({ "contacts": [contact], "messages": [m.raw] }),
                ),
            )
        }
        Event::Status(s) => (
            EventKind::Status,
            &s.phone_number_id,
            format!("{}:{}", s.id, s.status.as_str()),
            envelope(&s.phone_number_id, "", json!({ "statuses": [s.raw] })),
        ),
        Event::Error(er) => {
            let errors = match &er.raw {
                Value::Array(_) => er.raw.clone(),
                other => other
                    .get("errors")
                    .cloned()
                    .unwrap_or_else(|| json!([other])),
            };
            let digest = hex_digest(&errors.to_string());
            (
                EventKind::Error,
                &er.phone_number_id,
                digest,
                envelope(&er.phone_number_id, "", json!({ "errors": errors })),
            )
        }
        Event::TemplateStatus(_) => return None,
    })
}

fn hex_digest(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `process_inbound` job.
pub struct ProcessInbound(pub Arc<Services>);

#[async_trait]
impl Perform<jobs::ProcessInbound> for ProcessInbound {
    async fn perform(&self, j: jobs::ProcessInbound, job: &Claimed) -> Result<(), JobError> {
        process(&self.0, j.event_id, job).await
    }
}

async fn process(svc: &Services, id: WaEventId, job: &Claimed) -> Result<(), JobError> {
    let db = &svc.db;
    let event = wa::get_event(db, id).await.map_err(retry)?;
    if event.state != "pending" {
        return Ok(());
    }
    let Some(tenant) = event.tenant() else {
        return Ok(());
    };
    let raw = serde_json::to_vec(&event.payload.0).map_err(|e| JobError::Fatal(e.to_string()))?;
    let parsed = inbound::parse(&raw).map_err(|e| JobError::Fatal(format!("stored event: {e}")))?;
    let Some(ev) = parsed.into_iter().next() else {
        wa::mark_event_processed(db, id).await.map_err(retry)?;
        return Ok(());
    };
    match ev {
        Event::Message(m) => {
            let mut tx = db.begin().await.map_err(retry)?;
            let number = wa::number_by_phone_number_id(&mut tx, &m.phone_number_id)
                .await
                .map_err(retry)?
                .filter(|n| n.tenant_id == tenant);
            let (Some(number), Ok(phone)) = (number, E164::from_wa_id(&m.from)) else {
                tracing::warn!(event = %id, "inbound message without a usable number or sender; dropped");
                wa::mark_event_processed(&mut tx, id).await.map_err(retry)?;
                tx.commit().await.map_err(retry)?;
                return Ok(());
            };
            let sender = sender(&mut tx, tenant, &phone, &m).await.map_err(retry)?;
            let customer = match &sender {
                Sender::Customer { id } => Some(*id),
                Sender::Staff { .. } => None,
            };
            let (media_id, media_mime) = match &m.content {
                Content::Media { id, mime_type, .. } => (Some(id.as_str()), mime_type.as_deref()),
                _ => (None, None),
            };
            let body = m.content.text();
            let parsed_content = serde_json::to_value(&m.content).ok();
            let stored = wa::insert_inbound(
                &mut tx,
                &NewInbound {
                    tenant_id: tenant,
                    number_id: number.id,
                    customer_id: customer,
                    wamid: &m.id,
                    from_number: &m.from,
                    to_number: &m.display_phone_number,
                    kind: m.content.kind(),
                    body: body.as_deref(),
                    payload: &m.raw,
                    parsed: parsed_content.as_ref(),
                    media_id,
                    media_mime,
                    received_at: m.timestamp,
                },
            )
            .await
            .map_err(retry)?;
            let onboarding = svc
                .onboarding
                .as_ref()
                .filter(|o| o.phone_number_id == number.phone_number_id);
            let mut onboarded = crate::onboarding::TurnResult::default();
            if let (Some(message_id), Some(settings), Sender::Customer { id: applicant }) =
                (stored, onboarding, &sender)
            {
                // The platform's onboarding number: an applicant's guided
                // chat, never a business's customer flow.
                let turn = Turn {
                    tenant,
                    number: &number,
                    sender: sender.clone(),
                    phone: &phone,
                    message_id,
                    message: &m,
                };
                onboarded =
                    crate::onboarding::on_message(svc, settings, &mut tx, &turn, *applicant)
                        .await
                        .map_err(|e| JobError::Retry(format!("onboarding: {e:#}")))?;
            } else if let Some(message_id) = stored {
                if media_id.is_some() {
                    jobs::enqueue(
                        &mut tx,
                        &jobs::FetchMedia {
                            message_id,
                            tenant_id: Some(tenant),
                        },
                        None,
                    )
                    .await
                    .map_err(retry)?;
                }
                if let Some(engine) = &svc.conversation {
                    let turn = Turn {
                        tenant,
                        number: &number,
                        sender,
                        phone: &phone,
                        message_id,
                        message: &m,
                    };
                    let last = job.attempts >= job.max_attempts;
                    if !last {
                        engine
                            .on_message(&mut tx, &turn)
                            .await
                            .map_err(|e| JobError::Retry(format!("conversation engine: {e:#}")))?;
                    } else {
                        // The final attempt degrades rather than dying: the
                        // message is kept, and a person is told.
                        store::savepoint::savepoint(&mut tx, "turn")
                            .await
                            .map_err(retry)?;
                        match engine.on_message(&mut tx, &turn).await {
                            Ok(()) => store::savepoint::release_savepoint(&mut tx, "turn")
                                .await
                                .map_err(retry)?,
                            Err(e) => {
                                tracing::error!(event = %id, attempt = job.attempts,
                                    "the conversation engine failed on every attempt; the message is kept unanswered: {e:#}");
                                store::savepoint::rollback_to(&mut tx, "turn")
                                    .await
                                    .map_err(retry)?;
                                if let Sender::Customer { id: customer } = &turn.sender {
                                    let words = body.as_deref().unwrap_or_default();
                                    crate::inbox::needs_person(
                                        &mut tx,
                                        tenant,
                                        *customer,
                                        domain::messages::Attention::BotFailed,
                                        words,
                                    )
                                    .await
                                    .map_err(|e| JobError::Retry(format!("{e:#}")))?;
                                }
                            }
                        }
                    }
                }
            }
            wa::mark_event_processed(&mut tx, id).await.map_err(retry)?;
            tx.commit().await.map_err(retry)?;
            crate::onboarding::after_commit(svc, &onboarded).await;
            metrics::counter!("sokoni_wa_inbound_messages_total", "type" => m.content.kind())
                .increment(1);
            svc.wake_outbound();
            Ok(())
        }
        Event::Status(s) => {
            let first = s.errors.first();
            let outcome = wa::apply_status(
                db,
                &StatusChange {
                    wamid: &s.id,
                    status: s.status.as_str(),
                    at: s.timestamp,
                    error_code: first.map(|e| e.code),
                    error_title: first.map(|e| e.title.as_str()),
                    error_details: first.and_then(|e| e.details.as_deref()),
                },
            )
            .await
            .map_err(retry)?;
            if let Some(e) = first {
                metrics::counter!("sokoni_wa_errors_total", "code" => e.code.to_string())
                    .increment(1);
            }
            // A status can overtake the send job that stores its wamid; give
            // it a few attempts before treating it as someone else's message.
            if outcome == StatusOutcome::Unknown
                && job.attempts < svc.settings.unknown_status_attempts
            {
                return Err(JobError::Retry(format!(
                    "no message has wamid {} yet",
                    s.id
                )));
            }
            wa::mark_event_processed(db, id).await.map_err(retry)?;
            Ok(())
        }
        Event::Error(er) => {
            for e in &er.errors {
                tracing::warn!(code = e.code, title = %e.title, "WhatsApp reported an error");
                metrics::counter!("sokoni_wa_errors_total", "code" => e.code.to_string())
                    .increment(1);
            }
            wa::mark_event_processed(db, id).await.map_err(retry)?;
            Ok(())
        }
        // Never stored (the intake applies them); nothing to do.
        Event::TemplateStatus(_) => {
            wa::mark_event_processed(db, id).await.map_err(retry)?;
            Ok(())
        }
    }
}

/// Who wrote: an active user of the business whose phone is the sender's
/// (never made a customer), or the customer found or created by WhatsApp
/// id, whose 24-hour window moves forward.
async fn sender(
    tx: &mut store::Tx,
    tenant: TenantId,
    phone: &E164,
    m: &inbound::InboundMessage,
) -> StoreResult<Sender> {
    // A phone is unique within a business (an owner of several businesses
    // is staff on each business's own number).
    if let Some(user) = store::users::find_by_phone(&mut *tx, tenant, phone.as_str()).await?
        && user.is_active
    {
        return Ok(Sender::Staff {
            user: user.id,
            name: user.name,
            role: user.role,
        });
    }
    let id = store::customers::touch_from_whatsapp(
        &mut *tx,
        tenant,
        phone.as_str(),
        &phone.wa_id(),
        m.profile_name.as_deref(),
        m.timestamp,
    )
    .await?;
    Ok(Sender::Customer { id })
}
