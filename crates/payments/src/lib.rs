//! # payments: money in, from the chat
//!
//! One [`PaymentProvider`] trait over each provider's documented wire
//! protocol (`shared/design/protocols.md` §2–5): ask for a payment (a
//! hosted link, or an M-PESA push to the customer's phone), verify a
//! payment with the provider's own API, and authenticate and read a
//! webhook from its raw bytes. Base URLs are configuration, so tests run
//! the real clients against local mock servers.
//!
//! Nothing here touches the database: the engine records requests and
//! events, and marks a payment paid only after [`PaymentProvider::verify`]
//! agrees on the status, amount and currency.

pub mod flutterwave;
mod http;
pub mod mpesa;
pub mod paystack;
pub mod sandbox;
pub mod stripe;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::E164;
use domain::money::Currency;

pub use http::HttpConfig;

/// What we ask a provider to collect.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRequest {
    /// Our reference, unique per payment attempt: `[A-Za-z0-9.=-]`, at most
    /// 64 characters (Paystack's and M-PESA's rules are the strictest).
    pub reference: String,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: Currency,
    /// The customer's email; providers that need one get a placeholder
    /// derived from the phone when the business has none.
    pub email: Option<String>,
    pub phone: Option<E164>,
    pub name: Option<String>,
    /// Shown to the customer: "Deposit for SEW-0042 at Funmi Couture".
    pub description: String,
    /// Where the customer lands after paying (hosted pages).
    pub return_url: String,
    /// Where the provider posts its result (M-PESA's per-payment callback).
    pub callback_url: String,
}

/// How the customer is asked to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Initiated {
    /// A hosted page: send the customer the link.
    Link {
        url: String,
        /// The provider's id for it, if it gives one (Stripe's session id).
        provider_ref: Option<String>,
    },
    /// A prompt on the customer's phone (M-PESA STK push).
    Push {
        /// Daraja's `CheckoutRequestID`: the key of its callback and query.
        provider_ref: String,
        /// The provider's text for the customer.
        message: String,
    },
}

/// What the provider's verify API says about a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub status: Status,
    /// Our reference, as the provider has it.
    pub reference: Option<String>,
    /// Minor units, as the provider reports them (converted from major
    /// units where the provider uses those).
    pub amount: Option<i64>,
    /// Upper-case ISO code.
    pub currency: Option<String>,
    /// The provider's id of the transaction (Paystack id, Flutterwave id,
    /// M-PESA receipt, Stripe payment intent).
    pub provider_txn: Option<String>,
}

impl Verified {
    /// The provider has no such transaction.
    pub fn not_found(message: String) -> Self {
        Verified {
            status: Status::Failed(Failure::Other {
                code: "not_found".to_string(),
                message,
            }),
            reference: None,
            amount: None,
            currency: None,
            provider_txn: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Paid,
    /// Not finished yet (the customer has not paid, or the push is open).
    Pending,
    Failed(Failure),
}

/// Why a payment failed, in terms the customer can be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The customer cancelled (M-PESA 1032).
    Cancelled,
    /// Wrong PIN (M-PESA 2001).
    WrongPin,
    /// The phone could not be reached (M-PESA 1037).
    Unreachable,
    /// Not enough money (M-PESA 1).
    InsufficientFunds,
    /// The request expired unanswered (M-PESA 1019; a closed link).
    Expired,
    /// Anything else, with the provider's code and words.
    Other { code: String, message: String },
}

/// An authenticated webhook, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// Unique per provider event: the database's dedup key (Stripe
    /// `event.id`; Paystack `event:reference`; Flutterwave `data.id`;
    /// M-PESA `CheckoutRequestID`).
    pub event_key: String,
    /// The event's type as the provider names it (`charge.success`).
    pub kind: String,
    /// Our reference, when the event carries it.
    pub reference: Option<String>,
    /// The provider's own key for the transaction, for verify calls that
    /// need it (Flutterwave's numeric id; M-PESA's CheckoutRequestID).
    pub provider_ref: Option<String>,
    /// What the event claims; never trusted without [`PaymentProvider::verify`].
    pub claimed: Status,
    pub amount: Option<i64>,
    pub currency: Option<String>,
}

/// Why a webhook was refused (answer 401, store nothing) or unreadable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the signature header is missing")]
    MissingSignature,
    #[error("the signature does not match the body")]
    BadSignature,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    /// Authenticated, but not a shape we understand (answer 400).
    #[error("unreadable payload: {0}")]
    Payload(String),
}

impl WebhookError {
    /// Whether the sender failed to prove who it is (401) rather than sent
    /// something we cannot read (400).
    pub fn is_auth(&self) -> bool {
        !matches!(self, WebhookError::Payload(_))
    }
}

/// Why a call to the provider failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayError {
    /// Timeouts, 429, 5xx, connection errors: try again later.
    #[error("the provider is unavailable: {0}")]
    Retryable(String),
    /// The provider refused the request (bad key, bad field): with its
    /// code and message.
    #[error("the provider refused: {code} {message}")]
    Refused { code: String, message: String },
    /// A request we cannot make (no phone for M-PESA, an amount with
    /// cents M-PESA cannot take, a missing key).
    #[error("{0}")]
    Invalid(String),
}

/// The request headers a webhook came with, lower-case names.
pub type Headers = [(String, String)];

/// The header's value, by lower-case name.
pub fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// `paystack`, `flutterwave`, `mpesa`, `stripe`, `sandbox`.
    fn name(&self) -> &'static str;

    /// Asks the provider to collect `req`.
    async fn create(&self, req: &PaymentRequest) -> Result<Initiated, PayError>;

    /// Asks the provider what became of a payment: by our reference, or by
    /// its own key where its API needs that (Flutterwave id, M-PESA
    /// CheckoutRequestID).
    async fn verify(
        &self,
        reference: &str,
        provider_ref: Option<&str>,
    ) -> Result<Verified, PayError>;

    /// Authenticates a webhook on its raw bytes, then reads it.
    fn parse_webhook(
        &self,
        headers: &Headers,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError>;
}
