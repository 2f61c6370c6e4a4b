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
    /// needs a look.
    StaffAlert,
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
            Purpose::PaymentReminder | Purpose::Promotion => false,
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
    }

    #[test]
    fn what_may_go_outside_the_window_declares_its_template() {
        for p in [
            Purpose::PaymentLink,
            Purpose::PaymentReminder,
            Purpose::Receipt,
            Purpose::StageNotice,
            Purpose::StaffAlert,
        ] {
            assert!(p.template().is_some(), "{p:?}");
        }
        assert_eq!(Purpose::Reply.template(), None);
    }
}
