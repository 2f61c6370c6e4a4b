//! Application services: the job worker, the WhatsApp inbound and outbound
//! paths, and the conversation engine behind its seam.

pub mod accounts;
pub mod catalog;
pub mod chat;
pub mod clock;
pub mod conversation;
pub mod delivery;
pub mod inbox;
pub mod intake;
pub mod jobs;
pub mod media;
pub mod notify;
pub mod orders;
pub mod outbound;
pub mod pay;
pub mod payments;
pub mod seal;
pub mod services;
pub mod worker;

pub use services::{ChannelSettings, Services, registry};
