//! Orders: the production pipeline of each vertical, the transitions staff
//! may make, order references and what "today" and "urgent" mean.

use crate::tenant::{Vertical, str_enum};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Where an order is in production.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Received,
    Cutting,
    Sewing,
    Fitting,
    Preparing,
    Packed,
    Ready,
    OutForDelivery,
    Delivered,
    Cancelled,
}

str_enum!(
    Stage,
    Stage::Received,
    Stage::Cutting,
    Stage::Sewing,
    Stage::Fitting,
    Stage::Preparing,
    Stage::Packed,
    Stage::Ready,
    Stage::OutForDelivery,
    Stage::Delivered,
    Stage::Cancelled
);

impl Stage {
    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Cutting => "cutting",
            Stage::Sewing => "sewing",
            Stage::Fitting => "fitting",
            Stage::Preparing => "preparing",
            Stage::Packed => "packed",
            Stage::Ready => "ready",
            Stage::OutForDelivery => "out_for_delivery",
            Stage::Delivered => "delivered",
            Stage::Cancelled => "cancelled",
        }
    }

    /// Delivered and cancelled orders are finished.
    pub fn is_terminal(&self) -> bool {
        FINISHED.contains(self)
    }
}

/// Stages after which an order needs nothing more.
pub const FINISHED: &[Stage] = &[Stage::Delivered, Stage::Cancelled];

/// Stages in which the work itself is done (the urgent view leaves them out).
pub const WORK_DONE: &[Stage] = &[Stage::Ready, Stage::OutForDelivery, Stage::Delivered];

/// The stages of one vertical's pipeline, in order, and which of them may
/// be skipped (not every dress needs a fitting; pickup orders are never out
/// for delivery).
pub struct Pipeline {
    pub stages: &'static [Stage],
    pub optional: &'static [Stage],
}

pub fn pipeline(vertical: Vertical) -> Pipeline {
    match vertical {
        Vertical::Tailor => Pipeline {
            stages: &[
                Stage::Received,
                Stage::Cutting,
                Stage::Sewing,
                Stage::Fitting,
                Stage::Ready,
                Stage::Delivered,
            ],
            optional: &[Stage::Fitting],
        },
        Vertical::Shop => Pipeline {
            stages: &[
                Stage::Received,
                Stage::Packed,
                Stage::Ready,
                Stage::OutForDelivery,
                Stage::Delivered,
            ],
            optional: &[Stage::Packed, Stage::OutForDelivery],
        },
        Vertical::Restaurant => Pipeline {
            stages: &[
                Stage::Received,
                Stage::Preparing,
                Stage::Ready,
                Stage::OutForDelivery,
                Stage::Delivered,
            ],
            optional: &[Stage::OutForDelivery],
        },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the order is already {0}")]
    Same(Stage),
    #[error("{0} is not a stage of this business's pipeline")]
    NotInPipeline(Stage),
    #[error("a {0} order cannot change stage")]
    Finished(Stage),
    #[error("an order cannot move from {from} to {to}")]
    NotAllowed { from: Stage, to: Stage },
}

impl Pipeline {
    /// The stages staff may move an order to from `from`: forward to the next
    /// stage (skipping optional ones), back one stage for rework, or cancel.
    pub fn next_stages(&self, from: Stage) -> Vec<Stage> {
        if from.is_terminal() {
            return Vec::new();
        }
        let Some(i) = self.stages.iter().position(|s| *s == from) else {
            return vec![Stage::Cancelled];
        };
        let mut out = Vec::new();
        for s in &self.stages[i + 1..] {
            out.push(*s);
            if !self.optional.contains(s) {
                break;
            }
        }
        if i > 0 {
            out.push(self.stages[i - 1]);
        }
        out.push(Stage::Cancelled);
        out
    }

    pub fn check(&self, from: Stage, to: Stage) -> Result<(), TransitionError> {
        if from == to {
            return Err(TransitionError::Same(from));
        }
        if from.is_terminal() {
            return Err(TransitionError::Finished(from));
        }
        if to != Stage::Cancelled && !self.stages.contains(&to) {
            return Err(TransitionError::NotInPipeline(to));
        }
        if self.next_stages(from).contains(&to) {
            Ok(())
        } else {
            Err(TransitionError::NotAllowed { from, to })
        }
    }
}

/// Where an order came from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Whatsapp,
    Dashboard,
    WalkIn,
    Api,
}

impl Source {
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Whatsapp => "whatsapp",
            Source::Dashboard => "dashboard",
            Source::WalkIn => "walk_in",
            Source::Api => "api",
        }
    }
}
str_enum!(
    Source,
    Source::Whatsapp,
    Source::Dashboard,
    Source::WalkIn,
    Source::Api
);

