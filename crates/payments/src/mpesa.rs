//! M-PESA Daraja "M-Pesa Express" (STK push), protocols.md §4: a prompt on
//! the customer's phone asks for their PIN, and the result arrives at our
//! per-payment callback URL or from the STK query.
//!
//! Daraja wants an OAuth token on every call; one token is cached per
//! client until a minute before it expires, and a call refused with
//! "Invalid Access Token" gets one retry with a fresh token.

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, FixedOffset, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::http::{json_text, major_to_minor, status_error, transport};
use crate::{
    Failure, Headers, HttpConfig, Initiated, PayError, PaymentProvider, PaymentRequest, Status,
    Verified, WebhookError, WebhookEvent,
};

/// Kenya time. Daraja's timestamps are local (protocols.md §4.2) and
/// Kenya has no daylight saving, so a fixed offset is exact.
const EAT: FixedOffset = match FixedOffset::east_opt(3 * 3600) {
    Some(offset) => offset,
    None => panic!("+03:00 is a valid offset"),
};

/// How long before its stated expiry a cached token is replaced, so a
/// token never expires between the cache check and Daraja reading it.
const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// What Daraja's docs give as the token lifetime, for a response whose
/// `expires_in` we cannot read.
const DEFAULT_TOKEN_SECS: u64 = 3599;

/// Daraja's error code for an expired or revoked token.
const INVALID_TOKEN: &str = "404.001.03";

/// The only currency M-PESA (Kenya) moves, and its cents to the shilling.
const KES: &str = "KES";
const KES_MINOR_DIGITS: u32 = 2;

/// `AccountReference` and `TransactionDesc` limits (protocols.md §4.2);
/// longer values make the push fail (result 1025).
const ACCOUNT_REFERENCE_MAX: usize = 12;
const TRANSACTION_DESC_MAX: usize = 13;

/// The kind of shortcode the business collects on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionType {
    /// A PayBill number: `PartyB` is the shortcode itself.
    PayBill,
    /// A Buy Goods till: `PartyB` is the till number.
    Till,
}

impl TransactionType {
    /// Daraja's `TransactionType` value.
    pub fn as_str(&self) -> &'static str {
        match self {
            TransactionType::PayBill => "CustomerPayBillOnline",
            TransactionType::Till => "CustomerBuyGoodsOnline",
        }
    }
}

/// A business's Daraja credentials and shortcode.
#[derive(Debug, Clone)]
pub struct MpesaConfig {
    /// `https://sandbox.safaricom.co.ke` or `https://api.safaricom.co.ke`.
    pub http: HttpConfig,
    pub consumer_key: SecretString,
    pub consumer_secret: SecretString,
    /// `BusinessShortCode`: digits.
    pub shortcode: String,
    /// The Lipa Na M-PESA Online passkey.
    pub passkey: SecretString,
    pub transaction_type: TransactionType,
    /// The shortcode for a PayBill, the till number for a Till.
    pub party_b: String,
}

/// The Daraja STK-push client.
pub struct Mpesa {
    http: HttpConfig,
    consumer_key: SecretString,
    consumer_secret: SecretString,
    shortcode: String,
    passkey: SecretString,
    transaction_type: TransactionType,
    party_b: String,
    /// The access token and when to stop using it. A tokio mutex, held
    /// across the fetch, so concurrent calls share one token request.
    token: Mutex<Option<(String, Instant)>>,
    client: reqwest::Client,
}

impl fmt::Debug for Mpesa {
    // By hand, to leave the bearer token out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mpesa")
            .field("http", &self.http)
            .field("shortcode", &self.shortcode)
            .field("transaction_type", &self.transaction_type)
            .field("party_b", &self.party_b)
            .finish_non_exhaustive()
    }
}

/// `Password = base64(Shortcode + Passkey + Timestamp)` (protocols.md §4.2).
pub fn password(shortcode: &str, passkey: &str, timestamp: &str) -> String {
    BASE64.encode(format!("{shortcode}{passkey}{timestamp}"))
}

/// Daraja's `Timestamp`: `YYYYMMDDHHmmss` in Kenya time.
pub fn timestamp(now: DateTime<Utc>) -> String {
    now.with_timezone(&EAT).format("%Y%m%d%H%M%S").to_string()
}

