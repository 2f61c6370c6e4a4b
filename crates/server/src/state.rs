//! What every request handler shares.

use crate::auth::tokens::Keys;
use crate::config::Config;
use crate::notifier::Notifier;
use std::sync::Arc;
use store::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub keys: Keys,
    pub config: Arc<Config>,
    pub notifier: Arc<dyn Notifier>,
}
