//! The applicant's free-text answers read by `nlu`'s setup parsers, turned
//! into what the business will store. The only place the onboarding flow
//! touches the parsers' types.

use super::flow::{PaymentAnswer, ZoneAnswer};
use domain::hours::{Day, OpeningHours, Shift};

/// Opening hours in the owner's words; `None` when unreadable (or when
/// what was read is not a valid week).
pub fn hours(text: &str) -> Option<OpeningHours> {
    let parsed = nlu::parse_hours(text).ok()?;
    let mut hours = OpeningHours::default();
    for (day, shifts) in Day::ALL.iter().zip(parsed.days.iter()) {
        if shifts.is_empty() {
            continue;
        }
        hours.weekly.insert(
            *day,
            shifts
                .iter()
                .map(|s| Shift {
                    opens: s.opens,
                    closes: s.closes,
                })
                .collect(),
        );
    }
    (hours.is_set() && hours.validate().is_ok()).then_some(hours)
}

/// Delivery zones with fees (minor units), whether it is pickup only, and
/// the parts that could not be read.
pub fn zones(text: &str, minor_digits: u32) -> (Vec<ZoneAnswer>, bool, Vec<String>) {
    let parsed = nlu::parse_zones(text, minor_digits);
    let zones = parsed
        .zones
        .into_iter()
        .map(|z| ZoneAnswer {
            name: z.name,
            fee: z.fee,
        })
        .collect();
    (zones, parsed.pickup_only, parsed.unread)
}

/// The payment methods named in `text`.
pub fn payments(text: &str) -> Vec<PaymentAnswer> {
    nlu::parse_payment_details(text)
        .into_iter()
        .map(|d| match d {
            nlu::PaymentDetail::Cash => PaymentAnswer::Cash,
            nlu::PaymentDetail::BankTransfer { details } => PaymentAnswer::Transfer { details },
            nlu::PaymentDetail::MpesaTill { till } => PaymentAnswer::MpesaTill { till },
            nlu::PaymentDetail::MpesaPaybill { paybill, account } => {
                PaymentAnswer::MpesaPaybill { paybill, account }
            }
            nlu::PaymentDetail::Paystack => PaymentAnswer::Paystack,
        })
        .collect()
}