/// What a Daraja result code means for the payment; shared by the STK
/// query and the callback so both tell the customer the same thing
/// (protocols.md §4.4).
pub fn result(code: &str, desc: &str) -> Status {
    match code.trim() {
        "0" => Status::Paid,
        // 1031 is a third-party sighting of the same "cancelled by user".
        "1032" | "1031" => Status::Failed(Failure::Cancelled),
        "2001" => Status::Failed(Failure::WrongPin),
        "1037" => Status::Failed(Failure::Unreachable),
        "1" => Status::Failed(Failure::InsufficientFunds),
        "1019" => Status::Failed(Failure::Expired),
        other => Status::Failed(Failure::Other {
            code: other.to_string(),
            message: desc.to_string(),
        }),
    }
}

/// The `MpesaReceiptNumber` of a successful callback (the transaction id
/// the customer sees in their SMS), or `None` for a failure or a body that
/// is not a callback.
pub fn callback_receipt(body: &[u8]) -> Option<String> {
    let callback: Callback = serde_json::from_slice(body).ok()?;
    let item = callback.item("MpesaReceiptNumber")?;
    match item {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Mpesa {
    pub fn new(config: MpesaConfig) -> Self {
        let client = config.http.client();
        Mpesa {
            http: config.http,
            consumer_key: config.consumer_key,
            consumer_secret: config.consumer_secret,
            shortcode: config.shortcode,
            passkey: config.passkey,
            transaction_type: config.transaction_type,
            party_b: config.party_b,
            token: Mutex::new(None),
            client,
        }
    }

    /// A valid access token: the cached one, or a new one.
    async fn token(&self) -> Result<String, PayError> {
        let mut cached = self.token.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let (token, lifetime) = self.fetch_token().await?;
        let until = Instant::now() + lifetime.saturating_sub(TOKEN_MARGIN);
        *cached = Some((token.clone(), until));
        Ok(token)
    }

    /// Drops `token` from the cache, unless another call already replaced it.
    async fn forget(&self, token: &str) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|(t, _)| t == token) {
            *cached = None;
        }
    }

    async fn fetch_token(&self) -> Result<(String, Duration), PayError> {
        tracing::debug!(provider = "mpesa", "fetching a Daraja access token");
        let response = self
            .client
            .get(
                self.http
                    .url("/oauth/v1/generate?grant_type=client_credentials"),
            )
            .basic_auth(
                self.consumer_key.expose_secret(),
                Some(self.consumer_secret.expose_secret()),
            )
            .send()
            .await
            .map_err(transport)?;
        let reply = Reply::read(response).await?;
        if !reply.status.is_success() {
            return Err(reply.error());
        }
        let token = reply
            .json
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unreadable("token", &reply))?;
        // A number in the docs, a string in some captures (§4.1).
        let secs = match reply.json.get("expires_in") {
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        }
        .unwrap_or(DEFAULT_TOKEN_SECS);
        Ok((token.to_string(), Duration::from_secs(secs)))
    }

    async fn send(&self, path: &str, token: &str, body: &Value) -> Result<Reply, PayError> {
        let response = self
            .client
            .post(self.http.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .map_err(transport)?;
        Reply::read(response).await
    }

    /// POSTs `body` with a token, retrying once with a new token if Daraja
    /// says the cached one is no longer valid (revoked, or expired early).
    async fn post(&self, path: &str, body: &Value) -> Result<Reply, PayError> {
        let token = self.token().await?;
        let reply = self.send(path, &token, body).await?;
        if !reply.invalid_token() {
            return Ok(reply);
        }
        tracing::info!(
            provider = "mpesa",
            "Daraja refused the cached access token; fetching a new one"
        );
        self.forget(&token).await;
        let token = self.token().await?;
        self.send(path, &token, body).await
    }

    fn shortcode_number(&self) -> Result<u64, PayError> {
        self.shortcode
            .trim()
            .parse()
            .map_err(|_| PayError::Invalid("the M-PESA shortcode must be digits".to_string()))
    }

    /// The `Password` and `Timestamp` for a request made now.
    fn credentials(&self) -> (String, String) {
        let timestamp = timestamp(Utc::now());
        let password = password(
            self.shortcode.trim(),
            self.passkey.expose_secret(),
            &timestamp,
        );
        (password, timestamp)
    }
}

/// Whole shillings, or why M-PESA cannot take this amount.
fn whole_shillings(req: &PaymentRequest) -> Result<i64, PayError> {
    if req.currency.code() != KES {
        return Err(PayError::Invalid(format!(
            "M-PESA collects KES only, not {}",
            req.currency.code()
        )));
    }
    let unit = 10_i64.pow(req.currency.minor_digits());
    if req.amount <= 0 {
        return Err(PayError::Invalid(
            "M-PESA needs an amount of at least KES 1".to_string(),
        ));
    }
    if req.amount % unit != 0 {
        return Err(PayError::Invalid(
            "M-PESA takes whole shillings; the amount has cents".to_string(),
        ));
    }
    Ok(req.amount / unit)
}

