//! The outbound path: queueing a message (validated against Meta's limits
//! before anything is stored), the `send_message` job (24-hour rule, rate
//! limit, retries, permanent errors), and delivering the foundation's
//! outbox through WhatsApp.

use crate::jobs;
use crate::services::Services;
use crate::worker::{JobError, Perform, retry};
use async_trait::async_trait;
use channels::outbound::{LimitError, OutMessage};
use channels::{SendError, Sender};
use chrono::Duration;
use domain::outbound::{MessageStatus, Purpose};
use domain::{CustomerId, E164, OrderId, TenantId, WaMessageId};
use std::sync::Arc;
use store::jobs::Claimed;
use store::wa::{self, NewOutbound, Number};
use store::{Ex, StoreError};

/// Meta's customer service window (protocols.md §1.7).
pub const WINDOW: Duration = Duration::hours(24);

/// Whether a customer who last wrote at `last_inbound` may get free-form
/// messages at `now`.
pub fn window_open(
    last_inbound: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    last_inbound.is_some_and(|t| now - t < WINDOW)
}

/// Meta's code for a free-form message outside the window.
const REENGAGEMENT: i64 = 131047;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("{0}: {1}")]
    Invalid(String, String),
    /// A message that is not essential (`Purpose::essential`) to a customer
    /// who opted out: not queued.
    #[error("the customer opted out of messages that are not about their orders")]
    OptedOut,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl QueueError {
    fn limit(prefix: &str, e: LimitError) -> Self {
        let field = if prefix.is_empty() {
            e.field
        } else {
            format!("{prefix}.{}", e.field)
        };
        QueueError::Invalid(field, e.message)
    }
}

/// A message a business wants to send to one customer.
pub struct Outgoing<'a> {
    pub tenant: TenantId,
    pub number: &'a Number,
    pub customer: Option<CustomerId>,
    pub order: Option<OrderId>,
    pub to: &'a E164,
    pub message: &'a OutMessage,
    /// An approved template to send instead when the customer's window is
    /// closed.
    pub fallback: Option<&'a OutMessage>,
    /// Why it is sent. A message nobody waits for (not essential: reminders,
    /// promotions) is sent from the bulk queue, never ahead of a reply.
    pub purpose: Purpose,
    /// Sent from the bulk queue whatever its purpose (automation's cycle:
    /// its order notices and staff alerts never wait in front of a reply).
    pub bulk: bool,
}

/// Validates and records the message as queued, with its send job, on the
/// caller's executor. Nothing is stored when the message breaks a limit.
/// This is the last step of every send: callers go through
/// [`crate::outbound`], which decides the number, the opt-out and the
/// template (a conversation's replies, always essential and inside the
/// window, come here directly).
pub async fn queue(ex: impl Into<Ex<'_>>, o: &Outgoing<'_>) -> Result<WaMessageId, QueueError> {
    let mut ex = ex.into();
    o.message.validate().map_err(|e| QueueError::limit("", e))?;
    if let Some(fb) = o.fallback {
        if !fb.is_template() {
            return Err(QueueError::Invalid(
                "fallback".into(),
                "the fallback must be a template".into(),
            ));
        }
        fb.validate()
            .map_err(|e| QueueError::limit("fallback", e))?;
    }
    let to = o.to.send_to();
    let payload = o.message.to_graph(&to);
    let content = serde_json::to_value(o.message)
        .map_err(|e| QueueError::Invalid("message".into(), e.to_string()))?;
    let fallback = o
        .fallback
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| QueueError::Invalid("fallback".into(), e.to_string()))?;
    let body = o.message.summary();
    let id = wa::queue_outbound(
        ex.re(),
        &NewOutbound {
            tenant_id: o.tenant,
            number_id: o.number.id,
            customer_id: o.customer,
            order_id: o.order,
            from_number: &digits(&o.number.display_phone_number),
            to_number: &to,
            kind: o.message.kind(),
            body: &body,
            payload: &payload,
            content: &content,
            fallback: fallback.as_ref(),
        },
    )
    .await?;
    jobs::enqueue(
        ex,
        &jobs::SendMessage {
            message_id: id,
            tenant_id: Some(o.tenant),
            bulk: o.bulk || !o.purpose.essential(),
        },
        None,
    )
    .await?;
    Ok(id)
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The `send_message` job.
pub struct SendMessage(pub Arc<Services>);

#[async_trait]
impl Perform<jobs::SendMessage> for SendMessage {
    async fn perform(&self, j: jobs::SendMessage, job: &Claimed) -> Result<(), JobError> {
        send(&self.0, j.message_id, job).await
    }
}

/// How long an earlier message of the same conversation that is still
/// queued holds a later one back (after that, it is presumed stuck and the
/// later one goes).
const IN_ORDER_FOR: Duration = Duration::seconds(60);

