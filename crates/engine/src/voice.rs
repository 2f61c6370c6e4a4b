//! Voice notes. When speech to text is configured, a customer's or a staff
//! member's voice note is not answered in the intake's transaction (no
//! network call there): the turn enqueues a `transcribe_voice` job, which
//! downloads the audio ([`crate::media::download`]), transcribes it in the
//! business's language, stores what was heard on the message
//! (`wa_messages.transcript`), and runs the conversation turn as if the
//! words had been typed: a customer first gets "I heard: ..." and then the
//! chat engine's answer; a staff member's words go down the staff path
//! (a command runs and answers).
//!
//! Storing the transcript is conditional (`transcript IS NULL`) and commits
//! with the turn, so a redelivered or retried job never answers twice, and
//! a job that finds a transcript stored stops before transcribing again.
//! When the download or the transcription fails (after its retries), an
//! empty transcript is stored and the same turn runs on the voice note
//! itself, which goes to a person exactly as without speech to text (the
//! inbox and a staff alert); the failure is counted in
//! `sokoni_stt_fallback_total{provider,reason}`. A turn that fails on
//! every attempt puts the customer on the inbox (`bot_failed`) with the
//! words heard, as the intake does for typed text.

use crate::conversation::{Sender, Turn};
use crate::delivery::{Outgoing, queue};
use crate::jobs::{Job, Queue};
use crate::media::{Fetched, download};
use crate::services::Services;
use crate::worker::{JobError, Perform, retry};
use async_trait::async_trait;
use channels::inbound::{self, Content, Event, InboundMessage, MediaKind};
use channels::outbound::OutMessage;
use domain::text::{Key, language_of, render};
use domain::{CustomerId, E164, TenantId, UserId, WaMessageId};
use serde_json::json;
use std::sync::Arc;
use store::jobs::Claimed;
use store::wa;

/// Longest transcript quoted back to the customer, in characters.
const QUOTE_CHARS: usize = 600;

/// Hears one voice note and answers it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TranscribeVoice {
    pub tenant_id: TenantId,
    pub message_id: WaMessageId,
    /// The staff member who sent it; `None`: the message's customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_user: Option<UserId>,
}

impl Job for TranscribeVoice {
    const KIND: &'static str = "transcribe_voice";
    const QUEUE: Queue = Queue::Inbound;
    fn tenant(&self) -> Option<TenantId> {
        Some(self.tenant_id)
    }
    fn dedup_key(&self) -> Option<String> {
        Some(format!("voice:{}", self.message_id))
    }
}

/// Whether `content` is a voice note or other recording.
pub fn is_audio(content: &Content) -> bool {
    matches!(
        content,
        Content::Media {
            kind: MediaKind::Audio,
            ..
        }
    )
}

/// Enqueues the transcription of message `message_id` on the turn's
/// transaction when speech to text should hear it: audio that has not
/// been tried yet. `false`: handle the message as it is.
pub(crate) async fn hear_later(
    tx: &mut store::Tx,
    turn: &Turn<'_>,
    staff_user: Option<UserId>,
) -> anyhow::Result<bool> {
    if !is_audio(&turn.message.content) {
        return Ok(false);
    }
    if wa::transcript(&mut *tx, turn.tenant, turn.message_id)
        .await?
        .is_some()
    {
        // Tried already (this is the job's own turn after a failure).
        return Ok(false);
    }
    crate::jobs::enqueue(
        &mut *tx,
        &TranscribeVoice {
            tenant_id: turn.tenant,
            message_id: turn.message_id,
            staff_user,
        },
        None,
    )
    .await?;
    Ok(true)
}

/// The `transcribe_voice` job.
pub struct HearVoiceNote(pub Arc<Services>);

#[async_trait]
impl Perform<TranscribeVoice> for HearVoiceNote {
    async fn perform(&self, j: TranscribeVoice, job: &Claimed) -> Result<(), JobError> {
        hear(&self.0, &j, job.attempts >= job.max_attempts).await
    }
}

/// Why nothing usable was heard: the provider and the metrics reason.
struct NotHeard {
    provider: String,
    reason: &'static str,
}