/// The customer's number as Daraja wants it: `2547XXXXXXXX`.
fn kenyan_msisdn(req: &PaymentRequest) -> Result<String, PayError> {
    let phone = req.phone.as_ref().ok_or_else(|| {
        PayError::Invalid("an M-PESA push needs the customer's phone number".to_string())
    })?;
    let digits = phone.wa_id();
    if !digits.starts_with("254") {
        return Err(PayError::Invalid(
            "M-PESA pushes only to Kenyan (+254) numbers".to_string(),
        ));
    }
    Ok(digits)
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn unreadable(what: &str, reply: &Reply) -> PayError {
    // A 2xx we cannot read is most likely a proxy or gateway page.
    PayError::Retryable(format!(
        "unreadable Daraja {what} response (HTTP {}): {}",
        reply.status,
        reply.snippet()
    ))
}

/// A Daraja response, read whole.
struct Reply {
    status: reqwest::StatusCode,
    /// `Null` when the body is not JSON.
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

    fn str(&self, key: &str) -> Option<&str> {
        self.json.get(key).and_then(Value::as_str)
    }

    fn error_code(&self) -> Option<&str> {
        self.str("errorCode")
    }

    fn invalid_token(&self) -> bool {
        self.status == reqwest::StatusCode::UNAUTHORIZED || self.error_code() == Some(INVALID_TOKEN)
    }

    fn snippet(&self) -> String {
        truncate(self.text.trim(), 200)
    }

    /// The failure this reply stands for: Daraja's own code and words.
    fn error(&self) -> PayError {
        let code = self
            .error_code()
            .map(str::to_string)
            .or_else(|| self.json.get("ResponseCode").and_then(json_text))
            .unwrap_or_else(|| format!("HTTP {}", self.status.as_u16()));
        let message = self
            .str("errorMessage")
            .or_else(|| self.str("ResponseDescription"))
            .map(str::to_string)
            .unwrap_or_else(|| self.snippet());
        match code.as_str() {
            // Spike arrest and quota violations pass with time, whatever
            // HTTP status carries them.
            "500.003.02" | "500.003.03" => PayError::Retryable(format!("Daraja {code}: {message}")),
            // Arrives as HTTP 500, but a wrong shortcode or passkey will
            // not fix itself: retrying would only hide the misconfiguration.
            "500.001.1001" if is_config_error(&message) => PayError::Refused { code, message },
            _ => status_error(self.status, code, message),
        }
    }
}

fn is_config_error(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.contains("wrong credentials") || lower.contains("merchant does not exist")
}

/// Daraja's answer to a query for a push still open on the phone.
fn still_processing(reply: &Reply) -> bool {
    reply.error_code() == Some("500.001.1001")
        && reply
            .str("errorMessage")
            .is_some_and(|m| m.to_ascii_lowercase().contains("being processed"))
}

#[derive(Deserialize)]
struct Callback {
    #[serde(rename = "Body")]
    body: CallbackBody,
}

#[derive(Deserialize)]
struct CallbackBody {
    #[serde(rename = "stkCallback")]
    stk: StkCallback,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StkCallback {
    #[serde(rename = "CheckoutRequestID")]
    checkout_request_id: String,
    result_code: Value,
    #[serde(default)]
    result_desc: String,
    #[serde(default)]
    callback_metadata: Option<CallbackMetadata>,
}

#[derive(Deserialize)]
struct CallbackMetadata {
    #[serde(rename = "Item", default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    #[serde(rename = "Name")]
    name: String,
    /// Missing on the `Balance` item some callbacks carry.
    #[serde(rename = "Value", default)]
    value: Option<Value>,
}

impl Callback {
    /// An item's value by name: Daraja does not promise their order.
    fn item(&self, name: &str) -> Option<&Value> {
        self.body
            .stk
            .callback_metadata
            .as_ref()?
            .items
            .iter()
            .find(|item| item.name == name)?
            .value
            .as_ref()
    }
}

#[async_trait]
impl PaymentProvider for Mpesa {
    fn name(&self) -> &'static str {
        "mpesa"
    }

    async fn create(&self, req: &PaymentRequest) -> Result<Initiated, PayError> {
        // Everything checkable is checked before any call to Daraja.
        let shillings = whole_shillings(req)?;
        let msisdn = kenyan_msisdn(req)?;
        let shortcode = self.shortcode_number()?;
        let (password, timestamp) = self.credentials();
        let body = json!({
            "BusinessShortCode": shortcode,
            "Password": password,
            "Timestamp": timestamp,
            "TransactionType": self.transaction_type.as_str(),
            "Amount": shillings.to_string(),
            "PartyA": msisdn,
            "PartyB": self.party_b.trim(),
            "PhoneNumber": msisdn,
            "CallBackURL": req.callback_url,
            "AccountReference": truncate(&req.reference, ACCOUNT_REFERENCE_MAX),
            "TransactionDesc": truncate(&req.description, TRANSACTION_DESC_MAX),
        });
        let reply = self.post("/mpesa/stkpush/v1/processrequest", &body).await?;
        // "0" only means the push was sent; the callback or a query says
        // how it ended.
        let response_code = reply.json.get("ResponseCode").and_then(json_text);
        if !reply.status.is_success() || response_code.as_deref() != Some("0") {
            let says_why = !reply.status.is_success()
                || response_code.is_some()
                || reply.error_code().is_some();
            return Err(if says_why {
                reply.error()
            } else {
                unreadable("STK push", &reply)
            });
        }
        let provider_ref = reply
            .str("CheckoutRequestID")
            .filter(|id| !id.is_empty())
            .ok_or_else(|| unreadable("STK push", &reply))?
            .to_string();
        let message = reply
            .str("CustomerMessage")
            .or_else(|| reply.str("ResponseDescription"))
            .unwrap_or_default()
            .to_string();
        Ok(Initiated::Push {
            provider_ref,
            message,
        })
    }

    /// Runs the STK query on `provider_ref` (the `CheckoutRequestID`). The
    /// query reports only the result: amount, currency and receipt are
    /// `None`, so the callback's figures stay the ones to check.
    async fn verify(
        &self,
        _reference: &str,
        provider_ref: Option<&str>,
    ) -> Result<Verified, PayError> {
        let checkout_id = provider_ref
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                PayError::Invalid("an M-PESA query needs the CheckoutRequestID".to_string())
            })?;
        let shortcode = self.shortcode_number()?;
        let (password, timestamp) = self.credentials();
        let body = json!({
            "BusinessShortCode": shortcode,
            "Password": password,
            "Timestamp": timestamp,
            "CheckoutRequestID": checkout_id,
        });
        let reply = self.post("/mpesa/stkpushquery/v1/query", &body).await?;
        let queried = |status| Verified {
            status,
            reference: None,
            amount: None,
            currency: None,
            provider_txn: None,
        };
        if still_processing(&reply) {
            return Ok(queried(Status::Pending));
        }
        if !reply.status.is_success() {
            return Err(reply.error());
        }
        let Some(code) = reply.json.get("ResultCode").and_then(json_text) else {
            let refused = reply
                .json
                .get("ResponseCode")
                .and_then(json_text)
                .is_some_and(|rc| rc != "0");
            return Err(if refused {
                reply.error()
            } else {
                unreadable("STK query", &reply)
            });
        };
        let desc = reply.str("ResultDesc").unwrap_or_default();
        Ok(queried(result(&code, desc)))
    }

    /// Reads an STK callback. Daraja signs nothing (protocols.md §4.3):
    /// the caller must authenticate the callback by its unguessable
    /// per-payment URL path before calling this, and confirm the result
    /// with [`PaymentProvider::verify`]. `headers` are not used.
    fn parse_webhook(
        &self,
        _headers: &Headers,
        body: &[u8],
        _now: DateTime<Utc>,
    ) -> Result<WebhookEvent, WebhookError> {
        let callback: Callback =
            serde_json::from_slice(body).map_err(|e| WebhookError::Payload(e.to_string()))?;
        let stk = &callback.body.stk;
        if stk.checkout_request_id.trim().is_empty() {
            return Err(WebhookError::Payload(
                "the callback has no CheckoutRequestID".to_string(),
            ));
        }
        let code = json_text(&stk.result_code)
            .ok_or_else(|| WebhookError::Payload("unreadable ResultCode".to_string()))?;
        let amount = callback
            .item("Amount")
            .and_then(|v| major_to_minor(v, KES_MINOR_DIGITS));
        Ok(WebhookEvent {
            event_key: format!("mpesa:{}", stk.checkout_request_id),
            kind: "stk_callback".to_string(),
            reference: None,
            provider_ref: Some(stk.checkout_request_id.clone()),
            claimed: result(&code, &stk.result_desc),
            amount,
            currency: Some(KES.to_string()),
        })
    }
}
