//! The payments service: what staff (the API, the dashboard, WhatsApp
//! commands) and automation do with money. Each operation takes typed input
//! and returns a typed error that the front ends map to their own answer;
//! the rules live here once:
//!
//! - the default amount of each kind: a deposit asks for what is still due
//!   of the deposit, a balance for the balance, `full` for the price;
//! - nothing asks a provider for zero, nor for more than is due;
//! - at most one open request per order and kind: a new one voids the old;
//! - a manual payment (transfer, cash) is recorded paid in one transaction
//!   with its receipt, and asks no provider;
//! - a reminder is not essential: a customer who opted out is not reminded.

use crate::pay::{self, RemindError, RequestError};
use crate::services::Services;
use domain::payment::PaymentStatus;
use domain::{OrderId, PaymentId, TenantId, UserId};
use store::StoreError;
use store::payments::{Debt, NewPayment, Payment};

/// What a payment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Deposit,
    Balance,
    Full,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "deposit" => Some(Kind::Deposit),
            "balance" => Some(Kind::Balance),
            "full" => Some(Kind::Full),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deposit => "deposit",
            Kind::Balance => "balance",
            Kind::Full => "full",
        }
    }
}

/// How staff received money themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Transfer,
    Cash,
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        match s {
            "transfer" => Some(Method::Transfer),
            "cash" => Some(Method::Cash),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Method::Transfer => "transfer",
            Method::Cash => "cash",
        }
    }
}

pub use crate::error::ServiceError as PaymentError;

impl From<RequestError> for PaymentError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::NothingDue => invalid("amount", "nothing is due"),
            RequestError::NoRandomness(e) => PaymentError::Internal(e.to_string()),
            RequestError::Store(e) => e.into(),
        }
    }
}

impl From<RemindError> for PaymentError {
    fn from(e: RemindError) -> Self {
        match e {
            RemindError::Outbound(e) => e.into(),
            RemindError::NoRandomness(e) => PaymentError::Internal(e.to_string()),
            RemindError::Store(e) => e.into(),
        }
    }
}

fn invalid(field: &'static str, message: &str) -> PaymentError {
    PaymentError::invalid(field, message)
}

/// What the next payment on an order is for: the deposit until what was
/// paid covers it, then the balance. Staff recording money (WhatsApp
/// commands, the dashboard) and one-click links use it.
pub fn next_kind(paid: i64, deposit: i64) -> Kind {
    if paid < deposit {
        Kind::Deposit
    } else {
        Kind::Balance
    }
}

/// The amount a request of `kind` asks for when staff give none.
pub fn default_amount(kind: Kind, price: i64, deposit: i64, paid: i64) -> i64 {
    match kind {
        Kind::Deposit => (deposit - paid).max(0),
        Kind::Balance => (price - paid).max(0),
        Kind::Full => price,
    }
}

/// A request for a link or push.
#[derive(Debug, Clone)]
pub struct LinkRequest {
    pub order: OrderId,
    pub kind: Kind,
    /// Minor units; by default [`default_amount`].
    pub amount: Option<i64>,
    /// By default the business's first active provider.
    pub provider: Option<String>,
}

