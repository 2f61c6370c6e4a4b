//! Body measurements: the named fields every tailor uses, any custom ones,
//! and the unit they were taken in.

use serde::{Deserialize, Serialize};

/// The standard measurement fields (seed schema columns).
pub const STANDARD_FIELDS: [&str; 7] = [
    "chest", "waist", "hip", "shoulder", "sleeve", "inseam", "neck",
];

pub const CM_PER_INCH: f64 = 2.54;

/// The unit a set of measurements was taken in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    #[default]
    In,
    Cm,
}

impl Unit {
    pub fn as_str(&self) -> &'static str {
        match self {
            Unit::In => "in",
            Unit::Cm => "cm",
        }
    }

    /// Converts `value` from this unit into `to`, rounded to 2 decimals.
    pub fn convert(&self, value: f64, to: Unit) -> f64 {
        let v = match (self, to) {
            (Unit::In, Unit::Cm) => value * CM_PER_INCH,
            (Unit::Cm, Unit::In) => value / CM_PER_INCH,
            _ => value,
        };
        (v * 100.0).round() / 100.0
    }

    /// The largest plausible body measurement in this unit (a sanity bound).
    pub fn max_plausible(&self) -> f64 {
        match self {
            Unit::In => 120.0,
            Unit::Cm => 305.0,
        }
    }
}

crate::tenant::str_enum!(Unit, Unit::In, Unit::Cm);

/// A custom field name: lowercase letters, digits and underscores, and not a
/// standard field (those have their own columns).
pub fn valid_custom_field(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !STANDARD_FIELDS.contains(&name)
}

/// Whether a measurement value is a plausible positive number in `unit`.
pub fn valid_value(value: f64, unit: Unit) -> bool {
    value.is_finite() && value > 0.0 && value <= unit.max_plausible()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_both_ways_to_two_decimals() {
        assert_eq!(Unit::Cm.convert(97.0, Unit::In), 38.19);
        assert_eq!(Unit::Cm.convert(76.0, Unit::In), 29.92);
        assert_eq!(Unit::In.convert(40.0, Unit::Cm), 101.6);
        assert_eq!(Unit::In.convert(40.0, Unit::In), 40.0);
    }

    #[test]
    fn validates_values_and_names() {
        assert!(valid_value(38.5, Unit::In));
        assert!(!valid_value(0.0, Unit::In));
        assert!(!valid_value(-3.0, Unit::Cm));
        assert!(!valid_value(f64::NAN, Unit::Cm));
        assert!(!valid_value(200.0, Unit::In));
        assert!(valid_value(200.0, Unit::Cm));
        assert!(valid_custom_field("agbada_length"));
        assert!(!valid_custom_field("chest"));
        assert!(!valid_custom_field("Arm Hole"));
    }
}
