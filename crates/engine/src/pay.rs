//! Money in: asking a provider for a payment, and confirming it.
//!
//! A payment is requested inside the business transaction (an order
//! confirmed in chat, a link from the dashboard): the row and a
//! `create_payment` job commit together, and the job calls the provider
//! outside any transaction, then sends the customer the link (or tells
//! them to look at their phone for an M-PESA prompt). A provider webhook is
//! authenticated and stored under its unique event key by the server; the
//! `verify_payment` job then asks the provider's verify API, and only when
//! the status, amount and currency agree is the payment marked paid, once,
//! with the customer's receipt, the customer's lifetime value and (if the
//! business consumes stock on payment) the stock, in one transaction.

use crate::jobs;
use crate::outbound::{self, Note, OutboundError, To};
use crate::seal::Sealer;
use crate::services::Services;
use crate::worker::{JobError, Perform, retry};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::money::Money;
use domain::outbound::Purpose;
use domain::payment::PaymentStatus;
use domain::text::{Key, language_of, render};
use domain::{E164, PaymentId, TenantId};
use payments::{
    Failure, HttpConfig, Initiated, PayError, PaymentProvider, PaymentRequest, Status, Verified,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use std::sync::Arc;
use store::jobs::Claimed;
use store::payments::{NewRequest, Payment, ProviderRow};
use store::{Ex, Tx};

pub use crate::services::{ClientCache, PaySettings};

pub const PROVIDERS: [&str; 5] = ["paystack", "flutterwave", "mpesa", "stripe", "sandbox"];

/// Builds a business's client for `name` from its stored settings (keys
/// sealed at rest), or the server's sandbox.
pub fn provider_for(
    pay: &PaySettings,
    sealer: &Sealer,
    name: &str,
    row: Option<&ProviderRow>,
) -> Result<Arc<dyn PaymentProvider>, PayError> {
    if name == "sandbox" {
        let secret = pay.sandbox_secret.clone().ok_or_else(|| {
            PayError::Invalid("the sandbox provider is off on this server".into())
        })?;
        return Ok(Arc::new(payments::sandbox::SandboxPay::new(
            HttpConfig::new(&pay.public_url),
            secret,
        )));
    }
    let row = row
        .filter(|r| r.is_active)
        .ok_or_else(|| PayError::Invalid(format!("{name} is not set up for this business")))?;
    let key = format!(
        "{name}\n{}\n{}",
        row.settings.0,
        row.secrets_sealed.as_deref().unwrap_or_default()
    );
    if let Ok(cache) = pay.clients.0.lock()
        && let Some(client) = cache.get(&key)
    {
        return Ok(client.clone());
    }
    let client = build(name, row, sealer)?;
    if let Ok(mut cache) = pay.clients.0.lock() {
        // Old settings' clients go when the cache grows large.
        if cache.len() > 10_000 {
            cache.clear();
        }
        cache.insert(key, client.clone());
    }
    Ok(client)
}

fn build(
    name: &str,
    row: &ProviderRow,
    sealer: &Sealer,
) -> Result<Arc<dyn PaymentProvider>, PayError> {
    let secrets: Value = match &row.secrets_sealed {
        Some(s) => serde_json::from_str(
            &sealer
                .open(s)
                .map_err(|e| PayError::Invalid(format!("{name} keys: {e}")))?,
        )
        .map_err(|e| PayError::Invalid(format!("{name} keys: {e}")))?,
        None => json!({}),
    };
    let settings = &row.settings.0;
    let secret = |key: &str| -> Result<SecretString, PayError> {
        secrets
            .get(key)
            .and_then(Value::as_str)
            .map(|s| SecretString::from(s.to_string()))
            .ok_or_else(|| PayError::Invalid(format!("{name} is missing its {key}")))
    };
    let base = |default: &str| {
        HttpConfig::new(
            settings
                .get("base_url")
                .and_then(Value::as_str)
                .unwrap_or(default),
        )
    };
    Ok(match name {
        "paystack" => Arc::new(payments::paystack::Paystack::new(
            base("https://api.paystack.co"),
            secret("secret_key")?,
        )),
        "flutterwave" => Arc::new(payments::flutterwave::Flutterwave::new(
            base("https://api.flutterwave.com"),
            secret("secret_key")?,
            secret("secret_hash")?,
        )),
        "mpesa" => {
            let text = |key: &str| -> Result<String, PayError> {
                settings
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| PayError::Invalid(format!("mpesa is missing its {key}")))
            };
            let shortcode = text("shortcode")?;
            let till = settings.get("transaction_type").and_then(Value::as_str) == Some("till");
            Arc::new(payments::mpesa::Mpesa::new(payments::mpesa::MpesaConfig {
                http: base("https://api.safaricom.co.ke"),
                consumer_key: secret("consumer_key")?,
                consumer_secret: secret("consumer_secret")?,
                party_b: text("party_b").unwrap_or_else(|_| shortcode.clone()),
                shortcode,
                passkey: secret("passkey")?,
                transaction_type: if till {
                    payments::mpesa::TransactionType::Till
                } else {
                    payments::mpesa::TransactionType::PayBill
                },
            }))
        }
        "stripe" => {
            let webhook_secrets = secrets
                .get("webhook_secrets")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|s| SecretString::from(s.to_string()))
                        .collect::<Vec<_>>()
                })
                .filter(|v| !v.is_empty())
                .ok_or_else(|| PayError::Invalid("stripe is missing its webhook_secrets".into()))?;
            Arc::new(payments::stripe::Stripe::new(
                base("https://api.stripe.com"),
                secret("secret_key")?,
                webhook_secrets,
            ))
        }
        other => return Err(PayError::Invalid(format!("unknown provider {other}"))),
    })
}