/// How an order reaches the customer.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fulfilment {
    Delivery,
    Pickup,
}

impl Fulfilment {
    pub fn as_str(&self) -> &'static str {
        match self {
            Fulfilment::Delivery => "delivery",
            Fulfilment::Pickup => "pickup",
        }
    }
}
str_enum!(Fulfilment, Fulfilment::Delivery, Fulfilment::Pickup);

/// How the customer pays. Provider links (card, M-PESA) arrive with the
/// payments module; transfer and cash are confirmed by staff.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Transfer,
    Cash,
    Card,
    Mpesa,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 4] = [
        PaymentMethod::Transfer,
        PaymentMethod::Cash,
        PaymentMethod::Card,
        PaymentMethod::Mpesa,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Card => "card",
            PaymentMethod::Mpesa => "mpesa",
        }
    }
}
str_enum!(
    PaymentMethod,
    PaymentMethod::Transfer,
    PaymentMethod::Cash,
    PaymentMethod::Card,
    PaymentMethod::Mpesa
);

/// `SEW-0042`: the tenant's prefix and its order sequence, at least four digits.
pub fn order_ref(prefix: &str, seq: i64) -> String {
    format!("{prefix}-{seq:04}")
}

/// The end of the tenant's current calendar day, as a UTC instant.
pub fn end_of_local_day(now: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local_date = now.with_timezone(&tz).date_naive();
    let next = local_date + Duration::days(1);
    // Midnight can be skipped by a DST change; take the earliest valid time.
    tz.from_local_datetime(&next.and_time(NaiveTime::MIN))
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| now + Duration::days(1))
}

/// Hours ahead within which an unfinished order is urgent.
pub const URGENT_WITHIN_HOURS: i64 = 48;

/// The "today" view: orders due before this instant (the end of the
/// tenant's day, so overdue ones too) that are not delivered or cancelled.
pub fn today_due_before(now: DateTime<Utc>, tz: chrono_tz::Tz) -> DateTime<Utc> {
    end_of_local_day(now, tz)
}

/// The "urgent" view: orders due before this instant (overdue included)
/// whose work is not yet ready.
pub fn urgent_due_before(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::hours(URGENT_WITHIN_HOURS)
}

/// What is still owed: price minus what has been paid, never below zero.
pub fn balance_due(price_minor: i64, paid_minor: i64) -> i64 {
    (price_minor - paid_minor).max(0)
}

/// An order's deposit is never more than its price.
pub fn check_deposit(deposit: i64, price: i64) -> Result<(), &'static str> {
    if deposit > price {
        Err("must not exceed the price")
    } else {
        Ok(())
    }
}

/// What a stage change must know of the order besides the pipeline.
#[derive(Debug, Clone, Copy)]
pub struct StageFacts {
    pub from: Stage,
    pub deposit: i64,
    pub price: i64,
    pub paid: i64,
    pub fulfilment: Option<Fulfilment>,
}

/// Why a move the pipeline allows is held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageHold {
    /// Work starts when the deposit is in, unless staff say so.
    DepositDue,
    /// An order the customer collects is never out for delivery.
    PickupNotDelivered,
    /// Handing over an order with money still due, unless staff say so.
    BalanceDue,
}

