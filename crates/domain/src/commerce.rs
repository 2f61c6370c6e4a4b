//! Catalog, stock and cart arithmetic: what can be sold, what a cart costs,
//! delivery-zone minimums and deposits. Amounts are integer minor units
//! (kobo, cents); sums saturate rather than overflow so a hostile quantity
//! cannot wrap a price negative.

use serde::{Deserialize, Serialize};

/// What can still be sold: on hand minus reserved, never below zero.
pub fn saleable(on_hand: i64, reserved: i64) -> i64 {
    on_hand.saturating_sub(reserved).max(0)
}

/// Whether stock is at or below the low-stock threshold (None threshold =
/// never low). Compares what is saleable, since reserved stock is as good
/// as gone.
pub fn is_low(on_hand: i64, reserved: i64, threshold: Option<i64>) -> bool {
    threshold.is_some_and(|t| saleable(on_hand, reserved) <= t)
}

/// The most of one item a cart line holds.
pub const MAX_LINE_QTY: u32 = 999;
/// The most distinct items a cart holds.
pub const MAX_CART_LINES: usize = 50;

/// One item in a cart; `unit_price` in minor units.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub name: String,
    pub qty: u32,
    pub unit_price: i64,
}

impl CartLine {
    pub fn total(&self) -> i64 {
        self.unit_price.saturating_mul(i64::from(self.qty))
    }
}

/// A cart already holds [`MAX_CART_LINES`] distinct items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a cart holds at most {MAX_CART_LINES} different items")]
pub struct CartFull;

/// A customer's cart: at most one line per sku.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<CartLine>,
}

impl Cart {
    /// Adds a line, merging with an existing line of the same sku: the
    /// quantities add up and the newest name and price win, since they come
    /// from the current catalog. Quantities are capped at [`MAX_LINE_QTY`];
    /// a zero quantity adds nothing. A new sku beyond [`MAX_CART_LINES`]
    /// is refused.
    pub fn add(&mut self, line: CartLine) -> Result<(), CartFull> {
        if let Some(existing) = self.lines.iter_mut().find(|l| l.sku == line.sku) {
            existing.qty = existing.qty.saturating_add(line.qty).min(MAX_LINE_QTY);
            existing.name = line.name;
            existing.unit_price = line.unit_price;
            return Ok(());
        }
        if line.qty == 0 {
            return Ok(());
        }
        if self.lines.len() >= MAX_CART_LINES {
            return Err(CartFull);
        }
        self.lines.push(CartLine {
            qty: line.qty.min(MAX_LINE_QTY),
            ..line
        });
        Ok(())
    }

    /// Sets a line's quantity (capped at [`MAX_LINE_QTY`]); 0 removes the
    /// line. A sku not in the cart is left out: there is no name or price
    /// to give it.
    pub fn set_qty(&mut self, sku: &str, qty: u32) {
        if qty == 0 {
            self.remove(sku);
        } else if let Some(line) = self.lines.iter_mut().find(|l| l.sku == sku) {
            line.qty = qty.min(MAX_LINE_QTY);
        }
    }

    /// Removes a sku's line; false when it was not in the cart.
    pub fn remove(&mut self, sku: &str) -> bool {
        let before = self.lines.len();
        self.lines.retain(|l| l.sku != sku);
        self.lines.len() != before
    }

    pub fn clear(&mut self) {
        self.lines.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// How many of a sku the cart holds (0 when absent).
    pub fn qty_of(&self, sku: &str) -> u32 {
        self.lines
            .iter()
            .filter(|l| l.sku == sku)
            .fold(0, |n, l| n.saturating_add(l.qty))
    }

    /// The sum of the line totals, before delivery.
    pub fn subtotal(&self) -> i64 {
        self.lines
            .iter()
            .fold(0, |sum, l| sum.saturating_add(l.total()))
    }

    /// The number of items, counting quantities.
    pub fn item_count(&self) -> u32 {
        self.lines.iter().fold(0, |n, l| n.saturating_add(l.qty))
    }
}

/// A delivery zone's terms, in minor units.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ZoneTerms {
    pub fee: i64,
    pub min_order: i64,
}

/// How much is missing to reach the zone's minimum order (None when met).
/// The minimum applies to the subtotal, without the fee.
pub fn shortfall(subtotal: i64, zone: &ZoneTerms) -> Option<i64> {
    (subtotal < zone.min_order).then(|| zone.min_order.saturating_sub(subtotal))
}

