//! Provider webhooks, at the seed's paths. Each is authenticated on the raw
//! request bytes before anything is parsed or stored.

pub mod payments;
pub mod whatsapp;
