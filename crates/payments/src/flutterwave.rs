//! Flutterwave v3 (protocols §3): a hosted checkout link from `/v3/payments`,
//! the payment's state from `/v3/transactions/{id}/verify`, and webhooks
//! authenticated by `flutterwave-signature` or the legacy `verif-hash`.
//!
//! Flutterwave speaks **major** units (`1234.5` naira), so amounts are
//! converted at the edge: exact decimals out, rounded to the nearest minor
//! unit in. Verifying needs Flutterwave's numeric transaction id, which
//! reaches us in the webhook (`data.id`) or on the customer's redirect
//! (`transaction_id`), not our reference.

use async_trait::async_trait;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use domain::money::Currency;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::http::{
    Found, HttpConfig, lookup, major_to_minor, message_of, send_for_body, status_error, text_field,
    unreadable,
};
use crate::paystack::customer_email;
use crate::{
    Failure, Headers, Initiated, PayError, PaymentProvider, PaymentRequest, Status, Verified,
    WebhookError, WebhookEvent, header,
};

/// The newer webhook header: base64 HMAC-SHA256 of the raw body, keyed with
/// the secret hash.
pub const SIGNATURE_HEADER: &str = "flutterwave-signature";

/// The legacy webhook header: the secret hash itself, verbatim.
pub const VERIF_HASH_HEADER: &str = "verif-hash";

type HmacSha256 = Hmac<Sha256>;

/// The Flutterwave v3 API, authenticated with a secret key (`FLWSECK-…`);
/// webhooks are checked with the dashboard's "secret hash".
#[derive(Debug, Clone)]
pub struct Flutterwave {
    http: HttpConfig,
    secret_key: SecretString,
    secret_hash: SecretString,
}

impl Flutterwave {
    /// `http.base_url` is `https://api.flutterwave.com` (without `/v3`), or a
    /// mock server.
    pub fn new(http: HttpConfig, secret_key: SecretString, secret_hash: SecretString) -> Self {
        Flutterwave {
            http,
            secret_key,
            secret_hash,
        }
    }
}

/// The value of [`SIGNATURE_HEADER`] for `body`: base64 HMAC-SHA256(secret
/// hash, body). For tests and mock senders.
pub fn sign(secret_hash: &[u8], body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(mac(secret_hash, body).finalize().into_bytes())
}

fn mac(key: &[u8], body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (long keys are hashed, short ones padded).
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        unreachable!("HMAC-SHA256 accepts keys of any length")
    };
    mac.update(body);
    mac
}

/// Whether `given` equals `secret`, in time independent of where they differ
/// or how long they are: both are MACed under one key and the tags compared
/// with the constant-time `verify_slice`.
fn same_secret(given: &str, secret: &str) -> bool {
    let expected = mac(secret.as_bytes(), secret.as_bytes())
        .finalize()
        .into_bytes();
    mac(secret.as_bytes(), given.as_bytes())
        .verify_slice(&expected)
        .is_ok()
}

/// `minor` minor units as a JSON number of major units: `123450` with two
/// digits is `1234.5`, `500000` is `5000`.
fn major_amount(minor: i64, digits: u32) -> Option<Value> {
    let scale = 10i64.checked_pow(digits)?;
    if minor % scale == 0 {
        return Some(json!(minor / scale));
    }
    // Both operands are exact doubles below 2^53, so the quotient is the
    // double nearest the decimal, and serde_json prints it as that decimal.
    if minor.unsigned_abs() >= 1 << 53 {
        return None;
    }
    serde_json::Number::from_f64(minor as f64 / scale as f64).map(Value::Number)
}

/// Minor digits of a currency code; 2 for currencies we do not price in.
fn digits_of(currency: Option<&str>) -> u32 {
    currency
        .and_then(|c| Currency::parse(c).ok())
        .map_or(2, |c| c.minor_digits())
}

