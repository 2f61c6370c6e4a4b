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
            to = %masked(to),
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

/// A WhatsApp id for logs: its first three digits (the country code, or
/// most of it) and its last two, the rest starred, as `E164::masked` does.
/// No personal data in logs.
fn masked(wa_id: &str) -> String {
    let chars: Vec<char> = wa_id.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let (start, end) = (3, 2);
    let mut out: String = chars[..start].iter().collect();
    out.push_str(&"*".repeat(chars.len() - start - end));
    out.extend(&chars[chars.len() - end..]);
    out
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn a_phone_is_masked_for_logs() {
        assert_eq!(masked("2348031234567"), "234********67");
        assert_eq!(masked("12345"), "*****");
    }
}
