//! The decisions of a shop or restaurant checkout, as plain functions over
//! the cart and the business's terms: what the order still needs (opening
//! time, delivery or pickup, zone, address, payment method), or that it can
//! be placed. The flow (`shop.rs`) asks, then does the asking or placing.

use super::session::ShopState;
use chrono::{DateTime, Utc};
use domain::commerce::{ZoneTerms, shortfall};
use domain::hours::Availability;
use domain::order::{Fulfilment, PaymentMethod};

/// What the business offers a checkout.
#[derive(Debug, Clone)]
pub(crate) struct Terms<'a> {
    pub now: DateTime<Utc>,
    pub availability: Availability,
    pub accepts_scheduled: bool,
    pub offers_delivery: bool,
    pub offers_pickup: bool,
    /// In the order offered.
    pub payment_methods: &'a [PaymentMethod],
    /// Whether the business has delivery zones to choose from.
    pub has_zones: bool,
}

/// The first thing an order still needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Missing {
    /// Nothing in the cart.
    Items,
    /// Closed: `next_open` is when it opens again; `can_schedule` whether
    /// the order may be left for then.
    Opening {
        next_open: Option<DateTime<Utc>>,
        can_schedule: bool,
    },
    /// Delivery or pickup.
    Fulfilment,
    Zone,
    /// The chosen zone's minimum is not reached; this much more is needed.
    ZoneMinimum {
        short_by: i64,
    },
    Address,
    /// A choice between these methods.
    Payment(Vec<PaymentMethod>),
}

/// Fills in what needs no question: a stale schedule is dropped, the only
/// way of getting the order and the only payment method are chosen.
pub(crate) fn settle(order: &mut ShopState, terms: &Terms<'_>) {
    if order.scheduled_for.is_some_and(|at| at <= terms.now) {
        order.scheduled_for = None;
    }
    if order.fulfilment.is_none() {
        match (terms.offers_delivery, terms.offers_pickup) {
            (true, true) => {}
            (true, false) => order.fulfilment = Some(Fulfilment::Delivery),
            _ => order.fulfilment = Some(Fulfilment::Pickup),
        }
    }
    if order.payment.is_none()
        && let [only] = terms.payment_methods
    {
        order.payment = Some(*only);
    }
}

/// What the order still needs, in the order the bot asks; `None` when it
/// can be placed. Call [`settle`] first.
pub(crate) fn missing(order: &ShopState, terms: &Terms<'_>) -> Option<Missing> {
    if order.cart.is_empty() {
        return Some(Missing::Items);
    }
    if order.scheduled_for.is_none()
        && let Availability::Closed { next_open } = terms.availability
    {
        return Some(Missing::Opening {
            next_open,
            can_schedule: terms.accepts_scheduled && next_open.is_some(),
        });
    }
    let Some(fulfilment) = order.fulfilment else {
        return Some(Missing::Fulfilment);
    };
    if fulfilment == Fulfilment::Delivery {
        match &order.zone {
            None if terms.has_zones => return Some(Missing::Zone),
            None => {}
            Some(zone) => {
                let terms = ZoneTerms {
                    fee: zone.fee,
                    min_order: zone.min_order,
                };
                if let Some(short_by) = shortfall(order.cart.subtotal(), &terms) {
                    return Some(Missing::ZoneMinimum { short_by });
                }
            }
        }
        if order.address.is_none() {
            return Some(Missing::Address);
        }
    }
    if order.payment.is_none() && terms.payment_methods.len() > 1 {
        return Some(Missing::Payment(terms.payment_methods.to_vec()));
    }
    None
}

/// The delivery fee the order pays.
pub(crate) fn fee(order: &ShopState) -> i64 {
    match order.fulfilment {
        Some(Fulfilment::Delivery) => order.zone.as_ref().map_or(0, |z| z.fee),
        _ => 0,
    }
}

