//! # nlu: the built-in understanding of customers' chat messages
//!
//! `parse(&Message, &Context) -> Understanding` turns one WhatsApp message into
//! the structured answer the conversation engine acts on: one intent and the
//! fields the message carries (style, quantity, deadline, catalog items,
//! measurements, fulfilment, payment method and reference, amount, order
//! reference, name). The contract is `shared/design/nlu.md`.
//!
//! It is deliberately pure: no IO, no async, no network, no model weights. It
//! understands English as written in Lagos and Nairobi (with common Nigerian
//! Pidgin), Swahili, and Rioplatense Spanish through hand-written lexicons and
//! a small token-level grammar, and it runs in microseconds per message.
//!
//! Around `parse` the crate also offers what the `sokoni` CLI wires up:
//! [`parse_stream`] (JSON lines in, JSON lines out), [`evaluate`] (accuracy on
//! a labelled file), [`bench`] (messages per second on the current thread),
//! and [`extract_price_list`] (a pasted price list becomes catalog entries).
//!
//! [`setup`] reads the onboarding chat's free-text answers: opening hours
//! ([`parse_hours`]), delivery zones with fees ([`parse_zones`]) and payment
//! methods ([`parse_payment_details`]).
//!
//! [`parse_command`] is the other grammar: the staff commands the owner and
//! staff type into their own business's chat ("orders today", "paid SEW-0042
//! 15,000", "stock sukari +20"), a typed [`Command`] or why not.

mod catalog;
mod command;
mod dates;
mod eval;
mod fields;
mod intent;
mod lexicon;
mod measure;
mod pricelist;
pub mod setup;
mod style;
mod text;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

pub use command::{
    Command, CommandParse, LONG, Language, OrderFilter, OrderRef, Period, ProductMatch, Stage,
    StockChange, find_product, parse_command, yes_no,
};
pub use eval::{
    BenchReport, EvalError, EvalReport, FIELDS, Failure, FieldScore, LABELLED, bench, evaluate,
    parse_stream,
};
pub use pricelist::{ExtractedProduct, extract_price_list};
pub use setup::{
    HoursProblem, ParsedHours, ParsedZone, ParsedZones, PaymentDetail, PaymentReading, Shift,
    cbu_is_valid, parse_hours, parse_payment_details, parse_zones, read_payment_details,
};

/// The business type of the tenant the message was sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vertical {
    Tailor,
    Shop,
    Restaurant,
}

impl Vertical {
    pub fn as_str(self) -> &'static str {
        match self {
            Vertical::Tailor => "tailor",
            Vertical::Shop => "shop",
            Vertical::Restaurant => "restaurant",
        }
    }
}

/// One product of the tenant's catalog, as the matcher sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogItem {
    pub sku: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The inbound chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub text: String,
}

impl Message {
    pub fn new(text: impl Into<String>) -> Self {
        Message { text: text.into() }
    }
}

/// Everything about the tenant that understanding a message depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// BCP 47 tag: "en-NG", "en-KE", "sw-KE", "es-AR", ...
    pub locale: String,
    pub vertical: Vertical,
    /// The time the message arrived; relative dates are computed from it.
    pub now: DateTime<FixedOffset>,
    /// The tenant's timezone: dates are calendar dates there.
    pub timezone: Tz,
    pub catalog: Vec<CatalogItem>,
}

impl Context {
    /// The calendar date of `now` in the tenant's timezone.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.timezone).date_naive()
    }
}

/// The one thing the business must act on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    NewOrder,
    AddMeasurements,
    ReuseMeasurements,
    OrderStatus,
    PaymentNotice,
    CancelOrder,
    MenuRequest,
    Greeting,
    OptOut,
    HumanHandoff,
    #[default]
    Unknown,
}

impl Intent {
    pub const ALL: [Intent; 11] = [
        Intent::NewOrder,
        Intent::AddMeasurements,
        Intent::ReuseMeasurements,
        Intent::OrderStatus,
        Intent::PaymentNotice,
        Intent::CancelOrder,
        Intent::MenuRequest,
        Intent::Greeting,
        Intent::OptOut,
        Intent::HumanHandoff,
        Intent::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::NewOrder => "new_order",
            Intent::AddMeasurements => "add_measurements",
            Intent::ReuseMeasurements => "reuse_measurements",
            Intent::OrderStatus => "order_status",
            Intent::PaymentNotice => "payment_notice",
            Intent::CancelOrder => "cancel_order",
            Intent::MenuRequest => "menu_request",
            Intent::Greeting => "greeting",
            Intent::OptOut => "opt_out",
            Intent::HumanHandoff => "human_handoff",
            Intent::Unknown => "unknown",
        }
    }
}

/// A catalog product and how many of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub sku: String,
    pub qty: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    Delivery,
    Pickup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Transfer,
    Cash,
    Card,
    Mpesa,
}

