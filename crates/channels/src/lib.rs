//! WhatsApp Cloud API: webhook types and signature, outbound messages and
//! Meta's limits, the send and media client, the sandbox channel.
//!
//! The modules follow the wire protocol described in `shared/design/protocols.md` §1:
//! - [`signature`]: `X-Hub-Signature-256` (HMAC-SHA256 over the raw body);
//! - [`inbound`]: the webhook POST envelope flattened into [`Event`]s;
//! - [`outbound`]: the message model we send, Meta's limits and the Graph request body;
//! - [`cloud`]: the HTTP client (send, two-step media download);
//! - [`templates`]: message templates of a WhatsApp Business Account (list, submit);
//! - [`sandbox`]: a channel that talks to no one, for demos and tests.

pub mod cloud;
pub mod inbound;
pub mod outbound;
pub mod sandbox;
pub mod signature;
pub mod templates;

pub use cloud::{
    CloudApi, Downloaded, MediaError, MediaLimits, PermanentError, SendError, extension_for,
};
pub use inbound::{
    Content, Context, DeliveryStatus, ErrorEvent, Event, InboundMessage, MediaKind, OrderItem,
    ParseError, StatusUpdate, TemplateStatus, WaError,
};
pub use outbound::{Button, LimitError, OutMessage, ProductSection, Row, Section, TemplateButton};
pub use sandbox::SandboxChannel;
pub use signature::SignatureError;
pub use templates::{NewTemplate, RemoteTemplate, Submitted, TemplateApi, TemplateError};

/// The business phone number a message is sent from, with the token that may use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sender<'a> {
    /// Meta's phone-number id (not the phone number itself).
    pub phone_number_id: &'a str,
    /// A system-user or app access token with `whatsapp_business_messaging`.
    pub access_token: &'a str,
}

/// A way to talk to customers: the real Cloud API or the sandbox.
#[async_trait::async_trait]
pub trait Channel: Send + Sync {
    /// Validates `msg` against Meta's limits, sends it to `to` (digits, the send-to form; the caller derives it), returns the provider message id (wamid).
    async fn send(
        &self,
        from: &Sender<'_>,
        to: &str,
        msg: &outbound::OutMessage,
    ) -> Result<String, SendError>;

    /// Two-step media download (protocols §1.8).
    async fn fetch_media(
        &self,
        from: &Sender<'_>,
        media_id: &str,
        limits: &MediaLimits,
    ) -> Result<Downloaded, MediaError>;
}
