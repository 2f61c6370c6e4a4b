//! The sandbox: Sokoni's own stand-in payment provider, for trying the whole
//! payment flow with no provider account. It speaks HTTP to Sokoni's
//! `/sandbox/pay` pages, which play the hosted checkout:
//!
//! - `POST {base}/sandbox/pay/api/charges` with
//!   `{"reference","amount" (minor units),"currency","description","return_url"}`
//!   answers `201 {"url","id"}`;
//! - `GET {base}/sandbox/pay/api/charges/{reference}` answers
//!   `{"id","reference","amount","currency","status": "pending"|"paid"|"failed"}`,
//!   or 404;
//! - the checkout page posts `{"event": "charge.paid"|"charge.failed","id","reference","amount","currency"}`
//!   as a webhook, signed in `x-sandbox-signature` with [`sign`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::http::{
    HttpConfig, encode_path_segment, json_int, message_of, send_for_body, status_error, text_field,
    unreadable,
};
use crate::{
    Failure, Headers, Initiated, PayError, PaymentProvider, PaymentRequest, Status, Verified,
    WebhookError, WebhookEvent, header,
};

/// The webhook signature header: lowercase hex HMAC-SHA256 of the raw body.
pub const SIGNATURE_HEADER: &str = "x-sandbox-signature";

type HmacSha256 = Hmac<Sha256>;

/// The sandbox checkout's API; `secret` signs its webhooks.
#[derive(Debug, Clone)]
pub struct SandboxPay {
    http: HttpConfig,
    secret: SecretString,
}

impl SandboxPay {
    /// `http.base_url` is Sokoni's own public URL (the pages live under
    /// `/sandbox/pay`), or a mock server.
    pub fn new(http: HttpConfig, secret: SecretString) -> Self {
        SandboxPay { http, secret }
    }
}

/// The value of [`SIGNATURE_HEADER`] for `body`: lowercase hex
/// HMAC-SHA256(secret, body). The checkout page signs what it posts with this.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    hex::encode(mac(secret, body).finalize().into_bytes())
}

fn mac(key: &[u8], body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (long keys are hashed, short ones padded).
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        unreachable!("HMAC-SHA256 accepts keys of any length")
    };
    mac.update(body);
    mac
}

fn declined() -> Failure {
    Failure::Other {
        code: "declined".to_string(),
        message: "declined on the sandbox checkout".to_string(),
    }
}

#[async_trait]
impl PaymentProvider for SandboxPay {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn create(&self, req: &PaymentRequest) -> Result<Initiated, PayError> {
        if req.amount <= 0 {
            return Err(PayError::Invalid(format!(
                "payment {} has a non-positive amount {}",
                req.reference, req.amount
            )));
        }
        let body = json!({
            "reference": req.reference,
            "amount": req.amount,
            "currency": req.currency.code(),
            "description": req.description,
            "return_url": req.return_url,
        });
        let request = self
            .http
            .client()
            .post(self.http.url("/sandbox/pay/api/charges"))
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
        let json = json.ok_or_else(|| unreadable("the sandbox", "JSON", &bytes))?;
        let url =
            text_field(&json, "url").ok_or_else(|| unreadable("the sandbox", "a url", &bytes))?;
        Ok(Initiated::Link {
            url,
            provider_ref: text_field(&json, "id"),
        })
    }

    async fn verify(
        &self,
        reference: &str,
        _provider_ref: Option<&str>,
    ) -> Result<Verified, PayError> {
        let path = format!(
            "/sandbox/pay/api/charges/{}",
            encode_path_segment(reference)
        );
        let (status, bytes) = send_for_body(self.http.client().get(self.http.url(&path))).await?;
        let json: Option<Value> = serde_json::from_slice(&bytes).ok();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(Verified {
                status: Status::Failed(Failure::Other {
                    code: "not_found".to_string(),
                    message: format!("the sandbox has no charge {reference}"),
                }),
                reference: None,
                amount: None,
                currency: None,
                provider_txn: None,
            });
        }
        if !status.is_success() {
            return Err(status_error(
                status,
                status.as_u16().to_string(),
                message_of(json.as_ref(), &bytes),
            ));
        }
        let json = json.ok_or_else(|| unreadable("the sandbox", "JSON", &bytes))?;
        let state = text_field(&json, "status")
            .ok_or_else(|| unreadable("the sandbox", "a status", &bytes))?;
        Ok(Verified {
            status: match state.as_str() {
                "paid" => Status::Paid,
                "failed" => Status::Failed(declined()),
                _ => Status::Pending,
            },
            reference: text_field(&json, "reference"),
            amount: json.get("amount").and_then(json_int),
            currency: text_field(&json, "currency").map(|c| c.to_ascii_uppercase()),
            provider_txn: text_field(&json, "id"),
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
        let secret = self.secret.expose_secret().as_bytes();
        // An empty secret is a misconfiguration anyone could sign for.
        if secret.is_empty() {
            return Err(WebhookError::BadSignature);
        }
        let tag = hex::decode(signature).map_err(|_| WebhookError::BadSignature)?;
        mac(secret, body)
            .verify_slice(&tag)
            .map_err(|_| WebhookError::BadSignature)?;

        let json: Value =
            serde_json::from_slice(body).map_err(|e| WebhookError::Payload(e.to_string()))?;
        let event = text_field(&json, "event")
            .ok_or_else(|| WebhookError::Payload("no event".to_string()))?;
        let id =
            text_field(&json, "id").ok_or_else(|| WebhookError::Payload("no id".to_string()))?;
        let claimed = match event.as_str() {
            "charge.paid" => Status::Paid,
            "charge.failed" => Status::Failed(declined()),
            _ => Status::Pending,
        };
        Ok(WebhookEvent {
            event_key: format!("sandbox:{id}:{event}"),
            kind: event,
            reference: text_field(&json, "reference"),
            provider_ref: Some(id),
            claimed,
            amount: json.get("amount").and_then(json_int),
            currency: text_field(&json, "currency").map(|c| c.to_ascii_uppercase()),
        })
    }
}
