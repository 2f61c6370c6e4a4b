//! Stripe Checkout, protocols.md §5: a hosted Checkout Session for the
//! customer to pay on, its status from the Sessions API, and
//! `Stripe-Signature` webhooks checked against the raw body.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;

use crate::http::{status_error, transport};
use crate::{
    Failure, Headers, HttpConfig, Initiated, PayError, PaymentProvider, PaymentRequest, Status,
    Verified, WebhookError, WebhookEvent, header,
};

type HmacSha256 = Hmac<Sha256>;

/// Stripe's default webhook tolerance (stripe-go `DefaultTolerance`).
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// The webhook signature header, lower-case.
pub const SIGNATURE_HEADER: &str = "stripe-signature";

/// The Stripe Checkout client.
#[derive(Debug)]
pub struct Stripe {
    http: HttpConfig,
    secret_key: SecretString,
    /// Every endpoint secret currently valid: more than one while a secret
    /// is being rolled, when Stripe signs with each.
    webhook_secrets: Vec<SecretString>,
    tolerance: chrono::Duration,
    client: reqwest::Client,
}

/// `hex(HMAC-SHA256(secret, "<timestamp>.<body>"))`: a `v1` signature
/// (protocols.md §5.2). The secret is used as given, `whsec_` prefix and all.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
}

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (long keys are hashed, short ones padded).
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC-SHA256 accepts keys of any length")
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

impl Stripe {
    /// A client with the default 300 s webhook tolerance.
    pub fn new(
        http: HttpConfig,
        secret_key: SecretString,
        webhook_secrets: Vec<SecretString>,
    ) -> Self {
        let client = http.client();
        Stripe {
            http,
            secret_key,
            webhook_secrets,
            tolerance: chrono::Duration::seconds(DEFAULT_TOLERANCE_SECS),
            client,
        }
    }

