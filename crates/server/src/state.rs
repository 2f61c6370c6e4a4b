//! What every request handler shares.

use crate::auth::tokens::Keys;
use crate::config::Config;
use crate::notifier::Notifier;
use engine::Services;
use std::sync::Arc;
use store::Db;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: Keys,
    pub config: Arc<Config>,
    pub notifier: Arc<dyn Notifier>,
    /// The channel services the job handlers use (channels, sealer, settings).
    pub services: Arc<Services>,
    /// Wakes this process's inbound workers when the webhook stored events.
    pub inbound_wake: Arc<Notify>,
}