fn succeeded(json: Option<&Value>) -> bool {
    json.and_then(|v| v.get("status"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("success"))
}

/// What a transaction's `status` claims. `charge.completed` fires for
/// failures too, so the status, not the event, decides.
fn status_of(data: &Value, status: Option<&str>) -> Status {
    match status {
        Some("successful") => Status::Paid,
        Some("failed") => Status::Failed(Failure::Other {
            code: "failed".to_string(),
            message: text_field(data, "processor_response").unwrap_or_else(|| "failed".to_string()),
        }),
        _ => Status::Pending,
    }
}

#[async_trait]
impl PaymentProvider for Flutterwave {
    fn name(&self) -> &'static str {
        "flutterwave"
    }

    async fn create(&self, req: &PaymentRequest) -> Result<Initiated, PayError> {
        if req.amount <= 0 {
            return Err(PayError::Invalid(format!(
                "payment {} has a non-positive amount {}",
                req.reference, req.amount
            )));
        }
        let amount = major_amount(req.amount, req.currency.minor_digits()).ok_or_else(|| {
            PayError::Invalid(format!(
                "payment {}: {} minor units of {} cannot be written in major units",
                req.reference,
                req.amount,
                req.currency.code()
            ))
        })?;
        let mut customer = Map::new();
        customer.insert("email".into(), Value::String(customer_email(req)?));
        if let Some(name) = req.name.as_deref().filter(|n| !n.trim().is_empty()) {
            customer.insert("name".into(), Value::String(name.to_string()));
        }
        if let Some(phone) = &req.phone {
            customer.insert(
                "phonenumber".into(),
                Value::String(phone.as_str().to_string()),
            );
        }
        let body = json!({
            "tx_ref": req.reference,
            "amount": amount,
            "currency": req.currency.code(),
            "redirect_url": req.return_url,
            "customer": customer,
            "customizations": {"title": req.description},
        });
        let request = self
            .http
            .client()
            .post(self.http.url("/v3/payments"))
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
        let url = json
            .as_ref()
            .and_then(|v| v.get("data"))
            .and_then(|d| text_field(d, "link"))
            .ok_or_else(|| unreadable("Flutterwave", "data.link", &bytes))?;
        Ok(Initiated::Link {
            url,
            provider_ref: None,
        })
    }

    async fn verify(
        &self,
        reference: &str,
        provider_ref: Option<&str>,
    ) -> Result<Verified, PayError> {
        let id = provider_ref
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                PayError::Invalid(format!(
                    "Flutterwave verifies by its transaction id, and none is known for {reference}"
                ))
            })?;
        // Flutterwave's ids are numbers; anything else could not be one, and
        // must not reach the URL path.
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PayError::Invalid(format!(
                "{id:?} is not a Flutterwave transaction id"
            )));
        }
        let request = self
            .http
            .client()
            .get(self.http.url(&format!("/v3/transactions/{id}/verify")))
            .bearer_auth(self.secret_key.expose_secret());
        let data = match lookup(
            request,
            "Flutterwave",
            succeeded,
            &["no transaction", "not found"],
        )
        .await?
        {
            Found::Data(data) => data,
            Found::Missing(message) => return Ok(Verified::not_found(message)),
        };
        let state = text_field(&data, "status")
            .ok_or_else(|| unreadable("Flutterwave", "data.status", data.to_string().as_bytes()))?;
        let data = &data;
        let currency = text_field(data, "currency").map(|c| c.to_ascii_uppercase());
        let digits = digits_of(currency.as_deref());
        Ok(Verified {
            status: status_of(data, Some(&state)),
            reference: text_field(data, "tx_ref"),
            amount: data.get("amount").and_then(|a| major_to_minor(a, digits)),
            currency,
            provider_txn: text_field(data, "id"),
        })
    }

    fn parse_webhook(
        &self,
        headers: &Headers,
        body: &[u8],
        _now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError> {
        let present = |name| {
            header(headers, name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let signature = present(SIGNATURE_HEADER);
        let verif_hash = present(VERIF_HASH_HEADER);
        if signature.is_none() && verif_hash.is_none() {
            return Err(WebhookError::MissingSignature);
        }
        let secret = self.secret_hash.expose_secret();
        // An empty secret hash is a misconfiguration anyone could match.
        if secret.is_empty() {
            return Err(WebhookError::BadSignature);
        }
        let signature_ok = signature.is_some_and(|s| {
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .is_ok_and(|tag| mac(secret.as_bytes(), body).verify_slice(&tag).is_ok())
        });
        // Either scheme suffices: Flutterwave may send both while an account
        // moves from the legacy hash to the signature.
        let hash_ok = verif_hash.is_some_and(|h| same_secret(h, secret));
        if !signature_ok && !hash_ok {
            return Err(WebhookError::BadSignature);
        }

        let json: Value =
            serde_json::from_slice(body).map_err(|e| WebhookError::Payload(e.to_string()))?;
        if !json.is_object() {
            return Err(WebhookError::Payload("not a JSON object".to_string()));
        }
        // The envelope `{"event", "data": {...}}`, or the legacy flat
        // camelCase shape with the type under the dotted key "event.type".
        let data = json.get("data").filter(|d| d.is_object()).unwrap_or(&json);
        let id = text_field(data, "id")
            .ok_or_else(|| WebhookError::Payload("no transaction id".to_string()))?;
        let kind = text_field(&json, "event")
            .or_else(|| text_field(&json, "event.type"))
            .unwrap_or_else(|| "unknown".to_string());
        let reference = text_field(data, "tx_ref").or_else(|| text_field(data, "txRef"));
        let currency = text_field(data, "currency").map(|c| c.to_ascii_uppercase());
        let digits = digits_of(currency.as_deref());
        let state = text_field(data, "status");
        Ok(WebhookEvent {
            event_key: format!("flw:{id}"),
            kind,
            reference,
            claimed: status_of(data, state.as_deref()),
            provider_ref: Some(id),
            amount: data.get("amount").and_then(|a| major_to_minor(a, digits)),
            currency,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_amounts_are_exact_decimals() {
        assert_eq!(major_amount(123_450, 2), Some(json!(1234.5)));
        assert_eq!(major_amount(500_000, 2), Some(json!(5000)));
        assert_eq!(major_amount(29, 2), Some(json!(0.29)));
        assert_eq!(major_amount(1_001, 0), Some(json!(1001)));
        assert_eq!(
            serde_json::to_string(&major_amount(123_456_789, 2)).ok(),
            Some("1234567.89".to_string())
        );
    }

    #[test]
    fn minor_amounts_round_to_the_nearest_unit() {
        assert_eq!(major_to_minor(&json!(100), 2), Some(10_000));
        assert_eq!(major_to_minor(&json!(1234.5), 2), Some(123_450));
        assert_eq!(major_to_minor(&json!(0.29), 2), Some(29));
        assert_eq!(major_to_minor(&json!(10.005), 2), Some(1_001));
        assert_eq!(major_to_minor(&json!(10.004), 2), Some(1_000));
        assert_eq!(major_to_minor(&json!("99.99"), 2), Some(9_999));
        assert_eq!(major_to_minor(&json!(1500), 0), Some(1_500));
        assert_eq!(major_to_minor(&json!(1500.6), 0), Some(1_501));
        assert_eq!(major_to_minor(&json!(-1.5), 2), Some(-150));
        assert_eq!(major_to_minor(&json!(1e20), 2), None);
        assert_eq!(major_to_minor(&json!("abc"), 2), None);
        assert_eq!(major_to_minor(&json!("."), 2), None);
        assert_eq!(major_to_minor(&json!(null), 2), None);
    }

    #[test]
    fn secrets_compare_whatever_their_lengths() {
        assert!(same_secret("my_secret_hash", "my_secret_hash"));
        assert!(!same_secret("my_secret_has", "my_secret_hash"));
        assert!(!same_secret("", "my_secret_hash"));
    }
}