    /// How far a webhook's signed timestamp may be from now.
    pub fn with_tolerance(mut self, tolerance: chrono::Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Checks a `Stripe-Signature` header against the raw `body`: some `v1`
    /// must match some configured secret (in constant time), and only then
    /// is the timestamp checked, so a forged header reads as a bad
    /// signature rather than a stale one.
    pub fn verify_signature(
        &self,
        header: Option<&str>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), WebhookError> {
        let header = header
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .ok_or(WebhookError::MissingSignature)?;
        let mut timestamp = None;
        let mut candidates = Vec::new();
        for pair in header.split(',') {
            let Some((key, value)) = pair.split_once('=') else {
                continue;
            };
            match key.trim() {
                "t" => {
                    timestamp = Some(
                        value
                            .trim()
                            .parse::<i64>()
                            .map_err(|_| WebhookError::BadSignature)?,
                    );
                }
                // Anything not 32 bytes of hex cannot match; skip it, as
                // Stripe's SDKs do with `v1=bad_signature`.
                "v1" => {
                    if let Ok(tag) = hex::decode(value.trim())
                        && tag.len() == 32
                    {
                        candidates.push(tag);
                    }
                }
                // v0 (test-mode legacy) and unknown schemes are ignored.
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(WebhookError::BadSignature)?;
        if candidates.is_empty() {
            return Err(WebhookError::BadSignature);
        }
        if self.webhook_secrets.is_empty() {
            tracing::warn!(
                provider = "stripe",
                "a Stripe webhook arrived but no webhook secret is configured"
            );
        }
        let matched = self.webhook_secrets.iter().any(|secret| {
            let expected = mac(secret.expose_secret(), timestamp, body);
            candidates
                .iter()
                .any(|tag| expected.clone().verify_slice(tag).is_ok())
        });
        if !matched {
            return Err(WebhookError::BadSignature);
        }
        let signed_at = DateTime::from_timestamp(timestamp, 0).ok_or(WebhookError::Stale)?;
        if (now - signed_at).abs() > self.tolerance {
            return Err(WebhookError::Stale);
        }
        Ok(())
    }

    fn auth(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        request.basic_auth(self.secret_key.expose_secret(), None::<&str>)
    }
}

/// The form fields of a Checkout Session for `req` (protocols.md §5.1).
fn session_form(req: &PaymentRequest) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("mode", "payment".to_string()),
        ("success_url", req.return_url.clone()),
        ("cancel_url", req.return_url.clone()),
        ("client_reference_id", req.reference.clone()),
        ("metadata[reference]", req.reference.clone()),
        ("line_items[0][quantity]", "1".to_string()),
        (
            "line_items[0][price_data][currency]",
            req.currency.code().to_ascii_lowercase(),
        ),
        (
            "line_items[0][price_data][unit_amount]",
            req.amount.to_string(),
        ),
        (
            "line_items[0][price_data][product_data][name]",
            req.description.clone(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(email) = req
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        form.push(("customer_email".to_string(), email.to_string()));
    }
    form
}

/// A Stripe response, read whole.
struct Reply {
    status: reqwest::StatusCode,
    json: Value,
    text: String,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Result<Reply, PayError> {
        let status = response.status();
        let text = response.text().await.map_err(transport)?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply { status, json, text })
    }

    fn snippet(&self) -> String {
        self.text.trim().chars().take(200).collect()
    }

    /// `{"error":{"type","code","message"}}` as a [`PayError`].
    fn error(&self) -> PayError {
        let error = self.json.get("error");
        let field = |name: &str| {
            error
                .and_then(|e| e.get(name))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let code = field("code")
            .or_else(|| field("type"))
            .unwrap_or_else(|| format!("HTTP {}", self.status.as_u16()));
        let message = field("message").unwrap_or_else(|| self.snippet());
        status_error(self.status, code, message)
    }

    fn unreadable(&self, what: &str) -> PayError {
        // A 2xx we cannot read is most likely a proxy or gateway page.
        PayError::Retryable(format!(
            "unreadable Stripe {what} (HTTP {}): {}",
            self.status,
            self.snippet()
        ))
    }
}

/// The parts of a `checkout.session` object we use.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Session {
    id: Option<String>,
    url: Option<String>,
    status: Option<String>,
    payment_status: Option<String>,
    client_reference_id: Option<String>,
    metadata: Option<Value>,
    amount_total: Option<i64>,
    currency: Option<String>,
    /// An id, or the object when expanded.
    payment_intent: Option<Value>,
}

impl Session {
    fn reference(&self) -> Option<String> {
        self.client_reference_id
            .clone()
            .filter(|r| !r.is_empty())
            .or_else(|| {
                self.metadata
                    .as_ref()?
                    .get("reference")?
                    .as_str()
                    .map(str::to_string)
            })
    }

    fn paid(&self) -> bool {
        self.payment_status.as_deref() == Some("paid")
    }

    fn currency(&self) -> Option<String> {
        self.currency.as_deref().map(str::to_ascii_uppercase)
    }

    fn payment_intent(&self) -> Option<String> {
        match self.payment_intent.as_ref()? {
            Value::String(id) => Some(id.clone()),
            Value::Object(intent) => intent.get("id")?.as_str().map(str::to_string),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
    object: Value,
}

/// Stripe ids are `cs_test_...`-style: anything else must not reach a URL path.
fn is_stripe_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[async_trait]
impl PaymentProvider for Stripe {
    fn name(&self) -> &'static str {
        "stripe"
    }

    async fn create(&self, req: &PaymentRequest) -> Result<Initiated, PayError> {
        if req.amount <= 0 {
            return Err(PayError::Invalid(
                "a Stripe payment needs a positive amount".to_string(),
            ));
        }
        let form = serde_urlencoded::to_string(session_form(req))
            .map_err(|e| PayError::Invalid(format!("unencodable Checkout Session: {e}")))?;
        let response = self
            .auth(self.client.post(self.http.url("/v1/checkout/sessions")))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form)
            .send()
            .await
            .map_err(transport)?;
        let reply = Reply::read(response).await?;
        if !reply.status.is_success() {
            return Err(reply.error());
        }
        let session: Session = serde_json::from_value(reply.json.clone())
            .map_err(|_| reply.unreadable("Checkout Session"))?;
        match (session.id, session.url) {
            (Some(id), Some(url)) if !id.is_empty() && !url.is_empty() => Ok(Initiated::Link {
                url,
                provider_ref: Some(id),
            }),
            _ => Err(reply.unreadable("Checkout Session")),
        }
    }

    /// Retrieves the Checkout Session `provider_ref` (its `cs_...` id).
    async fn verify(
        &self,
        _reference: &str,
        provider_ref: Option<&str>,
    ) -> Result<Verified, PayError> {
        let id = provider_ref.map(str::trim).unwrap_or_default();
        if !is_stripe_id(id) {
            return Err(PayError::Invalid(
                "a Stripe verify needs the Checkout Session id".to_string(),
            ));
        }
        let response = self
            .auth(
                self.client
                    .get(self.http.url(&format!("/v1/checkout/sessions/{id}"))),
            )
            .send()
            .await
            .map_err(transport)?;
        let reply = Reply::read(response).await?;
        if !reply.status.is_success() {
            return Err(reply.error());
        }
        let session: Session = serde_json::from_value(reply.json.clone())
            .map_err(|_| reply.unreadable("Checkout Session"))?;
        if session.id.is_none() {
            return Err(reply.unreadable("Checkout Session"));
        }
        let status = if session.paid() {
            Status::Paid
        } else if session.status.as_deref() == Some("expired") {
            Status::Failed(Failure::Expired)
        } else {
            Status::Pending
        };
        Ok(Verified {
            status,
            reference: session.reference(),
            amount: session.amount_total,
            currency: session.currency(),
            provider_txn: session.payment_intent(),
        })
    }

    fn parse_webhook(
        &self,
        headers: &Headers,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError> {
        self.verify_signature(header(headers, SIGNATURE_HEADER), body, now)?;
        let event: Event =
            serde_json::from_slice(body).map_err(|e| WebhookError::Payload(e.to_string()))?;
        if event.id.is_empty() {
            return Err(WebhookError::Payload("the event has no id".to_string()));
        }
        // Only Checkout Session events carry a session; for any other
        // object the fields below would name the wrong thing.
        let session: Session = if event.kind.starts_with("checkout.session.") {
            serde_json::from_value(event.data.object)
                .map_err(|e| WebhookError::Payload(e.to_string()))?
        } else {
            Session::default()
        };
        let claimed = match event.kind.as_str() {
            "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
                if session.paid() {
                    Status::Paid
                } else {
                    // Completed with a delayed method: the money is not in yet.
                    Status::Pending
                }
            }
            "checkout.session.expired" => Status::Failed(Failure::Expired),
            "checkout.session.async_payment_failed" => Status::Failed(Failure::Other {
                code: "async_payment_failed".to_string(),
                message: "the delayed payment failed".to_string(),
            }),
            _ => Status::Pending,
        };
        Ok(WebhookEvent {
            event_key: event.id,
            reference: session.reference(),
            provider_ref: session.id.clone(),
            claimed,
            amount: session.amount_total,
            currency: session.currency(),
            kind: event.kind,
        })
    }
}
