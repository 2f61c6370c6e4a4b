//! What a message to a person is for, and the two rules that follow from
//! it: whether it may reach someone who said STOP, and which approved
//! WhatsApp template carries it when the person's 24-hour window is closed.
//! This is the one place those rules are decided; the outbound service in
//! `engine` applies them to every send.
//!
//! **Essential** messages are the ones a person would be wronged by not
//! getting: an answer to a message they just sent, the receipt for money
//! they just paid, the link for an order they just placed, what happens to
//! an order they placed (ready, on its way, delivered), and alerts to the
//! business's own staff. They are sent after an opt-out. Everything else
//! (payment reminders, promotions, re-engagement, automation and broadcasts)
//! is refused for a customer who opted out.

/// Why a message is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// An answer in a conversation the person is having now.
    Reply,
    /// A payment link or push for an order the customer just placed or
    /// asked to pay.
    PaymentLink,
    /// Proof of a payment just received.
    Receipt,
    /// The customer's order moved (ready, out for delivery, delivered).
    StageNotice,
    /// A nudge about money still due.
    PaymentReminder,
    /// A message the business chose to send (the API, a broadcast, an
    /// automation rule) that is none of the above.
    Promotion,
    /// To the business's own staff: someone needs a person, a payment
    /// needs a look, an order is late, stock is low, the day's summary.
    StaffAlert,
    /// Automation: a customer who has not ordered for a while is invited back.
    Reengagement,
    /// Automation: an offer for a customer's coming birthday.
    BirthdayOffer,
    /// Automation: a returning customer is thanked with a suggestion from
    /// their own past orders.
    LoyaltyOffer,
}

/// The category Meta files a template under (protocols.md §1.9): what it
/// costs and how often it may reach a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// About something the person asked for: orders, payments, deliveries.
    Utility,
    /// Offers, re-engagement, birthdays, upsell.
    Marketing,
    /// One-time codes.
    Authentication,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Utility => "utility",
            Category::Marketing => "marketing",
            Category::Authentication => "authentication",
        }
    }
}

impl Purpose {
    /// Whether it goes to a customer who opted out (see the module docs).
    pub fn essential(self) -> bool {
        match self {
            Purpose::Reply
            | Purpose::PaymentLink
            | Purpose::Receipt
            | Purpose::StageNotice
            | Purpose::StaffAlert => true,
            Purpose::PaymentReminder
            | Purpose::Promotion
            | Purpose::Reengagement
            | Purpose::BirthdayOffer
            | Purpose::LoyaltyOffer => false,
        }
    }

    /// The category of its template.
    pub fn category(self) -> Category {
        match self {
            Purpose::Promotion
            | Purpose::Reengagement
            | Purpose::BirthdayOffer
            | Purpose::LoyaltyOffer => Category::Marketing,
            _ => Category::Utility,
        }
    }

    /// The approved template that carries it outside the 24-hour window;
    /// `None`: it is only sent inside the window (a reply always is, and a
    /// business's own message must bring its template).
    pub fn template(self) -> Option<&'static str> {
        match self {
            Purpose::Reply | Purpose::Promotion => None,
            Purpose::PaymentLink | Purpose::PaymentReminder => Some("payment_reminder"),
            Purpose::Receipt => Some("payment_receipt"),
            Purpose::StageNotice => Some("order_update"),
            Purpose::StaffAlert => Some("staff_alert"),
            Purpose::Reengagement => Some("reengagement"),
            Purpose::BirthdayOffer => Some("birthday_offer"),
            Purpose::LoyaltyOffer => Some("loyalty_offer"),
        }
    }

    /// A stable name, stored with the message.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Reply => "reply",
            Purpose::PaymentLink => "payment_link",
            Purpose::Receipt => "receipt",
            Purpose::StageNotice => "stage_notice",
            Purpose::PaymentReminder => "payment_reminder",
            Purpose::Promotion => "promotion",
            Purpose::StaffAlert => "staff_alert",
            Purpose::Reengagement => "reengagement",
            Purpose::BirthdayOffer => "birthday_offer",
            Purpose::LoyaltyOffer => "loyalty_offer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_and_promotions_respect_an_opt_out_receipts_do_not() {
        assert!(!Purpose::PaymentReminder.essential());
        assert!(!Purpose::Promotion.essential());
        assert!(Purpose::Receipt.essential());
        assert!(Purpose::Reply.essential());
        assert!(Purpose::StageNotice.essential());
        assert!(!Purpose::Reengagement.essential());
    }

    #[test]
    fn offers_are_marketing_order_news_is_utility() {
        assert_eq!(Purpose::BirthdayOffer.category(), Category::Marketing);
        assert_eq!(Purpose::LoyaltyOffer.category(), Category::Marketing);
        assert_eq!(Purpose::PaymentReminder.category(), Category::Utility);
        assert_eq!(Purpose::StageNotice.category(), Category::Utility);
    }

    #[test]
    fn what_may_go_outside_the_window_declares_its_template() {
        for p in [
            Purpose::PaymentLink,
            Purpose::PaymentReminder,
            Purpose::Receipt,
            Purpose::StageNotice,
            Purpose::StaffAlert,
            Purpose::Reengagement,
            Purpose::BirthdayOffer,
            Purpose::LoyaltyOffer,
        ] {
            assert!(p.template().is_some(), "{p:?}");
        }
        assert_eq!(Purpose::Reply.template(), None);
    }
}

/// Where a WhatsApp message stands. Inbound messages are `received`; an
/// outbound one is `queued`, then `sent`, `delivered`, `read` as Meta
/// reports, or `failed` (Meta refused it) or `blocked` (we did not send it:
/// the window was closed with no template, the number is off).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Received,
    Queued,
    Sent,
    Delivered,
    Read,
    Failed,
    Blocked,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 7] = [
        MessageStatus::Received,
        MessageStatus::Queued,
        MessageStatus::Sent,
        MessageStatus::Delivered,
        MessageStatus::Read,
        MessageStatus::Failed,
        MessageStatus::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Received => "received",
            MessageStatus::Queued => "queued",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "failed",
            MessageStatus::Blocked => "blocked",
        }
    }
}

impl TryFrom<String> for MessageStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        MessageStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown message status {s:?}"))
    }
}

#[cfg(test)]
mod status_tests {
    use super::*;

    #[test]
    fn message_statuses_read_back_what_they_write() {
        for s in MessageStatus::ALL {
            assert_eq!(MessageStatus::try_from(s.as_str().to_string()), Ok(s));
        }
        assert!(MessageStatus::try_from("warning".to_string()).is_err());
    }
}
