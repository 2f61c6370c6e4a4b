//! How a business takes orders: opening hours, delivery and pickup, payment
//! methods, when stock is consumed, deposits, the human hand-off and its own
//! wording of the bot's texts. One row per tenant; a tenant without one has
//! the defaults, which are the migration's column defaults.

use crate::{Ex, StoreResult, now, run};
use chrono::{DateTime, Utc};
use domain::TenantId;
use domain::hours::OpeningHours;
use domain::order::PaymentMethod;
use domain::text::Overrides;
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use uuid::Uuid;

/// When an order's reserved stock leaves the shelf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsumeOn {
    Delivery,
    Payment,
}

impl ConsumeOn {
    pub fn as_str(&self) -> &'static str {
        match self {
            ConsumeOn::Delivery => "delivery",
            ConsumeOn::Payment => "payment",
        }
    }
}

impl TryFrom<String> for ConsumeOn {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "delivery" => Ok(ConsumeOn::Delivery),
            "payment" => Ok(ConsumeOn::Payment),
            _ => Err(s),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Settings {
    /// An empty week means always open.
    pub hours: OpeningHours,
    /// Whether orders placed while closed are taken for the next opening.
    pub accepts_scheduled: bool,
    pub offers_delivery: bool,
    pub offers_pickup: bool,
    /// In the order offered to customers.
    pub payment_methods: Vec<PaymentMethod>,
    /// Shown to customers who pay by transfer.
    pub bank_details: Option<String>,
    pub consume_stock_on: ConsumeOn,
    /// The share of the total asked up front, 0 to 100.
    pub deposit_percent: i32,
    /// How long "talk to a person" pauses the bot for that customer.
    pub handoff_hours: i32,
    /// The business's own wording: language → text key → template.
    #[schema(value_type = std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>)]
    pub texts: Overrides,
    /// Quiet hours in the business's time, "HH:MM": nothing automated is
    /// sent from `quiet_start` until `quiet_end` (equal: never quiet).
    pub quiet_start: String,
    pub quiet_end: String,
    /// When they were last changed; absent while they are the defaults.
    pub updated_at: Option<DateTime<Utc>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            hours: OpeningHours::default(),
            accepts_scheduled: false,
            offers_delivery: true,
            offers_pickup: true,
            payment_methods: vec![PaymentMethod::Transfer, PaymentMethod::Cash],
            bank_details: None,
            consume_stock_on: ConsumeOn::Delivery,
            deposit_percent: 50,
            handoff_hours: 12,
            texts: Overrides::new(),
            quiet_start: "21:00".into(),
            quiet_end: "08:00".into(),
            updated_at: None,
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    hours: Json<OpeningHours>,
    accepts_scheduled: bool,
    offers_delivery: bool,
    offers_pickup: bool,
    payment_methods: Json<Vec<PaymentMethod>>,
    bank_details: Option<String>,
    #[sqlx(try_from = "String")]
    consume_stock_on: ConsumeOn,
    deposit_percent: i32,
    handoff_hours: i32,
    texts: Json<Overrides>,
    quiet_start: String,
    quiet_end: String,
    updated_at: DateTime<Utc>,
}

impl From<Row> for Settings {
    fn from(r: Row) -> Settings {
        Settings {
            hours: r.hours.0,
            accepts_scheduled: r.accepts_scheduled,
            offers_delivery: r.offers_delivery,
            offers_pickup: r.offers_pickup,
            payment_methods: r.payment_methods.0,
            bank_details: r.bank_details,
            consume_stock_on: r.consume_stock_on,
            deposit_percent: r.deposit_percent,
            handoff_hours: r.handoff_hours,
            texts: r.texts.0,
            quiet_start: r.quiet_start,
            quiet_end: r.quiet_end,
            updated_at: Some(r.updated_at),
        }
    }
}

/// The business's settings, or the defaults if it never changed them.
pub async fn get(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Settings> {
    let row = run!(ex, c => sqlx::query_as::<_, Row>(
        "SELECT hours, accepts_scheduled, offers_delivery, offers_pickup, payment_methods, bank_details, \
         consume_stock_on, deposit_percent, handoff_hours, texts, quiet_start, quiet_end, updated_at \
         FROM business_settings WHERE tenant_id = $1",
    )
    .bind(tenant.0)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(Settings::from).unwrap_or_default())
}

/// A change to the settings; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub hours: Option<OpeningHours>,
    pub accepts_scheduled: Option<bool>,
    pub offers_delivery: Option<bool>,
    pub offers_pickup: Option<bool>,
    pub payment_methods: Option<Vec<PaymentMethod>>,
    /// `Some(None)` clears them.
    pub bank_details: Option<Option<String>>,
    pub consume_stock_on: Option<ConsumeOn>,
    pub deposit_percent: Option<i32>,
    pub handoff_hours: Option<i32>,
    pub texts: Option<Overrides>,
    /// Checked "HH:MM" times (`domain::automation::QuietHours::parse`).
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
}

/// Applies `p` in one statement: creates the row from the defaults plus `p`,
/// or changes only the fields `p` gives, so two owners changing different
/// settings at once both keep their change.
pub async fn update(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    p: &SettingsPatch,
) -> StoreResult<Settings> {
    let mut ex = ex.into();
    let d = Settings::default();
    let bank_set = p.bank_details.is_some();
    let bank = p.bank_details.clone().unwrap_or(d.bank_details.clone());
    run!(ex.re(), c => sqlx::query(
        "INSERT INTO business_settings (id, tenant_id, hours, accepts_scheduled, offers_delivery, offers_pickup, \
         payment_methods, bank_details, consume_stock_on, deposit_percent, handoff_hours, texts, updated_at, \
         quiet_start, quiet_end) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $24, $25) \
         ON CONFLICT (tenant_id) DO UPDATE SET \
           hours = CASE WHEN $14 THEN excluded.hours ELSE business_settings.hours END, \
           accepts_scheduled = CASE WHEN $15 THEN excluded.accepts_scheduled ELSE business_settings.accepts_scheduled END, \
           offers_delivery = CASE WHEN $16 THEN excluded.offers_delivery ELSE business_settings.offers_delivery END, \
           offers_pickup = CASE WHEN $17 THEN excluded.offers_pickup ELSE business_settings.offers_pickup END, \
           payment_methods = CASE WHEN $18 THEN excluded.payment_methods ELSE business_settings.payment_methods END, \
           bank_details = CASE WHEN $19 THEN excluded.bank_details ELSE business_settings.bank_details END, \
           consume_stock_on = CASE WHEN $20 THEN excluded.consume_stock_on ELSE business_settings.consume_stock_on END, \
           deposit_percent = CASE WHEN $21 THEN excluded.deposit_percent ELSE business_settings.deposit_percent END, \
           handoff_hours = CASE WHEN $22 THEN excluded.handoff_hours ELSE business_settings.handoff_hours END, \
           texts = CASE WHEN $23 THEN excluded.texts ELSE business_settings.texts END, \
           quiet_start = CASE WHEN $26 THEN excluded.quiet_start ELSE business_settings.quiet_start END, \
           quiet_end = CASE WHEN $27 THEN excluded.quiet_end ELSE business_settings.quiet_end END, \
           updated_at = excluded.updated_at",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(Json(p.hours.as_ref().unwrap_or(&d.hours)))
    .bind(p.accepts_scheduled.unwrap_or(d.accepts_scheduled))
    .bind(p.offers_delivery.unwrap_or(d.offers_delivery))
    .bind(p.offers_pickup.unwrap_or(d.offers_pickup))
    .bind(Json(p.payment_methods.as_ref().unwrap_or(&d.payment_methods)))
    .bind(&bank)
    .bind(p.consume_stock_on.unwrap_or(d.consume_stock_on).as_str())
    .bind(p.deposit_percent.unwrap_or(d.deposit_percent))
    .bind(p.handoff_hours.unwrap_or(d.handoff_hours))
    .bind(Json(p.texts.as_ref().unwrap_or(&d.texts)))
    .bind(now())
    .bind(p.hours.is_some())
    .bind(p.accepts_scheduled.is_some())
    .bind(p.offers_delivery.is_some())
    .bind(p.offers_pickup.is_some())
    .bind(p.payment_methods.is_some())
    .bind(bank_set)
    .bind(p.consume_stock_on.is_some())
    .bind(p.deposit_percent.is_some())
    .bind(p.handoff_hours.is_some())
    .bind(p.texts.is_some())
    .bind(p.quiet_start.as_ref().unwrap_or(&d.quiet_start))
    .bind(p.quiet_end.as_ref().unwrap_or(&d.quiet_end))
    .bind(p.quiet_start.is_some())
    .bind(p.quiet_end.is_some())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    get(ex, tenant).await
}

/// The settings of many businesses (automation's cycle); a business that
/// never changed its settings is absent (it has the defaults).
pub async fn by_tenants(
    ex: impl Into<Ex<'_>>,
    ids: &[TenantId],
) -> StoreResult<std::collections::HashMap<TenantId, Settings>> {
    #[derive(sqlx::FromRow)]
    struct Keyed {
        tenant_id: Uuid,
        #[sqlx(flatten)]
        row: Row,
    }
    let ids: Vec<Uuid> = ids.iter().map(|t| t.0).collect();
    let rows: Vec<Keyed> = crate::select_in(
        ex,
        "SELECT tenant_id, hours, accepts_scheduled, offers_delivery, offers_pickup, payment_methods, \
         bank_details, consume_stock_on, deposit_percent, handoff_hours, texts, quiet_start, quiet_end, \
         updated_at FROM business_settings WHERE tenant_id",
        &ids,
        "",
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|k| (TenantId(k.tenant_id), Settings::from(k.row)))
        .collect())
}
