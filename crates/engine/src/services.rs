//! What the services and the job handlers share: the database, the
//! channels, the sealer, the settings and the clock.

use crate::conversation::ConversationEngine;
use crate::seal::Sealer;
use channels::{Channel, MediaLimits};
use chrono::Duration;
use secrecy::SecretString;
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
    /// Message templates of a WhatsApp Business Account (the Cloud API's
    /// client; sandbox accounts never call it).
    pub templates: Arc<dyn channels::TemplateApi>,
    pub sealer: Sealer,
    pub conversation: Option<Arc<dyn ConversationEngine>>,
    pub settings: ChannelSettings,
    /// Wakes this process's outbound workers when a reply is queued.
    pub outbound_wake: Arc<tokio::sync::Notify>,
    pub pay: PaySettings,
    /// Where every service and handler reads the time.
    pub clock: Arc<dyn crate::clock::Clock>,
    /// The language models (order parsing, price lists, menu photos) and
    /// speech to text, as configured; see [`crate::models`].
    pub models: crate::models::Models,
    /// The platform's onboarding number: its inbound goes to the
    /// onboarding chat, not to a business's customer flow.
    pub onboarding: Option<crate::onboarding::OnboardingSettings>,
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

/// The server's side of payments.
#[derive(Debug, Clone)]
pub struct PaySettings {
    /// Where customers and providers reach this server.
    pub public_url: String,
    /// Signs the sandbox checkout's webhooks; `None` turns the sandbox
    /// provider off.
    pub sandbox_secret: Option<SecretString>,
    /// When to ask M-PESA about a push whose callback has not come.
    pub mpesa_query_after: Duration,
    /// How long a link is offered before a reminder makes a new one.
    pub link_ttl: Duration,
    /// Built clients, reused while a business's settings stay the same (so
    /// M-PESA's OAuth token is fetched once per expiry, not per call).
    pub clients: ClientCache,
}

/// Clients by provider, settings and sealed keys.
#[derive(Clone, Default)]
pub struct ClientCache(
    pub(crate)  Arc<
        std::sync::Mutex<std::collections::HashMap<String, Arc<dyn payments::PaymentProvider>>>,
    >,
);

impl std::fmt::Debug for ClientCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientCache")
    }
}

impl Default for PaySettings {
    fn default() -> Self {
        PaySettings {
            public_url: "http://127.0.0.1:8080".into(),
            sandbox_secret: None,
            mpesa_query_after: Duration::seconds(90),
            link_ttl: Duration::hours(24),
            clients: ClientCache::default(),
        }
    }
}