/// Asks a provider for a payment on an order: the request is recorded
/// (voiding any open one of the same kind) with the job that asks the
/// provider; the link reaches the customer moments later.
pub async fn request_link(
    svc: &Services,
    tenant: TenantId,
    r: &LinkRequest,
) -> Result<Payment, PaymentError> {
    let order = store::orders::get(&svc.db, tenant, r.order).await?;
    let due = order.balance_due;
    let amount = r.amount.unwrap_or_else(|| {
        default_amount(r.kind, order.price, order.deposit_amount, order.amount_paid)
    });
    if amount <= 0 {
        return Err(invalid("amount", "nothing is due; give an amount above 0"));
    }
    if amount > due {
        return Err(invalid("amount", "more than the order's balance due"));
    }
    let provider = match &r.provider {
        Some(p) if pay::PROVIDERS.contains(&p.as_str()) => p.clone(),
        Some(_) => {
            return Err(invalid(
                "provider",
                "use paystack, flutterwave, mpesa, stripe or sandbox",
            ));
        }
        None => pay::default_provider(&svc.db, &svc.pay, tenant)
            .await?
            .ok_or_else(|| {
                invalid(
                    "provider",
                    "no payment provider is set up for this business",
                )
            })?,
    };
    let row = store::payments::provider(&svc.db, tenant, &provider).await?;
    if pay::provider_for(&svc.pay, &svc.sealer, &provider, row.as_ref()).is_err() {
        return Err(invalid(
            "provider",
            "this provider is not set up for this business",
        ));
    }
    let mut tx = svc.db.begin().await?;
    let id = pay::request(
        &mut tx,
        &svc.pay,
        svc.clock.now(),
        tenant,
        &order,
        r.kind.as_str(),
        amount,
        &provider,
    )
    .await?;
    tx.commit().await?;
    Ok(store::payments::get(&svc.db, tenant, id).await?)
}

/// Money staff received themselves.
#[derive(Debug, Clone)]
pub struct ManualPayment {
    pub order: OrderId,
    pub amount: i64,
    pub method: Method,
    pub kind: Kind,
    pub by: UserId,
}

/// Records a transfer or cash payment as paid, in one transaction with
/// its effects (balance, the customer's figures, stock on payment, stale
/// links voided, the receipt); no provider is asked.
pub async fn record_manual(
    svc: &Services,
    tenant: TenantId,
    m: &ManualPayment,
) -> Result<Payment, PaymentError> {
    let order = store::orders::get(&svc.db, tenant, m.order).await?;
    if m.amount <= 0 || m.amount > order.balance_due {
        return Err(invalid(
            "amount",
            "must be above 0 and at most the balance due",
        ));
    }
    let mut tx = svc.db.begin().await?;
    let id = store::payments::insert(
        &mut tx,
        tenant,
        &NewPayment {
            order_id: order.id,
            customer_id: order.customer_id,
            amount: m.amount,
            currency: order.currency,
            kind: m.kind.as_str(),
            provider: m.method.as_str(),
            provider_ref: None,
            status: PaymentStatus::Paid,
            confirmed_by: Some(m.by),
        },
    )
    .await?;
    let p = store::payments::get(&mut tx, tenant, id).await?;
    pay::received_in(&svc.db, &mut tx, tenant, &p, &order, m.by).await?;
    tx.commit().await?;
    svc.wake_outbound();
    Ok(store::payments::get(&svc.db, tenant, id).await?)
}

/// A pending payment of the business, or why it cannot be acted on.
async fn pending(svc: &Services, tenant: TenantId, id: PaymentId) -> Result<Payment, PaymentError> {
    let p = store::payments::get(&svc.db, tenant, id).await?;
    if p.status.settled() {
        return Err(PaymentError::conflict(
            "already_paid",
            format!("this payment is {}", p.status),
            None,
        ));
    }
    Ok(p)
}

/// Staff confirm a payment they saw arrive (a transfer in the bank, cash at
/// pickup): the same effects as a provider's confirmation, once.
pub async fn confirm(
    svc: &Services,
    tenant: TenantId,
    id: PaymentId,
    by: UserId,
) -> Result<Payment, PaymentError> {
    let p = pending(svc, tenant, id).await?;
    let mut tx = svc.db.begin().await?;
    pay::confirm_in(&svc.db, &mut tx, tenant, &p, Some(by)).await?;
    tx.commit().await?;
    svc.wake_outbound();
    Ok(store::payments::get(&svc.db, tenant, id).await?)
}

/// Reminds the customer of a pending payment: the same link while it is
/// valid, else a new one. Refused for a customer who opted out.
pub async fn remind(
    svc: &Services,
    tenant: TenantId,
    id: PaymentId,
) -> Result<Payment, PaymentError> {
    let p = pending(svc, tenant, id).await?;
    let order = store::orders::get(&svc.db, tenant, p.order_id).await?;
    let customer = store::customers::get(&svc.db, tenant, order.customer_id).await?;
    if !crate::outbound::allowed(domain::outbound::Purpose::PaymentReminder, &customer) {
        return Err(PaymentError::opted_out());
    }
    let mut tx = svc.db.begin().await?;
    pay::remind_in(svc, &mut tx, tenant, &p).await?;
    tx.commit().await?;
    svc.wake_outbound();
    Ok(store::payments::get(&svc.db, tenant, id).await?)
}