/// A fresh reference: what the provider will echo back to us.
pub fn new_reference() -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    format!("SOK-{}", &id[id.len() - 16..]).to_uppercase()
}

/// The random source failed: no unguessable callback URL can be made.
#[derive(Debug, thiserror::Error)]
#[error("the system's random source failed: {0}")]
pub struct NoRandomness(String);

/// The unguessable path part of an M-PESA callback URL: the callback's only
/// authentication, so a failure of the random source fails the request
/// rather than making a guessable one.
pub fn callback_token() -> Result<String, NoRandomness> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| NoRandomness(e.to_string()))?;
    Ok(hex_lower(&bytes))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The provider a business collects links with: its first active one, else
/// the server's sandbox when that is on.
pub async fn default_provider(
    ex: impl Into<Ex<'_>>,
    pay: &PaySettings,
    tenant: TenantId,
) -> store::StoreResult<Option<String>> {
    let rows = store::payments::providers(ex, tenant).await?;
    Ok(rows
        .into_iter()
        .find(|r| r.is_active)
        .map(|r| r.provider)
        .or_else(|| pay.sandbox_secret.is_some().then(|| "sandbox".to_string())))
}

/// Why a payment request was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// Nothing asks a provider for zero (or less).
    #[error("nothing is due")]
    NothingDue,
    #[error(transparent)]
    NoRandomness(#[from] NoRandomness),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// The provider a business collects with when staff name none: its default
/// ([`default_provider`]) if its keys build a client, else none.
pub async fn usable_provider(
    ex: impl Into<Ex<'_>>,
    pay: &PaySettings,
    sealer: &Sealer,
    tenant: TenantId,
) -> store::StoreResult<Option<String>> {
    let mut ex = ex.into();
    let Some(name) = default_provider(ex.re(), pay, tenant).await? else {
        return Ok(None);
    };
    let row = store::payments::provider(ex, tenant, &name).await?;
    Ok(provider_for(pay, sealer, &name, row.as_ref())
        .is_ok()
        .then_some(name))
}

/// Records a payment request of `kind` for `amount` on `order`, voiding
/// (superseding) any open request of the same kind, and the job that asks
/// `provider` for it. At most one request per order and kind is open.
#[expect(
    clippy::too_many_arguments,
    reason = "one request's facts, all required"
)]
pub async fn request(
    tx: &mut Tx,
    pay: &PaySettings,
    now: DateTime<Utc>,
    tenant: TenantId,
    order: &store::orders::Order,
    kind: &str,
    amount: i64,
    provider: &str,
) -> Result<PaymentId, RequestError> {
    if amount <= 0 {
        return Err(RequestError::NothingDue);
    }
    let token = if provider == "mpesa" {
        Some(callback_token()?)
    } else {
        None
    };
    store::payments::supersede_open(&mut *tx, tenant, order.id, Some(kind), None).await?;
    let id = store::payments::request(
        &mut *tx,
        tenant,
        &NewRequest {
            order_id: order.id,
            customer_id: order.customer_id,
            amount,
            currency: order.currency,
            kind,
            provider,
            reference: &new_reference(),
            callback_token: token.as_deref(),
            expires_at: Some(now + pay.link_ttl),
        },
    )
    .await?;
    jobs::enqueue(
        &mut *tx,
        &jobs::CreatePayment {
            payment_id: id,
            tenant_id: tenant,
            reference: None,
            reminder: None,
        },
        None,
    )
    .await?;
    Ok(id)
}