async fn hear(svc: &Services, j: &TranscribeVoice, last: bool) -> Result<(), JobError> {
    let db = &svc.db;
    if wa::transcript(db, j.tenant_id, j.message_id)
        .await
        .map_err(retry)?
        .is_some()
    {
        return Ok(());
    }
    let m = wa::message(db, j.message_id).await.map_err(retry)?;
    if m.tenant_id != j.tenant_id {
        return Err(JobError::Fatal("the message is another business's".into()));
    }
    let tenant = store::tenants::get(db, j.tenant_id).await.map_err(retry)?;
    let language = language_of(&tenant.locale.to_string());
    let heard = listen(svc, &m, language, last).await?;
    let flow = if j.staff_user.is_some() {
        "staff"
    } else {
        "customer"
    };
    match &heard {
        Ok(_) => metrics::counter!("sokoni_voice_notes_total", "flow" => flow, "outcome" => "transcribed")
            .increment(1),
        Err(f) => {
            metrics::counter!("sokoni_stt_fallback_total", "provider" => f.provider.clone(), "reason" => f.reason)
                .increment(1);
            metrics::counter!("sokoni_voice_notes_total", "flow" => flow, "outcome" => "to_person")
                .increment(1);
        }
    }
    let number = wa::get_number(db, m.tenant_id, m.number_id)
        .await
        .map_err(retry)?;
    let message = stored_message(&m, &number.phone_number_id)?;
    let phone = E164::from_wa_id(&m.from_number)
        .map_err(|e| JobError::Fatal(format!("the sender's number: {e}")))?;
    let sender = match j.staff_user {
        Some(user_id) => {
            let user = store::users::get(db, j.tenant_id, user_id)
                .await
                .map_err(retry)?;
            if !user.is_active {
                return Ok(());
            }
            Sender::Staff {
                user: user.id,
                name: user.name,
                role: user.role,
            }
        }
        None => match m.customer() {
            Some(id) => Sender::Customer { id },
            None => {
                return Err(JobError::Fatal(
                    "a customer voice note without a customer".into(),
                ));
            }
        },
    };
    let mut tx = db.begin().await.map_err(retry)?;
    let text = heard.as_deref().unwrap_or_default();
    if !wa::set_transcript(&mut tx, j.tenant_id, j.message_id, text)
        .await
        .map_err(retry)?
    {
        // Another run heard and answered it first.
        return Ok(());
    }
    let content = match &heard {
        Ok(words) => Content::Text {
            body: words.clone(),
        },
        // Not heard: the voice note itself, which goes to a person.
        Err(_) => message.content.clone(),
    };
    if let (Ok(words), Sender::Customer { id }) = (&heard, &sender) {
        say_heard(svc, &mut tx, &tenant, &number, *id, &phone, words)
            .await
            .map_err(|e| JobError::Retry(format!("{e:#}")))?;
    }
    let message = InboundMessage { content, ..message };
    if let Some(engine) = &svc.conversation {
        let turn = Turn {
            tenant: j.tenant_id,
            number: &number,
            sender,
            phone: &phone,
            message_id: j.message_id,
            message: &message,
        };
        if let Err(e) = engine.on_message(&mut tx, &turn).await {
            if !last {
                return Err(JobError::Retry(format!("conversation engine: {e:#}")));
            }
            // The final attempt degrades rather than dying, as the intake
            // does: the words are kept and a person is told.
            drop(tx);
            tracing::error!(message = %j.message_id, "the conversation engine failed on every attempt of a voice note: {e:#}");
            let mut tx = db.begin().await.map_err(retry)?;
            if wa::set_transcript(&mut tx, j.tenant_id, j.message_id, text)
                .await
                .map_err(retry)?
                && let Sender::Customer { id } = &turn.sender
            {
                crate::inbox::needs_person(
                    &mut tx,
                    j.tenant_id,
                    *id,
                    domain::messages::Attention::BotFailed,
                    text,
                )
                .await
                .map_err(|e| JobError::Retry(format!("{e:#}")))?;
            }
            tx.commit().await.map_err(retry)?;
            svc.wake_outbound();
            return Ok(());
        }
    }
    tx.commit().await.map_err(retry)?;
    svc.wake_outbound();
    Ok(())
}