/// Whether the customer may choose `f`; choosing pickup forgets the zone
/// and address.
pub(crate) fn choose_fulfilment(order: &mut ShopState, terms: &Terms<'_>, f: Fulfilment) {
    let offered = match f {
        Fulfilment::Delivery => terms.offers_delivery,
        Fulfilment::Pickup => terms.offers_pickup,
    };
    if offered {
        order.fulfilment = Some(f);
        if f == Fulfilment::Pickup {
            order.zone = None;
            order.address = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::session::ZoneChoice;
    use super::*;
    use domain::ZoneId;
    use domain::commerce::CartLine;

    fn open_terms(methods: &[PaymentMethod]) -> Terms<'_> {
        Terms {
            now: "2026-11-20T15:00:00Z".parse().unwrap(),
            availability: Availability::AlwaysOpen,
            accepts_scheduled: false,
            offers_delivery: true,
            offers_pickup: true,
            payment_methods: methods,
            has_zones: true,
        }
    }

    fn cart_of(amount: i64) -> ShopState {
        let mut s = ShopState::default();
        s.cart
            .add(CartLine {
                sku: "EMP-CARNE".into(),
                name: "Empanada de carne".into(),
                qty: 1,
                unit_price: amount,
            })
            .unwrap();
        s
    }

    fn palermo(min_order: i64) -> ZoneChoice {
        ZoneChoice {
            id: ZoneId::new(),
            name: "Palermo".into(),
            fee: 150_000,
            min_order,
        }
    }

    const BOTH: [PaymentMethod; 2] = [PaymentMethod::Transfer, PaymentMethod::Cash];

    #[test]
    fn an_empty_cart_needs_items_first() {
        let terms = open_terms(&BOTH);
        assert_eq!(missing(&ShopState::default(), &terms), Some(Missing::Items));
    }

    #[test]
    fn a_delivery_asks_zone_then_address_then_payment_then_is_ready() {
        let terms = open_terms(&BOTH);
        let mut o = cart_of(500_000);
        assert_eq!(missing(&o, &terms), Some(Missing::Fulfilment));
        choose_fulfilment(&mut o, &terms, Fulfilment::Delivery);
        assert_eq!(missing(&o, &terms), Some(Missing::Zone));
        o.zone = Some(palermo(0));
        assert_eq!(missing(&o, &terms), Some(Missing::Address));
        o.address = Some("Thames 1234".into());
        assert_eq!(missing(&o, &terms), Some(Missing::Payment(BOTH.to_vec())));
        o.payment = Some(PaymentMethod::Cash);
        assert_eq!(missing(&o, &terms), None);
        assert_eq!(fee(&o), 150_000);
    }

    #[test]
    fn a_zone_minimum_says_how_much_is_missing() {
        let terms = open_terms(&BOTH);
        let mut o = cart_of(300_000);
        o.fulfilment = Some(Fulfilment::Delivery);
        o.zone = Some(palermo(500_000));
        assert_eq!(
            missing(&o, &terms),
            Some(Missing::ZoneMinimum { short_by: 200_000 })
        );
    }

    #[test]
    fn without_zones_a_delivery_goes_straight_to_the_address() {
        let terms = Terms {
            has_zones: false,
            ..open_terms(&BOTH)
        };
        let mut o = cart_of(100);
        o.fulfilment = Some(Fulfilment::Delivery);
        assert_eq!(missing(&o, &terms), Some(Missing::Address));
        assert_eq!(fee(&o), 0);
    }

    #[test]
    fn pickup_needs_no_address_and_forgets_the_zone() {
        let terms = open_terms(&[PaymentMethod::Cash]);
        let mut o = cart_of(100);
        o.zone = Some(palermo(0));
        o.address = Some("x".into());
        choose_fulfilment(&mut o, &terms, Fulfilment::Pickup);
        settle(&mut o, &terms);
        assert_eq!((o.zone.clone(), o.address.clone()), (None, None));
        assert_eq!(o.payment, Some(PaymentMethod::Cash), "the only method");
        assert_eq!(missing(&o, &terms), None);
    }

    #[test]
    fn only_offered_ways_of_getting_the_order_are_taken_or_asked() {
        let mut terms = open_terms(&BOTH);
        terms.offers_pickup = false;
        let mut o = cart_of(100);
        choose_fulfilment(&mut o, &terms, Fulfilment::Pickup);
        assert_eq!(o.fulfilment, None, "pickup is not offered");
        settle(&mut o, &terms);
        assert_eq!(o.fulfilment, Some(Fulfilment::Delivery));
    }

    #[test]
    fn closed_hours_come_first_and_a_past_schedule_is_dropped() {
        let now: DateTime<Utc> = "2026-11-23T13:00:00Z".parse().unwrap();
        let next_open = Some("2026-11-23T14:00:00Z".parse().unwrap());
        let terms = Terms {
            availability: Availability::Closed { next_open },
            accepts_scheduled: true,
            now,
            ..open_terms(&BOTH)
        };
        let mut o = cart_of(100);
        assert_eq!(
            missing(&o, &terms),
            Some(Missing::Opening {
                next_open,
                can_schedule: true
            })
        );
        o.scheduled_for = next_open;
        assert_eq!(missing(&o, &terms), Some(Missing::Fulfilment));
        o.scheduled_for = Some(now - chrono::Duration::hours(1));
        settle(&mut o, &terms);
        assert_eq!(o.scheduled_for, None);
        let refuse = Terms {
            accepts_scheduled: false,
            ..terms
        };
        assert_eq!(
            missing(&o, &refuse),
            Some(Missing::Opening {
                next_open,
                can_schedule: false
            })
        );
    }
}