/// What the customer is told a payment is for.
fn what(kind: &str) -> Key {
    match kind {
        "deposit" => Key::PayWhatDeposit,
        "balance" => Key::PayWhatBalance,
        _ => Key::PayWhatFull,
    }
}

/// The business, order and customer of a payment, and how to talk to them.
pub(crate) struct Context {
    tenant: store::tenants::Tenant,
    order: store::orders::Order,
    customer: store::customers::Customer,
    lang: &'static str,
    settings: store::business::Settings,
}

impl Context {
    async fn load(ex: &store::Db, tenant: TenantId, p: &Payment) -> store::StoreResult<Self> {
        let t = store::tenants::get(ex, tenant).await?;
        let order = store::orders::get(ex, tenant, p.order_id).await?;
        let customer = store::customers::get(ex, tenant, order.customer_id).await?;
        let settings = store::business::get(ex, tenant).await?;
        Ok(Context {
            lang: language_of(&t.locale.to_string()),
            tenant: t,
            order,
            customer,
            settings,
        })
    }

    fn money(&self, minor: i64) -> String {
        Money::new(minor, self.tenant.currency).display(&self.tenant.locale.to_string())
    }

    fn say(&self, key: Key, args: &[(&str, &str)]) -> String {
        render(self.lang, key, args, &self.settings.texts)
    }

    fn phone(&self) -> Option<E164> {
        self.customer
            .wa_id
            .as_deref()
            .and_then(|w| E164::from_wa_id(w).ok())
    }

