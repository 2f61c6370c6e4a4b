//! The state of one conversation, stored as JSON in `chat_sessions` after
//! every turn, so a restart or another replica picks it up where it was.

use chrono::{DateTime, NaiveDate, Utc};
use domain::commerce::Cart;
use domain::order::{Fulfilment, PaymentMethod};
use domain::{MeasurementId, ZoneId};
use serde::{Deserialize, Serialize};

/// What the bot is waiting for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    #[default]
    Idle,
    /// Delivery or pickup.
    Fulfilment,
    Zone,
    Address,
    Payment,
    /// Whether to schedule the order for the next opening.
    Schedule,
    /// Tailoring: what to make, by when, with which measurements.
    Style,
    Deadline,
    Measures,
}

/// The delivery zone the customer chose, as it was when chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneChoice {
    pub id: ZoneId,
    pub name: String,
    pub fee: i64,
    pub min_order: i64,
}

/// A tailoring order being put together over several messages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TailorDraft {
    pub style: Option<String>,
    pub quantity: u32,
    pub deadline: Option<NaiveDate>,
    /// The customer's own words, kept on the order for the tailor.
    pub notes: Vec<String>,
    pub measurement: Option<MeasurementId>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub step: Step,
    pub cart: Cart,
    pub fulfilment: Option<Fulfilment>,
    pub zone: Option<ZoneChoice>,
    pub address: Option<String>,
    pub payment: Option<PaymentMethod>,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub draft: Option<TailorDraft>,
    /// Messages in a row the bot did not understand; the third hands the
    /// customer to a person instead of looping.
    pub unknown_streak: u8,
}

impl State {
    /// Forgets the checkout choices (after an order is placed).
    pub fn finish_checkout(&mut self) {
        *self = State {
            unknown_streak: self.unknown_streak,
            ..State::default()
        };
    }
}