/// Money received since the start of the business's day, week (from
/// Monday) or month, in its timezone: how many payments and their sum.
pub async fn sales(
    svc: &Services,
    tenant: TenantId,
    period: SalesPeriod,
) -> Result<(i64, i64), PaymentError> {
    use chrono::Datelike;
    let t = store::tenants::get(&svc.db, tenant).await?;
    let tz = t.tz();
    let today = svc.clock.now().with_timezone(&tz).date_naive();
    let start = match period {
        SalesPeriod::Today => today,
        SalesPeriod::Week => {
            today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()))
        }
        SalesPeriod::Month => today.with_day(1).unwrap_or(today),
    };
    let since = start
        .and_hms_opt(0, 0, 0)
        .and_then(|m| chrono::TimeZone::from_local_datetime(&tz, &m).earliest())
        .map(|d| d.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| svc.clock.now());
    Ok(store::payments::paid_since(&svc.db, tenant, since).await?)
}

/// The periods sales are summed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SalesPeriod {
    Today,
    Week,
    Month,
}

/// Every order with money due, with its open request if any.
pub async fn unpaid(svc: &Services, tenant: TenantId) -> Result<Vec<Debt>, PaymentError> {
    Ok(store::payments::debts(&svc.db, tenant, 500).await?)
}

/// Stores an authenticated provider webhook under its unique key, with the
/// job that verifies it, in one transaction. `None`: a redelivery, nothing
/// changed.
pub async fn record_webhook(
    svc: &Services,
    tenant: Option<TenantId>,
    provider: &str,
    event_key: &str,
    payment: Option<PaymentId>,
    payload: &serde_json::Value,
) -> Result<Option<uuid::Uuid>, StoreError> {
    let mut tx = svc.db.begin().await?;
    let stored =
        store::payments::record_event(&mut tx, tenant, provider, event_key, payment, payload)
            .await?;
    if let (Some(event_id), Some(payment_id), Some(tenant_id)) = (stored, payment, tenant) {
        crate::jobs::enqueue(
            &mut tx,
            &crate::jobs::VerifyPayment {
                payment_id,
                tenant_id,
                event_id: Some(event_id),
                query: None,
            },
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_asks_for_what_is_still_due_of_it() {
        // ₦45,000 with a ₦15,000 deposit, ₦5,000 paid.
        assert_eq!(
            default_amount(Kind::Deposit, 4_500_000, 1_500_000, 500_000),
            1_000_000
        );
        assert_eq!(
            default_amount(Kind::Balance, 4_500_000, 1_500_000, 500_000),
            4_000_000
        );
        assert_eq!(
            default_amount(Kind::Full, 4_500_000, 1_500_000, 0),
            4_500_000
        );
        // A deposit already paid asks for nothing.
        assert_eq!(
            default_amount(Kind::Deposit, 4_500_000, 1_500_000, 2_000_000),
            0
        );
    }

    #[test]
    fn the_deposit_comes_first_then_the_balance() {
        assert_eq!(next_kind(0, 1_500_000), Kind::Deposit);
        assert_eq!(next_kind(1_000_000, 1_500_000), Kind::Deposit);
        assert_eq!(next_kind(1_500_000, 1_500_000), Kind::Balance);
        assert_eq!(next_kind(0, 0), Kind::Balance);
    }

    #[test]
    fn kinds_and_methods_read_what_the_api_sends() {
        for k in [Kind::Deposit, Kind::Balance, Kind::Full] {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("tip"), None);
        assert_eq!(Method::parse("cash"), Some(Method::Cash));
        assert_eq!(Method::parse("card"), None);
    }
}
