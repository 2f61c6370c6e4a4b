//! The state of one customer's conversation, stored as JSON in
//! `chat_sessions` after every turn, so a restart or another replica picks
//! it up where it was. Each flow owns its part: the shop's checkout, the
//! tailor's draft; what is shared is only the run of misunderstandings.
//! (Staff have no session yet: their flow is one answer per message.)

use chrono::{DateTime, NaiveDate, Utc};
use domain::commerce::Cart;
use domain::order::{Fulfilment, PaymentMethod};
use domain::{MeasurementId, ZoneId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// Messages in a row the bot did not understand; the third hands the
    /// customer to a person instead of looping.
    pub unknown_streak: u8,
    pub shop: ShopState,
    pub tailor: TailorState,
}

/// What a shop or restaurant checkout waits for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShopStep {
    #[default]
    Idle,
    /// Delivery or pickup.
    Fulfilment,
    Zone,
    Address,
    Payment,
    /// Whether to schedule the order for the next opening.
    Schedule,
}

/// The delivery zone the customer chose, as it was when chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneChoice {
    pub id: ZoneId,
    pub name: String,
    pub fee: i64,
    pub min_order: i64,
}

/// A shop or restaurant order being put together: the cart and the
/// checkout choices so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShopState {
    pub step: ShopStep,
    pub cart: Cart,
    pub fulfilment: Option<Fulfilment>,
    pub zone: Option<ZoneChoice>,
    pub address: Option<String>,
    pub payment: Option<PaymentMethod>,
    pub scheduled_for: Option<DateTime<Utc>>,
}

impl ShopState {
    /// Forgets the cart and the checkout choices (after an order is placed
    /// or the cart is emptied).
    pub fn finish_checkout(&mut self) {
        *self = ShopState::default();
    }
}

/// What a tailor's draft waits for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TailorStep {
    #[default]
    Idle,
    Style,
    Deadline,
    Measures,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TailorState {
    pub step: TailorStep,
    pub draft: Option<TailorDraft>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_round_trips_and_unknown_or_old_fields_fall_back_to_defaults() {
        let mut s = State::default();
        s.shop.step = ShopStep::Zone;
        s.tailor.step = TailorStep::Deadline;
        s.unknown_streak = 2;
        let json = serde_json::to_value(&s).unwrap_or_default();
        assert_eq!(serde_json::from_value::<State>(json).ok(), Some(s));
        // A session stored before the flows had their own state reads as
        // a fresh one rather than failing the turn.
        let old = serde_json::json!({"step": "zone", "cart": {"lines": []}, "unknown_streak": 1});
        let read: State = serde_json::from_value(old).unwrap_or_default();
        assert_eq!(read.unknown_streak, 1);
        assert_eq!(read.shop.step, ShopStep::Idle);
    }

    #[test]
    fn finishing_a_checkout_forgets_the_cart_and_choices() {
        let mut s = ShopState {
            step: ShopStep::Payment,
            address: Some("Thames 1234".into()),
            payment: Some(PaymentMethod::Cash),
            ..ShopState::default()
        };
        s.finish_checkout();
        assert_eq!(s, ShopState::default());
    }
}