    /// Queues `body` to the customer through the outbound service, with
    /// `purpose`'s template parameters for outside the 24-hour window. A
    /// business without a number, or a customer without WhatsApp, is told
    /// nothing (the payment itself stands).
    async fn tell(
        &self,
        tx: &mut Tx,
        purpose: Purpose,
        body: String,
        params: Vec<String>,
    ) -> Result<(), OutboundError> {
        let note = Note::text(
            self.tenant.id,
            To::Customer(&self.customer),
            purpose,
            self.lang,
            body,
            params,
        )
        .about(self.order.id);
        match outbound::send(&mut *tx, &note).await {
            Ok(_) => Ok(()),
            Err(OutboundError::NoNumber | OutboundError::NoWhatsapp) => {
                tracing::warn!(tenant = %self.tenant.id, purpose = purpose.as_str(), "no way to send a payment message");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// The `payment_reminder` template's parameters: order ref, amount, link.
    fn link_params(&self, amount: i64, url: &str) -> Vec<String> {
        vec![
            self.order.order_ref.clone(),
            self.money(amount),
            url.to_string(),
        ]
    }
}

fn out_err(e: OutboundError) -> JobError {
    JobError::Retry(e.to_string())
}

/// The `create_payment` job: asks the provider, stores its answer and
/// sends the customer the link or the push notice.
pub struct CreatePayment(pub Arc<Services>);

#[async_trait]
impl Perform<jobs::CreatePayment> for CreatePayment {
    async fn perform(&self, j: jobs::CreatePayment, _job: &Claimed) -> Result<(), JobError> {
        let svc = &self.0;
        let tenant = j.tenant_id;
        let id = j.payment_id;
        let p = store::payments::get(&svc.db, tenant, id)
            .await
            .map_err(retry)?;
        if p.status != PaymentStatus::Pending
            || p.payment_link.is_some()
            || p.provider_ref.is_some()
        {
            return Ok(());
        }
        let reference = p.reference.clone().unwrap_or_default();
        let cx = Context::load(&svc.db, tenant, &p).await.map_err(retry)?;
        let row = store::payments::provider(&svc.db, tenant, &p.provider)
            .await
            .map_err(retry)?;
        let provider = match provider_for(&svc.pay, &svc.sealer, &p.provider, row.as_ref()) {
            Ok(pr) => pr,
            Err(e) => return fail(svc, tenant, &p, &e.to_string()).await,
        };
        let currency = cx.tenant.currency;
        let req = PaymentRequest {
            reference: reference.clone(),
            amount: p.amount,
            currency,
            email: cx.customer.email.clone(),
            phone: cx.phone(),
            name: cx.customer.name.clone(),
            description: format!(
                "{} {} · {}",
                cx.say(what(&p.kind), &[]),
                cx.order.order_ref,
                cx.tenant.business_name
            ),
            return_url: format!("{}/payments/return/{reference}", svc.pay.public_url),
            callback_url: format!(
                "{}/payments/webhook/mpesa/{}",
                svc.pay.public_url,
                p.callback_token.as_deref().unwrap_or_default()
            ),
        };
        let initiated = match provider.create(&req).await {
            Ok(i) => i,
            Err(PayError::Retryable(e)) => return Err(JobError::Retry(e)),
            Err(e) => return fail(svc, tenant, &p, &e.to_string()).await,
        };
        let amount = cx.money(p.amount);
        let mut tx = svc.db.begin().await.map_err(retry)?;
        match initiated {
            Initiated::Link { url, provider_ref } => {
                store::payments::set_initiated(
                    &mut tx,
                    tenant,
                    id,
                    Some(&url),
                    provider_ref.as_deref(),
                    svc.clock.now(),
                )
                .await
                .map_err(retry)?;
                let what = cx.say(what(&p.kind), &[]);
                let body = match &j.reminder {
                    Some(text) => text.replace("{link}", &url),
                    None => cx.say(
                        Key::PayLink,
                        &[
                            ("what", &what),
                            ("ref", &cx.order.order_ref),
                            ("amount", &amount),
                            ("url", &url),
                        ],
                    ),
                };
                // A renewed link is a reminder (not essential); a first link
                // answers an order or a request just made.
                let purpose = if p.reminders_sent > 0 {
                    Purpose::PaymentReminder
                } else {
                    Purpose::PaymentLink
                };
                let params = cx.link_params(p.amount, &url);
                match cx.tell(&mut tx, purpose, body, params).await {
                    Ok(()) | Err(OutboundError::OptedOut) => {}
                    Err(e) => return Err(out_err(e)),
                }
            }
            Initiated::Push { provider_ref, .. } => {
                store::payments::set_initiated(
                    &mut tx,
                    tenant,
                    id,
                    None,
                    Some(&provider_ref),
                    svc.clock.now(),
                )
                .await
                .map_err(retry)?;
                let body = cx.say(
                    Key::PayPush,
                    &[("amount", &amount), ("ref", &cx.order.order_ref)],
                );
                // The template's third parameter is where to pay: the phone.
                let params = vec![cx.order.order_ref.clone(), amount.clone(), "M-PESA".into()];
                cx.tell(&mut tx, Purpose::PaymentLink, body, params)
                    .await
                    .map_err(out_err)?;
                // No callback within the wait: ask M-PESA ourselves.
                jobs::enqueue(
                    &mut tx,
                    &jobs::VerifyPayment {
                        payment_id: id,
                        tenant_id: tenant,
                        event_id: None,
                        query: Some(provider_ref.clone()),
                    },
                    // A delay on the queue's own (wall) clock.
                    Some(store::now() + svc.pay.mpesa_query_after),
                )
                .await
                .map_err(retry)?;
            }
        }
        tx.commit().await.map_err(retry)?;
        svc.wake_outbound();
        Ok(())
    }
}

/// A request the provider refused: recorded on the payment for staff.
async fn fail(svc: &Services, tenant: TenantId, p: &Payment, why: &str) -> Result<(), JobError> {
    tracing::warn!(payment = %p.id, provider = %p.provider, reason = why, "payment request refused");
    let mut tx = svc.db.begin().await.map_err(retry)?;
    store::payments::mark_failed(&mut tx, tenant, p.id, why)
        .await
        .map_err(retry)?;
    store::payments::flag(&mut tx, tenant, p.id, why)
        .await
        .map_err(retry)?;
    tx.commit().await.map_err(retry)?;
    Ok(())
}

/// How many times a verify that still says "pending" after a webhook
/// claimed payment is asked again before the payment is flagged.
const PENDING_RETRIES: i32 = 5;

/// The `verify_payment` job: asks the provider what became of a payment,
/// after a webhook or when an M-PESA callback is overdue.
pub struct VerifyPayment(pub Arc<Services>);

#[async_trait]
impl Perform<jobs::VerifyPayment> for VerifyPayment {
    async fn perform(&self, j: jobs::VerifyPayment, job: &Claimed) -> Result<(), JobError> {
        let svc = &self.0;
        let tenant = j.tenant_id;
        let id = j.payment_id;
        let event = j.event_id;
        let p = store::payments::get(&svc.db, tenant, id)
            .await
            .map_err(retry)?;
        if p.status == PaymentStatus::Paid {
            return done_event(svc, event).await;
        }
        let row = store::payments::provider(&svc.db, tenant, &p.provider)
            .await
            .map_err(retry)?;
        let provider = provider_for(&svc.pay, &svc.sealer, &p.provider, row.as_ref())
            .map_err(|e| JobError::Fatal(e.to_string()))?;
        let claim = match event {
            Some(e) => store::payments::event_payload(&svc.db, e)
                .await
                .map_err(retry)?,
            None => Value::Null,
        };
        let claimed_paid = claim.get("claimed").and_then(Value::as_str) == Some("paid");
        let reference = p.reference.clone().unwrap_or_default();
        // Flutterwave verifies by its transaction id, which only its webhook
        // tells us.
        let provider_ref = p.provider_ref.clone().or_else(|| {
            claim
                .get("provider_ref")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
        let mut verified = match provider.verify(&reference, provider_ref.as_deref()).await {
            Ok(v) => v,
            Err(PayError::Retryable(e)) => return Err(JobError::Retry(e)),
            Err(e) => return Err(JobError::Fatal(e.to_string())),
        };
        // M-PESA's query confirms the outcome but not the amount: the
        // callback's amount (its path was unguessable) is checked instead.
        if verified.amount.is_none() {
            verified.amount = claim.get("amount").and_then(Value::as_i64);
            verified.currency = claim
                .get("currency")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
        let cx = Context::load(&svc.db, tenant, &p).await.map_err(retry)?;
        let mut tx = svc.db.begin().await.map_err(retry)?;
        match &verified.status {
            Status::Paid => {
                if let Some(why) = mismatch(&p, &verified) {
                    store::payments::flag(&mut tx, tenant, p.id, &why)
                        .await
                        .map_err(retry)?;
                    tracing::warn!(payment = %p.id, reason = %why, "payment flagged for staff");
                } else {
                    confirm(&mut tx, &cx, &p, verified.provider_txn.as_deref(), None)
                        .await
                        .map_err(out_err)?;
                }
            }
            Status::Pending => {
                if claimed_paid && job.attempts < PENDING_RETRIES.min(job.max_attempts) {
                    return Err(JobError::Retry(
                        "the provider does not confirm the payment yet".into(),
                    ));
                }
                if claimed_paid {
                    store::payments::flag(
                        &mut tx,
                        tenant,
                        p.id,
                        "a webhook said paid but the provider's verify does not confirm it",
                    )
                    .await
                    .map_err(retry)?;
                }
            }
            Status::Failed(f) => {
                if store::payments::mark_failed(&mut tx, tenant, p.id, &failure_code(f))
                    .await
                    .map_err(retry)?
                {
                    let key = match f {
                        Failure::Cancelled => Key::PayFailedCancelled,
                        Failure::WrongPin => Key::PayFailedPin,
                        Failure::Unreachable => Key::PayFailedUnreachable,
                        Failure::InsufficientFunds => Key::PayFailedFunds,
                        _ => Key::PayFailedOther,
                    };
                    let body = cx.say(
                        key,
                        &[
                            ("ref", &cx.order.order_ref),
                            ("business", &cx.tenant.business_name),
                        ],
                    );
                    cx.tell(&mut tx, Purpose::Reply, body, Vec::new())
                        .await
                        .map_err(out_err)?;
                    // The customer was told someone will help: someone is told.
                    let detail = format!(
                        "{} {}: {}",
                        cx.order.order_ref,
                        cx.money(p.amount),
                        failure_code(f)
                    );
                    crate::inbox::needs_person(
                        &mut tx,
                        tenant,
                        cx.customer.id,
                        domain::messages::Attention::PaymentDeclined,
                        &detail,
                    )
                    .await
                    .map_err(|e| JobError::Retry(format!("{e:#}")))?;
                }
            }
        }
        if let Some(e) = event {
            store::payments::mark_event_processed(&mut tx, e)
                .await
                .map_err(retry)?;
        }
        tx.commit().await.map_err(retry)?;
        svc.wake_outbound();
        Ok(())
    }
}

async fn done_event(svc: &Services, event: Option<uuid::Uuid>) -> Result<(), JobError> {
    if let Some(e) = event {
        store::payments::mark_event_processed(&svc.db, e)
            .await
            .map_err(retry)?;
    }
    Ok(())
}

/// Why a verified payment cannot be accepted as it is, if it cannot.
fn mismatch(p: &Payment, v: &Verified) -> Option<String> {
    if let (Some(theirs), Some(ours)) = (&v.reference, &p.reference)
        && theirs != ours
    {
        return Some(format!(
            "the provider reports reference {theirs}, not {ours}"
        ));
    }
    match (&v.currency, v.amount) {
        (Some(c), _) if !c.eq_ignore_ascii_case(p.currency.code()) => Some(format!(
            "the provider reports currency {c}, not {}",
            p.currency
        )),
        (_, Some(a)) if a != p.amount => Some(format!(
            "the provider reports {a} minor units, not {}",
            p.amount
        )),
        (None, _) | (_, None) if p.provider != "mpesa" => {
            Some("the provider's verify reports no amount or currency".into())
        }
        _ => None,
    }
}

fn failure_code(f: &Failure) -> String {
    match f {
        Failure::Cancelled => "cancelled".into(),
        Failure::WrongPin => "wrong_pin".into(),
        Failure::Unreachable => "unreachable".into(),
        Failure::InsufficientFunds => "insufficient_funds".into(),
        Failure::Expired => "expired".into(),
        Failure::Other { code, message } => format!("{code}: {message}"),
    }
}

/// Marks `p` paid (once) and, the first time: consumes the order's stock
/// if the business does so on payment, voids open requests for more than
/// is now due (a stale link), flags an overpayment for staff and sends a
/// receipt that tells the truth about it. False if it was already paid.
pub(crate) async fn confirm(
    tx: &mut Tx,
    cx: &Context,
    p: &Payment,
    provider_txn: Option<&str>,
    by: Option<domain::UserId>,
) -> Result<bool, OutboundError> {
    let tenant = cx.tenant.id;
    let before = store::orders::get(&mut *tx, tenant, p.order_id).await?;
    if !store::payments::mark_paid(&mut *tx, tenant, p, provider_txn, by).await? {
        return Ok(false);
    }
    paid(tx, cx, p, &before, by).await?;
    Ok(true)
}

/// What follows money received on an order (`before`: the order as it was
/// before this payment): stock on payment, stale links voided, an
/// overpayment flagged, the receipt.
pub(crate) async fn paid(
    tx: &mut Tx,
    cx: &Context,
    p: &Payment,
    before: &store::orders::Order,
    by: Option<domain::UserId>,
) -> Result<(), OutboundError> {
    let tenant = cx.tenant.id;
    if cx.settings.consume_stock_on == store::business::ConsumeOn::Payment {
        store::inventory::consume(&mut *tx, tenant, p.order_id, by).await?;
    }
    let due_before = (before.price - before.amount_paid).max(0);
    let due_now = (due_before - p.amount).max(0);
    // This kind is paid; and a link for more than is now due is stale.
    store::payments::supersede_open(&mut *tx, tenant, p.order_id, Some(&p.kind), None).await?;
    store::payments::supersede_open(&mut *tx, tenant, p.order_id, None, Some(due_now)).await?;
    let over = p.amount - due_before;
    let (key, flag) = if over > 0 {
        let why = format!(
            "paid {} more than was due ({} due, {} paid)",
            cx.money(over),
            cx.money(due_before),
            cx.money(p.amount)
        );
        (Key::PaymentReceiptOver, Some(why))
    } else {
        (Key::PaymentReceipt, None)
    };
    if let Some(why) = &flag {
        store::payments::flag(&mut *tx, tenant, p.id, why).await?;
        tracing::warn!(payment = %p.id, reason = %why, "overpayment flagged for staff");
    }
    let body = cx.say(
        key,
        &[
            ("amount", &cx.money(p.amount)),
            ("ref", &before.order_ref),
            ("balance", &cx.money(due_now)),
            ("over", &cx.money(over.max(0))),
            ("business", &cx.tenant.business_name),
        ],
    );
    let params = vec![
        cx.money(p.amount),
        before.order_ref.clone(),
        cx.money(due_now),
    ];
    cx.tell(tx, Purpose::Receipt, body, params).await
}

/// Records money staff received (`p`, just inserted as paid) with the same
/// effects as a confirmation.
pub(crate) async fn received_in(
    db: &store::Db,
    tx: &mut Tx,
    tenant: TenantId,
    p: &Payment,
    before: &store::orders::Order,
    by: domain::UserId,
) -> Result<(), OutboundError> {
    let cx = Context::load(db, tenant, p).await?;
    paid(tx, &cx, p, before, Some(by)).await
}

/// Confirms `p` in the caller's transaction, as staff (`by`) or a
/// provider: the same effects either way. False if it was already paid.
pub(crate) async fn confirm_in(
    db: &store::Db,
    tx: &mut Tx,
    tenant: TenantId,
    p: &Payment,
    by: Option<domain::UserId>,
) -> Result<bool, OutboundError> {
    let cx = Context::load(db, tenant, p).await?;
    confirm(tx, &cx, p, None, by).await
}

/// Reminds the customer of a pending payment in the caller's transaction:
/// the same link while it is valid, else a new attempt (a new reference)
/// whose link the `create_payment` job sends.
pub(crate) async fn remind_in(
    svc: &Services,
    tx: &mut Tx,
    tenant: TenantId,
    p: &Payment,
) -> Result<(), RemindError> {
    let now = svc.clock.now();
    let expired = p.expires_at.is_some_and(|e| e <= now);
    match (&p.payment_link, expired) {
        (Some(url), false) => {
            let cx = Context::load(&svc.db, tenant, p).await?;
            let what = cx.say(what(&p.kind), &[]);
            let body = cx.say(
                Key::PayReminder,
                &[
                    ("what", &what),
                    ("ref", &cx.order.order_ref),
                    ("amount", &cx.money(p.amount)),
                    ("url", url),
                ],
            );
            store::payments::count_reminder(&mut *tx, tenant, p.id, now).await?;
            let params = cx.link_params(p.amount, url);
            cx.tell(tx, Purpose::PaymentReminder, body, params).await?;
        }
        _ => renew_in(svc, tx, tenant, p, None).await?,
    }
    Ok(())
}

/// Replaces an expired (or push) request with a new reference and asks
/// the provider again; the `create_payment` job sends the new link as a
/// reminder: `reminder`'s text with its `{link}` filled in, or the
/// standard link message.
pub(crate) async fn renew_in(
    svc: &Services,
    tx: &mut Tx,
    tenant: TenantId,
    p: &Payment,
    reminder: Option<String>,
) -> Result<(), RemindError> {
    let token = if p.provider == "mpesa" {
        Some(callback_token()?)
    } else {
        None
    };
    let reference = new_reference();
    store::payments::renew(
        &mut *tx,
        tenant,
        p.id,
        &reference,
        token.as_deref(),
        Some(svc.clock.now() + svc.pay.link_ttl),
    )
    .await?;
    jobs::enqueue(
        &mut *tx,
        &jobs::CreatePayment {
            payment_id: p.id,
            tenant_id: tenant,
            reference: Some(reference),
            reminder,
        },
        None,
    )
    .await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum RemindError {
    #[error(transparent)]
    Outbound(#[from] OutboundError),
    #[error(transparent)]
    NoRandomness(#[from] NoRandomness),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_tokens_are_long_random_and_never_repeat() {
        let a = callback_token().unwrap();
        let b = callback_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
