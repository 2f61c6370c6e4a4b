//! Money is an integer number of minor units in one ISO 4217 currency.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code we can price in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "NGN"))]
pub struct Currency([u8; 3]);

/// The currencies Sokoni's markets use, with their minor-unit exponent.
const KNOWN: &[(&str, u32, &str)] = &[
    ("NGN", 2, "₦"),
    ("KES", 2, "KSh "),
    ("ARS", 2, "$"),
    ("GHS", 2, "GH₵"),
    ("ZAR", 2, "R"),
    ("UGX", 0, "USh "),
    ("TZS", 2, "TSh "),
    ("RWF", 0, "RF "),
    ("XOF", 0, "CFA "),
    ("MXN", 2, "$"),
    ("BRL", 2, "R$"),
    ("USD", 2, "$"),
    ("EUR", 2, "€"),
    ("GBP", 2, "£"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unsupported currency {0:?}: use one of NGN, KES, ARS, GHS, ZAR, UGX, TZS, RWF, XOF, MXN, BRL, USD, EUR, GBP"
)]
pub struct CurrencyError(pub String);

impl Currency {
    /// US dollars: a placeholder where a currency must be set by the caller.
    pub const USD: Currency = Currency(*b"USD");

    pub fn parse(code: &str) -> Result<Self, CurrencyError> {
        let upper = code.trim().to_ascii_uppercase();
        KNOWN
            .iter()
            .find(|(c, _, _)| *c == upper)
            .map(|(c, _, _)| {
                let b = c.as_bytes();
                Currency([b[0], b[1], b[2]])
            })
            .ok_or(CurrencyError(code.to_string()))
    }

    pub fn code(&self) -> &str {
        // Constructed only from ASCII codes in KNOWN.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    fn entry(&self) -> (u32, &'static str) {
        KNOWN
            .iter()
            .find(|(c, _, _)| *c == self.code())
            .map(|(_, e, s)| (*e, *s))
            .unwrap_or((2, ""))
    }

    /// Digits after the decimal point (2 for NGN: 100 kobo to the naira).
    pub fn minor_digits(&self) -> u32 {
        self.entry().0
    }

    pub fn symbol(&self) -> &'static str {
        self.entry().1
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

/// An amount in minor units (kobo, cents, centavos) of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Human display with the currency's symbol and thousands separators,
    /// dropping a zero fraction: `₦45,000`, `₦1,250.50`, `$9.500` for es-AR.
    pub fn display(&self, locale: &str) -> String {
        let digits = self.currency.minor_digits();
        let scale = 10i64.pow(digits);
        let negative = self.minor < 0;
        let abs = self.minor.unsigned_abs();
        let major = abs / scale as u64;
        let frac = abs % scale as u64;
        let (thousands, decimal) = if locale.starts_with("es") {
            ('.', ',')
        } else {
            (',', '.')
        };
        let mut grouped = String::new();
        let major_str = major.to_string();
        for (i, ch) in major_str.chars().enumerate() {
            if i > 0 && (major_str.len() - i).is_multiple_of(3) {
                grouped.push(thousands);
            }
            grouped.push(ch);
        }
        let mut out = String::new();
        if negative {
            out.push('-');
        }
        out.push_str(self.currency.symbol());
        out.push_str(&grouped);
        if frac != 0 {
            out.push(decimal);
            out.push_str(&format!("{:0width$}", frac, width = digits as usize));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_known_currencies_case_insensitively() {
        assert_eq!(Currency::parse("ngn").unwrap().code(), "NGN");
        assert_eq!(Currency::parse("UGX").unwrap().minor_digits(), 0);
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("").is_err());
    }

    #[test]
    fn displays_in_the_customers_convention() {
        let ngn = Currency::parse("NGN").unwrap();
        assert_eq!(Money::new(4_500_000, ngn).display("en-NG"), "₦45,000");
        assert_eq!(Money::new(125_050, ngn).display("en-NG"), "₦1,250.50");
        let ars = Currency::parse("ARS").unwrap();
        assert_eq!(Money::new(950_000, ars).display("es-AR"), "$9.500");
        assert_eq!(Money::new(-100, ars).display("es-AR"), "-$1");
        let ugx = Currency::parse("UGX").unwrap();
        assert_eq!(Money::new(5000, ugx).display("en"), "USh 5,000");
    }
}
