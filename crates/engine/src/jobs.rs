//! Every background job the engine runs, as a type: its kind, its queue, its
//! payload (serde) and its dedup key. A job is enqueued with [`enqueue`] in
//! the caller's transaction (an outbox: the job exists exactly when the write
//! that needs it does), and its handler is registered once, in
//! [`crate::registry`], by type. Changing a payload's fields changes both
//! sides at once; an old row whose payload no longer reads is dead at once
//! with the reason, never retried blindly.

use chrono::{DateTime, Utc};
use domain::{JobId, PaymentId, TenantId, WaEventId, WaMessageId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use store::jobs::NewJob;
use store::{Ex, StoreResult};

/// The queues jobs wait in. Each has its own pool of workers, so work on one
/// never waits behind work on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Queue {
    /// Customer messages as they arrive: the conversation's turns.
    Inbound,
    /// Messages to people that answer or follow something they did: replies,
    /// receipts, payment links, staff alerts.
    Outbound,
    /// Messages nobody is waiting for (automation, broadcasts): a business's
    /// bulk send waits here, never in front of anyone's reply.
    Bulk,
    /// Everything else: payment requests and verification.
    Default,
}

impl Queue {
    pub const ALL: [Queue; 4] = [Queue::Inbound, Queue::Outbound, Queue::Bulk, Queue::Default];

    pub fn as_str(self) -> &'static str {
        match self {
            Queue::Inbound => "inbound",
            Queue::Outbound => "outbound",
            Queue::Bulk => "bulk",
            Queue::Default => "default",
        }
    }

    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

impl std::fmt::Display for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of job.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stored kind, unique among jobs; never rename one with rows queued.
    const KIND: &'static str;
    /// The queue this kind waits in by default.
    const QUEUE: Queue;
    /// The business it works for (`None`: the server's own).
    fn tenant(&self) -> Option<TenantId>;
    /// A job whose key is already taken is not enqueued again.
    fn dedup_key(&self) -> Option<String>;
    /// The queue of this job; most kinds always use [`Job::QUEUE`].
    fn queue(&self) -> Queue {
        Self::QUEUE
    }
}

/// Enqueues `job`, due now (`at: None`) or at `at`, on the caller's executor.
/// Returns `None` if its dedup key was already taken.
pub async fn enqueue<J: Job>(
    ex: impl Into<Ex<'_>>,
    job: &J,
    at: Option<DateTime<Utc>>,
) -> StoreResult<Option<JobId>> {
    let payload =
        serde_json::to_value(job).map_err(|e| store::StoreError::Encode(e.to_string()))?;
    store::jobs::enqueue(
        ex,
        &NewJob {
            tenant_id: job.tenant(),
            queue: job.queue().as_str(),
            kind: J::KIND,
            payload,
            run_at: at,
            dedup_key: job.dedup_key(),
        },
    )
    .await
}

/// Processes one stored webhook event (a message or a status).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ProcessInbound {
    pub event_id: WaEventId,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
}

impl Job for ProcessInbound {
    const KIND: &'static str = "process_inbound";
    const QUEUE: Queue = Queue::Inbound;
    fn tenant(&self) -> Option<TenantId> {
        self.tenant_id
    }
    fn dedup_key(&self) -> Option<String> {
        Some(format!("wa_event:{}", self.event_id))
    }
}

/// Downloads an inbound message's media.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FetchMedia {
    pub message_id: WaMessageId,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
}

impl Job for FetchMedia {
    const KIND: &'static str = "fetch_media";
    const QUEUE: Queue = Queue::Inbound;
    fn tenant(&self) -> Option<TenantId> {
        self.tenant_id
    }
    fn dedup_key(&self) -> Option<String> {
        Some(format!("media:{}", self.message_id))
    }
}

/// Sends one stored outbound message.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SendMessage {
    pub message_id: WaMessageId,
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
    /// A bulk send (automation, broadcast) waits in [`Queue::Bulk`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bulk: bool,
}

impl Job for SendMessage {
    const KIND: &'static str = "send_message";
    const QUEUE: Queue = Queue::Outbound;
    fn tenant(&self) -> Option<TenantId> {
        self.tenant_id
    }
    fn dedup_key(&self) -> Option<String> {
        Some(format!("send:{}", self.message_id))
    }
    fn queue(&self) -> Queue {
        if self.bulk {
            Queue::Bulk
        } else {
            Queue::Outbound
        }
    }
}

/// Asks the provider for a payment's link or push (one attempt per
/// reference: a renewed request is a new job).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct CreatePayment {
    pub payment_id: PaymentId,
    pub tenant_id: TenantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A renewed link sent as this reminder's text, its `{link}` filled in
    /// (automation's escalation); absent: the standard link message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder: Option<String>,
}

impl Job for CreatePayment {
    const KIND: &'static str = "create_payment";
    const QUEUE: Queue = Queue::Default;
    fn tenant(&self) -> Option<TenantId> {
        Some(self.tenant_id)
    }
    fn dedup_key(&self) -> Option<String> {
        Some(match &self.reference {
            Some(r) => format!("create_payment:{}:{r}", self.payment_id),
            None => format!("create_payment:{}", self.payment_id),
        })
    }
}

/// Asks the provider what became of a payment: after a webhook
/// (`event_id`), or when an M-PESA callback is overdue (`query`).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct VerifyPayment {
    pub payment_id: PaymentId,
    pub tenant_id: TenantId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<uuid::Uuid>,
    /// The push's provider id, for an overdue-callback query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

impl Job for VerifyPayment {
    const KIND: &'static str = "verify_payment";
    const QUEUE: Queue = Queue::Default;
    fn tenant(&self) -> Option<TenantId> {
        Some(self.tenant_id)
    }
    fn dedup_key(&self) -> Option<String> {
        Some(match (&self.event_id, &self.query) {
            (Some(e), _) => format!("verify_payment:{e}"),
            (None, Some(q)) => format!("verify_payment:query:{}:{q}", self.payment_id),
            (None, None) => format!("verify_payment:{}", self.payment_id),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_round_trip_and_are_distinct() {
        for q in Queue::ALL {
            assert_eq!(Queue::parse(q.as_str()), Some(q));
        }
        assert_eq!(Queue::parse("nope"), None);
    }

    #[test]
    fn a_bulk_send_waits_in_the_bulk_queue() {
        let mut j = SendMessage {
            message_id: WaMessageId::new(),
            tenant_id: None,
            bulk: false,
        };
        assert_eq!(j.queue(), Queue::Outbound);
        j.bulk = true;
        assert_eq!(j.queue(), Queue::Bulk);
        // A conversational send's payload reads as it always did.
        let old = serde_json::json!({ "message_id": j.message_id });
        let read: SendMessage = serde_json::from_value(old).unwrap();
        assert!(!read.bulk);
    }

    #[test]
    fn verify_dedup_keys_tell_webhooks_from_queries() {
        let p = PaymentId::new();
        let t = TenantId::new();
        let by_event = VerifyPayment {
            payment_id: p,
            tenant_id: t,
            event_id: Some(uuid::Uuid::now_v7()),
            query: None,
        };
        let by_query = VerifyPayment {
            payment_id: p,
            tenant_id: t,
            event_id: None,
            query: Some("ws_CO_1".into()),
        };
        assert_ne!(by_event.dedup_key(), by_query.dedup_key());
    }
}
