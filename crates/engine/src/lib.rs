//! Application services: the job worker, the WhatsApp inbound and outbound
//! paths, and the seam for the conversation engine.

pub mod conversation;
pub mod delivery;
pub mod intake;
pub mod media;
pub mod seal;
pub mod services;
pub mod worker;

pub use services::{ChannelSettings, Services, registry};