async fn send(svc: &Services, id: WaMessageId, job: &Claimed) -> Result<(), JobError> {
    let db = &svc.db;
    let m = wa::message(db, id).await.map_err(retry)?;
    if m.status != MessageStatus::Queued {
        return Ok(());
    }
    let tenant = m.tenant_id;
    let block = |title: &'static str, details: String| async move {
        wa::mark_undeliverable(db, id, MessageStatus::Blocked, None, title, Some(&details))
            .await
            .map_err(retry)?;
        metrics::counter!("sokoni_wa_outbound_total", "status" => "blocked").increment(1);
        Ok::<(), JobError>(())
    };
    // The replies of one turn reach the customer in the order they were
    // written: an earlier one still waiting goes first. Queue and rate
    // limits run on the wall clock (the queue's own time); the business
    // rules (the 24-hour window) on the services' clock.
    let wall = store::now();
    if wa::earlier_queued(db, &m, wall - IN_ORDER_FOR)
        .await
        .map_err(retry)?
    {
        return Err(JobError::Reschedule(wall + Duration::milliseconds(200)));
    }
    let now = svc.clock.now();
    let number = wa::get_number(db, tenant, m.number_id)
        .await
        .map_err(retry)?;
    if !number.active {
        return block(
            "number inactive",
            "the business number is switched off".into(),
        )
        .await;
    }
    let content: OutMessage = m
        .content
        .as_ref()
        .and_then(|c| serde_json::from_value(c.0.clone()).ok())
        .ok_or_else(|| JobError::Fatal("stored message has no readable content".into()))?;
    let fallback: Option<OutMessage> = m
        .fallback
        .as_ref()
        .and_then(|c| serde_json::from_value(c.0.clone()).ok());

    // The 24-hour rule: free-form only while the customer's window is open.
    let last_inbound = match m.customer() {
        Some(c) => {
            store::customers::get(db, tenant, c)
                .await
                .map_err(retry)?
                .last_inbound_at
        }
        // Staff are not customers: their window is their own last message
        // to this number.
        None => wa::last_inbound_from(db, tenant, m.number_id, &m.to_number)
            .await
            .map_err(retry)?,
    };
    let open = last_inbound.is_some_and(|t| now - t < WINDOW);
    let (msg, using_fallback) = if open || content.is_template() {
        (content, false)
    } else if let Some(fb) = fallback.clone() {
        (fb, true)
    } else {
        let details = match last_inbound {
            Some(t) => format!(
                "the customer last wrote at {}; outside 24 hours only an approved template may be sent",
                t.to_rfc3339()
            ),
            None => "the customer has never written to this number; only an approved template may be sent".into(),
        };
        return block("outside the 24-hour window", details).await;
    };

    let token = if number.sandbox {
        String::new()
    } else {
        let Some(sealed) = number.access_token_sealed.as_deref() else {
            return block(
                "no access token",
                "the business number has no access token".into(),
            )
            .await;
        };
        svc.sealer
            .open(sealed)
            .map_err(|e| JobError::Fatal(format!("access token: {e}")))?
    };

    let mut attempt = Some((msg, using_fallback));
    while let Some((msg, using_fallback)) = attempt.take() {
        take_slot(svc, &number).await?;
        let sender = Sender {
            phone_number_id: &number.phone_number_id,
            access_token: &token,
        };
        match svc
            .channel_for(&number)
            .send(&sender, &m.to_number, &msg)
            .await
        {
            Ok(wamid) => {
                let payload = msg.to_graph(&m.to_number);
                wa::mark_sent(db, id, &wamid, &payload, msg.kind())
                    .await
                    .map_err(retry)?;
                metrics::counter!("sokoni_wa_outbound_total", "status" => "sent").increment(1);
            }
            Err(SendError::Permanent(e))
                if e.code == REENGAGEMENT && !using_fallback && fallback.is_some() =>
            {
                // Our clock said the window was open; Meta's says closed.
                attempt = fallback.clone().map(|fb| (fb, true));
            }
            Err(SendError::Permanent(e)) => {
                wa::mark_undeliverable(
                    db,
                    id,
                    MessageStatus::Failed,
                    Some(e.code),
                    &e.title,
                    e.details.as_deref(),
                )
                .await
                .map_err(retry)?;
                metrics::counter!("sokoni_wa_outbound_total", "status" => "failed").increment(1);
                metrics::counter!("sokoni_wa_errors_total", "code" => e.code.to_string())
                    .increment(1);
            }
            Err(SendError::Invalid(e)) => {
                wa::mark_undeliverable(
                    db,
                    id,
                    MessageStatus::Failed,
                    None,
                    "invalid message",
                    Some(&format!("{}: {}", e.field, e.message)),
                )
                .await
                .map_err(retry)?;
                metrics::counter!("sokoni_wa_outbound_total", "status" => "failed").increment(1);
            }
            Err(e) => {
                let text = e.to_string();
                if job.attempts >= job.max_attempts {
                    wa::mark_undeliverable(
                        db,
                        id,
                        MessageStatus::Failed,
                        None,
                        "not delivered after retries",
                        Some(&text),
                    )
                    .await
                    .map_err(retry)?;
                    metrics::counter!("sokoni_wa_outbound_total", "status" => "failed")
                        .increment(1);
                }
                return Err(JobError::Retry(text));
            }
        }
    }
    Ok(())
}

/// Takes a send slot in this number's current one-second window; when the
/// window is full the job is rescheduled to the next one (the worker is free
/// meanwhile for other businesses' sends).
async fn take_slot(svc: &Services, number: &Number) -> Result<(), JobError> {
    let now = store::now();
    let second = now.timestamp();
    if wa::take_send_slot(&svc.db, number.id, second, svc.settings.rate_limit_per_sec)
        .await
        .map_err(retry)?
    {
        return Ok(());
    }
    let next = chrono::DateTime::from_timestamp(second + 1, 0).unwrap_or(now);
    Err(JobError::Reschedule(next))
}
