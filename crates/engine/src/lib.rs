//! Application services, the one place for every rule that touches the
//! database: `accounts`, `orders`, `payments`, `catalog`, `outbound` (the
//! one way to message a person), `inbox`, `templates` (WhatsApp message
//! templates: the standard ones, sync and submit); the WhatsApp inbound path and the
//! conversation engine (one flow per sender kind); typed jobs (`jobs`) and
//! the worker that runs them; a `clock`.

pub mod accounts;
pub mod automation;
pub mod catalog;
pub mod chat;
pub mod clock;
pub mod conversation;
pub mod dashboard;
pub mod delivery;
pub mod error;
pub mod hours;
pub mod inbox;
pub mod intake;
pub mod jobs;
pub mod media;
pub mod models;
pub mod notify;
pub mod onboarding;
pub mod orders;
pub mod outbound;
pub mod pay;
pub mod payments;
pub mod seal;
pub mod services;
pub mod staff_commands;
pub mod templates;
pub mod voice;
pub mod worker;

pub use services::{ChannelSettings, Services};

use std::sync::Arc;
use worker::Registry;

/// Every job type the engine runs, with its handler: the one place a job
/// kind meets its code (at the crate's root, so no module that a handler
/// imports imports the handlers back).
pub fn registry(svc: Arc<Services>) -> Registry {
    let mut r = Registry::new();
    r.add::<jobs::ProcessInbound>(intake::ProcessInbound(svc.clone()));
    r.add::<jobs::SendMessage>(delivery::SendMessage(svc.clone()));
    r.add::<jobs::FetchMedia>(media::FetchMedia(svc.clone()));
    r.add::<jobs::CreatePayment>(pay::CreatePayment(svc.clone()));
    r.add::<jobs::VerifyPayment>(pay::VerifyPayment(svc.clone()));
    r.add::<staff_commands::StaffCommand>(staff_commands::RunStaffCommand(svc.clone()));
    r.add::<voice::TranscribeVoice>(voice::HearVoiceNote(svc.clone()));
    r.add::<automation::scheduler::AutomationCycle>(automation::scheduler::RunCycle(svc));
    r
}