/// The audio's words, or why there are none. A download that may pass is
/// retried (a [`JobError::Retry`]) until the job's last attempt.
async fn listen(
    svc: &Services,
    m: &wa::Message,
    language: &str,
    last: bool,
) -> Result<Result<String, NotHeard>, JobError> {
    let Some(stt) = &svc.models.transcribe else {
        return Ok(Err(NotHeard {
            provider: "none".into(),
            reason: "not_configured",
        }));
    };
    let provider = stt.name().to_owned();
    let not_heard = |reason| {
        Ok(Err(NotHeard {
            provider: provider.clone(),
            reason,
        }))
    };
    let kept = match &m.media_path {
        Some(path) => tokio::fs::read(path)
            .await
            .ok()
            .map(|bytes| (m.media_mime.clone().unwrap_or_default(), bytes)),
        None => None,
    };
    let (mime, bytes) = match kept {
        Some(k) => k,
        None => match download(svc, m).await {
            Ok(Fetched::Kept { mime, bytes, .. }) => (mime, bytes),
            Ok(Fetched::Refused(why)) => {
                tracing::warn!(message = %m.id, reason = %why, "voice note not downloaded");
                return not_heard("download");
            }
            Err(JobError::Retry(e)) if last => {
                tracing::warn!(message = %m.id, error = %e, "voice note not downloaded after every attempt");
                return not_heard("download");
            }
            Err(e) => return Err(e),
        },
    };
    let audio = understand::Audio {
        bytes: &bytes,
        mime: &mime,
        language: Some(language),
    };
    match stt.transcribe(audio).await {
        Ok(text) if text.trim().is_empty() => not_heard("empty"),
        Ok(text) => Ok(Ok(text)),
        Err(e) => not_heard(e.reason()),
    }
}

/// The stored inbound message, parsed again from its payload.
fn stored_message(m: &wa::Message, phone_number_id: &str) -> Result<InboundMessage, JobError> {
    let env = inbound::envelope(
        phone_number_id,
        &m.to_number,
        json!({ "contacts": [{ "wa_id": m.from_number }], "messages": [m.payload.0] }),
    );
    let raw = serde_json::to_vec(&env).map_err(|e| JobError::Fatal(e.to_string()))?;
    let events =
        inbound::parse(&raw).map_err(|e| JobError::Fatal(format!("stored message: {e}")))?;
    match events.into_iter().next() {
        Some(Event::Message(msg)) => Ok(msg),
        _ => Err(JobError::Fatal("the stored message does not read".into())),
    }
}

/// "I heard: ...", first, unless a person holds the conversation (then the
/// bot says nothing, as for typed text).
async fn say_heard(
    svc: &Services,
    tx: &mut store::Tx,
    tenant: &store::tenants::Tenant,
    number: &wa::Number,
    customer: CustomerId,
    phone: &E164,
    words: &str,
) -> anyhow::Result<()> {
    let c = store::customers::get(&mut *tx, tenant.id, customer).await?;
    if c.bot_paused_until.is_some_and(|u| u > svc.clock.now()) {
        return Ok(());
    }
    let settings = store::business::get(&mut *tx, tenant.id).await?;
    let quoted: String = if words.chars().count() > QUOTE_CHARS {
        let mut q: String = words.chars().take(QUOTE_CHARS).collect();
        q.push('…');
        q
    } else {
        words.to_owned()
    };
    let lang = language_of(&tenant.locale.to_string());
    let body = render(lang, Key::VoiceHeard, &[("text", &quoted)], &settings.texts);
    queue(
        &mut *tx,
        &Outgoing {
            tenant: tenant.id,
            number,
            customer: Some(customer),
            order: None,
            to: phone,
            message: &OutMessage::Text {
                body,
                preview_url: false,
            },
            fallback: None,
            purpose: domain::outbound::Purpose::Reply,
            bulk: false,
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_audio_is_heard_and_the_key_is_per_message() {
        let audio = Content::Media {
            kind: MediaKind::Audio,
            id: "m1".into(),
            mime_type: Some("audio/ogg".into()),
            sha256: None,
            caption: None,
            filename: None,
            voice: Some(true),
            animated: None,
        };
        assert!(is_audio(&audio));
        let image = Content::Media {
            kind: MediaKind::Image,
            id: "m2".into(),
            mime_type: Some("image/jpeg".into()),
            sha256: None,
            caption: None,
            filename: None,
            voice: None,
            animated: None,
        };
        assert!(!is_audio(&image));
        let j = TranscribeVoice {
            tenant_id: TenantId::new(),
            message_id: WaMessageId::new(),
            staff_user: None,
        };
        assert_eq!(j.dedup_key(), Some(format!("voice:{}", j.message_id)));
        // A customer's job reads without the staff field.
        let read: TranscribeVoice =
            serde_json::from_value(json!({"tenant_id": j.tenant_id, "message_id": j.message_id}))
                .unwrap();
        assert!(read.staff_user.is_none());
    }
}
