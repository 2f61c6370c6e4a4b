//! A channel that talks to no one: it validates like the real one and invents message ids.
//! For demos, local development and tests.

use crate::cloud::validate_send;
use crate::outbound::OutMessage;
use crate::{Channel, Downloaded, MediaError, MediaLimits, SendError, Sender};

/// Accepts every valid message and returns `wamid.sandbox.<uuid v7>`; has no media.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SandboxChannel;

/// The prefix of every message id the sandbox returns.
pub const SANDBOX_WAMID_PREFIX: &str = "wamid.sandbox.";

#[async_trait::async_trait]
impl Channel for SandboxChannel {
    async fn send(
        &self,
        from: &Sender<'_>,
        to: &str,
        msg: &OutMessage,
    ) -> Result<String, SendError> {
        validate_send(to, msg)?;
        let id = format!("{SANDBOX_WAMID_PREFIX}{}", uuid::Uuid::now_v7().simple());
        tracing::info!(
            phone_number_id = from.phone_number_id,
            to,
            kind = msg.kind(),
            %id,
            "sandbox send"
        );
        Ok(id)
    }

    async fn fetch_media(
        &self,
        _from: &Sender<'_>,
        _media_id: &str,
        _limits: &MediaLimits,
    ) -> Result<Downloaded, MediaError> {
        Err(MediaError::Permanent(
            "the sandbox channel has no media".into(),
        ))
    }
}