/// The structured reading of one message (the nlu.md output line). Fields the
/// message does not carry are `None` and are omitted from the JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Understanding {
    pub intent: Intent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// Serialised as "YYYY-MM-DD".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Item>>,
    /// Inches, rounded to 2 decimals, keyed by lowercase measurement name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measurements: Option<BTreeMap<String, f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulfilment: Option<Fulfilment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<PaymentMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_ref: Option<String>,
    /// Major currency units; currency words and symbols dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The nlu.md input line: the message and its context in one JSON object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputLine {
    pub text: String,
    #[serde(default)]
    pub locale: String,
    pub vertical: Vertical,
    pub now: DateTime<FixedOffset>,
    /// IANA name; when absent it is guessed from the locale.
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub catalog: Vec<CatalogItem>,
}

/// Why an input line could not become a message and context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

impl InputLine {
    /// Splits the line into the message and its context.
    pub fn into_parts(self) -> Result<(Message, Context), BadInput> {
        let timezone = match &self.timezone {
            Some(name) => name
                .parse::<Tz>()
                .map_err(|_| BadInput(format!("unknown timezone {name:?}")))?,
            None => default_timezone(&self.locale),
        };
        Ok((
            Message { text: self.text },
            Context {
                locale: self.locale,
                vertical: self.vertical,
                now: self.now,
                timezone,
                catalog: self.catalog,
            },
        ))
    }
}

/// A sensible timezone for a locale when the caller gave none.
pub fn default_timezone(locale: &str) -> Tz {
    let region = locale.rsplit(['-', '_']).next().unwrap_or("");
    match region.to_ascii_uppercase().as_str() {
        "NG" => chrono_tz::Africa::Lagos,
        "KE" | "SW" => chrono_tz::Africa::Nairobi,
        "TZ" => chrono_tz::Africa::Dar_es_Salaam,
        "GH" => chrono_tz::Africa::Accra,
        "AR" | "ES" => chrono_tz::America::Argentina::Buenos_Aires,
        _ => chrono_tz::UTC,
    }
}

/// The language family that selects number words and some lexicons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// English (Nigerian, Kenyan, Pidgin) and Swahili: Kenyans mix both freely.
    En,
    Es,
}

impl Lang {
    pub(crate) fn of(locale: &str) -> Lang {
        if locale
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("es"))
        {
            Lang::Es
        } else {
            Lang::En
        }
    }
}

/// Understands one message. Deterministic, never panics, no IO.
pub fn parse(msg: &Message, ctx: &Context) -> Understanding {
    let mut text = text::Text::new(&msg.text);
    let lang = Lang::of(&ctx.locale);
    let mut used = vec![false; text.len()];

    let (payment_ref, mpesa_code) = fields::payment_ref(&text, &mut used, ctx);
    let order_ref = fields::order_ref(&text, &mut used);
    // References are opaque: "SEW" in "SEW-0042" must not read as "sew".
    let refs: Vec<usize> = used
        .iter()
        .enumerate()
        .filter(|(_, u)| **u)
        .map(|(i, _)| i)
        .collect();
    for i in refs {
        text.hide(i, i + 1);
    }
    let measurements = measure::extract(&text, &mut used, lang);
    let deadline = dates::deadline(&text, &mut used, ctx.today());
    let amount = fields::amount(&text, &mut used);
    let items = catalog::items(&text, &mut used, &ctx.catalog, lang);
    let (style, mut quantity, _definite) = style::extract(&text, &mut used, lang);
    if quantity.is_none() && items.is_empty() {
        quantity = fields::bare_quantity(&text, &used, lang);
    }
    let name = fields::name(&text);
    let fulfilment = fields::fulfilment(&text);
    let mut payment_method = fields::payment_method(&text);
    if payment_method.is_none() && mpesa_code {
        payment_method = Some(PaymentMethod::Mpesa);
    }

    let found = intent::Found {
        items: !items.is_empty(),
        style: style.is_some(),
        measurements: !measurements.is_empty(),
        order_ref: order_ref.is_some(),
        payment_ref: payment_ref.is_some(),
        quantity: quantity.is_some(),
        deadline: deadline.is_some(),
    };
    let intent = intent::classify(&text, &found);
    // Only orders have due dates: "What do you have today?", "sent on
    // 20/11/26" and "hasta qué hora toman pedidos hoy" carry none.
    let deadline = deadline.filter(|_| {
        matches!(
            intent,
            Intent::NewOrder
                | Intent::OrderStatus
                | Intent::AddMeasurements
                | Intent::ReuseMeasurements
                | Intent::CancelOrder
        )
    });
    let mut amount = amount;
    if amount.is_none() && intent == Intent::PaymentNotice {
        amount = fields::paid_amount(&text, &used);
    }

    Understanding {
        intent,
        style,
        quantity,
        deadline,
        items: (!items.is_empty()).then_some(items),
        measurements: (!measurements.is_empty()).then_some(measurements),
        fulfilment,
        payment_method,
        payment_ref,
        amount,
        order_ref,
        name,
    }
}

/// Parses one nlu.md input line (JSON) and answers with the output line value.
pub fn parse_line(line: &str) -> Result<Understanding, BadInput> {
    let input: InputLine =
        serde_json::from_str(line).map_err(|e| BadInput(format!("invalid input line: {e}")))?;
    let (msg, ctx) = input.into_parts()?;
    Ok(parse(&msg, &ctx))
}
