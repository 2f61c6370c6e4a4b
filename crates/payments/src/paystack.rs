//! Paystack (protocols §2): a hosted checkout link from `/transaction/initialize`,
//! the payment's state from `/transaction/verify/{reference}`, and webhooks
//! signed with `x-paystack-signature`.
//!
//! Amounts are minor units on the wire (kobo, pesewas, cents), like ours.
//! Paystack's answers are read leniently: unknown fields are ignored,
//! `metadata` may be anything, and numbers may arrive as strings.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha2::Sha512;

use crate::http::{
    Found, HttpConfig, encode_path_segment, json_int, lookup, message_of, send_for_body,
    status_error, text_field, unreadable,
};
use crate::{
    Failure, Headers, Initiated, PayError, PaymentProvider, PaymentRequest, Status, Verified,
    WebhookError, WebhookEvent, header,
};

/// The webhook signature header: lowercase hex HMAC-SHA512 of the raw body,
/// keyed with the secret key (Paystack has no separate webhook secret).
pub const SIGNATURE_HEADER: &str = "x-paystack-signature";

/// Where placeholder emails live for customers known only by phone.
pub const PLACEHOLDER_EMAIL_DOMAIN: &str = "customers.sokoni.app";

type HmacSha512 = Hmac<Sha512>;

/// The Paystack API, authenticated with a secret key (`sk_live_…`, `sk_test_…`).
#[derive(Debug, Clone)]
pub struct Paystack {
    http: HttpConfig,
    secret_key: SecretString,
}

impl Paystack {
    /// `http.base_url` is `https://api.paystack.co`, or a mock server.
    pub fn new(http: HttpConfig, secret_key: SecretString) -> Self {
        Paystack { http, secret_key }
    }
}

/// The value of [`SIGNATURE_HEADER`] for `body`: lowercase hex
/// HMAC-SHA512(secret key, body). For tests and mock senders.
pub fn sign(secret_key: &[u8], body: &[u8]) -> String {
    hex::encode(mac(secret_key, body).finalize().into_bytes())
}

fn mac(key: &[u8], body: &[u8]) -> HmacSha512 {
    // HMAC takes keys of any length (long keys are hashed, short ones padded).
    let Ok(mut mac) = HmacSha512::new_from_slice(key) else {
        unreachable!("HMAC-SHA512 accepts keys of any length")
    };
    mac.update(body);
    mac
}

/// The customer's email, or a placeholder made from the phone's digits for
/// providers that insist on one (Paystack, Flutterwave).
pub(crate) fn customer_email(req: &PaymentRequest) -> Result<String, PayError> {
    if let Some(email) = req.email.as_deref().map(str::trim)
        && !email.is_empty()
    {
        return Ok(email.to_string());
    }
    match &req.phone {
        Some(phone) => Ok(format!("{}@{PLACEHOLDER_EMAIL_DOMAIN}", phone.wa_id())),
        None => Err(PayError::Invalid(format!(
            "payment {} needs the customer's email or phone",
            req.reference
        ))),
    }
}

/// `{"status": true, ...}`: Paystack's own success flag.
fn succeeded(json: Option<&Value>) -> bool {
    json.and_then(|v| v.get("status"))
        .is_some_and(|s| s == &Value::Bool(true) || s.as_str() == Some("true"))
}

/// The failure a failed or reversed transaction reports.
fn failure(data: &Value, status: &str) -> Failure {
    Failure::Other {
        code: status.to_string(),
        message: text_field(data, "gateway_response").unwrap_or_else(|| status.to_string()),
    }
}

fn verified_status(data: &Value, status: &str) -> Status {
    match status {
        "success" => Status::Paid,
        "failed" | "reversed" => Status::Failed(failure(data, status)),
        // "abandoned", "ongoing", "pending", "processing", "queued", and
        // whatever Paystack adds later: not paid, and not over either.
        _ => Status::Pending,
    }
}