/// The order total: subtotal plus the delivery fee (saturating).
pub fn total(subtotal: i64, fee: i64) -> i64 {
    subtotal.saturating_add(fee)
}

/// The deposit due on a price at `percent` (0–100, clamped), rounded up to
/// a whole major unit when `minor_digits` > 0 (50% of 4 500 050 kobo with 2
/// digits is 2 250 100) and never more than the price. 0% is 0; 100% is the
/// price; a price of zero or less needs no deposit.
pub fn deposit_due(price: i64, percent: u8, minor_digits: u32) -> i64 {
    if price <= 0 {
        return 0;
    }
    let percent = i128::from(percent.min(100));
    // i128 so price × percent cannot overflow; every step rounds up so the
    // business is never short.
    let share = ceil_div(i128::from(price) * percent, 100);
    // Past 10^18 a major unit exceeds any i64 price; the price caps it anyway.
    let unit = 10_i128.pow(minor_digits.min(18));
    let rounded = ceil_div(share, unit) * unit;
    i64::try_from(rounded.min(i128::from(price))).unwrap_or(price)
}

/// Ceiling division for a non-negative numerator and a positive divisor
/// (signed `div_ceil` is not stable).
fn ceil_div(n: i128, d: i128) -> i128 {
    (n + d - 1) / d
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(sku: &str, qty: u32, unit_price: i64) -> CartLine {
        CartLine {
            sku: sku.to_string(),
            name: format!("Item {sku}"),
            qty,
            unit_price,
        }
    }

    #[test]
    fn saleable_is_never_negative() {
        assert_eq!(saleable(10, 3), 7);
        assert_eq!(saleable(10, 10), 0);
        assert_eq!(saleable(3, 10), 0);
        assert_eq!(saleable(-5, 0), 0, "a miscounted negative stock");
        assert_eq!(saleable(i64::MIN, i64::MAX), 0, "saturates");
        assert_eq!(saleable(i64::MAX, -1), i64::MAX);
    }

    #[test]
    fn low_stock_compares_saleable_to_the_threshold() {
        assert!(!is_low(0, 0, None), "no threshold is never low");
        assert!(is_low(10, 5, Some(5)), "at the threshold is low");
        assert!(!is_low(10, 4, Some(5)));
        assert!(is_low(10, 9, Some(5)), "reserved stock counts as gone");
        assert!(is_low(3, 10, Some(0)), "oversold is low");
        assert!(!is_low(1, 0, Some(0)));
    }

    #[test]
    fn line_total_saturates() {
        assert_eq!(line("a", 3, 250).total(), 750);
        assert_eq!(line("a", 0, 250).total(), 0);
        assert_eq!(line("a", 2, i64::MAX).total(), i64::MAX);
        assert_eq!(line("a", 2, i64::MIN).total(), i64::MIN);
    }

    #[test]
    fn add_merges_lines_of_the_same_sku() {
        let mut cart = Cart::default();
        assert!(cart.is_empty());
        cart.add(line("rice", 2, 1_000)).unwrap();
        cart.add(line("beans", 1, 500)).unwrap();
        cart.add(CartLine {
            name: "Rice (5kg)".into(),
            ..line("rice", 3, 1_200)
        })
        .unwrap();
        assert_eq!(cart.lines.len(), 2);
        assert_eq!(cart.lines[0].sku, "rice", "merging keeps the line's place");
        assert_eq!(cart.qty_of("rice"), 5);
        assert_eq!(cart.lines[0].name, "Rice (5kg)", "newest name wins");
        assert_eq!(cart.lines[0].unit_price, 1_200, "newest price wins");
        assert_eq!(cart.subtotal(), 5 * 1_200 + 500);
        assert_eq!(cart.item_count(), 6);
        assert!(!cart.is_empty());
    }

    #[test]
    fn quantities_are_capped() {
        let mut cart = Cart::default();
        cart.add(line("a", 1_500, 1)).unwrap();
        assert_eq!(cart.qty_of("a"), MAX_LINE_QTY);
        cart.add(line("b", 998, 1)).unwrap();
        cart.add(line("b", 5, 1)).unwrap();
        assert_eq!(cart.qty_of("b"), MAX_LINE_QTY);
        cart.add(line("b", u32::MAX, 1)).unwrap();
        assert_eq!(cart.qty_of("b"), MAX_LINE_QTY, "no overflow");
        cart.set_qty("a", 5_000);
        assert_eq!(cart.qty_of("a"), MAX_LINE_QTY);
    }

    #[test]
    fn adding_nothing_adds_no_line() {
        let mut cart = Cart::default();
        cart.add(line("a", 0, 100)).unwrap();
        assert!(cart.is_empty());
        cart.add(line("a", 2, 100)).unwrap();
        cart.add(line("a", 0, 90)).unwrap();
        assert_eq!(cart.qty_of("a"), 2);
        assert_eq!(cart.lines[0].unit_price, 90, "the price still updates");
    }

    #[test]
    fn a_full_cart_refuses_new_skus_but_takes_more_of_old_ones() {
        let mut cart = Cart::default();
        for i in 0..MAX_CART_LINES {
            cart.add(line(&format!("sku{i}"), 1, 10)).unwrap();
        }
        assert_eq!(cart.add(line("one-more", 1, 10)), Err(CartFull));
        assert_eq!(cart.lines.len(), MAX_CART_LINES);
        assert_eq!(cart.add(line("sku0", 2, 10)), Ok(()));
        assert_eq!(cart.qty_of("sku0"), 3);
        assert!(cart.remove("sku1"));
        assert_eq!(cart.add(line("one-more", 1, 10)), Ok(()));
        assert_eq!(
            CartFull.to_string(),
            "a cart holds at most 50 different items"
        );
    }

    #[test]
    fn set_qty_changes_or_removes() {
        let mut cart = Cart::default();
        cart.add(line("a", 2, 100)).unwrap();
        cart.add(line("b", 1, 50)).unwrap();
        cart.set_qty("a", 7);
        assert_eq!(cart.qty_of("a"), 7);
        cart.set_qty("missing", 3);
        assert_eq!(cart.qty_of("missing"), 0, "an unknown sku is not created");
        assert_eq!(cart.lines.len(), 2);
        cart.set_qty("a", 0);
        assert_eq!(cart.qty_of("a"), 0);
        assert_eq!(cart.lines.len(), 1);
        cart.set_qty("b", 0);
        assert!(cart.is_empty(), "removing the last line empties the cart");
        assert_eq!(cart.subtotal(), 0);
        assert_eq!(cart.item_count(), 0);
    }

    #[test]
    fn remove_and_clear() {
        let mut cart = Cart::default();
        cart.add(line("a", 2, 100)).unwrap();
        cart.add(line("b", 1, 50)).unwrap();
        assert!(cart.remove("a"));
        assert!(!cart.remove("a"), "already gone");
        assert_eq!(cart.subtotal(), 50);
        assert!(cart.remove("b"));
        assert!(cart.is_empty());
        cart.add(line("c", 1, 1)).unwrap();
        cart.clear();
        assert!(cart.is_empty());
        assert_eq!(cart.qty_of("c"), 0);
    }

    #[test]
    fn subtotal_saturates() {
        let mut cart = Cart::default();
        cart.add(line("a", 1, i64::MAX - 10)).unwrap();
        cart.add(line("b", 1, 100)).unwrap();
        assert_eq!(cart.subtotal(), i64::MAX);
    }

    #[test]
    fn cart_serde_round_trip() {
        let mut cart = Cart::default();
        cart.add(line("a", 2, 100)).unwrap();
        let json = serde_json::to_value(&cart).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"lines": [{"sku": "a", "name": "Item a", "qty": 2, "unit_price": 100}]})
        );
        assert_eq!(serde_json::from_value::<Cart>(json).unwrap(), cart);
    }

    #[test]
    fn shortfall_is_on_the_subtotal() {
        let zone = ZoneTerms {
            fee: 1_000,
            min_order: 5_000,
        };
        assert_eq!(shortfall(4_000, &zone), Some(1_000));
        assert_eq!(shortfall(5_000, &zone), None, "exactly the minimum is met");
        assert_eq!(shortfall(6_000, &zone), None);
        assert_eq!(
            shortfall(4_500, &zone),
            Some(500),
            "the fee does not count toward the minimum"
        );
        assert_eq!(shortfall(0, &ZoneTerms::default()), None, "no minimum");
        assert_eq!(
            shortfall(
                i64::MIN,
                &ZoneTerms {
                    fee: 0,
                    min_order: i64::MAX
                }
            ),
            Some(i64::MAX),
            "saturates"
        );
    }

    #[test]
    fn total_adds_the_fee() {
        assert_eq!(total(5_000, 1_000), 6_000);
        assert_eq!(total(5_000, 0), 5_000);
        assert_eq!(total(i64::MAX, 1), i64::MAX);
    }

    #[test]
    fn deposits_round_up_to_a_major_unit() {
        assert_eq!(deposit_due(4_500_050, 50, 2), 2_250_100);
        assert_eq!(deposit_due(4_500_000, 50, 2), 2_250_000, "already whole");
        assert_eq!(deposit_due(4_500_050, 0, 2), 0);
        assert_eq!(
            deposit_due(4_500_050, 100, 2),
            4_500_050,
            "never past the price"
        );
        assert_eq!(
            deposit_due(4_500_050, 200, 2),
            4_500_050,
            "percent is clamped"
        );
        assert_eq!(deposit_due(150, 99, 2), 150, "rounding up is capped");
        assert_eq!(deposit_due(1, 1, 2), 1);
        // No minor digits: whole units, the fraction rounds up.
        assert_eq!(deposit_due(5, 50, 0), 3);
        assert_eq!(deposit_due(1_000, 30, 0), 300);
        // Three digits (e.g. dinars).
        assert_eq!(deposit_due(10_500, 10, 3), 2_000);
        assert_eq!(deposit_due(0, 50, 2), 0);
        assert_eq!(deposit_due(-100, 50, 2), 0);
        assert_eq!(deposit_due(i64::MAX, 100, 2), i64::MAX, "no overflow");
        assert_eq!(
            deposit_due(i64::MAX, 50, 30),
            5_000_000_000_000_000_000,
            "digits past 18 act as 18"
        );
    }

    proptest! {
        #[test]
        fn deposit_is_between_zero_and_the_price(
            price in -1_000_000_000_000_i64..1_000_000_000_000,
            percent in 0_u8..=255,
            digits in 0_u32..=4,
        ) {
            let d = deposit_due(price, percent, digits);
            prop_assert!(d >= 0);
            prop_assert!(d <= price.max(0));
            if price > 0 && percent > 0 {
                prop_assert!(d > 0);
                // At least the exact share: the business is never short.
                prop_assert!(i128::from(d) * 100 >= i128::from(price) * i128::from(percent.min(100)));
            }
        }

        #[test]
        fn deposit_grows_with_the_percent(
            price in 0_i64..1_000_000_000_000,
            a in 0_u8..=100,
            b in 0_u8..=100,
            digits in 0_u32..=3,
        ) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(deposit_due(price, lo, digits) <= deposit_due(price, hi, digits));
        }

        #[test]
        fn subtotal_is_the_sum_of_line_totals(
            adds in prop::collection::vec((0_u8..60, 0_u32..1_200, 0_i64..10_000_000), 0..120),
        ) {
            let mut cart = Cart::default();
            for (sku, qty, price) in adds {
                let _ = cart.add(line(&sku.to_string(), qty, price));
            }
            let sum: i64 = cart.lines.iter().map(CartLine::total).sum();
            prop_assert_eq!(cart.subtotal(), sum);
            prop_assert!(cart.lines.len() <= MAX_CART_LINES);
            prop_assert!(cart.lines.iter().all(|l| (1..=MAX_LINE_QTY).contains(&l.qty)));
            let items: u32 = cart.lines.iter().map(|l| l.qty).sum();
            prop_assert_eq!(cart.item_count(), items);
        }
    }
}

/// What an order holds of the stock.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockStatus {
    /// Nothing tracked (made to order, or no lines).
    None,
    /// Its lines are held for it.
    Reserved,
    /// Sold: taken off the shelf.
    Consumed,
    /// Given back (the order was cancelled).
    Released,
}

impl StockStatus {
    pub const ALL: [StockStatus; 4] = [
        StockStatus::None,
        StockStatus::Reserved,
        StockStatus::Consumed,
        StockStatus::Released,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StockStatus::None => "none",
            StockStatus::Reserved => "reserved",
            StockStatus::Consumed => "consumed",
            StockStatus::Released => "released",
        }
    }
}

impl TryFrom<String> for StockStatus {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        StockStatus::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| format!("unknown stock status {s:?}"))
    }
}

#[cfg(test)]
mod stock_status_tests {
    use super::*;

    #[test]
    fn stock_statuses_read_back_what_they_write() {
        for s in StockStatus::ALL {
            assert_eq!(StockStatus::try_from(s.as_str().to_string()), Ok(s));
        }
        assert!(StockStatus::try_from("lost".to_string()).is_err());
    }
}