/// The business rules of a stage change on top of the pipeline's:
/// deposit first, pickup orders are not delivered by us, and nothing is
/// handed over with a balance due. The two holds about money give way to
/// an explicit staff override.
pub fn stage_hold(
    f: &StageFacts,
    to: Stage,
    override_deposit: bool,
    override_balance: bool,
) -> Result<(), StageHold> {
    if to == Stage::Cancelled || to == f.from {
        return Ok(());
    }
    if to == Stage::OutForDelivery && f.fulfilment == Some(Fulfilment::Pickup) {
        return Err(StageHold::PickupNotDelivered);
    }
    if f.from == Stage::Received
        && to != Stage::Received
        && f.deposit > 0
        && f.paid < f.deposit
        && !override_deposit
    {
        return Err(StageHold::DepositDue);
    }
    if to == Stage::Delivered && balance_due(f.price, f.paid) > 0 && !override_balance {
        return Err(StageHold::BalanceDue);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn tailor_pipeline_moves_forward_skips_fitting_and_reworks() {
        let p = pipeline(Vertical::Tailor);
        assert!(p.check(Stage::Received, Stage::Cutting).is_ok());
        assert!(p.check(Stage::Sewing, Stage::Fitting).is_ok());
        assert!(
            p.check(Stage::Sewing, Stage::Ready).is_ok(),
            "fitting is optional"
        );
        assert!(
            p.check(Stage::Fitting, Stage::Sewing).is_ok(),
            "alterations"
        );
        assert!(
            p.check(Stage::Received, Stage::Ready).is_err(),
            "no skipping work"
        );
        assert!(p.check(Stage::Received, Stage::Cancelled).is_ok());
        assert_eq!(
            p.check(Stage::Delivered, Stage::Ready),
            Err(TransitionError::Finished(Stage::Delivered))
        );
        assert_eq!(
            p.check(Stage::Cutting, Stage::Cutting),
            Err(TransitionError::Same(Stage::Cutting))
        );
        assert_eq!(
            p.check(Stage::Received, Stage::Preparing),
            Err(TransitionError::NotInPipeline(Stage::Preparing))
        );
    }

    #[test]
    fn restaurant_pickup_skips_delivery_leg() {
        let p = pipeline(Vertical::Restaurant);
        assert_eq!(
            p.next_stages(Stage::Ready),
            vec![
                Stage::OutForDelivery,
                Stage::Delivered,
                Stage::Preparing,
                Stage::Cancelled
            ]
        );
        assert!(p.check(Stage::Received, Stage::Cutting).is_err());
    }

    #[test]
    fn refs_are_zero_padded() {
        assert_eq!(order_ref("SEW", 42), "SEW-0042");
        assert_eq!(order_ref("PED", 12345), "PED-12345");
    }

    #[test]
    fn today_ends_at_the_tenants_midnight() {
        let tz: chrono_tz::Tz = "Africa/Lagos".parse().unwrap();
        // 22:30 UTC is 23:30 in Lagos; the Lagos day ends at 23:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 22, 30, 0).unwrap();
        assert_eq!(
            today_due_before(now, tz),
            Utc.with_ymd_and_hms(2026, 11, 22, 23, 0, 0).unwrap()
        );
        // 23:30 UTC is already the 23rd in Lagos.
        let after = Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap();
        assert_eq!(
            today_due_before(after, tz),
            Utc.with_ymd_and_hms(2026, 11, 23, 23, 0, 0).unwrap()
        );
        // A DST zone: São Paulo has none now, New York does.
        let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        assert_eq!(
            today_due_before(summer, ny),
            Utc.with_ymd_and_hms(2026, 7, 2, 4, 0, 0).unwrap()
        );
    }

    #[test]
    fn urgent_is_forty_eight_hours_ahead() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        assert_eq!(
            urgent_due_before(now),
            Utc.with_ymd_and_hms(2026, 11, 24, 10, 0, 0).unwrap()
        );
    }

    #[test]
    fn balance_never_negative() {
        assert_eq!(balance_due(4_500_000, 1_500_000), 3_000_000);
        assert_eq!(balance_due(100, 150), 0);
    }

    fn facts(from: Stage, paid: i64) -> StageFacts {
        StageFacts {
            from,
            deposit: 1_500_000,
            price: 4_500_000,
            paid,
            fulfilment: None,
        }
    }

    #[test]
    fn work_starts_when_the_deposit_is_in_unless_staff_say_so() {
        let f = facts(Stage::Received, 0);
        assert_eq!(
            stage_hold(&f, Stage::Cutting, false, false),
            Err(StageHold::DepositDue)
        );
        assert_eq!(stage_hold(&f, Stage::Cutting, true, false), Ok(()));
        assert_eq!(stage_hold(&f, Stage::Cancelled, false, false), Ok(()));
        assert_eq!(
            stage_hold(
                &facts(Stage::Received, 1_500_000),
                Stage::Cutting,
                false,
                false
            ),
            Ok(())
        );
    }

    #[test]
    fn nothing_is_handed_over_with_money_due_unless_staff_say_so() {
        let f = facts(Stage::Ready, 1_500_000);
        assert_eq!(
            stage_hold(&f, Stage::Delivered, false, false),
            Err(StageHold::BalanceDue)
        );
        assert_eq!(stage_hold(&f, Stage::Delivered, false, true), Ok(()));
        assert_eq!(
            stage_hold(
                &facts(Stage::Ready, 4_500_000),
                Stage::Delivered,
                false,
                false
            ),
            Ok(())
        );
        // Out for delivery is not handing over yet.
        assert_eq!(stage_hold(&f, Stage::OutForDelivery, false, false), Ok(()));
    }

    #[test]
    fn a_pickup_order_is_never_out_for_delivery() {
        let mut f = facts(Stage::Ready, 4_500_000);
        f.fulfilment = Some(Fulfilment::Pickup);
        assert_eq!(
            stage_hold(&f, Stage::OutForDelivery, true, true),
            Err(StageHold::PickupNotDelivered)
        );
        f.fulfilment = Some(Fulfilment::Delivery);
        assert_eq!(stage_hold(&f, Stage::OutForDelivery, false, false), Ok(()));
    }
}
