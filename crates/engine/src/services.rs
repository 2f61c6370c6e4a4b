//! What the job handlers share, and the registry that wires them.

use crate::conversation::ConversationEngine;
use crate::seal::Sealer;
use crate::worker::Registry;
use channels::{Channel, MediaLimits};
use std::path::PathBuf;
use std::sync::Arc;
use store::Db;
use store::wa::Number;

#[derive(Debug, Clone)]
pub struct ChannelSettings {
    /// Messages per second per business number, across all replicas.
    pub rate_limit_per_sec: i32,
    /// Where downloaded media is written (`<dir>/<tenant>/<message>.<ext>`).
    pub media_dir: PathBuf,
    pub media_limits: MediaLimits,
    /// Attempts a status for a not-yet-known wamid waits for its message.
    pub unknown_status_attempts: i32,
}

impl Default for ChannelSettings {
    fn default() -> Self {
        ChannelSettings {
            rate_limit_per_sec: 80,
            media_dir: PathBuf::from("sokoni-data/media"),
            media_limits: MediaLimits::default(),
            unknown_status_attempts: 4,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the business number has no access token")]
    Missing,
    #[error("the business number's access token: {0}")]
    Sealed(#[from] crate::seal::SealError),
}

pub struct Services {
    pub db: Db,
    /// The Cloud API client, for real numbers.
    pub cloud: Arc<dyn Channel>,
    /// The local channel, for sandbox numbers.
    pub sandbox: Arc<dyn Channel>,
    pub sealer: Sealer,
    pub conversation: Option<Arc<dyn ConversationEngine>>,
    pub settings: ChannelSettings,
    /// Wakes this process's outbound workers when a reply is queued.
    pub outbound_wake: Arc<tokio::sync::Notify>,
    pub pay: crate::pay::PaySettings,
    /// Where every service and handler reads the time.
    pub clock: Arc<dyn crate::clock::Clock>,
}

impl Services {
    pub fn channel_for(&self, number: &Number) -> &dyn Channel {
        if number.sandbox {
            self.sandbox.as_ref()
        } else {
            self.cloud.as_ref()
        }
    }

    /// The Graph API token of `number`: none for a sandbox number, else
    /// its sealed token opened.
    pub fn access_token(&self, number: &Number) -> Result<String, TokenError> {
        if number.sandbox {
            return Ok(String::new());
        }
        let sealed = number
            .access_token_sealed
            .as_deref()
            .ok_or(TokenError::Missing)?;
        Ok(self.sealer.open(sealed)?)
    }

    pub fn wake_outbound(&self) {
        self.outbound_wake.notify_waiters();
    }
}

/// Every job type the engine runs, with its handler: the one place a job
/// kind meets its code.
pub fn registry(svc: Arc<Services>) -> Registry {
    use crate::jobs;
    let mut r = Registry::new();
    r.add::<jobs::ProcessInbound>(crate::intake::ProcessInbound(svc.clone()));
    r.add::<jobs::SendMessage>(crate::delivery::SendMessage(svc.clone()));
    r.add::<jobs::FetchMedia>(crate::media::FetchMedia(svc.clone()));
    r.add::<jobs::CreatePayment>(crate::pay::CreatePayment(svc.clone()));
    r.add::<jobs::VerifyPayment>(crate::pay::VerifyPayment(svc));
    r
}