#[async_trait]
impl PaymentProvider for Paystack {
    fn name(&self) -> &'static str {
        "paystack"
    }

    async fn create(&self, req: &PaymentRequest) -> Result<Initiated, PayError> {
        if req.amount <= 0 {
            return Err(PayError::Invalid(format!(
                "payment {} has a non-positive amount {}",
                req.reference, req.amount
            )));
        }
        let email = customer_email(req)?;
        let body = json!({
            "email": email,
            "amount": req.amount,
            "currency": req.currency.code(),
            "reference": req.reference,
            "callback_url": req.return_url,
            "metadata": {"reference": req.reference},
        });
        let request = self
            .http
            .client()
            .post(self.http.url("/transaction/initialize"))
            .bearer_auth(self.secret_key.expose_secret())
            .json(&body);
        let (status, bytes) = send_for_body(request).await?;
        let json: Option<Value> = serde_json::from_slice(&bytes).ok();
        if !status.is_success() {
            return Err(status_error(
                status,
                status.as_u16().to_string(),
                message_of(json.as_ref(), &bytes),
            ));
        }
        if !succeeded(json.as_ref()) {
            return Err(PayError::Refused {
                code: status.as_u16().to_string(),
                message: message_of(json.as_ref(), &bytes),
            });
        }
        let data = json.as_ref().and_then(|v| v.get("data"));
        let url = data
            .and_then(|d| text_field(d, "authorization_url"))
            .ok_or_else(|| unreadable("Paystack", "an authorization_url", &bytes))?;
        Ok(Initiated::Link {
            url,
            provider_ref: data.and_then(|d| text_field(d, "access_code")),
        })
    }

    async fn verify(
        &self,
        reference: &str,
        _provider_ref: Option<&str>,
    ) -> Result<Verified, PayError> {
        let path = format!("/transaction/verify/{}", encode_path_segment(reference));
        let request = self
            .http
            .client()
            .get(self.http.url(&path))
            .bearer_auth(self.secret_key.expose_secret());
        // Paystack answers an unknown reference with `status: false` and
        // "Transaction reference not found" (on a 400), or a plain 404.
        let data = match lookup(request, "Paystack", succeeded, &["not found"]).await? {
            Found::Data(data) => data,
            Found::Missing(message) => return Ok(Verified::not_found(message)),
        };
        let state = text_field(&data, "status")
            .ok_or_else(|| unreadable("Paystack", "data.status", data.to_string().as_bytes()))?;
        let data = &data;
        Ok(Verified {
            status: verified_status(data, &state),
            reference: text_field(data, "reference"),
            amount: data.get("amount").and_then(json_int),
            currency: text_field(data, "currency").map(|c| c.to_ascii_uppercase()),
            provider_txn: text_field(data, "id"),
        })
    }

    fn parse_webhook(
        &self,
        headers: &Headers,
        body: &[u8],
        _now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError> {
        let signature = header(headers, SIGNATURE_HEADER)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(WebhookError::MissingSignature)?;
        let key = self.secret_key.expose_secret().as_bytes();
        // An empty key is a misconfiguration anyone could sign for.
        if key.is_empty() {
            return Err(WebhookError::BadSignature);
        }
        // hex accepts either case: an upper-case rendering is the same MAC.
        let tag = hex::decode(signature).map_err(|_| WebhookError::BadSignature)?;
        mac(key, body)
            .verify_slice(&tag)
            .map_err(|_| WebhookError::BadSignature)?;

        let json: Value =
            serde_json::from_slice(body).map_err(|e| WebhookError::Payload(e.to_string()))?;
        let event = json
            .get("event")
            .and_then(Value::as_str)
            .filter(|e| !e.is_empty())
            .ok_or_else(|| WebhookError::Payload("no event".to_string()))?;
        let data = json
            .get("data")
            .filter(|d| d.is_object())
            .ok_or_else(|| WebhookError::Payload("no data object".to_string()))?;
        let reference = text_field(data, "reference");
        let id = text_field(data, "id");
        // The event has no id of its own; event + reference is unique per
        // outcome. Events without a reference fall back to the transaction id.
        let key = reference
            .as_deref()
            .or(id.as_deref())
            .ok_or_else(|| WebhookError::Payload("data has neither reference nor id".into()))?;
        let state = text_field(data, "status");
        let claimed = match event {
            "charge.success" if state.as_deref() == Some("success") => Status::Paid,
            "charge.failed" => Status::Failed(failure(data, state.as_deref().unwrap_or("failed"))),
            _ => Status::Pending,
        };
        Ok(WebhookEvent {
            event_key: format!("{event}:{key}"),
            kind: event.to_string(),
            reference,
            provider_ref: id,
            claimed,
            amount: data.get("amount").and_then(json_int),
            currency: text_field(data, "currency").map(|c| c.to_ascii_uppercase()),
        })
    }
}
